import http, { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TwitterApi } from 'twitter-api-v2';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/log/create-logger.js';
import { createSqliteStore } from '../../src/adapters/sqlite/create-sqlite-store.js';
import { createDaemon } from '../../src/apps/daemon/create-daemon.js';
import { buildRuntime, type Runtime } from '../../src/apps/runtime/build-runtime.js';
import { adminBotForRuntime } from '../../src/apps/telegram-bot/admin-bot-for-runtime.js';
import { type Config, loadConfig } from '../../src/config/load-config.js';
import { enqueueArticle } from '../../src/use-cases/enqueue-article.js';
import { runChannelSlot } from '../../src/use-cases/run-channel-slot.js';
import {
  createFakeTelegramApi,
  DEFAULT_FAKE_ADMIN,
  type FakeTelegramApi,
} from '../fakes/fake-telegram-api.js';
import { createFakeXApi, type FakeXApi, type FakeXFault } from '../fakes/fake-x-api.js';
import { makeArticle } from '../helpers/articles.js';
import { createFakeClock } from '../helpers/fake-clock.js';
import { formsOf, stringsIn } from '../helpers/secret-forms.js';
import { createTempDir, type TempDir } from '../helpers/temp-dir.js';
import { NO_PACING, queued } from '../helpers/world.js';

/**
 * Issue 13, "JSON logs carry no secret in any error path the suite exercises": the real runtime
 * (buildRuntime, SQLite on a temp file, twitter-api-v2 and telegraf against the loopback fakes) logs
 * through createLogger({ format: 'json' }) with the config's secrets, as `start` does with
 * LOG_FORMAT=json. Each test drives one failure and checks that the captured lines are about it and
 * hold no secret in any form (raw, JSON-escaped, percent-encoded), nor do the bot's replies.
 *
 * The secrets hold quotes, backslashes, slashes and non-ASCII characters on purpose: they reach X
 * through OAuth 1.0a signing and the fake echoes some of them back in its error bodies.
 */

const OAUTH1 = {
  TWITTER_APP_KEY: 'app"Key\\ü-1f2e3d4c',
  TWITTER_APP_SECRET: 'app-Secret/+=9z8y7x',
  TWITTER_ACCESS_TOKEN: '1234567-acc"ess\\Tökén',
  TWITTER_ACCESS_SECRET: "acc'ess (secret)*!-55",
};
const BOT_TOKEN = '7012345678:AAF-jsonLogsTestToken_abcdefgh';
const SECRET_KEY = 'json "logs" key \\ 32 characters ✓';
const OTHER_KEY = 'another key for the same store, 32+';
const START = '2026-03-10T12:00:00Z';

const X_MAIN = { id: 'x-main', platform: 'twitter', mode: 'quotes', schedule: '0 * * * *', dailyCap: 100 };
const TG_NEWS = {
  id: 'tg-news',
  platform: 'telegram',
  chat: '@quotecast_news',
  mode: 'quotes',
  schedule: '0 * * * *',
  dailyCap: 100,
};

interface Rig {
  readonly config: Config;
  readonly runtime: Runtime;
  readonly lines: string[];
  /** Every secret that must not show: the config's, plus any the test adds (issued OAuth 2.0 tokens). */
  readonly secrets: string[];
  parsed(): Record<string, unknown>[];
}

let dir: TempDir | undefined;
let x: FakeXApi | undefined;
let telegram: FakeTelegramApi | undefined;
const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await x?.close();
  await telegram?.close();
  dir?.remove();
  x = telegram = dir = undefined;
});

async function fakes(telegramTokens: readonly string[] = [BOT_TOKEN]) {
  const clock = createFakeClock(START);
  x = createFakeXApi({ now: () => clock.now() });
  telegram = createFakeTelegramApi({ now: () => clock.now(), tokens: telegramTokens });
  await Promise.all([x.start(), telegram.start()]);
  dir = createTempDir('quotecast-json-logs-');
  return { clock, x, telegram, dir };
}

