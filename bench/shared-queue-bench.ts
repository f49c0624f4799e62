import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createPostgresStore, PG_NEXT_DUE_SQL } from '../src/adapters/postgres/create-postgres-store.js';
import { createSqliteStore } from '../src/adapters/sqlite/create-sqlite-store.js';
import type { ChannelBatch, PostStore } from '../src/ports/post-store.js';
import { type PostgresServer, postgresAvailable, startPostgres } from '../test/helpers/postgres-server.js';
import { childEnv, delay, writeSettings } from '../test/helpers/quotecast-process.js';
import { createTempDir, type TempDir } from '../test/helpers/temp-dir.js';

/**
 * Several daemons on one PostgreSQL queue (issue 14), against one daemon, and against SQLite:
 *
 * 1. The cost of picking a due post: 100,000 queued posts on one channel (10,000 articles of 10,
 *    plus 2 each on a second channel), with and without a retry backlog (the first 10,000 waiting for
 *    a retry not yet due, as the store bench does); `nextDue` timed call by call on SQLite and
 *    PostgreSQL side by side (median and p95), then `nextDue` + `lease` + `markSent` per post.
 *    PostgreSQL is measured once right after the fill (before any ANALYZE: what a daemon meets until
 *    autovacuum gets to the table) and then after ANALYZE, with the plan's indexes printed.
 * 2. Idle RSS of the real daemon (`npm start`'s bundle) on those stores: one on SQLite, three at once
 *    on the PostgreSQL database, schedules a year away, read from /proc once it has settled.
 * 3. Throughput: posts a second published by 1 daemon on SQLite, 1 on PostgreSQL and 3 on one
 *    PostgreSQL database, over a fixed window; 32 channels fire every second and each slot publishes
 *    a whole thread. The channels have no credentials, so posts go to the console publisher (stdout
 *    to /dev/null, and the outbox file): no network and no pacing, so the daemons and the database
 *    are what limit, not a platform or a fake of one. CPU over the window (each daemon, the
 *    PostgreSQL server, this process, everything else on the machine) and CPU per post say which;
 *    then the daemons' CPU with nothing queued (ticking every channel every second, claims,
 *    heartbeats), the fixed cost each extra daemon adds.
 *
 * Needs PostgreSQL's server binaries (a throwaway server is started, as the tests do). Prints figures
 * only; the machine is shared and noisy, so ratios are measured in the same run.
 */

const T0 = Date.UTC(2026, 2, 2, 8);
const TEXT = 'The council voted late on Tuesday to keep the library open for another year, '.repeat(3);
const PICK_ARTICLES = 10_000;
const RETRY_BACKLOG = 10_000;
const TIMED_CALLS = 2_000;
const CYCLES = 2_000;

const CHANNELS = 32;
const THREAD_PARTS = 50;
const THREADS_PER_CHANNEL = 10;
const WARM_UP_MS = 2_000;
const WINDOW_MS = 10_000;
const IDLE_WINDOW_MS = 5_000;

