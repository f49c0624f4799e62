import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createDaemon, type Daemon, type ScheduleTask } from '../../src/apps/daemon/create-daemon.js';
import type { HealthReport } from '../../src/apps/ops/health.js';
import { type OpsServer, startOpsServer } from '../../src/apps/ops/ops-server.js';
import { TELEGRAM_PACING } from '../../src/use-cases/pace-publisher.js';
import { DEFAULT_FAKE_TELEGRAM_TOKEN } from '../fakes/fake-telegram-api.js';
import { makeArticle } from '../helpers/articles.js';
import { childEnv, waitUntil, writeSettings } from '../helpers/quotecast-process.js';
import { startCliInProcess } from '../helpers/run-cli.js';
import { mountSmallDisk, type SmallDisk } from '../helpers/small-disk.js';
import { createTempDir } from '../helpers/temp-dir.js';
import { createWorld, queued, TG_QUOTES, type World, X_QUOTES } from '../helpers/world.js';

/**
 * /healthz and /metrics of a real daemon runtime (SQLite on a temp file, the real X and Telegram
 * clients against the loopback fakes), scraped over HTTP on 127.0.0.1. The channels' slots and the
 * daemon's heartbeat tick only when the test says so, and time is the fake clock's: a stalled
 * scheduler is a clock that moves with nothing ticking.
 */

/** The channels' slots and the heartbeat, ticked by hand. */
function manualTicks() {
  const slots = new Map<string, () => Promise<void>>();
  const beats: (() => void)[] = [];
  const schedule: ScheduleTask = (channel, onTick) => {
    slots.set(channel.id, onTick);
    return { stop: () => slots.delete(channel.id) };
  };
  return {
    schedule,
    heartbeat: (onBeat: () => void) => {
      beats.push(onBeat);
      return { stop: () => beats.splice(0) };
    },
    slot: (id: string) => slots.get(id)!(),
    beat: () => {
      for (const beat of beats) beat();
    },
  };
}

