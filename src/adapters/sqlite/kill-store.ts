import type { Database } from 'better-sqlite3';
import type { KillMethods, KillResult } from '../../ports/post-store.js';
import {
  type ArticleRow,
  type PostRow,
  toArticleKill,
  toStoredArticle,
  toStoredPost,
  toTrailPost,
} from '../store-rows/row-mappers.js';
import type { Synchronous } from './synchronous.js';

/**
 * Kills and the article's trail on the store's database (migration 4). The guards that keep a killed
 * article's posts from going out again live with the statements they guard (`requeue`, `markRetry`
 * in create-sqlite-store.ts). `write` is the store's IMMEDIATE transaction wrapper.
 */
export function createKillStore(
  db: Database,
  write: <A extends unknown[], R>(fn: (...args: A) => R) => (...args: A) => R,
): Synchronous<KillMethods> {
  const getArticle = db.prepare<[number], ArticleRow>('SELECT * FROM articles WHERE id = ?');
  const markKilled = db.prepare<[number, string, number]>(
    'UPDATE articles SET killed_at = ?, killed_by = ? WHERE id = ? AND killed_at IS NULL',
  );
  // Queued and failed posts can only go out again through a lease or a requeue; skipped, they cannot.
  const dropUnsent = db.prepare<[number], PostRow>(
    `UPDATE posts SET state = 'skipped' WHERE article_id = ? AND state IN ('queued', 'failed') RETURNING *`,
  );
  // A held or queued feed item of a pulled article is settled: no correction of it is asked about
  // or re-queued any more.
  const dropFeedItems = db.prepare<[number]>(
    `UPDATE feed_items SET state = 'dropped', held_article = NULL
     WHERE article_id = ? AND state IN ('held', 'queued')`,
  );
  const postsOfArticle = db.prepare<[number], PostRow>(
    'SELECT * FROM posts WHERE article_id = ? ORDER BY channel_id, seq',
  );
  const toTakeDown = db.prepare<[number], PostRow>(
    `SELECT * FROM posts WHERE article_id = ? AND state = 'sent' AND deleted_at IS NULL
     ORDER BY channel_id, seq`,
  );
  const markDeleted = db.prepare<[number, number]>(
    `UPDATE posts SET deleted_at = ?, delete_error = NULL
     WHERE id = ? AND state = 'sent' AND deleted_at IS NULL`,
  );
  const markDeleteFailed = db.prepare<[string, number]>(
    `UPDATE posts SET delete_error = ? WHERE id = ? AND state = 'sent' AND deleted_at IS NULL`,
  );

  const killArticle = write((articleId: number, by: string, now: Date): KillResult | undefined => {
    const row = getArticle.get(articleId);
    if (!row) return undefined;
    const firstKill = row.killed_at === null;
    if (firstKill) markKilled.run(now.getTime(), by, articleId);
    const dropped = dropUnsent
      .all(articleId)
      .sort((a, b) => a.channel_id.localeCompare(b.channel_id) || a.seq - b.seq)
      .map(toStoredPost);
    dropFeedItems.run(articleId);
    const killed = toArticleKill(row) ?? { at: now, by };
    return { dropped, firstKill, killed };
  });
  const changed = write((run: () => { changes: number }): boolean => run().changes > 0);

  return {
    killArticle,
    articleTrail: (articleId) => {
      const row = getArticle.get(articleId);
      if (!row) return undefined;
      return {
        article: toStoredArticle(row),
        killed: toArticleKill(row),
        posts: postsOfArticle.all(articleId).map(toTrailPost),
      };
    },
    postsToTakeDown: (articleId) => toTakeDown.all(articleId).map(toTrailPost),
    markDeleted: (postId, now) => changed(() => markDeleted.run(now.getTime(), postId)),
    markDeleteFailed: (postId, detail) => changed(() => markDeleteFailed.run(detail, postId)),
  };
}
