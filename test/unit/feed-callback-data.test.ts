import { describe, expect, it } from 'vitest';
import {
  type CallbackAction,
  decodeCallback,
  encodeCallback,
  MAX_CALLBACK_BYTES,
} from '../../src/apps/telegram-bot/callback-data.js';

describe("the feed and correction buttons' callback data", () => {
  const longest = 'f'.repeat(40);
  const actions: CallbackAction[] = [
    { kind: 'held', decision: 'requeue', itemId: 999_999_999_999 },
    { kind: 'held', decision: 'keep', itemId: 12, page: 9999 },
    { kind: 'held', decision: 'drop', itemId: 1 },
    { kind: 'held-page', page: 3 },
    { kind: 'feed-approval', decision: 'approve', articleId: 7 },
    { kind: 'feed-approval', decision: 'delete', articleId: 999_999_999_999 },
    { kind: 'vanished', decision: 'kill', itemId: 999_999_999_999, articleId: 999_999_999_999 },
    { kind: 'vanished', decision: 'keep', itemId: 4, articleId: 5 },
    { kind: 'feed-pause', paused: true, feedId: longest },
    { kind: 'feed-pause', paused: false, feedId: 'news_2-b' },
  ];

  it("round-trips every kind within Telegram's 64 bytes", () => {
    for (const action of actions) {
      const data = encodeCallback(action);
      expect(Buffer.byteLength(data)).toBeLessThanOrEqual(MAX_CALLBACK_BYTES);
      expect(decodeCallback(data)).toEqual(action);
    }
  });

  it('rejects what no button of ours sends', () => {
    for (const data of ['c:x:1', 'c:r:', 'cp:x', 'f:z:1', 'v:k:1', 'p:p:News', `p:r:${longest}f`, 'p:p:-a'])
      expect(decodeCallback(data)).toBeUndefined();
  });
});
