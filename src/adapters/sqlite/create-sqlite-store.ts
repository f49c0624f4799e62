import Database from 'better-sqlite3';
import type {
  ChannelBatch,
  ChannelState,
  EnqueueResult,
  NewArticle,
  PostState,
  PostStore,
  StoredPost,
} from '../../ports/post-store.js';
import { POST_STATES } from '../../ports/post-store.js';
import type { PublishFailureReason } from '../../ports/publisher.js';
import { type PermissionWarning, warnOnStderr } from '../fs/private-files.js';
import { batchChannels, canonicalOf, decideEnqueue } from '../store-rows/enqueue-rules.js';
import {
  type ArticleRow,
  type AttemptRow,
  type PostRow,
  toAttemptRecord,
  toStoredArticle,
  toStoredPost,
} from '../store-rows/row-mappers.js';
import {
  APPROVED_UNLESS_HELD,
  ARTICLE_HELD,
  ARTICLE_KILLED,
  ATTEMPT_COUNTS_AS_POSTED,
  INTERRUPTED,
} from '../store-rows/state-machine-sql.js';
import { acquireStoreLock, type StoreLock } from './acquire-store-lock.js';
import { createAlertOutbox } from './alert-outbox.js';
import { createFeedStore } from './feed-store.js';
import { createKillStore } from './kill-store.js';
import { NEXT_DUE_SQL, type NextDueParams } from './next-due-query.js';
import { BUSY_TIMEOUT_MS, ensureStoreDirectory, openStoreDatabase } from './open-store-database.js';
import { createPreviewStore } from './preview-store.js';
import { createSingleInstance } from './single-instance.js';
import { diskFullError, StoreError } from './store-error.js';
import { asynchronous, type Synchronous } from './synchronous.js';

export interface SqliteStoreOptions {
  /** The database file. Its directory is created when missing; the file when it does not exist. */
  readonly path: string;
  /**
   * Stamps the few times the port does not pass in (the end of an attempt in `markSent`, the lock's
   * start), so tests with a fake clock get consistent attempt logs. Default: system time.
   */
  readonly now?: () => Date;
  /**
   * Take the daemon lock (`<path>.lock`, see acquire-store-lock.ts) and fail with a `locked`
   * StoreError when another daemon holds it. The daemon and `publish` set this; read-only CLI
   * commands leave it off so they work while the daemon runs.
   */
  readonly exclusive?: boolean;
  /**
   * Told when the store's folder (0700), file, side files or lock file (0600) stay open to other
   * users because quotecast may not change them (another user's file): the composition root passes
   * its logger's warn. Default: a Node warning on standard error.
   */
  readonly warn?: PermissionWarning;
}

/**
 * The post queue on one SQLite file (WAL mode). Every state change is one IMMEDIATE transaction that
 * applies only from the states the machine allows. Methods returning void throw a StoreError with
 * code `invalid-transition` when the post is not in an allowed state (silently ignoring e.g. a
 * `markSent` would lose a remote id); methods returning a boolean, count or post report it instead.
 */
export function createSqliteStore(options: SqliteStoreOptions): PostStore {
  return asynchronous<PostStore>(createSynchronousStore(options));
}

