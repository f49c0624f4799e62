import { describe, expect, it } from 'vitest';
import { article, at, batch, enqueue, useStoreAdapters } from '../../helpers/store-adapters.js';

/**
 * enqueueArticle on every store adapter: how an article's posts are numbered per channel, and the
 * duplicate rules (same content hash or canonical URL on a requested channel), with nothing written
 * when it refuses.
 */

const adapters = useStoreAdapters();

describe.each(adapters)('$name store: enqueueArticle', (adapter) => {
  const open = () => adapter.open();

  it('stores the article and numbers each channel batch 1..n', async () => {
    const store = await open();
    const result = await store.enqueueArticle(
      { contentHash: 'h1', url: 'https://news.example/a', title: 'A', byline: 'Ann' },
      [batch('x', 3, 'thread'), batch('tg', 2)],
      { now: at(5), approved: false },
    );
    expect(result.kind).toBe('queued');
    if (result.kind !== 'queued') return;
    expect(result.postIds).toHaveLength(5);

    expect(await store.getArticle(result.articleId)).toEqual({
      id: result.articleId,
      contentHash: 'h1',
      url: 'https://news.example/a',
      title: 'A',
      byline: 'Ann',
      createdAt: at(5),
    });
    const onX = await store.postsOfArticle(result.articleId, 'x');
    expect(onX.map((post) => [post.seq, post.total, post.mode])).toEqual([
      [1, 3, 'thread'],
      [2, 3, 'thread'],
      [3, 3, 'thread'],
    ]);
    expect(await store.getPost(result.postIds[0]!)).toEqual({
      id: result.postIds[0],
      articleId: result.articleId,
      channelId: 'x',
      mode: 'thread',
      seq: 1,
      total: 3,
      text: 'x post 1',
      length: 10,
      state: 'queued',
      approved: false,
      attempts: 0,
      nextAttemptAt: null,
      remoteId: null,
      remoteUrl: null,
      remoteChat: null,
      lastError: null,
      createdAt: at(5),
      sentAt: null,
    });
    expect(
      (await store.postsOfArticle(result.articleId)).map((post) => `${post.channelId}${post.seq}`),
    ).toEqual(['tg1', 'tg2', 'x1', 'x2', 'x3']);
  });

  it('stores an article without url or byline as nulls', async () => {
    const store = await open();
    const result = await store.enqueueArticle({ contentHash: 'h', title: 'T' }, [batch('x', 1)], {
      now: at(0),
      approved: true,
    });
    const stored = await store.getArticle(result.articleId);
    expect(stored?.url).toBeNull();
    expect(stored?.byline).toBeNull();
  });

  it('detects a duplicate by content hash and writes nothing', async () => {
    const store = await open();
    const first = await enqueue(store, 1, [batch('x', 2), batch('tg', 1)]);
    const again = await store.enqueueArticle(
      article(1, { url: 'https://elsewhere.example/copy' }),
      [batch('x', 2), batch('mastodon', 1)],
      { now: at(1), approved: true },
    );
    expect(again).toEqual({ kind: 'duplicate', articleId: first.articleId, channelIds: ['x'] });
    expect(await adapter.countRows('posts')).toBe(3);
    expect(await adapter.countRows('articles')).toBe(1);
  });

  it('detects a duplicate by canonical URL even when the text changed', async () => {
    const store = await open();
    const first = await enqueue(store, 1, [batch('x', 2), batch('tg', 1)]);
    const again = await store.enqueueArticle(
      article(1, { contentHash: 'edited' }),
      [batch('tg', 1), batch('x', 1)],
      {
        now: at(1),
        approved: true,
      },
    );
    expect(again).toEqual({ kind: 'duplicate', articleId: first.articleId, channelIds: ['tg', 'x'] });
    expect(await adapter.countRows('posts')).toBe(3);
  });

  it('matches the URL in canonical form: tracking parameters and fragment do not make another story', async () => {
    const store = await open();
    const story = 'https://news.example.org/2026/harbour-berths';
    const first = await store.enqueueArticle(
      {
        contentHash: 'from-newsletter',
        url: `${story}/?utm_source=newsletter&utm_medium=email#top`,
        title: 'B',
      },
      [batch('x', 1)],
      { now: at(0), approved: true },
    );
    if (first.kind !== 'queued') throw new Error(first.kind);
    const again = await store.enqueueArticle(
      { contentHash: 'from-feed', url: story, title: 'B' },
      [batch('x', 1), batch('tg', 1)],
      { now: at(1), approved: true },
    );
    expect(again).toEqual({ kind: 'duplicate', articleId: first.articleId, channelIds: ['x'] });
    expect(await store.articleIdByUrl([story])).toBe(first.articleId);
    // Another page of the same site is another story.
    const other = await store.enqueueArticle(
      { contentHash: 'update', url: `${story}-update`, title: 'B2' },
      [batch('x', 1)],
      { now: at(2), approved: true },
    );
    expect(other).toMatchObject({ kind: 'queued' });
    expect(other.articleId).not.toBe(first.articleId);
    expect(await adapter.countRows('articles')).toBe(2);
  });

  it('counts sent and skipped posts as already there', async () => {
    const store = await open();
    const first = await enqueue(store, 1, [batch('x', 1)]);
    await store.skip(first.postIds[0]!);
    expect(
      (await store.enqueueArticle(article(1), [batch('x', 1)], { now: at(1), approved: true })).kind,
    ).toBe('duplicate');
  });

  it('enqueues again with force, as a separate article so the two copies never interleave', async () => {
    const store = await open();
    const first = await enqueue(store, 1, [batch('x', 2)]);
    const forced = await store.enqueueArticle(article(1), [batch('x', 2)], {
      now: at(1),
      approved: true,
      force: true,
    });
    expect(forced.kind).toBe('queued');
    if (forced.kind !== 'queued') return;
    expect(forced.articleId).not.toBe(first.articleId);
    expect((await store.postsOfArticle(forced.articleId)).map((post) => post.seq)).toEqual([1, 2]);
    expect((await store.upcoming('x', 10)).map((post) => [post.articleId, post.seq])).toEqual([
      [first.articleId, 1],
      [first.articleId, 2],
      [forced.articleId, 1],
      [forced.articleId, 2],
    ]);
  });

  it('adds new channels to the existing article row', async () => {
    const store = await open();
    const first = await enqueue(store, 1, [batch('x', 2)]);
    const more = await store.enqueueArticle(article(1), [batch('tg', 3)], { now: at(1), approved: true });
    expect(more.kind).toBe('queued');
    expect(more.articleId).toBe(first.articleId);
    expect(await adapter.countRows('articles')).toBe(1);
    expect((await store.postsOfArticle(first.articleId, 'tg')).map((post) => [post.seq, post.total])).toEqual(
      [
        [1, 3],
        [2, 3],
        [3, 3],
      ],
    );
  });

  it('allows enqueueing again once every post on the channel was deleted, reusing the article', async () => {
    const store = await open();
    const first = await enqueue(store, 1, [batch('x', 2)]);
    expect(await store.deleteUnsent(first.articleId)).toBe(2);
    const again = await store.enqueueArticle(article(1), [batch('x', 1)], { now: at(1), approved: true });
    expect(again).toMatchObject({ kind: 'queued', articleId: first.articleId });
  });

  it('rejects two batches for the same channel without writing', async () => {
    const store = await open();
    await expect(
      store.enqueueArticle(article(1), [batch('x', 1), batch('x', 2)], { now: at(0), approved: true }),
    ).rejects.toThrow(RangeError);
    expect(await adapter.countRows('articles')).toBe(0);
  });

  it('lists articles newest first', async () => {
    const store = await open();
    const ids: number[] = [];
    for (const n of [1, 2, 3]) ids.push((await enqueue(store, n, [batch('x', 1)])).articleId);
    expect((await store.listArticles(2)).map((a) => a.id)).toEqual([ids[2], ids[1]]);
  });
});