/** One sample of a Prometheus text exposition, by metric name and exact label set. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ?? '').match(/\w+="(?:[^"\\]|\\.)*"/g) ?? [];
    if (have.sort().join(',') === wanted) return Number(match[3]);
  }
  return undefined;
}

async function get(server: OpsServer, path: string) {
  const response = await fetch(`${server.url}${path}`);
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
}

async function health(server: OpsServer): Promise<{ status: number; report: HealthReport }> {
  const { status, body } = await get(server, '/healthz');
  return { status, report: JSON.parse(body) as HealthReport };
}

let world: World | undefined;
let daemon: Daemon | undefined;
let server: OpsServer | undefined;
let disk: SmallDisk | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
  await daemon?.stop();
  daemon = undefined;
  await world?.close();
  world = undefined;
  disk?.unmount();
  disk = undefined;
});

async function startDaemon(w: World, ticks: ReturnType<typeof manualTicks>): Promise<OpsServer> {
  world = w;
  daemon = createDaemon({
    deps: w.runtime.deps,
    channels: w.config.channels,
    schedule: ticks.schedule,
    heartbeat: ticks.heartbeat,
  });
  server = await startOpsServer({ host: '127.0.0.1', port: 0 }, w.runtime, daemon);
  await daemon.start();
  return server;
}

describe('/metrics', () => {
  it('counts posts by channel and state, the backlog, publish outcomes, rate limits, unknowns and alerts', async () => {
    const w = await createWorld({ start: '2026-03-10T12:00:00Z', channels: [X_QUOTES, TG_QUOTES] });
    const ticks = manualTicks();
    const ops = await startDaemon(w, ticks);
    const { articleId } = queued(await w.enqueue(makeArticle(1)));
    const xPosts = await w.posts(articleId, 'x-quotes');
    const tgPosts = await w.posts(articleId, 'tg-quotes');
    expect(xPosts.length).toBeGreaterThanOrEqual(4);
    expect(tgPosts.length).toBeGreaterThanOrEqual(4);

    // X answers the first post with a 429 (reset in 15 minutes); Telegram refuses its first one.
    w.x.failNext({ fault: { kind: 'rate-limit' } });
    // Its words quote the bot token, as a misbehaving proxy might: it must not reach /healthz.
    w.telegram.failNext({
      fault: {
        kind: 'bad-request',
        description: `Bad Request: bot${DEFAULT_FAKE_TELEGRAM_TOKEN} is confused`,
      },
    });
    await ticks.slot('x-quotes');
    await ticks.slot('tg-quotes');
    await ticks.slot('tg-quotes');
    w.clock.advance(16 * 60_000);
    await ticks.slot('x-quotes');
    // One post left unknown by a lost answer, and one alert waiting for an admin.
    const store = w.runtime.store;
    await store.lease(xPosts[2]!.id, w.clock.now());
    await store.markUnknown(xPosts[2]!.id, 'test: answer lost', w.clock.now());
    await store.addAlert({ kind: 'info', text: 'an alert nobody has read yet' }, w.clock.now());
    expect(w.x.tweets).toHaveLength(1);
    expect(w.telegram.sentMessages).toHaveLength(1);

    const scrape = await get(ops, '/metrics');
    expect(scrape.status).toBe(200);
    expect(scrape.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = scrape.body;
    const count = (channel: string, platform: string, outcome: string) =>
      sample(text, 'quotecast_publish_duration_seconds_count', { channel, platform, outcome });

    expect(sample(text, 'quotecast_posts', { channel: 'x-quotes', state: 'sent' })).toBe(1);
    expect(sample(text, 'quotecast_posts', { channel: 'x-quotes', state: 'unknown' })).toBe(1);
    expect(sample(text, 'quotecast_posts', { channel: 'x-quotes', state: 'queued' })).toBe(xPosts.length - 2);
    expect(sample(text, 'quotecast_posts', { channel: 'tg-quotes', state: 'failed' })).toBe(1);
    expect(sample(text, 'quotecast_posts', { channel: 'tg-quotes', state: 'sent' })).toBe(1);
    expect(sample(text, 'quotecast_posts', { channel: 'tg-quotes', state: 'queued' })).toBe(
      tgPosts.length - 2,
    );
    expect(sample(text, 'quotecast_queue_depth', { channel: 'x-quotes' })).toBe(xPosts.length - 2);
    expect(sample(text, 'quotecast_queue_depth', { channel: 'tg-quotes' })).toBe(tgPosts.length - 2);
    expect(count('x-quotes', 'twitter', 'rate-limited')).toBe(1);
    expect(count('x-quotes', 'twitter', 'sent')).toBe(1);
    expect(count('tg-quotes', 'telegram', 'rejected')).toBe(1);
    expect(count('tg-quotes', 'telegram', 'sent')).toBe(1);
    expect(sample(text, 'quotecast_rate_limit_waits_total', { channel: 'x-quotes' })).toBe(1);
    expect(sample(text, 'quotecast_rate_limit_waits_total', { channel: 'tg-quotes' })).toBe(0);
    expect(sample(text, 'quotecast_unknown_posts')).toBe(1);
    expect(sample(text, 'quotecast_alerts_pending')).toBe(await store.countPendingAlerts());
    expect(await store.countPendingAlerts()).toBe(1);
    expect(sample(text, 'quotecast_last_tick_timestamp_seconds')).toBe(w.clock.now().getTime() / 1000);
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);

    // A post held back for its retry is queued but not due: the backlog leaves it out until then.
    w.x.failNext({ fault: { kind: 'server-error', status: 503 } });
    await ticks.slot('x-quotes');
    const later = (await get(ops, '/metrics')).body;
    const { report } = await health(ops);
    expect(report.channels[1]!.lastError!.text).toContain('bot[redacted] is confused');
    expect(JSON.stringify(report)).not.toContain(DEFAULT_FAKE_TELEGRAM_TOKEN);
    expect(sample(later, 'quotecast_posts', { channel: 'x-quotes', state: 'queued' })).toBe(
      xPosts.length - 2,
    );
    expect(sample(later, 'quotecast_queue_depth', { channel: 'x-quotes' })).toBe(xPosts.length - 3);
    expect(
      sample(later, 'quotecast_publish_duration_seconds_count', {
        channel: 'x-quotes',
        platform: 'twitter',
        outcome: 'unavailable',
      }),
    ).toBe(1);
  });

  it("adds up the time posts waited for Telegram's pacing", async () => {
    const w = await createWorld({
      start: '2026-03-10T12:00:00Z',
      channels: [TG_QUOTES],
      pacing: TELEGRAM_PACING,
      autoAdvance: true,
    });
    const ticks = manualTicks();
    const ops = await startDaemon(w, ticks);
    queued(await w.enqueue(makeArticle(4)));
    // Back to back: the second post waits out the chat's one-second spacing, the third too.
    for (let slot = 0; slot < 3; slot += 1) await ticks.slot('tg-quotes');
    expect(w.telegram.sentMessages).toHaveLength(3);
    const text = (await get(ops, '/metrics')).body;
    expect(sample(text, 'quotecast_pacing_wait_seconds_total', { channel: 'tg-quotes' })).toBe(2);
  });

  it('keeps each daemon in its own registry and answers other paths with 404', async () => {
    const w = await createWorld({ start: '2026-03-10T12:00:00Z', channels: [X_QUOTES] });
    const ops = await startDaemon(w, manualTicks());
    const other = await createWorld({ start: '2026-03-10T12:00:00Z', channels: [TG_QUOTES] });
    try {
      const otherOps = await startOpsServer({ host: '127.0.0.1', port: 0 }, other.runtime, {
        health: () => ({
          startedAt: undefined,
          lastTick: undefined,
          storeFailure: undefined,
          slotsRunning: [],
        }),
      });
      try {
        const mine = (await get(ops, '/metrics')).body;
        const theirs = (await get(otherOps, '/metrics')).body;
        expect(sample(mine, 'quotecast_queue_depth', { channel: 'x-quotes' })).toBe(0);
        expect(sample(mine, 'quotecast_queue_depth', { channel: 'tg-quotes' })).toBeUndefined();
        expect(sample(theirs, 'quotecast_queue_depth', { channel: 'tg-quotes' })).toBe(0);
        expect(sample(theirs, 'quotecast_queue_depth', { channel: 'x-quotes' })).toBeUndefined();
        // Not started: the scheduler is not running, so that one is unhealthy.
        expect((await health(otherOps)).status).toBe(503);
      } finally {
        await otherOps.close();
      }
    } finally {
      await other.close();
    }
    expect((await get(ops, '/nope')).status).toBe(404);
    expect((await fetch(`${ops.url}/healthz`, { method: 'POST' })).status).toBe(405);
  });
});

describe('/healthz', () => {
  it('is 200 for an idle daemon that ticks, 503 once the scheduler has not ticked for too long', async () => {
    const w = await createWorld({ start: '2026-03-10T12:00:00Z', channels: [X_QUOTES, TG_QUOTES] });
    const ticks = manualTicks();
    const ops = await startDaemon(w, ticks);

    // Nothing queued, nothing due: idle, and healthy as long as the heartbeat comes.
    for (let minute = 0; minute < 20; minute += 1) {
      w.clock.advance(60_000);
      ticks.beat();
    }
    const idle = await health(ops);
    expect(idle.status).toBe(200);
    expect(idle.report).toMatchObject({
      status: 'ok',
      problems: [],
      store: { writable: true },
      scheduler: { ticking: true, lastTick: w.clock.now().toISOString(), secondsSinceLastTick: 0 },
    });
    expect(idle.report.channels.map((c) => [c.id, c.via, c.paused, c.lastSuccess])).toEqual([
      ['x-quotes', 'twitter', false, null],
      ['tg-quotes', 'telegram', false, null],
    ]);

    // Five minutes and a second with no heartbeat and no slot: stalled.
    w.clock.advance(5 * 60_000 + 1000);
    const stalled = await health(ops);
    expect(stalled.status).toBe(503);
    expect(stalled.report.status).toBe('unhealthy');
    expect(stalled.report.problems).toEqual(['scheduler stalled: no tick for 301 s']);
    expect(stalled.report.scheduler.ticking).toBe(false);

    // One beat and it is back.
    ticks.beat();
    expect((await health(ops)).status).toBe(200);
  });

  it("shows each channel's and platform's last success and last error, and paused channels, while healthy", async () => {
    const w = await createWorld({ start: '2026-03-10T12:00:00Z', channels: [X_QUOTES, TG_QUOTES] });
    const ticks = manualTicks();
    const ops = await startDaemon(w, ticks);
    queued(await w.enqueue(makeArticle(2)));
    await ticks.slot('x-quotes');
    const sentAt = w.clock.now().toISOString();
    w.clock.advance(60_000);
    w.x.failNext({ fault: { kind: 'rate-limit' } });
    await ticks.slot('x-quotes');
    w.telegram.failNext({ fault: { kind: 'unauthorized' } });
    await ticks.slot('tg-quotes');

    const { status, report } = await health(ops);
    expect(status).toBe(200);
    const [x, tg] = report.channels;
    expect(x).toMatchObject({
      id: 'x-quotes',
      paused: true,
      pauseReason: expect.stringMatching(/^rate limited until /),
      lastSuccess: sentAt,
      lastError: { at: w.clock.now().toISOString(), reason: 'rate-limited' },
    });
    expect(tg).toMatchObject({
      id: 'tg-quotes',
      paused: true,
      pausedUntil: null,
      lastSuccess: null,
      lastError: { reason: 'auth' },
    });
    expect(report.platforms['twitter']).toMatchObject({
      lastSuccess: sentAt,
      lastError: { channel: 'x-quotes' },
    });
    expect(report.platforms['telegram']).toMatchObject({
      lastSuccess: null,
      lastError: { channel: 'tg-quotes' },
    });
    // The fake's bot token is a secret: it never appears, even where Telegram's words are quoted.
    expect(JSON.stringify(report)).not.toContain(DEFAULT_FAKE_TELEGRAM_TOKEN);
    expect(tg!.lastError!.text.length).toBeLessThanOrEqual(200);

    // Once X's reset time has passed, the channel is no longer shown as paused (its next slot goes).
    w.clock.advance(16 * 60_000);
    ticks.beat();
    const after = await health(ops);
    expect(after.report.channels.map((c) => [c.id, c.paused])).toEqual([
      ['x-quotes', false],
      ['tg-quotes', true],
    ]);
  });

  it('is 503 while a slot has been publishing for over 15 minutes (a request that never ends)', async () => {
    const w = await createWorld({
      start: '2026-03-10T12:00:00Z',
      channels: [X_QUOTES],
      settings: { publishTimeoutMs: 120_000 },
    });
    const ticks = manualTicks();
    const ops = await startDaemon(w, ticks);
    queued(await w.enqueue(makeArticle(3)));
    w.x.failNext({ fault: { kind: 'hang' } });
    const slot = ticks.slot('x-quotes');
    await waitUntil(() => w.x.requests.some((r) => r.path === '/2/tweets'), 'the post to reach X');

    const busy = await health(ops);
    expect(busy.status).toBe(200);
    expect(busy.report.scheduler.slotsRunning).toEqual([
      { channel: 'x-quotes', since: w.clock.now().toISOString(), seconds: 0 },
    ]);
    // The heartbeat goes on, but the channel's slot does not end.
    for (let minute = 0; minute < 16; minute += 1) {
      w.clock.advance(60_000);
      ticks.beat();
    }
    const stuck = await health(ops);
    expect(stuck.status).toBe(503);
    expect(stuck.report.problems).toEqual(['slot of channel x-quotes stuck: publishing for 960 s']);
    // The fake goes away, the request fails, the slot ends.
    await w.x.close();
    await slot;
    expect((await health(ops)).status).toBe(200);
  });

  it('is 503 while the disk holding the store is full, and 200 again once there is room', async () => {
    disk = mountSmallDisk('quotecast-ops-full-disk-');
    const storePath = disk.file('queue.db');
    const w = await createWorld({
      start: '2026-03-10T12:00:00Z',
      channels: [X_QUOTES],
      settings: { store: { path: storePath } },
    });
    const ops = await startDaemon(w, manualTicks());
    expect((await health(ops)).status).toBe(200);

    // Empty the write-ahead log, so the next write has to grow a file, then fill the disk.
    const checkpoint = new Database(storePath);
    checkpoint.pragma('wal_checkpoint(TRUNCATE)');
    checkpoint.close();
    const filler = disk.fill('filler');

    const full = await health(ops);
    expect(full.status).toBe(503);
    expect(full.report.store.writable).toBe(false);
    expect(full.report.store.problem).toContain(`no space left on the disk holding ${storePath}`);
    expect(full.report.problems).toEqual([`store cannot be written: ${full.report.store.problem}`]);
    // The scheduler itself is fine: only the store is named.
    expect(full.report.scheduler.ticking).toBe(true);

    rmSync(filler);
    expect((await health(ops)).status).toBe(200);
  });
});

/**
 * `quotecast start` in the test's own process when the port is taken: publishing matters more than
 * monitoring, so the daemon runs without the endpoints, and says so to the log and the admins.
 * Serving the endpoints from a real `start` and stopping it with SIGTERM is in
 * test/contract/ops-process.test.ts.
 */
