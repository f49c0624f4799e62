import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { createSqliteStore } from '../src/adapters/sqlite/create-sqlite-store.js';
import { NEXT_DUE_SQL } from '../src/adapters/sqlite/next-due-query.js';
import type { ChannelBatch, PostStore } from '../src/ports/post-store.js';

const T0 = Date.UTC(2026, 2, 2, 8);
const TEXT = 'The council voted late on Tuesday to keep the library open for another year, '.repeat(3);

/**
 * Store figures on a real file in the temp directory: enqueue cost as the store grows (it must stay
 * roughly linear, i.e. constant per article), nextDue latency on a 100,000-post queue with its query
 * plan, and lease + markSent throughput. Prints figures only; timing assertions would be flaky.
 */
export async function runStoreBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'quotecast-store-bench-'));
  const memory = new Database(':memory:');
  const sqliteVersion = (memory.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  memory.close();
  print(
    `store bench: node ${process.version}, SQLite ${sqliteVersion}, ${availableParallelism()} cores, ${dir}`,
  );
  const started = performance.now();
  try {
    await benchEnqueue(dir);
    await benchNextDue(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  print(`\ntotal ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

async function benchEnqueue(dir: string): Promise<void> {
  print('\nenqueueArticle (6 posts over 2 channels per article, one transaction each, fresh file per size)');
  const sizes = [1_000, 4_000, 10_000];
  const perArticle: number[] = [];
  // A throw-away run first, so the first measured size does not also pay for JIT warm-up.
  for (const size of [300, ...sizes]) {
    const store = createSqliteStore({ path: join(dir, `enqueue-${size}.db`) });
    const batches = (n: number): ChannelBatch[] => [
      { channelId: 'x', mode: 'quotes', posts: posts(3, n) },
      { channelId: 'tg', mode: 'quotes', posts: posts(3, n) },
    ];
    const start = performance.now();
    for (let n = 0; n < size; n++) {
      await store.enqueueArticle(
        { contentHash: `hash-${n}`, url: `https://news.example/${n}`, title: `Article ${n}` },
        batches(n),
        { now: new Date(T0), approved: true },
      );
    }
    const ms = performance.now() - start;
    await store.close();
    if (size === 300) continue;
    perArticle.push(ms / size);
    print(
      `  N=${String(size).padStart(6)}: ${ms.toFixed(0).padStart(6)} ms total, ` +
        `${(ms / size).toFixed(3)} ms/article, ${Math.round((size * 6 * 1000) / ms)} posts/s`,
    );
  }
  const base = perArticle[0] ?? 1;
  const ratios = sizes.map((size, i) => `N=${size}: ${((perArticle[i] ?? 0) / base).toFixed(2)}`).join(', ');
  print(`  ms/article relative to N=${sizes[0]} (1.00 = linear total time): ${ratios}`);
}

async function benchNextDue(dir: string): Promise<void> {
  const path = join(dir, 'queue-100k.db');
  const store = createSqliteStore({ path });
  // 10,000 articles x 10 posts on `x` = 100,000 queued there, plus 2 posts each on `tg`.
  const articles = 10_000;
  const fill = performance.now();
  for (let n = 0; n < articles; n++) {
    await store.enqueueArticle(
      { contentHash: `hash-${n}`, title: `Article ${n}` },
      [
        { channelId: 'x', mode: 'quotes', posts: posts(10, n) },
        { channelId: 'tg', mode: 'thread', posts: posts(2, n) },
      ],
      { now: new Date(T0), approved: true },
    );
  }
  const queued = (await store.countsByState('x')).queued;
  print(`\nnextDue on a queue of ${queued} queued posts on one channel (filled in ${ms(fill)} ms)`);

  const now = new Date(T0 + 60_000);
  await timeNextDue(store, 'every post due', now, 10_000);
  printQueryPlan(path, now);

  // After an outage: the first 10,000 posts all wait for a retry that is not due yet.
  const waiting = await store.upcoming('x', 10_000);
  const later = new Date(T0 + 3_600_000);
  for (const post of waiting) {
    await store.lease(post.id, now);
    await store.markRetry(post.id, 'unavailable', later, 'HTTP 503', now);
  }
  await timeNextDue(store, `first ${waiting.length} posts waiting for a retry`, now, 10_000);
  // The documented slow case: many retries fall due at once; cost grows with the number due.
  await timeNextDue(
    store,
    `${waiting.length} retries due at the same time (documented slow case)`,
    later,
    1_000,
  );

  const leaseIds = (await store.upcoming('x', 20_000, 20_000)).map((post) => post.id);
  const leaseStart = performance.now();
  for (const id of leaseIds) {
    await store.lease(id, now);
    await store.markSent(id, { remoteId: `r${id}`, publishedAt: now });
  }
  const leaseMs = performance.now() - leaseStart;
  print(
    `\nlease + markSent: ${leaseIds.length} posts in ${leaseMs.toFixed(0)} ms = ` +
      `${Math.round((leaseIds.length * 1000) / leaseMs)} posts/s (2 transactions each)`,
  );
  const cycleStart = performance.now();
  let cycles = 0;
  for (; cycles < 10_000; cycles++) {
    const next = await store.nextDue('tg', now);
    if (!next) break;
    await store.lease(next.id, now);
    await store.markSent(next.id, { remoteId: `t${next.id}`, publishedAt: now });
  }
  const cycleMs = performance.now() - cycleStart;
  print(
    `nextDue + lease + markSent: ${cycles} posts in ${cycleMs.toFixed(0)} ms = ` +
      `${Math.round((cycles * 1000) / cycleMs)} posts/s`,
  );
  await store.close();
}

async function timeNextDue(store: PostStore, label: string, now: Date, calls: number): Promise<void> {
  const first = await store.nextDue('x', now);
  const start = performance.now();
  for (let i = 0; i < calls; i++) await store.nextDue('x', now);
  const us = ((performance.now() - start) * 1000) / calls;
  print(
    `  ${label}: ${us.toFixed(1)} µs per call over ${calls} calls ` +
      `(target < 1000 µs; picks post ${first?.id}, article ${first?.articleId} seq ${first?.seq})`,
  );
}

function printQueryPlan(path: string, now: Date): void {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db
      .prepare(`EXPLAIN QUERY PLAN ${NEXT_DUE_SQL}`)
      .all({ channel: 'x', now: now.getTime() }) as {
      id: number;
      parent: number;
      detail: string;
    }[];
    const depth = new Map<number, number>([[0, 0]]);
    print('  EXPLAIN QUERY PLAN of nextDue:');
    for (const row of rows) {
      const level = (depth.get(row.parent) ?? 0) + 1;
      depth.set(row.id, level);
      print(`  ${'  '.repeat(level)}${row.detail}`);
    }
  } finally {
    db.close();
  }
}

function posts(count: number, n: number): { text: string; length: number }[] {
  return Array.from({ length: count }, (_, i) => {
    const text = `${i + 1}/${count} ${TEXT}#${n}`;
    return { text, length: text.length };
  });
}

function ms(since: number): string {
  return (performance.now() - since).toFixed(0);
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runStoreBench();
}