export async function runSharedQueueBench(): Promise<void> {
  if (!postgresAvailable()) {
    print(
      'shared-queue bench skipped: PostgreSQL server binaries (initdb, postgres) not found (apt-get install postgresql, or QUOTECAST_PG_BIN)',
    );
    return;
  }
  const started = performance.now();
  const dir = createTempDir('quotecast-shared-bench-');
  let server: PostgresServer | undefined;
  try {
    server = await startPostgres();
    const version = await serverVersion(server.adminUrl);
    const memory = new Database(':memory:');
    const sqliteVersion = (memory.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
    memory.close();
    print(
      `shared-queue bench: node ${process.version}, ${availableParallelism()} cores, SQLite ${sqliteVersion}, ` +
        `PostgreSQL ${version} (throwaway server: fsync off, as the tests run it), ${dir.path}`,
    );
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
    if (build.status !== 0) throw new Error('npm run build failed');
    const bundle = path.resolve('dist/quotecast.mjs');

    const sqlitePath = dir.file('pick/queue.db');
    const pgUrl = await server.createDatabase('pick');
    await benchPick(sqlitePath, pgUrl);
    await benchIdleRss(dir, bundle, sqlitePath, pgUrl);
    await benchThroughput(dir, bundle, server);
  } finally {
    await server?.stop();
    dir.remove();
  }
  print(`\ntotal ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

// ---------------------------------------------------------------------------------------------------
// 1. Picking a due post

async function benchPick(sqlitePath: string, pgUrl: string): Promise<void> {
  const sqlite = createSqliteStore({ path: sqlitePath });
  const postgres = await createPostgresStore({ url: pgUrl, instanceId: 'bench' });
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  const stores: [string, PostStore][] = [
    ['SQLite', sqlite],
    ['PostgreSQL', postgres],
  ];
  try {
    print('\npicking a due post');
    for (const [name, store] of stores) {
      const fill = performance.now();
      await fillPickQueue(store);
      print(
        `  filled ${name}: ${(await store.countsByState('x')).queued.toLocaleString('en')} queued on x, ` +
          `${(await store.countsByState('tg')).queued.toLocaleString('en')} on tg ` +
          `(${PICK_ARTICLES.toLocaleString('en')} enqueues) in ${secondsSince(fill)} s`,
      );
    }
    const now = new Date(T0 + 60_000);

    // Right after a big enqueue PostgreSQL has no statistics on the new rows until autovacuum
    // analyzes the table (within about a minute); the planner may choose differently meanwhile.
    const analyzed = await pgAnalyzed(admin);
    const early = await timeNextDue(postgres, now, 200);
    print(
      `  PostgreSQL right after the fill (posts ${analyzed ? 'already auto-analyzed' : 'not analyzed yet'}): ` +
        `nextDue median ${fmt(early.median)} µs, p95 ${fmt(early.p95)} µs over 200 calls; ${await planSummary(admin, now)}`,
    );
    await admin.query('ANALYZE');

    print(
      `\nnextDue on 100,000 queued posts on one channel, ${TIMED_CALLS.toLocaleString('en')} calls each, one at a time, ` +
        'PostgreSQL after ANALYZE (what autovacuum leaves), µs',
    );
    print(
      `  ${'case'.padEnd(46)} ${'SQLite med / p95'.padStart(17)}  ${'PostgreSQL med / p95'.padStart(21)}  PG/SQLite`,
    );
    await pickRow('every post due, no retry backlog', stores, now);
    print(`    PostgreSQL: ${await planSummary(admin, now)}`);

    // After an outage: the first 10,000 posts all wait for a retry that is not due yet.
    const later = new Date(T0 + 3_600_000);
    const made: string[] = [];
    for (const [name, store] of stores) {
      const backlog = performance.now();
      const waiting = await store.upcoming('x', RETRY_BACKLOG);
      // Four at a time (the PostgreSQL store keeps a pool of connections; SQLite answers in turn).
      let next = 0;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (next < waiting.length) {
            const post = waiting[next++]!;
            await store.lease(post.id, now);
            await store.markRetry(post.id, 'unavailable', later, 'HTTP 503', now);
          }
        }),
      );
      made.push(`${name} ${secondsSince(backlog)} s`);
    }
    await admin.query('ANALYZE');
    await pickRow(
      `first ${RETRY_BACKLOG.toLocaleString('en')} waiting for a retry (not due yet)`,
      stores,
      now,
    );
    print(`    PostgreSQL: ${await planSummary(admin, now)}`);
    print(`    (backlog made with lease + markRetry: ${made.join(', ')})`);

    print(
      `\nnextDue + lease + markSent, ${CYCLES.toLocaleString('en')} posts one after another on x, with that backlog (µs per post)`,
    );
    const cycles: Stats[] = [];
    for (const [, store] of stores) {
      const times: number[] = [];
      for (let i = 0; i < CYCLES; i++) {
        const start = performance.now();
        const next = await store.nextDue('x', now);
        if (!next) break;
        await store.lease(next.id, now);
        await store.markSent(next.id, { remoteId: `r${next.id}`, publishedAt: now });
        times.push((performance.now() - start) * 1000);
      }
      cycles.push(stats(times));
    }
    const [a, b] = cycles as [Stats, Stats];
    print(
      `  ${'one post'.padEnd(46)} ${fmtPair(a).padStart(17)}  ${fmtPair(b).padStart(21)}  ${ratio(b.median / a.median)}` +
        `  (${Math.round(1e6 / a.mean)} / ${Math.round(1e6 / b.mean)} posts/s from one caller)`,
    );
  } finally {
    await admin.end();
    await sqlite.close();
    await postgres.close();
  }
}

async function timeNextDue(store: PostStore, now: Date, calls: number): Promise<Stats> {
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    await store.nextDue('x', now);
    times.push((performance.now() - start) * 1000);
  }
  return stats(times);
}

async function pgAnalyzed(client: pg.Client): Promise<boolean> {
  const stat = await client.query<{ analyzed: string | null }>(
    `SELECT COALESCE(last_analyze, last_autoanalyze)::text AS analyzed FROM pg_stat_user_tables WHERE relname = 'posts'`,
  );
  return Boolean(stat.rows[0]?.analyzed);
}

/** The indexes PostgreSQL's plan of nextDue uses, with the rows it read and threw away, in one line. */
async function planSummary(client: pg.Client, now: Date): Promise<string> {
  const plan = await client.query<{ 'QUERY PLAN': string }>(
    `EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) ${PG_NEXT_DUE_SQL}`,
    ['x', now.getTime()],
  );
  const lines = plan.rows.map((row) => row['QUERY PLAN']);
  const parts: string[] = [];
  for (const [i, line] of lines.entries()) {
    const scan = /(Index Scan|Index Only Scan|Bitmap Index Scan|Seq Scan)(?: using (\w+))? on/.exec(line);
    if (!scan) continue;
    const removed =
      /Rows Removed by Filter: (\d+)/.exec(lines[i + 1] ?? '') ??
      /Rows Removed by Filter: (\d+)/.exec(lines[i + 2] ?? '');
    parts.push(
      `${scan[2] ?? scan[1]}${removed ? ` (${Number(removed[1]).toLocaleString('en')} rows filtered out)` : ''}`,
    );
  }
  const execution = lines.map((l) => /Execution Time: ([\d.]+) ms/.exec(l)?.[1]).find(Boolean);
  return `plan: fresh half ${parts[0] ?? '?'}, retry half ${parts[1] ?? '?'}; server execution ${execution} ms`;
}

async function fillPickQueue(store: PostStore): Promise<void> {
  // 10,000 articles x 10 posts on `x` = 100,000 queued there, plus 2 posts each on `tg` (a thread).
  for (let n = 0; n < PICK_ARTICLES; n++) {
    await store.enqueueArticle(
      { contentHash: `hash-${n}`, url: `https://news.example/${n}`, title: `Article ${n}` },
      [
        { channelId: 'x', mode: 'quotes', posts: posts(10, n) },
        { channelId: 'tg', mode: 'thread', posts: posts(2, n) },
      ],
      { now: new Date(T0), approved: true },
    );
  }
}

