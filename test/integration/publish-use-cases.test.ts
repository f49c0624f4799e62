import { afterEach, describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../src/domain/schedule.js';
import { pauseChannel, resolveUnknown, resumeChannel } from '../../src/use-cases/admin-actions.js';
import { publishPost } from '../../src/use-cases/publish-post.js';
import { recoverInterrupted } from '../../src/use-cases/recover-interrupted.js';
import { runChannelSlot, type SlotResult } from '../../src/use-cases/run-channel-slot.js';
import { makeArticle } from '../helpers/articles.js';
import { waitUntil } from '../helpers/quotecast-process.js';
import { createSeededRandom } from '../helpers/seeded-random.js';
import {
  createWorld,
  queued,
  TG_QUOTES,
  TG_THREAD,
  type World,
  type WorldOptions,
  X_QUOTES,
  X_THREAD,
} from '../helpers/world.js';

/**
 * The publishing use cases end to end: the real SQLite store on a temp file, the real twitter-api-v2
 * and telegraf publishers against the loopback fakes, a fake clock. Assertions are on what the fakes
 * received and what the store holds.
 */

let world: World | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function setUp(options: Partial<WorldOptions> & Pick<WorldOptions, 'channels'>): Promise<World> {
  world = await createWorld({ start: '2026-03-10T12:00:00Z', ...options });
  return world;
}

const slot = async (w: World, channelId: string): Promise<SlotResult> =>
  await runChannelSlot(w.runtime.deps, channelId);
const tweetRequests = (w: World) => w.x.requests.filter((r) => r.method === 'POST' && r.path === '/2/tweets');
const sendCalls = (w: World) => w.telegram.calls.filter((c) => c.method === 'sendMessage');
const hours = (n: number) => n * 3_600_000;

function outcomesOf(result: SlotResult) {
  if (result.kind !== 'published')
    throw new Error(`expected a published slot, got ${JSON.stringify(result)}`);
  return result.outcomes;
}

describe('quotes and thread modes', () => {
  it('quotes mode publishes exactly one post per slot, in queue order', async () => {
    const w = await setUp({ channels: [X_QUOTES] });
    const first = queued(await w.enqueue(makeArticle(1)));
    const second = queued(await w.enqueue(makeArticle(2)));
    const queue = [
      ...(await w.posts(first.articleId, 'x-quotes')),
      ...(await w.posts(second.articleId, 'x-quotes')),
    ];
    expect(queue.length).toBeGreaterThan(5);

    for (let i = 0; i < queue.length; i++) {
      const result = await slot(w, 'x-quotes');
      expect(outcomesOf(result)).toHaveLength(1);
      expect(w.x.tweets).toHaveLength(i + 1);
      w.clock.advance(hours(1));
    }
    expect(w.x.tweets.map((t) => t.text)).toEqual(queue.map((p) => p.text));
    expect(w.x.tweets.every((t) => t.replyTo === undefined)).toBe(true);
    const stored = [
      ...(await w.posts(first.articleId, 'x-quotes')),
      ...(await w.posts(second.articleId, 'x-quotes')),
    ];
    expect(stored.map((p) => [p.state, p.remoteId])).toEqual(w.x.tweets.map((t) => ['sent', t.id]));
    expect(await slot(w, 'x-quotes')).toEqual({ kind: 'idle', why: 'nothing-due' });
  });

  it('thread mode publishes the whole next thread at one slot as a reply chain on X', async () => {
    const w = await setUp({ channels: [X_THREAD] });
    const first = queued(await w.enqueue(makeArticle(1, { paragraphs: 5 })));
    const second = queued(await w.enqueue(makeArticle(2, { paragraphs: 3 })));
    const thread = await w.posts(first.articleId, 'x-thread');
    expect(thread.length).toBeGreaterThanOrEqual(3);

    expect(outcomesOf(await slot(w, 'x-thread'))).toHaveLength(thread.length);
    expect(w.x.tweets.map((t) => t.text)).toEqual(thread.map((p) => p.text));
    expect(w.x.tweets[0]!.replyTo).toBeUndefined();
    for (let i = 1; i < w.x.tweets.length; i++) expect(w.x.tweets[i]!.replyTo).toBe(w.x.tweets[i - 1]!.id);
    expect((await w.posts(first.articleId, 'x-thread')).map((p) => p.remoteId)).toEqual(
      w.x.tweets.map((t) => t.id),
    );
    // The next article waits for the next slot, and starts a new chain.
    expect((await w.posts(second.articleId, 'x-thread')).every((p) => p.state === 'queued')).toBe(true);

    w.clock.advance(hours(1));
    await slot(w, 'x-thread');
    const next = w.x.tweets.slice(thread.length);
    expect(next.map((t) => t.text)).toEqual((await w.posts(second.articleId, 'x-thread')).map((p) => p.text));
    expect(next[0]!.replyTo).toBeUndefined();
    expect(next[1]!.replyTo).toBe(next[0]!.id);
  });

  it('thread mode on Telegram replies to the previous message id', async () => {
    const w = await setUp({ channels: [TG_THREAD] });
    const { articleId } = queued(await w.enqueue(makeArticle(3, { paragraphs: 4 })));
    const thread = await w.posts(articleId, 'tg-thread');
    await slot(w, 'tg-thread');
    const sent = w.telegram.sentMessages;
    expect(sent.map((m) => m.shownText)).toEqual(thread.map((p) => p.text));
    expect(sent.every((m) => m.chatId === '@quotecast_thread' && m.parseMode === 'HTML')).toBe(true);
    expect(sent[0]!.replyTo).toBeUndefined();
    for (let i = 1; i < sent.length; i++) expect(sent[i]!.replyTo).toBe(sent[i - 1]!.messageId);
  });

  it('a part waiting for Telegram pacing is still queued; a stop during the wait sends nothing and leaves no unknown', async () => {
    const w = await setUp({
      channels: [TG_THREAD],
      pacing: { perChatIntervalMs: 1000, perChatPerMinute: 20, overallPerSecond: 30 },
    });
    const { articleId } = queued(await w.enqueue(makeArticle(3, { paragraphs: 4 })));
    const thread = await w.posts(articleId, 'tg-thread');
    expect(thread.length).toBeGreaterThan(2);
    const stop = new AbortController();
    const running = runChannelSlot(w.runtime.deps, 'tg-thread', stop.signal);
    // Part 1 goes at once; part 2 waits a second for the chat's turn, and is still queued meanwhile.
    await waitUntil(() => w.telegram.sentMessages.length === 1, 'part 1 sent');
    await w.clock.waitForSleepers(1, 5000);
    expect((await w.posts(articleId, 'tg-thread')).map((p) => p.state)).toEqual(
      thread.map((_, i) => (i === 0 ? 'sent' : 'queued')),
    );
    stop.abort();
    const result = await running;
    expect(result.kind === 'published' && result.outcomes.at(-1)?.kind).toBe('stopped');
    expect(w.telegram.sentMessages).toHaveLength(1);
    // A restart finds nothing of unknown outcome: no admin is asked about a post that never left.
    await w.restart();
    const report = await recoverInterrupted(w.runtime.deps);
    expect([...report.reconciled, ...report.requeued, ...report.askAdmin]).toEqual([]);
    expect(await w.runtime.store.postsInState('unknown', 10)).toEqual([]);
  });

  it('reconciling a post another daemon settled meanwhile (same tweet found) moves on instead of failing', async () => {
    const w = await setUp({ channels: [X_QUOTES] });
    const { articleId } = queued(await w.enqueue(makeArticle(7)));
    const [first, second] = await w.posts(articleId, 'x-quotes');
    // Two posts were in flight when their daemon died; both tweets arrived.
    for (const post of [first!, second!]) {
      await w.runtime.store.lease(post.id, w.clock.now());
      w.x.addTweet(post.text);
    }
    // Another daemon sharing the store settles the first one between this run's read and its write.
    const store = w.runtime.store;
    const racing = new Proxy(store, {
      get(target, key) {
        const value = Reflect.get(target, key, target) as unknown;
        if (key !== 'resolveUnknownAsSent' || typeof value !== 'function') return value;
        return async (postId: number, receipt: { remoteId: string | null; publishedAt: Date }) => {
          if (postId === first!.id) await target.resolveUnknownAsSent(postId, receipt);
          return await value.call(target, postId, receipt);
        };
      },
    });
    const report = await recoverInterrupted({ ...w.runtime.deps, store: racing });
    expect(report.reconciled.map((p) => p.id)).toEqual([second!.id]);
    expect((await store.getPost(first!.id))?.state).toBe('sent');
    expect((await store.getPost(second!.id))?.state).toBe('sent');
    expect(w.x.tweets).toHaveLength(2);
  });

  it('a thread cut by an outage resumes after a restart, replying to the stored id of the last part sent', async () => {
    const w = await setUp({
      channels: [X_THREAD],
      settings: { retry: { maxAttempts: 5, baseDelaySeconds: 60, maxDelaySeconds: 600 } },
    });
    const { articleId } = queued(await w.enqueue(makeArticle(4, { paragraphs: 5 })));
    queued(await w.enqueue(makeArticle(5, { paragraphs: 2 })));
    const thread = await w.posts(articleId, 'x-thread');
    // The third part meets a 503.
    w.x.failNext({
      match: (r) => r.path === '/2/tweets' && (r.body as { text?: string }).text === thread[2]!.text,
      fault: { kind: 'server-error', status: 503 },
    });

    const outcomes = outcomesOf(await slot(w, 'x-thread'));
    expect(outcomes.map((o) => o.kind)).toEqual(['sent', 'sent', 'retry']);
    expect(w.x.tweets).toHaveLength(2);
    const retryAt = (await w.runtime.store.getPost(thread[2]!.id))!.nextAttemptAt!;
    expect(retryAt.getTime()).toBeGreaterThan(w.clock.now().getTime());

    // Before the retry time nothing goes out: not the rest of this thread, not the next article.
    await w.restart();
    w.clock.set(new Date(retryAt.getTime() - 1000));
    expect(await slot(w, 'x-thread')).toMatchObject({ kind: 'idle', why: 'nothing-due' });
    expect(tweetRequests(w)).toHaveLength(3);

    w.clock.set(retryAt);
    const resumed = outcomesOf(await slot(w, 'x-thread'));
    expect(resumed.map((o) => o.kind)).toEqual(['sent', 'sent', 'sent']);
    const tweets = w.x.tweets;
    expect(tweets.map((t) => t.text)).toEqual(thread.map((p) => p.text));
    expect(tweets[2]!.replyTo).toBe((await w.runtime.store.getPost(thread[1]!.id))!.remoteId);
    for (let i = 1; i < tweets.length; i++) expect(tweets[i]!.replyTo).toBe(tweets[i - 1]!.id);
  });
  it('a thread held by a part of unknown outcome waits for an admin while the channel goes on', async () => {
    const w = await setUp({ channels: [TG_THREAD] });
    const a = queued(await w.enqueue(makeArticle(40, { paragraphs: 3 })));
    const b = queued(await w.enqueue(makeArticle(41, { paragraphs: 2 })));
    const [a1, a2, a3] = await w.posts(a.articleId, 'tg-thread');
    // Part 1 went out; the process died while sending part 2.
    expect(await publishPost(w.runtime.deps, a1!.id)).toMatchObject({ kind: 'sent' });
    await w.runtime.store.lease(a2!.id, w.clock.now());
    await w.restart();
    await recoverInterrupted(w.runtime.deps);
    expect((await w.runtime.store.getPost(a2!.id))!.state).toBe('unknown');
    expect(w.alerts.map((alert) => [alert.kind, alert.postId])).toEqual([['unknown', a2!.id]]);

    // Article 40 cannot go on without a decision; article 41 goes out meanwhile, as its own thread.
    const outcomes = outcomesOf(await slot(w, 'tg-thread'));
    expect(outcomes.map((o) => o.kind === 'sent' && o.post.articleId)).toEqual([b.articleId, b.articleId]);
    expect((await w.runtime.store.getPost(a3!.id))!.state).toBe('queued');
    const bMessages = w.telegram.sentMessages.slice(1);
    expect(bMessages[0]!.replyTo).toBeUndefined();
    expect(bMessages[1]!.replyTo).toBe(bMessages[0]!.messageId);
    w.clock.advance(hours(1));
    expect(await slot(w, 'tg-thread')).toEqual({ kind: 'idle', why: 'nothing-due' });

    // The admin looked: part 2 is not in the channel (it never left), so it is sent again, and part 3
    // after it, both inside the thread. "sent" without part 2's message id is refused: part 3 must
    // reply to it (resolve-remote-id.test.ts).
    expect(await resolveUnknown(w.runtime.store, a2!.id, 'sent', w.clock.now())).toMatchObject({
      ok: false,
      badInput: true,
    });
    expect((await resolveUnknown(w.runtime.store, a2!.id, 'resend', w.clock.now())).ok).toBe(true);
    w.clock.advance(hours(1));
    outcomesOf(await slot(w, 'tg-thread'));
    const [first, , , second, third] = w.telegram.sentMessages;
    expect([second!.shownText, third!.shownText]).toEqual([a2!.text, a3!.text]);
    expect(second!.replyTo).toBe(first!.messageId);
    expect(third!.replyTo).toBe(second!.messageId);
    expect(w.telegram.sentMessages).toHaveLength(5);
  });
});

describe('what each failure does', () => {
  it('rate-limited: requeued at the reset time from the headers, channel paused, no calls until then', async () => {
    const w = await setUp({ channels: [X_QUOTES] });
    const { articleId } = queued(await w.enqueue(makeArticle(6)));
    const [first, second] = await w.posts(articleId, 'x-quotes');
    const reset = Math.floor(w.clock.now().getTime() / 1000) + 40 * 60;
    w.x.failNext({ fault: { kind: 'rate-limit', reset } });

    const [outcome] = outcomesOf(await slot(w, 'x-quotes'));
    expect(outcome).toMatchObject({ kind: 'retry', reason: 'rate-limited', at: new Date(reset * 1000) });
    expect(await w.runtime.store.getPost(first!.id)).toMatchObject({
      state: 'queued',
      nextAttemptAt: new Date(reset * 1000),
    });
    expect(await w.runtime.store.channelState('x-quotes')).toMatchObject({
      paused: true,
      pausedUntil: new Date(reset * 1000),
    });

    const calls = w.x.requests.length;
    for (let minute = 10; minute < 40; minute += 10) {
      w.clock.set(new Date(reset * 1000 - (40 - minute) * 60_000));
      expect(await slot(w, 'x-quotes')).toMatchObject({ kind: 'idle', why: 'paused' });
    }
    expect(w.x.requests).toHaveLength(calls);

    w.clock.set(new Date(reset * 1000));
    expect(outcomesOf(await slot(w, 'x-quotes'))[0]).toMatchObject({ kind: 'sent' });
    expect((await w.runtime.store.channelState('x-quotes')).paused).toBe(false);
    expect(w.x.tweets.map((t) => t.text)).toEqual([first!.text]);
    w.clock.advance(hours(1));
    await slot(w, 'x-quotes');
    expect(w.x.tweets.map((t) => t.text)).toEqual([first!.text, second!.text]);
  });

  it('rate-limited: every channel posting as the same X account waits too, not those of another account', async () => {
    const sameAccount = { ...X_QUOTES, id: 'x-more' };
    const w = await setUp({ channels: [X_QUOTES, sameAccount, X_THREAD] });
    queued(await w.enqueue(makeArticle(6)));
    const reset = Math.floor(w.clock.now().getTime() / 1000) + 40 * 60;
    w.x.failNext({ fault: { kind: 'rate-limit', reset } });

    expect(outcomesOf(await slot(w, 'x-quotes'))[0]).toMatchObject({ kind: 'retry', reason: 'rate-limited' });
    for (const channel of ['x-quotes', 'x-more'])
      expect(await w.runtime.store.channelState(channel)).toMatchObject({
        paused: true,
        pausedUntil: new Date(reset * 1000),
      });
    expect((await w.runtime.store.channelState('x-thread')).paused).toBe(false);
    expect(await slot(w, 'x-more')).toMatchObject({ kind: 'idle', why: 'paused' });
    expect(outcomesOf(await slot(w, 'x-thread'))[0]).toMatchObject({ kind: 'sent' });
  });

  it("rate-limited while an admin pauses the channel: the admin's pause outlasts the reset", async () => {
    const w = await setUp({ channels: [X_QUOTES], xLatencyMs: 200 });
    queued(await w.enqueue(makeArticle(19)));
    const reset = Math.floor(w.clock.now().getTime() / 1000) + 600;
    w.x.failNext({ fault: { kind: 'rate-limit', reset } });
    const running = slot(w, 'x-quotes');
    await waitUntil(() => tweetRequests(w).length === 1, 'the tweet to reach X');
    expect((await pauseChannel(w.runtime.deps, 'x-quotes', 'an editor')).ok).toBe(true);
    expect(outcomesOf(await running)[0]).toMatchObject({ kind: 'retry', reason: 'rate-limited' });

    w.clock.set(new Date(reset * 1000 + 60_000));
    expect(await slot(w, 'x-quotes')).toMatchObject({ kind: 'idle', why: 'paused' });
    expect(await w.runtime.store.channelState('x-quotes')).toMatchObject({
      paused: true,
      pausedUntil: null,
      pauseReason: 'paused by an editor',
    });
    expect(tweetRequests(w)).toHaveLength(1);
  });

  it('rate-limited on Telegram waits for retry_after', async () => {
    const w = await setUp({ channels: [TG_QUOTES] });
    const { articleId } = queued(await w.enqueue(makeArticle(7)));
    w.telegram.failNext({ fault: { kind: 'rate-limit', retryAfter: 90 } });
    const start = w.clock.now().getTime();
    expect(outcomesOf(await slot(w, 'tg-quotes'))[0]).toMatchObject({
      kind: 'retry',
      reason: 'rate-limited',
      at: new Date(start + 90_000),
    });
    w.clock.advance(89_000);
    expect(await slot(w, 'tg-quotes')).toMatchObject({ kind: 'idle', why: 'paused' });
    expect(sendCalls(w)).toHaveLength(1);
    w.clock.advance(1000);
    await slot(w, 'tg-quotes');
    expect(w.telegram.sentMessages.map((m) => m.shownText)).toEqual([
      (await w.posts(articleId, 'tg-quotes'))[0]!.text,
    ]);
  });

  it('unavailable: exponential backoff with seeded jitter, then failed after maxAttempts and an alert', async () => {
    const retry = { maxAttempts: 4, baseDelaySeconds: 10, maxDelaySeconds: 25 };
    const w = await setUp({ channels: [X_QUOTES], settings: { retry }, seed: 7 });
    const { articleId } = queued(await w.enqueue(makeArticle(8)));
    const [post, ...others] = await w.posts(articleId, 'x-quotes');
    const attemptsOfPost = () =>
      tweetRequests(w).filter((r) => (r.body as { text?: string }).text === post!.text);
    w.x.failNext({
      match: (r) => (r.body as { text?: string } | undefined)?.text === post!.text,
      times: 10,
      fault: { kind: 'server-error', status: 503 },
    });
    const expectedJitter = createSeededRandom(7);

    for (let attempt = 1; attempt < retry.maxAttempts; attempt++) {
      const [outcome] = outcomesOf(await slot(w, 'x-quotes'));
      expect(outcome).toMatchObject({ kind: 'retry', reason: 'unavailable', post: { id: post!.id } });
      const at = (await w.runtime.store.getPost(post!.id))!.nextAttemptAt!;
      const delay = at.getTime() - w.clock.now().getTime();
      const ceiling = Math.min(25_000, 10_000 * 2 ** (attempt - 1));
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delay).toBeLessThanOrEqual(ceiling);
      expect(delay).toBe(backoffDelayMs(attempt, 10_000, 25_000, expectedJitter));
      // Before its time the post is not tried again; a quote channel goes on with the next quote.
      w.clock.set(new Date(at.getTime() - 1));
      expect(outcomesOf(await slot(w, 'x-quotes'))[0]).toMatchObject({
        kind: 'sent',
        post: { id: others[attempt - 1]!.id },
      });
      expect(attemptsOfPost()).toHaveLength(attempt);
      w.clock.set(at);
    }

    const [last] = outcomesOf(await slot(w, 'x-quotes'));
    expect(last).toMatchObject({ kind: 'failed', reason: 'unavailable' });
    expect(await w.runtime.store.getPost(post!.id)).toMatchObject({ state: 'failed', attempts: 4 });
    expect(w.alerts).toEqual([
      expect.objectContaining({ kind: 'failed', postId: post!.id, channelId: 'x-quotes' }),
    ]);
    expect(w.alerts[0]!.text).toContain(`/retry ${post!.id}`);
    expect(attemptsOfPost()).toHaveLength(4);
    expect(w.x.tweets.map((t) => t.text)).not.toContain(post!.text);
    // Given up for good: later slots never try it again.
    w.clock.advance(hours(1));
    await slot(w, 'x-quotes');
    expect(attemptsOfPost()).toHaveLength(4);
    expect(w.x.tweets.map((t) => t.text)).toEqual(others.slice(0, 4).map((p) => p.text));
  });

  it('duplicate: the platform already has it, so it counts as sent with the existing id', async () => {
    const w = await setUp({ channels: [X_THREAD] });
    const { articleId } = queued(await w.enqueue(makeArticle(9, { paragraphs: 4 })));
    const thread = await w.posts(articleId, 'x-thread');
    // Part 1 went out before (say, by hand): X answers 403 duplicate content.
    const existing = w.x.addTweet(thread[0]!.text);

    const outcomes = outcomesOf(await slot(w, 'x-thread'));
    expect(outcomes.map((o) => o.kind)).toEqual(['duplicate', ...thread.slice(1).map(() => 'sent')]);
    expect(await w.runtime.store.getPost(thread[0]!.id)).toMatchObject({
      state: 'sent',
      remoteId: existing.id,
    });
    const posted = w.x.tweets.slice(1);
    expect(posted.map((t) => t.text)).toEqual(thread.slice(1).map((p) => p.text));
    // The thread goes on replying to the tweet X already had.
    expect(posted[0]!.replyTo).toBe(existing.id);
    expect(w.x.tweets.filter((t) => t.text === thread[0]!.text)).toHaveLength(1);
    expect(w.alerts).toEqual([]);
  });

  it('rejected: failed for good, an admin is told, the channel goes on', async () => {
    const w = await setUp({ channels: [X_QUOTES, TG_QUOTES] });
    const { articleId } = queued(await w.enqueue(makeArticle(10)));
    w.x.failNext({ fault: { kind: 'bad-request' } });
    w.telegram.failNext({ fault: { kind: 'bad-request', description: 'Bad Request: message is too long' } });
    const xPost = (await w.posts(articleId, 'x-quotes'))[0]!;
    const tgPost = (await w.posts(articleId, 'tg-quotes'))[0]!;

    expect(outcomesOf(await slot(w, 'x-quotes'))[0]).toMatchObject({ kind: 'failed', reason: 'rejected' });
    expect(outcomesOf(await slot(w, 'tg-quotes'))[0]).toMatchObject({ kind: 'failed', reason: 'rejected' });
    expect((await w.runtime.store.getPost(xPost.id))!.state).toBe('failed');
    expect((await w.runtime.store.getPost(tgPost.id))!.lastError).toContain('message is too long');
    expect(w.alerts.map((a) => [a.kind, a.postId])).toEqual([
      ['failed', xPost.id],
      ['failed', tgPost.id],
    ]);
    expect(w.alerts[0]!.text).toContain(`/edit ${xPost.id}`);
    expect((await w.runtime.store.channelState('x-quotes')).paused).toBe(false);

    w.clock.advance(hours(1));
    await slot(w, 'x-quotes');
    expect(w.x.tweets.map((t) => t.text)).toEqual([(await w.posts(articleId, 'x-quotes'))[1]!.text]);
    expect(tweetRequests(w)).toHaveLength(2);
  });

  it('auth: the post fails, the channel pauses with no end and an admin is told', async () => {
    const w = await setUp({ channels: [X_QUOTES, TG_QUOTES] });
    const { articleId } = queued(await w.enqueue(makeArticle(11)));
    w.x.failNext({ fault: { kind: 'unauthorized' } });
    w.telegram.failNext({ fault: { kind: 'forbidden', variant: 'kicked' } });

    expect(outcomesOf(await slot(w, 'x-quotes'))[0]).toMatchObject({ kind: 'failed', reason: 'auth' });
    expect(outcomesOf(await slot(w, 'tg-quotes'))[0]).toMatchObject({ kind: 'failed', reason: 'auth' });
    for (const channel of ['x-quotes', 'tg-quotes']) {
      expect(await w.runtime.store.channelState(channel)).toMatchObject({ paused: true, pausedUntil: null });
      expect((await w.posts(articleId, channel))[0]!.state).toBe('failed');
    }
    expect(w.alerts.map((a) => [a.kind, a.channelId])).toEqual([
      ['auth', 'x-quotes'],
      ['auth', 'tg-quotes'],
    ]);
    expect(w.alerts[0]!.text).toContain('/resume x-quotes');

    const before = [w.x.requests.length, w.telegram.calls.length];
    w.clock.advance(hours(48));
    expect(await slot(w, 'x-quotes')).toMatchObject({ kind: 'idle', why: 'paused' });
    expect(await slot(w, 'tg-quotes')).toMatchObject({ kind: 'idle', why: 'paused' });
    expect([w.x.requests.length, w.telegram.calls.length]).toEqual(before);
  });
});

