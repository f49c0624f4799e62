import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/adapters/sqlite/create-sqlite-store.js';
import { buildRuntime } from '../../src/apps/runtime/build-runtime.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createSilentLogger } from '../../src/ports/logger.js';
import type { PostStore, StoredPost } from '../../src/ports/post-store.js';
import { enqueueArticle } from '../../src/use-cases/enqueue-article.js';
import { recoverInterrupted } from '../../src/use-cases/recover-interrupted.js';
import { runChannelSlot } from '../../src/use-cases/run-channel-slot.js';
import {
  createFakeTelegramApi,
  DEFAULT_FAKE_TELEGRAM_TOKEN,
  type FakeTelegramApi,
} from '../fakes/fake-telegram-api.js';
import { createFakeXApi, type FakeXApi } from '../fakes/fake-x-api.js';
import { makeArticle } from '../helpers/articles.js';
import {
  childEnv,
  delay,
  type QuotecastProcess,
  REPO_ROOT,
  spawnQuotecast,
  waitUntil,
  writeSettings,
} from '../helpers/quotecast-process.js';
import { createSeededRandom, randomInt } from '../helpers/seeded-random.js';
import { createTempDir, type TempDir } from '../helpers/temp-dir.js';
import { createWorld, fakeCredentials, queued } from '../helpers/world.js';

/**
 * CRASH TEST: the promise users care about most. The real daemon (`quotecast start`, a child process)
 * publishes to both fakes on four channels (X and Telegram, quotes and thread mode, a slot every
 * second) and is killed with SIGKILL at seeded random moments, many of them while a request is in
 * flight, then restarted, until everything is sent or settled. Then what the fakes received must be:
 * every post exactly once, except posts the store calls `unknown` (Telegram only: X ones are
 * reconciled from the timeline on start), which arrived at most once.
 */

const SEED = 20_260_310;
const KILLS = 20;
const X_LATENCY_MS = 40;
const TELEGRAM_LATENCY_MS = 70;
const BUDGET_MS = 110_000;

interface ChannelUnderTest {
  readonly id: string;
  readonly platform: 'twitter' | 'telegram';
  readonly mode: 'quotes' | 'thread';
  /** X: the access token its credentials carry; Telegram: the chat. */
  readonly where: string;
  readonly settings: Record<string, unknown>;
}

const every = { schedule: '* * * * * *', dailyCap: 1000 };
const CHANNELS: readonly ChannelUnderTest[] = [
  {
    id: 'x-quotes',
    platform: 'twitter',
    mode: 'quotes',
    where: 'twitter-access-token',
    settings: { ...every, platform: 'twitter', mode: 'quotes', quotesPerArticle: 4 },
  },
  {
    id: 'x-thread',
    platform: 'twitter',
    mode: 'thread',
    where: 'x_thread-access-token',
    // Its own account in reality; one fake account here, so its posts must read differently.
    settings: {
      ...every,
      platform: 'twitter',
      mode: 'thread',
      credentials: 'X_THREAD',
      hashtags: ['#thread'],
    },
  },
  {
    id: 'tg-quotes',
    platform: 'telegram',
    mode: 'quotes',
    where: '@crash_quotes',
    settings: { ...every, platform: 'telegram', mode: 'quotes', chat: '@crash_quotes', quotesPerArticle: 4 },
  },
  {
    id: 'tg-thread',
    platform: 'telegram',
    mode: 'thread',
    where: '@crash_thread',
    settings: { ...every, platform: 'telegram', mode: 'thread', chat: '@crash_thread', targetLength: 300 },
  },
];

let x: FakeXApi;
let telegram: FakeTelegramApi;
let dir: TempDir;

