import Database from 'better-sqlite3';
import { createSqliteStore } from '../../src/adapters/sqlite/create-sqlite-store.js';
import { buildRuntime } from '../../src/apps/runtime/build-runtime.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createSilentLogger } from '../../src/ports/logger.js';
import type { PostStore, StoredPost } from '../../src/ports/post-store.js';
import { resolveUnknown } from '../../src/use-cases/admin-actions.js';
import { enqueueArticle } from '../../src/use-cases/enqueue-article.js';
import {
  createFakeTelegramApi,
  DEFAULT_FAKE_TELEGRAM_TOKEN,
  type FakeTelegramApi,
  type FakeTelegramFault,
} from '../fakes/fake-telegram-api.js';
import { createFakeXApi, type FakeXApi, type FakeXFault } from '../fakes/fake-x-api.js';
import { makeArticle } from './articles.js';
import {
  childEnv,
  delay,
  type QuotecastProcess,
  spawnQuotecast,
  waitUntil,
  writeSettings,
} from './quotecast-process.js';
import { createSeededRandom, randomInt } from './seeded-random.js';
import { createTempDir, type TempDir } from './temp-dir.js';
import { fakeCredentials } from './world.js';

/**
 * CRASH TEST: the promise users care about most. The real daemon (`quotecast start`, a child process)
 * publishes to both fakes on four channels (X and Telegram, quotes and thread mode, a slot every
 * second) and is killed with SIGKILL at seeded random moments, many of them while a request is in
 * flight, then restarted, until everything is sent or settled. Then what the fakes received must be:
 * every post exactly once, except posts the store calls `unknown` (Telegram only: X ones are
 * reconciled from the timeline), which arrived at most once.
 *
 * With `faults`, before each start the fakes are told to misbehave on a few sends: runs of 5xx,
 * connections dropped after the post was made, answers that never come (a timeout after the post
 * was made). With `resolveUnknowns`, the admins then decide every post of unknown outcome as a
 * person would (look in the channel: arrived → "sent" with its message id; not there → "send
 * again"), the daemon finishes the threads they held, and every post must have arrived exactly
 * once with every thread's reply chain intact.
 */
export interface CrashScenario {
  readonly seed: number;
  readonly kills: number;
  /** Articles queued on every channel (7 give about 110 posts, 14 about 220). */
  readonly articles: number;
  readonly budgetMs: number;
  readonly faults?: boolean;
  readonly resolveUnknowns?: boolean;
}

export interface CrashResult {
  readonly kills: number;
  readonly inFlightKills: number;
  readonly faults: number;
  readonly resolvedSent: number;
  readonly resolvedResent: number;
  readonly report: CrashReport;
  /** The figures as printed. */
  readonly figures: string;
}

export const X_LATENCY_MS = 40;
export const TELEGRAM_LATENCY_MS = 70;

export interface ChannelUnderTest {
  readonly id: string;
  readonly platform: 'twitter' | 'telegram';
  readonly mode: 'quotes' | 'thread';
  /** X: the access token its credentials carry; Telegram: the chat. */
  readonly where: string;
  readonly settings: Record<string, unknown>;
}

