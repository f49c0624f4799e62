import { Telegraf, TelegramError } from 'telegraf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createTelegramPublisher,
  type TelegramPublisherOptions,
} from '../../src/adapters/telegram/create-telegram-publisher.js';
import { escapeHtml } from '../../src/adapters/telegram/escape-html.js';
import type { Clock } from '../../src/ports/clock.js';
import type { Logger } from '../../src/ports/logger.js';
import { PublishError } from '../../src/ports/publisher.js';
import {
  createFakeTelegramApi,
  DEFAULT_FAKE_TELEGRAM_TOKEN,
  type FakeTelegramApi,
  type FakeTelegramApiOptions,
  type FakeTelegramFault,
} from '../fakes/fake-telegram-api.js';

const NOW = new Date('2025-03-01T12:00:00Z');
/**
 * Deliberately not shaped like `<digits>:<secret>`: telegraf redacts tokens of that shape from its own
 * error messages, and this test must prove our code keeps any token out, whatever its shape.
 */
const TOKEN = 'bot-secret-T0KEN-value-without-digits-prefix';
const CHANNEL = '@quotecast_news';

const fixedClock: Clock = { now: () => new Date(NOW), sleep: async () => {} };

let fake: FakeTelegramApi;
let seen: string[];

function collectingLogger(): Logger {
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    const shown = Object.entries(fields ?? {}).map(([key, value]) =>
      value instanceof Error ? `${key}=${value.name}: ${value.message}` : `${key}=${JSON.stringify(value)}`,
    );
    seen.push([level, message, ...shown].join(' '));
  };
  return { info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug') };
}

async function startFake(options: FakeTelegramApiOptions = {}) {
  fake = createFakeTelegramApi({ tokens: [TOKEN, DEFAULT_FAKE_TELEGRAM_TOKEN], ...options });
  await fake.start();
}

function publisherWith(overrides: Partial<TelegramPublisherOptions> = {}) {
  return createTelegramPublisher({
    token: TOKEN,
    chatId: CHANNEL,
    apiRoot: fake.url,
    timeoutMs: 2000,
    logger: collectingLogger(),
    clock: fixedClock,
    ...overrides,
  });
}

async function failureOf(promise: Promise<unknown>): Promise<PublishError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(PublishError);
    const failure = error as PublishError;
    seen.push(String(failure), failure.message, failure.hint ?? '');
    return failure;
  }
  throw new Error('expected the call to fail');
}

beforeEach(() => {
  seen = [];
});

afterEach(async () => {
  await fake.close();
  for (const text of seen) expect(text).not.toContain(TOKEN);
});

