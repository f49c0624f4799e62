import type { PostingMode } from '../../domain/article.js';
import type {
  ArticleKill,
  AttemptRecord,
  PostState,
  StoredArticle,
  StoredPost,
  TrailPost,
} from '../../ports/post-store.js';

/** Rows as both engines return them (SQLite, and PostgreSQL with int8 read as numbers): times are epoch milliseconds, booleans 0 or 1. */
export interface ArticleRow {
  id: number;
  content_hash: string;
  url: string | null;
  title: string;
  byline: string | null;
  created_at: number;
  /** Migration 4: a kill. */
  killed_at: number | null;
  killed_by: string | null;
  /** Migration 7: the URL as canonicalUrl gives it (src/domain/canonical-url.ts). */
  canonical_url: string | null;
}

export interface PostRow {
  id: number;
  article_id: number;
  channel_id: string;
  mode: string;
  seq: number;
  total: number;
  text: string;
  length: number;
  state: string;
  approved: number;
  attempts: number;
  next_attempt_at: number | null;
  remote_id: string | null;
  remote_url: string | null;
  remote_chat: string | null;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
  /** Migration 4: a sent post taken down, or why it could not be. */
  deleted_at: number | null;
  delete_error: string | null;
}

export interface AttemptRow {
  post_id: number;
  attempt: number;
  started_at: number;
  finished_at: number | null;
  outcome: string | null;
  detail: string | null;
}

const toDate = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

export function toStoredArticle(row: ArticleRow): StoredArticle {
  return {
    id: row.id,
    contentHash: row.content_hash,
    url: row.url,
    title: row.title,
    byline: row.byline,
    createdAt: new Date(row.created_at),
  };
}

// The casts below are safe because CHECK constraints keep mode, state and outcome to these values.
export function toStoredPost(row: PostRow): StoredPost {
  return {
    id: row.id,
    articleId: row.article_id,
    channelId: row.channel_id,
    mode: row.mode as PostingMode,
    seq: row.seq,
    total: row.total,
    text: row.text,
    length: row.length,
    state: row.state as PostState,
    approved: row.approved === 1,
    attempts: row.attempts,
    nextAttemptAt: toDate(row.next_attempt_at),
    remoteId: row.remote_id,
    remoteUrl: row.remote_url,
    remoteChat: row.remote_chat ?? null,
    lastError: row.last_error,
    createdAt: new Date(row.created_at),
    sentAt: toDate(row.sent_at),
  };
}

export function toTrailPost(row: PostRow): TrailPost {
  return { ...toStoredPost(row), deletedAt: toDate(row.deleted_at), deleteError: row.delete_error };
}

export function toArticleKill(row: Pick<ArticleRow, 'killed_at' | 'killed_by'>): ArticleKill | undefined {
  return row.killed_at === null ? undefined : { at: new Date(row.killed_at), by: row.killed_by };
}

export function toAttemptRecord(row: AttemptRow): AttemptRecord {
  return {
    postId: row.post_id,
    attempt: row.attempt,
    startedAt: new Date(row.started_at),
    finishedAt: toDate(row.finished_at),
    outcome: row.outcome as AttemptRecord['outcome'],
    detail: row.detail,
  };
}