beforeAll(async () => {
  // Duplicates are accepted, so a second send of the same post would show up as a second tweet
  // instead of being hidden by X's duplicate refusal.
  x = createFakeXApi({ latencyMs: X_LATENCY_MS, rejectDuplicates: false });
  telegram = createFakeTelegramApi({ latencyMs: TELEGRAM_LATENCY_MS });
  await Promise.all([x.start(), telegram.start()]);
  dir = createTempDir('quotecast-crash-');
});

afterAll(async () => {
  await Promise.all([x?.close(), telegram?.close()]);
  dir?.remove();
});

describe('crash safety', () => {
  it(`CRASH TEST: SIGKILL the daemon ${KILLS} times mid-publish; every post arrives exactly once`, {
    timeout: BUDGET_MS + 30_000,
  }, async () => {
    const started = Date.now();
    const random = createSeededRandom(SEED);
    const storePath = dir.file('data/queue.db');
    const configPath = writeSettings(dir.path, {
      timezone: 'UTC',
      store: { path: storePath },
      outbox: { path: dir.file('data/outbox.jsonl') },
      publishTimeoutMs: 5000,
      retry: { maxAttempts: 8, baseDelaySeconds: 0.2, maxDelaySeconds: 1 },
      channels: CHANNELS.map((c) => ({ id: c.id, ...c.settings })),
    });
    const env = childEnv({
      ...fakeCredentials(['TWITTER', 'X_THREAD']),
      QUOTECAST_CONFIG: configPath,
      TWITTER_API_ROOT: x.url,
      TELEGRAM_API_ROOT: telegram.url,
      TELEGRAM_BOT_TOKEN: DEFAULT_FAKE_TELEGRAM_TOKEN,
    });
    const total = queueArticles(env, dir.path, 7);
    expect(total).toBeGreaterThanOrEqual(100);

    const sends = () =>
      x.requests.filter((r) => r.path === '/2/tweets').length +
      telegram.calls.filter((c) => c.method === 'sendMessage').length;
    const logs: string[] = [];
    let kills = 0;
    let inFlightKills = 0;
    while (kills < KILLS && Date.now() - started < BUDGET_MS) {
      const daemon = spawnQuotecast(['start', '--no-example'], { env, cwd: dir.path });
      const before = sends();
      await daemon.waitForOutput(/quotecast is running/);
      const publishing =
        (await waitFor(() => sends() > before, daemon, 5000)) ||
        (!settled(storePath) && (await waitFor(() => sends() > before, daemon, 20_000)));
      if (!publishing) {
        // Nothing more to send: the work finished before all the kills were spent.
        await stop(daemon, logs);
        break;
      }
      if (random() < 0.5) {
        // Aim inside a request: just after the next one reaches a fake, before it is answered.
        const seen = sends();
        await waitFor(() => sends() > seen, daemon, 3000);
        await delay(randomInt(random, 0, X_LATENCY_MS - 10));
      } else {
        await delay(randomInt(random, 0, 800));
      }
      const at = Date.now();
      daemon.kill('SIGKILL');
      if (process.env['CRASH_DEBUG'])
        process.stderr.write(
          `kill ${kills + 1} at ${((at - started) / 1000).toFixed(1)} s, ${sends()} sends\n`,
        );
      const result = await daemon.exited;
      logs.push(result.stderr);
      if (result.signal === 'SIGKILL') {
        kills++;
        if (requestsAround(at)) inFlightKills++;
      }
    }

    // The last start runs until everything is sent or settled, then stops cleanly.
    const last = spawnQuotecast(['start', '--no-example'], { env, cwd: dir.path });
    await last.waitForOutput(/quotecast is running/, { timeoutMs: 20_000 });
    try {
      await waitUntil(() => settled(storePath), 'every post to be sent or settled', {
        timeoutMs: Math.max(20_000, BUDGET_MS - (Date.now() - started)),
        intervalMs: 250,
      });
    } catch (error) {
      last.kill('SIGKILL');
      await last.exited;
      const left = withStore(storePath, (store) =>
        allPosts(store)
          .filter((p) => p.state !== 'sent' && p.state !== 'unknown' && !heldBehindUnknown(store, p))
          .map(
            (p) =>
              `${p.channelId} #${p.id} ${p.seq}/${p.total} ${p.state} ${p.nextAttemptAt?.toISOString() ?? ''} ${p.lastError ?? ''}`,
          ),
      );
      throw new Error(
        `${(error as Error).message} after ${kills} kills:\n${left.join('\n')}\n${last.stderr().slice(-4000)}`,
      );
    }
    await delay(300);
    await stop(last, logs);

    const report = check(storePath);
    const seconds = (Date.now() - started) / 1000;
    const reconciled = sumLogged(logs, /reconciled posts interrupted by a crash found=(\d+)/);
    const requeued = sumLogged(logs, /reconciled posts interrupted by a crash found=\d+ requeued=(\d+)/);
    console.log(
      [
        'CRASH TEST figures',
        `  kills (SIGKILL):            ${kills} (${inFlightKills} with a request in flight)`,
        `  posts queued:               ${report.total} on ${CHANNELS.length} channels`,
        `  sent exactly once:          ${report.sent}`,
        `  unknown (Telegram, <=1):    ${report.unknown} (of which arrived: ${report.unknownArrived})`,
        `  held behind an unknown:     ${report.heldBehindUnknown} (Telegram thread parts)`,
        `  X reconciled on restart:    ${reconciled} found on the timeline, ${requeued} requeued`,
        `  duplicates:                 ${report.duplicates}`,
        `  time:                       ${seconds.toFixed(1)} s`,
      ].join('\n'),
    );

    expect(kills).toBeGreaterThanOrEqual(20);
    expect(report.duplicates).toBe(0);
    expect(report.problems).toEqual([]);
    expect(report.sent + report.unknown + report.heldBehindUnknown).toBe(report.total);
    expect(report.unknownOnX).toBe(0);
  });
});

