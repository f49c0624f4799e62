import type { FeedItemState, FeedState, StoredFeedItem } from '../../ports/post-store.js';

/** Rows of the feeds and feed_items tables (migration 5) as both engines return them: times in epoch ms, flags 0 or 1. */
export interface FeedRow {
  feed_id: string;
  etag: string | null;
  last_modified: string | null;
  last_poll_at: number | null;
  last_success_at: number | null;
  last_error: string | null;
  failures: number;
  next_poll_after: number | null;
  paused: number;
  primed: number;
  catch_up: number;
}

export interface FeedItemRow {
  id: number;
  feed_id: string;
  item_key: string;
  canonical_url: string | null;
  raw_hash: string;
  body_hash: string | null;
  body: string | null;
  title: string;
  first_seen_at: number;
  last_seen_at: number;
  article_id: number | null;
  state: FeedItemState;
  held_article: string | null;
  held_was_approved: number;
}

export const FEED_ITEM_STATES: readonly FeedItemState[] = ['seen', 'queued', 'held', 'dropped', 'gone-asked'];

const date = (n: number | null) => (n === null ? null : new Date(n));

export function defaultFeedState(feedId: string): FeedState {
  return {
    feedId,
    etag: null,
    lastModified: null,
    lastPollAt: null,
    lastSuccessAt: null,
    lastError: null,
    failures: 0,
    nextPollAfter: null,
    paused: false,
    primed: false,
    catchUp: false,
  };
}

export function toFeedState(row: FeedRow): FeedState {
  return {
    feedId: row.feed_id,
    etag: row.etag,
    lastModified: row.last_modified,
    lastPollAt: date(row.last_poll_at),
    lastSuccessAt: date(row.last_success_at),
    lastError: row.last_error,
    failures: row.failures,
    nextPollAfter: date(row.next_poll_after),
    paused: row.paused === 1,
    primed: row.primed === 1,
    catchUp: row.catch_up === 1,
  };
}

export function mapped(row: FeedItemRow | undefined): StoredFeedItem | undefined {
  return row ? toFeedItem(row) : undefined;
}

export function toFeedItem(row: FeedItemRow): StoredFeedItem {
  return {
    id: row.id,
    feedId: row.feed_id,
    itemKey: row.item_key,
    canonicalUrl: row.canonical_url,
    rawHash: row.raw_hash,
    bodyHash: row.body_hash,
    body: row.body,
    title: row.title,
    firstSeenAt: new Date(row.first_seen_at),
    lastSeenAt: new Date(row.last_seen_at),
    articleId: row.article_id,
    state: row.state,
    heldArticle: row.held_article,
    heldWasApproved: row.held_was_approved === 1,
  };
}
