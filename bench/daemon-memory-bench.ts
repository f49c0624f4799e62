import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { createSqliteStore } from '../src/adapters/sqlite/create-sqlite-store.js';
import type { ChannelBatch } from '../src/ports/post-store.js';
import { childEnv, delay, spawnQuotecast, writeSettings } from '../test/helpers/quotecast-process.js';
import { createTempDir } from '../test/helpers/temp-dir.js';

/**
 * The daemon's memory with a big queue: a store holding 100,000 queued posts (10,000 articles of
 * 10 posts over two channels, one enqueue each), the real `quotecast start` as a child process on it
 * with console publishers and a schedule far away, so it idles; its resident memory (VmRSS from
 * /proc) once it has settled, against a 120 MB target, beside the same daemon on an empty store and
 * the same daemon with V8's young generation capped.
 * Then `nextDue` timed on that store. Figures only; no assertions.
 */

const ARTICLES = 10_000;
const POSTS_PER_CHANNEL = 5;
const TARGET_MB = 120;
const TEXT =
  'After eleven years behind fences, the old harbour opened to the public, and by noon more than 3,000 people had walked its quay';

export async function runDaemonMemoryBench(): Promise<void> {
  const dir = createTempDir('quotecast-memory-bench-');
  try {
    print(`daemon memory bench: node ${process.version}, ${dir.path}`);
    const full = dir.file('full/queue.db');
    const empty = dir.file('empty/queue.db');
    const started = performance.now();
    const store = createSqliteStore({ path: full });
    try {
      for (let n = 0; n < ARTICLES; n++) {
        const batches: ChannelBatch[] = ['x-main', 'tg-main'].map((channelId) => ({
          channelId,
          mode: channelId === 'x-main' ? 'quotes' : 'thread',
          posts: Array.from({ length: POSTS_PER_CHANNEL }, (_, i) => {
            const text = `${TEXT} (article ${n}, part ${i + 1}, ${channelId})`;
            return { text, length: text.length };
          }),
        }));
        await store.enqueueArticle(
          { contentHash: `bench-${n}`, url: `https://news.example/bench/${n}`, title: `Bench article ${n}` },
          batches,
          { now: new Date(), approved: true },
        );
      }
      const queued = (await store.countsByState()).queued;
      print(
        `  filled the store: ${queued.toLocaleString('en')} queued posts in ${((performance.now() - started) / 1000).toFixed(1)} s (${ARTICLES.toLocaleString('en')} enqueues)`,
      );
      await timeNextDue(store);
    } finally {
      await store.close();
    }

    // `npm start` runs the esbuild bundle (plain JavaScript); `npm run quotecast -- start` runs the
    // TypeScript sources through tsx. Both are measured; the target is for the daemon as shipped.
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
    if (build.status !== 0) throw new Error('npm run build failed');
    const bundle = path.resolve('dist/quotecast.mjs');
    const withQueue = await idleDaemonRss(dir.path, full, 'full', undefined, bundle);
    const baseline = await idleDaemonRss(dir.path, empty, 'empty', undefined, bundle);
    const underTsx = await idleDaemonRss(dir.path, full, 'full-tsx');
    // The same daemon with V8's young generation capped: most of the idle RSS is heap V8 grew while
    // loading modules and keeps, not live data.
    const smallYoung = await idleDaemonRss(
      dir.path,
      full,
      'full-small-young',
      '--max-semi-space-size=1',
      bundle,
    );
    const verdict = (bytes: number) => (bytes <= TARGET_MB * 1024 * 1024 ? 'met' : 'MISSED');
    print(
      `  idle daemon RSS with 100,000 queued posts (npm start, bundled): ${mb(withQueue.rss)} MB (peak ${mb(withQueue.peak)} MB); target ${TARGET_MB} MB ${verdict(withQueue.rss)}`,
    );
    print(
      `  the same from the TypeScript sources under tsx:             ${mb(underTsx.rss)} MB (peak ${mb(underTsx.peak)} MB): tsx costs ${mb(underTsx.rss - withQueue.rss)} MB`,
    );
    print(
      `  same daemon on an empty store:            ${mb(baseline.rss)} MB (peak ${mb(baseline.peak)} MB): the queue itself costs ${mb(withQueue.rss - baseline.rss)} MB`,
    );
    print(
      `  100,000 posts, NODE_OPTIONS=--max-semi-space-size=1: ${mb(smallYoung.rss)} MB (peak ${mb(smallYoung.peak)} MB); target ${verdict(smallYoung.rss)}`,
    );
    print(
      `  ready in ${withQueue.startMs} / ${baseline.startMs} / ${underTsx.startMs} / ${smallYoung.startMs} ms; SIGTERM exit codes ${withQueue.code} / ${baseline.code} / ${underTsx.code} / ${smallYoung.code}`,
    );
  } finally {
    dir.remove();
  }
}

async function timeNextDue(store: ReturnType<typeof createSqliteStore>): Promise<void> {
  const now = new Date();
  for (let i = 0; i < 1000; i++) await store.nextDue('x-main', now);
  const runs = 20_000;
  const start = performance.now();
  for (let i = 0; i < runs; i++) await store.nextDue(i % 2 ? 'x-main' : 'tg-main', now);
  const perCall = ((performance.now() - start) * 1000) / runs;
  print(
    `  nextDue on 100,000 queued posts: ${perCall.toFixed(1)} µs per call (${runs.toLocaleString('en')} calls)`,
  );
}

/** Starts the daemon on `store`, waits until its memory settles, reads it, stops it. */
async function idleDaemonRss(
  dir: string,
  store: string,
  name: string,
  nodeOptions?: string,
  bundle?: string,
): Promise<{ rss: number; peak: number; startMs: number; code: number | null }> {
  const config = writeSettings(
    dir,
    {
      timezone: 'UTC',
      store: { path: store },
      outbox: { path: `${dir}/${name}-outbox.jsonl` },
      channels: [
        // Once a year, at New Year: the daemon schedules, then has nothing to do.
        { id: 'x-main', platform: 'twitter', mode: 'quotes', schedule: '0 0 1 1 *' },
        { id: 'tg-main', platform: 'telegram', chat: '@bench_main', mode: 'thread', schedule: '0 0 1 1 *' },
      ],
    },
    `${name}.yaml`,
  );
  const started = performance.now();
  const daemon = spawnQuotecast(['start', '--no-example'], {
    env: childEnv({
      QUOTECAST_CONFIG: config,
      LOG_LEVEL: 'warn',
      ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
    }),
    cwd: dir,
    ...(bundle ? { bundle } : {}),
  });
  try {
    await daemon.waitForOutput(/quotecast is running/, { timeoutMs: 60_000 });
    const startMs = Math.round(performance.now() - started);
    // Idle: wait until RSS stops moving (less than 1 % over two seconds), at most 20 s.
    let previous = vm(daemon.pid).rss;
    for (let i = 0; i < 10; i++) {
      await delay(2000);
      const current = vm(daemon.pid).rss;
      if (Math.abs(current - previous) < previous / 100) break;
      previous = current;
    }
    const { rss, peak } = vm(daemon.pid);
    daemon.kill('SIGTERM');
    const result = await daemon.exited;
    return { rss, peak, startMs, code: result.code };
  } finally {
    daemon.kill('SIGKILL');
  }
}

/** VmRSS and VmHWM of a process, in bytes, from /proc/<pid>/status. */
function vm(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') * 1024, peak: kb('VmHWM') * 1024 };
}

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runDaemonMemoryBench();
}