describe('a store that fails right after a send', () => {
  it('leaves the published post for reconciliation: never failed, never sent twice', async () => {
    const w = await createWorld({
      start: '2026-03-10T12:00:00Z',
      channels: [{ id: 'x-quotes', platform: 'twitter', mode: 'quotes', schedule: '0 * * * *' }],
      xLatencyMs: 300,
    });
    const locker = spawn(
      process.execPath,
      [
        '-e',
        `const db = new (require('better-sqlite3'))(process.argv[1]);
         process.stdin.once('data', () => {
           db.exec('BEGIN IMMEDIATE');
           process.stdout.write('locked\\n');
           setTimeout(() => { db.exec('COMMIT'); db.close(); process.exit(0); }, 3000);
         });
         process.stdout.write('ready\\n');`,
        w.config.settings.store.path,
      ],
      { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
    );
    try {
      let said = '';
      locker.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        said += chunk;
      });
      const gone = new Promise((resolve) => locker.on('exit', resolve));
      await waitUntil(() => said.includes('ready'), 'the locker to start');
      const { articleId } = queued(w.enqueue(makeArticle(1)));
      const post = w.posts(articleId, 'x-quotes')[0]!;

      // Another process takes the write lock while the tweet is on its way, and keeps it past the
      // store's busy timeout: recording the receipt fails.
      const slot = runChannelSlot(w.runtime.deps, 'x-quotes');
      const settledSlot = slot.then(
        (result) => ({ ok: true as const, result }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      await waitUntil(() => w.x.requests.some((r) => r.path === '/2/tweets'), 'the tweet to reach X');
      locker.stdin.write('lock\n');
      await waitUntil(() => said.includes('locked'), 'the lock');
      const outcome = await settledSlot;
      await gone;

      expect(outcome.ok).toBe(false);
      expect(w.x.tweets).toHaveLength(1);
      expect(w.runtime.store.getPost(post.id)!.state).toBe('sending');
      expect(w.alerts).toEqual([]);

      // The next start finds it on the timeline.
      w.restart();
      const report = await recoverInterrupted(w.runtime.deps);
      expect(report.reconciled.map((p) => p.id)).toEqual([post.id]);
      expect(w.runtime.store.getPost(post.id)).toMatchObject({ state: 'sent', remoteId: w.x.tweets[0]!.id });
      expect(w.x.tweets).toHaveLength(1);
      expect(w.alerts).toEqual([]);
    } finally {
      locker.kill('SIGKILL');
      await w.close();
    }
  });
});

/** Queues articles with the real use case on the daemon's own store, before the first start. */
function queueArticles(env: Record<string, string>, cwd: string, count: number): number {
  const outcome = loadConfig({ env, cwd });
  if (!outcome.ok) throw new Error(outcome.problems.join('\n'));
  const runtime = buildRuntime(outcome.config, { exclusive: false, logger: createSilentLogger() });
  try {
    for (let n = 1; n <= count; n++) {
      const { result } = enqueueArticle(runtime.store, {
        article: makeArticle(100 + n, { paragraphs: 4 }),
        channels: outcome.config.channels,
        approved: true,
        now: new Date(),
      });
      if (result.kind !== 'queued') throw new Error(`article ${n} not queued`);
    }
    const counts = runtime.store.countsByState();
    return counts.queued;
  } finally {
    runtime.close();
  }
}

/** Waits for `condition` while the daemon runs; false when it does not hold within `ms`. */
async function waitFor(condition: () => boolean, daemon: QuotecastProcess, ms: number): Promise<boolean> {
  let exited = false;
  void daemon.exited.then(() => {
    exited = true;
  });
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (exited) throw new Error(`the daemon exited on its own:\n${daemon.stderr().slice(-3000)}`);
    if (Date.now() > deadline) return false;
    await delay(2);
  }
  return true;
}