async function pickRow(label: string, stores: [string, PostStore][], now: Date): Promise<void> {
  const results: Stats[] = [];
  for (const [, store] of stores) {
    await timeNextDue(store, now, 200); // warm-up: JIT, caches, prepared plans
    results.push(await timeNextDue(store, now, TIMED_CALLS));
  }
  const [a, b] = results as [Stats, Stats];
  print(
    `  ${label.padEnd(46)} ${fmtPair(a).padStart(17)}  ${fmtPair(b).padStart(21)}  ${ratio(b.median / a.median)}`,
  );
}

// ---------------------------------------------------------------------------------------------------
// 2. Idle RSS

async function benchIdleRss(dir: TempDir, bundle: string, sqlitePath: string, pgUrl: string): Promise<void> {
  const idle = (name: string) =>
    writeSettings(
      dir.path,
      {
        timezone: 'UTC',
        store: { path: sqlitePath },
        outbox: { path: dir.file(`${name}-outbox.jsonl`) },
        channels: [
          // Once a year, at New Year: the daemons schedule, then have nothing to do.
          { id: 'x', platform: 'twitter', mode: 'quotes', schedule: '0 0 1 1 *' },
          { id: 'tg', platform: 'telegram', chat: '@bench_main', mode: 'thread', schedule: '0 0 1 1 *' },
        ],
      },
      `${name}.yaml`,
    );
  const queued = await countQueued({ sqlitePath });
  print(
    `\nidle daemon RSS (npm start's bundle) with ${queued.toLocaleString('en')} queued posts: ` +
      '1 daemon on the SQLite file, 3 at once on the PostgreSQL database; read once RSS moves < 1 % in 2 s',
  );
  const daemons = [
    startDaemon(bundle, dir.path, idle('idle-sqlite'), {}, 'SQLite'),
    ...[1, 2, 3].map((i) =>
      startDaemon(bundle, dir.path, idle(`idle-pg-${i}`), { DATABASE_URL: pgUrl }, `PostgreSQL #${i}`),
    ),
  ];
  try {
    await Promise.all(daemons.map((d) => d.running));
    const settled = await Promise.all(daemons.map((d) => settledRss(d.child.pid!)));
    daemons.forEach((d, i) => {
      const { rss, peak } = settled[i]!;
      print(`  ${d.name.padEnd(14)} ${mb(rss)} MB (peak ${mb(peak)} MB), ready in ${d.readyMs()} ms`);
    });
    const pgMean = (settled[1]!.rss + settled[2]!.rss + settled[3]!.rss) / 3;
    print(
      `  PostgreSQL daemon / SQLite daemon: ${(pgMean / settled[0]!.rss).toFixed(2)}x; ` +
        `three PostgreSQL daemons together ${mb(3 * pgMean)} MB`,
    );
  } finally {
    await Promise.all(daemons.map((d) => d.stop()));
  }
}

