import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDaemon, type Daemon, type ScheduleTask } from '../../src/apps/daemon/create-daemon.js';
import { checkHealth } from '../../src/apps/ops/health.js';
import { buildRuntime, type Runtime } from '../../src/apps/runtime/build-runtime.js';
import { type Config, loadConfig } from '../../src/config/load-config.js';
import type { Logger } from '../../src/ports/logger.js';
import type { AdminAlert } from '../../src/ports/notifier.js';
import type { StoredPost } from '../../src/ports/post-store.js';
import { enqueueArticle } from '../../src/use-cases/enqueue-article.js';
import type { SlotResult } from '../../src/use-cases/run-channel-slot.js';
import { createFakeTelegramApi, type FakeTelegramApi } from '../fakes/fake-telegram-api.js';
import { createFakeXApi, type FakeXApi } from '../fakes/fake-x-api.js';
import { makeArticle } from '../helpers/articles.js';
import { createFakeClock, type FakeClock } from '../helpers/fake-clock.js';
import type { PostgresServer } from '../helpers/postgres-server.js';
import { isSend, isTweetPost } from '../helpers/publish-world.js';
import { waitUntil } from '../helpers/quotecast-process.js';
import { createSeededRandom } from '../helpers/seeded-random.js';
import { usePostgres } from '../helpers/shared-postgres.js';
import { createTempDir, type TempDir } from '../helpers/temp-dir.js';
import { fakeCredentials, NO_PACING, queued, TG_QUOTES, X_QUOTES } from '../helpers/world.js';

/**
 * Two daemons sharing one PostgreSQL queue (issue 14): each with its own runtime, store connection
 * and instance, built by the real composition root from DATABASE_URL, publishing through the real
 * twitter-api-v2 and telegraf publishers to one pair of loopback fakes. Their schedules and
 * heartbeats tick when the test says, both at once; time is one fake clock.
 */

const HOOK_TIMEOUT = 60_000;
const START = '2026-03-10T12:00:00Z';
const HOUR = 3_600_000;
const LEASE_SECONDS = 30;
const SETTLE_SECONDS = 60;
const CHANNELS = ['x-quotes', 'tg-quotes'] as const;

let server: PostgresServer;

beforeAll(async () => {
  server = await usePostgres();
}, HOOK_TIMEOUT);

afterAll(() => server?.stop(), HOOK_TIMEOUT);

interface Node {
  readonly name: string;
  readonly runtime: Runtime;
  readonly daemon: Daemon;
  /** Fires this daemon's schedule for a channel, as croner would at the slot. */
  tick(channelId: string): Promise<void>;
  /** One heartbeat of this daemon (the daemon's own beat: lease renewal, take-over). */
  beat(): Promise<void>;
  /** Every slot this daemon ran (claimed), with the round it was fired in. */
  readonly ran: { channelId: string; round: number; result: SlotResult }[];
  readonly warnings: { message: string; fields: Record<string, unknown> | undefined }[];
}

interface Cluster {
  readonly clock: FakeClock;
  readonly x: FakeXApi;
  readonly telegram: FakeTelegramApi;
  readonly config: Config;
  readonly alerts: AdminAlert[];
  readonly a: Node;
  readonly b: Node;
  round: number;
}

let cluster: Cluster | undefined;
let dir: TempDir | undefined;

afterEach(async () => {
  const c = cluster;
  cluster = undefined;
  if (c) {
    await Promise.all([c.a.daemon.stop(), c.b.daemon.stop()]);
    await Promise.all([c.a.runtime.close(), c.b.runtime.close()]);
    await Promise.all([c.x.close(), c.telegram.close()]);
  }
  dir?.remove();
  dir = undefined;
});

function recordingLogger(warnings: Node['warnings']): Logger {
  const noop = () => {};
  return {
    info: noop,
    debug: noop,
    error: (message, fields) => warnings.push({ message: `error: ${message}`, fields }),
    warn: (message, fields) => warnings.push({ message, fields }),
  };
}

