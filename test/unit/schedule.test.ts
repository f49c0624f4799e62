import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  checkDailyCap,
  inQuietHours,
  localParts,
  nextSlots,
  startOfLocalDay,
} from '../../src/domain/schedule.js';
import { TELEGRAM_PACING } from '../../src/use-cases/pace-publisher.js';
import { runChannelSlot } from '../../src/use-cases/run-channel-slot.js';
import { makeArticle } from '../helpers/articles.js';
import { createSeededRandom } from '../helpers/seeded-random.js';
import { createWorld, queued, type World } from '../helpers/world.js';

const iso = (dates: readonly Date[]) => dates.map((d) => d.toISOString().replace(':00.000Z', 'Z'));
const local = (date: Date, zone: string) => {
  const p = localParts(date, zone);
  return `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
};
const HOUR = 3_600_000;

describe('nextSlots', () => {
  it('a week of 09/13/17 in Europe/London keeps local times across the spring-forward night', () => {
    const slots = nextSlots('0 9,13,17 * * *', 'Europe/London', new Date('2026-03-26T00:00:00Z'), 21);
    expect(slots).toHaveLength(21);
    expect(slots.map((d) => local(d, 'Europe/London'))).toEqual(
      Array(7).fill(['09:00', '13:00', '17:00']).flat(),
    );
    // GMT until Sunday 29 March, BST after: the same local times are an hour earlier in UTC.
    expect(iso(slots.slice(6, 12))).toEqual([
      '2026-03-28T09:00Z',
      '2026-03-28T13:00Z',
      '2026-03-28T17:00Z',
      '2026-03-29T08:00Z',
      '2026-03-29T12:00Z',
      '2026-03-29T16:00Z',
    ]);
  });

  it('a week of weekday mornings in America/New_York across its spring-forward Sunday', () => {
    const slots = nextSlots('0 8 * * 1-5', 'America/New_York', new Date('2026-03-05T00:00:00Z'), 5);
    expect(iso(slots)).toEqual([
      '2026-03-05T13:00Z',
      '2026-03-06T13:00Z',
      '2026-03-09T12:00Z',
      '2026-03-10T12:00Z',
      '2026-03-11T12:00Z',
    ]);
  });

  it('a week of 09:00 in America/New_York across its fall-back Sunday', () => {
    const slots = nextSlots('0 9 * * *', 'America/New_York', new Date('2026-10-29T00:00:00Z'), 7);
    expect(slots.map((d) => local(d, 'America/New_York'))).toEqual(Array(7).fill('09:00'));
    expect(iso(slots)).toEqual([
      '2026-10-29T13:00Z',
      '2026-10-30T13:00Z',
      '2026-10-31T13:00Z',
      '2026-11-01T14:00Z',
      '2026-11-02T14:00Z',
      '2026-11-03T14:00Z',
      '2026-11-04T14:00Z',
    ]);
  });

  it('a slot in the spring-forward gap still happens that day, at the first time after the gap', () => {
    // Europe/London skips 01:00-02:00 on 29 March 2026; America/New_York skips 02:00-03:00 on 8 March.
    expect(iso(nextSlots('30 1 * * *', 'Europe/London', new Date('2026-03-27T00:00:00Z'), 4))).toEqual([
      '2026-03-27T01:30Z',
      '2026-03-28T01:30Z',
      '2026-03-29T01:00Z',
      '2026-03-30T00:30Z',
    ]);
    expect(iso(nextSlots('30 1,13 * * *', 'Europe/London', new Date('2026-03-28T12:00:00Z'), 4))).toEqual([
      '2026-03-28T13:30Z',
      '2026-03-29T01:00Z',
      '2026-03-29T12:30Z',
      '2026-03-30T00:30Z',
    ]);
    expect(iso(nextSlots('30 2 * * *', 'America/New_York', new Date('2026-03-07T12:00:00Z'), 2))).toEqual([
      '2026-03-08T07:00Z',
      '2026-03-09T06:30Z',
    ]);
  });

  it('a slot in the repeated hour of the fall-back night runs once, at its first occurrence', () => {
    expect(iso(nextSlots('30 1,13 * * *', 'Europe/London', new Date('2026-10-24T12:00:00Z'), 4))).toEqual([
      '2026-10-24T12:30Z',
      '2026-10-25T00:30Z',
      '2026-10-25T13:30Z',
      '2026-10-26T01:30Z',
    ]);
    expect(iso(nextSlots('30 1 * * *', 'America/New_York', new Date('2026-10-31T12:00:00Z'), 2))).toEqual([
      '2026-11-01T05:30Z',
      '2026-11-02T06:30Z',
    ]);
  });

  it('interval patterns keep their spacing in real time through the repeated hour', () => {
    expect(iso(nextSlots('*/30 * * * *', 'America/New_York', new Date('2026-11-01T04:40:00Z'), 5))).toEqual([
      '2026-11-01T05:00Z',
      '2026-11-01T05:30Z',
      '2026-11-01T06:00Z',
      '2026-11-01T06:30Z',
      '2026-11-01T07:00Z',
    ]);
    expect(iso(nextSlots('0 * * * *', 'Europe/London', new Date('2026-10-24T23:30:00Z'), 3))).toEqual([
      '2026-10-25T00:00Z',
      '2026-10-25T01:00Z',
      '2026-10-25T02:00Z',
    ]);
  });

  it('six-field patterns count seconds; zones with half-hour offsets work', () => {
    expect(
      nextSlots('*/20 * * * * *', 'UTC', new Date('2026-01-01T00:00:05Z'), 3).map((d) => d.toISOString()),
    ).toEqual(['2026-01-01T00:00:20.000Z', '2026-01-01T00:00:40.000Z', '2026-01-01T00:01:00.000Z']);
    expect(iso(nextSlots('0 9 * * *', 'Asia/Kolkata', new Date('2026-01-01T00:00:00Z'), 2))).toEqual([
      '2026-01-01T03:30Z',
      '2026-01-02T03:30Z',
    ]);
  });
});

describe('startOfLocalDay', () => {
  const dayLength = (date: string, zone: string) => {
    const start = startOfLocalDay(new Date(date), zone);
    const next = startOfLocalDay(new Date(start.getTime() + 26 * HOUR), zone);
    return (next.getTime() - start.getTime()) / HOUR;
  };

  it('finds local midnight on both DST days in London and New York (23- and 25-hour days)', () => {
    expect(startOfLocalDay(new Date('2026-03-29T12:00:00Z'), 'Europe/London').toISOString()).toBe(
      '2026-03-29T00:00:00.000Z',
    );
    expect(startOfLocalDay(new Date('2026-03-30T00:30:00Z'), 'Europe/London').toISOString()).toBe(
      '2026-03-29T23:00:00.000Z',
    );
    expect(startOfLocalDay(new Date('2026-10-25T12:00:00Z'), 'Europe/London').toISOString()).toBe(
      '2026-10-24T23:00:00.000Z',
    );
    expect(startOfLocalDay(new Date('2026-03-08T12:00:00Z'), 'America/New_York').toISOString()).toBe(
      '2026-03-08T05:00:00.000Z',
    );
    expect(startOfLocalDay(new Date('2026-11-01T12:00:00Z'), 'America/New_York').toISOString()).toBe(
      '2026-11-01T04:00:00.000Z',
    );
    expect(dayLength('2026-03-29T12:00:00Z', 'Europe/London')).toBe(23);
    expect(dayLength('2026-10-25T12:00:00Z', 'Europe/London')).toBe(25);
    expect(dayLength('2026-03-08T12:00:00Z', 'America/New_York')).toBe(23);
    expect(dayLength('2026-11-01T12:00:00Z', 'America/New_York')).toBe(25);
  });

  it('is the local date, not the UTC date', () => {
    // 23:30 in New York on 10 March is 03:30 UTC on the 11th.
    expect(startOfLocalDay(new Date('2026-03-11T03:30:00Z'), 'America/New_York').toISOString()).toBe(
      '2026-03-10T04:00:00.000Z',
    );
    // 01:30 in Kolkata on 2 January is 20:00 UTC on the 1st.
    expect(startOfLocalDay(new Date('2026-01-01T20:00:00Z'), 'Asia/Kolkata').toISOString()).toBe(
      '2026-01-01T18:30:00.000Z',
    );
    expect(startOfLocalDay(new Date('2026-03-28T23:59:59Z'), 'Europe/London').toISOString()).toBe(
      '2026-03-28T00:00:00.000Z',
    );
  });

  it('where clocks jump forward at midnight, the day starts at the jump', () => {
    // America/Santiago: 6 September 2026 goes from 23:59:59 on the 5th straight to 01:00.
    const start = startOfLocalDay(new Date('2026-09-06T12:00:00Z'), 'America/Santiago');
    expect(start.toISOString()).toBe('2026-09-06T04:00:00.000Z');
    expect(localParts(start, 'America/Santiago')).toMatchObject({ day: 6, hour: 1, minute: 0 });
    expect(localParts(new Date(start.getTime() - 1), 'America/Santiago')).toMatchObject({ day: 5 });
  });
});

describe('inQuietHours', () => {
  const quiet = { start: '22:00', end: '07:00' };
  const at = (instant: string, q: { start: string; end: string } | undefined = quiet) =>
    inQuietHours(new Date(instant), 'Europe/London', q);

  it('wraps past midnight, start included and end excluded', () => {
    expect(at('2026-01-15T21:59:00Z')).toBe(false);
    expect(at('2026-01-15T22:00:00Z')).toBe(true);
    expect(at('2026-01-15T23:59:00Z')).toBe(true);
    expect(at('2026-01-16T00:00:00Z')).toBe(true);
    expect(at('2026-01-16T06:59:00Z')).toBe(true);
    expect(at('2026-01-16T07:00:00Z')).toBe(false);
    expect(at('2026-01-16T12:00:00Z')).toBe(false);
  });

  it('reads the local clock, summer time included', () => {
    expect(at('2026-06-01T20:59:00Z')).toBe(false);
    expect(at('2026-06-01T21:00:00Z')).toBe(true);
    expect(at('2026-06-02T05:59:00Z')).toBe(true);
    expect(at('2026-06-02T06:00:00Z')).toBe(false);
  });

  it('a window within one day, and none configured', () => {
    const lunch = { start: '12:00', end: '13:30' };
    expect(at('2026-01-15T11:59:00Z', lunch)).toBe(false);
    expect(at('2026-01-15T12:00:00Z', lunch)).toBe(true);
    expect(at('2026-01-15T13:29:00Z', lunch)).toBe(true);
    expect(at('2026-01-15T13:30:00Z', lunch)).toBe(false);
    expect(inQuietHours(new Date('2026-01-15T23:00:00Z'), 'Europe/London', undefined)).toBe(false);
  });
});

describe('backoffDelayMs', () => {
  it('stays within [ceiling/2, ceiling], the ceiling doubling per attempt up to the maximum', () => {
    const random = createSeededRandom(1);
    for (let attempt = 1; attempt <= 20; attempt++) {
      const ceiling = Math.min(3_600_000, 30_000 * 2 ** (attempt - 1));
      for (let i = 0; i < 200; i++) {
        const delay = backoffDelayMs(attempt, 30_000, 3_600_000, random);
        expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
        expect(delay).toBeLessThanOrEqual(ceiling);
      }
      expect(backoffDelayMs(attempt, 30_000, 3_600_000, () => 0)).toBe(ceiling / 2);
      expect(backoffDelayMs(attempt, 30_000, 3_600_000, () => 0.999_999_999)).toBe(ceiling);
    }
  });

  it('treats attempt 0 like the first, and the same seed gives the same delays', () => {
    expect(backoffDelayMs(0, 1000, 60_000, () => 0.5)).toBe(750);
    const a = createSeededRandom(99);
    const b = createSeededRandom(99);
    const run = (r: () => number) => [1, 2, 3, 4, 5].map((n) => backoffDelayMs(n, 1000, 60_000, r));
    expect(run(a)).toEqual(run(b));
  });
});

describe('checkDailyCap', () => {
  it('a quote needs one post of the cap left', () => {
    expect(checkDailyCap(1, 1, 17)).toEqual({ go: true });
    expect(checkDailyCap(1, 0, 17)).toEqual({
      go: false,
      why: 'daily cap reached',
      detail: '17 posts a day',
    });
  });

  it('a thread needs all its parts of the cap left, and says how many it waits for', () => {
    expect(checkDailyCap(7, 7, 17)).toEqual({ go: true });
    expect(checkDailyCap(8, 7, 17)).toEqual({
      go: false,
      why: 'thread waits',
      detail: 'thread of 8 parts waits: 7 left of the daily cap of 17',
    });
    expect(checkDailyCap(8, 0, 17)).toEqual({
      go: false,
      why: 'daily cap reached',
      detail: 'thread of 8 parts waits: daily cap of 17 reached',
    });
  });

  it('a thread longer than the whole cap can never go by waiting', () => {
    expect(checkDailyCap(21, 17, 17)).toEqual({
      go: false,
      why: 'thread too long',
      detail: 'thread of 21 parts is longer than the daily cap of 17: raise dailyCap or skip parts of it',
    });
    expect(checkDailyCap(17, 17, 17)).toEqual({ go: true });
  });

  it('a thread already begun goes on whatever the cap', () => {
    expect(checkDailyCap(14, 0, 17, true)).toEqual({ go: true });
    expect(checkDailyCap(21, 0, 17, true)).toEqual({ go: true });
  });
});

describe('a simulated week of two channels', () => {
  let world: World | undefined;
  afterAll(async () => {
    await world?.close();
  });

  it('runs every slot of a week: right posts, in order, never more than the daily cap per local day', async () => {
    const started = performance.now();
    const channels = [
      {
        id: 'x-london',
        platform: 'twitter',
        mode: 'quotes',
        schedule: '0 9,13,17 * * *',
        timezone: 'Europe/London',
        dailyCap: 2,
      },
      {
        id: 'tg-ny',
        platform: 'telegram',
        chat: '@quotecast_ny',
        mode: 'thread',
        schedule: '30 8,20 * * *',
        timezone: 'America/New_York',
        targetLength: 300,
        dailyCap: 7,
      },
    ];
    // The week of New York's spring-forward Sunday; Telegram keeps its real pacing (1 s per message),
    // with a clock that moves forward by itself when the pacer waits.
    const from = new Date('2026-03-05T00:00:00Z');
    const w = await createWorld({ start: from, channels, pacing: TELEGRAM_PACING, autoAdvance: true });
    world = w;
    for (let n = 1; n <= 10; n++) queued(await w.enqueue(makeArticle(n), { channels: ['x-london'] }));
    for (let n = 11; (await w.runtime.store.countsByState('tg-ny')).queued < 50; n++)
      queued(await w.enqueue(makeArticle(n, { paragraphs: 3 + (n % 4) }), { channels: ['tg-ny'] }));
    const xQueue = await w.runtime.store.upcoming('x-london', 100);
    const tgQueue = await w.runtime.store.upcoming('tg-ny', 100);
    expect(xQueue).toHaveLength(50);
    expect(tgQueue.length).toBeGreaterThanOrEqual(50);

    const until = from.getTime() + 7 * 24 * HOUR;
    const slots = channels
      .flatMap((c) =>
        nextSlots(c.schedule, c.timezone, from, 100)
          .filter((d) => d.getTime() < until)
          .map((at) => ({ at, channel: c.id })),
      )
      .sort((a, b) => a.at.getTime() - b.at.getTime());
    expect(slots.filter((s) => s.channel === 'x-london')).toHaveLength(21);
    expect(slots.filter((s) => s.channel === 'tg-ny')).toHaveLength(14);

    for (const { at, channel } of slots) {
      if (at > w.clock.now()) w.clock.set(at);
      await runChannelSlot(w.runtime.deps, channel);
    }

    // X: two quotes a London day, in queue order, each at one of its slots.
    const tweets = w.x.tweets;
    expect(tweets.map((t) => t.text)).toEqual(xQueue.slice(0, 14).map((p) => p.text));
    const xSlotTimes = new Set(slots.filter((s) => s.channel === 'x-london').map((s) => s.at.getTime()));
    expect(tweets.every((t) => xSlotTimes.has(t.at.getTime()))).toBe(true);
    expect(
      perLocalDay(
        tweets.map((t) => t.at),
        'Europe/London',
      ),
    ).toEqual(Array(7).fill(2));

    // Telegram: whole threads as reply chains, never more than the cap of 7 a New York day: a thread
    // the day's cap left cannot cover waits whole for the next day.
    const messages = w.telegram.sentMessages;
    expect(messages.map((m) => m.shownText)).toEqual(tgQueue.slice(0, messages.length).map((p) => p.text));
    const days = perLocalDay(
      messages.map((m) => m.at),
      'America/New_York',
    );
    expect(Math.max(...days)).toBeLessThanOrEqual(7);
    expect(messages.length).toBe(days.reduce((a, b) => a + b, 0));
    expect(messages.length).toBeGreaterThanOrEqual(45);
    const byPostId = new Map(tgQueue.map((p) => [p.text, p]));
    const stored = (
      await Promise.all(messages.map((m) => w.runtime.store.getPost(byPostId.get(m.shownText)!.id)))
    ).map((p) => p!);
    for (let i = 0; i < messages.length; i++) {
      const post = stored[i]!;
      expect(post.remoteId).toBe(String(messages[i]!.messageId));
      if (post.seq === 1) expect(messages[i]!.replyTo).toBeUndefined();
      else expect(messages[i]!.replyTo).toBe(messages[i - 1]!.messageId);
    }
    // Each thread at one slot: all its parts within a minute of the slot it started at.
    const tgSlots = slots.filter((s) => s.channel === 'tg-ny').map((s) => s.at.getTime());
    const slotOf = (at: Date) => Math.max(...tgSlots.filter((t) => t <= at.getTime()));
    const startOf = new Map<number, number>();
    for (let i = 0; i < messages.length; i++) {
      const post = stored[i]!;
      const at = messages[i]!.at;
      if (post.seq === 1) startOf.set(post.articleId, slotOf(at));
      expect(slotOf(at)).toBe(startOf.get(post.articleId));
      expect(at.getTime() - slotOf(at)).toBeLessThan(60_000);
    }
    // Every thread that started went out whole.
    const sentIds = new Set(stored.map((p) => p.id));
    for (const articleId of startOf.keys())
      expect((await w.posts(articleId, 'tg-ny')).every((p) => sentIds.has(p.id))).toBe(true);
    // Paced like Telegram wants: never two messages to the chat within a second.
    for (let i = 1; i < messages.length; i++)
      expect(messages[i]!.at.getTime() - messages[i - 1]!.at.getTime()).toBeGreaterThanOrEqual(1000);

    const ms = performance.now() - started;
    console.log(
      `simulated week: ${slots.length} slots, ${tweets.length} tweets, ${messages.length} Telegram messages in ${ms.toFixed(0)} ms`,
    );
    expect(ms).toBeLessThan(10_000);
  });
});

/** How many of these instants fall on each local day that has any, in date order. */
function perLocalDay(dates: readonly Date[], zone: string): number[] {
  const counts = new Map<string, number>();
  for (const date of dates) {
    const p = localParts(date, zone);
    const key = `${p.year}-${p.month}-${p.day}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.values()];
}
