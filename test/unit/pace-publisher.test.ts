import { describe, expect, it } from 'vitest';
import type { OutgoingPost, Publisher, PublishOptions, Receipt } from '../../src/ports/publisher.js';
import {
  createPacer,
  type PacingLimits,
  pacePublisher,
  SHARED_SEND_STALE_MS,
  sharedWaitMs,
} from '../../src/use-cases/pace-publisher.js';
import { createFakeClock, type FakeClock } from '../helpers/fake-clock.js';

const LIMITS: PacingLimits = { perChatIntervalMs: 1000, perChatPerMinute: 20, overallPerSecond: 30 };

/** Acquires and records when (on the fake clock) each one was granted. */
function recorder(clock: FakeClock, limits: PacingLimits = LIMITS) {
  const pacer = createPacer(limits, clock);
  const granted: [string, number][] = [];
  const start = clock.now().getTime();
  /** Each send is over the moment it is granted (an instant network). */
  const acquire = (chat: string, signal?: AbortSignal) =>
    pacer.acquire(chat, signal).then((done) => {
      granted.push([chat, clock.now().getTime() - start]);
      done();
    });
  return { pacer, granted, acquire };
}

/** Lets every woken promise run before the test looks. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Advances in small steps so each wake-up runs before the next, as real time would. */
async function run(clock: FakeClock, ms: number, step = 10): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    await settle();
  }
}

describe('createPacer', () => {
  it('spaces messages to one chat by the per-chat interval', async () => {
    const clock = createFakeClock('2026-03-10T12:00:00Z');
    const { granted, acquire } = recorder(clock);
    const all = Promise.all([acquire('@a'), acquire('@a'), acquire('@a')]);
    await settle();
    expect(granted).toEqual([['@a', 0]]);
    await run(clock, 2500);
    await all;
    expect(granted).toEqual([
      ['@a', 0],
      ['@a', 1000],
      ['@a', 2000],
    ]);
  });

  it('allows at most perChatPerMinute to one chat in any minute', async () => {
    const clock = createFakeClock('2026-03-10T12:00:00Z');
    const limits = { perChatIntervalMs: 0, perChatPerMinute: 20, overallPerSecond: 1000 };
    const { granted, acquire } = recorder(clock, limits);
    const all = Promise.all(Array.from({ length: 25 }, () => acquire('@a')));
    await settle();
    await run(clock, 61_000, 500);
    await all;
    const times = granted.map(([, t]) => t);
    expect(times.slice(0, 20)).toEqual(Array(20).fill(0));
    expect(times.slice(20).every((t) => t >= 60_000)).toBe(true);
    for (let i = 20; i < times.length; i++) expect(times[i]! - times[i - 20]!).toBeGreaterThanOrEqual(60_000);
  });

  it('allows at most overallPerSecond across chats in any second', async () => {
    const clock = createFakeClock('2026-03-10T12:00:00Z');
    const { granted, acquire } = recorder(clock);
    const chats = Array.from({ length: 40 }, (_, i) => `@chat${i}`);
    const all = Promise.all(chats.map((chat) => acquire(chat)));
    await settle();
    expect(granted).toHaveLength(30);
    await run(clock, 1100);
    await all;
    expect(granted).toHaveLength(40);
    const times = granted.map(([, t]) => t).sort((a, b) => a - b);
    for (let i = 30; i < times.length; i++) expect(times[i]! - times[i - 30]!).toBeGreaterThanOrEqual(1000);
  });

  it('a chat that must wait does not hold up a chat that may send now', async () => {
    const clock = createFakeClock('2026-03-10T12:00:00Z');
    const { granted, acquire } = recorder(clock);
    await acquire('@busy');
    const waiting = acquire('@busy');
    const other = acquire('@quiet');
    await settle();
    expect(granted).toEqual([
      ['@busy', 0],
      ['@quiet', 0],
    ]);
    await run(clock, 1000);
    await Promise.all([waiting, other]);
    expect(granted.at(-1)).toEqual(['@busy', 1000]);
  });

  it('counts a send from the moment its answer came back, so a slow request cannot crowd the window', async () => {
    const clock = createFakeClock('2026-03-10T12:00:00Z');
    const pacer = createPacer({ perChatIntervalMs: 100, perChatPerMinute: 1000, overallPerSecond: 1 }, clock);
    const start = clock.now().getTime();
    const slow = await pacer.acquire('@a');
    // The overall window stays full while @a's request is in flight, however long it takes.
    let third: number | undefined;
    const waiting = pacer.acquire('@c').then((done) => {
      third = clock.now().getTime() - start;
      done();
    });
    await run(clock, 3000, 100);
    expect(third).toBeUndefined();
    slow();
    await run(clock, 900, 100);
    expect(third).toBeUndefined();
    await run(clock, 100, 100);
    await waiting;
    expect(third).toBe(4000);

    // The next message to a chat waits for the previous one to be answered, then the interval.
    const spaced = createPacer(
      { perChatIntervalMs: 100, perChatPerMinute: 1000, overallPerSecond: 1000 },
      clock,
    );
    const first = await spaced.acquire('@d');
    let second: number | undefined;
    const next = spaced.acquire('@d').then((done) => {
      second = clock.now().getTime() - start;
      done();
    });
    await run(clock, 500, 100);
    expect(second).toBeUndefined();
    first();
    await run(clock, 100, 100);
    await next;
    expect(second).toBe(4600);
  });

  it('keeps the order of messages to the same chat', async () => {
    const clock = createFakeClock('2026-03-10T12:00:00Z');
    const pacer = createPacer(LIMITS, clock);
    const order: number[] = [];
    const all = Promise.all(
      [1, 2, 3, 4].map((n) =>
        pacer.acquire('@a').then((done) => {
          order.push(n);
          done();
        }),
      ),
    );
    await run(clock, 3100);
    await all;
    expect(order).toEqual([1, 2, 3, 4]);
  });

  it('an aborted wait rejects, takes no slot, and lets the next one through', async () => {
    const clock = createFakeClock('2026-03-10T12:00:00Z');
    const { granted, acquire } = recorder(clock);
    await acquire('@a');
    const controller = new AbortController();
    const aborted = acquire('@a', controller.signal);
    const next = acquire('@a');
    await settle();
    controller.abort(new Error('shutting down'));
    await expect(aborted).rejects.toThrow('shutting down');
    await run(clock, 1000);
    await next;
    expect(granted).toEqual([
      ['@a', 0],
      ['@a', 1000],
    ]);
  });
});

