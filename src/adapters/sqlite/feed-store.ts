import type { Database } from 'better-sqlite3';
import { canonicalUrl } from '../../domain/canonical-url.js';
import type {
  FeedItemChange,
  FeedItemState,
  FeedState,
  FeedStore,
  NewFeedItem,
  StoredFeedItem,
} from '../../ports/post-store.js';
import {
  defaultFeedState,
  FEED_ITEM_STATES,
  type FeedItemRow,
  type FeedRow,
  mapped,
  toFeedItem,
  toFeedState,
} from '../store-rows/feed-rows.js';
import type { Synchronous } from './synchronous.js';

/** Column of each changeable field; the only names that reach the UPDATE's text. */
const COLUMNS: Readonly<Record<keyof FeedItemChange, string>> = {
  itemKey: 'item_key',
  canonicalUrl: 'canonical_url',
  rawHash: 'raw_hash',
  bodyHash: 'body_hash',
  body: 'body',
  title: 'title',
  lastSeenAt: 'last_seen_at',
  articleId: 'article_id',
  state: 'state',
  heldArticle: 'held_article',
  heldWasApproved: 'held_was_approved',
};

const time = (d: Date | null) => (d === null ? null : d.getTime());

/**
 * Feeds on the store's database (migration 5): each feed's polling state and every item it listed.
 * `write` is the store's IMMEDIATE transaction wrapper.
 */