const every = { schedule: '* * * * * *', dailyCap: 1000 };
export const CRASH_CHANNELS: readonly ChannelUnderTest[] = [
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
const CHANNELS = CRASH_CHANNELS;

export interface Fakes {
  readonly x: FakeXApi;
  readonly telegram: FakeTelegramApi;
}

export async function runCrashScenario(scenario: CrashScenario): Promise<CrashResult> {
  // Duplicates are accepted, so a second send of the same post would show up as a second tweet
  // instead of being hidden by X's duplicate refusal.
  const x = createFakeXApi({ latencyMs: X_LATENCY_MS, rejectDuplicates: false });
  const telegram = createFakeTelegramApi({ latencyMs: TELEGRAM_LATENCY_MS });
  await Promise.all([x.start(), telegram.start()]);
  const dir = createTempDir('quotecast-crash-');
  try {
    return await run(scenario, { x, telegram }, dir);
  } finally {
    await Promise.all([x.close(), telegram.close()]);
    dir.remove();
  }
}

async function run(scenario: CrashScenario, fakes: Fakes, dir: TempDir): Promise<CrashResult> {
  const { x, telegram } = fakes;
  const started = Date.now();
  const random = createSeededRandom(scenario.seed);
  const storePath = dir.file('data/queue.db');
  const configPath = writeSettings(dir.path, {
    timezone: 'UTC',
    store: { path: storePath },
    outbox: { path: dir.file('data/outbox.jsonl') },
    // A request that gets no answer counts as unavailable after this long.
    publishTimeoutMs: scenario.faults ? 1500 : 5000,
    // The fake X shows a tweet in the timeline at once, so a second is grace enough.
    retry: { maxAttempts: 8, baseDelaySeconds: 0.2, maxDelaySeconds: 1, settleSeconds: 1 },
    channels: CHANNELS.map((c) => ({ id: c.id, ...c.settings })),
  });
  const env = childEnv({
    ...fakeCredentials(['TWITTER', 'X_THREAD']),
    QUOTECAST_CONFIG: configPath,
    TWITTER_API_ROOT: x.url,
    TELEGRAM_API_ROOT: telegram.url,
    TELEGRAM_BOT_TOKEN: DEFAULT_FAKE_TELEGRAM_TOKEN,
  });
  await queueArticles(env, dir.path, scenario.articles);

  const sends = () =>
    x.requests.filter((r) => r.path === '/2/tweets').length +
    telegram.calls.filter((c) => c.method === 'sendMessage').length;
  const logs: string[] = [];
  let kills = 0;
  let inFlightKills = 0;
  let faults = 0;
  while (kills < scenario.kills && Date.now() - started < scenario.budgetMs) {
    if (scenario.faults) faults += injectFaults(fakes, random);
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
      if (requestsAround(fakes, at)) inFlightKills++;
    }
  }

  // The last start runs until everything is sent or settled, then stops cleanly.
  await finish(env, dir, storePath, logs, started, scenario.budgetMs);
  let resolvedSent = 0;
  let resolvedResent = 0;
  if (scenario.resolveUnknowns) {
    // The admins look in each channel and decide every post of unknown outcome; the daemon then
    // finishes the threads those posts held.
    ({ sent: resolvedSent, resent: resolvedResent } = await resolveAsAdmins(fakes, storePath));
    // Telegram thread parts go out one a second (the chat's pacing): a few minutes for the held ones.
    await finish(env, dir, storePath, logs, Date.now(), 300_000);
  }

  const report = await check(fakes, storePath);
  const seconds = (Date.now() - started) / 1000;
  const reconciled = sumLogged(logs, /reconciled posts interrupted by a crash found=(\d+)/);
  const requeued = sumLogged(logs, /reconciled posts interrupted by a crash found=\d+ requeued=(\d+)/);
  const figures = [
    'CRASH TEST figures',
    `  kills (SIGKILL):            ${kills} (${inFlightKills} with a request in flight)`,
    `  faults injected:            ${faults} (5xx runs, connections dropped or answers lost after the post was made)`,
    `  posts queued:               ${report.total} on ${CHANNELS.length} channels`,
    `  sent exactly once:          ${report.sent}`,
    `  unknown (Telegram, <=1):    ${report.unknown} (of which arrived: ${report.unknownArrived})`,
    `  held behind an unknown:     ${report.heldBehindUnknown} (Telegram thread parts)`,
    `  decided by admins:          ${resolvedSent} arrived (marked sent with their id), ${resolvedResent} sent again`,
    `  X reconciled on restart:    ${reconciled} found on the timeline, ${requeued} requeued`,
    `  duplicates:                 ${report.duplicates}`,
    `  reply chains broken:        ${report.brokenChains}`,
    `  time:                       ${seconds.toFixed(1)} s`,
  ].join('\n');
  return { kills, inFlightKills, faults, resolvedSent, resolvedResent, report, figures };
}

