import { afterEach, describe, expect, it } from 'vitest';
import { settingsSchema } from '../../src/config/config-schema.js';
import type { Article } from '../../src/domain/article.js';
import { nextSlots } from '../../src/domain/schedule.js';
import { retryPost } from '../../src/use-cases/admin-actions.js';
import { enqueueArticle } from '../../src/use-cases/enqueue-article.js';
import { TELEGRAM_PACING } from '../../src/use-cases/pace-publisher.js';
import { planSlots } from '../../src/use-cases/plan-slots.js';
import { splitForChannels } from '../../src/use-cases/prepare-article.js';
import {
  dailyCapLeft,
  runChannelSlot,
  type SlotResult,
  threadCapWait,
} from '../../src/use-cases/run-channel-slot.js';
import { makeArticle } from '../helpers/articles.js';
import { createWorld, queued, type World } from '../helpers/world.js';

/**
 * Issue #9, "Threads and the schedule": a thread goes out whole at one slot, its parts at the
 * channel's pacing, in any mode of the channel; the daily cap is reserved for all its parts, so a
 * thread waits whole rather than being cut; a thread already begun is finished whatever the cap; a
 * thread longer than the whole cap is refused when it is queued. Real use cases, the SQLite store on
 * a temp file, the real X and Telegram clients against the loopback fakes, a fake clock.
 */

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** How many parts the article makes as a thread on a channel with these settings (the real splitter). */
function threadParts(article: Article, channel: Record<string, unknown>): number {
  const settings = settingsSchema.parse({ channels: [channel] }).channels[0]!;
  return splitForChannels(article, [settings], 'thread')[0]!.result.selected.length;
}

const outcomesOf = (result: SlotResult) => {
  if (result.kind !== 'published')
    throw new Error(`expected a published slot, got ${JSON.stringify(result)}`);
  return result.outcomes;
};

const X_MAIN = { id: 'x-main', platform: 'twitter', mode: 'quotes', schedule: '0 * * * *' };

