import { describe, expect, it } from 'vitest';
import type { ChannelBatch, PostStore } from '../../../src/ports/post-store.js';
import { at, useStoreAdapters } from '../../helpers/store-adapters.js';

/**
 * The store's side of a kill, on every store adapter: one transaction that drops what is unsent, and
 * the guards that keep a killed article's posts from going out again however the daemon and admins
 * race it (a post in flight at the kill, a retry, a requeue, the same article queued again).
 */

const adapters = useStoreAdapters();

const batch = (channelId: string, count: number): ChannelBatch => ({
  channelId,
  mode: 'thread',
  posts: Array.from({ length: count }, (_, i) => ({ text: `${channelId} part ${i + 1}`, length: 10 })),
});

async function enqueueOne(store: PostStore, force = false) {
  return await store.enqueueArticle(
    { contentHash: 'hash-1', url: 'https://news.example/a', title: 'A story' },
    [batch('x', 4)],
    { now: at(0), approved: true, force },
  );
}

describe.each(adapters)('$name store: killing an article', (adapter) => {
  const open = () => adapter.open();

  it('drops queued and failed posts in one step, and a post in flight at the kill never goes out again', async () => {
    const store = await open();
    const queued = await enqueueOne(store);
    if (queued.kind !== 'queued') throw new Error('not queued');
    const [first, second, third, fourth] = queued.postIds as [number, number, number, number];
    await store.lease(first, at(1));
    await store.markSent(first, { remoteId: 'r1', url: 'https://x.example/r1', publishedAt: at(1) });
    await store.lease(second, at(2)); // in flight when the kill comes
    await store.lease(third, at(2));
    await store.markFailed(third, 'rejected', 'too long', at(2));

    const kill = await store.killArticle(queued.articleId, 'the command line', at(3));
    expect(kill?.firstKill).toBe(true);
    expect(kill?.killed).toEqual({ at: at(3), by: 'the command line' });
    expect(kill?.dropped.map((p) => p.id)).toEqual([third, fourth]);
    expect((await store.getPost(second))?.state).toBe('sending');

    // The send in flight fails with a retryable error: not queued again, skipped.
    await store.markRetry(second, 'unavailable', at(10), 'timeout', at(4));
    expect((await store.getPost(second))?.state).toBe('skipped');
    expect(await store.nextDue('x', at(60))).toBeUndefined();
    // An admin's retry cannot bring a post of a killed article back.
    expect(await store.requeue(fourth, at(5))).toBe(false);
    expect((await store.getPost(fourth))?.state).toBe('skipped');

    // What is left to take down, and the record of taking it down.
    expect((await store.postsToTakeDown(queued.articleId)).map((p) => p.id)).toEqual([first]);
    expect(await store.markDeleteFailed(first, 'rate-limited: wait')).toBe(true);
    expect((await store.articleTrail(queued.articleId))?.posts[0]).toMatchObject({
      deletedAt: null,
      deleteError: 'rate-limited: wait',
    });
    expect(await store.markDeleted(first, at(6))).toBe(true);
    expect(await store.markDeleted(first, at(7))).toBe(false);
    expect(await store.markDeleteFailed(first, 'late')).toBe(false);
    expect(await store.postsToTakeDown(queued.articleId)).toEqual([]);
    expect((await store.articleTrail(queued.articleId))?.posts[0]).toMatchObject({
      deletedAt: at(6),
      deleteError: null,
    });

    // A second kill keeps the first one's time and author and drops nothing more.
    const again = await store.killArticle(queued.articleId, '@bea (1002)', at(8));
    expect(again).toMatchObject({
      firstKill: false,
      dropped: [],
      killed: { at: at(3), by: 'the command line' },
    });
    expect(await store.killArticle(999, 'x', at(8))).toBeUndefined();
    expect(await store.articleTrail(999)).toBeUndefined();
  });

  it('refuses to queue a killed article again unless forced, and then as a new article', async () => {
    const store = await open();
    const queued = await enqueueOne(store);
    if (queued.kind !== 'queued') throw new Error('not queued');
    await store.killArticle(queued.articleId, 'the command line', at(1));

    const refused = await store.enqueueArticle(
      { contentHash: 'other-hash', url: 'https://news.example/a', title: 'A story, revised' },
      [batch('tg', 2)],
      { now: at(2), approved: true },
    );
    expect(refused).toEqual({
      kind: 'duplicate',
      articleId: queued.articleId,
      channelIds: ['tg'],
      killed: { at: at(1), by: 'the command line' },
    });

    const forced = await enqueueOne(store, true);
    expect(forced.kind).toBe('queued');
    if (forced.kind !== 'queued') return;
    expect(forced.articleId).not.toBe(queued.articleId);
    expect((await store.articleTrail(forced.articleId))?.killed).toBeUndefined();
    expect((await store.nextDue('x', at(3)))?.articleId).toBe(forced.articleId);
  });

  it('leaves unknown posts to the caller, lists the whole trail by channel, and settles its feed items', async () => {
    const store = await open();
    const queued = await store.enqueueArticle(
      { contentHash: 'hash-2', url: 'https://news.example/b', title: 'B story' },
      [batch('x', 2), batch('tg', 2)],
      { now: at(0), approved: true },
    );
    if (queued.kind !== 'queued') throw new Error('not queued');
    const [x1, , tg1, tg2] = queued.postIds as [number, number, number, number];
    await store.lease(x1, at(1));
    await store.markUnknown(x1, 'timeout', at(1));
    await store.lease(tg1, at(1));
    await store.markSent(tg1, { remoteId: '5', publishedAt: at(1), chat: '@news' });
    const item = await store.addFeedItem({
      feedId: 'news',
      itemKey: 'b',
      canonicalUrl: 'https://news.example/b',
      rawHash: 'raw-b',
      title: 'B story',
      articleId: queued.articleId,
      state: 'queued',
      now: at(0),
    });
    await store.holdFeedItem(item.id, queued.articleId, '{"title":"B story, corrected"}');

    const kill = await store.killArticle(queued.articleId, '@ada (1001)', at(2));
    // By channel, then position: tg before x.
    expect(kill?.dropped.map((p) => p.id)).toEqual([tg2, queued.postIds[1]]);
    expect((await store.getPost(x1))?.state).toBe('unknown');
    expect(await store.feedItemById(item.id)).toMatchObject({ state: 'dropped', heldArticle: null });

    const trail = await store.articleTrail(queued.articleId);
    expect(trail?.article).toMatchObject({ id: queued.articleId, title: 'B story' });
    expect(trail?.killed).toEqual({ at: at(2), by: '@ada (1001)' });
    expect(trail?.posts.map((p) => [p.channelId, p.seq, p.state])).toEqual([
      ['tg', 1, 'sent'],
      ['tg', 2, 'skipped'],
      ['x', 1, 'unknown'],
      ['x', 2, 'skipped'],
    ]);
    expect(trail?.posts[0]).toMatchObject({
      remoteId: '5',
      remoteChat: '@news',
      deletedAt: null,
      deleteError: null,
    });
    // An unknown post found published later is something to take down too.
    await store.resolveUnknownAsSent(x1, { remoteId: 'x9', publishedAt: at(1) });
    expect((await store.postsToTakeDown(queued.articleId)).map((p) => p.id)).toEqual([tg1, x1]);
    // Not sent, not down.
    expect(await store.markDeleted(tg2, at(3))).toBe(false);
    expect(await store.markDeleteFailed(tg2, 'x')).toBe(false);
  });
});
