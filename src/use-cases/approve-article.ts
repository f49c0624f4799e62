import type { FeedSettings } from '../config/config-schema.js';
import type { PostStore } from '../ports/post-store.js';
import type { AdminResult } from './admin-actions.js';
import { heldItemOfArticle } from './feed-actions.js';

/**
 * Approves every unapproved post of an article, so it goes out at its slots. Articles queued from
 * Telegram with "queue" (not "queue and approve all") wait for this. Bot-specific for now: the CLI
 * queues everything approved; it can move to src/use-cases/ when the CLI needs it.
 *
 * An article whose posts a feed correction holds is refused: approving would let the old text out
 * without anyone deciding on the correction (`feeds`: the configured feeds, where holds are kept).
 */
export async function approveArticle(
  store: PostStore,
  feeds: readonly FeedSettings[],
  articleId: number,
): Promise<AdminResult> {
  const article = await store.getArticle(articleId);
  if (!article) return { ok: false, message: `There is no article ${articleId}.` };
  if (await heldItemOfArticle(store, feeds, articleId))
    return {
      ok: false,
      message: `Article ${articleId} "${article.title}" is held for a correction: /held shows what changed and decides (re-split and re-queue, keep as queued, or drop).`,
    };
  const posts = await store.postsOfArticle(articleId);
  const waiting = posts.filter((p) => !p.approved && p.state === 'queued').length;
  if (posts.length === 0)
    return { ok: false, message: `Article ${articleId} "${article.title}" has no posts left to approve.` };
  if (posts.every((p) => p.approved))
    return { ok: false, message: `Article ${articleId} "${article.title}" is already approved.` };
  await store.approveArticle(articleId);
  return {
    ok: true,
    message: `Approved article ${articleId} "${article.title}": ${waiting} queued post(s) now go out at their slots.`,
  };
}