describe('when a channel may post', () => {
  it('the daily cap stops posting for the rest of the local day and resumes after local midnight', async () => {
    // New York is UTC-4 in March: UTC midnight (20:00 local) must not reset the cap; local midnight does.
    const channel = { ...X_QUOTES, timezone: 'America/New_York', dailyCap: 2 };
    const w = await setUp({ channels: [channel], start: '2026-03-10T13:00:00Z' });
    queued(await w.enqueue(makeArticle(12)));
    queued(await w.enqueue(makeArticle(13)));

    const results: [string, string][] = [];
    // Every hour from 09:00 on the 10th to 09:00 on the 11th, local time.
    for (let h = 0; h <= 24; h++) {
      const result = await slot(w, 'x-quotes');
      results.push([w.clock.now().toISOString().slice(5, 13), result.kind === 'idle' ? result.why : 'sent']);
      w.clock.advance(hours(1));
    }
    const sentAt = results.filter(([, what]) => what === 'sent').map(([at]) => at);
    expect(sentAt).toEqual(['03-10T13', '03-10T14', '03-11T04', '03-11T05']);
    expect(results.find(([at]) => at === '03-11T00')?.[1]).toBe('daily-cap');
    expect(results.find(([at]) => at === '03-11T03')?.[1]).toBe('daily-cap');
    expect(w.x.tweets).toHaveLength(4);
  });

  it('quiet hours that wrap past midnight hold posts until they end', async () => {
    const channel = { ...TG_QUOTES, timezone: 'Europe/London', quietHours: { start: '22:00', end: '07:00' } };
    const w = await setUp({ channels: [channel], start: '2026-01-15T20:00:00Z' });
    queued(await w.enqueue(makeArticle(14)));
    const timeline: string[] = [];
    for (let h = 0; h < 13; h++) {
      const result = await slot(w, 'tg-quotes');
      if (result.kind === 'published') timeline.push(w.clock.now().toISOString().slice(11, 16));
      else expect(result).toMatchObject({ kind: 'idle', why: 'quiet-hours' });
      w.clock.advance(hours(1));
    }
    expect(timeline).toEqual(['20:00', '21:00', '07:00', '08:00']);
    expect(w.telegram.sentMessages).toHaveLength(4);
    expect(w.telegram.sentMessages.map((m) => m.at.toISOString().slice(11, 16))).toEqual(timeline);
  });

  it('a paused channel posts nothing until it is resumed', async () => {
    const w = await setUp({ channels: [X_QUOTES, TG_QUOTES] });
    queued(await w.enqueue(makeArticle(15)));
    expect((await pauseChannel(w.runtime.deps, 'x-quotes', 'the test')).ok).toBe(true);
    for (let h = 0; h < 5; h++) {
      expect(await slot(w, 'x-quotes')).toMatchObject({ kind: 'idle', why: 'paused' });
      await slot(w, 'tg-quotes');
      w.clock.advance(hours(1));
    }
    expect(tweetRequests(w)).toHaveLength(0);
    expect(w.telegram.sentMessages).toHaveLength(5);
    expect((await resumeChannel(w.runtime.deps, 'x-quotes')).ok).toBe(true);
    await slot(w, 'x-quotes');
    expect(w.x.tweets).toHaveLength(1);
  });
});

