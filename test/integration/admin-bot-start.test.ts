import { afterEach, describe, expect, it } from 'vitest';
import { createDaemon, type Daemon } from '../../src/apps/daemon/create-daemon.js';
import { buildRuntime, type Runtime } from '../../src/apps/runtime/build-runtime.js';
import { adminBotForRuntime } from '../../src/apps/telegram-bot/admin-bot-for-runtime.js';
import type { AdminBot } from '../../src/apps/telegram-bot/create-admin-bot.js';
import { backoffDelay, DEFAULT_BACKOFF } from '../../src/apps/telegram-bot/keep-polling.js';
import { loadConfig } from '../../src/config/load-config.js';
import { enqueueArticle } from '../../src/use-cases/enqueue-article.js';
import {
  createFakeTelegramApi,
  DEFAULT_FAKE_ADMIN,
  DEFAULT_FAKE_TELEGRAM_TOKEN,
  type FakeSentMessage,
  type FakeTelegramApi,
} from '../fakes/fake-telegram-api.js';
import { makeArticle } from '../helpers/articles.js';
import { collectingLogger, freePort, statusReply } from '../helpers/bot-run.js';
import { createFakeClock, type FakeClock } from '../helpers/fake-clock.js';
import { waitUntil } from '../helpers/quotecast-process.js';
import { createTempDir, type TempDir } from '../helpers/temp-dir.js';
import { NO_PACING } from '../helpers/world.js';

/**
 * The admin bot when Telegram is not there: down when the daemon starts, failing with 5xx, hanging,
 * dying while the bot polls, refusing the token. The real bot (telegraf, the real runtime and daemon)
 * talks to the loopback fake Bot API; backoff waits run on a fake clock that the test moves, and every
 * wait for the bot is a wait for something it does (a log line, a call, a reply), never for time.
 */

const ADMIN = DEFAULT_FAKE_ADMIN;
// A limit on each wait for an event, generous for a loaded 2-core machine (the waits end on the event).
const WAIT_MS = 15_000;
const WRONG_TOKEN = '987654321:AAWrongTokenForLoopbackTests0000000000';

interface World {
  readonly clock: FakeClock;
  readonly runtime: Runtime;
  readonly daemon: Daemon;
  readonly bot: AdminBot;
  readonly logs: string[];
  readonly port: number;
  /** The fake Bot API on `port`, once `telegramComesUp()` started it. */
  fake: FakeTelegramApi | undefined;
  telegramComesUp(): Promise<FakeTelegramApi>;
  telegramGoesDown(): Promise<void>;
  stop(): Promise<void>;
}

let world: World | undefined;

afterEach(async () => {
  await world?.stop();
  world = undefined;
});

/**
 * A runtime, daemon and admin bot wired as `quotecast start` wires them, pointed at a port where the
 * fake Bot API runs only when `up` says so. The X channel publishes to the console.
 */
