import type { Clock } from '../../src/ports/clock.js';

/**
 * A clock that only moves when told to. `sleep` resolves once the clock has been advanced past its
 * deadline (or at once when its signal aborts, like the system clock), so a test can run a week of
 * schedule in milliseconds and still see every wait in order.
 */
export interface FakeClock extends Clock {
  /** Moves time forward and wakes every sleeper whose deadline has come, earliest first. */
  advance(ms: number): void;
  /** Jumps to an instant (never backwards) and wakes the sleepers that are due. */
  set(date: Date): void;
  /** How many sleeps are waiting; lets a test wait until the code under test is parked. */
  readonly sleeping: number;
  /** Resolves when at least `count` sleeps are waiting (polls the microtask and timer queues). */
  waitForSleepers(count?: number, timeoutMs?: number): Promise<void>;
}

export interface FakeClockOptions {
  /**
   * When true, every `sleep` moves the clock forward by its own duration and resolves at once: code
   * that paces itself (the Telegram pacer) runs without a test advancing time by hand.
   */
  readonly autoAdvance?: boolean;
  /**
   * When true, once a turn of the event loop passes with sleeps waiting (everything runnable has run,
   * requests in flight go on), the clock jumps to the earliest deadline and wakes that sleeper (and
   * any due at the same instant). Concurrent waits (two channels' pacing, a countdown) wake in the
   * order of their deadlines, as on the real clock, without a test advancing time by hand.
   */
  readonly advanceWhenIdle?: boolean;
}

interface Sleeper {
  readonly at: number;
  readonly resolve: () => void;
}

export function createFakeClock(start: Date | string, options: FakeClockOptions = {}): FakeClock {
  let now = new Date(start).getTime();
  if (Number.isNaN(now)) throw new RangeError(`fake clock: bad start time ${String(start)}`);
  const sleepers = new Set<Sleeper>();
  let idleTurnPending = false;

  /** After a turn of the event loop with sleepers waiting: jump to the earliest and wake it. */
  const scheduleIdleTurn = () => {
    if (idleTurnPending) return;
    idleTurnPending = true;
    setImmediate(() => {
      idleTurnPending = false;
      if (sleepers.size === 0) return;
      now = Math.max(now, Math.min(...[...sleepers].map((s) => s.at)));
      wake();
      if (sleepers.size > 0) scheduleIdleTurn();
    });
  };

  const wake = () => {
    const due = [...sleepers].filter((s) => s.at <= now).sort((a, b) => a.at - b.at);
    for (const sleeper of due) {
      sleepers.delete(sleeper);
      sleeper.resolve();
    }
  };

  const clock: FakeClock = {
    now: () => new Date(now),
    sleep(ms, signal) {
      if (signal?.aborted) return Promise.resolve();
      if (options.autoAdvance) {
        now += Math.max(0, ms);
        wake();
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        const sleeper: Sleeper = {
          at: now + Math.max(0, ms),
          resolve: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = () => {
          sleepers.delete(sleeper);
          resolve();
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        sleepers.add(sleeper);
        if (ms <= 0) wake();
        if (options.advanceWhenIdle && sleepers.size > 0) scheduleIdleTurn();
      });
    },
    advance(ms) {
      if (ms < 0) throw new RangeError('fake clock: time does not go backwards');
      now += ms;
      wake();
    },
    set(date) {
      const target = date.getTime();
      if (target < now)
        throw new RangeError(
          `fake clock: cannot go back from ${new Date(now).toISOString()} to ${date.toISOString()}`,
        );
      now = target;
      wake();
    },
    get sleeping() {
      return sleepers.size;
    },
    async waitForSleepers(count = 1, timeoutMs = 2000) {
      const deadline = Date.now() + timeoutMs;
      while (sleepers.size < count) {
        if (Date.now() > deadline)
          throw new Error(`fake clock: expected ${count} sleeper(s), have ${sleepers.size}`);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    },
  };
  return clock;
}
