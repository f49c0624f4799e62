/**
 * The query behind `PostStore.nextDue`, exported so the benchmark can show its query plan.
 *
 * Two halves, each a seek on its own partial index (see migrations.ts), then the smaller of two rows:
 * - posts never tried (next_attempt_at IS NULL): the first entry of `posts_due_fresh` for the
 *   channel is already the lowest (article, seq), so this costs one seek whatever the queue size;
 * - posts waiting for a retry: a range on `posts_due_retry` up to `now`, so only retries that are
 *   due are read and sorted. That set is small in practice (posts that failed transiently and have
 *   not been picked up again); it is the only part whose cost grows, with the number of due retries
 *   (measured: about 1.7 ms per call with 10,000 retries due at once, against ~20 µs normally).
 * A single index on (channel, article, seq) filtering next_attempt_at row by row would instead step
 * over every post still waiting for a retry at the head of the queue, e.g. after an outage.
 *
 * `INDEXED BY` pins the plan: without statistics the planner happily walks the general
 * `posts_state` index instead and filters row by row, which is the slow plan described above. If a
 * schema change ever makes the index unusable, preparing the statement fails at start-up rather than
 * the query silently turning into a scan. `state = 'queued' AND approved = 1` must stay literal:
 * SQLite only uses a partial index when the query repeats the index's WHERE terms.
 */
export const NEXT_DUE_SQL = `
  SELECT * FROM (
    SELECT * FROM posts INDEXED BY posts_due_fresh
    WHERE channel_id = @channel AND state = 'queued' AND approved = 1 AND next_attempt_at IS NULL
    ORDER BY article_id, seq
    LIMIT 1
  )
  UNION ALL
  SELECT * FROM (
    SELECT * FROM posts INDEXED BY posts_due_retry
    WHERE channel_id = @channel AND state = 'queued' AND approved = 1
      AND next_attempt_at IS NOT NULL AND next_attempt_at <= @now
    ORDER BY article_id, seq
    LIMIT 1
  )
  ORDER BY article_id, seq
  LIMIT 1`;

export interface NextDueParams {
  readonly channel: string;
  /** Epoch milliseconds. */
  readonly now: number;
}
