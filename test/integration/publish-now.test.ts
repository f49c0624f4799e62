import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, type ExpectStatic, it } from 'vitest';
import { createSqliteStore } from '../../src/adapters/sqlite/create-sqlite-store.js';
import type { StoredArticle, StoredPost } from '../../src/ports/post-store.js';
import {
  createFakeTelegramApi,
  type FakeTelegramApi,
  type FakeTelegramApiOptions,
  type FakeTelegramCall,
} from '../fakes/fake-telegram-api.js';
import {
  createFakeXApi,
  type FakeXApi,
  type FakeXApiOptions,
  type FakeXRequest,
} from '../fakes/fake-x-api.js';

/**
 * `quotecast publish` (and `npm run publish-now`) end to end: the real CLI runs as a child process
 * against the loopback fakes, with its own settings file, store and outbox in a temp dir. Assertions
 * look at what the fakes received, what the store holds and what a user would read.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = 'src/apps/cli/main.ts';
const FIXTURES = path.join(ROOT, 'test/fixtures/publish');
/** Seven thread posts on X, three quotes on Telegram with the settings below. */
const LONG_ARTICLE = path.join(FIXTURES, 'lighthouse-keepers.txt');
/** A shorter one (four thread posts on X), for the runs whose point is not the thread itself. */
const SHORT_ARTICLE = path.join(FIXTURES, 'tidal-garden.md');
/** A real newsroom article kept outside the repo; read only at run time. */
const SEED_ARTICLE = path.resolve(ROOT, '../shared/seed/000_2d6e0c6b88b7ca38.txt');

const TELEGRAM_TOKEN = '123456:ABCdefGhIJKlmnoPQRstuVWXyz0123456789';
const X_HANDLE = 'gazette';
const TELEGRAM_CHAT = '@gazette_quotes';
/** Longest any single CLI run may take before the test kills it and fails. */
const RUN_TIMEOUT_MS = 30_000;
const TEST_TIMEOUT_MS = 50_000;

interface World {
  readonly x: FakeXApi;
  readonly telegram: FakeTelegramApi;
  readonly storePath: string;
  readonly outboxPath: string;
  /** The child's TMPDIR with `ownTmpDir`, so a test can see that a dry run cleans up after itself. */
  readonly tmp: string;
  readonly env: NodeJS.ProcessEnv;
}

interface WorldOptions {
  readonly x?: FakeXApiOptions;
  readonly telegram?: FakeTelegramApiOptions;
  /** Overrides of the settings file's top level (e.g. `retry`). */
  readonly settings?: Record<string, unknown>;
  /** Give the child its own TMPDIR (`world.tmp`), to see what it leaves there. */
  readonly ownTmpDir?: boolean;
}

interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

interface Running {
  readonly child: ChildProcess;
  stdout(): string;
  readonly done: Promise<RunResult>;
}