/** Two daemons on one new database, started (each reconciles, registers and schedules). */
async function startCluster(): Promise<Cluster> {
  const url = await server.createDatabase();
  const clock = createFakeClock(START);
  const x = createFakeXApi({ now: () => clock.now() });
  const telegram = createFakeTelegramApi({ now: () => clock.now() });
  await Promise.all([x.start(), telegram.start()]);
  dir = createTempDir('quotecast-shared-');
  const outcome = loadConfig({
    cwd: dir.path,
    env: {
      ...fakeCredentials(),
      TWITTER_API_ROOT: x.url,
      TELEGRAM_API_ROOT: telegram.url,
      // As a deployment points every daemon at the shared queue.
      DATABASE_URL: url,
    },
    settings: {
      timezone: 'UTC',
      store: { path: dir.file('never-used.db'), leaseSeconds: LEASE_SECONDS },
      outbox: { path: dir.file('outbox.jsonl') },
      publishTimeoutMs: 2000,
      retry: { settleSeconds: SETTLE_SECONDS },
      channels: [X_QUOTES, TG_QUOTES],
    },
  });
  if (!outcome.ok) throw new Error(`test config is invalid:\n${outcome.problems.join('\n')}`);
  const config = outcome.config;
  expect(config.settings.store.url).toBe(url);
  const alerts: AdminAlert[] = [];
  const partial: Pick<Cluster, 'round'> = { round: 0 };

  const node = async (name: string, seed: number): Promise<Node> => {
    const warnings: Node['warnings'] = [];
    const runtime = buildRuntime(config, {
      exclusive: true,
      clock,
      logger: recordingLogger(warnings),
      random: createSeededRandom(seed),
      pacing: NO_PACING,
    });
    runtime.setNotifier({ alert: async (alert) => void alerts.push(alert) });
    const ticks = new Map<string, () => Promise<void>>();
    const schedule: ScheduleTask = (channel, onTick) => {
      ticks.set(channel.id, onTick);
      return { stop: () => ticks.delete(channel.id) };
    };
    let onBeat: (() => void | Promise<void>) | undefined;
    const ran: Node['ran'] = [];
    const daemon = createDaemon({
      deps: runtime.deps,
      channels: config.channels,
      schedule,
      heartbeat: (beat) => {
        onBeat = beat;
        return { stop: () => (onBeat = undefined) };
      },
      onSlot: (channel, result) => void ran.push({ channelId: channel.id, round: partial.round, result }),
    });
    await daemon.start();
    return {
      name,
      runtime,
      daemon,
      ran,
      warnings,
      tick: async (channelId) => {
        const tick = ticks.get(channelId);
        if (!tick) throw new Error(`${name}: channel ${channelId} is not scheduled`);
        await tick();
      },
      beat: async () => {
        if (!onBeat) throw new Error(`${name}: no heartbeat running`);
        await onBeat();
      },
    };
  };
  const [a, b] = await Promise.all([node('A', 1), node('B', 2)]);
  cluster = Object.assign(partial, { clock, x, telegram, config, alerts, a: a!, b: b! });
  return cluster;
}

async function enqueue(c: Cluster, n: number, channels: readonly string[] = CHANNELS) {
  const { result } = await enqueueArticle(c.a.runtime.store, {
    article: makeArticle(n),
    channels: c.config.channels.filter((ch) => channels.includes(ch.id)),
    approved: true,
    now: c.clock.now(),
  });
  return queued(result);
}

/** Every post of these articles on a channel, in publishing order, as the shared store has them now. */
async function postsOn(c: Cluster, articleIds: readonly number[], channelId: string): Promise<StoredPost[]> {
  const posts: StoredPost[] = [];
  for (const id of articleIds) posts.push(...(await c.b.runtime.store.postsOfArticle(id, channelId)));
  return posts;
}

const tweetTexts = (c: Cluster) =>
  c.x.requests.filter(isTweetPost).map((r) => (r.body as { text: string }).text);

