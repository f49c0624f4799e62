import { beforeEach, describe, expect, it } from 'vitest';
import type { PostStore } from '../../../src/ports/post-store.js';
import {
  at,
  batch,
  enqueue,
  expectStoreError,
  type OpenOptions,
  useStoreAdapters,
} from '../../helpers/store-adapters.js';

/**
 * The post state machine on every store adapter: each transition, its guards (a post that is not in
 * an allowed state is refused with `invalid-transition`, or reported by a false / undefined, and left
 * as it was), the attempt log, and the admin changes (requeue, skip, edit, approve, delete).
 *
 * `markInterruptedAsUnknown` stands for a restart here: a store's instance registers at its opening
 * (T0, its clock) and never heartbeats in these tests, so a minute later PostgreSQL counts it gone,
 * as SQLite counts every `sending` post of its one daemon.
 */

const adapters = useStoreAdapters();

describe.each(adapters)('$name store', (adapter) => {
  let clockNow: Date;
  beforeEach(() => {
    clockNow = at(0);
  });
  const open = (options: OpenOptions = {}) => adapter.open({ now: () => clockNow, ...options });
  async function reopen(store: PostStore): Promise<PostStore> {
    await store.close();
    return open();
  }

  /** What poll-feed does on a correction: the article's feed item held, its queued posts unapproved. */
  async function hold(store: PostStore, articleId: number) {
    const item = await store.addFeedItem({
      feedId: 'news',
      itemKey: `story-${articleId}`,
      canonicalUrl: null,
      rawHash: `raw-${articleId}`,
      title: 'A story',
      articleId,
      state: 'queued',
      now: at(0),
    });
    return await store.holdFeedItem(item.id, articleId, '{"title":"A story, corrected"}');
  }

  describe('the post state machine', () => {
    it('leases, logs the attempt and marks sent', async () => {
      const store = await open();
      const { postIds } = await enqueue(store, 1, [batch('x', 2)]);
      const id = postIds[0]!;

      const leased = await store.lease(id, at(1));
      expect(leased).toMatchObject({ id, state: 'sending', attempts: 1 });
      expect(await store.attempts(id)).toEqual([
        { postId: id, attempt: 1, startedAt: at(1), finishedAt: null, outcome: null, detail: null },
      ]);
      expect(await store.lease(id, at(1))).toBeUndefined();

      clockNow = at(2);
      await store.markSent(id, { remoteId: 'r1', url: 'https://x.example/r1', publishedAt: at(1.5) });
      expect(await store.getPost(id)).toMatchObject({
        state: 'sent',
        remoteId: 'r1',
        remoteUrl: 'https://x.example/r1',
        sentAt: at(1.5),
      });
      expect(await store.attempts(id)).toEqual([
        { postId: id, attempt: 1, startedAt: at(1), finishedAt: at(2), outcome: 'sent', detail: null },
      ]);
      expect(await store.lease(id, at(3))).toBeUndefined();
    });

    it('records the chat a post went to, and null when the receipt names none', async () => {
      const store = await open();
      const { postIds } = await enqueue(store, 1, [batch('tg', 2)]);
      const [a, b] = postIds as [number, number];
      await store.lease(a, at(1));
      await store.markSent(a, { remoteId: '41', publishedAt: at(1), chat: '-100123' });
      await store.lease(b, at(2));
      await store.markSent(b, { remoteId: '42', publishedAt: at(2) });
      expect(await store.getPost(a)).toMatchObject({
        remoteChat: '-100123',
        remoteId: '41',
        remoteUrl: null,
      });
      expect((await store.getPost(b))?.remoteChat).toBeNull();
    });

    it('refuses illegal transitions with an invalid-transition error and changes nothing', async () => {
      const store = await open();
      const { postIds } = await enqueue(store, 1, [batch('x', 1)]);
      const id = postIds[0]!;
      const receipt = { remoteId: 'r', publishedAt: at(1) };

      await expectStoreError(
        async () => await store.markSent(id, receipt),
        'invalid-transition',
        `post ${id}`,
        'queued',
      );
      await expectStoreError(
        async () => await store.markRetry(id, 'unavailable', at(5), 'x', at(1)),
        'invalid-transition',
      );
      await expectStoreError(
        async () => await store.markFailed(id, 'rejected', 'x', at(1)),
        'invalid-transition',
      );
      await expectStoreError(async () => await store.resolveUnknownAsSent(id, receipt), 'invalid-transition');
      await expectStoreError(
        async () => await store.markSent(999, receipt),
        'invalid-transition',
        'no such post',
      );
      expect(await store.getPost(id)).toMatchObject({ state: 'queued', remoteId: null, attempts: 0 });
      expect(await store.attempts(id)).toEqual([]);

      await store.lease(id, at(1));
      await store.markSent(id, receipt);
      await expectStoreError(
        async () => await store.markFailed(id, 'rejected', 'x', at(2)),
        'invalid-transition',
        'sent',
      );
      await expectStoreError(
        async () => await store.markRetry(id, 'unavailable', at(5), 'x', at(2)),
        'invalid-transition',
      );
      await expectStoreError(
        async () => await store.markSent(id, { remoteId: 'other', publishedAt: at(2) }),
        'invalid-transition',
      );
      expect((await store.getPost(id))?.remoteId).toBe('r');
      expect(await store.requeue(id, at(2))).toBe(false);
      expect(await store.skip(id)).toBe(false);
      expect(await store.editText(id, 'new', 3)).toBe(false);
    });

    it('puts a post back for a retry and fails it later, logging each attempt', async () => {
      const store = await open();
      const { postIds } = await enqueue(store, 1, [batch('x', 1)]);
      const id = postIds[0]!;

      await store.lease(id, at(1));
      await store.markRetry(id, 'rate-limited', at(16), 'HTTP 429', at(1.1));
      expect(await store.getPost(id)).toMatchObject({
        state: 'queued',
        nextAttemptAt: at(16),
        lastError: 'rate-limited: HTTP 429',
        attempts: 1,
      });

      await store.lease(id, at(16));
      await store.markFailed(id, 'rejected', 'HTTP 403 text too long', at(16.1));
      expect(await store.getPost(id)).toMatchObject({
        state: 'failed',
        attempts: 2,
        lastError: 'rejected: HTTP 403 text too long',
      });
      expect(await store.attempts(id)).toEqual([
        {
          postId: id,
          attempt: 1,
          startedAt: at(1),
          finishedAt: at(1.1),
          outcome: 'rate-limited',
          detail: 'HTTP 429',
        },
        {
          postId: id,
          attempt: 2,
          startedAt: at(16),
          finishedAt: at(16.1),
          outcome: 'rejected',
          detail: 'HTTP 403 text too long',
        },
      ]);
    });

    it('records a duplicate receipt as the attempt outcome', async () => {
      const store = await open();
      const { postIds } = await enqueue(store, 1, [batch('x', 1)]);
      await store.lease(postIds[0]!, at(1));
      await store.markSent(postIds[0]!, { remoteId: 'r', publishedAt: at(1) }, 'duplicate');
      expect((await store.getPost(postIds[0]!))?.state).toBe('sent');
      expect((await store.attempts(postIds[0]!))[0]?.outcome).toBe('duplicate');
    });

    it('marks a send it cannot settle unknown, closing the attempt, and only a post being sent', async () => {
      const store = await open();
      const { postIds } = await enqueue(store, 1, [batch('tg', 2)]);
      const [a, b] = postIds as [number, number];
      await store.lease(a, at(1));
      await store.markUnknown(a, 'timeout after the request went out', at(2));
      expect(await store.getPost(a)).toMatchObject({
        state: 'unknown',
        lastError: 'timeout after the request went out',
      });
      expect(await store.attempts(a)).toEqual([
        {
          postId: a,
          attempt: 1,
          startedAt: at(1),
          finishedAt: at(2),
          outcome: 'unknown',
          detail: 'timeout after the request went out',
        },
      ]);
      expect(await store.lease(a, at(3))).toBeUndefined();
      await expectStoreError(
        async () => await store.markUnknown(b, 'x', at(3)),
        'invalid-transition',
        `post ${b}`,
        'queued',
      );
      await expectStoreError(async () => await store.markUnknown(a, 'again', at(3)), 'invalid-transition');
      expect((await store.getPost(b))?.state).toBe('queued');
      // It may be public: sent once found, or given up.
      await store.resolveUnknownAsSent(a, { remoteId: '77', publishedAt: at(1) });
      expect(await store.getPost(a)).toMatchObject({ state: 'sent', remoteId: '77', sentAt: at(1) });
    });

    it('turns interrupted sends into unknown on start-up, then resolves them', async () => {
      const store = await open();
      const { postIds } = await enqueue(store, 1, [batch('x', 3), batch('tg', 1)]);
      const [a, b, c, d] = postIds as [number, number, number, number];
      await store.lease(a, at(1));
      await store.markSent(a, { remoteId: 'ra', publishedAt: at(1) });
      await store.lease(b, at(2));
      await store.lease(d, at(2));

      const restarted = await reopen(store);
      const unknown = await restarted.markInterruptedAsUnknown(at(10));
      expect(unknown.map((post) => [post.id, post.state])).toEqual([
        [d, 'unknown'],
        [b, 'unknown'],
      ]);
      expect((await restarted.getPost(a))?.state).toBe('sent');
      expect((await restarted.getPost(c))?.state).toBe('queued');
      expect(await restarted.attempts(b)).toEqual([
        {
          postId: b,
          attempt: 1,
          startedAt: at(2),
          finishedAt: at(10),
          outcome: 'unknown',
          detail: expect.stringContaining('interrupted'),
        },
      ]);
      expect(await restarted.markInterruptedAsUnknown(at(11))).toEqual([]);
      expect(await restarted.lease(b, at(11))).toBeUndefined();

      // Reconciliation found b on the platform; d gets sent after all.
      await restarted.resolveUnknownAsSent(b, {
        remoteId: 'rb',
        url: 'https://x.example/rb',
        publishedAt: at(2),
      });
      expect(await restarted.getPost(b)).toMatchObject({ state: 'sent', remoteId: 'rb', sentAt: at(2) });
      await restarted.markSent(d, { remoteId: 'rd', publishedAt: at(2) });
      expect(await restarted.getPost(d)).toMatchObject({ state: 'sent', remoteId: 'rd' });
      // The unknown attempt keeps the outcome it was closed with.
      expect((await restarted.attempts(d)).map((attempt) => attempt.outcome)).toEqual(['unknown']);
    });

    it('resolves an unknown post as sent without a remote id', async () => {
      const store = await open();
      const { postIds } = await enqueue(store, 1, [batch('tg', 1)]);
      await store.lease(postIds[0]!, at(1));
      await store.markInterruptedAsUnknown(at(2));
      await store.resolveUnknownAsSent(postIds[0]!, { remoteId: null, publishedAt: at(3) });
      expect(await store.getPost(postIds[0]!)).toMatchObject({
        state: 'sent',
        remoteId: null,
        sentAt: at(3),
      });
    });
  });

  describe('what the lease refuses', () => {
    it('leases no post waiting for approval, and leaves it untouched', async () => {
      const store = await open();
      const { postIds } = await enqueue(store, 1, [batch('x', 1)], false);
      expect(await store.lease(postIds[0]!, at(1))).toBeUndefined();
      expect(await store.getPost(postIds[0]!)).toMatchObject({
        state: 'queued',
        approved: false,
        attempts: 0,
      });
      expect(await store.attempts(postIds[0]!)).toEqual([]);
      expect(await store.lease(12345, at(1))).toBeUndefined();
    });

    it('leases nothing of an article held for a feed correction, even approved again', async () => {
      const store = await open();
      const { articleId, postIds } = await enqueue(store, 1, [batch('x', 3)]);
      const [a, b, c] = postIds as [number, number, number];
      await store.lease(a, at(1)); // in flight at the hold: left to finish
      expect(await store.isArticleHeld(articleId)).toBe(false);

      expect(await hold(store, articleId)).toEqual({ held: 2, wasApproved: true });
      expect(await store.isArticleHeld(articleId)).toBe(true);
      expect((await store.getPost(a))?.state).toBe('sending');
      expect((await store.getPost(b))?.approved).toBe(false);
      expect(await store.nextDue('x', at(2))).toBeUndefined();

      // Approved by hand while the hold lasts: still not leased, still queued, no attempt logged.
      expect(await store.approveArticle(articleId)).toBe(2);
      expect(await store.lease(b, at(2))).toBeUndefined();
      expect(await store.getPost(b)).toMatchObject({ state: 'queued', approved: true, attempts: 0 });
      expect(await store.attempts(c)).toEqual([]);
    });

    it('brings a post back unapproved while its article is held: a retry, or an admin requeue', async () => {
      const store = await open();
      const { articleId, postIds } = await enqueue(store, 1, [batch('x', 3)]);
      const [a, b] = postIds as [number, number];
      await store.lease(a, at(1));
      await store.lease(b, at(1));
      await store.markFailed(b, 'rejected', 'bad text', at(1));
      expect(await hold(store, articleId)).toEqual({ held: 1, wasApproved: true });

      await store.markRetry(a, 'unavailable', at(1), 'timeout', at(2));
      expect(await store.getPost(a)).toMatchObject({ state: 'queued', approved: false, attempts: 1 });
      expect(await store.requeue(b, at(3))).toBe(true);
      expect(await store.getPost(b)).toMatchObject({ state: 'queued', approved: false, attempts: 1 });
      expect(await store.lease(a, at(4))).toBeUndefined();
      expect(await store.lease(b, at(4))).toBeUndefined();
    });

    it('reports how many held posts there were and whether any was approved', async () => {
      const store = await open();
      const waiting = await enqueue(store, 1, [batch('x', 2)], false);
      expect(await hold(store, waiting.articleId)).toEqual({ held: 2, wasApproved: false });
      const sent = await enqueue(store, 2, [batch('x', 1)]);
      await store.lease(sent.postIds[0]!, at(1));
      await store.markSent(sent.postIds[0]!, { remoteId: 'r', publishedAt: at(1) });
      expect(await hold(store, sent.articleId)).toEqual({ held: 0, wasApproved: false });
    });

    it('leases nothing of a killed article', async () => {
      const store = await open();
      const { articleId, postIds } = await enqueue(store, 1, [batch('x', 2)]);
      await store.killArticle(articleId, 'the command line', at(1));
      for (const id of postIds) expect(await store.lease(id, at(2))).toBeUndefined();
      expect(await store.nextDue('x', at(2))).toBeUndefined();
      expect(await store.countsByState('x')).toMatchObject({ skipped: 2, sending: 0 });
    });
  });

  describe('admin changes', () => {
    it('requeues unknown, failed and skipped posts as due now, and nothing else', async () => {
      const store = await open();
      const { postIds } = await enqueue(store, 1, [batch('x', 4)]);
      const [a, b, c, d] = postIds as [number, number, number, number];
      await store.lease(a, at(1));
      await store.markFailed(a, 'rejected', 'too long', at(1));
      await store.lease(b, at(1));
      await store.markInterruptedAsUnknown(at(2));
      expect(await store.skip(c)).toBe(true);
      expect(await store.requeue(d, at(3))).toBe(false);

      for (const id of [a, b, c]) expect(await store.requeue(id, at(3))).toBe(true);
      expect(await store.countsByState('x')).toMatchObject({ queued: 4, failed: 0, unknown: 0, skipped: 0 });
      expect((await store.nextDue('x', at(3)))?.id).toBe(a);
      // Attempt numbers keep counting, so the log stays unique and complete.
      expect((await store.lease(a, at(4)))?.attempts).toBe(2);
    });

    it('requeues a post waiting for a later retry as due now', async () => {
      const store = await open();
      const { postIds } = await enqueue(store, 1, [batch('x', 1)]);
      const id = postIds[0]!;
      await store.lease(id, at(1));
      await store.markRetry(id, 'rate-limited', at(60), '429', at(1));
      await store.lease(id, at(60));
      await store.markFailed(id, 'rejected', 'no', at(60));
      expect(await store.requeue(id, at(61))).toBe(true);
      expect(await store.getPost(id)).toMatchObject({ state: 'queued', nextAttemptAt: null });
      expect((await store.nextDue('x', at(61)))?.id).toBe(id);
    });

    it('skips queued, unknown and failed posts only', async () => {
      const store = await open();
      const { postIds } = await enqueue(store, 1, [batch('x', 3)]);
      const [a, b, c] = postIds as [number, number, number];
      await store.lease(b, at(1));
      expect(await store.skip(b)).toBe(false);
      await store.markFailed(b, 'auth', '401', at(1));
      expect(await store.skip(b)).toBe(true);
      expect(await store.skip(a)).toBe(true);
      expect(await store.skip(a)).toBe(false);
      await store.lease(c, at(2));
      await store.markInterruptedAsUnknown(at(3));
      expect(await store.skip(c)).toBe(true);
      expect((await store.postsInState('skipped', 10)).map((post) => post.id)).toEqual([a, b, c]);
      expect(await store.skip(999)).toBe(false);
    });

    it('edits the text of unsent posts only', async () => {
      const store = await open();
      const { postIds } = await enqueue(store, 1, [batch('x', 2)]);
      expect(await store.editText(postIds[0]!, 'Better words.', 13)).toBe(true);
      expect(await store.getPost(postIds[0]!)).toMatchObject({ text: 'Better words.', length: 13 });
      await store.lease(postIds[1]!, at(1));
      expect(await store.editText(postIds[1]!, 'Too late', 8)).toBe(false);
      expect((await store.getPost(postIds[1]!))?.text).toBe('x post 2');
    });

    it('approves the posts of an article waiting for approval, once', async () => {
      const store = await open();
      const waiting = await enqueue(store, 1, [batch('x', 2), batch('tg', 1)], false);
      const other = await enqueue(store, 2, [batch('x', 1)], false);
      expect(await store.approveArticle(waiting.articleId)).toBe(3);
      expect(await store.approveArticle(waiting.articleId)).toBe(0);
      expect((await store.postsOfArticle(waiting.articleId)).every((post) => post.approved)).toBe(true);
      expect((await store.getPost(other.postIds[0]!))?.approved).toBe(false);
      expect(await store.approveArticle(999)).toBe(0);
    });

    it('deletes unsent posts and their attempts, keeping sent and sending ones and the article', async () => {
      const store = await open();
      const { articleId, postIds } = await enqueue(store, 1, [batch('x', 4), batch('tg', 1)]);
      const [a, b, c, , e] = postIds as [number, number, number, number, number];
      await store.lease(a, at(1));
      await store.markSent(a, { remoteId: 'ra', publishedAt: at(1) });
      await store.lease(b, at(2));
      await store.markFailed(b, 'rejected', 'no', at(2));
      await store.lease(c, at(3));
      await store.lease(e, at(3));
      await store.markInterruptedAsUnknown(at(4));
      await store.lease(e, at(5)); // e is unknown: not leasable

      expect(await store.deleteUnsent(articleId)).toBe(4);
      expect((await store.postsOfArticle(articleId)).map((post) => post.id)).toEqual([a]);
      expect(await store.attempts(b)).toEqual([]);
      expect(await store.attempts(a)).toHaveLength(1);
      expect(await store.getArticle(articleId)).toBeDefined();
      expect(await adapter.countRows('attempts')).toBe(1);
    });

    it('keeps a post that is being sent when its article is deleted', async () => {
      const store = await open();
      const { articleId, postIds } = await enqueue(store, 1, [batch('x', 2)]);
      await store.lease(postIds[0]!, at(1));
      expect(await store.deleteUnsent(articleId)).toBe(1);
      expect((await store.getPost(postIds[0]!))?.state).toBe('sending');
    });
  });
});