/** Starts both fakes and writes a settings file; always cleaned up, whatever the test does. */
async function withWorld(options: WorldOptions, body: (world: World) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'quotecast-publish-now-'));
  const x = createFakeXApi(options.x);
  const telegram = createFakeTelegramApi({ tokens: [TELEGRAM_TOKEN], ...options.telegram });
  try {
    await Promise.all([x.start(), telegram.start()]);
    const storePath = path.join(dir, 'store', 'quotecast.db');
    const outboxPath = path.join(dir, 'outbox.jsonl');
    const tmp = path.join(dir, 'tmp');
    mkdirSync(tmp);
    const settings = {
      timezone: 'UTC',
      store: { path: storePath },
      outbox: { path: outboxPath },
      publishTimeoutMs: 5000,
      channels: [
        { id: 'x-main', platform: 'twitter', handle: `@${X_HANDLE}`, mode: 'thread' },
        { id: 'tg-main', platform: 'telegram', chat: TELEGRAM_CHAT, mode: 'quotes', quotesPerArticle: 3 },
      ],
      ...options.settings,
    };
    const configPath = path.join(dir, 'quotecast.yaml');
    // JSON is YAML, and keeps the test free of a second serialiser.
    writeFileSync(configPath, JSON.stringify(settings, null, 2));
    const env: NodeJS.ProcessEnv = {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      ...(options.ownTmpDir ? { TMPDIR: tmp } : {}),
      QUOTECAST_CONFIG: configPath,
      TWITTER_API_ROOT: x.url,
      TELEGRAM_API_ROOT: telegram.url,
      TWITTER_APP_KEY: 'fake-app-key',
      TWITTER_APP_SECRET: 'fake-app-secret',
      TWITTER_ACCESS_TOKEN: 'fake-access-token',
      TWITTER_ACCESS_SECRET: 'fake-access-secret',
      TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
      // Whatever a developer's .env says, these runs use exactly the settings above.
      TWITTER_CLIENT_ID: '',
      TWITTER_REFRESH_TOKEN: '',
      TELEGRAM_ADMIN_IDS: '',
      QUOTECAST_DRY_RUN: '',
      LOG_LEVEL: 'info',
    };
    await body({ x, telegram, storePath, outboxPath, tmp, env });
  } finally {
    await Promise.all([x.close(), telegram.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs `quotecast publish ARGS` with standard input a closed pipe (not a terminal), or `npm run
 * --silent publish-now -- ARGS` when `npm` is set. Killed after RUN_TIMEOUT_MS.
 */
function startPublish(world: World, args: readonly string[], options: { npm?: boolean } = {}): Running {
  const child = options.npm
    ? spawn('npm', ['run', '--silent', 'publish-now', '--', ...args], { cwd: ROOT, env: world.env })
    : spawn(process.execPath, ['--import', 'tsx', MAIN, 'publish', ...args], { cwd: ROOT, env: world.env });
  return watch(child, `publish ${args.join(' ')}`);
}

function watch(child: ChildProcess, what: string, options: { keepStdin?: boolean } = {}): Running {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  if (!options.keepStdin) child.stdin?.end();
  const done = new Promise<RunResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what}: still running after ${RUN_TIMEOUT_MS} ms\n${stdout}\n${stderr}`));
    }, RUN_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, stdout: () => stdout, done };
}

/** `script` (util-linux) runs the CLI on a pseudo-terminal, as a person at a keyboard would. */
const HAS_SCRIPT = spawnSync('script', ['--version']).status === 0;

/** Runs `quotecast publish ARGS` on a terminal; standard output and error arrive together. */
function startOnTerminal(world: World, args: readonly string[]): Running {
  const command = [process.execPath, '--import', 'tsx', MAIN, 'publish', ...args]
    .map((word) => `'${word.replaceAll("'", `'\\''`)}'`)
    .join(' ');
  const child = spawn('script', ['--quiet', '--return', '--command', command, '/dev/null'], {
    cwd: ROOT,
    env: { ...world.env, TERM: 'xterm' },
  });
  return watch(child, `publish on a terminal ${args.join(' ')}`, { keepStdin: true });
}

/** Any other quotecast command, e.g. `add`. */
function quotecast(world: World, args: readonly string[]): Promise<RunResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, env: world.env });
  return watch(child, args.join(' ')).done;
}

function publish(world: World, args: readonly string[], options: { npm?: boolean } = {}): Promise<RunResult> {
  return startPublish(world, args, options).done;
}

/** Polls `condition` every 10 ms; fails with `what` after `timeoutMs`. */
async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** What the store holds, read through the store adapter once the CLI has exited. */
function readStore(world: World): { articles: StoredArticle[]; posts: (channelId: string) => StoredPost[] } {
  if (!existsSync(world.storePath)) return { articles: [], posts: () => [] };
  const store = createSqliteStore({ path: world.storePath });
  try {
    const articles = [...store.listArticles(1000)].reverse();
    const all = articles.flatMap((a) => [...store.postsOfArticle(a.id)]);
    return {
      articles,
      posts: (channelId) => all.filter((p) => p.channelId === channelId),
    };
  } finally {
    store.close();
  }
}

const isTweetPost = (request: FakeXRequest) => request.method === 'POST' && request.path === '/2/tweets';
const isSend = (call: FakeTelegramCall) => call.method === 'sendMessage';

/** Matches the `n`th matching request or call (1-based) after the fault is armed, and no other. */
function nth<T>(n: number, matches: (item: T) => boolean): (item: T) => boolean {
  let seen = 0;
  return (item) => matches(item) && ++seen === n;
}