describe('the daily cap and a thread', () => {
  it('a thread the cap left cannot cover waits whole, then goes out whole at one slot; the preview said so', async () => {
    const thread = makeArticle(2, { paragraphs: 8 });
    const parts = threadParts(thread, X_MAIN);
    const quotes = 5;
    // The day's quotes leave two posts fewer than the thread needs.
    const cap = quotes + parts - 2;
    const w = await createWorld({
      start: '2026-03-10T07:59:30Z',
      channels: [{ ...X_MAIN, dailyCap: cap, quotesPerArticle: quotes }],
    });
    world = w;
    const q1 = queued(await w.enqueue(makeArticle(1)));
    const t = queued(await w.enqueue(thread, { mode: 'thread' }));
    const q2 = queued(await w.enqueue(makeArticle(3)));
    expect(await w.posts(q1.articleId, 'x-main')).toHaveLength(quotes);
    expect(await w.posts(t.articleId, 'x-main')).toHaveLength(parts);
    expect(parts).toBeGreaterThanOrEqual(4);

    const channel = w.runtime.deps.channels[0]!;
    const plan = await planSlots(w.runtime.deps, channel, await w.runtime.store.upcoming('x-main', 500), {
      minSlots: 24,
    });
    const waits = `thread of ${parts} parts waits: ${parts - 2} left of the daily cap of ${cap}`;

    const slots = nextSlots('0 * * * *', 'UTC', w.clock.now(), 24);
    const results: SlotResult[] = [];
    const told: (string | undefined)[] = [];
    for (const at of slots) {
      w.clock.set(at);
      told.push(await threadCapWait(w.runtime.deps, 'x-main'));
      results.push(await runChannelSlot(w.runtime.deps, 'x-main'));
    }
    // What `status` says before each slot: only while the thread waits.
    expect(told).toEqual([
      ...Array(quotes).fill(undefined),
      ...Array(16 - quotes).fill(waits),
      ...Array(8).fill(undefined),
    ]);

    // 08:00-12:00: the five quotes of the first article, one per slot.
    const tweets = w.x.tweets;
    const q1Posts = await w.posts(q1.articleId, 'x-main');
    expect(tweets.slice(0, quotes).map((tw) => [tw.text, tw.at])).toEqual(
      q1Posts.map((p, i) => [p.text, slots[i]]),
    );
    // 13:00-23:00: 8 parts left of the cap, the thread needs 10: it waits, and so does the queue.
    for (const result of results.slice(quotes, 16))
      expect(result).toEqual({ kind: 'idle', why: 'daily-cap', detail: waits });
    // Midnight: the cap is new and the thread goes out whole, as one reply chain, at that one slot.
    const midnight = slots[16]!;
    expect(midnight.toISOString()).toBe('2026-03-11T00:00:00.000Z');
    expect(outcomesOf(results[16]!).map((o) => o.kind)).toEqual(Array(parts).fill('sent'));
    const chain = tweets.slice(quotes, quotes + parts);
    const tPosts = await w.posts(t.articleId, 'x-main');
    expect(chain.map((tw) => tw.text)).toEqual(tPosts.map((p) => p.text));
    expect(chain.every((tw) => tw.at.getTime() === midnight.getTime())).toBe(true);
    expect(chain[0]!.replyTo).toBeUndefined();
    for (let i = 1; i < parts; i++) expect(chain[i]!.replyTo).toBe(chain[i - 1]!.id);
    expect(tPosts.map((p) => [p.state, p.remoteId])).toEqual(chain.map((tw) => ['sent', tw.id]));
    // 01:00: back to quotes, one per slot.
    expect(tweets[quotes + parts]!.text).toBe((await w.posts(q2.articleId, 'x-main'))[0]!.text);
    expect(tweets[quotes + parts]!.at).toEqual(slots[17]);

    // The preview made before any of it said exactly this: every post at the slot it went out at,
    // and why the afternoon slots stay empty.
    const sentAt = new Map(tweets.map((tw) => [tw.text, tw.at.getTime()]));
    for (const post of [...q1Posts, ...tPosts])
      expect(plan.timeOf.get(post.id)?.getTime(), `post ${post.seq}/${post.total}`).toBe(
        sentAt.get(post.text),
      );
    const afternoon = plan.slots.filter((s) => s.at >= slots[quotes]! && s.at < midnight);
    expect(afternoon).toHaveLength(11);
    for (const s of afternoon)
      expect(s).toMatchObject({ posts: [], blocked: 'daily cap reached', reason: waits });
    expect(plan.slots[16]!.posts.map((p) => p.id)).toEqual(tPosts.map((p) => p.id));
  });

  it('a thread already begun is finished whatever the cap: an admin retries a part that failed for good', async () => {
    const thread = makeArticle(5, { paragraphs: 5 });
    const parts = threadParts(thread, X_MAIN);
    const cap = parts + 1;
    const w = await createWorld({
      start: '2026-03-10T07:59:30Z',
      channels: [{ ...X_MAIN, dailyCap: cap, quotesPerArticle: 10 }],
    });
    world = w;
    const t = queued(await w.enqueue(thread, { mode: 'thread' }));
    const q = queued(await w.enqueue(makeArticle(6, { paragraphs: 8 })));
    const tPosts = await w.posts(t.articleId, 'x-main');
    expect(parts).toBeGreaterThanOrEqual(4);
    expect((await w.posts(q.articleId, 'x-main')).length).toBeGreaterThanOrEqual(cap - 2);
    const slots = nextSlots('0 * * * *', 'UTC', w.clock.now(), 24);
    const at = async (i: number) => {
      w.clock.set(slots[i]!);
      return await runChannelSlot(w.runtime.deps, 'x-main');
    };
    // X refuses part 3 for good: the thread stops there, and its later parts wait with it.
    w.x.failNext({
      match: (r) => r.path === '/2/tweets' && (r.body as { text?: string }).text === tPosts[2]!.text,
      fault: { kind: 'forbidden', variant: 'not-permitted' },
    });
    expect(outcomesOf(await at(0)).map((o) => o.kind)).toEqual(['sent', 'sent', 'failed']);
    expect(w.alerts.map((a) => [a.kind, a.postId])).toEqual([['failed', tPosts[2]!.id]]);

    // Meanwhile the channel goes on with the next article, never with part 4 of a headless thread,
    // until the day's cap is used up.
    let slot = 1;
    for (; (await dailyCapLeft(w.runtime.deps, 'x-main')) > 0; slot++) {
      const [outcome] = outcomesOf(await at(slot));
      expect(outcome).toMatchObject({ kind: 'sent', post: { articleId: q.articleId } });
    }
    expect(slot).toBe(cap - 1);
    expect(await at(slot++)).toMatchObject({ kind: 'idle', why: 'daily-cap' });
    expect((await w.posts(t.articleId, 'x-main')).map((p) => p.state)).toEqual([
      'sent',
      'sent',
      'failed',
      ...Array(parts - 3).fill('queued'),
    ]);
    const channel = w.runtime.deps.channels[0]!;
    const held = await planSlots(w.runtime.deps, channel, await w.runtime.store.upcoming('x-main', 500), {
      minSlots: 0,
    });
    expect(held.held).toEqual([
      { articleId: t.articleId, reason: `thread of ${parts - 2} parts waits for an admin: part 3 is failed` },
    ]);

    // The admin retries part 3. Nothing of the cap is left, but the thread is half told: it is
    // finished at the next slot, replying to part 2, and the preview says so too.
    expect((await retryPost(w.runtime.store, tPosts[2]!.id, w.clock.now())).ok).toBe(true);
    const plan = await planSlots(w.runtime.deps, channel, await w.runtime.store.upcoming('x-main', 500), {
      minSlots: 1,
    });
    expect(plan.slots[0]!.posts.map((p) => p.id)).toEqual(tPosts.slice(2).map((p) => p.id));
    const before = w.x.tweets.length;
    expect(outcomesOf(await at(slot++)).map((o) => o.kind)).toEqual(Array(parts - 2).fill('sent'));
    const rest = w.x.tweets.slice(before);
    expect(rest.map((tw) => tw.text)).toEqual(tPosts.slice(2).map((p) => p.text));
    expect(rest[0]!.replyTo).toBe((await w.runtime.store.getPost(tPosts[1]!.id))!.remoteId);
    for (let i = 1; i < rest.length; i++) expect(rest[i]!.replyTo).toBe(rest[i - 1]!.id);
    expect((await w.posts(t.articleId, 'x-main')).every((p) => p.state === 'sent')).toBe(true);
    // The quotes still respect the cap.
    expect(await at(slot)).toMatchObject({ kind: 'idle', why: 'daily-cap' });
    expect(w.x.tweets).toHaveLength(before + parts - 2);
  });
});

