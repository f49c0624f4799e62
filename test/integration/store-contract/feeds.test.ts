import { describe, expect, it } from 'vitest';
import type { FeedState, NewFeedItem, PostStore } from '../../../src/ports/post-store.js';
import { at, batch, enqueue, useStoreAdapters } from '../../helpers/store-adapters.js';

/**
 * The feed side of the store on every store adapter: each feed's polling state, the items it listed
 * (found by key, canonical URL, raw hash or id), how a second poll recording the same item is
 * settled, changes to an item, holds, and counts by state.
 */

const adapters = useStoreAdapters();

const item = (key: string, extra: Partial<NewFeedItem> = {}): NewFeedItem => ({
  feedId: 'news',
  itemKey: key,
  canonicalUrl: `https://news.example/${key}`,
  rawHash: `raw-${key}`,
  title: `Story ${key}`,
  now: at(0),
  ...extra,
});

describe.each(adapters)('$name store: feeds', (adapter) => {
  const open = () => adapter.open();
  async function reopen(store: PostStore): Promise<PostStore> {
    await store.close();
    return open();
  }

  it('gives a feed never polled the defaults, and keeps what is saved across re-opening', async () => {
    let store = await open();
    expect(await store.feedState('news')).toEqual({
      feedId: 'news',
      etag: null,
      lastModified: null,
      lastPollAt: null,
      lastSuccessAt: null,
      lastError: null,
      failures: 0,
      nextPollAfter: null,
      paused: false,
      primed: false,
      catchUp: false,
    });
    const polled: FeedState = {
      feedId: 'news',
      etag: '"v1"',
      lastModified: 'Mon, 02 Mar 2026 08:00:00 GMT',
      lastPollAt: at(1),
      lastSuccessAt: at(1),
      lastError: null,
      failures: 0,
      nextPollAfter: null,
      paused: false,
      primed: true,
      catchUp: false,
    };
    await store.saveFeedState(polled);
    const failing: FeedState = {
      ...polled,
      lastPollAt: at(2),
      lastError: 'HTTP 503',
      failures: 3,
      nextPollAfter: at(20),
      paused: true,
      catchUp: true,
    };
    await store.saveFeedState(failing);
    store = await reopen(store);
    expect(await store.feedState('news')).toEqual(failing);
    expect((await store.feedState('other')).primed).toBe(false);
  });

  it('records an item with its defaults and finds it by key, id, canonical URL and raw hash', async () => {
    const store = await open();
    const added = await store.addFeedItem(item('a', { now: at(3) }));
    expect(added).toEqual({
      id: added.id,
      feedId: 'news',
      itemKey: 'a',
      canonicalUrl: 'https://news.example/a',
      rawHash: 'raw-a',
      bodyHash: null,
      body: null,
      title: 'Story a',
      firstSeenAt: at(3),
      lastSeenAt: at(3),
      articleId: null,
      state: 'seen',
      heldArticle: null,
      heldWasApproved: false,
    });
    expect(await store.feedItemByKey('news', 'a')).toEqual(added);
    expect(await store.feedItemById(added.id)).toEqual(added);
    expect(await store.feedItemByUrl('https://news.example/a')).toEqual(added);
    expect(await store.feedItemByRawHash('news', 'raw-a')).toEqual(added);

    expect(await store.feedItemByKey('other', 'a')).toBeUndefined();
    expect(await store.feedItemByRawHash('other', 'raw-a')).toBeUndefined();
    expect(await store.feedItemByUrl('https://news.example/none')).toBeUndefined();
    expect(await store.feedItemById(added.id + 100)).toBeUndefined();
  });

  it('prefers the item that has an article when two feeds list one story, and the first of one raw hash', async () => {
    const store = await open();
    const { articleId } = await enqueue(store, 1, [batch('x', 1)]);
    const plain = await store.addFeedItem(item('a'));
    const queued = await store.addFeedItem(
      item('a', { feedId: 'wire', articleId, state: 'queued', bodyHash: 'b1', body: '["p"]' }),
    );
    expect(await store.feedItemByUrl('https://news.example/a')).toEqual(queued);
    const twin = await store.addFeedItem(item('a-copy', { rawHash: 'raw-a', canonicalUrl: null }));
    expect((await store.feedItemByRawHash('news', 'raw-a'))?.id).toBe(plain.id);
    expect(twin.canonicalUrl).toBeNull();
  });

  it('settles a second recording of the same item: what it queued wins only over a row with no article', async () => {
    const store = await open();
    const one = await enqueue(store, 1, [batch('x', 1)]);
    const two = await enqueue(store, 2, [batch('x', 1)]);
    const seen = await store.addFeedItem(item('a'));
    // The same item seen again: the row stands as it was.
    expect(await store.addFeedItem(item('a', { now: at(5), title: 'Retitled' }))).toEqual(seen);
    // Another poll queued it: the row now points at its article.
    const queued = await store.addFeedItem(
      item('a', { articleId: one.articleId, state: 'queued', bodyHash: 'b1', body: '["one"]', now: at(6) }),
    );
    expect(queued).toEqual({
      ...seen,
      articleId: one.articleId,
      state: 'queued',
      bodyHash: 'b1',
      body: '["one"]',
    });
    // A third poll that queued it too loses: the first article stands.
    expect(
      await store.addFeedItem(item('a', { articleId: two.articleId, state: 'queued', bodyHash: 'b2' })),
    ).toEqual(queued);
    expect(await adapter.countRows('feed_items')).toBe(1);
  });

  it('lists the items of a feed in the order they came, by state, and counts them', async () => {
    const store = await open();
    const { articleId } = await enqueue(store, 1, [batch('x', 1)]);
    const a = await store.addFeedItem(item('a'));
    const b = await store.addFeedItem(item('b', { articleId, state: 'queued' }));
    const c = await store.addFeedItem(item('c', { state: 'dropped' }));
    await store.addFeedItem(item('z', { feedId: 'wire' }));
    expect((await store.feedItemsOf('news')).map((i) => i.id)).toEqual([a.id, b.id, c.id]);
    expect((await store.feedItemsOf('news', ['queued', 'dropped'])).map((i) => i.id)).toEqual([b.id, c.id]);
    expect(await store.feedItemsOf('news', ['held'])).toEqual([]);
    expect(await store.feedItemsOf('nowhere')).toEqual([]);
    expect(await store.feedItemCounts('news')).toEqual({
      seen: 1,
      queued: 1,
      held: 0,
      dropped: 1,
      'gone-asked': 0,
    });
    expect(await store.feedItemCounts('nowhere')).toEqual({
      seen: 0,
      queued: 0,
      held: 0,
      dropped: 0,
      'gone-asked': 0,
    });
  });

  it('changes only the fields given, times and flags included', async () => {
    const store = await open();
    const { articleId } = await enqueue(store, 1, [batch('x', 1)]);
    const added = await store.addFeedItem(item('a'));
    await store.updateFeedItem(added.id, {
      lastSeenAt: at(9),
      articleId,
      state: 'held',
      heldArticle: '{"title":"new"}',
      heldWasApproved: true,
    });
    expect(await store.feedItemById(added.id)).toEqual({
      ...added,
      lastSeenAt: at(9),
      articleId,
      state: 'held',
      heldArticle: '{"title":"new"}',
      heldWasApproved: true,
    });
    await store.updateFeedItem(added.id, {});
    await store.updateFeedItem(added.id, {
      itemKey: 'a2',
      canonicalUrl: null,
      rawHash: 'raw-2',
      bodyHash: 'b2',
      body: '["x"]',
      title: 'Story a, corrected',
      heldArticle: null,
      heldWasApproved: false,
      state: 'gone-asked',
    });
    expect(await store.feedItemById(added.id)).toEqual({
      ...added,
      itemKey: 'a2',
      canonicalUrl: null,
      rawHash: 'raw-2',
      bodyHash: 'b2',
      body: '["x"]',
      title: 'Story a, corrected',
      lastSeenAt: at(9),
      articleId,
      state: 'gone-asked',
      heldArticle: null,
      heldWasApproved: false,
    });
    expect(await store.feedItemByKey('news', 'a')).toBeUndefined();
  });

  it('holds an item with the changed article, remembering whether its queued posts were approved', async () => {
    const store = await open();
    const { articleId, postIds } = await enqueue(store, 1, [batch('x', 2), batch('tg', 1)]);
    const added = await store.addFeedItem(item('a', { articleId, state: 'queued' }));
    expect(await store.holdFeedItem(added.id, articleId, '{"title":"changed"}')).toEqual({
      held: 3,
      wasApproved: true,
    });
    expect(await store.feedItemById(added.id)).toMatchObject({
      state: 'held',
      heldArticle: '{"title":"changed"}',
      heldWasApproved: true,
    });
    for (const id of postIds) expect((await store.getPost(id))?.approved).toBe(false);
    expect((await store.feedItemCounts('news')).held).toBe(1);
  });

  it('finds an article by its exact link or its canonical form, the newest first', async () => {
    const store = await open();
    expect(await store.articleIdByUrl(['https://news.example/1'])).toBeUndefined();
    expect(await store.articleIdByUrl([])).toBeUndefined();
    const one = await enqueue(store, 1, [batch('x', 1)]);
    const forced = await store.enqueueArticle(
      { contentHash: 'hash-1b', url: 'https://news.example/1', title: 'Again' },
      [batch('x', 1)],
      { now: at(1), approved: true, force: true },
    );
    expect(forced.articleId).not.toBe(one.articleId);
    expect(await store.articleIdByUrl(['https://news.example/1'])).toBe(forced.articleId);
    expect(await store.articleIdByUrl(['https://news.example/1?utm_source=feed'])).toBe(forced.articleId);
    // The first URL that finds one wins.
    const two = await enqueue(store, 2, [batch('x', 1)]);
    expect(await store.articleIdByUrl(['https://elsewhere.example/a', 'https://news.example/2'])).toBe(
      two.articleId,
    );
  });
});
