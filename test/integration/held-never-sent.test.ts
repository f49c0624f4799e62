import { afterEach, describe, expect, it } from 'vitest';
import type { StoredPost } from '../../src/ports/post-store.js';
import { executePublishNow, planPublishNow } from '../../src/use-cases/plan-publish-now.js';
import { publishArticleNow } from '../../src/use-cases/publish-now.js';
import { publishPost } from '../../src/use-cases/publish-post.js';
import { runChannelSlot } from '../../src/use-cases/run-channel-slot.js';
import { makeArticle } from '../helpers/articles.js';
import { createWorld, queued, TG_QUOTES, type World } from '../helpers/world.js';

/**
 * A feed correction holds an article's queued posts until an admin decides (/held). Nothing of a
 * held article goes out: not a post a slot picked just before the hold, not one that comes back to
 * `queued` during it (a retry, /retry), not `publish --resume`. Such a post is not failed or unknown
 * either: it just waits, queued. Real SQLite store, the real telegraf publisher on the fake Bot API.
 */

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function setUp(): Promise<World> {
  world = await createWorld({ start: '2026-03-10T12:00:00Z', channels: [TG_QUOTES] });
  return world;
}

const sends = (w: World) => w.telegram.calls.filter((c) => c.method === 'sendMessage');

/** What poll-feed does on a correction: the article's feed item becomes held, its queued posts unapproved. */
async function hold(w: World, articleId: number): Promise<void> {
  const { store } = w.runtime;
  const item = await store.addFeedItem({
    feedId: 'news',
    itemKey: `story-${articleId}`,
    canonicalUrl: null,
    rawHash: `raw-${articleId}`,
    title: 'A story',
    articleId,
    state: 'queued',
    now: w.clock.now(),
  });
  await store.holdFeedItem(item.id, articleId, JSON.stringify(makeArticle(99)));
}

async function state(w: World, post: StoredPost) {
  const now = (await w.runtime.store.getPost(post.id))!;
  return { state: now.state, approved: now.approved, attempts: now.attempts };
}

