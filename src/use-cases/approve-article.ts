import type { PostStore } from '../ports/post-store.js';
import type { AdminResult } from './admin-actions.js';

/**
 * Approves every unapproved post of an article, so it goes out at its slots. Articles queued from
 * Telegram with "queue" (not "queue and approve all") wait for this. Bot-specific for now: the CLI
 * queues everything approved; it can move to src/use-cases/ when the CLI needs it.
 */
export function approveArticle(store: PostStore, articleId: number): AdminResult {
  const article = store.getArticle(articleId);
  if (!article) return { ok: false, message: `There is no article ${articleId}.` };
  const posts = store.postsOfArticle(articleId);
  const waiting = posts.filter((p) => !p.approved && p.state === 'queued').length;
  if (posts.length === 0)
    return { ok: false, message: `Article ${articleId} "${article.title}" has no posts left to approve.` };
  if (posts.every((p) => p.approved))
    return { ok: false, message: `Article ${articleId} "${article.title}" is already approved.` };
  store.approveArticle(articleId);
  return {
    ok: true,
    message: `Approved article ${articleId} "${article.title}": ${waiting} queued post(s) now go out at their slots.`,
  };
}