/** Every tweet after the first replies to the one before it. */
function expectReplyChain(expect: ExpectStatic, x: FakeXApi): void {
  expect(x.tweets[0]?.replyTo).toBeUndefined();
  for (let i = 1; i < x.tweets.length; i++) expect(x.tweets[i]?.replyTo).toBe(x.tweets[i - 1]?.id);
}

/** Each stored post reached the platform exactly once, in order, with its stored text. */
function expectEachOnce(
  expect: ExpectStatic,
  received: readonly string[],
  stored: readonly StoredPost[],
): void {
  expect(stored.length).toBeGreaterThan(1);
  expect(received).toEqual(stored.map((p) => p.text));
  expect(new Set(received).size).toBe(received.length);
}

/** What the run printed, shown when an exit code is not the expected one. */
const transcript = (run: RunResult) => `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`;

const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');

describe.concurrent('quotecast publish (one-off publish script)', () => {
  it(
    'publishes an X thread as a reply chain and Telegram quotes, printing each link, exit 0',
    async ({ expect }) => {
      await withWorld({}, async (world) => {
        const run = await publish(world, [LONG_ARTICLE, '--yes']);
        expect(run.stderr).not.toMatch(/ERROR|unexpected/);
        expect(run.code, transcript(run)).toBe(0);

        const { articles, posts } = readStore(world);
        expect(articles).toHaveLength(1);
        const thread = posts('x-main');
        const quotes = posts('tg-main');
        expect(thread.every((p) => p.state === 'sent')).toBe(true);
        expect(quotes.every((p) => p.state === 'sent')).toBe(true);

        // X: the whole article as a numbered reply chain, in order, each tweet once.
        expectEachOnce(
          expect,
          world.x.tweets.map((t) => t.text),
          thread,
        );
        expectReplyChain(expect, world.x);
        thread.forEach((p, i) => {
          expect(p.text.endsWith(`${i + 1}/${thread.length}`)).toBe(true);
          expect(p.remoteId).toBe(world.x.tweets[i]?.id);
        });
        // Telegram: the chosen quotes, as readers see them, none as a reply, paced a second apart.
        expectEachOnce(
          expect,
          world.telegram.sentMessages.map((m) => m.shownText),
          quotes,
        );
        expect(world.telegram.sentMessages.every((m) => m.chatId === TELEGRAM_CHAT && !m.replyTo)).toBe(true);
        const times = world.telegram.sentMessages.map((m) => m.at.getTime());
        // (The pacer spaces sends 1 s apart; arrival times also carry each request's own delay.)
        for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(500);

        // The preview, then one progress line with the link per post, then the summary.
        const out = run.stdout;
        expect(out).toContain(`x-main → twitter: ${thread.length} post(s), ${thread.length} to send`);
        expect(out).toContain(`tg-main → telegram: ${quotes.length} post(s), ${quotes.length} to send`);
        for (const p of thread) expect(out).toContain(`  ${p.seq}/${p.total}  ${p.length}/280  `);
        for (const p of quotes) expect(out).toContain(`  ${p.seq}/${p.total}  ${p.length}/600  `);
        for (const [i, tweet] of world.x.tweets.entries()) {
          expect(out).toContain(
            `x-main: ${i + 1}/${thread.length} sent https://x.com/${X_HANDLE}/status/${tweet.id}\n`,
          );
        }
        for (const [i, message] of world.telegram.sentMessages.entries()) {
          expect(out).toContain(
            `tg-main: ${i + 1}/${quotes.length} sent https://t.me/${TELEGRAM_CHAT.slice(1)}/${message.messageId}\n`,
          );
        }
        expect(out).toContain(`x-main: ${thread.length} of ${thread.length} published\n`);
        expect(out).toContain(`tg-main: ${quotes.length} of ${quotes.length} published\n`);
        // Not a terminal: plain lines, no carriage returns or escape codes.
        expect(out.includes('\r') || out.includes('\x1b')).toBe(false);
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'works as `npm run publish-now` (here: the seed article as standalone quotes on X with --mode)',
    async ({ expect }) => {
      await withWorld({}, async (world) => {
        const article = existsSync(SEED_ARTICLE) ? SEED_ARTICLE : LONG_ARTICLE;
        const run = await publish(world, [article, '--to', 'x-main', '--mode', 'quotes', '--yes'], {
          npm: true,
        });
        expect(run.code, transcript(run)).toBe(0);
        const quotes = readStore(world).posts('x-main');
        expect(quotes.every((p) => p.mode === 'quotes' && p.state === 'sent')).toBe(true);
        expectEachOnce(
          expect,
          world.x.tweets.map((t) => t.text),
          quotes,
        );
        // Quotes stand alone (no reply chain) and nothing went to Telegram (not chosen with --to).
        expect(world.x.tweets.every((t) => t.replyTo === undefined)).toBe(true);
        expect(world.telegram.calls).toHaveLength(0);
        expect(run.stdout).toContain(`x-main: ${quotes.length} of ${quotes.length} published`);
        expect(run.stdout).not.toContain('tg-main');
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a dry run prints every post, touches neither account nor the real queue, and needs no --yes',
    async ({ expect }) => {
      await withWorld({ ownTmpDir: true }, async (world) => {
        const dry = await publish(world, [SHORT_ARTICLE, '--dry-run']);
        expect(dry.code, transcript(dry)).toBe(0);
        expect(world.x.requests).toHaveLength(0);
        expect(world.telegram.calls).toHaveLength(0);
        expect(dry.stdout).toContain('x-main → console (dry run, no account touched)');
        expect(dry.stdout).toContain('tg-main → console (dry run, no account touched)');
        expect(dry.stdout).toMatch(/^x-main: 1\/\d+ printed$/m);
        expect(dry.stdout).toMatch(/^x-main: (\d+) of \1 printed$/m);
        expect(dry.stdout).toMatch(/^tg-main: (\d+) of \1 printed$/m);
        // The real store has no trace of the article, and the scratch store is gone.
        expect(readStore(world).articles).toHaveLength(0);
        expect(readdirSync(world.tmp).filter((name) => name.startsWith('quotecast-'))).toEqual([]);
        const rehearsed = readFileSync(world.outboxPath, 'utf8')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as { channelId: string; text: string });

        // The real publish afterwards is not refused as a duplicate and sends what was rehearsed.
        const real = await publish(world, [SHORT_ARTICLE, '--yes']);
        expect(real.stderr).not.toContain('already');
        expect(real.code, transcript(real)).toBe(0);
        const rehearsedOn = (channel: string) =>
          rehearsed.filter((entry) => entry.channelId === channel).map((entry) => entry.text);
        expect(world.x.tweets.map((t) => t.text)).toEqual(rehearsedOn('x-main'));
        expect(world.telegram.sentMessages.map((m) => m.shownText)).toEqual(rehearsedOn('tg-main'));
        expect(readStore(world).articles).toHaveLength(1);
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses without --yes when standard input is not a terminal: exit 2, names --yes, sends nothing',
    async ({ expect }) => {
      await withWorld({}, async (world) => {
        const run = await publish(world, [SHORT_ARTICLE]);
        expect(run.code, transcript(run)).toBe(2);
        expect(lines(run.stderr)).toHaveLength(1);
        expect(run.stderr).toContain('--yes');
        expect(run.stderr).toMatch(/not a terminal/);
        expect(run.stdout).toBe('');
        expect(world.x.requests).toHaveLength(0);
        expect(world.telegram.calls).toHaveLength(0);
        expect(readStore(world).articles).toHaveLength(0);
      });
    },
    TEST_TIMEOUT_MS,
  );

  it.skipIf(!HAS_SCRIPT)(
    'on a terminal: asks before publishing, then shows each post in place with its link',
    async ({ expect }) => {
      await withWorld({}, async (world) => {
        const run = startOnTerminal(world, [SHORT_ARTICLE, '--to', 'x-main']);
        await until(() => run.stdout().includes('Publish now? [y/N]'), 'the confirmation prompt', 20_000);
        expect(run.stdout()).toMatch(/x-main → twitter: \d+ post\(s\)/);
        expect(world.x.requests).toHaveLength(0);
        run.child.stdin?.write('y\r');
        const result = await run.done;
        expect(result.code, transcript(result)).toBe(0);
        const thread = readStore(world).posts('x-main');
        expectEachOnce(
          expect,
          world.x.tweets.map((t) => t.text),
          thread,
        );
        expectReplyChain(expect, world.x);
        // Each progress line clears the line it is written on (where a countdown may have been).
        for (const [i, tweet] of world.x.tweets.entries()) {
          expect(result.stdout).toContain(
            `\r\x1b[2Kx-main: ${i + 1}/${thread.length} sent https://x.com/${X_HANDLE}/status/${tweet.id}`,
          );
        }
      });
    },
    TEST_TIMEOUT_MS,
  );

  it.skipIf(!HAS_SCRIPT)(
    'on a terminal: Ctrl-C at the question cancels cleanly and leaves the queue as it was',
    async ({ expect }) => {
      await withWorld({}, async (world) => {
        // The daemon's queue already holds the article for X; publishing it to Telegram is cancelled.
        const added = await quotecast(world, ['add', SHORT_ARTICLE, '--channels', 'x-main']);
        expect(added.code, transcript(added)).toBe(0);
        const queued = readStore(world).posts('x-main');
        expect(queued.length).toBeGreaterThan(1);

        const run = startOnTerminal(world, [SHORT_ARTICLE, '--to', 'tg-main']);
        await until(() => run.stdout().includes('Publish now? [y/N]'), 'the confirmation prompt', 20_000);
        run.child.stdin?.write('\x03');
        const result = await run.done;
        expect(result.code, transcript(result)).toBe(1);
        expect(result.stdout).toContain('cancelled; nothing was published or queued');
        expect(result.stdout).not.toContain('unexpected error');
        expect(world.x.requests).toHaveLength(0);
        expect(world.telegram.calls).toHaveLength(0);
        // Nothing queued for Telegram (a later publish is not refused); X's posts are untouched.
        const { posts } = readStore(world);
        expect(posts('tg-main')).toEqual([]);
        expect(posts('x-main')).toEqual(queued);
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'waits out a short rate limit on both platforms with a countdown, then sends everything once',
    async ({ expect }) => {
      await withWorld({}, async (world) => {
        // Once the second tweet is in, X refuses the next one for three or four seconds (its reset
        // header counts whole epoch seconds); Telegram refuses the second message for two.
        const unsubscribe = world.x.onTweet(() => {
          if (world.x.tweets.length !== 2) return;
          unsubscribe();
          world.x.failNext({
            match: isTweetPost,
            fault: { kind: 'rate-limit', reset: Math.floor(Date.now() / 1000) + 4 },
          });
        });
        world.telegram.failNext({ match: nth(2, isSend), fault: { kind: 'rate-limit', retryAfter: 2 } });

        const run = await publish(world, [LONG_ARTICLE, '--yes']);
        expect(run.code, transcript(run)).toBe(0);
        // Plain lines counting down (one a second near the end; timer jitter may skip one).
        const countdown = (channel: string) =>
          [...run.stdout.matchAll(new RegExp(`^${channel}: rate-limited, retrying in (\\d+) s$`, 'gm'))].map(
            (m) => Number(m[1]),
          );
        for (const [channel, longest] of [
          ['x-main', 4],
          ['tg-main', 2],
        ] as const) {
          const seconds = countdown(channel);
          expect(seconds.length, channel).toBeGreaterThanOrEqual(1);
          expect(Math.max(...seconds)).toBeLessThanOrEqual(longest);
          expect(seconds).toEqual([...seconds].sort((a, b) => b - a));
        }

        const { posts } = readStore(world);
        expectEachOnce(
          expect,
          world.x.tweets.map((t) => t.text),
          posts('x-main'),
        );
        expectReplyChain(expect, world.x);
        expect(world.x.requests.filter(isTweetPost)).toHaveLength(posts('x-main').length + 1);
        expectEachOnce(
          expect,
          world.telegram.sentMessages.map((m) => m.shownText),
          posts('tg-main'),
        );
        expect(world.telegram.rateLimitedCount).toBe(1);
        expect(run.stdout).toMatch(/x-main: (\d+) of \1 published/);
        expect(run.stdout).toMatch(/tg-main: (\d+) of \1 published/);
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'stops with a clear message when the rate limit lifts hours away: exit 1, summary, the rest stays queued',
    async ({ expect }) => {
      await withWorld({}, async (world) => {
        const now = Math.floor(Date.now() / 1000);
        const dayReset = now + 3 * 3600;
        // The 24-hour cap of the account is used up on the third tweet (X sends both windows' headers).
        world.x.failNext({
          match: nth(3, isTweetPost),
          fault: {
            kind: 'rate-limit',
            reset: now + 600,
            userDay: { limit: 17, remaining: 0, reset: dayReset },
          },
        });
        const run = await publish(world, [LONG_ARTICLE, '--yes']);
        expect(run.code, transcript(run)).toBe(1);

        const { posts } = readStore(world);
        const thread = posts('x-main');
        const resetAt = new Date(dayReset * 1000).toISOString();
        expect(run.stdout).toContain(`x-main: stopped: `);
        expect(run.stdout).toContain(`the platform allows more at ${resetAt}`);
        expect(run.stdout).toContain('The rest stays queued');
        // No countdown for a wait that long.
        expect(run.stdout).not.toMatch(/x-main: rate-limited, retrying in/);
        // Summary: what was sent, what was not and why, and how to finish.
        const notSent = thread.slice(2).map((p) => `#${p.id} (${p.seq}/${p.total}, queued)`);
        expect(run.stdout).toContain(
          `x-main: 2 of ${thread.length} published; not sent: ${notSent.join(', ')} — rate-limited until ${resetAt}`,
        );
        expect(run.stdout).toMatch(/tg-main: (\d+) of \1 published/);
        expect(run.stdout).toContain('--resume');

        expect(world.x.tweets).toHaveLength(2);
        expect(thread.map((p) => p.state)).toEqual(['sent', 'sent', ...thread.slice(2).map(() => 'queued')]);
        expect(thread[2]?.nextAttemptAt?.toISOString()).toBe(resetAt);
        expect(
          readStore(world)
            .posts('tg-main')
            .every((p) => p.state === 'sent'),
        ).toBe(true);
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'after Ctrl-C mid-thread, --resume sends the rest once, replying to the last published tweet',
    async ({ expect }) => {
      await withWorld({ x: { latencyMs: 200 } }, async (world) => {
        const first = startPublish(world, [LONG_ARTICLE, '--yes']);
        await world.x.waitForTweet(() => world.x.tweets.length >= 3, 15_000);
        first.child.kill('SIGINT');
        const interrupted = await first.done;
        expect(interrupted.code, transcript(interrupted)).toBe(1);
        expect(interrupted.stdout).toContain('interrupted');
        expect(interrupted.stdout).toContain('--resume');
        const before = readStore(world);
        const sentBefore = before.posts('x-main').filter((p) => p.state === 'sent');
        expect(sentBefore.length).toBeLessThan(before.posts('x-main').length);
        expect(world.x.tweets).toHaveLength(sentBefore.length);
        const tweetsBefore = world.x.tweets.length;

        const resumed = await publish(world, [LONG_ARTICLE, '--resume', '--yes']);
        expect(resumed.code, transcript(resumed)).toBe(0);
        expect(resumed.stdout).toContain('resuming article');
        const { articles, posts } = readStore(world);
        expect(articles).toHaveLength(1);
        expectEachOnce(
          expect,
          world.x.tweets.map((t) => t.text),
          posts('x-main'),
        );
        expectEachOnce(
          expect,
          world.telegram.sentMessages.map((m) => m.shownText),
          posts('tg-main'),
        );
        // The first tweet of the resumed run answers the last one of the interrupted run.
        expect(world.x.tweets[tweetsBefore]?.replyTo).toBe(world.x.tweets[tweetsBefore - 1]?.id);
        expectReplyChain(expect, world.x);
        // Already-sent posts are marked in the preview and are not announced again.
        expect(resumed.stdout).toContain('(sent)');
        expect(resumed.stdout).not.toContain(`x-main: 1/`);
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'after a crash mid-send, --resume finds the tweet that did arrive on X and goes on from it',
    async ({ expect }) => {
      await withWorld({}, async (world) => {
        const first = startPublish(world, [LONG_ARTICLE, '--to', 'x-main', '--yes']);
        // Killed the moment X stores the third tweet, before its answer leaves: the tweet is out,
        // and the store still says "sending".
        world.x.onTweet(() => {
          if (world.x.tweets.length === 3) first.child.kill('SIGKILL');
        });
        expect((await first.done).signal).toBe('SIGKILL');
        expect(world.x.tweets).toHaveLength(3);
        expect(readStore(world).posts('x-main')[2]?.state).toBe('sending');

        const resumed = await publish(world, [LONG_ARTICLE, '--to', 'x-main', '--resume', '--yes']);
        expect(resumed.code, transcript(resumed)).toBe(0);
        expect(resumed.stdout).toContain(
          'settled 1 post(s) interrupted earlier (found on X: 1, to send again: 0)',
        );
        const thread = readStore(world).posts('x-main');
        expectEachOnce(
          expect,
          world.x.tweets.map((t) => t.text),
          thread,
        );
        expectReplyChain(expect, world.x);
        expect(world.x.requests.filter(isTweetPost)).toHaveLength(thread.length);
        expect(thread[2]?.remoteId).toBe(world.x.tweets[2]?.id);
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses an article already on a channel (exit 2, names --force and --resume); --resume then publishes it only where it is new',
    async ({ expect }) => {
      await withWorld({}, async (world) => {
        const onX = await publish(world, [SHORT_ARTICLE, '--to', 'x-main', '--yes']);
        expect(onX.code, transcript(onX)).toBe(0);
        const tweets = world.x.tweets.length;

        // Refused as a whole, naming the channel it is already on and both ways forward.
        const again = await publish(world, [SHORT_ARTICLE, '--yes']);
        expect(again.code, transcript(again)).toBe(2);
        expect(lines(again.stderr)).toHaveLength(1);
        expect(again.stderr).toContain('already queued or published (article #1) on x-main;');
        expect(again.stderr).toContain('--force');
        expect(again.stderr).toContain('--resume');
        expect(world.x.requests.filter(isTweetPost)).toHaveLength(tweets);
        expect(world.telegram.calls).toHaveLength(0);

        // --resume: nothing again on X, and the article goes out on Telegram, where it is new.
        const resumed = await publish(world, [SHORT_ARTICLE, '--yes', '--resume']);
        expect(resumed.code, transcript(resumed)).toBe(0);
        expect(resumed.stdout).toContain('tg-main: not published there before; queued as new');
        expect(world.x.requests.filter(isTweetPost)).toHaveLength(tweets);
        const quotes = readStore(world).posts('tg-main');
        expectEachOnce(
          expect,
          world.telegram.sentMessages.map((m) => m.shownText),
          quotes,
        );
        expect(resumed.stdout).toContain(`x-main: ${tweets} of ${tweets} published\n`);
        expect(resumed.stdout).toContain(`tg-main: ${quotes.length} of ${quotes.length} published\n`);
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    '--force publishes again (X answers "already there" for the same text), and --resume finishes that copy, not the first',
    async ({ expect }) => {
      await withWorld({}, async (world) => {
        const first = await publish(world, [SHORT_ARTICLE, '--yes']);
        expect(first.code, transcript(first)).toBe(0);
        const tweets = world.x.tweets.length;
        const texts = readStore(world)
          .posts('tg-main')
          .map((p) => p.text);

        // Telegram takes the same text again, until a rate limit hours away stops the copy half-way.
        // X refuses duplicate text: the user reads that the tweets were already there, not that they
        // were published a second time.
        world.telegram.failNext({
          match: nth(2, isSend),
          fault: { kind: 'rate-limit', retryAfter: 5 * 3600 },
        });
        const forced = await publish(world, [SHORT_ARTICLE, '--yes', '--force']);
        expect(forced.code, transcript(forced)).toBe(1);
        expect(world.x.tweets).toHaveLength(tweets);
        expect(forced.stdout).toContain(`x-main: 1/${tweets} was already there (counted as sent)`);
        expect(forced.stdout).toContain(
          `x-main: ${tweets} of ${tweets} published (${tweets} already on the platform, not posted again)`,
        );
        expect(forced.stdout).toMatch(
          new RegExp(`^tg-main: 1 of ${texts.length} published; not sent: `, 'm'),
        );
        expect(world.telegram.sentMessages).toHaveLength(texts.length + 1);

        const finished = await publish(world, [SHORT_ARTICLE, '--yes', '--resume']);
        expect(finished.code, transcript(finished)).toBe(0);
        expect(finished.stdout).toMatch(/^resuming article #2 "/m);
        expect(world.telegram.sentMessages.map((m) => m.shownText)).toEqual([...texts, ...texts]);
        expect(world.x.tweets).toHaveLength(tweets);
        expect(readStore(world).articles).toHaveLength(2);
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'bad input exits 2 with one line on standard error and sends nothing',
    async ({ expect }) => {
      await withWorld({}, async (world) => {
        const cases: [string[], RegExp][] = [
          [[path.join(FIXTURES, 'no-such-article.txt'), '--yes'], /no-such-article\.txt: no such file/],
          [[path.join(FIXTURES, 'empty.txt'), '--yes'], /empty\.txt is empty/],
          [
            [SHORT_ARTICLE, '--to', 'x-main,mastodon', '--yes'],
            /unknown channel mastodon; configured: x-main, tg-main/,
          ],
          [[SHORT_ARTICLE, '--mode', 'poems', '--yes'], /unknown --mode "poems"; use one of: quotes, thread/],
        ];
        const runs = await Promise.all(cases.map(([args]) => publish(world, args)));
        runs.forEach((run, i) => {
          const [, message] = cases[i]!;
          expect(run.code, message.source).toBe(2);
          expect(lines(run.stderr)).toHaveLength(1);
          expect(run.stderr).toMatch(message);
          expect(run.stdout).toBe('');
        });
        expect(world.x.requests).toHaveLength(0);
        expect(world.telegram.calls).toHaveLength(0);
        expect(readStore(world).articles).toHaveLength(0);
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'bad configuration exits 2 and names the setting',
    async ({ expect }) => {
      await withWorld({}, async (world) => {
        const run = await publish({ ...world, env: { ...world.env, TELEGRAM_BOT_TOKEN: 'not-a-token' } }, [
          SHORT_ARTICLE,
          '--yes',
        ]);
        expect(run.code, transcript(run)).toBe(2);
        expect(run.stderr).toContain('TELEGRAM_BOT_TOKEN');
        expect(run.stderr).not.toContain('not-a-token');
        expect(world.x.requests).toHaveLength(0);
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a server error that persists: exit 1 with the failure in the summary; --resume finishes later',
    async ({ expect }) => {
      const retry = { maxAttempts: 3, baseDelaySeconds: 0.2, maxDelaySeconds: 1 };
      await withWorld({ settings: { retry } }, async (world) => {
        world.x.failNext({ match: isTweetPost, times: retry.maxAttempts, fault: { kind: 'server-error' } });
        const run = await publish(world, [SHORT_ARTICLE, '--yes']);
        expect(run.code, transcript(run)).toBe(1);
        expect(world.x.tweets).toHaveLength(0);
        expect(world.x.requests.filter(isTweetPost)).toHaveLength(retry.maxAttempts);
        const thread = readStore(world).posts('x-main');
        expect(thread.map((p) => p.state)).toEqual(['failed', ...thread.slice(1).map(() => 'queued')]);
        expect(run.stdout).toMatch(/^x-main: unavailable, retrying in 1 s$/m);
        expect(run.stdout).toMatch(/^x-main: post 1\/\d+ failed: X: could not post a tweet: HTTP 500/m);
        expect(run.stdout).toMatch(
          new RegExp(
            `^x-main: 0 of ${thread.length} published; not sent: #${thread[0]?.id} \\(1/${thread.length}, failed\\), .* — X: could not post a tweet: HTTP 500`,
            'm',
          ),
        );
        // The other channel is not held up by this one.
        expect(run.stdout).toMatch(/^tg-main: (\d+) of \1 published$/m);
        expect(run.stdout).toContain('--resume');

        const resumed = await publish(world, [SHORT_ARTICLE, '--resume', '--yes']);
        expect(resumed.code, transcript(resumed)).toBe(0);
        expectEachOnce(
          expect,
          world.x.tweets.map((t) => t.text),
          readStore(world).posts('x-main'),
        );
        expectReplyChain(expect, world.x);
        expect(world.telegram.sentMessages).toHaveLength(readStore(world).posts('tg-main').length);
      });
    },
    TEST_TIMEOUT_MS,
  );
});