async function stop(daemon: QuotecastProcess, logs: string[]): Promise<void> {
  daemon.kill('SIGTERM');
  const timer = setTimeout(() => daemon.kill('SIGKILL'), 10_000);
  const result = await daemon.exited;
  clearTimeout(timer);
  logs.push(result.stderr);
  expect(result.code, result.stderr.slice(-3000)).toBe(0);
}

/** Whether a send request reached a fake within one latency before `at` (its answer still pending). */
function requestsAround(at: number): boolean {
  const xHit = x.requests.some(
    (r) => r.path === '/2/tweets' && r.at.getTime() <= at && r.at.getTime() > at - X_LATENCY_MS,
  );
  const tgHit = telegram.calls.some(
    (c) => c.method === 'sendMessage' && c.at.getTime() <= at && c.at.getTime() > at - TELEGRAM_LATENCY_MS,
  );
  return xHit || tgHit;
}

function withStore<T>(path: string, work: (store: PostStore) => T): T {
  const store = createSqliteStore({ path });
  try {
    return work(store);
  } finally {
    store.close();
  }
}

function allPosts(store: PostStore): StoredPost[] {
  return CHANNELS.flatMap((c) =>
    (['queued', 'sending', 'sent', 'failed', 'unknown', 'skipped'] as const).flatMap((state) =>
      store.postsInState(state, 10_000, c.id),
    ),
  ).sort((a, b) => a.id - b.id);
}

/** Queued posts that can never go out without an admin: Telegram thread parts behind an unknown part. */
function heldBehindUnknown(store: PostStore, post: StoredPost): boolean {
  if (post.state !== 'queued' || post.mode !== 'thread') return false;
  return store
    .postsOfArticle(post.articleId, post.channelId)
    .some((p) => p.seq < post.seq && p.state === 'unknown');
}

/**
 * Polled while the daemon runs, so read-only and without the store's close-time checkpoint: no post
 * left that could still go out (a Telegram thread part behind an unknown part cannot).
 */