/** Starts the daemon and lets it run until every post is sent or settled, then stops it cleanly. */
async function finish(
  env: Record<string, string>,
  dir: TempDir,
  storePath: string,
  logs: string[],
  started: number,
  budgetMs: number,
): Promise<void> {
  const last = spawnQuotecast(['start', '--no-example'], { env, cwd: dir.path });
  await last.waitForOutput(/quotecast is running/, { timeoutMs: 20_000 });
  try {
    await waitUntil(() => settled(storePath), 'every post to be sent or settled', {
      timeoutMs: Math.max(20_000, budgetMs - (Date.now() - started)),
      intervalMs: 250,
    });
  } catch (error) {
    last.kill('SIGKILL');
    await last.exited;
    const left = await withStore(storePath, (store) => describeUnsettled(store, CHANNELS));
    throw new Error(`${(error as Error).message}:\n${left.join('\n')}\n${last.stderr().slice(-4000)}`);
  }
  await delay(300);
  await stop(last, logs);
}

/** A few seeded faults on the sends of the next start; returns how many. */
function injectFaults(fakes: Fakes, random: () => number): number {
  const pick = <T>(items: readonly T[]): T => items[randomInt(random, 0, items.length - 1)]!;
  const xFaults: FakeXFault[] = [
    { kind: 'server-error', status: 503 },
    { kind: 'commit-then-drop' },
    { kind: 'commit-then-hang' },
  ];
  const telegramFaults: FakeTelegramFault[] = [
    { kind: 'server-error', status: 502 },
    { kind: 'commit-then-drop' },
    { kind: 'commit-then-hang' },
  ];
  let count = 0;
  if (random() < 0.5) {
    const fault = pick(xFaults);
    // A run of 5xx shorter than retry.maxAttempts: the post goes out in the end.
    const times = fault.kind === 'server-error' ? randomInt(random, 1, 3) : 1;
    fakes.x.failNext({ match: (r) => r.path === '/2/tweets', times, fault });
    count += times;
  }
  if (random() < 0.5) {
    const fault = pick(telegramFaults);
    const times = fault.kind === 'server-error' ? randomInt(random, 1, 3) : 1;
    fakes.telegram.failNext({ match: (c) => c.method === 'sendMessage', times, fault });
    count += times;
  }
  return count;
}

/**
 * What an admin does with each post of unknown outcome: look for its text in the channel; there →
 * "sent" with that message's id (so a thread goes on replying to it), not there → "send again".
 */
async function resolveAsAdmins(fakes: Fakes, storePath: string): Promise<{ sent: number; resent: number }> {
  return await withStore(storePath, (store) => decideUnknownsAsAdmins(fakes, store, CHANNELS));
}

/** `resolveAsAdmins` on an open store, for these channels (the failover scenario's too). */
export async function decideUnknownsAsAdmins(
  fakes: Fakes,
  store: PostStore,
  channels: readonly ChannelUnderTest[],
): Promise<{ sent: number; resent: number }> {
  let sent = 0;
  let resent = 0;
  for (const post of await store.postsInState('unknown', 10_000)) {
    const channel = channels.find((c) => c.id === post.channelId)!;
    const remoteId = (arrivals(fakes, channel).get(post.text) ?? [])[0]?.id;
    const result =
      remoteId !== undefined
        ? await resolveUnknown(store, post.id, 'sent', new Date(), {
            remoteId,
            channel: {
              platform: channel.platform,
              ...(channel.platform === 'telegram' ? { chat: channel.where } : {}),
            },
          })
        : await resolveUnknown(store, post.id, 'resend', new Date());
    if (!result.ok) throw new Error(`admin could not resolve post ${post.id}: ${result.message}`);
    if (remoteId !== undefined) sent++;
    else resent++;
  }
  return { sent, resent };
}

