import { afterEach, describe, expect, it } from 'vitest';
import { createDaemon, type Daemon } from '../../src/apps/daemon/create-daemon.js';
import { buildRuntime, type Runtime } from '../../src/apps/runtime/build-runtime.js';
import { adminBotForRuntime } from '../../src/apps/telegram-bot/admin-bot-for-runtime.js';
import type { AdminBot } from '../../src/apps/telegram-bot/create-admin-bot.js';
import { type Config, loadConfig } from '../../src/config/load-config.js';
import { type PacingLimits, TELEGRAM_PACING } from '../../src/use-cases/pace-publisher.js';
import {
  createFakeTelegramApi,
  DEFAULT_FAKE_ADMIN,
  DEFAULT_FAKE_TELEGRAM_TOKEN,
  type FakeSentMessage,
  type FakeTelegramApi,
  type FakeUser,
} from '../fakes/fake-telegram-api.js';
import { collectingLogger, stopBotAndDaemon } from '../helpers/bot-run.js';
import { waitUntil } from '../helpers/quotecast-process.js';
import { createTempDir, type TempDir } from '../helpers/temp-dir.js';

/**
 * Admin alerts as the admins receive them: the real runtime, daemon and admin bot (telegraf) against
 * the loopback fake Bot API, which enforces Telegram's one message per chat and 30 overall in a
 * sliding window with 429s. The pacer is the production one, on the system clock, with Telegram's
 * limits; only time is scaled: the fake's window is a twentieth of a second instead of a second, and
 * the pacer's spacing per chat shrinks by the same factor (its per-minute and overall windows stay
 * as they are, which is stricter than the fake). A message a second per chat would make this file
 * wait about 10 s for nothing but the clock. Posts of unknown outcome are made as a crash makes
 * them: left `sending` in the store when the next process starts.
 */

const TOKEN = DEFAULT_FAKE_TELEGRAM_TOKEN;
const ADMIN = DEFAULT_FAKE_ADMIN;
const SECOND_ADMIN: FakeUser = { id: 1002, is_bot: false, first_name: 'Bea', username: 'bea_desk' };
const GROUP_ID = -4242;
const CHATS = [String(ADMIN.id), String(SECOND_ADMIN.id), String(GROUP_ID)];
const TG_CHAT = '@quotecast_news';
const WAIT_MS = 15_000;
const FAST_RETRY = { initialMs: 20, maxMs: 200, jitter: 0 };
/** How much faster than Telegram's second the fake's window and the pacer's spacing run. */
const TIME_SCALE = 20;
const WINDOW_MS = 1000 / TIME_SCALE;
const PACING: PacingLimits = {
  ...TELEGRAM_PACING,
  perChatIntervalMs: TELEGRAM_PACING.perChatIntervalMs / TIME_SCALE,
};

interface Run {
  readonly runtime: Runtime;
  readonly daemon: Daemon;
  readonly bot: AdminBot | undefined;
  readonly logs: string[];
  stop(): Promise<void>;
}

let dir: TempDir | undefined;
let fake: FakeTelegramApi | undefined;
let current: Run | undefined;

afterEach(async () => {
  await current?.stop();
  current = undefined;
  await fake?.close();
  fake = undefined;
  dir?.remove();
  dir = undefined;
});

async function setUp(): Promise<{ dir: TempDir; fake: FakeTelegramApi }> {
  dir = createTempDir('quotecast-alerts-');
  fake = createFakeTelegramApi({
    rateLimit: { perChatPerSecond: 1, overallPerSecond: 30, windowMs: WINDOW_MS },
  });
  await fake.start();
  return { dir, fake };
}