export function createFeedStore(
  db: Database,
  write: <A extends unknown[], R>(fn: (...args: A) => R) => (...args: A) => R,
): Synchronous<FeedStore> {
  const sql = {
    feed: db.prepare<[string], FeedRow>('SELECT * FROM feeds WHERE feed_id = ?'),
    saveFeed: db.prepare<FeedRow>(
      `INSERT INTO feeds (feed_id, etag, last_modified, last_poll_at, last_success_at, last_error, failures,
         next_poll_after, paused, primed, catch_up)
       VALUES (@feed_id, @etag, @last_modified, @last_poll_at, @last_success_at, @last_error, @failures,
         @next_poll_after, @paused, @primed, @catch_up)
       ON CONFLICT (feed_id) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
         last_poll_at = excluded.last_poll_at, last_success_at = excluded.last_success_at,
         last_error = excluded.last_error, failures = excluded.failures,
         next_poll_after = excluded.next_poll_after, paused = excluded.paused, primed = excluded.primed,
         catch_up = excluded.catch_up`,
    ),
    byKey: db.prepare<[string, string], FeedItemRow>(
      'SELECT * FROM feed_items WHERE feed_id = ? AND item_key = ?',
    ),
    byUrl: db.prepare<[string], FeedItemRow>(
      'SELECT * FROM feed_items WHERE canonical_url = ? ORDER BY article_id IS NULL, id LIMIT 1',
    ),
    byRawHash: db.prepare<[string, string], FeedItemRow>(
      'SELECT * FROM feed_items WHERE feed_id = ? AND raw_hash = ? ORDER BY id LIMIT 1',
    ),
    byId: db.prepare<[number], FeedItemRow>('SELECT * FROM feed_items WHERE id = ?'),
    ofFeed: db.prepare<[string], FeedItemRow>('SELECT * FROM feed_items WHERE feed_id = ? ORDER BY id'),
    // Exact link first (rows stored before canonical links were kept), then the canonical form.
    articleByUrl: db.prepare<[string, string], { id: number }>(
      'SELECT id FROM articles WHERE url = ? OR canonical_url = ? ORDER BY id DESC LIMIT 1',
    ),
    insert: db.prepare<
      [
        string,
        string,
        string | null,
        string,
        string | null,
        string | null,
        string,
        number,
        number,
        number | null,
        string,
      ],
      FeedItemRow
    >(
      `INSERT INTO feed_items (feed_id, item_key, canonical_url, raw_hash, body_hash, body, title,
         first_seen_at, last_seen_at, article_id, state)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (feed_id, item_key) DO UPDATE SET article_id = excluded.article_id,
         state = excluded.state, body_hash = excluded.body_hash, body = excluded.body
         WHERE feed_items.article_id IS NULL AND excluded.article_id IS NOT NULL
       RETURNING *`,
    ),
    holdPosts: db.prepare<[number]>(
      // Only queued posts: one being sent is left to finish (and is recorded as sent).
      `UPDATE posts SET approved = 0 WHERE article_id = ? AND state = 'queued'`,
    ),
    approvedQueued: db.prepare<[number], { n: number }>(
      `SELECT COUNT(*) AS n FROM posts WHERE article_id = ? AND state = 'queued' AND approved = 1`,
    ),
    markHeld: db.prepare<[string, number, number]>(
      `UPDATE feed_items SET state = 'held', held_article = ?, held_was_approved = ? WHERE id = ?`,
    ),
    counts: db.prepare<[string], { state: FeedItemState; n: number }>(
      'SELECT state, COUNT(*) AS n FROM feed_items WHERE feed_id = ? GROUP BY state',
    ),
  };

  const updateFeedItem = write((id: number, change: FeedItemChange): void => {
    const entries = Object.entries(change).filter(([, v]) => v !== undefined) as [
      keyof FeedItemChange,
      unknown,
    ][];
    if (entries.length === 0) return;
    const sets = entries.map(([key]) => `${COLUMNS[key]} = ?`).join(', ');
    const values = entries.map(([, v]) =>
      v instanceof Date ? v.getTime() : typeof v === 'boolean' ? Number(v) : v,
    );
    db.prepare(`UPDATE feed_items SET ${sets} WHERE id = ?`).run(...values, id);
  });

  const holdFeedItem = write((itemId: number, articleId: number, heldArticle: string) => {
    const wasApproved = (sql.approvedQueued.get(articleId)?.n ?? 0) > 0;
    const held = sql.holdPosts.run(articleId).changes;
    sql.markHeld.run(heldArticle, wasApproved ? 1 : 0, itemId);
    return { held, wasApproved };
  });

  return {
    feedState: (feedId) => {
      const row = sql.feed.get(feedId);
      return row ? toFeedState(row) : defaultFeedState(feedId);
    },
    saveFeedState: write((state: FeedState): void => {
      sql.saveFeed.run({
        feed_id: state.feedId,
        etag: state.etag,
        last_modified: state.lastModified,
        last_poll_at: time(state.lastPollAt),
        last_success_at: time(state.lastSuccessAt),
        last_error: state.lastError,
        failures: state.failures,
        next_poll_after: time(state.nextPollAfter),
        paused: state.paused ? 1 : 0,
        primed: state.primed ? 1 : 0,
        catch_up: state.catchUp ? 1 : 0,
      });
    }),
    feedItemByKey: (feedId, key) => mapped(sql.byKey.get(feedId, key)),
    feedItemByUrl: (url) => mapped(sql.byUrl.get(url)),
    feedItemByRawHash: (feedId, hash) => mapped(sql.byRawHash.get(feedId, hash)),
    feedItemById: (id) => mapped(sql.byId.get(id)),
    feedItemsOf: (feedId, states) =>
      sql.ofFeed
        .all(feedId)
        .filter((row) => states === undefined || states.includes(row.state))
        .map(toFeedItem),
    articleIdByUrl: (urls) => {
      for (const url of urls) {
        const row = sql.articleByUrl.get(url, canonicalUrl(url) ?? url);
        if (row) return row.id;
      }
      return undefined;
    },
    addFeedItem: write((item: NewFeedItem): StoredFeedItem => {
      const at = item.now.getTime();
      const row = sql.insert.get(
        item.feedId,
        item.itemKey,
        item.canonicalUrl,
        item.rawHash,
        item.bodyHash ?? null,
        item.body ?? null,
        item.title,
        at,
        at,
        item.articleId ?? null,
        item.state ?? 'seen',
      );
      // Another poll (the daemon's, `feeds poll`) recorded it first: already there. What this one
      // queued is kept only over a row that points at no article.
      return toFeedItem(row ?? sql.byKey.get(item.feedId, item.itemKey)!);
    }),
    updateFeedItem,
    holdFeedItem,
    feedItemCounts: (feedId) => {
      const counts = Object.fromEntries(FEED_ITEM_STATES.map((s) => [s, 0])) as Record<FeedItemState, number>;
      for (const row of sql.counts.all(feedId)) counts[row.state] = row.n;
      return counts;
    },
  };
}