/** Queues articles with the real use case on the daemon's own store, before the first start. */
export async function queueArticles(
  env: Record<string, string>,
  cwd: string,
  count: number,
): Promise<number> {
  const outcome = loadConfig({ env, cwd });
  if (!outcome.ok) throw new Error(outcome.problems.join('\n'));
  const runtime = buildRuntime(outcome.config, { exclusive: false, logger: createSilentLogger() });
  try {
    for (let n = 1; n <= count; n++) {
      const { result } = await enqueueArticle(runtime.store, {
        article: makeArticle(100 + n, { paragraphs: 4 }),
        channels: outcome.config.channels,
        approved: true,
        now: new Date(),
      });
      if (result.kind !== 'queued') throw new Error(`article ${n} not queued`);
    }
    const counts = await runtime.store.countsByState();
    return counts.queued;
  } finally {
    await runtime.close();
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

export async function stop(daemon: QuotecastProcess, logs: string[]): Promise<void> {
  daemon.kill('SIGTERM');
  const timer = setTimeout(() => daemon.kill('SIGKILL'), 10_000);
  const result = await daemon.exited;
  clearTimeout(timer);
  logs.push(result.stderr);
  if (result.code !== 0) throw new Error(`the daemon did not stop cleanly:\n${result.stderr.slice(-3000)}`);
}

/** Whether a send request reached a fake within one latency before `at` (its answer still pending). */
function requestsAround({ x, telegram }: Fakes, at: number): boolean {
  const xHit = x.requests.some(
    (r) => r.path === '/2/tweets' && r.at.getTime() <= at && r.at.getTime() > at - X_LATENCY_MS,
  );
  const tgHit = telegram.calls.some(
    (c) => c.method === 'sendMessage' && c.at.getTime() <= at && c.at.getTime() > at - TELEGRAM_LATENCY_MS,
  );
  return xHit || tgHit;
}

async function withStore<T>(path: string, work: (store: PostStore) => Promise<T>): Promise<T> {
  const store = createSqliteStore({ path });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** Every post of these channels, in id order. */
export async function allPosts(
  store: PostStore,
  channels: readonly ChannelUnderTest[] = CHANNELS,
): Promise<StoredPost[]> {
  const posts: StoredPost[] = [];
  for (const c of channels)
    for (const state of ['queued', 'sending', 'sent', 'failed', 'unknown', 'skipped'] as const)
      posts.push(...(await store.postsInState(state, 10_000, c.id)));
  return posts.sort((a, b) => a.id - b.id);
}

/** One line per post that could still go out (not sent, not unknown, not held behind an unknown part). */
export async function describeUnsettled(
  store: PostStore,
  channels: readonly ChannelUnderTest[],
): Promise<string[]> {
  const lines: string[] = [];
  for (const p of await allPosts(store, channels)) {
    if (p.state === 'sent' || p.state === 'unknown' || (await heldBehindUnknown(store, p))) continue;
    lines.push(
      `${p.channelId} #${p.id} ${p.seq}/${p.total} ${p.state} ${p.nextAttemptAt?.toISOString() ?? ''} ${p.lastError ?? ''}`,
    );
  }
  return lines;
}

/** Queued posts that can never go out without an admin: Telegram thread parts behind an unknown part. */
export async function heldBehindUnknown(store: PostStore, post: StoredPost): Promise<boolean> {
  if (post.state !== 'queued' || post.mode !== 'thread') return false;
  return (await store.postsOfArticle(post.articleId, post.channelId)).some(
    (p) => p.seq < post.seq && p.state === 'unknown',
  );
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
export function arrivals({ x, telegram }: Fakes, channel: ChannelUnderTest): Map<string, Arrival[]> {
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

export type CrashReport = Awaited<ReturnType<typeof check>>;

async function check(fakes: Fakes, path: string) {
  return await withStore(path, async (store) => {
    const problems: string[] = [];
    let sent = 0;
    let unknown = 0;
    let unknownArrived = 0;
    let unknownOnX = 0;
    let held = 0;
    let duplicates = 0;
    let brokenChains = 0;
    let total = 0;
    for (const channel of CHANNELS) {
      const received = arrivals(fakes, channel);
      const posts = (await allPosts(store)).filter((p) => p.channelId === channel.id);
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
            const previous = (await store.postsOfArticle(post.articleId, post.channelId)).find(
              (p) => p.seq === post.seq - 1,
            );
            if (copies[0].replyTo !== previous?.remoteId) brokenChains++;
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
        } else if (await heldBehindUnknown(store, post)) {
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
      brokenChains,
      problems,
    };
  });
}