describe('Telegram publisher: what arrives at the Bot API', () => {
  beforeEach(() => startFake());

  it('sends HTML-escaped text that readers see exactly as written', async () => {
    const text = '<b>not bold</b> & <script>alert(1)</script> &amp; 5 > 3 — 汉字 😀 👩🏽‍💻';
    const receipt = await publisherWith().publish({ text, postId: '42' });

    const sent = fake.sentMessages[0]!;
    expect(sent.text).toBe(
      '&lt;b&gt;not bold&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt; &amp;amp; 5 &gt; 3 — 汉字 😀 👩🏽‍💻',
    );
    expect(sent.text).toBe(escapeHtml(text));
    expect(sent.shownText).toBe(text);
    expect(sent.parseMode).toBe('HTML');
    expect(sent.chatId).toBe(CHANNEL);
    expect(Object.keys(sent.params).sort()).toEqual(['chat_id', 'parse_mode', 'text']);
    expect(sent.linkPreviewOptions).toBeUndefined();
    expect(sent.disableNotification).toBeUndefined();
    expect(sent.replyTo).toBeUndefined();
    expect(receipt).toEqual({
      remoteId: String(sent.messageId),
      url: `https://t.me/quotecast_news/${sent.messageId}`,
      publishedAt: NOW,
      chat: CHANNEL,
    });
  });

  it('turns off link previews and notifications when configured', async () => {
    await publisherWith({ disableLinkPreview: true, silent: true }).publish({
      text: 'https://example.com/a',
    });
    const sent = fake.sentMessages[0]!;
    expect(sent.linkPreviewOptions).toEqual({ is_disabled: true });
    expect(sent.disableNotification).toBe(true);
  });

  it('gives no URL for numeric chat ids', async () => {
    const receipt = await publisherWith({ chatId: '-1001234567890' }).publish({ text: 'private channel' });
    expect(fake.sentMessages[0]?.chatId).toBe('-1001234567890');
    expect(receipt.url).toBeUndefined();
    expect(receipt.remoteId).toBe('1');
  });

  it('threads replies through reply_parameters, in order', async () => {
    const publisher = publisherWith();
    const texts = Array.from({ length: 6 }, (_, i) => `${i + 1}/6 part`);
    let previous: string | undefined;
    for (const text of texts) {
      const receipt = await publisher.publish({ text }, previous === undefined ? {} : { replyTo: previous });
      previous = receipt.remoteId;
    }
    expect(fake.sentMessages.map((m) => m.shownText)).toEqual(texts);
    expect(fake.sentMessages.map((m) => m.replyTo)).toEqual([undefined, 1, 2, 3, 4, 5]);
    expect(fake.sentMessages[1]?.params['reply_parameters']).toEqual({ message_id: 1 });
  });

  it('declares a telegram publisher with replies and no history', () => {
    const publisher = publisherWith();
    expect([publisher.platform, publisher.kind, publisher.supportsReplies]).toEqual([
      'telegram',
      'telegram',
      true,
    ]);
    expect(publisher.recentPosts).toBeUndefined();
  });

  it('rejects bad options at construction', () => {
    expect(() => publisherWith({ chatId: 'quotecast_news' })).toThrow(/chatId/);
    expect(() => publisherWith({ token: ' ' })).toThrow(/token/);
    expect(() => publisherWith({ timeoutMs: -1 })).toThrow(/timeoutMs/);
  });
});