describe('quotecast start (in process)', () => {
  it('keeps publishing without the endpoints when the port is in use, and says so (log and alert)', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    const dir = createTempDir('quotecast-ops-start-');
    try {
      const store = dir.file('data/queue.db');
      const configPath = writeSettings(dir.path, {
        store: { path: store },
        outbox: { path: dir.file('data/outbox.jsonl') },
        ops: { port },
        channels: [{ id: 'x-main', platform: 'twitter', schedule: '0 9 * * *' }],
      });
      const run = startCliInProcess(['start', '--no-example'], {
        env: childEnv({ QUOTECAST_CONFIG: configPath }),
        cwd: dir.path,
      });
      await waitUntil(() => run.stderr().includes('quotecast is running'), 'the daemon to run');
      expect(run.stderr()).toContain(
        `WARNING health and metrics cannot listen on 127.0.0.1:${port}: the port is in use`,
      );
      expect(run.stderr()).toContain('publishing goes on without health and metrics');
      run.stop('SIGTERM');
      const result = await run.done;
      expect(result.code).toBe(0);
      expect(result.stderr).toContain('stopped cleanly');
      // The admins hear of it too: the alert waits in the outbox for the bot.
      const db = new Database(store, { readonly: true });
      try {
        const texts = db.prepare('SELECT text FROM alerts').all() as { text: string }[];
        expect(texts.map((t) => t.text).join('\n')).toContain(
          'quotecast started without its health and metrics endpoints',
        );
      } finally {
        db.close();
      }
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
      dir.remove();
    }
  });
});