/** Waits until RSS moves less than 1 % over two seconds (at most 20 s), then reads VmRSS and VmHWM. */
async function settledRss(pid: number): Promise<{ rss: number; peak: number }> {
  let previous = vm(pid).rss;
  for (let i = 0; i < 10; i++) {
    await delay(2000);
    const current = vm(pid).rss;
    if (Math.abs(current - previous) < previous / 100) break;
    previous = current;
  }
  return vm(pid);
}

// ---------------------------------------------------------------------------------------------------
// 3. Throughput

interface Scenario {
  readonly name: string;
  readonly daemons: number;
  readonly pgUrl?: string;
  readonly sqlitePath?: string;
  /** Nothing queued: what the daemons cost when they only tick. */
  readonly empty?: boolean;
}

interface ThroughputResult {
  readonly perSecond: number;
  readonly sent: number;
  readonly seconds: number;
  readonly left: number;
  /** CPU time over the window, as a share of one core: each daemon, the PostgreSQL server, this process. */
  readonly daemonCpu: readonly number[];
  readonly postgresCpu: number;
  readonly benchCpu: number;
  /** Busy time of the machine not accounted for above (other work on a shared machine, the kernel). */
  readonly otherCpu: number;
  /** Busy share of all cores. */
  readonly machineBusy: number;
  readonly shares: readonly number[];
}

