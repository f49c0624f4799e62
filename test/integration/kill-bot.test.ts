import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { enqueueArticle } from '../../src/use-cases/enqueue-article.js';
import { DEFAULT_FAKE_ADMIN, type FakeSentMessage } from '../fakes/fake-telegram-api.js';
import { type AdminBotWorld, startAdminBotWorld } from '../helpers/admin-bot-world.js';
import { makeArticle } from '../helpers/articles.js';
import { waitUntil } from '../helpers/quotecast-process.js';

/**
 * /kill (with its confirmation buttons) and /article through the real telegraf bot against the fake
 * Bot API, as `quotecast start` wires it: a real SQLite store, the console publisher for X and the
 * real Telegram publisher (the same fake) for a Telegram channel.
 */

const WAIT_MS = 15_000;
const TG_CHAT = '@quotecast_news';
const ADMIN_CHAT = String(DEFAULT_FAKE_ADMIN.id);

let world: AdminBotWorld | undefined;

afterEach(async () => {
  await world?.stop();
  world = undefined;
});

/** Sends a command and returns the bot's first answer in the admin's chat. */
async function ask(text: string): Promise<FakeSentMessage> {
  const w = world!;
  const before = new Set(w.fake.sentMessages);
  w.fake.pushMessage({ text });
  return w.fake.waitFor((m) => !before.has(m) && m.chatId === ADMIN_CHAT, WAIT_MS);
}

function button(message: FakeSentMessage, label: RegExp): string {
  const markup = message.replyMarkup as { inline_keyboard?: { text: string; callback_data: string }[][] };
  const found = markup?.inline_keyboard?.flat().find((b) => label.test(b.text));
  if (!found) throw new Error(`no button ${label} on: ${message.shownText.slice(0, 200)}`);
  return found.callback_data;
}

async function press(message: FakeSentMessage, label: RegExp) {
  const w = world!;
  const id = w.fake.pushCallbackQuery({ data: button(message, label), message });
  await w.fake.waitForCall(
    (c) => c.method === 'answerCallbackQuery' && c.params['callback_query_id'] === id,
    WAIT_MS,
  );
}

describe('/kill and /article in the admin bot', () => {
  it('previews a kill with buttons, does nothing on Cancel, and on "Kill it" deletes and reports', async () => {
    world = await startAdminBotWorld({
      settings: {
        channels: [
          { id: 'x-main', platform: 'twitter', schedule: '0 9 * * *', quotesPerArticle: 2 },
          { id: 'tg-news', platform: 'telegram', chat: TG_CHAT, schedule: '0 9 * * *', quotesPerArticle: 2 },
        ],
      },
    });
    const { runtime, daemon, fake } = world;
    const { result } = await enqueueArticle(runtime.store, {
      article: makeArticle(7),
      channels: runtime.config.channels,
      approved: true,
      now: runtime.clock.now(),
    });
    if (result.kind !== 'queued') throw new Error(`not queued: ${result.kind}`);
    const id = result.articleId;
    // One quote out on each channel; one still queued on each.
    await daemon.runNow('tg-news');
    await daemon.runNow('x-main');
    const published = fake.sentMessages.filter((m) => m.chatId === TG_CHAT);
    expect(published).toHaveLength(1);
    const sentOnTelegram = (await runtime.store.postsOfArticle(id, 'tg-news')).find(
      (p) => p.state === 'sent',
    )!;
    expect(sentOnTelegram.remoteUrl).toBe(`https://t.me/quotecast_news/${published[0]!.messageId}`);

    const listing = await ask(`/article a${id}`);
    expect(listing.shownText).toContain(`article ${id} "Story number 7"`);
    expect(listing.shownText).toContain('tg-news (@quotecast_news):');
    expect(listing.shownText).toContain(sentOnTelegram.remoteUrl!);
    expect(listing.shownText).toMatch(/sent \d{4}-\d\d-\d\d \d\d:\d\dZ/);

    const preview = await ask(`/kill ${id}`);
    expect(preview.shownText).toContain(`Kill article a${id}?`);
    expect(preview.shownText).toContain('Drops 2 queued post(s).');
    expect(preview.shownText).toContain('Deletes 2 published post(s):');
    expect(preview.shownText).toContain(sentOnTelegram.remoteUrl!);

    await press(preview, /Cancel/);
    await waitUntil(() => preview.shownText.includes('cancelled'), 'the cancelled confirmation', {
      timeoutMs: WAIT_MS,
    });
    expect(published[0]!.deleted).toBe(false);
    expect((await runtime.store.articleTrail(id))?.killed).toBeUndefined();
    expect((await runtime.store.postsOfArticle(id)).filter((p) => p.state === 'queued')).toHaveLength(2);

    const confirm = await ask(`/kill a${id}`);
    const alertsBefore = fake.sentMessages.length;
    await press(confirm, /Kill it/);
    await waitUntil(() => confirm.shownText.startsWith('✅'), 'the kill report', { timeoutMs: WAIT_MS });
    expect(confirm.edits[0]?.text).toMatch(/^⏳ Killing a\d+/);
    expect(confirm.shownText).toContain(
      'Dropped 2 queued post(s); deleted 2 published post(s); could not delete 0.',
    );
    expect(confirm.replyMarkup).toBeUndefined();

    // Telegram: the message is gone; X (console): the deletion is in the outbox; the queue: skipped.
    expect(published[0]!.deleted).toBe(true);
    const outbox = readFileSync(runtime.config.settings.outbox.path, 'utf8');
    expect(outbox).toMatch(/"deleted":"console-1"/);
    const trail = (await runtime.store.articleTrail(id))!;
    expect(trail.killed?.by).toMatch(/ada_editor/);
    expect(trail.posts.map((p) => [p.channelId, p.state, p.deletedAt !== null])).toEqual([
      ['tg-news', 'sent', true],
      ['tg-news', 'skipped', false],
      ['x-main', 'sent', true],
      ['x-main', 'skipped', false],
    ]);

    // The admins hear about it (an alert with the report).
    await fake.waitFor(
      (m) =>
        fake.sentMessages.indexOf(m) >= alertsBefore && m !== confirm && /Killed article/.test(m.shownText),
      WAIT_MS,
    );

    const after = await ask(`/article ${id}`);
    expect(after.shownText).toMatch(/killed \d{4}-\d\d-\d\d \d\d:\d\dZ by @ada_editor/);
    expect(after.shownText).toMatch(/deleted \d{4}-\d\d-\d\d/);
  });

  it('answers a missing or malformed article id with how to find one', async () => {
    world = await startAdminBotWorld();
    expect((await ask('/kill 99')).shownText).toContain('There is no article a99');
    expect((await ask('/article twelve')).shownText).toContain('is not an article id');
    expect((await ask('/kill')).shownText).toContain('/kill needs an article id');
  });
});