async function startWorld(
  options: { up?: boolean; token?: string; requestTimeoutMs?: number } = {},
): Promise<World> {
  const dir: TempDir = createTempDir('quotecast-bot-start-');
  const port = await freePort();
  const clock = createFakeClock('2026-03-10T12:00:00Z');
  const outcome = loadConfig({
    cwd: dir.path,
    env: {
      TELEGRAM_BOT_TOKEN: options.token ?? DEFAULT_FAKE_TELEGRAM_TOKEN,
      TELEGRAM_ADMIN_IDS: String(ADMIN.id),
      TELEGRAM_API_ROOT: `http://127.0.0.1:${port}`,
    },
    settings: {
      timezone: 'UTC',
      store: { path: dir.file('queue.db') },
      outbox: { path: dir.file('outbox.jsonl') },
      channels: [{ id: 'x-main', platform: 'twitter', schedule: '0 9 * * *', quotesPerArticle: 2 }],
    },
  });
  if (!outcome.ok) throw new Error(outcome.problems.join('\n'));
  const logs: string[] = [];
  const runtime = buildRuntime(outcome.config, {
    exclusive: true,
    clock,
    logger: collectingLogger(logs),
    write: () => {},
    // The middle of the jitter range: waits are exactly 1 s, 2 s, 4 s…
    random: () => 0.5,
    // Replies are paced on the fake clock, which moves only when a test says: no pacing here.
    pacing: NO_PACING,
  });
  const daemon = createDaemon({
    deps: runtime.deps,
    channels: outcome.config.channels,
    schedule: () => ({ stop() {} }),
  });
  const bot = adminBotForRuntime(runtime, daemon, {
    ...(options.requestTimeoutMs ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
  });
  if (!bot) throw new Error('the bot should be configured');
  runtime.setNotifier(bot.notifier);
  await daemon.start();
  let stopped = false;
  const w: World = {
    clock,
    runtime,
    daemon,
    bot,
    logs,
    port,
    fake: undefined,
    async telegramComesUp() {
      // The same fake comes back after an outage, update ids and all, as Telegram would. It keeps no
      // connection open between calls: once it is down, every attempt is refused (ECONNREFUSED). With
      // keep-alive, an attempt could pick up an idle connection that the fake had cut but whose end the
      // bot had not read yet on a busy machine, and fail with ECONNRESET: one failure more than the test
      // counts, whose backoff wait nobody ends.
      const fake = w.fake ?? createFakeTelegramApi({ port, keepAlive: false });
      await fake.start();
      w.fake = fake;
      return fake;
    },
    async telegramGoesDown() {
      await w.fake?.close();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await bot.stop();
        await daemon.stop();
        for (const line of logs) expect(line).not.toContain(options.token ?? DEFAULT_FAKE_TELEGRAM_TOKEN);
      } finally {
        await runtime.close();
        await w.fake?.close();
        dir.remove();
      }
    },
  };
  if (options.up) await w.telegramComesUp();
  return w;
}

const until = (check: () => boolean, what: string, timeoutMs = WAIT_MS) =>
  waitUntil(check, what, { timeoutMs, intervalMs: 5 });

/** The bot's own lines about reaching Telegram (not the publisher's or the daemon's). */
function botLines(w: World): string[] {
  return w.logs.filter((line) => / admin bot[: ]/.test(line)).map((line) => line.replace(/ \{.*\}$/, ''));
}

/** Waits until the bot logged a line matching `pattern` and parked in its backoff wait (if it waits). */
async function logged(w: World, pattern: RegExp): Promise<void> {
  try {
    await until(() => w.logs.some((line) => pattern.test(line)), `a log line ${pattern}`);
  } catch (error) {
    throw new Error(`${(error as Error).message}; the log so far:\n${w.logs.join('\n')}`);
  }
}

/** Moves the clock past the bot's current backoff wait. */
async function afterWait(w: World, ms: number): Promise<void> {
  await w.clock.waitForSleepers(1, WAIT_MS);
  w.clock.advance(ms);
}

function callsTo(fake: FakeTelegramApi | undefined, method: string): number {
  return fake?.calls.filter((c) => c.method === method).length ?? 0;
}