async function benchThroughput(dir: TempDir, bundle: string, server: PostgresServer): Promise<void> {
  const queue = CHANNELS * THREADS_PER_CHANNEL * THREAD_PARTS;
  const ceiling = CHANNELS * THREAD_PARTS;
  print(
    `\nthroughput: ${CHANNELS} channels (half X, half Telegram), each firing every second and publishing a whole ` +
      `thread of ${THREAD_PARTS} posts per slot (so the schedule allows up to ${ceiling.toLocaleString('en')} posts/s); ` +
      `${queue.toLocaleString('en')} queued; console publisher (no network, no pacing); posts sent in ` +
      `${WINDOW_MS / 1000} s after ${WARM_UP_MS / 1000} s of warm-up. CPU as a share of one core over the window.`,
  );
  const scenarios: Scenario[] = [
    { name: '1 daemon, SQLite', daemons: 1, sqlitePath: dir.file('tput-sqlite/queue.db') },
    { name: '1 daemon, PostgreSQL', daemons: 1, pgUrl: await server.createDatabase('tput_one') },
    { name: '3 daemons, one PostgreSQL', daemons: 3, pgUrl: await server.createDatabase('tput_three') },
  ];
  const results: ThroughputResult[] = [];
  for (const scenario of scenarios) {
    const result = await runThroughput(dir, bundle, scenario, server.port);
    results.push(result);
    const pct = (share: number) => `${Math.round(share * 100)} %`;
    const shares = result.shares.length > 1 ? `; posts per daemon ${result.shares.map(pct).join(' / ')}` : '';
    print(
      `  ${scenario.name.padEnd(26)} ${Math.round(result.perSecond).toString().padStart(5)} posts/s ` +
        `(${result.sent.toLocaleString('en')} in ${result.seconds.toFixed(1)} s, ${pct(result.perSecond / ceiling)} of the schedule's ceiling, ` +
        `${result.left.toLocaleString('en')} still queued)${shares}`,
    );
    const daemonsTotal = result.daemonCpu.reduce((a, b) => a + b, 0);
    const perPost = (share: number) => ((share * 1000) / result.perSecond).toFixed(2);
    print(
      `  ${''.padEnd(26)} CPU: daemon${result.daemonCpu.length > 1 ? 's' : ''} ${result.daemonCpu.map(pct).join(' + ')}, ` +
        `PostgreSQL ${pct(result.postgresCpu)}, bench ${pct(result.benchCpu)}, other processes ${pct(result.otherCpu)}; ` +
        `machine ${pct(result.machineBusy)} busy (${availableParallelism()} cores)`,
    );
    print(
      `  ${''.padEnd(26)} CPU per post: daemon${result.daemonCpu.length > 1 ? 's' : ''} ${perPost(daemonsTotal)} ms` +
        `${scenario.pgUrl ? `, PostgreSQL ${perPost(result.postgresCpu)} ms` : ''}`,
    );
  }
  const [sqlite, one, three] = results as [ThroughputResult, ThroughputResult, ThroughputResult];
  print(
    `  3 daemons / 1 daemon on PostgreSQL: ${(three.perSecond / one.perSecond).toFixed(2)}x; ` +
      `1 daemon PostgreSQL / SQLite: ${(one.perSecond / sqlite.perSecond).toFixed(2)}x; ` +
      `3 daemons PostgreSQL / 1 daemon SQLite: ${(three.perSecond / sqlite.perSecond).toFixed(2)}x`,
  );

  // What the daemons cost with nothing to send: every channel's tick (and, for all but the slot's
  // winner, a claim refused by the database) every second, heartbeats.
  print(
    `  the same daemons with nothing queued, CPU over ${IDLE_WINDOW_MS / 1000} s (ticks, claims, heartbeats only):`,
  );
  for (const scenario of [
    { name: '1 daemon, PostgreSQL', daemons: 1, pgUrl: await server.createDatabase('idle_one'), empty: true },
    {
      name: '3 daemons, one PostgreSQL',
      daemons: 3,
      pgUrl: await server.createDatabase('idle_three'),
      empty: true,
    },
  ]) {
    const idle = await runThroughput(dir, bundle, scenario, server.port);
    const pct = (share: number) => `${Math.round(share * 100)} %`;
    print(
      `  ${scenario.name.padEnd(26)} daemon${idle.daemonCpu.length > 1 ? 's' : ''} ${idle.daemonCpu.map(pct).join(' + ')}, ` +
        `PostgreSQL ${pct(idle.postgresCpu)}, other processes ${pct(idle.otherCpu)}`,
    );
  }
}

