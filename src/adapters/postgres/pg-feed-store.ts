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
import type { PgDb } from './pg-db.js';

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

const SAVE_FEED = `
  INSERT INTO feeds (feed_id, etag, last_modified, last_poll_at, last_success_at, last_error, failures,
    next_poll_after, paused, primed, catch_up)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
  ON CONFLICT (feed_id) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
    last_poll_at = excluded.last_poll_at, last_success_at = excluded.last_success_at,
    last_error = excluded.last_error, failures = excluded.failures,
    next_poll_after = excluded.next_poll_after, paused = excluded.paused, primed = excluded.primed,
    catch_up = excluded.catch_up`;

/**
 * A daemon and `feeds poll` (or two daemons) may record the same item at once: the unique key makes
 * the second insert an update, and what it queued is kept only over a row that points at no article.
 */
const INSERT_ITEM = `
  INSERT INTO feed_items (feed_id, item_key, canonical_url, raw_hash, body_hash, body, title,
    first_seen_at, last_seen_at, article_id, state)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10)
  ON CONFLICT (feed_id, item_key) DO UPDATE SET article_id = excluded.article_id,
    state = excluded.state, body_hash = excluded.body_hash, body = excluded.body
    WHERE feed_items.article_id IS NULL AND excluded.article_id IS NOT NULL
  RETURNING *`;

/**
 * Only queued posts are held: one being sent is left to finish (and is recorded as sent). The rows
 * are locked first (FOR UPDATE), so a lease racing the hold either leases before (the post is no
 * longer queued and is left out) or after (it finds the post unapproved), and `approved` is read as
 * it was just before this statement cleared it.
 */
const HOLD_POSTS = `
  UPDATE posts SET approved = 0
  FROM (SELECT id, approved FROM posts WHERE article_id = $1 AND state = 'queued' FOR UPDATE) AS queued
  WHERE posts.id = queued.id
  RETURNING queued.approved`;

const time = (d: Date | null) => (d === null ? null : d.getTime());

/** Feeds on PostgreSQL: each feed's polling state and every item it listed (as feed-store.ts on SQLite). */
export function createPgFeedStore(db: PgDb): FeedStore {
  const itemByKey = (feedId: string, itemKey: string) =>
    db.one<FeedItemRow>('SELECT * FROM feed_items WHERE feed_id = $1 AND item_key = $2', [feedId, itemKey]);

  return {
    async feedState(feedId) {
      const row = await db.one<FeedRow>('SELECT * FROM feeds WHERE feed_id = $1', [feedId]);
      return row ? toFeedState(row) : defaultFeedState(feedId);
    },
    async saveFeedState(state: FeedState) {
      await db.run(SAVE_FEED, [
        state.feedId,
        state.etag,
        state.lastModified,
        time(state.lastPollAt),
        time(state.lastSuccessAt),
        state.lastError,
        state.failures,
        time(state.nextPollAfter),
        state.paused ? 1 : 0,
        state.primed ? 1 : 0,
        state.catchUp ? 1 : 0,
      ]);
    },
    feedItemByKey: async (feedId, key) => mapped(await itemByKey(feedId, key)),
    feedItemByUrl: async (url) =>
      mapped(
        await db.one<FeedItemRow>(
          'SELECT * FROM feed_items WHERE canonical_url = $1 ORDER BY article_id IS NULL, id LIMIT 1',
          [url],
        ),
      ),
    feedItemByRawHash: async (feedId, hash) =>
      mapped(
        await db.one<FeedItemRow>(
          'SELECT * FROM feed_items WHERE feed_id = $1 AND raw_hash = $2 ORDER BY id LIMIT 1',
          [feedId, hash],
        ),
      ),
    feedItemById: async (id) =>
      mapped(await db.one<FeedItemRow>('SELECT * FROM feed_items WHERE id = $1', [id])),
    async feedItemsOf(feedId, states) {
      const rows =
        states === undefined
          ? await db.rows<FeedItemRow>('SELECT * FROM feed_items WHERE feed_id = $1 ORDER BY id', [feedId])
          : await db.rows<FeedItemRow>(
              'SELECT * FROM feed_items WHERE feed_id = $1 AND state = ANY($2::text[]) ORDER BY id',
              [feedId, states],
            );
      return rows.map(toFeedItem);
    },
    async articleIdByUrl(urls) {
      for (const url of urls) {
        // Exact link first (rows stored before canonical links were kept), then the canonical form.
        const row = await db.one<{ id: number }>(
          'SELECT id FROM articles WHERE url = $1 OR canonical_url = $2 ORDER BY id DESC LIMIT 1',
          [url, canonicalUrl(url) ?? url],
        );
        if (row) return row.id;
      }
      return undefined;
    },
    async addFeedItem(item: NewFeedItem): Promise<StoredFeedItem> {
      const row = await db.one<FeedItemRow>(INSERT_ITEM, [
        item.feedId,
        item.itemKey,
        item.canonicalUrl,
        item.rawHash,
        item.bodyHash ?? null,
        item.body ?? null,
        item.title,
        item.now.getTime(),
        item.articleId ?? null,
        item.state ?? 'seen',
      ]);
      // Another poll recorded it first and it already points at an article: that row stands.
      return toFeedItem(row ?? (await itemByKey(item.feedId, item.itemKey))!);
    },
    updateFeedItem: (id, change) => updateFeedItem(db, id, change),
    holdFeedItem: (itemId, articleId, heldArticle) =>
      db.transaction(async (tx) => {
        const held = await tx.rows<{ approved: number }>(HOLD_POSTS, [articleId]);
        const wasApproved = held.some((post) => post.approved === 1);
        await tx.run(
          `UPDATE feed_items SET state = 'held', held_article = $1, held_was_approved = $2 WHERE id = $3`,
          [heldArticle, wasApproved ? 1 : 0, itemId],
        );
        return { held: held.length, wasApproved };
      }),
    async feedItemCounts(feedId) {
      const counts = Object.fromEntries(FEED_ITEM_STATES.map((s) => [s, 0])) as Record<FeedItemState, number>;
      const rows = await db.rows<{ state: FeedItemState; n: number }>(
        'SELECT state, COUNT(*) AS n FROM feed_items WHERE feed_id = $1 GROUP BY state',
        [feedId],
      );
      for (const row of rows) counts[row.state] = row.n;
      return counts;
    },
  };
}

/**
 * Sets the given fields (undefined ones are left alone). Column names come from COLUMNS only: a
 * field it does not know is refused rather than spliced into the statement.
 */
async function updateFeedItem(db: PgDb, id: number, change: FeedItemChange): Promise<void> {
  const sets: string[] = [];
  const values: unknown[] = [];
  for (const [key, value] of Object.entries(change)) {
    if (value === undefined) continue;
    if (!Object.hasOwn(COLUMNS, key)) throw new RangeError(`updateFeedItem: no field ${key} on a feed item`);
    values.push(value instanceof Date ? value.getTime() : typeof value === 'boolean' ? Number(value) : value);
    sets.push(`${COLUMNS[key as keyof FeedItemChange]} = $${values.length}`);
  }
  if (sets.length === 0) return;
  values.push(id);
  await db.run(`UPDATE feed_items SET ${sets.join(', ')} WHERE id = $${values.length}`, values);
}
