import { mkdirSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { createPostgresStore } from '../../src/adapters/postgres/create-postgres-store.js';
import type { PostStore, StoredPost } from '../../src/ports/post-store.js';
import {
  createFakeTelegramApi,
  DEFAULT_FAKE_TELEGRAM_TOKEN,
  type FakeTelegramApi,
  render,
} from '../fakes/fake-telegram-api.js';
import { createFakeXApi } from '../fakes/fake-x-api.js';
import {
  allPosts,
  arrivals,
  type ChannelUnderTest,
  decideUnknownsAsAdmins,
  describeUnsettled,
  type Fakes,
  queueArticles,
  stop,
  TELEGRAM_LATENCY_MS,
  X_LATENCY_MS,
} from './crash-scenario.js';
import { type PostgresServer, startPostgres } from './postgres-server.js';
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
 * FAILOVER TEST (issue 14): several real daemons (`quotecast start`, child processes) share one
 * PostgreSQL queue and publish to both loopback fakes (with latency; the Telegram fake enforces
 * Telegram's per-chat and overall limits and answers 429 past them) on eight channels, X and
 * Telegram, quotes and threads, a slot every second. Every 2–5 s (seeded) one running daemon is
 * SIGKILLed (only while another one runs: failover, not a full outage), half the time just after a
 * request it sent reached a fake, and restarted after a short pause; the survivors take over what it
 * left `sending` once its lease (store.leaseSeconds: 3) has run out.
 * When the kills are spent the survivors finish; the admins decide every Telegram post of unknown
 * outcome as a person would (look in the channel: arrived → "sent" with its message id, not there →
 * "send again"), the daemons finish the threads those posts held, and all stop with SIGTERM.
 *
 * Then: every post `sent`, each arrived exactly once with the stored id, every thread's reply chain
 * intact on both fakes, no (channel, slot) claimed twice across all daemons' logs (each logs
 * `slot claimed` at debug level), no 429 from the Telegram fake (the pacing is shared through
 * PostgreSQL) and no chat given more than Telegram's 20 messages a minute (the fake enforces only the
 * one-second limits, so that one is counted here from what it received).
 */
export interface FailoverScenario {
  readonly seed: number;
  readonly daemons: number;
  readonly kills: number;
  /** Articles queued on every channel (14 give 465 posts on the eight channels). */
  readonly articles: number;
  /** For the kills and the survivors' finishing, before the admins' decisions. */
  readonly budgetMs: number;
}

export interface FailoverResult {
  readonly kills: number;
  /** Kills while a send request of the killed daemon had reached a fake and was not answered yet. */
  readonly inFlightKills: number;
  /** Kills of a daemon that held a post in `sending` (about to send, or sending). */
  readonly midSendKills: number;
  /** "taking over posts a stopped daemon left sending" lines, and the posts they named. */
  readonly takeovers: number;
  readonly postsTakenOver: number;
  readonly resolvedSent: number;
  readonly resolvedResent: number;
  readonly slotsClaimed: number;
  /** `channel slot` pairs claimed more than once, across all daemons. */
  readonly slotsClaimedTwice: readonly string[];
  /** 429 answers the Telegram fake gave. */
  readonly telegramRateLimited: number;
  /** The most messages any one Telegram chat received within a minute (Telegram allows 20). */
  readonly maxPerChatPerMinute: number;
  /** The same without the sends killed daemons left unfinished in the shared pacing. */
  readonly maxPerChatPerMinuteRemembered: number;
  /** Telegram sends killed daemons had reserved in the shared pacing and not marked finished. */
  readonly unfinishedSends: number;
  /** Minutes in which a Telegram chat received more than 20 messages, message by message. */
  readonly perMinuteOverruns: readonly string[];
  /** Warnings of the test's own store connection (lost connections), with when. */
  readonly storeWarnings: readonly string[];
  /** Daemon processes that exited without being told to (each with the end of its log). */
  readonly unexpectedExits: readonly string[];
  readonly report: FailoverReport;
  readonly seconds: number;
  readonly figures: string;
}