async function runThroughput(
  dir: TempDir,
  bundle: string,
  scenario: Scenario,
  pgPort: number,
): Promise<ThroughputResult> {
  const channels = Array.from({ length: CHANNELS }, (_, i) => {
    const n = String(i + 1).padStart(2, '0');
    return i % 2 === 0
      ? { id: `x-${n}`, platform: 'twitter', mode: 'thread' }
      : { id: `tg-${n}`, platform: 'telegram', chat: `@bench_chat_${n}`, mode: 'thread' };
  });
  // Fill first, with the store the daemons will use.
  const store = scenario.empty
    ? undefined
    : scenario.pgUrl
      ? await createPostgresStore({ url: scenario.pgUrl, instanceId: 'bench-fill' })
      : createSqliteStore({ path: scenario.sqlitePath! });
  try {
    for (let n = 0; store && n < THREADS_PER_CHANNEL; n++) {
      const batches: ChannelBatch[] = channels.map((c) => ({
        channelId: c.id,
        mode: 'thread',
        posts: posts(THREAD_PARTS, n, 200),
      }));
      await store.enqueueArticle({ contentHash: `tput-${n}`, title: `Thread ${n}` }, batches, {
        now: new Date(),
        approved: true,
      });
    }
  } finally {
    await store?.close();
  }
  if (scenario.pgUrl && !scenario.empty) {
    // As autovacuum would soon after such an enqueue; the daemons' queries then plan on statistics.
    const client = new pg.Client({ connectionString: scenario.pgUrl });
    await client.connect();
    await client.query('ANALYZE');
    await client.end();
  }
  const daemons = Array.from({ length: scenario.daemons }, (_, i) => {
    const name = `${scenario.name.replace(/\W+/g, '-')}-${i + 1}`;
    const config = writeSettings(
      dir.path,
      {
        timezone: 'UTC',
        store: { path: scenario.sqlitePath ?? dir.file('unused.db') },
        outbox: { path: dir.file(`${name}-outbox.jsonl`) },
        channels: channels.map((c) => ({ ...c, schedule: '* * * * * *', dailyCap: 1_000_000 })),
      },
      `${name}.yaml`,
    );
    return startDaemon(
      bundle,
      dir.path,
      config,
      scenario.pgUrl ? { DATABASE_URL: scenario.pgUrl } : {},
      name,
    );
  });
  const counter = openCounter(scenario);
  try {
    await Promise.all(daemons.map((d) => d.running));
    const deadline = Date.now() + 30_000;
    while (!scenario.empty && (await counter.sent()) === 0) {
      if (Date.now() > deadline) throw new Error(`${scenario.name}: nothing sent within 30 s`);
      await delay(50);
    }
    await delay(WARM_UP_MS);
    const before = await counter.sent();
    const daemonsBefore = daemons.map((d) => cpuSeconds(d.child.pid!));
    const postgresBefore = postgresCpu(pgPort);
    const benchBefore = process.cpuUsage();
    const machineBefore = machineTimes();
    const start = performance.now();
    await delay(scenario.empty ? IDLE_WINDOW_MS : WINDOW_MS);
    const after = await counter.sent();
    const seconds = (performance.now() - start) / 1000;
    const daemonsAfter = daemons.map((d) => cpuSeconds(d.child.pid!));
    const postgresAfter = postgresCpu(pgPort);
    const bench = process.cpuUsage(benchBefore);
    const machineAfter = machineTimes();
    const left = await counter.queued();
    const shares = await counter.shares();
    const daemonCpu = daemonsAfter.map((c, i) => (c - daemonsBefore[i]!) / seconds);
    let postgres = 0;
    for (const [pid, cpu] of postgresAfter) postgres += cpu - (postgresBefore.get(pid) ?? 0);
    const postgresShare = postgres / seconds;
    const benchShare = (bench.user + bench.system) / 1e6 / seconds;
    const busy = machineAfter.busy - machineBefore.busy;
    const machineBusy = busy / (machineAfter.total - machineBefore.total);
    const known = daemonCpu.reduce((a, b) => a + b, 0) + postgresShare + benchShare;
    return {
      perSecond: (after - before) / seconds,
      sent: after - before,
      seconds,
      left,
      daemonCpu,
      postgresCpu: postgresShare,
      benchCpu: benchShare,
      otherCpu: Math.max(0, busy / 100 / seconds - known),
      machineBusy,
      shares,
    };
  } finally {
    await Promise.all(daemons.map((d) => d.stop()));
    await counter.close();
  }
}