describe('a held article is never sent', () => {
  it('a post the slot picked before the hold is not leased: it stays queued, nothing is sent', async () => {
    const w = await setUp();
    const { articleId } = queued(await w.enqueue(makeArticle(1)));
    const picked = (await w.runtime.store.nextDue('tg-quotes', w.clock.now()))!;
    expect(picked.articleId).toBe(articleId);
    await hold(w, articleId); // while the slot waited for its turn

    const outcome = await publishPost(w.runtime.deps, picked.id);
    expect(outcome).toEqual({ kind: 'not-queued', postId: picked.id, heldBack: true });
    expect(await state(w, picked)).toEqual({ state: 'queued', approved: false, attempts: 0 });
    expect(await w.runtime.store.attempts(picked.id)).toEqual([]);
    expect(sends(w)).toHaveLength(0);
    expect(await w.runtime.store.nextDue('tg-quotes', w.clock.now())).toBeUndefined();
  });

  it('a post that failed before the hold and is retried during it comes back unapproved, unleased', async () => {
    const w = await setUp();
    const { articleId } = queued(await w.enqueue(makeArticle(2)));
    const post = (await w.runtime.store.nextDue('tg-quotes', w.clock.now()))!;
    await w.runtime.store.lease(post.id, w.clock.now());
    await w.runtime.store.markFailed(post.id, 'rejected', 'bad text', w.clock.now());
    await hold(w, articleId);

    expect(await w.runtime.store.requeue(post.id, w.clock.now())).toBe(true); // an admin's /retry
    expect(await state(w, post)).toEqual({ state: 'queued', approved: false, attempts: 1 });
    expect(await w.runtime.store.lease(post.id, w.clock.now())).toBeUndefined();
    const slot = await runChannelSlot(w.runtime.deps, 'tg-quotes');
    expect(slot.kind).not.toBe('published');
    expect(sends(w)).toHaveLength(0);
  });

  it('a post in flight at the hold that must be retried comes back unapproved', async () => {
    const w = await setUp();
    const { articleId } = queued(await w.enqueue(makeArticle(3)));
    const post = (await w.runtime.store.nextDue('tg-quotes', w.clock.now()))!;
    await w.runtime.store.lease(post.id, w.clock.now());
    await hold(w, articleId); // the hold leaves a post being sent alone
    await w.runtime.store.markRetry(post.id, 'unavailable', w.clock.now(), 'timeout', w.clock.now());
    expect(await state(w, post)).toEqual({ state: 'queued', approved: false, attempts: 1 });
    expect(await w.runtime.store.lease(post.id, w.clock.now())).toBeUndefined();
  });

  it('publish --resume refuses a held article; a run already going stops at it without sending', async () => {
    const w = await setUp();
    const article = makeArticle(4);
    const { articleId } = queued(await w.enqueue(article));
    await hold(w, articleId);
    const channels = w.config.channels;
    const plan = await planPublishNow(w.runtime.deps, { article, channels, resume: true });
    expect(plan).toMatchObject({ kind: 'held', articleId });
    const forced = await planPublishNow(w.runtime.deps, { article, channels, force: true });
    expect(forced).toMatchObject({ kind: 'held', articleId });

    const events: string[] = [];
    const [report] = await publishArticleNow(w.runtime.deps, {
      articleId,
      channelIds: ['tg-quotes'],
      maxWaitMs: 0,
      onEvent: (e) => events.push(e.kind === 'skipped' ? e.why : e.kind),
    });
    expect(events).toEqual([expect.stringMatching(/^is held for a correction: decide it with \/held/)]);
    expect(report!.sent).toBe(0);
    expect(report!.notSent.every((p) => p.state === 'queued')).toBe(true);
    expect(sends(w)).toHaveLength(0);
  });

  it('publish --resume of a copy waiting for approval says so and sends nothing; approved, it goes', async () => {
    const w = await setUp();
    const article = makeArticle(5);
    const channels = w.config.channels;
    const plan = await planPublishNow(w.runtime.deps, { article, channels });
    if (plan.kind !== 'ready') throw new Error(plan.kind);
    // Queued unapproved, as /add's "queue" or a feed with approval: manual does.
    const { articleId } = queued(
      await w.runtime.store.enqueueArticle(
        { contentHash: 'x', title: article.title },
        [{ channelId: 'tg-quotes', mode: 'quotes', posts: plan.splits[0]!.result.selected }],
        { now: w.clock.now(), approved: false },
      ),
    );
    const events: string[] = [];
    const run = () =>
      publishArticleNow(w.runtime.deps, {
        articleId,
        channelIds: ['tg-quotes'],
        maxWaitMs: 0,
        onEvent: (e) => events.push(e.kind === 'skipped' ? e.why : e.kind),
      });
    const [report] = await run();
    expect(events).toEqual([`waits for an approval: /approve ${articleId} in Telegram`]);
    expect(report!.sent).toBe(0);
    expect(sends(w)).toHaveLength(0);

    await w.runtime.store.approveArticle(articleId);
    const [after] = await run();
    expect(after!.sent).toBe(after!.total);
    expect(sends(w)).toHaveLength(after!.total);
  });

  it('a fresh publish still queues approved and sends', async () => {
    const w = await setUp();
    const article = makeArticle(6);
    const plan = await planPublishNow(w.runtime.deps, { article, channels: w.config.channels });
    if (plan.kind !== 'ready') throw new Error(plan.kind);
    const result = await executePublishNow(w.runtime.deps, plan, { maxWaitMs: 0, onEvent: () => {} });
    if (result.kind !== 'published') throw new Error(result.kind);
    expect(result.reports[0]!.sent).toBe(result.reports[0]!.total);
    expect(sends(w).length).toBeGreaterThan(0);
  });
});