const LEASE_SECONDS = 3;
const TELEGRAM_PER_MINUTE = 20;
const every = { schedule: '* * * * * *', dailyCap: 1000 };
/** Thread templates that mark every part, so this channel's parts never read like the other X thread's. */
const MARKED_THREAD = {
  first: '[{title}\n\n]{text}\n\n({n}/{total})',
  middle: '{text}\n\n({n}/{total})',
  last: '{text}\n\n({n}/{total})[\n{url}][\n{hashtags}]',
  only: '[{title}\n\n]{text}[\n\n{url}][\n{hashtags}]',
};

/**
 * Four X channels (each its own account; the fake has one timeline for all tokens, and a post is
 * reconciled by its text, so no two of them may post the same text: the second quotes channel ends
 * its quotes with a hashtag, the second thread channel numbers its parts differently) and four
 * Telegram channels.
 */
export const FAILOVER_CHANNELS: readonly ChannelUnderTest[] = [
  {
    id: 'x-quotes',
    platform: 'twitter',
    mode: 'quotes',
    where: 'twitter-access-token',
    settings: { ...every, platform: 'twitter', mode: 'quotes', quotesPerArticle: 4 },
  },
  {
    id: 'x-quotes-b',
    platform: 'twitter',
    mode: 'quotes',
    where: 'x_quotes_b-access-token',
    settings: {
      ...every,
      platform: 'twitter',
      mode: 'quotes',
      credentials: 'X_QUOTES_B',
      quotesPerArticle: 5,
      // A quote that holds quotation marks goes without the template's own: the hashtag tells them apart.
      hashtags: ['#quotesb'],
      templates: { quote: '«{text}»[ — {speaker}][ {url}] {hashtags}' },
    },
  },
  {
    id: 'x-thread',
    platform: 'twitter',
    mode: 'thread',
    where: 'x_thread-access-token',
    settings: {
      ...every,
      platform: 'twitter',
      mode: 'thread',
      credentials: 'X_THREAD',
      hashtags: ['#thread'],
    },
  },
  {
    id: 'x-thread-b',
    platform: 'twitter',
    mode: 'thread',
    where: 'x_thread_b-access-token',
    settings: {
      ...every,
      platform: 'twitter',
      mode: 'thread',
      credentials: 'X_THREAD_B',
      hashtags: ['#threadb'],
      targetLength: 220,
      templates: { thread: MARKED_THREAD },
    },
  },
  {
    id: 'tg-quotes',
    platform: 'telegram',
    mode: 'quotes',
    where: '@failover_quotes',
    settings: {
      ...every,
      platform: 'telegram',
      mode: 'quotes',
      chat: '@failover_quotes',
      quotesPerArticle: 4,
    },
  },
  {
    id: 'tg-quotes-b',
    platform: 'telegram',
    mode: 'quotes',
    where: '@failover_quotes_b',
    settings: {
      ...every,
      platform: 'telegram',
      mode: 'quotes',
      chat: '@failover_quotes_b',
      quotesPerArticle: 3,
    },
  },
  {
    id: 'tg-thread',
    platform: 'telegram',
    mode: 'thread',
    where: '@failover_thread',
    settings: { ...every, platform: 'telegram', mode: 'thread', chat: '@failover_thread', targetLength: 300 },
  },
  {
    id: 'tg-thread-b',
    platform: 'telegram',
    mode: 'thread',
    where: '@failover_thread_b',
    settings: {
      ...every,
      platform: 'telegram',
      mode: 'thread',
      chat: '@failover_thread_b',
      targetLength: 600,
    },
  },
];
const CHANNELS = FAILOVER_CHANNELS;
const X_PREFIXES = ['TWITTER', 'X_QUOTES_B', 'X_THREAD', 'X_THREAD_B'];