describe('two daemons on one PostgreSQL queue', () => {
  it('publish every post exactly once, one post per channel per slot, whichever daemon wins the slot', async () => {
    const c = await startCluster();
    expect(c.a.runtime.store.shared).toBe(true);
    expect(c.a.runtime.store.instanceId).not.toBe(c.b.runtime.store.instanceId);
    const articles = [(await enqueue(c, 1)).articleId, (await enqueue(c, 2)).articleId];
    const queue = {
      'x-quotes': await postsOn(c, articles, 'x-quotes'),
      'tg-quotes': await postsOn(c, articles, 'tg-quotes'),
    };
    const slots = 10;
    expect(queue['x-quotes']).toHaveLength(slots);
    expect(queue['tg-quotes']).toHaveLength(slots);

    for (let round = 0; round < slots + 1; round++) {
      c.round = round;
      await Promise.all([c.a.beat(), c.b.beat()]);
      // Both daemons' schedules fire at the same instant for both channels.
      await Promise.all(CHANNELS.flatMap((id) => [c.a.tick(id), c.b.tick(id)]));
      c.clock.advance(HOUR);
    }

    // Each slot ran on exactly one daemon per channel and published exactly one post there; the
    // extra round found the queue empty.
    const ran = [...c.a.ran, ...c.b.ran];
    for (const channelId of CHANNELS) {
      for (let round = 0; round < slots; round++) {
        const runs = ran.filter((r) => r.channelId === channelId && r.round === round);
        expect(runs, `${channelId} slot ${round}`).toHaveLength(1);
        expect(runs[0]!.result.kind, `${channelId} slot ${round}`).toBe('published');
        const outcomes = runs[0]!.result.kind === 'published' ? runs[0]!.result.outcomes : [];
        expect(outcomes.map((o) => o.kind)).toEqual(['sent']);
      }
      const last = ran.filter((r) => r.channelId === channelId && r.round === slots);
      expect(last.map((r) => r.result)).toEqual([{ kind: 'idle', why: 'nothing-due' }]);
    }

    // The platforms got each post once (requests, not only accepted ones), in queue order.
    expect(tweetTexts(c)).toEqual(queue['x-quotes'].map((p) => p.text));
    expect(c.x.tweets.map((t) => t.text)).toEqual(queue['x-quotes'].map((p) => p.text));
    expect(c.telegram.calls.filter(isSend)).toHaveLength(slots);
    expect(c.telegram.sentMessages.map((m) => m.shownText)).toEqual(queue['tg-quotes'].map((p) => p.text));

    // The shared store recorded each send once, with the platform's id, by one attempt.
    const tweetIds = c.x.tweets.map((t) => t.id);
    const xAfter = await postsOn(c, articles, 'x-quotes');
    expect(xAfter.map((p) => [p.state, p.attempts, p.remoteId])).toEqual(
      tweetIds.map((id) => ['sent', 1, id]),
    );
    const tgAfter = await postsOn(c, articles, 'tg-quotes');
    expect(tgAfter.map((p) => [p.state, p.attempts])).toEqual(tgAfter.map(() => ['sent', 1]));
    expect(new Set(tgAfter.map((p) => p.remoteId)).size).toBe(slots);
    expect(await c.a.runtime.store.countsByState()).toMatchObject({ sending: 0, unknown: 0, queued: 0 });
    expect(c.alerts).toEqual([]);
    expect([...c.a.warnings, ...c.b.warnings]).toEqual([]);
  }, 30_000);

  it("takes over the posts a dead daemon left sending once its lease ran out, and never a live one's", async () => {
    const c = await startCluster();
    const { articleId } = await enqueue(c, 3);
    const [x1, x2, x3] = await postsOn(c, [articleId], 'x-quotes');
    const [tg1, tg2] = await postsOn(c, [articleId], 'tg-quotes');
    await Promise.all([c.a.beat(), c.b.beat()]);
    const diedAt = c.clock.now().getTime();

    // A takes three posts to send (they are `sending`, held by A), then dies mid-send: its
    // heartbeat stops and it never records an outcome. x1 did reach X; x2 and tg1 did not.
    for (const post of [x1!, x2!, tg1!])
      expect(await c.a.runtime.store.lease(post.id, c.clock.now())).toMatchObject({ state: 'sending' });
    const arrived = c.x.addTweet(x1!.text);
    const stateOf = async (post: StoredPost) => (await c.b.runtime.store.getPost(post.id))!.state;

    // Within A's lease B leaves them alone: A may still be sending them.
    c.clock.set(new Date(diedAt + LEASE_SECONDS * 1000 - 1000));
    await c.b.beat();
    expect(await Promise.all([x1!, x2!, tg1!].map(stateOf))).toEqual(['sending', 'sending', 'sending']);
    // Nor does B's slot run them: it goes on with the next post of each channel.
    const nextOnB = await Promise.all(CHANNELS.map((id) => c.b.daemon.runNow(id)));
    expect(
      nextOnB.map((r) =>
        r.kind === 'published' ? r.outcomes.map((o) => [o.kind, 'post' in o ? o.post.id : o.postId]) : r,
      ),
    ).toEqual([[['sent', x3!.id]], [['sent', tg2!.id]]]);

    // Once the lease has run out, B's next heartbeat takes them over with the rules of a restart.
    c.clock.set(new Date(diedAt + LEASE_SECONDS * 1000 + 1000));
    await c.b.beat();
    // x1 is on X's timeline: recorded as sent with its id, never sent again.
    expect(await c.b.runtime.store.getPost(x1!.id)).toMatchObject({ state: 'sent', remoteId: arrived.id });
    // x2 is not there yet, but its request may still land: it waits for the settle grace.
    expect(await stateOf(x2!)).toBe('unknown');
    // Telegram cannot be asked what it has: an admin decides.
    expect(await stateOf(tg1!)).toBe('unknown');
    expect(c.alerts).toEqual([expect.objectContaining({ kind: 'unknown', postId: tg1!.id })]);
    expect(c.b.warnings.map((w) => w.message)).toContain('taking over posts a stopped daemon left sending');
    const taken = c.b.warnings.find((w) => w.message.startsWith('taking over'))?.fields?.['posts'];
    expect([...(taken as number[])].sort((m, n) => m - n)).toEqual(
      [x1!.id, x2!.id, tg1!.id].sort((m, n) => m - n),
    );
    expect(c.a.warnings).toEqual([]);
    // Taking over only read the platforms.
    expect(tweetTexts(c)).toEqual([x3!.text]);

    // The grace passes (counted from A's send): x2 is still not on X, so it is queued again…
    c.clock.set(new Date(diedAt + SETTLE_SECONDS * 1000));
    await waitUntil(async () => (await stateOf(x2!)) === 'queued', 'x2 to be queued again after the grace');
    // …at its place in the queue, and the next slot sends it, once.
    c.clock.set(new Date(Date.parse(START) + HOUR));
    // A live daemon beats every third of its lease; one that has not beaten for longer runs no slot
    // and leases nothing (the others may already count it dead), leaving the slot to them.
    await c.b.tick('x-quotes');
    expect(tweetTexts(c)).toEqual([x3!.text]);
    expect(await stateOf(x2!)).toBe('queued');
    // /healthz says so, though the daemon's timers tick.
    const stale = await checkHealth(c.b.runtime, c.b.daemon.health());
    expect(stale.problems).toContainEqual(
      expect.stringMatching(/^heartbeats to the shared store are not getting through/),
    );
    await c.b.beat();
    expect((await checkHealth(c.b.runtime, c.b.daemon.health())).problems).not.toContainEqual(
      expect.stringMatching(/heartbeats to the shared store/),
    );
    await c.b.tick('x-quotes');
    expect(tweetTexts(c)).toEqual([x3!.text, x2!.text]);
    expect(c.x.tweets.filter((t) => t.text === x1!.text)).toEqual([arrived]);
    expect(await c.b.runtime.store.getPost(x2!.id)).toMatchObject({ state: 'sent', attempts: 2 });
    expect((await c.b.runtime.store.attempts(x2!.id)).map((a) => a.outcome)).toEqual(['unknown', 'sent']);
    // tg1 stays with the admin; the channel went on without it.
    expect(await stateOf(tg1!)).toBe('unknown');
    expect(c.telegram.sentMessages.map((m) => m.shownText)).toEqual([tg2!.text]);
    expect(await c.b.runtime.store.countsByState()).toMatchObject({ sending: 0 });
  }, 30_000);

  it('settles an X post of unknown outcome even when the daemon that took it over dies before looking again', async () => {
    const c = await startCluster();
    const { articleId } = await enqueue(c, 4);
    const [x1, x2] = await postsOn(c, [articleId], 'x-quotes');
    await Promise.all([c.a.beat(), c.b.beat()]);
    const start = c.clock.now().getTime();
    const stateOf = async (post: StoredPost) => (await c.b.runtime.store.getPost(post.id))!.state;

    // A post was left unknown (its daemon died mid-send); A took it over and waits for the grace
    // before looking for it on X again, but A dies too before then.
    for (const post of [x1!, x2!]) await c.b.runtime.store.lease(post.id, c.clock.now());
    await c.b.runtime.store.markInterruptedAsUnknown(new Date(start + 10 * LEASE_SECONDS * 1000));
    expect(await Promise.all([x1!, x2!].map(stateOf))).toEqual(['unknown', 'unknown']);
    // Meanwhile x1 shows up on X's timeline; x2 never does.
    const arrived = c.x.addTweet(x1!.text);

    // B, alive all along, looks at unknown posts once per lease period (three heartbeats, 90 s
    // here); past the grace, x1 is found and recorded, x2 is queued again.
    c.clock.set(new Date(start + 89_000));
    await c.b.beat();
    expect(await Promise.all([x1!, x2!].map(stateOf))).toEqual(['unknown', 'unknown']);
    c.clock.set(new Date(start + 91_000));
    await c.b.beat();
    await waitUntil(async () => (await stateOf(x2!)) === 'queued', 'x2 to be queued again by B');
    expect(await c.b.runtime.store.getPost(x1!.id)).toMatchObject({ state: 'sent', remoteId: arrived.id });
    expect(tweetTexts(c)).toEqual([]);
  }, 30_000);
});