describe('Telegram publisher: error classification', () => {
  beforeEach(() => startFake());

  const adminHint = /administrator with permission to post/;
  const cases: {
    name: string;
    fault: FakeTelegramFault;
    reason: PublishError['reason'];
    status: number | undefined;
    retryAt?: Date;
    hint?: RegExp;
    telegramError?: boolean;
  }[] = [
    {
      name: '429 retry_after 7',
      fault: { kind: 'rate-limit', retryAfter: 7 },
      reason: 'rate-limited',
      status: 429,
      retryAt: new Date(NOW.getTime() + 7000),
      telegramError: true,
    },
    {
      name: '401 token refused',
      fault: { kind: 'unauthorized' },
      reason: 'auth',
      status: 401,
      hint: /TELEGRAM_BOT_TOKEN.*@BotFather/s,
      telegramError: true,
    },
    {
      name: '403 bot kicked',
      fault: { kind: 'forbidden', variant: 'kicked' },
      reason: 'auth',
      status: 403,
      hint: adminHint,
      telegramError: true,
    },
    {
      name: '403 bot not a member',
      fault: { kind: 'forbidden', variant: 'not-member' },
      reason: 'auth',
      status: 403,
      hint: adminHint,
      telegramError: true,
    },
    {
      name: '400 not enough rights',
      fault: { kind: 'forbidden', variant: 'not-enough-rights' },
      reason: 'auth',
      status: 400,
      hint: adminHint,
      telegramError: true,
    },
    {
      name: '400 chat not found',
      fault: { kind: 'chat-not-found' },
      reason: 'auth',
      status: 400,
      hint: /chat id.*@name/s,
      telegramError: true,
    },
    {
      name: '400 group migrated to a supergroup',
      fault: {
        kind: 'respond',
        status: 400,
        body: {
          ok: false,
          error_code: 400,
          description: 'Bad Request: group chat was upgraded to a supergroup chat',
          parameters: { migrate_to_chat_id: -1009876543210 },
        },
      },
      reason: 'auth',
      status: 400,
      hint: /-1009876543210/,
      telegramError: true,
    },
    {
      name: 'other 400',
      fault: { kind: 'bad-request' },
      reason: 'rejected',
      status: 400,
      telegramError: true,
    },
    {
      name: '500',
      fault: { kind: 'server-error', status: 500 },
      reason: 'unavailable',
      status: 500,
      telegramError: true,
    },
    {
      name: '502',
      fault: { kind: 'server-error', status: 502 },
      reason: 'unavailable',
      status: 502,
      telegramError: true,
    },
    { name: 'dropped connection', fault: { kind: 'drop' }, reason: 'unavailable', status: undefined },
  ];

  it.each(cases)('$name → $reason', async ({ fault, reason, status, retryAt, hint, telegramError }) => {
    fake.failNext({ fault });
    const failure = await failureOf(publisherWith().publish({ text: 'a post that meets a fault' }));

    expect(failure.reason).toBe(reason);
    expect(failure.status).toBe(status);
    expect(failure.retryAt).toEqual(retryAt);
    if (hint !== undefined) expect(failure.hint).toMatch(hint);
    if (telegramError === true) expect(failure.cause).toBeInstanceOf(TelegramError);
    else expect(failure.cause).toBeInstanceOf(Error);
    expect(fake.sentMessages).toHaveLength(0);
  });

  it('names a token the API does not know as auth', async () => {
    const other = 'another-secret-token-value';
    const failure = await failureOf(publisherWith({ token: other }).publish({ text: 'who am I' }));
    expect(failure.reason).toBe('auth');
    expect(failure.status).toBe(401);
    for (const text of seen) expect(text).not.toContain(other);
  });

  it('passes the API refusing an over-long message through as rejected', async () => {
    const failure = await failureOf(publisherWith().publish({ text: 'x'.repeat(4097) }));
    expect(failure.reason).toBe('rejected');
    expect(failure.message).toContain('message is too long');
  });

  // The message names the timeout that fired (300 ms, not the default 15 s); a publisher that
  // ignored timeoutMs would also run past the test's timeout.
  it('gives up on a hanging API after timeoutMs with unavailable', { timeout: 10_000 }, async () => {
    fake.failNext({ fault: { kind: 'hang' } });
    const failure = await failureOf(publisherWith({ timeoutMs: 300 }).publish({ text: 'into the void' }));
    expect(failure.reason).toBe('unavailable');
    expect(failure.message).toContain('no answer within 300 ms');
  });

  it('stops waiting when the caller aborts', { timeout: 10_000 }, async () => {
    fake.failNext({ fault: { kind: 'hang' } });
    const controller = new AbortController();
    const publishing = failureOf(
      publisherWith({ timeoutMs: 60_000 }).publish({ text: 'aborted' }, { signal: controller.signal }),
    );
    // Aborted once Telegram holds the request; only the abort can end it before the test's timeout.
    await fake.waitForCall((call) => call.method === 'sendMessage', 5000);
    controller.abort();
    const failure = await publishing;
    expect(failure.reason).toBe('unavailable');
    expect(failure.message).toContain('aborted');
  });

  it('reports a refused connection as unavailable without quoting the URL', async () => {
    const gone = createFakeTelegramApi();
    const { url } = await gone.start();
    await gone.close();
    const failure = await failureOf(publisherWith({ apiRoot: url }).publish({ text: 'nobody home' }));
    expect(failure.reason).toBe('unavailable');
    expect(failure.message).toContain('ECONNREFUSED');
  });
});

describe('Telegram publisher against the fake rate limiter', () => {
  it('answers 429 past the per-chat limit and counts it', async () => {
    await startFake({ rateLimit: { perChatPerSecond: 1 } });
    const publisher = publisherWith();
    await publisher.publish({ text: 'first' });
    const failure = await failureOf(publisher.publish({ text: 'second, too soon' }));
    expect(failure.reason).toBe('rate-limited');
    expect(failure.retryAt).toEqual(new Date(NOW.getTime() + 1000));
    expect(fake.rateLimitedCount).toBe(1);
    await publisherWith({ chatId: '@another_channel' }).publish({ text: 'other chats are not limited' });
    expect(fake.sentMessages).toHaveLength(2);
  });
});

