import { describe, expect, it } from 'vitest';
import type { PostStore, StoredPreview } from '../../../src/ports/post-store.js';
import { at, T0, useStoreAdapters } from '../../helpers/store-adapters.js';

/**
 * The store's smaller tables on every store adapter: the admin alert outbox, /add previews, channel
 * pauses and settings, each kept across closing and re-opening.
 */

const adapters = useStoreAdapters();

describe.each(adapters)('$name store', (adapter) => {
  const open = () => adapter.open();
  async function reopen(store: PostStore): Promise<PostStore> {
    await store.close();
    return open();
  }

  describe('the admin alert outbox', () => {
    it('keeps an alert until every chat has it, once per key, and forgets finished ones after 30 days', async () => {
      const store = await open();
      const clockNow = T0;
      const first = await store.addAlert(
        { kind: 'unknown', text: 'post 7?', postId: 7, key: 'unknown:7:1' },
        clockNow,
      );
      expect(first).toMatchObject({ kind: 'unknown', postId: 7, channelId: null, handledChats: [] });
      // The same key again (the next start finds post 7 still unknown): not stored, not re-alerted.
      expect(
        await store.addAlert({ kind: 'unknown', text: 'post 7?', postId: 7, key: 'unknown:7:1' }, clockNow),
      ).toBeUndefined();
      // A later attempt of the same post is a new question.
      expect(
        await store.addAlert(
          { kind: 'unknown', text: 'post 7 again?', postId: 7, key: 'unknown:7:2' },
          clockNow,
        ),
      ).toBeDefined();
      const info = await store.addAlert({ kind: 'info', text: 'no key' }, clockNow);
      expect(await store.addAlert({ kind: 'info', text: 'no key' }, clockNow)).toBeDefined();
      expect(await store.countPendingAlerts()).toBe(4);

      await store.recordAlertDelivery([first!.id], '1001', 'delivered', clockNow);
      await store.recordAlertDelivery([first!.id], '1001', 'delivered', clockNow); // recorded once
      await store.recordAlertDelivery([first!.id], '-42', 'refused', clockNow);
      const handled = (await store.pendingAlerts(10)).find((a) => a.id === first!.id)?.handledChats;
      expect([...(handled ?? [])].sort()).toEqual(['-42', '1001']);
      await store.finishAlerts([first!.id, info!.id], clockNow);
      expect((await store.pendingAlerts(10)).map((a) => a.text)).toEqual(['post 7 again?', 'no key']);
      expect(await store.countPendingAlerts()).toBe(2);

      // Nobody to deliver to: stored finished, for its key alone.
      expect(
        await store.addAlert({ kind: 'failed', text: 'log only', key: 'k' }, clockNow, { logOnly: true }),
      ).toBeDefined();
      expect(await store.countPendingAlerts()).toBe(2);
      expect(await store.addAlert({ kind: 'failed', text: 'log only', key: 'k' }, clockNow)).toBeUndefined();

      // 31 days on, the finished alerts and their keys are gone: post 7's first question may come again.
      const later = new Date(clockNow.getTime() + 31 * 86_400_000);
      expect(
        await store.addAlert({ kind: 'unknown', text: 'post 7?', postId: 7, key: 'unknown:7:1' }, later),
      ).toBeDefined();
      expect(await store.countPendingAlerts()).toBe(3);
      await store.close();
    });

    it('stores what the buttons act on, the channel and the time; lists pending ones oldest first, limited', async () => {
      let store = await open();
      const held = await store.addAlert(
        {
          kind: 'info',
          text: 'a correction waits',
          channelId: 'x',
          action: { kind: 'held-correction', feedItemId: 12 },
        },
        at(1),
      );
      expect(held).toEqual({
        id: held!.id,
        kind: 'info',
        text: 'a correction waits',
        channelId: 'x',
        postId: null,
        createdAt: at(1),
        handledChats: [],
        action: { kind: 'held-correction', feedItemId: 12 },
      });
      await store.addAlert(
        { kind: 'auth', text: 'second', action: { kind: 'feed-approval', articleId: 3 } },
        at(2),
      );
      await store.addAlert({ kind: 'rate-limited', text: 'third' }, at(3));
      store = await reopen(store);
      expect((await store.pendingAlerts(2)).map((a) => [a.text, a.action])).toEqual([
        ['a correction waits', { kind: 'held-correction', feedItemId: 12 }],
        ['second', { kind: 'feed-approval', articleId: 3 }],
      ]);
      expect((await store.pendingAlerts(10)).map((a) => a.kind)).toEqual(['info', 'auth', 'rate-limited']);
      // Empty batches are nothing to do.
      await store.recordAlertDelivery([], '1001', 'delivered', at(4));
      await store.finishAlerts([], at(4));
      expect(await store.countPendingAlerts()).toBe(3);
    });
  });

  describe('previews', () => {
    const preview = (id: string, minutes: number): StoredPreview => ({
      id,
      payload: JSON.stringify({ title: `Preview ${id}` }),
      createdBy: 1001,
      createdAt: at(minutes),
    });
    const keepAll = { expireBefore: at(-60), keep: 10 };

    it('keeps a preview until it is taken, once, and refuses an id that is taken', async () => {
      let store = await open();
      expect(await store.savePreview(preview('p1', 0), keepAll)).toBe(true);
      expect(await store.savePreview(preview('p2', 1), keepAll)).toBe(true);
      expect(await store.savePreview({ ...preview('p1', 2), payload: 'other' }, keepAll)).toBe(false);
      store = await reopen(store);
      expect(await store.getPreview('p1')).toEqual(preview('p1', 0));
      expect(await store.getPreview('nope')).toBeUndefined();

      expect(await store.takePreview('p2')).toEqual(preview('p2', 1));
      expect(await store.takePreview('p2')).toBeUndefined();
      expect(await store.getPreview('p2')).toBeUndefined();
      expect(await store.getPreview('p1')).toBeDefined();
    });

    it('forgets previews older than expireBefore, and the oldest beyond keep - 1, before saving', async () => {
      const store = await open();
      for (const [id, minutes] of [
        ['a', 0],
        ['b', 10],
        ['c', 20],
        ['d', 30],
      ] as const) {
        expect(await store.savePreview(preview(id, minutes), keepAll)).toBe(true);
      }
      // a is older than at(5): gone. Then keep 3: room for two of b, c, d, so b (the oldest) goes too.
      expect(await store.savePreview(preview('e', 40), { expireBefore: at(5), keep: 3 })).toBe(true);
      const left = [];
      for (const id of ['a', 'b', 'c', 'd', 'e']) if (await store.getPreview(id)) left.push(id);
      expect(left).toEqual(['c', 'd', 'e']);
      expect(await adapter.countRows('previews')).toBe(3);
    });

    it('hands a preview taken twice at once to one taker only', async () => {
      const store = await open();
      const second = await adapter.open();
      await store.savePreview(preview('p', 0), keepAll);
      const taken = await Promise.all([store.takePreview('p'), second.takePreview('p')]);
      expect(taken.filter((p) => p !== undefined)).toEqual([preview('p', 0)]);
    });
  });

  describe('channel state and settings', () => {
    it('pauses and resumes a channel, and remembers it across re-opening', async () => {
      let store = await open();
      expect(await store.channelState('x')).toEqual({
        channelId: 'x',
        paused: false,
        pausedUntil: null,
        pauseReason: null,
      });
      await store.pauseChannel('x', 'auth: token revoked', null);
      await store.pauseChannel('tg', 'rate-limited', at(90));
      store = await reopen(store);
      expect(await store.channelState('x')).toEqual({
        channelId: 'x',
        paused: true,
        pausedUntil: null,
        pauseReason: 'auth: token revoked',
      });
      expect(await store.channelState('tg')).toMatchObject({ paused: true, pausedUntil: at(90) });
      await store.resumeChannel('x');
      await store.resumeChannel('never-paused');
      expect(await store.channelState('x')).toEqual({
        channelId: 'x',
        paused: false,
        pausedUntil: null,
        pauseReason: null,
      });
      expect((await store.channelState('tg')).paused).toBe(true);
      // A second pause replaces the first.
      await store.pauseChannel('tg', 'auth: 401', null);
      expect(await store.channelState('tg')).toEqual({
        channelId: 'tg',
        paused: true,
        pausedUntil: null,
        pauseReason: 'auth: 401',
      });
    });

    it('stores, overwrites and keeps settings', async () => {
      let store = await open();
      expect(await store.getSetting('x.refresh-token')).toBeUndefined();
      await store.setSetting('x.refresh-token', 'one');
      await store.setSetting('x.refresh-token', 'two');
      store = await reopen(store);
      expect(await store.getSetting('x.refresh-token')).toBe('two');
    });
  });
});