function createSynchronousStore(options: SqliteStoreOptions): Synchronous<PostStore> {
  const { path } = options;
  const clock = options.now ?? (() => new Date());
  const warn = onceEach(options.warn ?? warnOnStderr);
  // The lock comes first so a second daemon is refused before it touches the database at all.
  ensureStoreDirectory(path, warn);
  const lock: StoreLock | undefined = options.exclusive ? acquireStoreLock(path, clock, warn) : undefined;
  const { db, sql } = openPrepared(path, lock, warn);

  /**
   * Runs `fn` as one IMMEDIATE transaction: taking the write lock up front means a concurrent writer
   * makes us wait (up to the busy timeout) instead of failing half-way when a read turns into a write.
   */
  function write<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    const transaction = db.transaction(fn);
    return (...args: A): R => {
      try {
        return transaction.immediate(...args);
      } catch (error) {
        throw translateRuntimeError(path, error);
      }
    };
  }

  function refuse(postId: number, change: string, allowed: readonly PostState[]): never {
    const row = sql.stateOf.get(postId);
    throw new StoreError(
      'invalid-transition',
      path,
      row
        ? `post ${postId} cannot be ${change}: it is ${row.state}, and only a post that is ${allowed.join(' or ')} can`
        : `post ${postId} cannot be ${change}: there is no such post`,
    );
  }

  const enqueueArticle = write(
    (
      article: NewArticle,
      batches: readonly ChannelBatch[],
      opts: { now: Date; approved: boolean; force?: boolean },
    ): EnqueueResult => {
      const wanted = batchChannels(batches);
      const url = article.url ?? null;
      const canonical = canonicalOf(url);
      const rows = sql.articleCandidates.all({ hash: article.contentHash, canonical });
      const channelsOf = (id: number) => sql.channelsOfArticle.all(id).map((row) => row.channel_id);
      const decision = decideEnqueue(rows, channelsOf, wanted, opts.force ?? false);
      if (decision.kind === 'refuse') return decision.result;

      const at = opts.now.getTime();
      const articleId =
        decision.reuse ??
        sql.insertArticle.get({
          hash: article.contentHash,
          url,
          canonical,
          title: article.title,
          byline: article.byline ?? null,
          at,
        })!.id;

      const postIds: number[] = [];
      for (const batch of batches) {
        batch.posts.forEach((post, index) => {
          const inserted = sql.insertPost.get({
            articleId,
            channel: batch.channelId,
            mode: batch.mode,
            seq: index + 1,
            total: batch.posts.length,
            text: post.text,
            length: post.length,
            approved: opts.approved ? 1 : 0,
            at,
          });
          postIds.push(inserted!.id);
        });
      }
      return { kind: 'queued', articleId, postIds };
    },
  );

  const lease = write((postId: number, now: Date): StoredPost | undefined => {
    const row = sql.lease.get(postId);
    if (!row) return undefined;
    sql.openAttempt.run(row.id, row.attempts, row.channel_id, now.getTime());
    return toStoredPost(row);
  });

  const markSent = write(
    (
      postId: number,
      receipt: { remoteId: string; url?: string; publishedAt: Date; chat?: string },
      outcome: 'sent' | 'duplicate' = 'sent',
    ): void => {
      const changed = sql.markSent.run({
        id: postId,
        remoteId: receipt.remoteId,
        remoteUrl: receipt.url ?? null,
        remoteChat: receipt.chat ?? null,
        sentAt: receipt.publishedAt.getTime(),
      }).changes;
      if (changed === 0) refuse(postId, 'marked sent', ['sending', 'unknown']);
      // From `unknown` there is no open attempt: its row keeps the `unknown` it was closed with.
      sql.closeAttempt.run({ id: postId, at: clock().getTime(), outcome, detail: null });
    },
  );

  const markRetry = write(
    (postId: number, reason: PublishFailureReason, nextAttemptAt: Date, detail: string, now: Date): void => {
      const changed = sql.markRetry.run({
        id: postId,
        next: nextAttemptAt.getTime(),
        error: `${reason}: ${detail}`,
      }).changes;
      if (changed === 0) refuse(postId, 'queued for a retry', ['sending']);
      sql.closeAttempt.run({ id: postId, at: now.getTime(), outcome: reason, detail });
    },
  );

  const markFailed = write(
    (postId: number, reason: PublishFailureReason, detail: string, now: Date): void => {
      const changed = sql.markFailed.run({ id: postId, error: `${reason}: ${detail}` }).changes;
      if (changed === 0) refuse(postId, 'marked failed', ['sending']);
      sql.closeAttempt.run({ id: postId, at: now.getTime(), outcome: reason, detail });
    },
  );

  const markInterruptedAsUnknown = write((now: Date): readonly StoredPost[] => {
    const rows = sql.markInterrupted.all(INTERRUPTED);
    for (const row of rows) {
      sql.closeAttempt.run({ id: row.id, at: now.getTime(), outcome: 'unknown', detail: INTERRUPTED });
    }
    return rows.sort((a, b) => a.article_id - b.article_id || a.seq - b.seq).map(toStoredPost);
  });

  const markUnknown = write((postId: number, detail: string, now: Date): void => {
    const changed = sql.markOneUnknown.run(detail, postId).changes;
    if (changed === 0) refuse(postId, 'marked unknown', ['sending']);
    sql.closeAttempt.run({ id: postId, at: now.getTime(), outcome: 'unknown', detail });
  });

  const resolveUnknownAsSent = write(
    (postId: number, receipt: { remoteId: string | null; url?: string; publishedAt: Date }): void => {
      const changed = sql.resolveUnknown.run({
        id: postId,
        remoteId: receipt.remoteId,
        remoteUrl: receipt.url ?? null,
        sentAt: receipt.publishedAt.getTime(),
      }).changes;
      if (changed === 0) refuse(postId, 'resolved as sent', ['unknown']);
    },
  );

  const changes = write((run: () => Database.RunResult): number => run().changes);

  // Articles stored before migration 7 get their canonical URL once (a URL that is not http(s) keeps
  // itself, so it is not looked at again): the normalisation lives in the domain, not in SQL.
  // Looked at first without the write lock: a read-only command beside a busy daemon must not wait.
  const uncanonical = sql.uncanonical.all();
  if (uncanonical.length > 0)
    write(() => {
      for (const row of uncanonical) sql.setCanonical.run(canonicalOf(row.url) ?? row.url, row.id);
    })();

  let closed = false;

  return {
    ...createAlertOutbox(db, write),
    ...createPreviewStore(db, write),
    ...createFeedStore(db, write),
    ...createKillStore(db, write),
    ...createSingleInstance(),
    enqueueArticle,
    getArticle: (id) => {
      const row = sql.getArticle.get(id);
      return row ? toStoredArticle(row) : undefined;
    },
    listArticles: (limit) => sql.listArticles.all(limit).map(toStoredArticle),
    getPost: (id) => {
      const row = sql.getPost.get(id);
      return row ? toStoredPost(row) : undefined;
    },
    postsOfArticle: (articleId, channelId) =>
      (channelId === undefined
        ? sql.postsOfArticle.all(articleId)
        : sql.postsOfArticleOnChannel.all(articleId, channelId)
      ).map(toStoredPost),

    nextDue: (channelId, now) => {
      const row = sql.nextDue.get({ channel: channelId, now: now.getTime() });
      return row ? toStoredPost(row) : undefined;
    },
    countDue: (channelId, now) => sql.countDue.get({ channel: channelId, now: now.getTime() })?.n ?? 0,
    upcoming: (channelId, limit, offset = 0) => sql.upcoming.all(channelId, limit, offset).map(toStoredPost),

    lease,
    isArticleHeld: (articleId) => sql.articleHeld.get(articleId)?.held === 1,
    markSent,
    markRetry,
    markFailed,
    markInterruptedAsUnknown,
    markUnknown,
    resolveUnknownAsSent,
    requeue: (postId) => changes(() => sql.requeue.run(postId)) > 0,
    skip: (postId) => changes(() => sql.skip.run(postId)) > 0,
    editText: (postId, text, length) => changes(() => sql.editText.run(text, length, postId)) > 0,
    approveArticle: (articleId) => changes(() => sql.approveArticle.run(articleId)),
    deleteUnsent: (articleId) => changes(() => sql.deleteUnsent.run(articleId)),

    lastSentInThread: (articleId, channelId) => {
      const row = sql.lastSentInThread.get(articleId, channelId);
      return row ? toStoredPost(row) : undefined;
    },
    sentSince: (channelId, since) => sql.sentSince.get(channelId, since.getTime())?.n ?? 0,
    countsByState: (channelId) => {
      // One index range per state rather than a GROUP BY, which would read the whole index.
      const counts = {} as Record<PostState, number>;
      for (const state of POST_STATES) {
        const row =
          channelId === undefined
            ? sql.countInState.get(state)
            : sql.countInStateOnChannel.get(state, channelId);
        counts[state] = row?.n ?? 0;
      }
      return counts;
    },
    postsInState: (state, limit, channelId) =>
      (channelId === undefined
        ? sql.postsInState.all(state, limit)
        : sql.postsInStateOnChannel.all(state, channelId, limit)
      ).map(toStoredPost),
    attempts: (postId) => sql.attempts.all(postId).map(toAttemptRecord),

    channelState: (channelId): ChannelState => {
      const row = sql.channelState.get(channelId);
      // Stored as given: a `pausedUntil` in the past means the pause has lapsed, which the caller
      // judges with its own clock.
      return {
        channelId,
        paused: row?.paused === 1,
        pausedUntil: row?.paused_until == null ? null : new Date(row.paused_until),
        pauseReason: row?.pause_reason ?? null,
      };
    },
    pauseChannel: (channelId, reason, until) => {
      changes(() =>
        sql.setChannelState.run({ channel: channelId, paused: 1, until: until?.getTime() ?? null, reason }),
      );
    },
    resumeChannel: (channelId) => {
      changes(() => sql.setChannelState.run({ channel: channelId, paused: 0, until: null, reason: null }));
    },

    getSetting: (key) => sql.getSetting.get(key)?.value,
    setSetting: (key, value) => {
      changes(() => sql.setSetting.run(key, value));
    },

    close: () => {
      if (closed) return;
      closed = true;
      try {
        // Fold the WAL back into the main file so it is complete on its own (backups, copies).
        // Best effort: a reader still open elsewhere makes this a partial checkpoint, which is fine.
        db.pragma('wal_checkpoint(TRUNCATE)');
      } catch {
        // The close below still checkpoints what it can; a failed checkpoint loses nothing.
      } finally {
        db.close();
        lock?.release();
      }
    },
  };
}