describe('a thread on a quotes channel', () => {
  it('goes out whole at one slot, its parts at Telegram pacing (1 s apart, 20 a minute), as a reply chain', async () => {
    const channel = {
      id: 'tg-quotes',
      platform: 'telegram',
      chat: '@quotecast_quotes',
      mode: 'quotes',
      schedule: '0 * * * *',
      targetLength: 160,
    };
    const thread = makeArticle(7, { paragraphs: 12 });
    const parts = threadParts(thread, channel);
    // More than Telegram's 20 messages a minute to one chat, so the per-minute window matters too.
    expect(parts).toBeGreaterThan(20);
    const w = await createWorld({
      start: '2026-03-10T07:59:30Z',
      channels: [channel],
      pacing: TELEGRAM_PACING,
      autoAdvance: true,
    });
    world = w;
    const t = queued(await w.enqueue(thread, { mode: 'thread' }));
    queued(await w.enqueue(makeArticle(8)));
    w.clock.set(new Date('2026-03-10T08:00:00Z'));

    const outcomes = outcomesOf(await runChannelSlot(w.runtime.deps, 'tg-quotes'));
    expect(outcomes.map((o) => o.kind)).toEqual(Array(parts).fill('sent'));
    const sent = w.telegram.sentMessages;
    const tPosts = await w.posts(t.articleId, 'tg-quotes');
    expect(sent.map((m) => m.shownText)).toEqual(tPosts.map((p) => p.text));
    expect(tPosts.map((p) => p.remoteId)).toEqual(sent.map((m) => String(m.messageId)));
    expect(sent[0]!.replyTo).toBeUndefined();
    for (let i = 1; i < sent.length; i++) {
      expect(sent[i]!.replyTo).toBe(sent[i - 1]!.messageId);
      expect(sent[i]!.at.getTime() - sent[i - 1]!.at.getTime()).toBeGreaterThanOrEqual(1000);
    }
    for (let i = 20; i < sent.length; i++)
      expect(sent[i]!.at.getTime() - sent[i - 20]!.at.getTime()).toBeGreaterThanOrEqual(MINUTE);
    // All of it well before the next slot; the other article's quote waits for that slot.
    expect(sent.at(-1)!.at.getTime()).toBeLessThan(new Date('2026-03-10T09:00:00Z').getTime());
    w.clock.set(new Date('2026-03-10T09:00:00Z'));
    expect(outcomesOf(await runChannelSlot(w.runtime.deps, 'tg-quotes'))).toHaveLength(1);
    expect(w.telegram.sentMessages.at(-1)!.replyTo).toBeUndefined();
  });
});

