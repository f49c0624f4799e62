import { describe, expect, it } from 'vitest';
import type { PostStore } from '../../../src/ports/post-store.js';
import { article, at, batch, enqueue, useStoreAdapters } from '../../helpers/store-adapters.js';

/**
 * What the scheduler and the status commands read, on every store adapter: the next due post and the
 * backlog of a channel, the queue in publishing order, daily-cap counts, counts and lists by state,
 * and all of it kept across closing and re-opening.
 */

const adapters = useStoreAdapters();

describe.each(adapters)('$name store', (adapter) => {
  const open = () => adapter.open();

  describe('nextDue, countDue and upcoming', () => {
    it('picks the lowest (article, seq) that is queued, approved and due on that channel', async () => {
      const store = await open();
      const one = await enqueue(store, 1, [batch('x', 2), batch('tg', 1)]);
      const two = await enqueue(store, 2, [batch('x', 2)]);
      expect((await store.nextDue('x', at(0)))?.id).toBe(one.postIds[0]);
      expect((await store.nextDue('tg', at(0)))?.id).toBe(one.postIds[2]);
      expect(await store.nextDue('mastodon', at(0))).toBeUndefined();

      await store.lease(one.postIds[0]!, at(1));
      expect((await store.nextDue('x', at(1)))?.id).toBe(one.postIds[1]);
      await store.markRetry(one.postIds[0]!, 'unavailable', at(30), '503', at(1));
      // The retry is not due yet: the next post in order goes first.
      expect((await store.nextDue('x', at(2)))?.id).toBe(one.postIds[1]);
      await store.skip(one.postIds[1]!);
      expect((await store.nextDue('x', at(2)))?.id).toBe(two.postIds[0]);
      // Once due, the retry is ahead of the later article again.
      expect((await store.nextDue('x', at(30)))?.id).toBe(one.postIds[0]);
    });

    it('skips posts waiting for approval until the article is approved', async () => {
      const store = await open();
      const waiting = await enqueue(store, 1, [batch('x', 2)], false);
      const ready = await enqueue(store, 2, [batch('x', 1)], true);
      expect((await store.nextDue('x', at(0)))?.id).toBe(ready.postIds[0]);
      expect(await store.approveArticle(waiting.articleId)).toBe(2);
      expect(await store.approveArticle(waiting.articleId)).toBe(0);
      expect((await store.nextDue('x', at(0)))?.id).toBe(waiting.postIds[0]);
      expect((await store.getPost(waiting.postIds[1]!))?.approved).toBe(true);
    });

    it('counts the backlog: queued, approved and due, per channel', async () => {
      const store = await open();
      const one = await enqueue(store, 1, [batch('x', 3), batch('tg', 1)]);
      await enqueue(store, 2, [batch('x', 2)], false);
      expect(await store.countDue('x', at(0))).toBe(3);
      expect(await store.countDue('tg', at(0))).toBe(1);
      expect(await store.countDue('mastodon', at(0))).toBe(0);

      await store.lease(one.postIds[0]!, at(1));
      expect(await store.countDue('x', at(1))).toBe(2);
      await store.markRetry(one.postIds[0]!, 'unavailable', at(30), '503', at(1));
      expect(await store.countDue('x', at(29))).toBe(2);
      // The retry counts from the moment it is due.
      expect(await store.countDue('x', at(30))).toBe(3);
      await store.skip(one.postIds[1]!);
      expect(await store.countDue('x', at(30))).toBe(2);
    });

    it('lists upcoming queued posts in publishing order, due or not, with limit and offset', async () => {
      const store = await open();
      const one = await enqueue(store, 1, [batch('x', 3)]);
      const two = await enqueue(store, 2, [batch('x', 2)], false);
      await store.lease(one.postIds[0]!, at(1));
      // Not leased: waiting for approval (only approved posts are leased), but upcoming all the same.
      expect(await store.lease(two.postIds[0]!, at(1))).toBeUndefined();
      expect((await store.upcoming('x', 10)).map((post) => post.id)).toEqual([
        one.postIds[1],
        one.postIds[2],
        two.postIds[0],
        two.postIds[1],
      ]);
      expect((await store.upcoming('x', 2, 1)).map((post) => post.id)).toEqual([
        one.postIds[2],
        two.postIds[0],
      ]);
      expect(await store.upcoming('tg', 10)).toEqual([]);
    });
  });

  describe('queries for publishing', () => {
    it('finds the last sent post of a thread on a channel', async () => {
      const store = await open();
      const { articleId, postIds } = await enqueue(store, 1, [batch('x', 3, 'thread'), batch('tg', 1)]);
      expect(await store.lastSentInThread(articleId, 'x')).toBeUndefined();
      for (const [i, id] of postIds.slice(0, 2).entries()) {
        await store.lease(id, at(i));
        await store.markSent(id, { remoteId: `r${i + 1}`, publishedAt: at(i) });
      }
      expect(await store.lastSentInThread(articleId, 'x')).toMatchObject({ seq: 2, remoteId: 'r2' });
      expect(await store.lastSentInThread(articleId, 'tg')).toBeUndefined();
    });

    it('counts posts sent or started since a time, once each, per channel', async () => {
      const store = await open();
      const { postIds } = await enqueue(store, 1, [batch('x', 7), batch('tg', 1)]);
      const [old, sent, retried, failed, inFlight, unknown, twice, other] = postIds as number[] as [
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
      ];
      const day = at(60);
      await store.lease(old, at(59));
      await store.markSent(old, { remoteId: 'o', publishedAt: at(61) }); // started before the day: not counted
      await store.lease(sent, at(61));
      await store.markSent(sent, { remoteId: 's', publishedAt: at(61) });
      await store.lease(retried, at(62));
      await store.markRetry(retried, 'unavailable', at(90), '503', at(62));
      await store.lease(failed, at(63));
      await store.markFailed(failed, 'rejected', 'no', at(63));
      await store.lease(unknown, at(64));
      await store.markInterruptedAsUnknown(at(65));
      await store.lease(twice, at(66));
      await store.markInterruptedAsUnknown(at(67));
      await store.requeue(twice, at(68));
      await store.lease(twice, at(68));
      await store.markSent(twice, { remoteId: 't', publishedAt: at(68) });
      await store.lease(inFlight, at(69));
      await store.lease(other, at(69));
      await store.markSent(other, { remoteId: 'x', publishedAt: at(69) });

      // sent, unknown, twice (two attempts, one post) and inFlight.
      expect(await store.sentSince('x', day)).toBe(4);
      expect(await store.sentSince('x', at(0))).toBe(5);
      expect(await store.sentSince('tg', day)).toBe(1);
      expect(await store.sentSince('x', at(70))).toBe(0);
    });

    it('counts posts by state with every state present', async () => {
      const store = await open();
      expect(await store.countsByState()).toEqual({
        queued: 0,
        sending: 0,
        sent: 0,
        failed: 0,
        unknown: 0,
        skipped: 0,
      });
      const { postIds } = await enqueue(store, 1, [batch('x', 3), batch('tg', 2)]);
      await store.lease(postIds[0]!, at(1));
      await store.markSent(postIds[0]!, { remoteId: 'r', publishedAt: at(1) });
      await store.lease(postIds[1]!, at(2));
      expect(await store.countsByState()).toEqual({
        queued: 3,
        sending: 1,
        sent: 1,
        failed: 0,
        unknown: 0,
        skipped: 0,
      });
      expect(await store.countsByState('tg')).toEqual({
        queued: 2,
        sending: 0,
        sent: 0,
        failed: 0,
        unknown: 0,
        skipped: 0,
      });
      expect(await store.countsByState('nowhere')).toEqual({
        queued: 0,
        sending: 0,
        sent: 0,
        failed: 0,
        unknown: 0,
        skipped: 0,
      });
    });

    it('lists posts in a state, optionally per channel, with a limit', async () => {
      const store = await open();
      const one = await enqueue(store, 1, [batch('x', 2), batch('tg', 2)]);
      expect((await store.postsInState('queued', 3)).map((post) => `${post.channelId}${post.seq}`)).toEqual([
        'tg1',
        'tg2',
        'x1',
      ]);
      expect((await store.postsInState('queued', 10, 'x')).map((post) => post.id)).toEqual(
        one.postIds.slice(0, 2),
      );
      expect(await store.postsInState('failed', 10)).toEqual([]);
    });

    it('orders channels byte-wise, as SQLite does, whatever the database collates text by', async () => {
      const store = await open();
      // Byte order: upper case first, '-' (0x2d) before '_' (0x5f). An en-US collation would give
      // tg, x_alt, x-alt, X-main.
      const channels = ['x_alt', 'tg', 'X-main', 'x-alt'];
      const { articleId, postIds } = await enqueue(
        store,
        1,
        channels.map((channel) => batch(channel, 1)),
      );
      const byteOrder = ['X-main1', 'tg1', 'x-alt1', 'x_alt1'];
      const named = (posts: readonly { channelId: string; seq: number }[]) =>
        posts.map((post) => `${post.channelId}${post.seq}`);
      expect(named(await store.postsOfArticle(articleId))).toEqual(byteOrder);
      expect(named(await store.postsInState('queued', 10))).toEqual(byteOrder);
      for (const id of postIds) {
        await store.lease(id, at(1));
        await store.markSent(id, { remoteId: `r${id}`, publishedAt: at(1) });
      }
      expect(named(await store.postsInState('sent', 10))).toEqual(byteOrder);
      expect(named(await store.postsToTakeDown(articleId))).toEqual(byteOrder);
      expect(named((await store.articleTrail(articleId))?.posts ?? [])).toEqual(byteOrder);
      const again = await store.enqueueArticle(
        article(1),
        channels.map((channel) => batch(channel, 1)),
        { now: at(2), approved: true },
      );
      expect(again).toMatchObject({ kind: 'duplicate', channelIds: channels });
    });

    it('reads nothing for ids that do not exist', async () => {
      const store = await open();
      expect(await store.getArticle(1)).toBeUndefined();
      expect(await store.getPost(1)).toBeUndefined();
      expect(await store.postsOfArticle(1)).toEqual([]);
      expect(await store.attempts(1)).toEqual([]);
      expect(await store.listArticles(10)).toEqual([]);
    });
  });

  describe('durability', () => {
    it('keeps posts, states, attempts and remote ids across closing and re-opening', async () => {
      let store: PostStore = await open();
      const { articleId, postIds } = await enqueue(store, 1, [batch('x', 3, 'thread')]);
      await store.lease(postIds[0]!, at(1));
      await store.markSent(postIds[0]!, { remoteId: 'r1', publishedAt: at(1) });
      await store.lease(postIds[1]!, at(2));
      await store.markRetry(postIds[1]!, 'rate-limited', at(20), '429', at(2));
      const before = await store.postsOfArticle(articleId);
      const attemptsBefore = await Promise.all(postIds.map((id) => store.attempts(id)));

      await store.close();
      await store.close(); // closing twice is harmless
      store = await open();
      expect(await store.postsOfArticle(articleId)).toEqual(before);
      expect(await Promise.all(postIds.map((id) => store.attempts(id)))).toEqual(attemptsBefore);
      expect((await store.lastSentInThread(articleId, 'x'))?.remoteId).toBe('r1');
      expect((await store.nextDue('x', at(3)))?.id).toBe(postIds[2]);
    });
  });
});