function settled(path: string): boolean {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare(
        `SELECT COUNT(*) AS n FROM posts p WHERE p.state NOT IN ('sent', 'unknown')
         AND NOT (p.state = 'queued' AND p.mode = 'thread' AND EXISTS (
           SELECT 1 FROM posts q WHERE q.article_id = p.article_id AND q.channel_id = p.channel_id
           AND q.seq < p.seq AND q.state = 'unknown'))`,
      )
      .get() as { n: number };
    return row.n === 0;
  } finally {
    db.close();
  }
}

function sumLogged(logs: readonly string[], pattern: RegExp): number {
  const global = new RegExp(pattern.source, 'g');
  return logs.reduce((sum, log) => sum + [...log.matchAll(global)].reduce((s, m) => s + Number(m[1]), 0), 0);
}

interface Arrival {
  readonly id: string;
  readonly replyTo: string | undefined;
}

/** What each channel's destination received, by text. */
function arrivals(channel: ChannelUnderTest): Map<string, Arrival[]> {
  const byText = new Map<string, Arrival[]>();
  const add = (text: string, arrival: Arrival) => byText.set(text, [...(byText.get(text) ?? []), arrival]);
  if (channel.platform === 'twitter') {
    for (const t of x.tweets.filter((t) => t.token === channel.where))
      add(t.text, { id: t.id, replyTo: t.replyTo });
  } else {
    for (const m of telegram.sentMessages.filter((m) => m.chatId === channel.where))
      add(m.shownText, {
        id: String(m.messageId),
        replyTo: m.replyTo === undefined ? undefined : String(m.replyTo),
      });
  }
  return byText;
}

function check(path: string) {
  return withStore(path, (store) => {
    const problems: string[] = [];
    let sent = 0;
    let unknown = 0;
    let unknownArrived = 0;
    let unknownOnX = 0;
    let held = 0;
    let duplicates = 0;
    let total = 0;
    for (const channel of CHANNELS) {
      const received = arrivals(channel);
      const posts = allPosts(store).filter((p) => p.channelId === channel.id);
      total += posts.length;
      const texts = new Set(posts.map((p) => p.text));
      for (const [text, copies] of received) {
        if (copies.length > 1) duplicates += copies.length - 1;
        if (!texts.has(text))
          problems.push(`${channel.id}: received a text that is no post: ${text.slice(0, 60)}`);
      }
      for (const post of posts) {
        const copies = received.get(post.text) ?? [];
        const where = `${channel.id} post ${post.id} (${post.seq}/${post.total}, ${post.state})`;
        if (post.state === 'sent') {
          sent++;
          if (copies.length !== 1) problems.push(`${where}: arrived ${copies.length} times`);
          else if (copies[0]!.id !== post.remoteId)
            problems.push(`${where}: stored remote id ${post.remoteId}, arrived as ${copies[0]!.id}`);
          if (post.mode === 'thread' && post.seq > 1 && copies[0]) {
            const previous = store
              .postsOfArticle(post.articleId, post.channelId)
              .find((p) => p.seq === post.seq - 1);
            if (copies[0].replyTo !== previous?.remoteId)
              problems.push(
                `${where}: replies to ${copies[0].replyTo}, previous part is ${previous?.remoteId}`,
              );
          }
        } else if (post.state === 'unknown') {
          unknown++;
          if (channel.platform === 'twitter') unknownOnX++;
          if (copies.length > 1) problems.push(`${where}: arrived ${copies.length} times`);
          unknownArrived += copies.length;
        } else if (heldBehindUnknown(store, post)) {
          held++;
          if (copies.length > 0) problems.push(`${where}: held back, yet arrived`);
        } else {
          problems.push(`${where}: not settled`);
        }
      }
    }
    return {
      total,
      sent,
      unknown,
      unknownArrived,
      unknownOnX,
      heldBehindUnknown: held,
      duplicates,
      problems,
    };
  });
}