/** Reads the sent and queued counts while the daemons run (SQLite: a read-only connection). */
function openCounter(scenario: Scenario): {
  sent(): Promise<number>;
  queued(): Promise<number>;
  /** Of the posts sent so far, each daemon's share (PostgreSQL records the holder). */
  shares(): Promise<number[]>;
  close(): Promise<void>;
} {
  if (scenario.pgUrl) {
    const pool = new pg.Pool({ connectionString: scenario.pgUrl, max: 1 });
    // A connection still closing when the server stops must not crash the bench.
    pool.on('error', () => {});
    const count = async (state: string) =>
      Number(
        (await pool.query<{ n: string }>('SELECT count(*) AS n FROM posts WHERE state = $1', [state])).rows[0]
          ?.n,
      );
    return {
      sent: () => count('sent'),
      queued: () => count('queued'),
      shares: async () => {
        const rows = (
          await pool.query<{ n: string }>(
            "SELECT count(*) AS n FROM posts WHERE state = 'sent' GROUP BY holder ORDER BY holder",
          )
        ).rows.map((r) => Number(r.n));
        const total = rows.reduce((a, b) => a + b, 0);
        return rows.map((n) => n / total);
      },
      close: () => pool.end(),
    };
  }
  const db = new Database(scenario.sqlitePath!, { readonly: true });
  const count = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM posts WHERE state = ?');
  return {
    sent: async () => count.get('sent')!.n,
    queued: async () => count.get('queued')!.n,
    shares: async () => [1],
    close: async () => {
      db.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Daemons as child processes

interface RunningDaemon {
  readonly name: string;
  readonly child: ChildProcess;
  /** Resolves once it prints "quotecast is running". */
  readonly running: Promise<void>;
  readyMs(): number;
  /** SIGTERM, then waits for the exit (SIGKILL after 20 s). */
  stop(): Promise<void>;
}

/**
 * `quotecast start` from the bundle, as `npm start` runs it. Standard output (the console publisher's
 * blocks) goes to /dev/null so no reader can slow it down; standard error is watched for the start.
 */
function startDaemon(
  bundle: string,
  cwd: string,
  config: string,
  extra: Record<string, string>,
  name: string,
): RunningDaemon {
  const started = performance.now();
  let readyAt = 0;
  const child = spawn(process.execPath, [bundle, 'start', '--no-example'], {
    cwd,
    env: childEnv({ QUOTECAST_CONFIG: config, LOG_LEVEL: 'warn', ...extra }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let tail = '';
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const running = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: not running within 60 s:\n${tail}`)), 60_000);
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      tail = (tail + chunk).slice(-4000);
      if (readyAt === 0 && /quotecast is running/.test(tail)) {
        readyAt = performance.now();
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${name}: exited before running:\n${tail}`));
    });
  });
  running.catch(() => undefined);
  return {
    name,
    child,
    running,
    readyMs: () => Math.round(readyAt - started),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Small helpers

interface Stats {
  readonly median: number;
  readonly p95: number;
  readonly mean: number;
}

function stats(values: number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { median: at(0.5), p95: at(0.95), mean: values.reduce((a, b) => a + b, 0) / values.length };
}

function fmt(us: number): string {
  return us < 100 ? us.toFixed(1) : Math.round(us).toLocaleString('en');
}

function fmtPair(s: Stats): string {
  return `${fmt(s.median)} / ${fmt(s.p95)}`;
}

function ratio(r: number): string {
  return r < 10 ? `${r.toFixed(1)}x` : `${Math.round(r)}x`;
}

async function countQueued(where: { sqlitePath: string }): Promise<number> {
  const db = new Database(where.sqlitePath, { readonly: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM posts WHERE state = 'queued'").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (
      (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? '?'
    );
  } finally {
    await client.end();
  }
}

/** VmRSS and VmHWM of a process, in bytes, from /proc/<pid>/status. */
function vm(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') * 1024, peak: kb('VmHWM') * 1024 };
}

/** User + system CPU time of a process so far, in seconds (/proc/<pid>/stat, clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The whole machine's CPU time in clock ticks (1/100 s), busy and total, from /proc/stat (every core). */
function machineTimes(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  // user nice system idle iowait irq softirq steal (guest times are already inside user and nice)
  const values = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = values.reduce((a, b) => a + b, 0);
  return { busy: total - (values[3] ?? 0) - (values[4] ?? 0), total };
}

/** CPU seconds of the PostgreSQL server on `port`: its postmaster and every child (backends, workers). */
function postgresCpu(port: number): Map<number, number> {
  const pids = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);
  const cmdline = (pid: number) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      return [];
    }
  };
  const postmaster = pids.find((pid) => {
    const args = cmdline(pid);
    return /\/postgres$/.test(args[0] ?? '') && args[args.indexOf('-p') + 1] === String(port);
  });
  const found = new Map<number, number>();
  if (postmaster === undefined) return found;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (pid === postmaster || Number(fields[1]) === postmaster)
        found.set(pid, (Number(fields[11]) + Number(fields[12])) / 100);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

function posts(count: number, n: number, length = TEXT.length): { text: string; length: number }[] {
  return Array.from({ length: count }, (_, i) => {
    const text = `${i + 1}/${count} ${TEXT.slice(0, length)}#${n}`;
    return { text, length: text.length };
  });
}

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

function secondsSince(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runSharedQueueBench();
}