function config(): Config {
  const outcome = loadConfig({
    cwd: dir!.path,
    env: {
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_ADMIN_IDS: `${ADMIN.id},${SECOND_ADMIN.id}`,
      TELEGRAM_API_ROOT: fake!.url,
    },
    settings: {
      timezone: 'UTC',
      store: { path: dir!.file('quotecast.db') },
      outbox: { path: dir!.file('outbox.jsonl') },
      retry: { maxAttempts: 2, baseDelaySeconds: 0.01, maxDelaySeconds: 1 },
      publishTimeoutMs: 2000,
      telegramBot: { alertChatIds: [GROUP_ID] },
      channels: [{ id: 'tg-news', platform: 'telegram', chat: TG_CHAT, schedule: '30 8 * * *' }],
    },
  });
  if (!outcome.ok) throw new Error(outcome.problems.join('\n'));
  return outcome.config;
}

/**
 * One quotecast process: runtime, daemon (whose start reconciles what a crash left) and, unless
 * `bot: false` (Telegram unreachable for this whole run), the admin bot wired as `start` wires it.
 */
async function startRun(
  options: { bot?: boolean; beforeStart?: (runtime: Runtime) => void | Promise<void> } = {},
) {
  const cfg = config();
  const logs: string[] = [];
  const runtime = buildRuntime(cfg, {
    exclusive: true,
    logger: collectingLogger(logs),
    write: () => {},
    random: () => 0.5,
    pacing: PACING,
  });
  const daemon = createDaemon({
    deps: runtime.deps,
    channels: cfg.channels,
    schedule: () => ({ stop() {} }),
  });
  const bot =
    options.bot === false
      ? undefined
      : adminBotForRuntime(runtime, daemon, { sendBackoff: FAST_RETRY, alertBackoff: FAST_RETRY });
  if (bot) runtime.setNotifier(bot.notifier);
  await options.beforeStart?.(runtime);
  await daemon.start();
  await bot?.start();
  let stopped = false;
  const run: Run = {
    runtime,
    daemon,
    bot,
    logs,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopBotAndDaemon({ bot, daemon, runtime, logs, token: TOKEN, fake: fake! });
    },
  };
  current = run;
  return run;
}

/** `count` posts of one article on tg-news, each left `sending` as a crash leaves them. */
async function crashWhileSending(runtime: Runtime, count: number, n = 1): Promise<number[]> {
  const result = await runtime.store.enqueueArticle(
    { contentHash: `crash-${n}`, title: `Crash ${n}` },
    [
      {
        channelId: 'tg-news',
        mode: 'quotes',
        posts: Array.from({ length: count }, (_, i) => ({
          text: `Quote ${i + 1} of article ${n}: the harbour committee approved mooring place ${i + 1}.`,
          length: 80,
        })),
      },
    ],
    { now: new Date(), approved: true },
  );
  if (result.kind !== 'queued') throw new Error('expected a new article');
  for (const id of result.postIds) await runtime.store.lease(id, new Date());
  return [...result.postIds];
}

const until = (check: () => boolean | Promise<boolean>, what: string, timeoutMs = WAIT_MS) =>
  waitUntil(check, what, { timeoutMs });

const inChat = (chat: string, heading: string) =>
  fake!.sentMessages.filter((m) => m.chatId === chat && m.shownText.startsWith(heading));

function buttons(message: FakeSentMessage): { text: string; callback_data: string }[] {
  const markup = message.replyMarkup as
    | { inline_keyboard?: { text: string; callback_data: string }[][] }
    | undefined;
  return markup?.inline_keyboard?.flat() ?? [];
}

async function pressAndWaitForEdit(message: FakeSentMessage, label: RegExp) {
  const data = buttons(message).find((b) => label.test(b.text))?.callback_data;
  if (!data) throw new Error(`no button ${label} on: ${message.shownText.slice(0, 300)}`);
  const edits = message.edits.length;
  const id = fake!.pushCallbackQuery({ data, message, from: ADMIN });
  const answer = await fake!.waitForCall(
    (c) => c.method === 'answerCallbackQuery' && c.params['callback_query_id'] === id,
    WAIT_MS,
  );
  await until(() => message.edits.length > edits, 'the message to be edited');
  return answer.params as { text?: string };
}

