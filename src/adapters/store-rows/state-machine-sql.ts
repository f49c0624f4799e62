/**
 * SQL both engines run word for word (the schemas share table and column names, see
 * ../postgres/pg-migrations.ts): the rules of the post state machine that are written in SQL.
 */

/** An attempt that may have reached the platform counts against the daily cap. */
export const ATTEMPT_COUNTS_AS_POSTED =
  "(finished_at IS NULL OR outcome IN ('sent', 'duplicate', 'unknown'))";
/** Why a post found `sending` with no live process behind it became `unknown`. */
export const INTERRUPTED = 'interrupted while sending: it may or may not have been published';
/** The post's article was killed (pulled by the newsroom): nothing of it may go out again. */
export const ARTICLE_KILLED =
  '(EXISTS (SELECT 1 FROM articles WHERE articles.id = posts.article_id AND articles.killed_at IS NOT NULL))';
/**
 * A feed correction holds the post's article until an admin decides (/held): none of its posts may go
 * out, whatever their `approved` says. The hold clears `approved` on the queued posts, but a post
 * that was in flight or failed at that moment can come back to `queued` later (a retry, /retry), and
 * a slot may have picked a post just before the hold: the lease checks the hold itself.
 * (Served by the partial index feed_items_held of migration 7.)
 */
export const ARTICLE_HELD =
  "(EXISTS (SELECT 1 FROM feed_items WHERE feed_items.article_id = posts.article_id AND feed_items.state = 'held'))";
/** A post back in `queued` while its article is held waits unapproved, as the hold left the others. */
export const APPROVED_UNLESS_HELD = `approved = CASE WHEN ${ARTICLE_HELD} THEN 0 ELSE approved END`;