/** loadConfig with these variables, and the runtime with the JSON logger over config.secrets. */
function rig(
  env: Record<string, string>,
  channels: readonly Record<string, unknown>[],
  clock = createFakeClock(START),
): Rig {
  const outcome = loadConfig({
    cwd: dir!.path,
    env: { TWITTER_API_ROOT: x!.url, TELEGRAM_API_ROOT: telegram!.url, LOG_FORMAT: 'json', ...env },
    settings: {
      timezone: 'UTC',
      store: { path: dir!.file('queue.db') },
      outbox: { path: dir!.file('outbox.jsonl') },
      publishTimeoutMs: 2000,
      retry: { maxAttempts: 2, baseDelaySeconds: 1, maxDelaySeconds: 2 },
      input: { maxBytes: 65536, fetchTimeoutMs: 2000, allowInternalHosts: ['127.0.0.1'] },
      channels,
    },
  });
  if (!outcome.ok) throw new Error(outcome.problems.join('\n'));
  const config = outcome.config;
  expect(config.logFormat).toBe('json');
  const lines: string[] = [];
  const logger = createLogger({
    format: config.logFormat,
    secrets: config.secrets,
    level: 'debug',
    write: (line) => lines.push(line),
    now: () => clock.now(),
  });
  const runtime = buildRuntime(config, {
    exclusive: false,
    clock,
    logger,
    pacing: NO_PACING,
    write: () => {},
  });
  cleanups.push(async () => await runtime.close());
  const parsed = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { config, runtime, lines, secrets: [...config.secrets], parsed };
}

/** No secret in any form in the raw lines, nor in any decoded string; every line is one JSON object. */
function expectNoSecrets(texts: readonly string[], secrets: readonly string[], decode = true): void {
  expect(secrets.length).toBeGreaterThan(0);
  for (const secret of secrets) {
    for (const text of texts) {
      for (const form of formsOf(secret)) expect(text).not.toContain(form);
      if (decode) for (const value of stringsIn(JSON.parse(text))) expect(value).not.toContain(secret);
    }
  }
}

/** The lines at warn or error whose message matches, with their fields. */
function failures(r: Rig, message: RegExp): Record<string, unknown>[] {
  return r
    .parsed()
    .filter(
      (line) => (line['level'] === 'warn' || line['level'] === 'error') && message.test(String(line['msg'])),
    );
}