describe('admin alerts after a crash', () => {
  it('500 posts of unknown outcome reach each admin chat as one paginated summary, without a single 429', async () => {
    await setUp();
    let ids: number[] = [];
    const run = await startRun({
      beforeStart: async (runtime) => {
        ids = await crashWhileSending(runtime, 500);
      },
    });
    const heading = '❓ 500 posts of unknown outcome';
    await until(() => CHATS.every((chat) => inChat(chat, heading).length === 1), 'a summary in every chat');
    await until(async () => (await run.runtime.store.countPendingAlerts()) === 0, 'the outbox to empty');
    // One message per chat, nothing else: the 500 questions did not go out one by one.
    for (const chat of CHATS) expect(fake!.sentMessages.filter((m) => m.chatId === chat)).toHaveLength(1);
    expect(fake!.rateLimitedCount).toBe(0);

    const summary = inChat(String(ADMIN.id), heading)[0]!;
    expect(summary.shownText).toContain('Page 1 of 100.');
    expect(summary.shownText).toContain(`#${ids[0]} (tg-news, post 1/500)`);
    expect(summary.shownText).toContain('Quote 1 of article 1');
    expect(buttons(summary).map((b) => b.text)).toEqual([
      ...ids.slice(0, 5).flatMap((id) => [`✅ #${id} arrived`, `🔁 #${id} again`]),
      'Next ▶',
    ]);

    await pressAndWaitForEdit(summary, /Next/);
    expect(summary.shownText).toContain('Page 2 of 100.');
    expect(summary.shownText).toContain(`#${ids[5]} (tg-news`);
    expect(
      buttons(summary)
        .map((b) => b.text)
        .slice(-2),
    ).toEqual(['◀ Previous', 'Next ▶']);

    const answer = await pressAndWaitForEdit(summary, new RegExp(`#${ids[5]} arrived`));
    expect(answer.text).toBe(`Post #${ids[5]} is marked as sent.`);
    expect((await run.runtime.store.getPost(ids[5]!))?.state).toBe('sent');
    expect(summary.shownText).toContain(`✅ Post #${ids[5]} is marked as sent. (@ada_editor (1001))`);
    expect(summary.shownText).toContain('❓ 499 posts of unknown outcome');
    expect(summary.shownText).not.toContain(`#${ids[5]} (tg-news`);

    await pressAndWaitForEdit(summary, new RegExp(`#${ids[6]} again`));
    expect((await run.runtime.store.getPost(ids[6]!))?.state).toBe('queued');
    expect(summary.shownText).toContain('❓ 498 posts of unknown outcome');

    // /unknown shows the same list at any time.
    const before = fake!.sentMessages.length;
    fake!.pushMessage({ text: '/unknown' });
    const listed = await fake!.waitFor((m) => fake!.sentMessages.indexOf(m) >= before, WAIT_MS);
    expect(listed.shownText).toContain('❓ 498 posts of unknown outcome');
    expect(fake!.rateLimitedCount).toBe(0);
  });

  it('keeps alerts in the store until Telegram has them, and does not ask about the same post at every start', async () => {
    await setUp();
    let ids: number[] = [];
    // The first process dies with three posts in flight; the next one runs while Telegram is
    // unreachable for the bot, and stops before it could deliver anything.
    const first = await startRun({
      bot: false,
      beforeStart: async (runtime) => {
        ids = await crashWhileSending(runtime, 3);
      },
    });
    expect(await first.runtime.store.countPendingAlerts()).toBe(3);
    await first.stop();
    expect(fake!.sentMessages).toHaveLength(0);

    // The next start delivers them: one summary per chat.
    const second = await startRun();
    const heading = '❓ 3 posts of unknown outcome';
    await until(() => CHATS.every((chat) => inChat(chat, heading).length === 1), 'the stored alerts');
    await until(async () => (await second.runtime.store.countPendingAlerts()) === 0, 'the outbox to empty');
    expect(second.logs.filter((l) => l.includes('admin alert already sent before'))).toHaveLength(3);
    await second.stop();

    // Still unknown at the third start: nobody is asked again.
    const sent = fake!.sentMessages.length;
    const third = await startRun();
    expect(await third.runtime.store.countPendingAlerts()).toBe(0);
    expect(third.logs.filter((l) => l.includes('admin alert already sent before'))).toHaveLength(3);
    for (const id of ids) expect((await third.runtime.store.getPost(id))?.state).toBe('unknown');
    // The bot is up and answering; still nothing new in any chat but the reply.
    fake!.pushMessage({ text: '/status' });
    await fake!.waitFor(
      (m) => m.shownText.includes('tg-news') && fake!.sentMessages.indexOf(m) >= sent,
      WAIT_MS,
    );
    expect(fake!.sentMessages.slice(sent).map((m) => m.chatId)).toEqual([String(ADMIN.id)]);

    // A post that becomes unknown again after another attempt is asked about again.
    await third.runtime.store.requeue(ids[0]!, new Date());
    await third.runtime.store.lease(ids[0]!, new Date());
    await third.stop();
    const fourth = await startRun();
    await until(
      () =>
        inChat(String(ADMIN.id), '❓ Did this post arrive?').some((m) =>
          m.shownText.includes(`Post ${ids[0]} `),
        ),
      'the question about the post that was tried again',
    );
    await until(async () => (await fourth.runtime.store.countPendingAlerts()) === 0, 'the outbox to empty');
  });
});

