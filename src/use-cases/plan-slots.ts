import { inQuietHours, nextSlots, startOfLocalDay } from '../domain/schedule.js';
import type { StoredPost } from '../ports/post-store.js';
import type { PublishDeps } from './publish-deps.js';
import { activeState, dailyCapLeft } from './run-channel-slot.js';

type Channel = PublishDeps['channels'][number];

export interface PlannedSlot {
  readonly at: Date;
  /** The posts expected at this slot (one in quotes mode, the rest of a thread in thread mode). */
  readonly posts: readonly StoredPost[];
  /** Why nothing goes out at this slot although posts wait. */
  readonly blocked?: 'quiet hours' | 'daily cap reached' | 'paused';
}

export interface SlotPlan {
  readonly channel: Channel;
  /** Paused with no end time: nothing is planned until /resume. */
  readonly pausedIndefinitely: boolean;
  readonly pauseReason: string | null;
  readonly slots: readonly PlannedSlot[];
  /** When each queued, approved post is expected to go out, by post id. */
  readonly timeOf: ReadonlyMap<number, Date>;
}

const BATCH = 200;
const MAX_BATCHES = 200;

/**
 * A preview of which queued post goes out at which slot, the way `quotecast schedule` sees it: every
 * post goes out at its slot, the daily cap holds per local day, quiet hours and a timed pause are
 * skipped, posts waiting for a retry go when their time has come. Unapproved posts are not planned.
 *
 * Stops once `minSlots` slots are listed and every post has a time (or nothing more can be planned).
 */
export function planSlots(
  deps: PublishDeps,
  channel: Channel,
  queue: readonly StoredPost[],
  options: { minSlots: number },
): SlotPlan {
  const now = deps.clock.now();
  const state = activeState(deps, channel.id, now);
  const base = { channel, pauseReason: state.pauseReason };
  if (state.paused && !state.pausedUntil)
    return { ...base, pausedIndefinitely: true, slots: [], timeOf: new Map() };

  const waiting = queue.filter((p) => p.approved);
  const slots: PlannedSlot[] = [];
  const timeOf = new Map<number, Date>();
  const usedPerDay = new Map<number, number>();
  usedPerDay.set(
    startOfLocalDay(now, channel.zone).getTime(),
    channel.dailyCap - dailyCapLeft(deps, channel.id),
  );
  const taken = new Set<number>();
  let cursor = now;
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const times = nextSlots(channel.schedule, channel.zone, cursor, BATCH);
    if (times.length === 0) break;
    for (const at of times) {
      cursor = at;
      const done = slots.length >= options.minSlots && taken.size >= waiting.length;
      if (done) return { ...base, pausedIndefinitely: false, slots, timeOf };
      const day = startOfLocalDay(at, channel.zone).getTime();
      const used = usedPerDay.get(day) ?? 0;
      const left = waiting.filter((p) => !taken.has(p.id));
      const list = (blocked?: PlannedSlot['blocked']) => {
        if (slots.length < options.minSlots) slots.push({ at, posts: [], ...(blocked ? { blocked } : {}) });
      };
      if (state.pausedUntil && at < state.pausedUntil) {
        list(left.length > 0 ? 'paused' : undefined);
        continue;
      }
      if (inQuietHours(at, channel.zone, channel.quietHours)) {
        list(left.length > 0 ? 'quiet hours' : undefined);
        continue;
      }
      if (used >= channel.dailyCap) {
        list(left.length > 0 ? 'daily cap reached' : undefined);
        // Past the listed slots, jump to the next local day instead of walking every slot of this one.
        if (slots.length >= options.minSlots) {
          cursor = new Date(startOfLocalDay(new Date(day + 26 * 3_600_000), channel.zone).getTime() - 1);
          break;
        }
        continue;
      }
      const due = left.filter((p) => !p.nextAttemptAt || p.nextAttemptAt <= at);
      const first = due[0];
      const posts: StoredPost[] = [];
      if (first) {
        const batchOf =
          channel.mode === 'thread' && first.mode === 'thread'
            ? due.filter((p) => p.articleId === first.articleId)
            : [first];
        for (const post of batchOf.slice(0, channel.dailyCap - used)) {
          posts.push(post);
          taken.add(post.id);
          timeOf.set(post.id, at);
        }
        usedPerDay.set(day, used + posts.length);
      }
      if (slots.length < options.minSlots) slots.push({ at, posts });
    }
  }
  return { ...base, pausedIndefinitely: false, slots, timeOf };
}
