import { checkDailyCap, inQuietHours, nextSlots, startOfLocalDay } from '../domain/schedule.js';
import type { StoredPost } from '../ports/post-store.js';
import type { PublishDeps } from './publish-deps.js';
import { activeState, dailyCapLeft } from './run-channel-slot.js';

type Channel = PublishDeps['channels'][number];

export interface PlannedSlot {
  readonly at: Date;
  /** The posts expected at this slot: one quote, or the rest of a thread (whole, in any mode). */
  readonly posts: readonly StoredPost[];
  /** Why nothing goes out at this slot although posts wait. */
  readonly blocked?: 'quiet hours' | 'daily cap reached' | 'paused';
  /**
   * The same in words where there is more to say, e.g. "thread of 21 parts waits: 7 left of the
   * daily cap of 17" (a thread goes out whole or waits whole).
   */
  readonly reason?: string;
}

/** A queued article the plan gives no time, because waiting alone will not let it go out. */
export interface HeldArticle {
  readonly articleId: number;
  readonly reason: string;
}

export interface SlotPlan {
  readonly channel: Channel;
  /** Paused with no end time: nothing is planned until /resume. */
  readonly pausedIndefinitely: boolean;
  readonly pauseReason: string | null;
  readonly slots: readonly PlannedSlot[];
  /** When each queued, approved post is expected to go out, by post id. */
  readonly timeOf: ReadonlyMap<number, Date>;
  /** Threads the channel passes over until someone acts (an admin, or a higher daily cap). */
  readonly held: readonly HeldArticle[];
}

const BATCH = 200;
const MAX_BATCHES = 200;

/** What the plan knows of one thread: its parts still to go out, and whether it has begun. */
interface ThreadState {
  /** Parts not yet out (queued or waiting for a retry), in order, from the store. */
  readonly parts: readonly StoredPost[];
  /** Some part is out, or goes out earlier in this plan: the rest follows whatever the cap. */
  started: boolean;
}

/**
 * A preview of which queued post goes out at which slot, the way `quotecast schedule` sees it, with
 * the rules `runChannelSlot` applies: every post goes out at its slot, a thread (whatever the
 * channel's mode) goes out whole at one slot when the day's cap left covers all its parts and the
 * channel waits with it otherwise, a thread already begun is finished whatever the cap, the daily cap
 * holds per local day, quiet hours and a timed pause are skipped, posts waiting for a retry go when
 * their time has come. Unapproved posts are not planned, nor threads held for an admin or longer
 * than the whole cap (listed in `held`).
 *
 * Stops once `minSlots` slots are listed and every post has a time (or nothing more can be planned).
 */
