import type { KillMethods, KillResult } from '../../ports/post-store.js';
import {
  type ArticleRow,
  type PostRow,
  toArticleKill,
  toStoredArticle,
  toStoredPost,
  toTrailPost,
} from '../store-rows/row-mappers.js';
import type { PgDb } from './pg-db.js';

/**
 * Channels in byte order (COLLATE "C"), as SQLite's BINARY collation sorts them, whatever collation
 * the database was created with.
 */
const BY_CHANNEL_THEN_SEQ = 'ORDER BY channel_id COLLATE "C", seq';

/**
 * Kills and the article's trail on PostgreSQL (as kill-store.ts on SQLite). The guards that keep a
 * killed article's posts from going out again live with the statements they guard (`requeue`,
 * `markRetry`).
 */
export function createPgKillStore(db: PgDb): KillMethods {
  const killArticle = (articleId: number, by: string, now: Date) =>
    db.transaction(async (tx): Promise<KillResult | undefined> => {
      // Locked, so of two kills at once the second sees the first's time and author (firstKill false).
      const row = await tx.one<ArticleRow>('SELECT * FROM articles WHERE id = $1 FOR UPDATE', [articleId]);
      if (!row) return undefined;
      const firstKill = row.killed_at === null;
      if (firstKill) {
        await tx.run(
          'UPDATE articles SET killed_at = $1, killed_by = $2 WHERE id = $3 AND killed_at IS NULL',
          [now.getTime(), by, articleId],
        );
      }
      // Queued and failed posts can only go out again through a lease or a requeue; skipped, they cannot.
      const dropped = await tx.rows<PostRow>(
        `UPDATE posts SET state = 'skipped' WHERE article_id = $1 AND state IN ('queued', 'failed') RETURNING *`,
        [articleId],
      );
      // A held or queued feed item of a pulled article is settled: no correction of it is asked about
      // or re-queued any more.
      await tx.run(
        `UPDATE feed_items SET state = 'dropped', held_article = NULL
         WHERE article_id = $1 AND state IN ('held', 'queued')`,
        [articleId],
      );
      return {
        dropped: dropped
          .sort((a, b) => a.channel_id.localeCompare(b.channel_id) || a.seq - b.seq)
          .map(toStoredPost),
        firstKill,
        killed: toArticleKill(row) ?? { at: now, by },
      };
    });

  const changed = async (sql: string, params: readonly unknown[]) => (await db.run(sql, params)) > 0;

  return {
    killArticle,
    async articleTrail(articleId) {
      const row = await db.one<ArticleRow>('SELECT * FROM articles WHERE id = $1', [articleId]);
      if (!row) return undefined;
      const posts = await db.rows<PostRow>(
        `SELECT * FROM posts WHERE article_id = $1 ${BY_CHANNEL_THEN_SEQ}`,
        [articleId],
      );
      return { article: toStoredArticle(row), killed: toArticleKill(row), posts: posts.map(toTrailPost) };
    },
    async postsToTakeDown(articleId) {
      const rows = await db.rows<PostRow>(
        `SELECT * FROM posts WHERE article_id = $1 AND state = 'sent' AND deleted_at IS NULL ${BY_CHANNEL_THEN_SEQ}`,
        [articleId],
      );
      return rows.map(toTrailPost);
    },
    markDeleted: (postId, now) =>
      changed(
        `UPDATE posts SET deleted_at = $1, delete_error = NULL
         WHERE id = $2 AND state = 'sent' AND deleted_at IS NULL`,
        [now.getTime(), postId],
      ),
    markDeleteFailed: (postId, detail) =>
      changed(`UPDATE posts SET delete_error = $1 WHERE id = $2 AND state = 'sent' AND deleted_at IS NULL`, [
        detail,
        postId,
      ]),
  };
}
