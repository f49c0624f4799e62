import { afterEach, describe, expect, it } from 'vitest';
import type { ChannelSettings } from '../../src/config/config-schema.js';
import type { Article } from '../../src/domain/article.js';
import {
  executePublishNow,
  type PublishNowPlan,
  type PublishNowReady,
  type PublishNowRequest,
  type PublishNowResult,
  planPublishNow,
} from '../../src/use-cases/plan-publish-now.js';
import type { ChannelReport, PublishNowEvent } from '../../src/use-cases/publish-now.js';
import { makeArticle } from '../helpers/articles.js';
import { createWorld, queued, TG_QUOTES, TG_THREAD, type World, X_THREAD } from '../helpers/world.js';

/**
 * The publish-now flow as a use case (plan, then execute), without the CLI: the real SQLite store
 * on a temp file and the real twitter-api-v2 and telegraf publishers against the loopback fakes.
 * Assertions are on what the fakes received and what the store holds.
 */

let world: World | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function setUp(channels: readonly Record<string, unknown>[]): Promise<World> {
  world = await createWorld({ start: '2026-03-10T12:00:00Z', channels });
  return world;
}

function channels(w: World, ...ids: string[]): ChannelSettings[] {
  return ids.map((id) => w.config.channels.find((c) => c.id === id)!);
}

async function plan(w: World, request: Omit<PublishNowRequest, 'channels'> & { channels: string[] }) {
  return await planPublishNow(w.runtime.deps, { ...request, channels: channels(w, ...request.channels) });
}

function ready(p: PublishNowPlan): PublishNowReady {
  if (p.kind !== 'ready') throw new Error(`expected a plan ready to run, got ${p.kind}`);
  return p;
}

function reportsOf(result: PublishNowResult): readonly ChannelReport[] {
  if (result.kind !== 'published') throw new Error(`expected a publish, got ${JSON.stringify(result)}`);
  return result.reports;
}

async function execute(w: World, p: PublishNowReady, signal?: AbortSignal) {
  const events: PublishNowEvent[] = [];
  const result = await executePublishNow(w.runtime.deps, p, {
    maxWaitMs: 0,
    onEvent: (event) => events.push(event),
    ...(signal ? { signal } : {}),
  });
  return { result, events };
}

const articleIds = async (w: World) => (await w.runtime.store.listArticles(100)).map((a) => a.id);
const sendCalls = (w: World) => w.telegram.calls.filter((c) => c.method === 'sendMessage');

function expectReplyChain(tweets: readonly { id: string; replyTo: string | undefined }[]) {
  expect(tweets[0]!.replyTo).toBeUndefined();
  for (let i = 1; i < tweets.length; i++) expect(tweets[i]!.replyTo).toBe(tweets[i - 1]!.id);
}