export async function runFailoverScenario(scenario: FailoverScenario): Promise<FailoverResult> {
  // Duplicates are accepted, so a second send of the same post shows up as a second tweet.
  const x = createFakeXApi({ latencyMs: X_LATENCY_MS, rejectDuplicates: false });
  // Telegram's limits, enforced: a message to a chat within a second of the last one, or the 31st
  // in a second overall, is answered 429.
  const telegram = createFakeTelegramApi({
    latencyMs: TELEGRAM_LATENCY_MS,
    rateLimit: { perChatPerSecond: 1, overallPerSecond: 30 },
  });
  await Promise.all([x.start(), telegram.start()]);
  const dir = createTempDir('quotecast-failover-');
  let server: PostgresServer | undefined;
  try {
    server = await startPostgres();
    const url = await server.createDatabase('failover');
    return await run(scenario, { x, telegram }, dir, url);
  } finally {
    await server?.stop();
    await Promise.all([x.close(), telegram.close()]);
    dir.remove();
  }
}

/** One of the daemons: its working directory and its current process (none while it is down). */
interface Node {
  readonly name: string;
  readonly cwd: string;
  process: QuotecastProcess | undefined;
  /** Started and said it is running: a candidate for the next kill. */
  up: boolean;
}

interface Kill {
  readonly at: number;
  readonly node: string;
  readonly aimed: boolean;
  /** The posts the killed daemon held in `sending` just before the kill. */
  readonly sending: readonly { readonly id: number; readonly channelId: string; readonly text: string }[];
  /** Telegram sends the killed daemon had reserved in the shared pacing and not finished (filled in once it is gone). */
  unfinished: readonly { readonly chat: string; readonly startedAt: number }[];
}

