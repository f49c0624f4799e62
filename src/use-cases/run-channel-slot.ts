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
    const next = deps.store.nextDue(channelId, deps.clock.now());
    if (!next || (articleId !== undefined && next.articleId !== articleId)) break;
    if (next.mode === 'thread' && threadIsBlocked(deps, next)) {
      // An earlier part waits for its retry: the thread goes on from there, never out of order.
      if (outcomes.length === 0)
        return {
          kind: 'idle',
          why: 'nothing-due',
          detail: `thread of article ${next.articleId} waits for an earlier part`,
        };
      break;
    }
    // The signal stops taking new posts; a send already started is finished, never cut off.
    const outcome = await publishPost(deps, next.id);
    outcomes.push(outcome);
    if (channel.mode !== 'thread' || next.mode !== 'thread') break;
    if (outcome.kind !== 'sent' && outcome.kind !== 'duplicate') break;
    articleId = next.articleId;
  }
  return outcomes.length > 0 ? { kind: 'published', outcomes } : { kind: 'idle', why: 'nothing-due' };
}

/** True when an earlier part of this post's thread is still waiting to go out. */
function threadIsBlocked(deps: PublishDeps, post: StoredPost): boolean {
  return deps.store
    .postsOfArticle(post.articleId, post.channelId)
    .some(
      (p) => p.seq < post.seq && (p.state === 'queued' || p.state === 'sending' || p.state === 'unknown'),
    );
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