describe('fake Telegram API with a telegraf bot (shared test infrastructure)', () => {
  beforeEach(() => startFake({ maxLongPollMs: 200 }));

  it('serves long polling, commands, buttons, files and edits', async () => {
    const bot = new Telegraf(DEFAULT_FAKE_TELEGRAM_TOKEN, { telegram: { apiRoot: fake.url } });
    bot.command('start', (ctx) =>
      ctx.reply('<b>menu</b>', {
        parse_mode: 'HTML',
        reply_markup: { inline_keyboard: [[{ text: 'Approve', callback_data: 'approve:1' }]] },
      }),
    );
    bot.on('callback_query', async (ctx) => {
      await ctx.answerCbQuery('approved');
      await ctx.editMessageText('approved ✔');
    });
    bot.on('document', async (ctx) => {
      const link = await ctx.telegram.getFileLink(ctx.message.document.file_id);
      const body = await (await fetch(link)).text();
      await ctx.reply(`received ${ctx.message.document.file_name}: ${body}`);
    });
    const running = bot.launch();
    try {
      fake.pushMessage({ text: '/start' });
      const menu = await fake.waitFor((m) => m.shownText === 'menu', 3000);
      expect(menu.chatId).toBe('1001');
      expect(menu.replyMarkup).toEqual({
        inline_keyboard: [[{ text: 'Approve', callback_data: 'approve:1' }]],
      });

      fake.pushCallbackQuery({ data: 'approve:1', message: menu });
      const answered = await fake.waitForCall((c) => c.method === 'answerCallbackQuery', 3000);
      expect(answered.params).toMatchObject({ text: 'approved' });
      await fake.waitForCall((c) => c.method === 'editMessageText', 3000);
      expect(menu.shownText).toBe('approved ✔');
      expect(menu.edits).toHaveLength(1);

      fake.pushMessage({ document: { fileName: 'article.txt', content: 'Title\n\nBody.' } });
      const reply = await fake.waitFor((m) => m.shownText.startsWith('received'), 3000);
      expect(reply.shownText).toBe('received article.txt: Title\n\nBody.');
    } finally {
      bot.stop('test over');
      await running;
    }
  });

  // A 50-second poll answered (empty) within the test's 10-second timeout: the fake capped it.
  it('caps a long poll at maxLongPollMs and honours offset', { timeout: 10_000 }, async () => {
    const telegram = new Telegraf(DEFAULT_FAKE_TELEGRAM_TOKEN, { telegram: { apiRoot: fake.url } }).telegram;
    expect(await telegram.callApi('getUpdates', { timeout: 50 })).toEqual([]);

    fake.pushMessage({ text: 'one' });
    fake.pushMessage({ text: 'two' });
    const updates = await telegram.callApi('getUpdates', { timeout: 1 });
    expect(updates).toHaveLength(2);
    const last = updates[1]!.update_id;
    expect(await telegram.callApi('getUpdates', { offset: last, timeout: 0 })).toHaveLength(1);
    expect(await telegram.callApi('getUpdates', { offset: last + 1, timeout: 0 })).toEqual([]);
  });

  it('receives multipart uploads and refuses HTML Telegram would refuse', async () => {
    const telegram = new Telegraf(DEFAULT_FAKE_TELEGRAM_TOKEN, { telegram: { apiRoot: fake.url } }).telegram;
    await telegram.sendDocument(
      '1001',
      { source: Buffer.from('csv,data'), filename: 'export.csv' },
      { caption: 'export' },
    );
    const document = fake.sentMessages[0]?.document;
    expect(
      typeof document === 'object' ? [document.fileName, document.content.toString()] : document,
    ).toEqual(['export.csv', 'csv,data']);

    await expect(
      telegram.sendMessage('1001', '<script>x</script>', { parse_mode: 'HTML' }),
    ).rejects.toMatchObject({
      code: 400,
      description: expect.stringContaining("can't parse entities"),
    });
  });
});