describe('sharedWaitMs (the windows of createSharedPacer, over the sends the store lists)', () => {
  const limits: PacingLimits = { perChatIntervalMs: 1000, perChatPerMinute: 20, overallPerSecond: 30 };
  const at = (ms: number) => new Date(ms);

  it('waits the chat interval after a finished send, and for good while one is in flight', () => {
    const finished = [{ chat: '@a', startedAt: at(0), doneAt: at(200) }];
    expect(sharedWaitMs(finished, '@a', limits, 700)).toBe(500);
    expect(sharedWaitMs(finished, '@b', limits, 700)).toBe(0);
    const inFlight = [{ chat: '@a', startedAt: at(0), doneAt: undefined }];
    expect(sharedWaitMs(inFlight, '@a', limits, 60_000)).toBe(Number.POSITIVE_INFINITY);
  });

  it('takes a send never recorded as finished as over once no request can still run, so its chat is not held for good', () => {
    const lost = [{ chat: '@a', startedAt: at(0), doneAt: undefined }];
    expect(sharedWaitMs(lost, '@a', limits, SHARED_SEND_STALE_MS - 1)).toBe(Number.POSITIVE_INFINITY);
    expect(sharedWaitMs(lost, '@a', limits, SHARED_SEND_STALE_MS + 1000)).toBe(0);
  });
});

describe('pacePublisher', () => {
  it('awaitTurn waits for the pacer; publish passes everything through without waiting', async () => {
    const clock = createFakeClock('2026-03-10T12:00:00Z');
    const seen: { text: string; options: PublishOptions | undefined; at: number }[] = [];
    const inner: Publisher = {
      platform: 'telegram',
      kind: 'telegram',
      supportsReplies: true,
      async publish(post: OutgoingPost, options?: PublishOptions): Promise<Receipt> {
        seen.push({ text: post.text, options, at: clock.now().getTime() });
        return { remoteId: String(seen.length), publishedAt: clock.now() };
      },
      recentPosts: async () => [{ remoteId: '9', text: 'earlier' }],
    };
    const paced = pacePublisher(inner, createPacer(LIMITS, clock), '@a');
    expect([paced.platform, paced.kind, paced.supportsReplies]).toEqual(['telegram', 'telegram', true]);
    expect(await paced.recentPosts!(new Date(0))).toEqual([{ remoteId: '9', text: 'earlier' }]);

    // As publishPost does it: wait for the turn, send, then say the send is over.
    const send = async (text: string, options?: PublishOptions) => {
      const done = await paced.awaitTurn!();
      try {
        return await paced.publish({ text }, options);
      } finally {
        done();
      }
    };
    const first = await send('one');
    const second = send('two', { replyTo: first.remoteId });
    await settle();
    expect(seen).toHaveLength(1);
    await run(clock, 1000);
    expect((await second).remoteId).toBe('2');
    expect(seen.map((s) => [s.text, s.options?.replyTo, s.at - seen[0]!.at])).toEqual([
      ['one', undefined, 0],
      ['two', '1', 1000],
    ]);
  });
});