async function enqueue(r: Rig, channelIds: readonly string[]): Promise<void> {
  queued(
    (
      await enqueueArticle(r.runtime.store, {
        article: makeArticle(1),
        channels: r.config.channels.filter((c) => channelIds.includes(c.id)),
        approved: true,
        now: r.runtime.clock.now(),
      })
    ).result,
  );
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('X publisher failures', () => {
  const echoed = `token ${OAUTH1.TWITTER_ACCESS_TOKEN} of app ${OAUTH1.TWITTER_APP_KEY} is revoked`;
  const cases: [string, FakeXFault, RegExp][] = [
    ['401', { kind: 'unauthorized' }, /channel paused/],
    ['403 read-only app', { kind: 'forbidden', variant: 'read-only-app' }, /channel paused/],
    ['500', { kind: 'server-error' }, /unavailable/],
    [
      '401 whose body echoes the token',
      { kind: 'respond', status: 401, body: { title: 'Unauthorized', detail: echoed, status: 401 } },
      /channel paused/,
    ],
    [
      '400 whose body echoes the keys JSON-escaped',
      { kind: 'respond', status: 400, raw: JSON.stringify({ title: 'Invalid Request', detail: echoed }) },
      /platform rejected/,
    ],
    ['a dropped connection', { kind: 'drop' }, /unknown|unavailable/],
  ];

  it.each(cases)(
    '%s: logged as a failure of the channel, without the keys',
    async (_name, fault, message) => {
      const { clock } = await fakes();
      const r = rig(OAUTH1, [X_MAIN], clock);
      await enqueue(r, ['x-main']);
      x!.failNext({ match: (request) => request.path === '/2/tweets', fault });
      await runChannelSlot(r.runtime.deps, 'x-main');

      const about = failures(r, message);
      expect(about.length, r.lines.join('\n')).toBeGreaterThan(0);
      expect(about[0]).toMatchObject({ channel: 'x-main' });
      expect(r.secrets).toEqual(expect.arrayContaining(Object.values(OAUTH1)));
      expectNoSecrets(r.lines, r.secrets);
      // The keys did reach the fake (signed into the Authorization header): the redaction had work to do.
      expect(x!.requests.some((request) => request.path === '/2/tweets')).toBe(true);
    },
  );
});

describe('Telegram publisher failures (telegraf puts the token in the URL path)', () => {
  const cases: [string, (api: FakeTelegramApi) => void, RegExp][] = [
    ['401', (api) => api.failNext({ fault: { kind: 'unauthorized' } }), /channel paused/],
    [
      '404',
      (api) =>
        api.failNext({
          fault: {
            kind: 'respond',
            status: 404,
            body: { ok: false, error_code: 404, description: 'Not Found' },
          },
        }),
      /channel paused|rejected|failed/,
    ],
    [
      '400 whose description echoes the token',
      (api) =>
        api.failNext({ fault: { kind: 'bad-request', description: `Bad Request: bot${BOT_TOKEN} unknown` } }),
      /rejected|failed/,
    ],
    ['500', (api) => api.failNext({ fault: { kind: 'server-error' } }), /unavailable/],
  ];

  it.each(cases)('%s: logged without the token', async (_name, inject, message) => {
    const { clock } = await fakes();
    const r = rig({ TELEGRAM_BOT_TOKEN: BOT_TOKEN }, [TG_NEWS], clock);
    await enqueue(r, ['tg-news']);
    inject(telegram!);
    await runChannelSlot(r.runtime.deps, 'tg-news');

    expect(failures(r, message).length, r.lines.join('\n')).toBeGreaterThan(0);
    expect(r.secrets).toContain(BOT_TOKEN);
    expectNoSecrets(r.lines, r.secrets);
  });

  it('network failure (connection refused: node-fetch quotes the URL with the token)', async () => {
    const { clock } = await fakes();
    const r = rig(
      { TELEGRAM_BOT_TOKEN: BOT_TOKEN, TELEGRAM_API_ROOT: `http://127.0.0.1:${await closedPort()}` },
      [TG_NEWS],
      clock,
    );
    await enqueue(r, ['tg-news']);
    await runChannelSlot(r.runtime.deps, 'tg-news');

    const about = failures(r, /unavailable|unknown/);
    expect(about.length, r.lines.join('\n')).toBeGreaterThan(0);
    expect(JSON.stringify(about)).toMatch(/ECONNREFUSED|connect|reach/i);
    expectNoSecrets(r.lines, r.secrets);
  });
});

describe('vendor errors logged whole (defence in depth: the adapters already pass only redacted text)', () => {
  it("twitter-api-v2's response error (request and headers inside) is logged by its message and codes only", async () => {
    const { clock } = await fakes();
    const r = rig(OAUTH1, [X_MAIN], clock);
    const client = new TwitterApi(
      {
        appKey: OAUTH1.TWITTER_APP_KEY,
        appSecret: OAUTH1.TWITTER_APP_SECRET,
        accessToken: OAUTH1.TWITTER_ACCESS_TOKEN,
        accessSecret: OAUTH1.TWITTER_ACCESS_SECRET,
      },
      {
        httpAgent: new http.Agent(),
        plugins: [
          {
            onBeforeRequest({ computedParams }) {
              computedParams.url.protocol = 'http:';
              computedParams.url.host = new URL(x!.url).host;
            },
          },
        ],
      },
    );
    x!.failNext({ fault: { kind: 'unauthorized' } });
    const error = await client.v2.tweet('hello').then(
      () => undefined,
      (e: Error) => e,
    );
    expect(
      JSON.stringify(
        (error as { request?: { getHeader(name: string): unknown } }).request?.getHeader('authorization'),
      ),
    ).toContain(encodeURIComponent(OAUTH1.TWITTER_ACCESS_TOKEN));
    r.runtime.logger.error('raw X error', { error });
    const [line] = failures(r, /raw X error/);
    expect(line?.['error']).toMatchObject({ type: 'ApiResponseError', _type: 'response', code: 401 });
    expect(line?.['error']).not.toHaveProperty('request');
    expectNoSecrets(r.lines, r.secrets);
  });
});

describe('Telegram admin bot failures', () => {
  async function startBot(r: Rig) {
    const daemon = createDaemon({
      deps: r.runtime.deps,
      channels: r.config.channels,
      schedule: () => ({ stop() {} }),
    });
    const bot = adminBotForRuntime(r.runtime, daemon, { requestTimeoutMs: 2000, stopTimeoutMs: 2000 });
    if (!bot) throw new Error('the bot should be configured');
    r.runtime.setNotifier(bot.notifier);
    cleanups.push(async () => {
      await bot.stop();
      await daemon.stop();
    });
    await daemon.start();
    // A token Telegram refuses ends the start with an error `start` prints: it must not hold the token.
    return bot.start().then(
      () => '',
      (error: Error) => error.message,
    );
  }
  const admin = { TELEGRAM_BOT_TOKEN: BOT_TOKEN, TELEGRAM_ADMIN_IDS: String(DEFAULT_FAKE_ADMIN.id) };

  it('401 at login (a revoked token): logged once, without the token', async () => {
    await fakes(['999:someOtherTokenTheFakeAccepts0000']);
    const r = rig(admin, [TG_NEWS]);
    const said = await startBot(r);
    await until(() => failures(r, /./).length > 0, 'the login failure to be logged');

    const about = failures(r, /./);
    expect(JSON.stringify(about)).toMatch(/401|Unauthorized/i);
    expect(said).toMatch(/refused the bot token/);
    expectNoSecrets(r.lines, r.secrets);
    expectNoSecrets([said], r.secrets, false);
  });

  it('404 at login (a wrong API address or token)', async () => {
    await fakes();
    telegram!.failNext({
      match: (call) => call.method === 'getMe',
      fault: { kind: 'respond', status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } },
    });
    const r = rig(admin, [TG_NEWS]);
    const said = await startBot(r);
    await until(() => failures(r, /./).length > 0, 'the login failure to be logged');

    expect(JSON.stringify(failures(r, /./))).toMatch(/404|Not Found/);
    expect(said).toMatch(/404 Not Found/);
    expectNoSecrets(r.lines, r.secrets);
    expectNoSecrets([said], r.secrets, false);
  });

  it('network failure at login: logged, and retried, without the token', async () => {
    await fakes();
    const r = rig({ ...admin, TELEGRAM_API_ROOT: `http://127.0.0.1:${await closedPort()}` }, [TG_NEWS]);
    await startBot(r);
    await until(() => failures(r, /./).length > 0, 'the login failure to be logged');

    expect(JSON.stringify(failures(r, /./))).toMatch(/ECONNREFUSED|reach|connect/i);
    expectNoSecrets(r.lines, r.secrets);
  });

  it('/add with a page that cannot be fetched, and a file Telegram cannot give: replies and logs hold no secret', async () => {
    const page = createServer((_req, res) =>
      res.writeHead(500, { 'content-type': 'text/plain' }).end('boom'),
    );
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => page.close(resolve)));
    await fakes();
    const r = rig({ ...admin, ...OAUTH1 }, [TG_NEWS, X_MAIN]);
    await startBot(r);

    const broken = `http://127.0.0.1:${(page.address() as AddressInfo).port}/story`;
    const refused = `http://127.0.0.1:${await closedPort()}/story`;
    for (const url of [broken, refused]) {
      telegram!.pushMessage({ text: `/add ${url}` });
      const working = await telegram!.waitFor((m) => m.text.includes(`Fetching ${url}`), 5000);
      await until(() => working.edits.length > 0, `the answer to /add ${url}`);
      expect(working.shownText).toMatch(/^⚠️/);
    }
    // A document whose file Telegram does not know: getFile fails (its URL holds the token).
    telegram!.pushMessage({ document: { fileName: 'story.txt', content: 'x' }, text: '' });
    const reading = await telegram!.waitFor((m) => m.text.includes('Reading story.txt'), 5000);
    await until(() => reading.edits.length > 0, 'the answer to the document');

    const logged = r
      .parsed()
      .filter((line) => line['command'] === 'add' || line['msg'] === 'admin command from Telegram');
    expect(logged.length, r.lines.join('\n')).toBeGreaterThan(0);
    expectNoSecrets(r.lines, r.secrets);
    const replies = telegram!.sentMessages.flatMap((m) => [m.text, ...m.edits.map((e) => e.text ?? '')]);
    expectNoSecrets(replies, r.secrets, false);
  });
});

