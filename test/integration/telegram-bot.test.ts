import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createDaemon, type Daemon } from '../../src/apps/daemon/create-daemon.js';
import { buildRuntime, type Runtime } from '../../src/apps/runtime/build-runtime.js';
import { adminBotForRuntime } from '../../src/apps/telegram-bot/admin-bot-for-runtime.js';
import type { AdminBot } from '../../src/apps/telegram-bot/create-admin-bot.js';
import { createPendingPreviews } from '../../src/apps/telegram-bot/pending-previews.js';
import { type Config, loadConfig } from '../../src/config/load-config.js';
import type { Article } from '../../src/domain/article.js';
import { nextSlots } from '../../src/domain/schedule.js';
import { enqueueArticle } from '../../src/use-cases/enqueue-article.js';
import { recoverInterrupted } from '../../src/use-cases/recover-interrupted.js';
import {
  createFakeTelegramApi,
  DEFAULT_FAKE_ADMIN,
  DEFAULT_FAKE_BOT,
  DEFAULT_FAKE_TELEGRAM_TOKEN,
  type FakeChat,
  type FakeSentMessage,
  type FakeTelegramApi,
  type FakeUser,
  type PushMessageInput,
} from '../fakes/fake-telegram-api.js';
import { collectingLogger, stopBotAndDaemon } from '../helpers/bot-run.js';
import { waitUntil } from '../helpers/quotecast-process.js';

/**
 * The Telegram admin bot end to end: the real telegraf bot long-polls the loopback fake Bot API, with
 * a real SQLite store on a temp file, the console publisher for X and the real Telegram publisher
 * (against the same fake) for the Telegram channel. Updates are scripted as an admin, a second admin
 * and a stranger would send them; assertions read what the fake received and what the store holds.
 */

const FIXTURES = fileURLToPath(new URL('../fixtures/bot/', import.meta.url));
const TOKEN = DEFAULT_FAKE_TELEGRAM_TOKEN;
const ADMIN = DEFAULT_FAKE_ADMIN;
const SECOND_ADMIN: FakeUser = { id: 1002, is_bot: false, first_name: 'Bea', username: 'bea_desk' };
const STRANGER: FakeUser = { id: 666, is_bot: false, first_name: 'Eve', username: 'eve_outsider' };
const GROUP: FakeChat = { id: -4242, type: 'group', title: 'Newsroom' };
const TG_CHAT = '@quotecast_news';
/** Only fails a hung bot: a .md preview starts the parse worker, seconds on a busy 2-core machine. */
const WAIT_MS = 15_000;

interface World {
  readonly fake: FakeTelegramApi;
  readonly dir: string;
  readonly config: Config;
  readonly runtime: Runtime;
  readonly daemon: Daemon;
  readonly bot: AdminBot;
  readonly logs: string[];
  stop(): Promise<void>;
}

interface WorldOptions {
  readonly telegramBot?: Record<string, unknown>;
  readonly env?: Record<string, string>;
  /** Runs on the store before the daemon starts (e.g. leave a post `sending`, as a crash would). */
  readonly beforeStart?: (runtime: Runtime) => void | Promise<void>;
  /** How long the fake holds a long poll open when no update comes (default 1 s). */
  readonly maxLongPollMs?: number;
}

let world: World | undefined;

afterEach(async () => {
  await world?.stop();
  world = undefined;
});