async function run(
  scenario: FailoverScenario,
  fakes: Fakes,
  dir: TempDir,
  url: string,
): Promise<FailoverResult> {
  const { x, telegram } = fakes;
  const started = Date.now();
  const random = createSeededRandom(scenario.seed);
  const configPath = writeSettings(dir.path, {
    timezone: 'UTC',
    store: { leaseSeconds: LEASE_SECONDS },
    publishTimeoutMs: 5000,
    // The fake X shows a tweet in the timeline at once, so a second is grace enough.
    retry: { maxAttempts: 8, baseDelaySeconds: 0.2, maxDelaySeconds: 1, settleSeconds: 1 },
    channels: CHANNELS.map((c) => ({ id: c.id, ...c.settings })),
  });
  const env = childEnv({
    ...fakeCredentials(X_PREFIXES),
    QUOTECAST_CONFIG: configPath,
    DATABASE_URL: url,
    TWITTER_API_ROOT: x.url,
    TELEGRAM_API_ROOT: telegram.url,
    TELEGRAM_BOT_TOKEN: DEFAULT_FAKE_TELEGRAM_TOKEN,
    LOG_LEVEL: 'debug',
    LOG_FORMAT: 'json',
  });
  await queueArticles(env, dir.path, scenario.articles);

  const db = new pg.Pool({ connectionString: url, max: 2 });
  const storeWarnings: string[] = [];
  // An idle connection the server drops (at its shutdown) is no failure of the daemons.
  db.on('error', (error) =>
    storeWarnings.push(`${((Date.now() - started) / 1000).toFixed(1)} s: ${error.message}`),
  );
  const store = await createPostgresStore({
    url,
    instanceId: 'failover-test-admins',
    warn: (message) => storeWarnings.push(`${((Date.now() - started) / 1000).toFixed(1)} s: ${message}`),
  });
  const logs: string[] = [];
  /** The same lines, each naming its daemon, for FAILOVER_LOGS. */
  const named: string[] = [];
  const unexpectedExits: string[] = [];
  const kills: Kill[] = [];
  let stopping = false;
  // Each daemon as on its own machine: its own working directory, the one settings file.
  const nodes: Node[] = Array.from({ length: scenario.daemons }, (_, n) => {
    const name = String.fromCharCode(97 + n);
    const cwd = dir.file(`daemon-${name}`);
    mkdirSync(cwd);
    return { name, cwd, process: undefined, up: false };
  });
  try {
    const killed = new Set<QuotecastProcess>();
    const launch = async (node: Node): Promise<void> => {
      if (stopping) return; // a restart still pending when the run failed
      const daemon = spawnQuotecast(['start', '--no-example'], { env, cwd: node.cwd });
      node.process = daemon;
      void daemon.exited.then((result) => {
        logs.push(result.stderr);
        named.push(result.stderr.replace(/^\{/gm, `{"daemon":"${node.name}/${daemon.pid}",`));
        if (!killed.has(daemon) && !stopping)
          unexpectedExits.push(
            `daemon ${node.name} (pid ${daemon.pid}) exited on its own (${result.code ?? result.signal}):\n${result.stderr.slice(-3000)}`,
          );
      });
      await daemon.waitForOutput(/quotecast is running/, { timeoutMs: 30_000 });
      node.up = true;
    };
    await Promise.all(nodes.map(launch));

    const sends = () =>
      x.requests.filter((r) => r.path === '/2/tweets').length +
      telegram.calls.filter((c) => c.method === 'sendMessage').length;
    const healthy = () => {
      if (unexpectedExits.length > 0) throw new Error(unexpectedExits.join('\n\n'));
    };
    const restarts = new Set<Promise<void>>();
    let nextKillAt = Date.now() + randomInt(random, 2000, 5000);
    while (kills.length < scenario.kills && Date.now() - started < scenario.budgetMs) {
      await delay(Math.max(0, nextKillAt - Date.now()));
      healthy();
      if ((await remaining(db)) === 0) break; // the work finished before the kills were spent
      // Failover, not a full outage: a daemon is killed only while another one runs.
      if (nodes.filter((n) => n.up).length < 2) {
        await Promise.race(restarts);
        continue;
      }
      const aimed = random() < 0.5;
      if (aimed) {
        // Aim inside a request: just after the next one reaches a fake, before it is answered, at
        // the daemon that sent it.
        const seen = sends();
        const deadline = Date.now() + 3000;
        while (sends() === seen && Date.now() < deadline) await delay(2);
      }
      const holders = await sendingPosts(db);
      const running = nodes.filter((n) => n.up);
      let victim = running[randomInt(random, 0, running.length - 1)]!;
      if (aimed) {
        const text = lastSentText(fakes);
        const sender =
          holders.find((p) => p.text === text && running.some((n) => n.process?.pid === p.pid)) ??
          holders.find((p) => running.some((n) => n.process?.pid === p.pid));
        victim = running.find((n) => n.process?.pid === sender?.pid) ?? victim;
      }
      const daemon = victim.process!;
      killed.add(daemon);
      victim.up = false;
      daemon.kill('SIGKILL');
      const at = Date.now();
      const held = holders.filter((p) => p.pid === daemon.pid);
      const kill: Kill = { at, node: victim.name, aimed, sending: held, unfinished: [] };
      kills.push(kill);
      nextKillAt = at + randomInt(random, 2000, 5000);
      if (process.env['CRASH_DEBUG'])
        process.stderr.write(
          `kill ${kills.length} of ${victim.name} at ${((at - started) / 1000).toFixed(1)} s, ${held.length} sending, ${sends()} sends\n`,
        );
      const pause = randomInt(random, 300, 3500);
      const node = victim;
      const restart = (async () => {
        await daemon.exited;
        const gone = Date.now();
        kill.unfinished = await unfinishedSends(db, daemon.pid);
        await delay(pause);
        const spawned = Date.now();
        await launch(node);
        if (process.env['CRASH_DEBUG'])
          process.stderr.write(
            `restart of ${node.name}: gone after ${gone - at} ms, looked ${spawned - gone - pause} ms, paused ${pause} ms, running after ${Date.now() - spawned} ms\n`,
          );
      })();
      restarts.add(restart);
      void restart.then(
        () => restarts.delete(restart),
        () => undefined,
      );
    }
    await Promise.all([...restarts]);
    healthy();

    /** Until nothing is left that can go out without an admin, while every daemon stays up. */
    const settle = async (what: string, timeoutMs: number) => {
      const settled = async () => {
        healthy();
        return (await remaining(db)) === 0;
      };
      await waitUntil(settled, what, { timeoutMs, intervalMs: 250 }).catch(async (error: Error) => {
        throw new Error(`${error.message}:\n${(await describeUnsettled(store, CHANNELS)).join('\n')}`);
      });
    };
    // The survivors finish: everything sent, or (Telegram) unknown, or held behind an unknown part.
    await settle(
      'every post to be sent or settled',
      Math.max(30_000, scenario.budgetMs - (Date.now() - started)),
    );

    // The admins decide every post of unknown outcome; the daemons finish the threads they held.
    let resolvedSent = 0;
    let resolvedResent = 0;
    for (let round = 0; (await unsent(db)) > 0; round++) {
      if (round >= 5) throw new Error(`posts still not sent after ${round} rounds of admin decisions`);
      const decided = await decideUnknownsAsAdmins(fakes, store, CHANNELS);
      resolvedSent += decided.sent;
      resolvedResent += decided.resent;
      // Telegram thread parts go out at most 20 a minute per chat: a few minutes for the held ones.
      await settle('the decided posts to go out', 300_000);
    }
    healthy();

    stopping = true;
    await Promise.all(nodes.map((n) => (n.process ? stop(n.process, []) : Promise.resolve())));
    // Each exited process pushed its log (above) as it closed.

    const report = await check(fakes, store);
    const claims = slotClaims(logs);
    const takeoverLines = logLines(logs, 'taking over posts a stopped daemon left sending');
    const reconciled = logLines(logs, 'reconciled posts interrupted by a crash');
    const inFlightKills = kills.filter((k) => inFlight(fakes, k)).length;
    const midSendKills = kills.filter((k) => k.sending.length > 0).length;
    const minute = busiestMinute(telegram, kills, started);
    const maxPerChatPerMinute = minute.most;
    const unfinished = kills.reduce((n, k) => n + k.unfinished.length, 0);
    const seconds = (Date.now() - started) / 1000;
    const result = {
      kills: kills.length,
      inFlightKills,
      midSendKills,
      takeovers: takeoverLines.length,
      postsTakenOver: takeoverLines.reduce(
        (n, l) => n + (Array.isArray(l['posts']) ? l['posts'].length : 0),
        0,
      ),
      resolvedSent,
      resolvedResent,
      slotsClaimed: claims.total,
      slotsClaimedTwice: claims.twice,
      telegramRateLimited: telegram.rateLimitedCount,
      maxPerChatPerMinute,
      maxPerChatPerMinuteRemembered: minute.mostRemembered,
      unfinishedSends: unfinished,
      perMinuteOverruns: minute.overruns,
      storeWarnings,
      unexpectedExits,
      report,
      seconds,
    };
    const figures = [
      'FAILOVER TEST figures',
      `  daemons:                    ${scenario.daemons} on one PostgreSQL (lease ${LEASE_SECONDS} s), ${CHANNELS.length} channels`,
      `  kills (SIGKILL):            ${result.kills} (${inFlightKills} with a request in flight, ${midSendKills} holding a post in sending)`,
      `  take-overs:                 ${result.takeovers} (${result.postsTakenOver} posts taken over from a dead daemon)`,
      `  X reconciled on take-over:  ${sumField(reconciled, 'found')} found on the timeline, ${sumField(reconciled, 'requeued')} requeued`,
      `  posts queued:               ${report.total}`,
      `  sent exactly once:          ${report.sent}`,
      `  decided by admins:          ${resolvedSent} arrived (marked sent with their id), ${resolvedResent} sent again`,
      `  duplicates:                 ${report.duplicates}`,
      `  reply chains broken:        ${report.brokenChains}`,
      `  slots claimed:              ${claims.total} (claimed twice: ${claims.twice.length})`,
      `  429 from Telegram:          ${telegram.rateLimitedCount}`,
      `  busiest chat-minute:        ${maxPerChatPerMinute} messages (Telegram allows 20; ${minute.mostRemembered} without sends killed daemons left unfinished)`,
      `  unfinished sends of killed daemons: ${unfinished}`,
      `  time:                       ${seconds.toFixed(1)} s`,
      ...minute.overruns.map((o) => `  OVER 20 A MINUTE: ${o}`),
      ...storeWarnings.map((w) => `  test store warning at ${w}`),
    ].join('\n');
    return { ...result, figures };
  } finally {
    stopping = true;
    // After a failure, nothing of the run may outlive it.
    for (const node of nodes) node.process?.kill('SIGKILL');
    await Promise.all(nodes.map((node) => node.process?.exited));
    // For a post-mortem: every daemon's log so far, one JSON line each (FAILOVER_LOGS=<file>).
    const dump = process.env['FAILOVER_LOGS'];
    if (dump) writeFileSync(dump, named.join('\n'));
    await db.end().catch(() => undefined);
    await store.close().catch(() => undefined);
  }
}

/** Posts that can still go out without an admin (a Telegram thread part behind an unknown part cannot). */
async function remaining(db: pg.Pool): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT COUNT(*) AS n FROM posts p WHERE p.state NOT IN ('sent', 'unknown')
     AND NOT (p.state = 'queued' AND p.mode = 'thread' AND EXISTS (
       SELECT 1 FROM posts q WHERE q.article_id = p.article_id AND q.channel_id = p.channel_id
       AND q.seq < p.seq AND q.state = 'unknown'))`,
  );
  return Number(rows[0]!.n);
}

/** Telegram sends a daemon reserved in the shared pacing (`paced_sends`) and never marked finished. */
async function unfinishedSends(db: pg.Pool, pid: number): Promise<{ chat: string; startedAt: number }[]> {
  const { rows } = await db.query<{ chat: string; started_at: string }>(
    `SELECT chat, started_at FROM paced_sends WHERE done_at IS NULL AND holder ~ $1`,
    [`-${pid}-[0-9a-f]+$`],
  );
  return rows.map((r) => ({ chat: r.chat, startedAt: Number(r.started_at) }));
}

async function unsent(db: pg.Pool): Promise<number> {
  const { rows } = await db.query<{ n: string }>(`SELECT COUNT(*) AS n FROM posts WHERE state <> 'sent'`);
  return Number(rows[0]!.n);
}

/** Posts in `sending` now, with the pid of the daemon holding each (its instance id names it). */
async function sendingPosts(
  db: pg.Pool,
): Promise<{ id: number; channelId: string; text: string; pid: number | undefined }[]> {
  const { rows } = await db.query<{ id: string; channel_id: string; text: string; holder: string | null }>(
    `SELECT id, channel_id, text, holder FROM posts WHERE state = 'sending'`,
  );
  return rows.map((r) => {
    const pid = /-(\d+)-[0-9a-f]+$/.exec(r.holder ?? '')?.[1];
    return { id: Number(r.id), channelId: r.channel_id, text: r.text, pid: pid ? Number(pid) : undefined };
  });
}

/** The text of the send request that reached a fake last, as the channel shows it. */
function lastSentText({ x, telegram }: Fakes): string | undefined {
  const tweet = x.requests.filter((r) => r.path === '/2/tweets').at(-1);
  const message = telegram.calls.filter((c) => c.method === 'sendMessage').at(-1);
  if (!message || (tweet && tweet.at >= message.at))
    return (tweet?.body as { text?: string } | undefined)?.text;
  const shown = render(
    String(message.params['text'] ?? ''),
    message.params['parse_mode'] as string | undefined,
  );
  return shown.ok ? shown.shown : undefined;
}

/** A request for one of the posts the killed daemon was sending had reached a fake, unanswered. */
function inFlight({ x, telegram }: Fakes, kill: Kill): boolean {
  return kill.sending.some((post) => {
    const channel = CHANNELS.find((c) => c.id === post.channelId)!;
    const pending = (at: Date, latency: number) =>
      at.getTime() <= kill.at && kill.at < at.getTime() + latency;
    if (channel.platform === 'twitter')
      return x.requests.some(
        (r) =>
          r.path === '/2/tweets' &&
          (r.body as { text?: string } | undefined)?.text === post.text &&
          pending(r.at, X_LATENCY_MS),
      );
    return telegram.calls.some((c) => {
      if (c.method !== 'sendMessage' || c.params['chat_id'] !== channel.where) return false;
      const shown = render(String(c.params['text'] ?? ''), c.params['parse_mode'] as string | undefined);
      return shown.ok && shown.shown === post.text && pending(c.at, TELEGRAM_LATENCY_MS);
    });
  });
}

/**
 * The most messages one Telegram chat received within any 60 seconds; past Telegram's 20, each such
 * minute's messages (seconds into the run), marking those a killed daemon had reserved in the shared
 * pacing and never marked finished (`forgotten`: the pacing drops them once their daemon is dead);
 * and the most in any minute without those.
 */
function busiestMinute(
  telegram: FakeTelegramApi,
  kills: readonly Kill[],
  started: number,
): { most: number; mostRemembered: number; overruns: string[] } {
  const byChat = new Map<string, number[]>();
  for (const m of telegram.sentMessages)
    byChat.set(m.chatId, [...(byChat.get(m.chatId) ?? []), m.at.getTime()]);
  // One send to a chat at a time, a second apart: the reservation just before a message is its own.
  const forgotten = (chat: string, at: number) =>
    kills.find((k) =>
      k.unfinished.some((u) => u.chat === chat && u.startedAt <= at && at - u.startedAt < 1000),
    );
  let most = 0;
  let mostRemembered = 0;
  const overruns: string[] = [];
  for (const [chat, times] of byChat) {
    times.sort((a, b) => a - b);
    let from = 0;
    for (let to = 0; to < times.length; to++) {
      while (times[to]! - times[from]! >= 60_000) from++;
      const window = times.slice(from, to + 1);
      const dropped = window.filter((at) => forgotten(chat, at) !== undefined).length;
      most = Math.max(most, window.length);
      mostRemembered = Math.max(mostRemembered, window.length - dropped);
      if (window.length <= TELEGRAM_PER_MINUTE) continue;
      overruns.push(
        `${chat}: ${window.length} messages within a minute, ${dropped} of them sent by a daemon killed before it marked the send finished: ${window
          .map((at) => {
            const kill = forgotten(chat, at);
            const mark = kill
              ? ` (daemon ${kill.node} killed at ${((kill.at - started) / 1000).toFixed(2)} s)`
              : '';
            return `${((at - started) / 1000).toFixed(2)} s${mark}`;
          })
          .join(', ')}`,
      );
    }
  }
  return { most, mostRemembered, overruns };
}

type LogLine = Record<string, unknown>;

/** Every JSON line of every daemon's standard error with this message. */
function logLines(logs: readonly string[], msg: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const log of logs)
    for (const line of log.split('\n')) {
      if (!line.includes(msg)) continue;
      try {
        const parsed = JSON.parse(line) as LogLine;
        if (parsed['msg'] === msg) lines.push(parsed);
      } catch {
        // a line cut by the SIGKILL
      }
    }
  return lines;
}

function sumField(lines: readonly LogLine[], field: string): number {
  return lines.reduce((n, l) => n + (typeof l[field] === 'number' ? (l[field] as number) : 0), 0);
}

/** Every `slot claimed` line across all daemons: how many, and the (channel, slot) pairs seen twice. */
function slotClaims(logs: readonly string[]): { total: number; twice: string[] } {
  const seen = new Map<string, number>();
  for (const line of logLines(logs, 'slot claimed')) {
    const key = `${String(line['channel'])} ${String(line['slot'])}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return {
    total: [...seen.values()].reduce((a, b) => a + b, 0),
    twice: [...seen].filter(([, n]) => n > 1).map(([key, n]) => `${key} ×${n}`),
  };
}