describe('enqueueing', () => {
  it('refuses the same article again (same body or same URL) unless forced', async () => {
    const w = await setUp({ channels: [X_QUOTES, TG_QUOTES] });
    const original = makeArticle(16);
    const first = queued(await w.enqueue(original));

    const sameBody = await w.enqueue({
      ...original,
      title: 'A new headline',
      url: 'https://news.example/other',
    });
    expect(sameBody).toEqual({
      kind: 'duplicate',
      articleId: first.articleId,
      channelIds: ['x-quotes', 'tg-quotes'],
    });
    const sameUrl = await w.enqueue({ ...makeArticle(17), url: original.url! });
    expect(sameUrl).toMatchObject({ kind: 'duplicate', articleId: first.articleId });
    // A channel the article never went to may still have it.
    const posts = async () => (await w.runtime.store.countsByState()).queued;
    const before = await posts();

    const forced = queued(await w.enqueue(original, { force: true }));
    expect(forced.articleId).not.toBe(first.articleId);
    expect(await posts()).toBe(before + forced.postIds.length);
    expect((await w.posts(forced.articleId, 'x-quotes')).map((p) => p.text)).toEqual(
      (await w.posts(first.articleId, 'x-quotes')).map((p) => p.text),
    );
    // A different article is not a duplicate.
    expect((await w.enqueue(makeArticle(18))).kind).toBe('queued');
  });
});