/** Fake API, config via loadConfig, runtime via buildRuntime, daemon, and the bot wired as `start` wires it. */
async function startWorld(options: WorldOptions = {}): Promise<World> {
  const dir = mkdtempSync(path.join(tmpdir(), 'quotecast-bot-'));
  const fake = createFakeTelegramApi(
    options.maxLongPollMs === undefined ? {} : { maxLongPollMs: options.maxLongPollMs },
  );
  await fake.start();
  const outcome = loadConfig({
    cwd: dir,
    env: {
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_ADMIN_IDS: `${ADMIN.id}, ${SECOND_ADMIN.id}`,
      TELEGRAM_API_ROOT: fake.url,
      ...options.env,
    },
    settings: {
      timezone: 'UTC',
      publication: 'The Test Courier',
      store: { path: path.join(dir, 'quotecast.db') },
      outbox: { path: path.join(dir, 'outbox.jsonl') },
      // The test page is served on loopback, which the fetcher refuses unless allowed by name.
      input: { maxBytes: 8192, fetchTimeoutMs: 2000, allowInternalHosts: ['127.0.0.1'] },
      retry: { maxAttempts: 2, baseDelaySeconds: 0.01, maxDelaySeconds: 1 },
      publishTimeoutMs: 2000,
      telegramBot: { alertChatIds: [GROUP.id], ...options.telegramBot },
      channels: [
        {
          id: 'x-main',
          platform: 'twitter',
          schedule: '0 9,13,17 * * *',
          timezone: 'Europe/London',
          quotesPerArticle: 3,
          dailyCap: 5,
        },
        {
          id: 'tg-news',
          platform: 'telegram',
          chat: TG_CHAT,
          schedule: '30 8 * * *',
          timezone: 'America/New_York',
          quotesPerArticle: 2,
        },
      ],
    },
  });
  if (!outcome.ok) throw new Error(outcome.problems.join('\n'));
  const config = outcome.config;
  const logs: string[] = [];
  const runtime = buildRuntime(config, {
    exclusive: true,
    logger: collectingLogger(logs),
    write: () => {},
    pacing: { perChatIntervalMs: 0, perChatPerMinute: 1000, overallPerSecond: 1000 },
    random: () => 0.5,
  });
  // Slots only run when a test asks (/next); no cron ticks.
  const daemon = createDaemon({
    deps: runtime.deps,
    channels: config.channels,
    schedule: () => ({ stop() {} }),
  });
  const bot = adminBotForRuntime(runtime, daemon);
  if (!bot) throw new Error('the bot should be configured');
  runtime.setNotifier(bot.notifier);
  await options.beforeStart?.(runtime);
  await daemon.start();
  await bot.start();
  let stopped = false;
  return {
    fake,
    dir,
    config,
    runtime,
    daemon,
    bot,
    logs,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        // Whatever happened, the token never reached a chat or the log.
        await stopBotAndDaemon({ bot, daemon, runtime, logs, token: TOKEN, fake });
      } finally {
        await fake.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

const until = (check: () => boolean, what: string, timeoutMs = WAIT_MS) =>
  waitUntil(check, what, { timeoutMs });

function chatOf(input: { from?: FakeUser; chat?: FakeChat }): string {
  return String(input.chat?.id ?? (input.from ?? ADMIN).id);
}

/** Sends a message and returns the bot's first answer in that chat (failing after WAIT_MS without one). */
async function ask(text: string, input: Omit<PushMessageInput, 'text'> = {}): Promise<FakeSentMessage> {
  const w = world!;
  const before = new Set(w.fake.sentMessages);
  w.fake.pushMessage(text ? { ...input, text } : input);
  return w.fake.waitFor((m) => !before.has(m) && m.chatId === chatOf(input), WAIT_MS);
}

/** For slow commands: the "working…" message, then what it was edited into. */
async function askSlow(text: string, input: Omit<PushMessageInput, 'text'> = {}) {
  const working = await ask(text, input);
  expect(working.shownText).toMatch(/^⏳/);
  await until(() => working.edits.length > 0, `the answer to ${text}`);
  return working;
}

function buttons(message: FakeSentMessage): { text: string; callback_data: string }[] {
  const markup = message.replyMarkup as
    | { inline_keyboard?: { text: string; callback_data: string }[][] }
    | undefined;
  return markup?.inline_keyboard?.flat() ?? [];
}

function button(message: FakeSentMessage, label: RegExp): string {
  const found = buttons(message).find((b) => label.test(b.text));
  if (!found) throw new Error(`no button ${label} on: ${message.shownText.slice(0, 200)}`);
  return found.callback_data;
}

/** Presses a button; resolves with the answerCallbackQuery parameters once the bot answered. */
async function press(message: FakeSentMessage, data: string, from: FakeUser = ADMIN) {
  const w = world!;
  const id = w.fake.pushCallbackQuery({ data, message, from });
  const call = await w.fake.waitForCall(
    (c) => c.method === 'answerCallbackQuery' && c.params['callback_query_id'] === id,
    WAIT_MS,
  );
  return call.params as { text?: string; show_alert?: boolean };
}

async function pressAndWaitForEdit(message: FakeSentMessage, data: string) {
  const edits = message.edits.length;
  const answer = await press(message, data);
  await until(() => message.edits.length > edits, 'the message to be edited');
  return answer;
}

/** Our own made-up article; `n` keeps every sentence (and so every post) distinct. */
function madeUpArticle(n: number): Article {
  return {
    title: `Harbour committee notebook ${n}`,
    byline: 'Test Desk',
    paragraphs: [
      `The harbour committee met for session ${n} on a wet evening and approved ${n + 3} new mooring places for small boats.`,
      `Residents asked at session ${n} whether the ferry timetable would change, and the committee promised an answer within ${n + 2} weeks.`,
      `The chair closed session ${n} by thanking the ${n * 4 + 10} people who had come out in the rain to listen.`,
    ],
  };
}

async function queueArticle(
  n: number,
  options: { approved?: boolean; channelIds?: string[] } = {},
): Promise<number> {
  const w = world!;
  const channels = w.config.channels.filter((c) => !options.channelIds || options.channelIds.includes(c.id));
  const { result } = await enqueueArticle(w.runtime.store, {
    article: madeUpArticle(n),
    channels,
    approved: options.approved ?? true,
    now: new Date(),
  });
  if (result.kind !== 'queued') throw new Error('expected a new article');
  return result.articleId;
}

function fixture(name: string): string {
  return readFileSync(path.join(FIXTURES, name), 'utf8');
}

describe('Telegram admin bot: commands', () => {
  it('lists every command in /help and registers them with setMyCommands', async () => {
    world = await startWorld();
    const registered = world.fake.calls.find((c) => c.method === 'setMyCommands');
    const registeredCommands = (registered?.params['commands'] ?? []) as { command: string }[];
    const names = registeredCommands.map((c) => c.command);
    expect(names).toEqual(
      expect.arrayContaining([
        'status',
        'queue',
        'add',
        'preview',
        'articles',
        'skip',
        'retry',
        'edit',
        'delete',
      ]),
    );
    expect(names).toEqual(expect.arrayContaining(['next', 'pause', 'resume', 'schedule', 'approve', 'help']));
    const help = await ask('/help');
    expect(help.parseMode).toBe('HTML');
    for (const name of names) expect(help.shownText).toMatch(new RegExp(`^/${name}\\b.* — `, 'm'));
    expect((await ask('/start')).shownText).toBe(help.shownText);
    expect((await ask('/frobnicate')).shownText).toContain(
      'Unknown command /frobnicate. /help lists the commands.',
    );
    expect((await ask('hello there')).shownText).toContain('I only understand commands');
  });

  it('/status shows counts, the next slot in the channel zone, the daily cap and pauses', async () => {
    world = await startWorld();
    await queueArticle(1);
    await queueArticle(2, { approved: false, channelIds: ['x-main'] });
    const status = (await ask('/status')).shownText;
    const xQueued = (await world.runtime.store.countsByState('x-main')).queued;
    expect(status).toContain('x-main (twitter via console, quotes)');
    expect(status).toContain('tg-news (telegram via telegram, quotes)');
    expect(status).toMatch(new RegExp(`queued ${xQueued} \\(\\d+ awaiting /approve\\) · sent 0 · failed 0`));
    expect(status).toMatch(/next slot: .*\(Europe\/London\)/);
    expect(status).toMatch(/next slot: .*08:30:00 \(America\/New_York\)/);
    expect(status).toContain('daily cap: 5 of 5 left today');
    expect(status).toContain('▶️ running');

    expect((await ask('/pause x-main')).shownText).toContain(
      'x-main is paused; nothing goes out until /resume x-main',
    );
    expect(await world.runtime.store.channelState('x-main')).toMatchObject({ paused: true });
    const paused = (await ask('/status')).shownText;
    expect(paused).toMatch(/⏸ paused: paused by @ada_editor \(1001\) — \/resume x-main/);
  });

  it('/pause and /resume one channel or all of them, with specific errors', async () => {
    world = await startWorld();
    const { store } = world.runtime;
    expect((await ask('/pause nowhere')).shownText).toBe(
      '⚠️ Unknown channel "nowhere"; channels: x-main, tg-news.',
    );
    expect((await ask('/pause x-main tg-news')).shownText).toContain('/pause takes one channel id');
    expect((await ask('/resume x-main')).shownText).toBe('⚠️ x-main is not paused.');
    expect((await ask('/pause')).shownText).toContain('Paused x-main, tg-news');
    expect((await store.channelState('x-main')).paused && (await store.channelState('tg-news')).paused).toBe(
      true,
    );
    expect((await ask('/pause')).shownText).toContain('Every channel is already paused');
    expect((await ask('/resume tg-news')).shownText).toBe('✅ tg-news is running again.');
    expect((await ask('/resume')).shownText).toBe('✅ Resumed x-main.');
    expect((await store.channelState('x-main')).paused || (await store.channelState('tg-news')).paused).toBe(
      false,
    );
    expect((await ask('/resume')).shownText).toBe('No channel is paused.');
  });

  it('/next publishes now through the daemon, to the console and to Telegram', async () => {
    world = await startWorld();
    const { store } = world.runtime;
    const articleId = await queueArticle(1);
    const [firstX] = await store.upcoming('x-main', 1);
    const xReply = await askSlow('/next x-main');
    expect(xReply.shownText).toContain(`✅ Published #${firstX!.id} (a${articleId} 1/`);
    expect((await store.getPost(firstX!.id))?.state).toBe('sent');

    const [firstTg] = await store.upcoming('tg-news', 1);
    const tgReply = await askSlow('/next tg-news');
    expect(tgReply.shownText).toContain(`✅ Published #${firstTg!.id}`);
    const posted = world.fake.sentMessages.find((m) => m.chatId === TG_CHAT);
    expect(posted?.shownText).toBe(firstTg!.text);
    expect(await store.getPost(firstTg!.id)).toMatchObject({
      state: 'sent',
      remoteId: String(posted!.messageId),
    });

    expect((await ask('/next')).shownText).toBe('⚠️ Which channel? /next x-main or /next tg-news');
    expect((await ask('/next mars')).shownText).toContain('Unknown channel "mars"');
    await ask('/pause x-main');
    expect((await askSlow('/next x-main')).shownText).toContain('x-main is paused');
  });

  it('/schedule lists the next 10 slots in the channel zone with the planned posts', async () => {
    world = await startWorld();
    await queueArticle(1, { channelIds: ['x-main'] });
    const [first] = await world.runtime.store.upcoming('x-main', 1);
    const reply = (await ask('/schedule x-main')).shownText;
    expect(reply).toContain('x-main (0 9,13,17 * * *, times in Europe/London)');
    const lines = reply.split('\n').filter((l) => /^\w{3} \d{2} \w{3} \d{2}:\d{2} — /.test(l));
    expect(lines).toHaveLength(10);
    const expected = nextSlots('0 9,13,17 * * *', 'Europe/London', new Date(), 10).map((d) =>
      new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Europe/London',
        weekday: 'short',
        day: '2-digit',
        month: 'short',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      })
        .format(d)
        .replace(/,/g, ''),
    );
    expect(lines.map((l) => l.split(' — ')[0])).toEqual(expected);
    expect(lines[0]).toContain(`#${first!.id} `);
    expect(lines.at(-1)).toContain('— nothing queued');
    const both = (await ask('/schedule')).shownText;
    expect(both).toContain('tg-news (30 8 * * *, times in America/New_York)');
    expect((await ask('/schedule venus')).shownText).toContain('Unknown channel "venus"');
  });

  it('/queue lists the next posts with ids and slot times, and pages long lists with buttons', async () => {
    world = await startWorld();
    const { store } = world.runtime;
    const unapproved = await queueArticle(100, { approved: false, channelIds: ['x-main'] });
    for (let n = 1; n <= 20; n++) await queueArticle(n, { channelIds: ['x-main'] });
    const all = await store.upcoming('x-main', 200);
    expect(all.length).toBeGreaterThan(40);

    const short = (await ask('/queue')).shownText;
    expect(short).toContain(`x-main — next 10 of ${all.length} queued posts (times in Europe/London)`);
    expect(short).toContain(`#${all[0]!.id} · awaiting /approve ${unapproved} · a${unapproved} 1/`);
    expect(short).toContain('tg-news — nothing queued');

    const n = all.length;
    const first = await ask(`/queue x-main ${n}`);
    const seen: string[] = [];
    let page = first;
    for (let i = 0; ; i++) {
      expect(page.text.length).toBeLessThanOrEqual(4096);
      expect(page.shownText).toMatch(/^Queue \(page \d+ of \d+\)/);
      seen.push(...[...page.shownText.matchAll(/^#(\d+) · /gm)].map((m) => m[1]!));
      for (const b of buttons(page)) expect(Buffer.byteLength(b.callback_data)).toBeLessThanOrEqual(64);
      if (i > 0) expect(buttons(page).map((b) => b.text)).toContain('◀ previous page');
      const next = buttons(page).find((b) => b.text === 'next page ▶');
      if (!next) break;
      await pressAndWaitForEdit(page, next.callback_data);
      page = first; // the same message, edited into the next page
      expect(i).toBeLessThan(10);
    }
    expect(first.edits.length).toBeGreaterThan(0);
    expect(seen).toEqual(all.map((p) => String(p.id)));
    // Approved posts show their slot time in the channel's zone.
    expect(first.shownText).toMatch(/#\d+ · \w{3} \d{2} \w{3} \d{2}:00 · a\d+ /);

    expect((await ask('/queue pluto')).shownText).toContain('Unknown channel "pluto"');
    expect((await ask('/queue x-main 0')).shownText).toBe('⚠️ n must be a whole number from 1 to 200; got 0.');
    expect((await ask('/queue a b c')).shownText).toContain('Usage: /queue [channel] [n]');
  });

  it('/preview, /articles, /skip, /retry, /edit and /delete act through the use cases', async () => {
    world = await startWorld();
    const { store } = world.runtime;
    const a1 = await queueArticle(1);
    const a2 = await queueArticle(2, { channelIds: ['x-main'] });
    const [p1, p2] = await store.upcoming('x-main', 2);

    const post = (await ask(`/preview ${p1!.id}`)).shownText;
    expect(post).toContain(`Post #${p1!.id} · x-main · article a${a1}, 1/`);
    expect(post).toContain(`${p1!.length}/280 weighted characters`);
    expect(post).toContain(p1!.text);
    const article = (await ask(`/preview a${a1}`)).shownText;
    expect(article).toContain(`Article a${a1}: Harbour committee notebook 1`);
    expect(article).toMatch(/^x-main — \d+ posts$/m);
    expect(article).toMatch(/^tg-news — \d+ posts$/m);
    expect((await ask('/preview 9999')).shownText).toContain('There is no post #9999');
    expect((await ask('/preview a9999')).shownText).toContain('There is no article 9999');
    expect((await ask('/preview banana')).shownText).toContain(
      '"banana" is neither a post nor an article id',
    );
    expect((await ask('/preview')).shownText).toContain('/preview needs a post or article id');

    const articles = (await ask('/articles')).shownText;
    expect(articles.indexOf(`a${a2} Harbour committee notebook 2`)).toBeLessThan(
      articles.indexOf(`a${a1} Harbour committee notebook 1`),
    );
    expect((await ask('/articles lots')).shownText).toContain('Usage: /articles [n]');

    expect((await ask(`/skip ${p1!.id}`)).shownText).toBe(`✅ Post #${p1!.id} will not be published.`);
    expect((await store.getPost(p1!.id))?.state).toBe('skipped');
    expect((await ask(`/skip ${p1!.id}`)).shownText).toBe(`⚠️ Post #${p1!.id} is already skipped.`);
    expect((await ask(`/retry ${p1!.id}`)).shownText).toBe(`✅ Post #${p1!.id} is queued again for x-main.`);
    expect((await store.getPost(p1!.id))?.state).toBe('queued');
    expect((await ask(`/retry ${p1!.id}`)).shownText).toBe(`⚠️ Post #${p1!.id} is already queued.`);
    expect((await ask('/skip')).shownText).toContain('/skip needs a post id, e.g. /skip 42');
    expect((await ask('/skip abc')).shownText).toContain('"abc" is not a post id');
    expect((await ask('/retry 4242')).shownText).toBe('⚠️ There is no post #4242.');
    expect((await ask('/skip 1 2')).shownText).toContain('one post id at a time');

    const tooLong = 'word '.repeat(60).trim(); // 299 characters, 19 over X's 280
    const refused = (await ask(`/edit ${p2!.id} ${tooLong}`)).shownText;
    expect(refused).toBe('⚠️ Too long by 19: 299 of 280 weighted characters for x-main.');
    expect((await store.getPost(p2!.id))?.text).toBe(p2!.text);
    const edited = (
      await ask(`/edit ${p2!.id} A shorter quote that fits.\nWith a second line & an <ampersand>.`)
    ).shownText;
    expect(edited).toContain(`✅ Post #${p2!.id} now reads`);
    expect(edited).toContain('With a second line & an <ampersand>.');
    expect((await store.getPost(p2!.id))?.text).toBe(
      'A shorter quote that fits.\nWith a second line & an <ampersand>.',
    );
    expect((await ask(`/edit ${p2!.id}`)).shownText).toContain('/edit needs the new text');
    expect((await ask('/edit x hello')).shownText).toContain('"x" is not a post id');

    // /delete removes unsent posts only; what was published stays.
    await askSlow('/next tg-news');
    const sent = (await store.postsOfArticle(a1)).filter((p) => p.state === 'sent');
    expect(sent).toHaveLength(1);
    const removed = (await ask(`/delete ${a1}`)).shownText;
    expect(removed).toMatch(new RegExp(`Removed \\d+ unsent post\\(s\\) of article #${a1}`));
    expect((await store.postsOfArticle(a1)).map((p) => p.id)).toEqual(sent.map((p) => p.id));
    expect((await ask('/delete 777')).shownText).toBe('⚠️ There is no article #777.');
    expect((await ask('/delete')).shownText).toContain('/delete needs an article id');
  });
});

describe('Telegram admin bot: /add and approval', () => {
  const articleText = () => fixture('night-ferry.txt');

  it('previews text; "Queue" stores the posts unapproved until /approve', async () => {
    world = await startWorld();
    const { store } = world.runtime;
    const preview = await ask(`/add ${articleText()}`);
    expect(preview.shownText).toContain('📰 Night ferry returns to the estuary after six quiet winters');
    expect(preview.shownText).toMatch(/^x-main \(twitter, quotes\): 3 posts$/m);
    expect(preview.shownText).toMatch(/^tg-news \(telegram, quotes\): 2 posts$/m);
    expect(preview.shownText).toMatch(/^1\. “/m);
    expect(buttons(preview).map((b) => b.text)).toEqual([
      '✅ Queue',
      '🚀 Queue and approve all',
      '🗑 Discard',
    ]);
    expect(await store.listArticles(10)).toHaveLength(0);

    const answer = await pressAndWaitForEdit(preview, button(preview, /^✅ Queue$/));
    expect(answer.text).toBe('Queued');
    const [article] = await store.listArticles(10);
    expect(article?.title).toBe('Night ferry returns to the estuary after six quiet winters');
    const posts = await store.postsOfArticle(article!.id);
    expect(posts).toHaveLength(5);
    expect(posts.every((p) => p.state === 'queued' && !p.approved)).toBe(true);
    expect(preview.shownText).toContain(`✅ Queued article a${article!.id} Night ferry`);
    expect(preview.shownText).toContain(`They wait for /approve ${article!.id}`);
    expect(buttons(preview)).toEqual([]);
    expect(await store.nextDue('x-main', new Date(8.64e15))).toBeUndefined();

    expect((await ask('/queue x-main')).shownText).toContain(`awaiting /approve ${article!.id}`);
    expect((await ask(`/approve a${article!.id}`)).shownText).toContain(
      `✅ Approved article ${article!.id} "Night ferry returns to the estuary after six quiet winters": 5 queued post(s)`,
    );
    expect((await store.postsOfArticle(article!.id)).every((p) => p.approved)).toBe(true);
    expect((await ask(`/approve ${article!.id}`)).shownText).toContain('is already approved');
    expect((await ask('/approve 99')).shownText).toBe('⚠️ There is no article 99.');

    // The same article again: the store's duplicate check answers.
    const again = await ask(`/add ${articleText()}`);
    await pressAndWaitForEdit(again, button(again, /Queue and approve/));
    expect(again.shownText).toContain(`is already queued or published as article a${article!.id}`);
    expect(await store.listArticles(10)).toHaveLength(1);
  });

  it('"Queue and approve all" from a replied-to message; a second press and unknown previews get a clear answer', async () => {
    world = await startWorld();
    const { store } = world.runtime;
    const original = world.fake.pushMessage({ text: fixture('bakery-cooperative.md') });
    // Plain text is not a command: the bot says so, and the article waits for the /add reply.
    await world.fake.waitFor((m) => m.shownText.includes('I only understand commands'), WAIT_MS);
    const preview = await ask('/add', { replyToMessageId: original['message_id'] as number });
    expect(preview.shownText).toContain('📰 A bakery run by its own customers opens on Mill Lane');
    const data = button(preview, /Queue and approve all/);
    expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
    expect((await pressAndWaitForEdit(preview, data)).text).toBe('Queued and approved');
    const [article] = await store.listArticles(10);
    expect((await store.postsOfArticle(article!.id)).every((p) => p.approved && p.state === 'queued')).toBe(
      true,
    );
    expect((await store.nextDue('x-main', new Date()))?.articleId).toBe(article!.id);

    const stale = await press(preview, data);
    expect(stale.text).toContain('This preview has expired or was already used');
    expect(stale.show_alert).toBe(true);
    const unknown = await press(preview, 'a:q:deadbeef');
    expect(unknown.text).toContain('Send /add again');
    const garbage = await press(preview, 'zz:top');
    expect(garbage.text).toBe('This button no longer works; send the command again.');
    expect(await store.listArticles(10)).toHaveLength(1);
  });

  it('"Discard" stores nothing; /add without an article explains the ways to give one', async () => {
    world = await startWorld();
    const preview = await ask(`/add ${articleText()}`);
    await pressAndWaitForEdit(preview, button(preview, /Discard/));
    expect(preview.shownText).toBe(
      '🗑 Discarded Night ferry returns to the estuary after six quiet winters; nothing was queued.',
    );
    expect(await world.runtime.store.listArticles(10)).toHaveLength(0);
    const usage = (await ask('/add')).shownText;
    expect(usage).toContain('/add needs an article');
    // A text that is all furniture has nothing to post, and the reply says what was dropped.
    const empty = (await ask('/add Sign up for our newsletter today!')).shownText;
    expect(empty).toContain('nothing left to post');
    expect(empty).toContain('promo');
  });

  it('queues at once, approved, when requireApproval is off', async () => {
    world = await startWorld({ telegramBot: { requireApproval: false } });
    const reply = await ask(`/add ${articleText()}`);
    expect(buttons(reply)).toEqual([]);
    expect(reply.shownText).toMatch(
      /✅ Queued article a\d+ Night ferry .* approved\. They go out at their slots/,
    );
    const [article] = await world.runtime.store.listArticles(1);
    expect((await world.runtime.store.postsOfArticle(article!.id)).every((p) => p.approved)).toBe(true);
  });

  it('reads attached .txt/.md files through getFile and the same API root, within the size limit', async () => {
    world = await startWorld();
    const { store } = world.runtime;
    const preview = await askSlow('', {
      document: { fileName: 'night-ferry.txt', mimeType: 'text/plain', content: articleText() },
    });
    expect(preview.shownText).toContain('📰 Night ferry returns to the estuary');
    expect(world.fake.calls.some((c) => c.method === 'getFile')).toBe(true);
    await pressAndWaitForEdit(preview, button(preview, /Queue and approve all/));
    expect(await store.listArticles(10)).toHaveLength(1);

    // A reply with /add to a message holding a file.
    const withFile = world.fake.pushMessage({
      document: {
        fileName: 'bakery.md',
        mimeType: 'text/markdown',
        content: fixture('bakery-cooperative.md'),
      },
      caption: 'for tomorrow',
    });
    // The caption is not a command, so the file itself was taken as an /add: answer that one first.
    const fromCaption = await world.fake.waitFor(
      (m) => m.shownText.startsWith('⏳ Reading bakery.md'),
      WAIT_MS,
    );
    await until(() => fromCaption.edits.length > 0, 'the file preview');
    const replied = await askSlow('/add', { replyToMessageId: withFile['message_id'] as number });
    expect(replied.shownText).toContain('📰 A bakery run by its own customers opens on Mill Lane');

    const big = (
      await ask('', {
        document: { fileName: 'huge.txt', mimeType: 'text/plain', content: `Title\n\n${'x'.repeat(9000)}` },
      })
    ).shownText;
    expect(big).toMatch(/huge\.txt is 8\.8 KB, over the 8\.0 KB limit \(input\.maxBytes/);
    expect((await ask('', { document: { fileName: 'scan.pdf', content: '%PDF-1.4' } })).shownText).toBe(
      '⚠️ scan.pdf is not an article I can read; send a .txt, .md or .html file.',
    );
    expect(await store.listArticles(10)).toHaveLength(1);
  });

  it('fetches a URL with the HTTP fetcher and extracts the HTML page', async () => {
    const server: Server = createServer((req, res) => {
      if (req.url === '/news/orchard')
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(fixture('orchard-page.html'));
      else res.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      world = await startWorld();
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const preview = await askSlow(`/add ${base}/news/orchard`);
      expect(preview.shownText).toContain('📰 Hillside orchard opens its gates to volunteer pickers');
      expect(preview.shownText).toContain(`${base}/news/orchard`);
      expect(preview.shownText).not.toMatch(/Copyright|Sport/);
      await pressAndWaitForEdit(preview, button(preview, /^✅ Queue$/));
      const [article] = await world.runtime.store.listArticles(1);
      expect(article).toMatchObject({
        url: `${base}/news/orchard`,
        title: 'Hillside orchard opens its gates to volunteer pickers',
      });

      const missing = await askSlow(`/add ${base}/gone`);
      expect(missing.shownText).toBe(`⚠️ ${base}/gone: the server answered 404 Not Found`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('Telegram admin bot: who may do what', () => {
  it('refuses a stranger once, politely, logs it once and counts the rest, and changes nothing', async () => {
    world = await startWorld();
    const { store } = world.runtime;
    await queueArticle(1);
    const preview = await ask(`/add ${fixture('night-ferry.txt')}`);
    const before = JSON.stringify([
      await store.listArticles(10),
      await store.countsByState(),
      await store.upcoming('x-main', 50),
    ]);

    const refusal = await ask('/status', { from: STRANGER });
    expect(refusal.shownText).toBe(
      'Sorry, this is a private bot: only the newsroom’s editors can use it. If you are one, ask an admin to add your Telegram user id (666).',
    );
    for (const text of ['/skip 1', '/pause', `/add ${fixture('bakery-cooperative.md')}`, '/queue'])
      world.fake.pushMessage({ from: STRANGER, text });
    const pressed = await press(preview, button(preview, /Queue and approve all/), STRANGER);
    expect(pressed).toMatchObject({ show_alert: true, text: expect.stringContaining('private bot') });
    await until(
      () =>
        world!.logs.filter((l) => l.includes('refused a stranger again') && l.includes('"user":666'))
          .length === 5,
      'five more attempts counted',
    );
    expect(world.logs.filter((l) => l.includes('not an admin') && l.includes('"user":666'))).toHaveLength(1);
    expect(world.fake.sentMessages.filter((m) => m.chatId === '666')).toHaveLength(1);
    expect(
      JSON.stringify([
        await store.listArticles(10),
        await store.countsByState(),
        await store.upcoming('x-main', 50),
      ]),
    ).toBe(before);
    expect((await store.channelState('x-main')).paused).toBe(false);

    // The preview the stranger pressed still works for an admin.
    await pressAndWaitForEdit(preview, button(preview, /^✅ Queue$/));
    expect(await store.listArticles(10)).toHaveLength(2);
    // At stop, what was counted is one line.
    await world.bot.stop();
    expect(world.logs.filter((l) => l.includes('refused 5 more messages from 1 strangers'))).toHaveLength(1);
  });

  it('in groups, answers admins only when addressed (/cmd@bot or a reply to the bot)', async () => {
    world = await startWorld();
    const inGroup = { chat: GROUP };
    const groupMessages = () => world!.fake.sentMessages.filter((m) => m.chatId === String(GROUP.id));
    // Not addressed: ignored. Updates of a chat are handled in order, so had the bot answered these,
    // those answers would come before the answer to the addressed command below.
    world.fake.pushMessage({ ...inGroup, text: '/status' });
    world.fake.pushMessage({ ...inGroup, text: '/status@some_other_bot' });
    world.fake.pushMessage({ ...inGroup, text: 'just chatting' });
    const status = await ask(`/status@${DEFAULT_FAKE_BOT.username}`, inGroup);
    expect(status.shownText).toMatch(/^Status/);
    expect(status.replyTo).toBeDefined();
    expect(groupMessages()).toHaveLength(1);

    const viaReply = await ask('/queue', { ...inGroup, replyToMessageId: status.messageId });
    expect(viaReply.shownText).toMatch(/^Queue/);
    const second = await ask(`/pause@${DEFAULT_FAKE_BOT.username} tg-news`, {
      ...inGroup,
      from: SECOND_ADMIN,
    });
    expect(second.shownText).toContain('tg-news is paused');
    expect((await world.runtime.store.channelState('tg-news')).pauseReason).toBe(
      'paused by @bea_desk (1002)',
    );

    const refused = await ask(`/status@${DEFAULT_FAKE_BOT.username}`, { ...inGroup, from: STRANGER });
    expect(refused.shownText).toContain('private bot');
    expect(refused.shownText).not.toMatch(/x-main|tg-news|queued/);
    expect(groupMessages()).toHaveLength(4);
  });

  it('tells an anonymous group admin to write as themselves, not to allowlist the shared anonymous id', async () => {
    world = await startWorld();
    const anonymous: FakeUser = {
      id: 1087968824,
      is_bot: true,
      first_name: 'Group',
      username: 'GroupAnonymousBot',
    };
    const reply = await ask(`/status@${DEFAULT_FAKE_BOT.username}`, { chat: GROUP, from: anonymous });
    expect(reply.shownText).toContain('You are writing as the group (an anonymous admin)');
    expect(reply.shownText).toContain('Send the command as yourself');
    expect(reply.shownText).not.toContain('1087968824');
    expect(reply.shownText).not.toMatch(/x-main|tg-news/);
  });

  it('does not start without admins, and warns naming TELEGRAM_ADMIN_IDS', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'quotecast-bot-'));
    const outcome = loadConfig({
      cwd: dir,
      env: { TELEGRAM_BOT_TOKEN: TOKEN },
      settings: {
        store: { path: path.join(dir, 'q.db') },
        channels: [{ id: 'x-main', platform: 'twitter' }],
      },
    });
    if (!outcome.ok) throw new Error(outcome.problems.join('\n'));
    const lines: string[] = [];
    const runtime = buildRuntime(outcome.config, { exclusive: false, logger: collectingLogger(lines) });
    try {
      const daemon = createDaemon({ deps: runtime.deps, channels: outcome.config.channels });
      expect(adminBotForRuntime(runtime, daemon)).toBeUndefined();
      expect(lines.join('\n')).toMatch(/warn .*TELEGRAM_ADMIN_IDS is empty/);
    } finally {
      await runtime.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Telegram admin bot: alerts', () => {
  const toTelegramChannel = (c: { method: string; params: Record<string, unknown> }) =>
    c.method === 'sendMessage' && c.params['chat_id'] === TG_CHAT;

  it('tells every admin chat about auth failures (with what to fix), posts failed for good and long rate limits', async () => {
    world = await startWorld();
    const { store } = world.runtime;
    await queueArticle(1, { channelIds: ['tg-news'] });
    await queueArticle(2, { channelIds: ['tg-news'] });
    const [p1, p2, p3] = await store.upcoming('tg-news', 3);
    const alertsIn = (chat: string | number, heading: string) =>
      world!.fake.sentMessages.filter((m) => m.chatId === String(chat) && m.shownText.startsWith(heading));

    world.fake.failNext({ match: toTelegramChannel, fault: { kind: 'forbidden', variant: 'not-member' } });
    const reply = await askSlow('/next tg-news');
    expect(reply.shownText).toContain(`❌ #${p1!.id}`);
    const heading = '🔑 Credentials or permissions problem: channel paused';
    await until(() => alertsIn(GROUP.id, heading).length === 1, 'the auth alert');
    for (const chat of [ADMIN.id, SECOND_ADMIN.id, GROUP.id]) expect(alertsIn(chat, heading)).toHaveLength(1);
    const auth = alertsIn(ADMIN.id, heading)[0]!.shownText;
    expect(auth).toContain(`tg-news is paused`);
    expect(auth).toMatch(/admin/i); // the hint: make the bot an admin of the channel
    expect(auth).toContain(`/resume tg-news and /retry ${p1!.id}`);
    expect((await store.channelState('tg-news')).paused).toBe(true);
    expect((await store.getPost(p1!.id))?.state).toBe('failed');

    await ask('/resume tg-news');
    world.fake.failNext({
      match: toTelegramChannel,
      fault: { kind: 'bad-request', description: 'Bad Request: message is too long' },
    });
    await askSlow('/next tg-news');
    await until(() => alertsIn(GROUP.id, '❌ A post failed for good').length === 1, 'the failed alert');
    expect(alertsIn(ADMIN.id, '❌ A post failed for good')[0]!.shownText).toContain(`/edit ${p2!.id}`);

    world.fake.failNext({ match: toTelegramChannel, fault: { kind: 'rate-limit', retryAfter: 7200 } });
    await askSlow('/next tg-news');
    const limited = '⏳ Channel rate limited for more than an hour';
    await until(() => alertsIn(GROUP.id, limited).length === 1, 'the rate-limit alert');
    expect(alertsIn(SECOND_ADMIN.id, limited)[0]!.shownText).toContain('tg-news is rate limited until');
    expect((await store.getPost(p3!.id))?.state).toBe('queued');
    expect(await store.channelState('tg-news')).toMatchObject({ paused: true });
    expect((await store.channelState('tg-news')).pausedUntil).not.toBeNull();
  });

  it('asks about posts left unknown by a crash, with buttons that resolve them', async () => {
    let crashed: number | undefined;
    world = await startWorld({
      // The process died while sending: the post is still `sending` when quotecast starts again.
      beforeStart: async (runtime) => {
        const { result } = await enqueueArticle(runtime.store, {
          article: madeUpArticle(7),
          channels: runtime.config.channels.filter((c) => c.id === 'tg-news'),
          approved: true,
          now: new Date(),
        });
        if (result.kind !== 'queued') throw new Error('expected a new article');
        crashed = result.postIds[0];
        await runtime.store.lease(crashed!, new Date());
      },
    });
    const { store } = world.runtime;
    const question = '❓ Did this post arrive?';
    const first = await world.fake.waitFor(
      (m) => m.chatId === String(ADMIN.id) && m.shownText.startsWith(question),
      WAIT_MS,
    );
    expect(first.shownText).toContain(`Post ${crashed} (tg-news, 1/2) was being sent when quotecast stopped`);
    expect(first.shownText).toContain((await store.getPost(crashed!))!.text);
    expect(buttons(first).map((b) => b.text)).toEqual(['✅ It arrived: mark as sent', '🔁 Send again']);
    expect((await store.getPost(crashed!))?.state).toBe('unknown');

    const answer = await pressAndWaitForEdit(first, button(first, /mark as sent/));
    expect(answer.text).toBe(`Post #${crashed} is marked as sent.`);
    expect((await store.getPost(crashed!))?.state).toBe('sent');
    expect(first.shownText).toContain(`✅ Post #${crashed} is marked as sent. (@ada_editor (1001))`);
    expect(buttons(first)).toEqual([]);

    // The copy of the same alert in the group is now stale: pressing it changes nothing.
    const copy = world.fake.sentMessages.find(
      (m) => m.chatId === String(GROUP.id) && m.shownText.startsWith(question),
    );
    const stale = await press(copy!, button(copy!, /Send again/));
    expect(stale).toMatchObject({
      show_alert: true,
      text: expect.stringContaining('is sent, not of unknown outcome'),
    });
    expect((await store.getPost(crashed!))?.state).toBe('sent');

    // A second crash, found by calling the recovery use case directly with the Telegram publisher.
    const [next] = await store.upcoming('tg-news', 1);
    await store.lease(next!.id, new Date());
    const report = await recoverInterrupted(world.runtime.deps);
    expect(report.askAdmin.map((p) => p.id)).toEqual([next!.id]);
    const second = await world.fake.waitFor(
      (m) => m.chatId === String(ADMIN.id) && m.shownText.includes(`Post ${next!.id} (tg-news`),
      WAIT_MS,
    );
    await pressAndWaitForEdit(second, button(second, /Send again/));
    expect((await store.getPost(next!.id))?.state).toBe('queued');
    expect(second.shownText).toContain(`Post #${next!.id} will be sent again at the next slot of tg-news.`);
    const stranger = await press(second, 'u:s:1', STRANGER);
    expect(stranger.show_alert).toBe(true);
    expect((await store.getPost(next!.id))?.state).toBe('queued');
  });
});

describe('Telegram admin bot: a thread part of unknown outcome', () => {
  it('"mark as sent" does not resolve it without its message id; the reply names the command to send', async () => {
    let crashed: number | undefined;
    world = await startWorld({
      // quotecast died while sending part 1 of a thread: the next part must reply to its message.
      beforeStart: async (runtime) => {
        // Longer than one Telegram message, so the thread has several parts.
        const sessions = Array.from({ length: 14 }, (_, i) => madeUpArticle(8 + i).paragraphs).flat();
        const { result } = await enqueueArticle(runtime.store, {
          article: { ...madeUpArticle(8), paragraphs: sessions },
          channels: runtime.config.channels.filter((c) => c.id === 'tg-news'),
          mode: 'thread',
          approved: true,
          now: new Date(),
        });
        if (result.kind !== 'queued') throw new Error('expected a new article');
        crashed = result.postIds[0];
        await runtime.store.lease(crashed!, new Date());
      },
    });
    const { store } = world.runtime;
    const post = (await store.getPost(crashed!))!;
    expect(post).toMatchObject({ state: 'unknown', mode: 'thread', seq: 1 });
    expect(post.total).toBeGreaterThan(1);
    const markSent = `u:s:${crashed}`;
    const alert = await world.fake.waitFor(
      (m) => m.chatId === String(ADMIN.id) && buttons(m).some((b) => b.callback_data === markSent),
      WAIT_MS,
    );

    const answer = await pressAndWaitForEdit(alert, markSent);
    expect(answer.show_alert).toBe(true);
    expect(answer.text).toContain(`Post #${crashed} is part 1/${post.total} of a thread on tg-news`);
    expect(await store.getPost(crashed!)).toMatchObject({ state: 'unknown', remoteId: null });
    expect(alert.shownText).toContain('cannot be marked as sent without its');
    expect(alert.shownText).toContain(`/resolve ${crashed} sent 123`);

    // The command it names: refused without the id, stored with a pasted link.
    const refusal = await ask(`/resolve ${crashed} sent`);
    expect(refusal.shownText).toContain('copy its link (t.me/quotecast_news/123)');
    const done = await ask(`/resolve ${crashed} sent https://t.me/quotecast_news/777`);
    expect(done.shownText).toBe(
      `✅ Post #${crashed} is marked as sent (message id 777); part 2 will reply to it.`,
    );
    expect(await store.getPost(crashed!)).toMatchObject({
      state: 'sent',
      remoteId: '777',
      remoteUrl: 'https://t.me/quotecast_news/777',
    });
  });
});

describe('Telegram admin bot: lifecycle', () => {
  // The fake holds each long poll for up to a minute: a stop() that waited for the poll in flight
  // would outlast the test's timeout.
  it('stops promptly, even while a long poll is held or right after start', { timeout: 20_000 }, async () => {
    world = await startWorld({ maxLongPollMs: 60_000 });
    await ask('/help');
    await world.bot.stop();
    // A stopped bot reads no more updates: a message sent now stays unread, with no answer, until
    // the next bot on the token starts; that one answers it, once.
    const polls = world.fake.calls.filter((c) => c.method === 'getUpdates').length;
    const before = new Set(world.fake.sentMessages);
    world.fake.pushMessage({ text: '/status' });
    expect(world.fake.calls.filter((c) => c.method === 'getUpdates').length).toBe(polls);

    const other = adminBotForRuntime(world.runtime, world.daemon)!;
    await other.start();
    const answer = await world.fake.waitFor((m) => !before.has(m), WAIT_MS);
    expect(answer.shownText).toContain('x-main');
    await other.stop();
    expect(world.fake.sentMessages.filter((m) => !before.has(m))).toEqual([answer]);
  });
});

describe('pending /add previews', () => {
  it('live in the store: expire after their time, act once, never pile up, and outlive a restart', async () => {
    world = await startWorld();
    const previews = createPendingPreviews(world.runtime.store, { ttlMs: 1000, max: 3 });
    const at = (ms: number) => new Date(Date.UTC(2025, 0, 1) + ms);
    const add = async (ms: number) =>
      await previews.add({
        article: madeUpArticle(ms),
        channelIds: ['x-main'],
        createdAt: at(ms),
        by: ADMIN.id,
      });
    const first = await add(0);
    expect(first.id).toMatch(/^[0-9a-f]{8}$/);
    expect((await previews.get(first.id, at(1000)))?.article).toEqual(madeUpArticle(0));
    expect(await previews.get(first.id, at(1001))).toBeUndefined();
    const second = await add(2000);
    expect((await previews.take(second.id, at(2001)))?.id).toBe(second.id);
    expect(await previews.take(second.id, at(2002))).toBeUndefined();
    const kept: Awaited<ReturnType<typeof add>>[] = [];
    for (let i = 0; i < 5; i++) kept.push(await add(3000 + i));
    const alive: typeof kept = [];
    for (const p of kept) if ((await previews.get(p.id, at(3005))) !== undefined) alive.push(p);
    expect(alive.map((p) => p.id)).toEqual(kept.slice(-3).map((p) => p.id));
    // Another process on the same store (a restart) still has them, with the same article.
    const again = createPendingPreviews(world.runtime.store, { ttlMs: 1000, max: 3 });
    expect(await again.take(kept[4]!.id, at(3006))).toMatchObject({ channelIds: ['x-main'], by: ADMIN.id });
  });
});