describe('admin alerts through Telegram trouble', () => {
  it('retries across 5xx and 429; a chat that cannot be written to is named, the others still get it', async () => {
    await setUp();
    const run = await startRun();
    const toAdmin = (c: { method: string; params: Record<string, unknown> }) =>
      c.method === 'sendMessage' && String(c.params['chat_id']) === String(ADMIN.id);
    fake!.failNext({ match: toAdmin, times: 2, fault: { kind: 'server-error', status: 502 } });
    fake!.failNext({ match: toAdmin, times: 1, fault: { kind: 'rate-limit', retryAfter: 1 } });
    fake!.failNext({
      match: (c) => c.method === 'sendMessage' && String(c.params['chat_id']) === String(SECOND_ADMIN.id),
      times: 1000,
      fault: {
        kind: 'respond',
        status: 403,
        body: {
          ok: false,
          error_code: 403,
          description: "Forbidden: bot can't initiate conversation with a user",
        },
      },
    });
    fake!.failNext({
      match: (c) => c.method === 'sendMessage' && c.params['chat_id'] === TG_CHAT,
      fault: { kind: 'bad-request', description: 'Bad Request: message is too long' },
    });
    const [post] = await crashFree(run.runtime);
    await run.daemon.runNow('tg-news');
    expect((await run.runtime.store.getPost(post!))?.state).toBe('failed');

    const heading = '❌ A post failed for good';
    await until(() => inChat(String(ADMIN.id), heading).length === 1, 'the alert after the retries');
    await until(() => inChat(String(GROUP_ID), heading).length === 1, 'the alert in the group');
    await until(async () => (await run.runtime.store.countPendingAlerts()) === 0, 'the outbox to empty');
    expect(inChat(String(ADMIN.id), heading)[0]!.shownText).toContain(`/edit ${post}`);
    expect(fake!.sentMessages.filter((m) => m.chatId === String(SECOND_ADMIN.id))).toHaveLength(0);
    const unreachable = run.logs.filter((l) => l.includes('an admin chat cannot be written to'));
    expect(unreachable).toHaveLength(1);
    expect(unreachable[0]).toContain('"chat":"1002"');
    expect(unreachable[0]).toContain('open a chat with the bot and press Start');
    // The admin whose sends met 5xx and a 429 is not told to open a chat: that was not the problem.
    expect(run.logs.filter((l) => l.includes('"chat":"1001"') && l.includes('press Start'))).toHaveLength(0);
  });

  it('alerts raised together are paced into each chat and none is lost', async () => {
    await setUp();
    const run = await startRun();
    const texts = Array.from({ length: 6 }, (_, i) => `Check number ${i + 1} of the evening desk.`);
    // Raised one after another while earlier ones are still on their way.
    for (const text of texts) {
      await run.runtime.deps.notifier.alert({ kind: 'info', text });
      await new Promise((resolve) => setImmediate(resolve));
    }
    const got = (chat: string) =>
      texts.filter((t) => fake!.sentMessages.some((m) => m.chatId === chat && m.shownText.includes(t)));
    await until(() => CHATS.every((chat) => got(chat).length === texts.length), 'every alert in every chat');
    await until(async () => (await run.runtime.store.countPendingAlerts()) === 0, 'the outbox to empty');
    for (const chat of CHATS)
      for (const text of texts)
        expect(
          fake!.sentMessages.filter((m) => m.chatId === chat && m.shownText.includes(text)),
        ).toHaveLength(1);
    expect(fake!.rateLimitedCount).toBe(0);
  });
});