describe('publish now, planned then executed', () => {
  it('plans a fresh article without queuing anything, then queues and publishes it on every channel', async () => {
    const w = await setUp([X_THREAD, TG_QUOTES]);
    const article = makeArticle(1, { paragraphs: 4 });
    const planned = await plan(w, { article, channels: ['tg-quotes', 'x-thread'] });
    // Not asked to settle interrupted posts (a daemon may be running): nothing was recovered.
    expect(planned.recovered).toBeUndefined();
    const p = ready(planned);
    expect(p.existing.size).toBe(0);
    expect(p.fresh.map((c) => c.id)).toEqual(['tg-quotes', 'x-thread']);
    // The preview's split, and nothing stored or sent before the caller says yes.
    const thread = p.splits.find((s) => s.channel.id === 'x-thread')!.result.selected;
    const quotes = p.splits.find((s) => s.channel.id === 'tg-quotes')!.result.selected;
    expect(thread.length).toBeGreaterThanOrEqual(3);
    expect(await articleIds(w)).toEqual([]);
    expect(w.x.tweets).toHaveLength(0);

    const { result, events } = await execute(w, p);
    const reports = reportsOf(result);
    // In the order the channels were asked for, not the order they finished in.
    expect(reports.map((r) => [r.channelId, r.sent, r.total, r.alreadyThere, r.notSent.length])).toEqual([
      ['tg-quotes', quotes.length, quotes.length, 0, 0],
      ['x-thread', thread.length, thread.length, 0, 0],
    ]);
    expect(w.x.tweets.map((t) => t.text)).toEqual(thread.map((post) => post.text));
    expectReplyChain(w.x.tweets);
    expect(w.telegram.sentMessages.map((m) => m.shownText)).toEqual(quotes.map((post) => post.text));
    expect(events.filter((e) => e.kind === 'sent')).toHaveLength(thread.length + quotes.length);
    const [articleId] = await articleIds(w);
    for (const id of ['x-thread', 'tg-quotes'])
      expect((await w.posts(articleId!, id)).every((post) => post.state === 'sent' && post.approved)).toBe(
        true,
      );
  });

  it('refuses an article already queued on a channel, naming the stored copy, and changes nothing', async () => {
    const w = await setUp([X_THREAD, TG_QUOTES]);
    const article = makeArticle(2);
    const { articleId } = queued(await w.enqueue(article, { channels: ['x-thread'] }));
    const before = await w.posts(articleId, 'x-thread');

    const p = await plan(w, { article, channels: ['x-thread', 'tg-quotes'] });
    expect(p.kind).toBe('duplicate');
    if (p.kind !== 'duplicate') return;
    expect([...p.existing]).toEqual([['x-thread', articleId]]);
    expect(await articleIds(w)).toEqual([articleId]);
    expect(await w.posts(articleId, 'x-thread')).toEqual(before);
    expect(w.x.tweets).toHaveLength(0);
    expect(sendCalls(w)).toHaveLength(0);
  });

  it('resumes a half-sent thread: only the rest goes out, replying to the last published tweet', async () => {
    const w = await setUp([X_THREAD]);
    const article = makeArticle(3, { paragraphs: 5 });
    const first = ready(await plan(w, { article, channels: ['x-thread'] }));
    const total = first.splits[0]!.result.selected.length;
    expect(total).toBeGreaterThanOrEqual(4);
    // Interrupted (Ctrl-C) once the second tweet is on X: the post in flight finishes, nothing new starts.
    const stop = new AbortController();
    const unsubscribe = w.x.onTweet(() => {
      if (w.x.tweets.length === 2) stop.abort();
    });
    const partial = reportsOf((await execute(w, first, stop.signal)).result);
    unsubscribe();
    expect(partial).toHaveLength(1);
    expect(partial[0]).toMatchObject({
      channelId: 'x-thread',
      sent: 2,
      total,
      stoppedBecause: 'interrupted',
    });
    expect(partial[0]!.notSent).toHaveLength(total - 2);

    // Without --resume it is a duplicate; with it, the plan shows the copy with what is already sent.
    expect((await plan(w, { article, channels: ['x-thread'] })).kind).toBe('duplicate');
    const again = ready(await plan(w, { article, channels: ['x-thread'], resume: true }));
    const [articleId] = await articleIds(w);
    expect(again.fresh).toEqual([]);
    expect(again.splits).toEqual([]);
    const copy = again.existing.get('x-thread')!;
    expect(copy.articleId).toBe(articleId);
    expect(copy.posts.map((post) => post.state)).toEqual(
      Array.from({ length: total }, (_, i) => (i < 2 ? 'sent' : 'queued')),
    );

    const reports = reportsOf((await execute(w, again)).result);
    expect(reports.map((r) => [r.channelId, r.sent, r.total, r.notSent.length])).toEqual([
      ['x-thread', total, total, 0],
    ]);
    expect(w.x.tweets.map((t) => t.text)).toEqual(copy.posts.map((post) => post.text));
    expectReplyChain(w.x.tweets);
    expect(await articleIds(w)).toEqual([articleId]);
  });

  it('--force queues a new copy; X answers "already there" and the report counts those apart', async () => {
    const w = await setUp([X_THREAD]);
    const article = makeArticle(4, { paragraphs: 3 });
    const once = reportsOf(
      (await execute(w, ready(await plan(w, { article, channels: ['x-thread'] })))).result,
    );
    const total = once[0]!.total;
    expect(w.x.tweets).toHaveLength(total);

    const forced = ready(await plan(w, { article, channels: ['x-thread'], force: true }));
    expect(forced.existing.size).toBe(0);
    expect(forced.fresh.map((c) => c.id)).toEqual(['x-thread']);
    const { result, events } = await execute(w, forced);
    expect(reportsOf(result).map((r) => [r.sent, r.total, r.alreadyThere, r.notSent.length])).toEqual([
      [total, total, total, 0],
    ]);
    expect(events.every((e) => e.kind === 'sent' && e.duplicate)).toBe(true);
    // Two stored copies; X was asked again for every post but holds each text once.
    expect(await articleIds(w)).toHaveLength(2);
    expect(w.x.requests.filter((r) => r.method === 'POST' && r.path === '/2/tweets')).toHaveLength(total * 2);
    expect(w.x.tweets).toHaveLength(total);
  });

  it('channels sharing a stored copy are resumed together, beside a channel holding another copy', async () => {
    const w = await setUp([X_THREAD, TG_THREAD, TG_QUOTES]);
    const article = makeArticle(5, { paragraphs: 3 });
    const { articleId: older } = queued(await w.enqueue(article, { channels: ['x-thread', 'tg-thread'] }));
    // A later --force queued a second copy on tg-thread and tg-quotes: that is the one to finish there.
    const forced = await w.enqueue(article, { channels: ['tg-thread', 'tg-quotes'], force: true });
    const { articleId: newer } = queued(forced);
    expect(newer).not.toBe(older);

    const p = ready(
      await plan(w, { article, channels: ['tg-quotes', 'x-thread', 'tg-thread'], resume: true }),
    );
    expect([...p.existing].map(([id, copy]) => [id, copy.articleId])).toEqual([
      ['tg-quotes', newer],
      ['x-thread', older],
      ['tg-thread', newer],
    ]);
    expect(p.fresh).toEqual([]);

    const reports = reportsOf((await execute(w, p)).result);
    expect(reports.map((r) => [r.channelId, r.sent === r.total, r.notSent.length])).toEqual([
      ['tg-quotes', true, 0],
      ['x-thread', true, 0],
      ['tg-thread', true, 0],
    ]);
    const states = async (articleId: number, channelId: string) =>
      new Set((await w.posts(articleId, channelId)).map((post) => post.state));
    expect(await states(older, 'x-thread')).toEqual(new Set(['sent']));
    expect(await states(newer, 'tg-thread')).toEqual(new Set(['sent']));
    expect(await states(newer, 'tg-quotes')).toEqual(new Set(['sent']));
    // The older copy on tg-thread is not sent a second time.
    expect(await states(older, 'tg-thread')).toEqual(new Set(['queued']));
    expect(w.x.tweets.map((t) => t.text)).toEqual(
      (await w.posts(older, 'x-thread')).map((post) => post.text),
    );
    expectReplyChain(w.x.tweets);
    const chats = w.telegram.sentMessages.map((m) => m.chatId);
    expect(chats.filter((c) => c === '@quotecast_thread')).toHaveLength(
      (await w.posts(newer, 'tg-thread')).length,
    );
    expect(chats.filter((c) => c === '@quotecast_quotes')).toHaveLength(
      (await w.posts(newer, 'tg-quotes')).length,
    );
  });

  it('a channel new to an article joins its stored copy when the others resume it', async () => {
    const w = await setUp([X_THREAD, TG_QUOTES]);
    const article = makeArticle(8, { paragraphs: 3 });
    const { articleId } = queued(await w.enqueue(article, { channels: ['x-thread'] }));
    const p = ready(await plan(w, { article, channels: ['x-thread', 'tg-quotes'], resume: true }));
    expect([...p.existing.keys()]).toEqual(['x-thread']);
    expect(p.fresh.map((c) => c.id)).toEqual(['tg-quotes']);
    const quotes = p.splits[0]!.result.selected;

    const reports = reportsOf((await execute(w, p)).result);
    expect(reports.map((r) => [r.channelId, r.sent === r.total, r.notSent.length])).toEqual([
      ['x-thread', true, 0],
      ['tg-quotes', true, 0],
    ]);
    expect(await articleIds(w)).toEqual([articleId]);
    expect((await w.posts(articleId, 'tg-quotes')).map((post) => [post.text, post.state])).toEqual(
      quotes.map((post) => [post.text, 'sent']),
    );
    expect(w.telegram.sentMessages.map((m) => m.shownText)).toEqual(quotes.map((post) => post.text));
  });

  it('an article queued by someone else between plan and execute is a typed duplicate; nothing is sent', async () => {
    const w = await setUp([X_THREAD]);
    const article: Article = makeArticle(6);
    const p = ready(await plan(w, { article, channels: ['x-thread'] }));
    // The daemon's Telegram /add queues it while the user reads the preview.
    const { articleId } = queued(await w.enqueue(article));
    const { result, events } = await execute(w, p);
    expect(result).toEqual({ kind: 'duplicate', existing: new Map([['x-thread', articleId]]) });
    expect(events).toEqual([]);
    expect(await articleIds(w)).toEqual([articleId]);
    expect(w.x.tweets).toHaveLength(0);
  });

  it('refuses a thread longer than a channel’s daily cap before anything is queued', async () => {
    const w = await setUp([{ ...X_THREAD, dailyCap: 2 }, TG_QUOTES]);
    const p = await plan(w, {
      article: makeArticle(7, { paragraphs: 5 }),
      channels: ['tg-quotes', 'x-thread'],
    });
    expect(p.kind).toBe('thread-over-cap');
    if (p.kind !== 'thread-over-cap') return;
    expect(p.problems.map((problem) => [problem.channelId, problem.dailyCap])).toEqual([['x-thread', 2]]);
    expect(p.message).toMatch(/^x-thread: a thread of \d+ parts is longer than the daily cap of 2 posts/);
    expect(await articleIds(w)).toEqual([]);
  });
});