describe('admin bot: Telegram down when quotecast starts', () => {
  it('keeps trying with growing waits, publishing goes on, and /status works once Telegram is back', async () => {
    const w = await startWorld();
    world = w;
    expect(await w.bot.start()).toBe('retrying');
    expect(botLines(w)).toEqual(['warn admin bot: Telegram unreachable (ECONNREFUSED); retrying in 1 s']);

    // Publishing does not wait for the bot.
    const { result } = await enqueueArticle(w.runtime.store, {
      article: makeArticle(1),
      channels: w.runtime.config.channels,
      approved: true,
      now: w.clock.now(),
    });
    expect(result.kind).toBe('queued');
    expect(await w.daemon.runNow('x-main')).toMatchObject({ kind: 'published' });

    // One attempt per wait, each wait twice the last, up to five minutes.
    const waits = [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300].map((s) => s * 1000);
    for (const [i, wait] of waits.slice(0, -1).entries()) {
      await afterWait(w, wait);
      await until(() => botLines(w).length === i + 2, `failure ${i + 2}`);
    }
    expect(botLines(w).map((line) => line.replace(/.*; retrying in /, ''))).toEqual([
      '1 s',
      '2 s',
      '4 s',
      '8 s',
      '16 s',
      '32 s',
      '1 min 4 s',
      '2 min 8 s',
      '4 min 16 s',
      '5 min',
      '5 min',
    ]);
    expect(w.clock.sleeping).toBe(1);

    // Telegram comes back: the next attempt logs in, and an admin gets an answer.
    const fake = await w.telegramComesUp();
    await afterWait(w, waits.at(-1)!);
    await logged(w, /admin bot started after 12 attempts/);
    const reply = await statusReply(fake);
    expect(reply.shownText).toContain('x-main');
    // The attempts before never reached it: one login, one webhook reset, one command list.
    expect([callsTo(fake, 'getMe'), callsTo(fake, 'deleteWebhook'), callsTo(fake, 'setMyCommands')]).toEqual([
      1, 1, 1,
    ]);
    expect(botLines(w)).toHaveLength(12);
  });

  it('retries through 5xx answers and a call that hangs, each failure one readable line', async () => {
    const w = await startWorld({ up: true, requestTimeoutMs: 300 });
    world = w;
    const fake = w.fake!;
    fake.failNext({
      match: (c) => c.method === 'getMe',
      times: 2,
      fault: { kind: 'server-error', status: 502 },
    });
    fake.failNext({ match: (c) => c.method === 'deleteWebhook', fault: { kind: 'hang' } });
    fake.failNext({ match: (c) => c.method === 'getUpdates', fault: { kind: 'server-error', status: 500 } });

    expect(await w.bot.start()).toBe('retrying');
    await afterWait(w, 1000);
    await logged(w, /retrying in 2 s/);
    await afterWait(w, 2000);
    // The hanging deleteWebhook is cut off by the request deadline (wall-clock network time).
    await logged(w, /retrying in 4 s/);
    await afterWait(w, 4000);
    await logged(w, /retrying in 8 s/);
    await afterWait(w, 8000);
    await logged(w, /admin bot started after 5 attempts/);
    expect(botLines(w)).toEqual([
      'warn admin bot: Telegram answered 502 Bad Gateway; retrying in 1 s',
      'warn admin bot: Telegram answered 502 Bad Gateway; retrying in 2 s',
      'warn admin bot: Telegram did not answer within 300 ms; retrying in 4 s',
      'warn admin bot: Telegram answered 500 Internal Server Error; retrying in 8 s',
      'info admin bot started after 5 attempts',
    ]);
    expect((await statusReply(fake)).shownText).toContain('x-main');
  });
});

describe('admin bot: Telegram lost while polling', () => {
  it('restarts with backoff after the connection drops, and answers again once Telegram is back', async () => {
    const w = await startWorld({ up: true });
    world = w;
    expect(await w.bot.start()).toBe('running');
    expect(botLines(w)).toEqual(['info admin bot started']);
    expect((await statusReply(w.fake!)).shownText).toContain('x-main');

    // The long poll in flight is cut (or the next one is refused): the bot does not stay dead.
    await w.telegramGoesDown();
    await logged(w, /admin bot: polling stopped: Telegram unreachable \(E[A-Z]+\); restarting in 1 s/);
    await afterWait(w, 1000);
    await logged(w, /Telegram unreachable \(ECONNREFUSED\); retrying in 2 s/);
    const fake = await w.telegramComesUp();
    await afterWait(w, 2000);
    await logged(w, /admin bot polling again after 3 attempts/);
    expect((await statusReply(fake)).shownText).toContain('x-main');
  });

  it('restarts after a 409 Conflict instead of stopping for good', async () => {
    const w = await startWorld({ up: true });
    world = w;
    expect(await w.bot.start()).toBe('running');
    const fake = w.fake!;
    fake.failNext({
      match: (c) => c.method === 'getUpdates',
      fault: {
        kind: 'respond',
        status: 409,
        body: {
          ok: false,
          error_code: 409,
          description:
            'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
        },
      },
    });
    // Ends a long poll in flight, if there is one, so a getUpdates meets the 409.
    fake.pushMessage({ text: '/help' });
    await logged(
      w,
      /polling stopped: another process polls this bot token.*\(409 Conflict\).*; restarting in 1 s/,
    );
    await afterWait(w, 1000);
    await logged(w, /admin bot polling again after 2 attempts/);
    // /help was answered before the 409 or after the restart: nothing was lost.
    await fake.waitFor((m) => m.shownText.startsWith('quotecast admin bot'), WAIT_MS);
    expect((await statusReply(fake)).shownText).toContain('x-main');
    // The admins were told, once, what a 409 means and what to do about it.
    const told = (m: FakeSentMessage) => m.shownText.includes('409 Conflict');
    const alert = await fake.waitFor(told, WAIT_MS);
    expect(alert.chatId).toBe(String(ADMIN.id));
    expect(alert.shownText).toContain('stop the second "quotecast start"');
    fake.failNext({
      match: (c) => c.method === 'getUpdates',
      fault: { kind: 'respond', status: 409, body: { ok: false, error_code: 409, description: 'Conflict' } },
    });
    const conflicts = () =>
      w.logs.filter((line) => /polling stopped: another process polls/.test(line)).length;
    const before = conflicts();
    fake.pushMessage({ text: '/help' });
    await until(() => conflicts() === before + 1, 'the second 409 in the log');
    await afterWait(w, 1000);
    expect((await statusReply(fake)).shownText).toContain('x-main');
    expect(fake.sentMessages.filter(told)).toHaveLength(1);
  });
});

