import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/adapters/sqlite/create-sqlite-store.js';
import type { ChannelBatch, PostStore } from '../../src/ports/post-store.js';
import { createTempDir, type TempDir } from '../helpers/temp-dir.js';

/**
 * The store's side of a kill on a real SQLite file: one transaction that drops what is unsent, and the
 * guards that keep a killed article's posts from going out again however the daemon and admins race
 * it (a post in flight at the kill, a retry, a requeue, the same article queued again).
 */

const T0 = new Date('2026-03-10T12:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

let dir: TempDir;
let store: PostStore;

beforeEach(() => {
  dir = createTempDir('quotecast-kill-store-');
  store = createSqliteStore({ path: dir.file('store.db'), now: () => T0 });
});

afterEach(async () => {
  await store.close();
  dir.remove();
});

const batch = (channelId: string, count: number): ChannelBatch => ({
  channelId,
  mode: 'thread',
  posts: Array.from({ length: count }, (_, i) => ({ text: `${channelId} part ${i + 1}`, length: 10 })),
});

async function enqueueOne(force = false) {
  return await store.enqueueArticle(
    { contentHash: 'hash-1', url: 'https://news.example/a', title: 'A story' },
    [batch('x', 4)],
    { now: at(0), approved: true, force },
  );
}

describe('killing an article in the store', () => {
  it('drops queued and failed posts in one step, and a post in flight at the kill never goes out again', async () => {
    const queued = await enqueueOne();
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
    const queued = await enqueueOne();
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

    const forced = await enqueueOne(true);
    expect(forced.kind).toBe('queued');
    if (forced.kind !== 'queued') return;
    expect(forced.articleId).not.toBe(queued.articleId);
    expect((await store.articleTrail(forced.articleId))?.killed).toBeUndefined();
    expect((await store.nextDue('x', at(3)))?.articleId).toBe(forced.articleId);
  });
});
