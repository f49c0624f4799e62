import { inQuietHours, startOfLocalDay } from '../domain/schedule.js';
import type { ChannelState, StoredPost } from '../ports/post-store.js';
import { channelById, type PublishDeps } from './publish-deps.js';
import { type PublishOutcome, publishPost } from './publish-post.js';

export type SlotResult =
  | { readonly kind: 'published'; readonly outcomes: readonly PublishOutcome[] }
  | {
      readonly kind: 'idle';
      readonly why: 'nothing-due' | 'paused' | 'quiet-hours' | 'daily-cap' | 'disabled';
      readonly detail?: string;
    };

/**
 * One schedule slot of one channel: in `quotes` mode the next due post, in `thread` mode the rest
 * of the next due thread (stopping at the first post that does not go out, so a thread never skips
 * a part). Paused channels, quiet hours and the daily cap are honoured here.
 */
export async function runChannelSlot(
  deps: PublishDeps,
  channelId: string,
  signal?: AbortSignal,
): Promise<SlotResult> {
  const channel = channelById(deps, channelId);
  if (!channel?.enabled) return { kind: 'idle', why: 'disabled' };
  const now = deps.clock.now();
  const state = activeState(deps, channelId, now);
  if (state.paused) return { kind: 'idle', why: 'paused', detail: state.pauseReason ?? '' };
  if (inQuietHours(now, channel.zone, channel.quietHours)) return { kind: 'idle', why: 'quiet-hours' };

  const outcomes: PublishOutcome[] = [];
  let articleId: number | undefined;
  for (;;) {
    if (signal?.aborted) break;
    const left = dailyCapLeft(deps, channelId);
    if (left <= 0) {
      if (outcomes.length === 0)
        return { kind: 'idle', why: 'daily-cap', detail: `${channel.dailyCap} posts a day` };
      break;
    }
    const found = nextToPublish(deps, channelId, deps.clock.now());
    if (found.kind === 'waiting') {
      // An earlier part waits for its retry: the thread goes on from there, never out of order.
      if (outcomes.length === 0)
        return {
          kind: 'idle',
          why: 'nothing-due',
          detail: `thread of article ${found.post.articleId} waits for an earlier part`,
        };
      break;
    }
    const next = found.kind === 'post' ? found.post : undefined;
    if (!next || (articleId !== undefined && next.articleId !== articleId)) break;
    // The signal stops taking new posts; a send already started is finished, never cut off.
    const outcome = await publishPost(deps, next.id);
    outcomes.push(outcome);
    if (channel.mode !== 'thread' || next.mode !== 'thread') break;
    if (outcome.kind !== 'sent' && outcome.kind !== 'duplicate') break;
    articleId = next.articleId;
  }
  return outcomes.length > 0 ? { kind: 'published', outcomes } : { kind: 'idle', why: 'nothing-due' };
}

type NextPost =
  | { readonly kind: 'post'; readonly post: StoredPost }
  /** The next thread waits for an earlier part's retry; the channel waits with it, keeping order. */
  | { readonly kind: 'waiting'; readonly post: StoredPost }
  | { readonly kind: 'none' };

/** How many queued posts to read at a time when looking past threads held for an admin. */
const SCAN_PAGE = 50;

/**
 * The next post to publish: the next due one, unless it continues a thread that cannot go on. A
 * thread whose earlier part waits for a retry holds the channel until then (a short wait, and parts
 * stay in order). A thread held by a part of unknown outcome waits for an admin, which may take
 * days: the channel passes over it and goes on with the next article instead of going silent.
 */
function nextToPublish(deps: PublishDeps, channelId: string, now: Date): NextPost {
  const head = deps.store.nextDue(channelId, now);
  if (!head) return { kind: 'none' };
  const block = threadBlock(deps, head);
  if (block === 'none') return { kind: 'post', post: head };
  if (block === 'waiting') return { kind: 'waiting', post: head };
  const held = new Set([head.articleId]);
  for (let offset = 0; ; offset += SCAN_PAGE) {
    const page = deps.store.upcoming(channelId, SCAN_PAGE, offset);
    for (const post of page) {
      if (held.has(post.articleId) || !post.approved) continue;
      if (post.nextAttemptAt !== null && post.nextAttemptAt > now) continue;
      const blocked = threadBlock(deps, post);
      if (blocked === 'none') return { kind: 'post', post };
      if (blocked === 'waiting') return { kind: 'waiting', post };
      held.add(post.articleId);
    }
    if (page.length < SCAN_PAGE) return { kind: 'none' };
  }
}

/** Whether an earlier part of this post's thread has not gone out: `held` when one needs an admin. */
function threadBlock(deps: PublishDeps, post: StoredPost): 'none' | 'waiting' | 'held' {
  if (post.mode !== 'thread' || post.seq === 1) return 'none';
  const earlier = deps.store.postsOfArticle(post.articleId, post.channelId).filter((p) => p.seq < post.seq);
  if (earlier.some((p) => p.state === 'unknown')) return 'held';
  if (earlier.some((p) => p.state === 'queued' || p.state === 'sending')) return 'waiting';
  return 'none';
}

/** A pause with an end time lifts itself once that time has passed. */
export function activeState(deps: PublishDeps, channelId: string, now: Date): ChannelState {
  const state = deps.store.channelState(channelId);
  if (state.paused && state.pausedUntil && state.pausedUntil <= now) {
    deps.store.resumeChannel(channelId);
    deps.logger.info('channel resumed after its wait', { channel: channelId });
    return deps.store.channelState(channelId);
  }
  return state;
}

/** Posts the channel may still send today (its local day, in its own time zone). */
export function dailyCapLeft(deps: PublishDeps, channelId: string): number {
  const channel = channelById(deps, channelId);
  if (!channel) return 0;
  const since = startOfLocalDay(deps.clock.now(), channel.zone);
  return Math.max(0, channel.dailyCap - deps.store.sentSince(channelId, since));
}