describe('admin bot: a token Telegram refuses', () => {
  it('is a configuration error: logged once, start() rejects, no retry loop', async () => {
    const w = await startWorld({ up: true, token: WRONG_TOKEN });
    world = w;
    await expect(w.bot.start()).rejects.toThrow(/Telegram refused the bot token \(401 Unauthorized\)/);
    expect(botLines(w)).toEqual([
      'error admin bot: Telegram refused the bot token (401 Unauthorized); check TELEGRAM_BOT_TOKEN (or the Telegram channel token), as @BotFather gave it. It will not try again until quotecast restarts; publishing goes on without it',
    ]);
    expect(w.clock.sleeping).toBe(0);
    w.clock.advance(3_600_000);
    await w.bot.stop();
    expect(callsTo(w.fake, 'getMe')).toBe(1);
    expect(w.fake!.calls).toHaveLength(1);
    expect(botLines(w)).toHaveLength(1);
  });

  it('stops trying when the token is refused after Telegram was unreachable', async () => {
    const w = await startWorld({ up: true });
    world = w;
    const fake = w.fake!;
    fake.failNext({ match: (c) => c.method === 'getMe', fault: { kind: 'server-error', status: 503 } });
    fake.failNext({ times: 1000, fault: { kind: 'unauthorized' } });
    expect(await w.bot.start()).toBe('retrying');
    await afterWait(w, 1000);
    await logged(w, /refused the bot token/);
    await w.bot.stop();
    expect(w.clock.sleeping).toBe(0);
    expect(callsTo(fake, 'getMe')).toBe(2);
    expect(botLines(w)).toEqual([
      'warn admin bot: Telegram answered 503 Service Unavailable; retrying in 1 s',
      expect.stringMatching(
        /^error admin bot: Telegram refused the bot token \(401 Unauthorized\).*will not try again/,
      ),
    ]);
  });
});

describe('admin bot: stopping', () => {
  it('stop during a backoff wait resolves at once and leaves no wait behind', async () => {
    const w = await startWorld();
    world = w;
    expect(await w.bot.start()).toBe('retrying');
    await afterWait(w, 1000);
    await logged(w, /retrying in 2 s/);
    await w.clock.waitForSleepers(1, WAIT_MS);
    // What SIGTERM does in `quotecast start`: the bot, then the daemon.
    await w.bot.stop();
    await w.daemon.stop();
    expect(w.clock.sleeping).toBe(0);
    const lines = botLines(w).length;
    w.clock.advance(600_000);
    const fake = await w.telegramComesUp();
    fake.pushMessage({ text: '/status' });
    // Nothing tries again: a fresh bot reaches the fake, the stopped one never does.
    const other = adminBotForRuntime(w.runtime, w.daemon)!;
    expect(await other.start()).toBe('running');
    await other.stop();
    expect(callsTo(fake, 'getMe')).toBe(1);
    expect(botLines(w)).toHaveLength(lines + 1);
  });

  it('jitter spreads each wait by up to a fifth either way', () => {
    expect(backoffDelay(DEFAULT_BACKOFF, 3, () => 0)).toBe(3200);
    expect(backoffDelay(DEFAULT_BACKOFF, 3, () => 0.5)).toBe(4000);
    expect(backoffDelay(DEFAULT_BACKOFF, 3, () => 0.999)).toBe(4798);
    expect(backoffDelay(DEFAULT_BACKOFF, 40, () => 0.999)).toBe(300_000);
    expect(backoffDelay(DEFAULT_BACKOFF, 40, () => 0)).toBe(240_000);
  });
});