export async function planSlots(
  deps: PublishDeps,
  channel: Channel,
  queue: readonly StoredPost[],
  options: { minSlots: number },
): Promise<SlotPlan> {
  const now = deps.clock.now();
  const state = await activeState(deps, channel.id, now);
  const threads = new Map<number, ThreadState>();
  const held: HeldArticle[] = [];
  const heldIds = new Set<number>();
  for (const post of queue) {
    if (
      post.mode !== 'thread' ||
      !post.approved ||
      threads.has(post.articleId) ||
      heldIds.has(post.articleId)
    )
      continue;
    const all = await deps.store.postsOfArticle(post.articleId, channel.id);
    const parts = all.filter((p) => p.state !== 'sent' && p.state !== 'skipped');
    const waitsForAdmin = parts.find((p) => p.state === 'unknown' || p.state === 'failed');
    const started = all.some((p) => p.state === 'sent');
    const check = checkDailyCap(parts.length, channel.dailyCap, channel.dailyCap, started);
    const reason = waitsForAdmin
      ? `thread of ${parts.length} parts waits for an admin: part ${waitsForAdmin.seq} is ${waitsForAdmin.state}`
      : !check.go && check.why === 'thread too long'
        ? check.detail
        : undefined;
    if (reason) {
      held.push({ articleId: post.articleId, reason });
      heldIds.add(post.articleId);
    } else threads.set(post.articleId, { parts: parts.filter((p) => p.state === 'queued'), started });
  }
  const base = { channel, pauseReason: state.pauseReason, held };
  if (state.paused && !state.pausedUntil)
    return { ...base, pausedIndefinitely: true, slots: [], timeOf: new Map() };

  const waiting = queue.filter((p) => p.approved && !heldIds.has(p.articleId));
  const waitingIds = new Set(waiting.map((p) => p.id));
  const slots: PlannedSlot[] = [];
  const timeOf = new Map<number, Date>();
  const usedPerDay = new Map<number, number>();
  usedPerDay.set(
    startOfLocalDay(now, channel.zone).getTime(),
    channel.dailyCap - (await dailyCapLeft(deps, channel.id)),
  );
  const taken = new Set<number>();
  let waitingTaken = 0;
  const take = (post: StoredPost, at: Date) => {
    taken.add(post.id);
    timeOf.set(post.id, at);
    if (waitingIds.has(post.id)) waitingTaken++;
  };
  let cursor = now;
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const times = nextSlots(channel.schedule, channel.zone, cursor, BATCH);
    if (times.length === 0) break;
    for (const at of times) {
      cursor = at;
      const done = slots.length >= options.minSlots && waitingTaken >= waiting.length;
      if (done) return { ...base, pausedIndefinitely: false, slots, timeOf };
      const day = startOfLocalDay(at, channel.zone).getTime();
      const used = usedPerDay.get(day) ?? 0;
      const left = waiting.filter((p) => !taken.has(p.id));
      const list = (blocked?: PlannedSlot['blocked'], reason?: string) => {
        if (slots.length < options.minSlots)
          slots.push({ at, posts: [], ...(blocked ? { blocked } : {}), ...(reason ? { reason } : {}) });
      };
      if (state.pausedUntil && at < state.pausedUntil) {
        list(left.length > 0 ? 'paused' : undefined);
        continue;
      }
      if (inQuietHours(at, channel.zone, channel.quietHours)) {
        list(left.length > 0 ? 'quiet hours' : undefined);
        continue;
      }
      const first = left.find((p) => !p.nextAttemptAt || p.nextAttemptAt <= at);
      const thread = first?.mode === 'thread' ? threads.get(first.articleId) : undefined;
      // The parts of this thread from `first` on that are not planned yet (queued in the store).
      const rest = thread ? thread.parts.filter((p) => p.seq >= first!.seq && !taken.has(p.id)) : [];
      if (thread?.parts.some((p) => p.seq < first!.seq && !taken.has(p.id))) {
        // An earlier part waits for its retry: the channel waits with it, as the daemon does.
        list();
        continue;
      }
      const check = checkDailyCap(
        thread ? rest.length : 1,
        channel.dailyCap - used,
        channel.dailyCap,
        thread?.started,
      );
      if (!check.go && (first || used >= channel.dailyCap)) {
        list(
          left.length > 0 ? 'daily cap reached' : undefined,
          left.length > 0 && thread ? check.detail : undefined,
        );
        // Past the listed slots, jump to the next local day instead of walking every slot of this one
        // (unless a retry comes due later today: it may be a post that can still go).
        if (slots.length >= options.minSlots && !left.some((p) => p.nextAttemptAt && p.nextAttemptAt > at)) {
          cursor = new Date(startOfLocalDay(new Date(day + 26 * 3_600_000), channel.zone).getTime() - 1);
          break;
        }
        continue;
      }
      const posts: StoredPost[] = [];
      if (first) {
        if (thread) {
          // The thread goes out whole, part after part, until one still waits for a retry.
          for (const part of rest) {
            if (part.nextAttemptAt && part.nextAttemptAt > at) break;
            posts.push(part);
          }
          thread.started = true;
        } else posts.push(first);
        for (const post of posts) take(post, at);
        usedPerDay.set(day, used + posts.length);
      }
      if (slots.length < options.minSlots) slots.push({ at, posts });
    }
  }
  return { ...base, pausedIndefinitely: false, slots, timeOf };
}
