import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { type KillReport, killArticle } from '../../src/use-cases/kill-article.js';
import { publishPost } from '../../src/use-cases/publish-post.js';
import { makeArticle } from '../helpers/articles.js';
import { createWorld, queued, TG_QUOTES, type World } from '../helpers/world.js';

/**
 * A Telegram message id means something only in its chat. Each Telegram post records the chat it
 * went to; a kill after the channel's chat changed (a staging group swapped for the real channel
 * under the same channel id) must not delete message N of the new chat (perhaps someone else's post,
 * or "not found", read as already gone while the real post stays up): it names the old chat for a
 * human instead. The real store and telegraf against the fake Bot API.
 */

let world: World | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function kill(w: World, articleId: number): Promise<KillReport> {
  const outcome = await killArticle(w.runtime.deps, { articleId, by: 'the test', again: 'quotecast kill' });
  if (outcome.kind !== 'killed') throw new Error(`expected a kill, got ${outcome.kind}`);
  return outcome.report;
}

describe('kill: a Telegram post is deleted only in the chat it went to', () => {
  it('records the chat at send time; a post from another chat is named for a human, not deleted here', async () => {
    world = await createWorld({
      start: '2026-03-10T12:00:00Z',
      channels: [{ ...TG_QUOTES, quotesPerArticle: 2 }],
    });
    const w = world;
    const { articleId } = queued(await w.enqueue(makeArticle(3, { paragraphs: 4 })));
    const [first, second] = await w.posts(articleId, TG_QUOTES.id);
    expect(await publishPost(w.runtime.deps, first!.id)).toMatchObject({ kind: 'sent' });
    expect(await publishPost(w.runtime.deps, second!.id)).toMatchObject({ kind: 'sent' });
    const sent = await w.posts(articleId, TG_QUOTES.id);
    expect(sent.map((p) => p.remoteChat)).toEqual([TG_QUOTES.chat, TG_QUOTES.chat]);

    // The first one went out when the channel still posted to a staging group.
    const db = new Database(w.runtime.config.settings.store.path);
    db.prepare('UPDATE posts SET remote_chat = ? WHERE id = ?').run('-100777', first!.id);
    db.close();

    const report = await kill(w, articleId);

    const deletes = w.telegram.calls.filter((c) => c.method === 'deleteMessage');
    expect(deletes.map((c) => [String(c.params['chat_id']), String(c.params['message_id'])])).toEqual([
      [TG_QUOTES.chat, sent[1]!.remoteId],
    ]);
    expect(report.deleted.map((d) => d.post.id)).toEqual([second!.id]);
    expect(report.notDeleted).toHaveLength(1);
    expect(report.notDeleted[0]).toMatchObject({
      kind: 'chat-changed',
      where: sent[0]!.remoteUrl,
    });
    expect(report.notDeleted[0]!.advice).toBe(
      `it was published in -100777, and tg-quotes now posts to tg-quotes (${TG_QUOTES.chat}): delete message ${sent[0]!.remoteId} by hand in -100777`,
    );
  });
});