describe('a thread longer than the daily cap', () => {
  it('is refused when queued, on every channel at once, with its length, the cap and the fix', async () => {
    const thread = makeArticle(9, { paragraphs: 6 });
    const parts = threadParts(thread, X_MAIN);
    const w = await createWorld({
      start: '2026-03-10T08:00:00Z',
      channels: [
        { ...X_MAIN, dailyCap: parts - 1 },
        {
          id: 'tg-thread',
          platform: 'telegram',
          chat: '@quotecast_thread',
          mode: 'thread',
          schedule: '0 * * * *',
        },
      ],
    });
    world = w;
    const queue = async (mode?: 'thread' | 'quotes') =>
      (
        await enqueueArticle(w.runtime.store, {
          article: thread,
          channels: w.config.channels,
          ...(mode ? { mode } : {}),
          approved: true,
          now: w.clock.now(),
        })
      ).result;

    const refused = await queue('thread');
    expect(refused).toMatchObject({
      kind: 'thread-over-cap',
      problems: [{ channelId: 'x-main', parts, dailyCap: parts - 1, targetLength: 280, maxLength: 280 }],
    });
    if (refused.kind !== 'thread-over-cap') throw new Error('refused above');
    expect(refused.message).toBe(
      `x-main: a thread of ${parts} parts is longer than the daily cap of ${parts - 1} posts, so it could never go out whole; raise dailyCap to ${parts} or more (targetLength is already 280, the platform's limit)`,
    );
    // Nothing stored, not even for the channel where it would fit.
    expect(await w.runtime.store.listArticles(10)).toEqual([]);
    expect((await w.runtime.store.countsByState()).queued).toBe(0);

    // In each channel's own mode it fits (quotes go one per slot): queued on both.
    const accepted = await queue();
    expect(accepted.kind).toBe('queued');
    expect((await w.runtime.store.countsByState('tg-thread')).queued).toBeGreaterThan(0);
  });

  it('one queued before the cap was lowered is passed over, and the preview and the slot say why', async () => {
    const w = await createWorld({
      start: '2026-03-10T07:59:30Z',
      channels: [{ ...X_MAIN, dailyCap: 3 }],
    });
    world = w;
    // Stored directly, as an older version (or a higher cap) queued it: five parts, cap three.
    const old = await w.runtime.store.enqueueArticle(
      { contentHash: 'old-thread', title: 'An old long thread' },
      [
        {
          channelId: 'x-main',
          mode: 'thread',
          posts: [1, 2, 3, 4, 5].map((n) => ({ text: `Old thread, part ${n} of 5.`, length: 24 })),
        },
      ],
      { now: w.clock.now(), approved: true },
    );
    const oldId = queued(old).articleId;
    const next = queued(await w.enqueue(makeArticle(10)));
    const too = `thread of 5 parts is longer than the daily cap of 3: raise dailyCap or skip parts of it`;

    const channel = w.runtime.deps.channels[0]!;
    const plan = await planSlots(w.runtime.deps, channel, await w.runtime.store.upcoming('x-main', 500), {
      minSlots: 3,
    });
    expect(plan.held).toEqual([{ articleId: oldId, reason: too }]);
    expect(plan.slots.map((s) => s.posts.map((p) => p.articleId))).toEqual([
      [next.articleId],
      [next.articleId],
      [next.articleId],
    ]);

    w.clock.set(new Date('2026-03-10T08:00:00Z'));
    const [outcome] = outcomesOf(await runChannelSlot(w.runtime.deps, 'x-main'));
    expect(outcome).toMatchObject({ kind: 'sent', post: { articleId: next.articleId } });
    expect(w.x.tweets.map((tw) => tw.text)).toEqual([(await w.posts(next.articleId, 'x-main'))[0]!.text]);
    expect((await w.posts(oldId, 'x-main')).every((p) => p.state === 'queued')).toBe(true);

    // With the other article gone, the slot says what holds the old thread.
    for (const post of await w.posts(next.articleId, 'x-main')) await w.runtime.store.skip(post.id);
    w.clock.advance(HOUR);
    expect(await runChannelSlot(w.runtime.deps, 'x-main')).toEqual({
      kind: 'idle',
      why: 'nothing-due',
      detail: `article ${oldId}: ${too}`,
    });
  });
});