/** The folder is looked at twice on an exclusive open (for the lock, then the store): say things once. */
function onceEach(warn: PermissionWarning): PermissionWarning {
  const said = new Set<string>();
  return (message) => {
    if (said.has(message)) return;
    said.add(message);
    warn(message);
  };
}

/** Opens the file and prepares every statement; on any failure nothing stays open or locked. */
function openPrepared(
  path: string,
  lock: StoreLock | undefined,
  warn: PermissionWarning,
): { db: Database.Database; sql: ReturnType<typeof prepareStatements> } {
  let db: Database.Database | undefined;
  try {
    db = openStoreDatabase(path, warn);
    return { db, sql: prepareStatements(db) };
  } catch (error) {
    db?.close();
    lock?.release();
    throw error;
  }
}

/** Prepared once per store: better-sqlite3 statements are reusable and preparing costs more than running. */
function prepareStatements(db: Database.Database) {
  return {
    articleCandidates: db.prepare<
      { hash: string; canonical: string | null },
      { id: number; killed_at: number | null; killed_by: string | null }
    >(
      // Same content first: when both a hash and a URL match, the hash match is the same article.
      // URLs match in canonical form: `?utm_source=…` or a trailing slash is the same story.
      `SELECT id, killed_at, killed_by FROM articles WHERE content_hash = @hash OR canonical_url = @canonical
     ORDER BY content_hash = @hash DESC, id`,
    ),
    uncanonical: db.prepare<[], { id: number; url: string }>(
      'SELECT id, url FROM articles WHERE canonical_url IS NULL AND url IS NOT NULL',
    ),
    setCanonical: db.prepare<[string, number]>('UPDATE articles SET canonical_url = ? WHERE id = ?'),
    channelsOfArticle: db.prepare<[number], { channel_id: string }>(
      'SELECT DISTINCT channel_id FROM posts WHERE article_id = ?',
    ),
    insertArticle: db.prepare<
      {
        hash: string;
        url: string | null;
        canonical: string | null;
        title: string;
        byline: string | null;
        at: number;
      },
      { id: number }
    >(
      `INSERT INTO articles (content_hash, url, canonical_url, title, byline, created_at)
     VALUES (@hash, @url, @canonical, @title, @byline, @at) RETURNING id`,
    ),
    insertPost: db.prepare<
      {
        articleId: number;
        channel: string;
        mode: string;
        seq: number;
        total: number;
        text: string;
        length: number;
        approved: number;
        at: number;
      },
      { id: number }
    >(
      `INSERT INTO posts (article_id, channel_id, mode, seq, total, text, length, state, approved, created_at)
     VALUES (@articleId, @channel, @mode, @seq, @total, @text, @length, 'queued', @approved, @at)
     RETURNING id`,
    ),
    getArticle: db.prepare<[number], ArticleRow>('SELECT * FROM articles WHERE id = ?'),
    listArticles: db.prepare<[number], ArticleRow>('SELECT * FROM articles ORDER BY id DESC LIMIT ?'),
    getPost: db.prepare<[number], PostRow>('SELECT * FROM posts WHERE id = ?'),
    stateOf: db.prepare<[number], { state: string }>('SELECT state FROM posts WHERE id = ?'),
    postsOfArticle: db.prepare<[number], PostRow>(
      'SELECT * FROM posts WHERE article_id = ? ORDER BY channel_id, seq',
    ),
    postsOfArticleOnChannel: db.prepare<[number, string], PostRow>(
      'SELECT * FROM posts WHERE article_id = ? AND channel_id = ? ORDER BY seq',
    ),
    nextDue: db.prepare<NextDueParams, PostRow>(NEXT_DUE_SQL),
    // The two halves of NEXT_DUE_SQL, counted: each a range on its own partial index.
    countDue: db.prepare<NextDueParams, { n: number }>(
      `SELECT
         (SELECT COUNT(*) FROM posts INDEXED BY posts_due_fresh
          WHERE channel_id = @channel AND state = 'queued' AND approved = 1 AND next_attempt_at IS NULL)
       + (SELECT COUNT(*) FROM posts INDEXED BY posts_due_retry
          WHERE channel_id = @channel AND state = 'queued' AND approved = 1
            AND next_attempt_at IS NOT NULL AND next_attempt_at <= @now) AS n`,
    ),
    upcoming: db.prepare<[string, number, number], PostRow>(
      `SELECT * FROM posts WHERE state = 'queued' AND channel_id = ?
     ORDER BY article_id, seq LIMIT ? OFFSET ?`,
    ),
    // Only an approved post of an article no correction holds: a post picked by a slot (or by
    // `publish --resume`) before a hold or without an approval stays queued and is not sent.
    lease: db.prepare<[number], PostRow>(
      `UPDATE posts SET state = 'sending', attempts = attempts + 1
     WHERE id = ? AND state = 'queued' AND approved = 1 AND NOT ${ARTICLE_HELD} RETURNING *`,
    ),
    articleHeld: db.prepare<[number], { held: number }>(
      `SELECT EXISTS (SELECT 1 FROM feed_items WHERE article_id = ? AND state = 'held') AS held`,
    ),
    openAttempt: db.prepare<[number, number, string, number]>(
      'INSERT INTO attempts (post_id, attempt, channel_id, started_at) VALUES (?, ?, ?, ?)',
    ),
    closeAttempt: db.prepare<{ id: number; at: number; outcome: string; detail: string | null }>(
      `UPDATE attempts SET finished_at = @at, outcome = @outcome, detail = @detail
     WHERE post_id = @id AND finished_at IS NULL`,
    ),
    markSent: db.prepare<{
      id: number;
      remoteId: string | null;
      remoteUrl: string | null;
      remoteChat: string | null;
      sentAt: number;
    }>(
      `UPDATE posts SET state = 'sent', remote_id = @remoteId, remote_url = @remoteUrl,
       remote_chat = @remoteChat, sent_at = @sentAt
     WHERE id = @id AND state IN ('sending', 'unknown')`,
    ),
    resolveUnknown: db.prepare<{
      id: number;
      remoteId: string | null;
      remoteUrl: string | null;
      sentAt: number;
    }>(
      `UPDATE posts SET state = 'sent', remote_id = @remoteId, remote_url = @remoteUrl, sent_at = @sentAt
     WHERE id = @id AND state = 'unknown'`,
    ),
    // A post of an article killed while it was being sent is not queued again: it is skipped.
    markRetry: db.prepare<{ id: number; next: number; error: string }>(
      `UPDATE posts SET state = CASE WHEN ${ARTICLE_KILLED} THEN 'skipped' ELSE 'queued' END,
       next_attempt_at = @next, last_error = @error, ${APPROVED_UNLESS_HELD}
     WHERE id = @id AND state = 'sending'`,
    ),
    markFailed: db.prepare<{ id: number; error: string }>(
      `UPDATE posts SET state = 'failed', last_error = @error WHERE id = @id AND state = 'sending'`,
    ),
    markOneUnknown: db.prepare<[string, number]>(
      `UPDATE posts SET state = 'unknown', last_error = ? WHERE id = ? AND state = 'sending'`,
    ),
    markInterrupted: db.prepare<[string], PostRow>(
      `UPDATE posts SET state = 'unknown', last_error = ? WHERE state = 'sending' RETURNING *`,
    ),
    // Due at once: back in the never-tried index, at its original place in publishing order.
    requeue: db.prepare<[number]>(
      `UPDATE posts SET state = 'queued', next_attempt_at = NULL, ${APPROVED_UNLESS_HELD}
     WHERE id = ? AND state IN ('unknown', 'failed', 'skipped') AND NOT ${ARTICLE_KILLED}`,
    ),
    skip: db.prepare<[number]>(
      `UPDATE posts SET state = 'skipped' WHERE id = ? AND state IN ('queued', 'unknown', 'failed')`,
    ),
    editText: db.prepare<[string, number, number]>(
      `UPDATE posts SET text = ?, length = ? WHERE id = ? AND state NOT IN ('sent', 'sending')`,
    ),
    approveArticle: db.prepare<[number]>(
      'UPDATE posts SET approved = 1 WHERE article_id = ? AND approved = 0',
    ),
    // Attempts go with their posts (ON DELETE CASCADE); the article row stays for dedup and history.
    deleteUnsent: db.prepare<[number]>(
      `DELETE FROM posts WHERE article_id = ? AND state NOT IN ('sent', 'sending')`,
    ),
    lastSentInThread: db.prepare<[number, string], PostRow>(
      `SELECT * FROM posts WHERE article_id = ? AND channel_id = ? AND state = 'sent'
     ORDER BY seq DESC LIMIT 1`,
    ),
    sentSince: db.prepare<[string, number], { n: number }>(
      `SELECT COUNT(DISTINCT post_id) AS n FROM attempts
     WHERE channel_id = ? AND started_at >= ? AND ${ATTEMPT_COUNTS_AS_POSTED}`,
    ),
    countInState: db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM posts WHERE state = ?'),
    countInStateOnChannel: db.prepare<[string, string], { n: number }>(
      'SELECT COUNT(*) AS n FROM posts WHERE state = ? AND channel_id = ?',
    ),
    postsInState: db.prepare<[string, number], PostRow>(
      'SELECT * FROM posts WHERE state = ? ORDER BY channel_id, article_id, seq LIMIT ?',
    ),
    postsInStateOnChannel: db.prepare<[string, string, number], PostRow>(
      'SELECT * FROM posts WHERE state = ? AND channel_id = ? ORDER BY article_id, seq LIMIT ?',
    ),
    attempts: db.prepare<[number], AttemptRow>(
      `SELECT post_id, attempt, started_at, finished_at, outcome, detail FROM attempts
     WHERE post_id = ? ORDER BY attempt`,
    ),
    channelState: db.prepare<
      [string],
      { channel_id: string; paused: number; paused_until: number | null; pause_reason: string | null }
    >('SELECT * FROM channel_state WHERE channel_id = ?'),
    setChannelState: db.prepare<{
      channel: string;
      paused: number;
      until: number | null;
      reason: string | null;
    }>(
      `INSERT INTO channel_state (channel_id, paused, paused_until, pause_reason)
     VALUES (@channel, @paused, @until, @reason)
     ON CONFLICT (channel_id) DO UPDATE
     SET paused = excluded.paused, paused_until = excluded.paused_until, pause_reason = excluded.pause_reason`,
    ),
    getSetting: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
    setSetting: db.prepare<[string, string]>(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
  };
}

/** What a failed statement means for the operator: busy, damaged, or a full disk (see StoreError). */
export function translateRuntimeError(path: string, error: unknown): unknown {
  if (!(error instanceof Database.SqliteError)) return error;
  const full = diskFullError(path, error, 'writing to the store (nothing was written)');
  if (full) return full;
  if (error.code.startsWith('SQLITE_BUSY')) {
    return new StoreError(
      'busy',
      path,
      `store ${path} stayed locked by another process for more than ${BUSY_TIMEOUT_MS} ms; nothing was written, try again`,
      { cause: error },
    );
  }
  if (error.code.startsWith('SQLITE_CORRUPT')) {
    return new StoreError(
      'corrupt',
      path,
      `store ${path} is damaged (${error.message}); run "quotecast status --check" for the full report, then restore it from a backup`,
      {
        cause: error,
      },
    );
  }
  return error;
}
