import { afterEach, describe, expect, it } from 'vitest';
import { publishPost } from '../../src/use-cases/publish-post.js';
import { recoverInterrupted, settleDeferred } from '../../src/use-cases/recover-interrupted.js';
import { runChannelSlot } from '../../src/use-cases/run-channel-slot.js';
import { makeArticle } from '../helpers/articles.js';
import { createWorld, queued, type World, X_QUOTES } from '../helpers/world.js';

// A request our timeout gave up on may still land: X accepts it, answers too late, and shows the
// tweet in the timeline only seconds later. Looking at once and re-sending would post it twice
// (only X's duplicate-content refusal would stop the second copy).

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** The requests that tried to post this text (the other quotes of the article go out meanwhile). */
const sendsOf = (w: World, text: string) =>
  w.x.requests.filter(
    (r) => r.method === 'POST' && r.path === '/2/tweets' && (r.body as { text?: string })?.text === text,
  );

describe('a re-send waits until the first request has settled', () => {
  it('after a timeout, the tweet that lands late is found and not posted again', async () => {
    const w = await createWorld({
      start: '2026-03-10T12:00:00Z',
      channels: [X_QUOTES],
      settings: { publishTimeoutMs: 300, retry: { settleSeconds: 60 } },
    });
    world = w;
    const { articleId } = queued(await w.enqueue(makeArticle(1)));
    const post = (await w.posts(articleId, 'x-quotes'))[0]!;
    // X takes the tweet, answers after our timeout, and indexes it 5 s later.
    w.x.setIndexingDelay(5_000);
    w.x.failNext({ match: (r) => r.method === 'POST' && r.path === '/2/tweets', fault: { kind: 'hang' } });
    // The hung request never creates the tweet in the fake, so it "lands" here, as X would have it.
    const landed = w.x.addTweet(post.text);

    const first = await publishPost(w.runtime.deps, post.id);
    expect(first.kind).toBe('retry');
    const stored = (await w.runtime.store.getPost(post.id))!;
    expect(stored.state).toBe('queued');
    expect(stored.nextAttemptAt!.getTime()).toBeGreaterThanOrEqual(Date.parse('2026-03-10T12:01:00Z'));

    // Within the grace nothing goes out: not by a slot, not by a direct publish.
    w.clock.advance(10_000); // the tweet is on the timeline now, but the grace is not over
    await runChannelSlot(w.runtime.deps, 'x-quotes');
    expect((await publishPost(w.runtime.deps, post.id)).kind).toBe('retry');
    expect(sendsOf(w, post.text)).toHaveLength(1);

    w.clock.advance(50_000);
    await runChannelSlot(w.runtime.deps, 'x-quotes');
    expect(await w.runtime.store.getPost(post.id)).toMatchObject({ state: 'sent', remoteId: landed.id });
    expect(sendsOf(w, post.text)).toHaveLength(1);
    expect(w.x.tweets.filter((t) => t.text === post.text)).toHaveLength(1);
    expect(w.alerts).toEqual([]);
  });

  it('after the grace, a timed-out request that never landed is sent again, once', async () => {
    const w = await createWorld({
      start: '2026-03-10T12:00:00Z',
      channels: [X_QUOTES],
      settings: { publishTimeoutMs: 300 },
    });
    world = w;
    const { articleId } = queued(await w.enqueue(makeArticle(2)));
    const post = (await w.posts(articleId, 'x-quotes'))[0]!;
    w.x.failNext({ match: (r) => r.method === 'POST' && r.path === '/2/tweets', fault: { kind: 'hang' } });

    expect((await publishPost(w.runtime.deps, post.id)).kind).toBe('retry');
    w.clock.advance(59_000);
    await runChannelSlot(w.runtime.deps, 'x-quotes');
    expect(sendsOf(w, post.text)).toHaveLength(1);
    w.clock.advance(1_000); // the default retry.settleSeconds: 60
    await runChannelSlot(w.runtime.deps, 'x-quotes');
    expect((await w.runtime.store.getPost(post.id))!.state).toBe('sent');
    expect(w.x.tweets.filter((t) => t.text === post.text)).toHaveLength(1);
    expect(sendsOf(w, post.text)).toHaveLength(2);
  });

  it('at restart, a post a kill left sending is looked up only after the grace, then found', async () => {
    const w = await createWorld({ start: '2026-03-10T12:00:00Z', channels: [X_QUOTES] });
    world = w;
    const { articleId } = queued(await w.enqueue(makeArticle(3)));
    const post = (await w.posts(articleId, 'x-quotes'))[0]!;
    // The previous process leased it, the request left, and the process was killed; X indexes late.
    expect(await w.runtime.store.lease(post.id, w.clock.now())).toBeDefined();
    w.x.setIndexingDelay(5_000);
    const landed = w.x.addTweet(post.text);
    w.clock.advance(2_000);
    await w.restart();

    const report = await recoverInterrupted(w.runtime.deps);
    expect(report.requeued).toEqual([]);
    expect(report.deferred.map((d) => [d.post.id, d.at.toISOString()])).toEqual([
      [post.id, '2026-03-10T12:01:00.000Z'],
    ]);
    expect((await w.runtime.store.getPost(post.id))!.state).toBe('unknown');
    await runChannelSlot(w.runtime.deps, 'x-quotes');
    expect(w.alerts).toEqual([]);

    w.clock.set(new Date('2026-03-10T12:01:00Z'));
    const later = await settleDeferred(
      w.runtime.deps,
      report.deferred.map((d) => d.post.id),
    );
    expect(later.reconciled.map((p) => p.id)).toEqual([post.id]);
    expect(await w.runtime.store.getPost(post.id)).toMatchObject({ state: 'sent', remoteId: landed.id });
    expect(sendsOf(w, post.text)).toHaveLength(0);
    expect(w.x.tweets.filter((t) => t.text === post.text)).toHaveLength(1);
  });
});