export type FailoverReport = Awaited<ReturnType<typeof check>>;

/** Every post sent, arrived exactly once under its stored id, each thread part replying to the one before. */
async function check(fakes: Fakes, store: PostStore) {
  const problems: string[] = [];
  let sent = 0;
  let duplicates = 0;
  let brokenChains = 0;
  let total = 0;
  const posts = await allPosts(store, CHANNELS);
  for (const channel of CHANNELS) {
    const received = arrivals(fakes, channel);
    const mine = posts.filter((p) => p.channelId === channel.id);
    total += mine.length;
    const texts = new Set(mine.map((p) => p.text));
    for (const [text, copies] of received) {
      if (copies.length > 1) duplicates += copies.length - 1;
      if (!texts.has(text))
        problems.push(`${channel.id}: received a text that is no post: ${text.slice(0, 60)}`);
    }
    for (const post of mine) {
      const copies = received.get(post.text) ?? [];
      const where = `${channel.id} post ${post.id} (${post.seq}/${post.total}, ${post.state})`;
      if (post.state !== 'sent') {
        problems.push(`${where}: not sent (arrived ${copies.length} times)`);
        continue;
      }
      sent++;
      if (copies.length !== 1)
        problems.push(
          `${where}: arrived ${copies.length} times${await whyNot(fakes, store, post, copies.length)}`,
        );
      else if (copies[0]!.id !== post.remoteId)
        problems.push(`${where}: stored remote id ${post.remoteId}, arrived as ${copies[0]!.id}`);
      if (post.mode === 'thread' && copies[0]) {
        const previous = mine.find((p) => p.articleId === post.articleId && p.seq === post.seq - 1);
        const expected = post.seq === 1 ? undefined : previous?.remoteId;
        if (copies[0].replyTo !== expected) {
          brokenChains++;
          problems.push(`${where}: replies to ${copies[0].replyTo}, previous part is ${expected}`);
        }
      }
    }
  }
  return { total, sent, duplicates, brokenChains, problems };
}

/** What the fakes and the store know of a post that did not arrive exactly once. */
async function whyNot(fakes: Fakes, store: PostStore, post: StoredPost, copies: number): Promise<string> {
  if (copies > 1) return '';
  const byId = fakes.x.tweets.find((t) => t.id === post.remoteId);
  const elsewhere = fakes.x.tweets.filter((t) => t.text === post.text).map((t) => `${t.id} by ${t.token}`);
  const attempts = (await store.attempts(post.id)).map(
    (a) =>
      `#${a.attempt} ${a.startedAt.toISOString()}→${a.finishedAt?.toISOString() ?? '…'} ${a.outcome ?? ''} ${a.detail ?? ''}`,
  );
  return [
    `; stored remote id ${post.remoteId}`,
    byId
      ? `, which the fake X has as "${byId.text.slice(0, 80)}" by ${byId.token}`
      : ', unknown to the fake X',
    elsewhere.length > 0 ? `; its text arrived as ${elsewhere.join(', ')}` : '',
    `; text "${post.text.slice(0, 80)}"; attempts: ${attempts.join(' | ')}`,
  ].join('');
}