/** One queued post on tg-news, nothing left in flight. */
async function crashFree(runtime: Runtime): Promise<number[]> {
  const result = await runtime.store.enqueueArticle(
    { contentHash: 'fine', title: 'Fine' },
    [
      {
        channelId: 'tg-news',
        mode: 'quotes',
        posts: [{ text: 'A post that is too long for Telegram.', length: 37 }],
      },
    ],
    { now: new Date(), approved: true },
  );
  if (result.kind !== 'queued') throw new Error('expected a new article');
  return [...result.postIds];
}

describe('the bot under a crowd', () => {
  it('300 strangers in a burst and two alerts at once: nothing lost, no 429, the channel posts still go out', async () => {
    await setUp();
    const run = await startRun();
    const queued = await run.runtime.store.enqueueArticle(
      { contentHash: 'crowd', title: 'Crowd' },
      [
        {
          channelId: 'tg-news',
          mode: 'quotes',
          posts: [1, 2, 3].map((i) => ({ text: `Channel post ${i} of the crowded evening.`, length: 40 })),
        },
      ],
      { now: new Date(), approved: true },
    );
    if (queued.kind !== 'queued') throw new Error('expected a new article');
    const strangers = Array.from({ length: 300 }, (_, i) => ({
      id: 5000 + i,
      is_bot: false,
      first_name: `S${i}`,
    }));
    for (const from of strangers) fake!.pushMessage({ from, text: '/status' });
    await Promise.all([
      await run.runtime.deps.notifier.alert({
        kind: 'info',
        text: 'The first of two alerts raised together.',
      }),
      await run.runtime.deps.notifier.alert({
        kind: 'info',
        text: 'The second of two alerts raised together.',
      }),
    ]);
    for (let i = 0; i < 3; i++)
      expect(await run.daemon.runNow('tg-news')).toMatchObject({ kind: 'published' });

    const seen = () =>
      run.logs.filter((l) => l.includes('refused a Telegram user') || l.includes('refused a stranger again'))
        .length;
    await until(() => seen() === 300, 'every stranger’s message handled');
    const both = (chat: string) =>
      ['The first of two', 'The second of two'].every((t) =>
        fake!.sentMessages.some((m) => m.chatId === chat && m.shownText.includes(t)),
      );
    await until(() => CHATS.every(both), 'both alerts in every admin chat');
    for (const id of queued.postIds) expect((await run.runtime.store.getPost(id))?.state).toBe('sent');
    expect(fake!.rateLimitedCount).toBe(0);
    const answered = fake!.sentMessages.filter((m) => Number(m.chatId) >= 5000 && Number(m.chatId) < 5300);
    expect(answered.length).toBeGreaterThan(0);
    expect(answered.length).toBeLessThanOrEqual(20);
    expect(run.logs.filter((l) => l.includes('refused a Telegram user'))).toHaveLength(answered.length);
    expect(run.logs.filter((l) => /handling an update failed|could not deliver/.test(l))).toEqual([]);
    await run.stop();
    expect(run.logs.filter((l) => l.includes(`refused ${300 - answered.length} more messages`))).toHaveLength(
      1,
    );
  });
});