describe('store and secret key failures', () => {
  it('a store that cannot be opened: the StoreError as a log field names the file and holds no secret', async () => {
    await fakes();
    const r = rig(OAUTH1, [X_MAIN]);
    let failure: unknown;
    try {
      // The path is a directory: SQLite cannot open it.
      createSqliteStore({ path: dir!.path });
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(Error);
    r.runtime.logger.error('cannot open the store', { error: failure });
    const [line] = failures(r, /cannot open the store/);
    expect(line?.['error']).toMatchObject({ message: expect.stringContaining(dir!.path) });
    expectNoSecrets(r.lines, r.secrets);
  });

  it('a wrong QUOTECAST_SECRET_KEY: the X channel pauses, and no key or token is logged', async () => {
    const { clock } = await fakes();
    const oauth2 = {
      TWITTER_CLIENT_ID: 'client-id-json-logs',
      TWITTER_CLIENT_SECRET: 'client"secret\\ü-json-logs',
      TWITTER_REFRESH_TOKEN: 'refresh-"json"-token-0a1b2c',
    };
    // First run: the configured refresh token is exchanged, and the issued tokens stored sealed.
    const first = rig({ ...oauth2, QUOTECAST_SECRET_KEY: SECRET_KEY }, [X_MAIN], clock);
    await enqueue(first, ['x-main']);
    await runChannelSlot(first.runtime.deps, 'x-main');
    expect(x!.tweets).toHaveLength(1);
    expect(x!.tokenRefreshes.length).toBeGreaterThan(0);
    await first.runtime.close();

    // A restart with another key cannot read them.
    clock.advance(3_600_000);
    const second = rig({ ...oauth2, QUOTECAST_SECRET_KEY: OTHER_KEY }, [X_MAIN], clock);
    await runChannelSlot(second.runtime.deps, 'x-main');
    const about = failures(second, /channel paused/);
    expect(about.length, second.lines.join('\n')).toBeGreaterThan(0);
    expect(JSON.stringify(about)).toContain('QUOTECAST_SECRET_KEY');

    const issued = x!.tokenRefreshes.flatMap((t) => [t.issuedAccessToken, t.issuedRefreshToken]);
    const secrets = [...first.secrets, ...second.secrets, ...issued];
    expect(secrets).toEqual(expect.arrayContaining([SECRET_KEY, OTHER_KEY, oauth2.TWITTER_CLIENT_SECRET]));
    expectNoSecrets([...first.lines, ...second.lines], secrets);
  });
});
