import { copyFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore } from '../../src/adapters/postgres/create-postgres-store.js';
import { createSqliteStore } from '../../src/adapters/sqlite/create-sqlite-store.js';
import { oauth2TokensKey } from '../../src/adapters/twitter/stored-oauth2-tokens.js';
import type { PostStore } from '../../src/ports/post-store.js';
import { enqueueArticle } from '../../src/use-cases/enqueue-article.js';
import { killArticle } from '../../src/use-cases/kill-article.js';
import { publishPost } from '../../src/use-cases/publish-post.js';
import { runChannelSlot } from '../../src/use-cases/run-channel-slot.js';
import { makeArticle } from '../helpers/articles.js';
import type { PostgresServer } from '../helpers/postgres-server.js';
import { isTweetPost } from '../helpers/publish-world.js';
import { type CliResult, runCliInProcess } from '../helpers/run-cli.js';
import { usePostgres } from '../helpers/shared-postgres.js';
import { createWorld, queued, TG_QUOTES, type World, X_QUOTES } from '../helpers/world.js';

/**
 * `quotecast migrate-store --from sqlite --to postgres` end to end: a SQLite store with a real
 * history (made by the use cases against the loopback fakes: sends, a retry, a rejection, a kill
 * with a take-down, a post left mid-send, alerts, tokens, a feed item, a pause, a preview) copied by
 * the CLI into a throwaway PostgreSQL server, then read back through both store adapters.
 */

const HOOK_TIMEOUT = 60_000;
const CHANNELS = ['x-quotes', 'tg-quotes'] as const;
const FEED = 'gazette';
const PREVIEW = 'preview-1';
const SETTING_KEYS = [oauth2TokensKey('x-quotes'), 'daemon.store-write-probe'];
const TABLES = [
  'articles',
  'posts',
  'attempts',
  'channel_state',
  'settings',
  'alerts',
  'alert_deliveries',
  'previews',
  'feeds',
  'feed_items',
] as const;
const PASSWORD = 'Pa55-w0rd-never-shown';

let server: PostgresServer;
let world: World;
let sqlitePath: string;
let env: Record<string, string>;
/** What the SQLite store answers, read once after the history was written. */
let before: Snapshot;
let maxIds: { articles: number; posts: number; alerts: number; feedItems: number };
let ids: { live: number; killed: number; inFlight: number; inFlightPost: number };

type Snapshot = Awaited<ReturnType<typeof snapshot>>;

/** Everything the port lets a daemon, the CLI or the bot read back, for every article, post and channel. */
async function snapshot(store: PostStore, now: Date) {
  const articles = [...(await store.listArticles(1000))].reverse();
  const trails = [];
  const posts = [];
  const attempts: Record<number, unknown> = {};
  for (const article of articles) {
    trails.push(await store.articleTrail(article.id));
    for (const post of await store.postsOfArticle(article.id)) {
      posts.push(post);
      attempts[post.id] = await store.attempts(post.id);
    }
  }
  const channels: Record<string, unknown> = {};
  for (const id of CHANNELS) {
    channels[id] = {
      state: await store.channelState(id),
      counts: await store.countsByState(id),
      upcoming: await store.upcoming(id, 100),
      nextDue: await store.nextDue(id, now),
      sentToday: await store.sentSince(id, new Date(now.getTime() - 86_400_000)),
    };
  }
  const settings: Record<string, string | undefined> = {};
  for (const key of SETTING_KEYS) settings[key] = await store.getSetting(key);
  return {
    articles,
    trails,
    posts,
    attempts,
    channels,
    settings,
    counts: await store.countsByState(),
    pendingAlerts: await store.pendingAlerts(100),
    countPendingAlerts: await store.countPendingAlerts(),
    feedState: await store.feedState(FEED),
    feedItems: await store.feedItemsOf(FEED),
    feedItemCounts: await store.feedItemCounts(FEED),
    feedItemByUrl: await store.feedItemByUrl('https://news.example/story-1'),
    articleByUrl: await store.articleIdByUrl(['https://news.example/story-1']),
    preview: await store.getPreview(PREVIEW),
    unknown: await store.postsInState('unknown', 100),
  };
}

async function withPg<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function pgRowCounts(url: string): Promise<Record<string, number>> {
  return await withPg(url, async (client) => {
    const counts: Record<string, number> = {};
    for (const table of TABLES)
      counts[table] = Number((await client.query(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0].n);
    return counts;
  });
}

function sqliteRowCounts(): Record<string, number> {
  const db = new Database(sqlitePath, { readonly: true, fileMustExist: true });
  try {
    return Object.fromEntries(
      TABLES.map((t) => [t, (db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n]),
    );
  } finally {
    db.close();
  }
}

const migrate = (
  args: readonly string[],
  options: { sqlite?: string; env?: Record<string, string> } = {},
): Promise<CliResult> =>
  runCliInProcess(
    [
      'migrate-store',
      '--from',
      'sqlite',
      '--to',
      'postgres',
      '--sqlite',
      options.sqlite ?? sqlitePath,
      ...args,
    ],
    {
      env: { ...env, ...options.env },
      cwd: world.dir.path,
      clock: world.clock,
    },
  );

const transcript = (run: CliResult) => `exit ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;

async function openPg(url: string): Promise<PostStore> {
  return await createPostgresStore({ url, instanceId: 'migrate-test-reader', now: () => world.clock.now() });
}

/** A port nothing listens on: bound by the system a moment ago, then closed. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** A newsroom's history in the SQLite store, written the way the daemon, the CLI and the bot write it. */
async function writeHistory(w: World): Promise<void> {
  const { deps, store } = w.runtime;
  const hour = 3_600_000;
  const live = queued(await w.enqueue(makeArticle(1)));
  // Sent on both platforms, with their remote ids.
  expect((await runChannelSlot(deps, 'x-quotes')).kind).toBe('published');
  expect((await runChannelSlot(deps, 'tg-quotes')).kind).toBe('published');
  // X answers 500 once: queued again with a next attempt time, then sent at the next slot (2 attempts).
  w.clock.advance(hour);
  w.x.failNext({ match: isTweetPost, fault: { kind: 'server-error' } });
  await runChannelSlot(deps, 'x-quotes');
  w.clock.advance(hour);
  await runChannelSlot(deps, 'x-quotes');
  // X refuses the next one for good: failed, and an alert is stored.
  w.clock.advance(hour);
  w.x.failNext({ match: isTweetPost, fault: { kind: 'bad-request' } });
  await runChannelSlot(deps, 'x-quotes');
  const xPosts = await store.postsOfArticle(live.articleId, 'x-quotes');
  expect(xPosts.map((p) => [p.state, p.attempts])).toEqual([
    ['sent', 1],
    ['sent', 2],
    ['failed', 1],
    ['queued', 0],
    ['queued', 0],
  ]);

  // An article sent once on X, then killed: the tweet is taken down, the rest dropped.
  w.clock.advance(hour);
  const killed = queued(await w.enqueue(makeArticle(2)));
  const [firstOfKilled] = await store.postsOfArticle(killed.articleId, 'x-quotes');
  expect((await publishPost(deps, firstOfKilled!.id)).kind).toBe('sent');
  w.clock.advance(60_000);
  const kill = await killArticle(deps, {
    articleId: killed.articleId,
    by: 'the command line',
    again: `quotecast kill ${killed.articleId}`,
  });
  expect(kill.kind).toBe('killed');
  expect(w.x.deletions).toHaveLength(1);

  // A post leased by the daemon and never finished (it stopped mid-send): copied as `sending`.
  const inFlight = queued(await w.enqueue(makeArticle(3), { channels: ['tg-quotes'] }));
  const inFlightPost = inFlight.postIds[0]!;
  expect(await store.lease(inFlightPost, w.clock.now())).toBeDefined();

  // A paused channel, refreshed OAuth 2.0 tokens, alerts (one still to deliver to a second chat).
  await store.pauseChannel('tg-quotes', 'editor on holiday', new Date(w.clock.now().getTime() + 2 * hour));
  await store.setSetting(
    oauth2TokensKey('x-quotes'),
    JSON.stringify({
      tokens: { accessToken: 'at-123', refreshToken: 'rt-456', expiresAt: 1_773_000_000_000 },
    }),
  );
  await store.setSetting('daemon.store-write-probe', w.clock.now().toISOString());
  const pending = await store.addAlert(
    { kind: 'info', text: 'feed "gazette" is failing', key: 'feed-failing:gazette', channelId: 'x-quotes' },
    w.clock.now(),
  );
  await store.recordAlertDelivery([pending!.id], '1001', 'delivered', w.clock.now());
  await store.addAlert({ kind: 'info', text: 'told once, long ago', key: 'told-once' }, w.clock.now(), {
    logOnly: true,
  });

  // A feed that queued the first article, and an /add preview waiting for a button.
  await store.saveFeedState({
    ...(await store.feedState(FEED)),
    etag: '"v1"',
    lastPollAt: w.clock.now(),
    lastSuccessAt: w.clock.now(),
    primed: true,
  });
  await store.addFeedItem({
    feedId: FEED,
    itemKey: 'guid-story-1',
    canonicalUrl: 'https://news.example/story-1',
    rawHash: 'raw-hash-1',
    title: 'Story number 1',
    bodyHash: 'body-hash-1',
    body: JSON.stringify(makeArticle(1).paragraphs),
    articleId: live.articleId,
    state: 'queued',
    now: w.clock.now(),
  });
  await store.savePreview(
    {
      id: PREVIEW,
      payload: '{"url":"https://news.example/story-9"}',
      createdBy: 1001,
      createdAt: w.clock.now(),
    },
    { expireBefore: new Date(w.clock.now().getTime() - hour), keep: 20 },
  );
  ids = { live: live.articleId, killed: killed.articleId, inFlight: inFlight.articleId, inFlightPost };
}

beforeAll(async () => {
  server = await usePostgres();
  world = await createWorld({ start: '2026-03-10T12:00:00Z', channels: [X_QUOTES, TG_QUOTES] });
  sqlitePath = world.dir.file('queue.db');
  await writeHistory(world);
  // The daemon is stopped before a migration (the copy takes the store's lock).
  await world.runtime.close();

  const settingsPath = world.dir.file('quotecast.yaml');
  writeFileSync(
    settingsPath,
    JSON.stringify({
      timezone: 'UTC',
      store: { path: sqlitePath },
      outbox: { path: world.dir.file('outbox.jsonl') },
      channels: [X_QUOTES, TG_QUOTES],
    }),
  );
  env = { QUOTECAST_CONFIG: settingsPath, HOME: world.dir.path, PATH: process.env['PATH'] ?? '' };

  const sqlite = createSqliteStore({ path: sqlitePath });
  try {
    before = await snapshot(sqlite, world.clock.now());
  } finally {
    await sqlite.close();
  }
  const raw = new Database(sqlitePath, { readonly: true });
  try {
    const max = (table: string) =>
      (raw.prepare(`SELECT MAX(id) AS id FROM ${table}`).get() as { id: number }).id;
    maxIds = {
      articles: max('articles'),
      posts: max('posts'),
      alerts: max('alerts'),
      feedItems: max('feed_items'),
    };
  } finally {
    raw.close();
  }
}, HOOK_TIMEOUT);

afterAll(async () => {
  await world?.close();
  await server?.stop();
}, HOOK_TIMEOUT);

describe('quotecast migrate-store --from sqlite --to postgres', () => {
  it('copies the whole history: PostgreSQL answers every read exactly as SQLite did', async () => {
    // The history is what it should be before anything is compared.
    expect(before.articles).toHaveLength(3);
    expect(before.counts).toEqual({ queued: 10, sending: 1, sent: 4, failed: 1, unknown: 0, skipped: 9 });
    expect(before.posts.filter((p) => p.state === 'sent').every((p) => p.remoteId)).toBe(true);
    expect(before.trails.find((t) => t?.article.id === ids.killed)?.killed?.by).toBe('the command line');
    expect(before.pendingAlerts).toHaveLength(1);
    expect(before.pendingAlerts[0]!.handledChats).toEqual(['1001']);
    expect(before.feedItems).toHaveLength(1);

    const url = await server.createDatabase();
    const run = await migrate(['--url', url]);
    expect(run.code, transcript(run)).toBe(0);
    // The report lists every table with the rows it copied: all of SQLite's.
    const counts = sqliteRowCounts();
    for (const table of TABLES) expect(run.stdout).toContain(`${table}: ${counts[table]} row(s)`);
    expect(await pgRowCounts(url)).toEqual(counts);

    const store = await openPg(url);
    try {
      const after = await snapshot(store, world.clock.now());
      // Field by field, one part at a time for readable failures, then all of it.
      expect(after.articles).toEqual(before.articles);
      expect(after.posts).toEqual(before.posts);
      expect(after.attempts).toEqual(before.attempts);
      expect(after.trails).toEqual(before.trails);
      expect(after.settings).toEqual(before.settings);
      expect(after.pendingAlerts).toEqual(before.pendingAlerts);
      expect(after).toEqual(before);
    } finally {
      await store.close();
    }
  });

  it('keeps the duplicate guards, and new articles, posts and alerts continue after the copied ids', async () => {
    const url = await server.createDatabase();
    const run = await migrate(['--url', url]);
    expect(run.code, transcript(run)).toBe(0);
    const store = await openPg(url);
    try {
      const channels = world.config.channels;
      const now = world.clock.now();
      const enqueue = async (n: number) =>
        (await enqueueArticle(store, { article: makeArticle(n), channels, approved: true, now })).result;

      expect(await enqueue(1)).toEqual({ kind: 'duplicate', articleId: ids.live, channelIds: [...CHANNELS] });
      expect(await enqueue(2)).toMatchObject({
        kind: 'duplicate',
        articleId: ids.killed,
        killed: { by: 'the command line' },
      });
      // The killed article cannot be queued again by its URL either (another text, same story).
      const rewritten = { ...makeArticle(2), paragraphs: ['A rewritten story 2, same address.'] };
      expect(
        (await enqueueArticle(store, { article: rewritten, channels, approved: true, now })).result,
      ).toMatchObject({ kind: 'duplicate', articleId: ids.killed });
      // Alert keys told before are not told again, delivered or not.
      expect(await store.addAlert({ kind: 'info', text: 'again', key: 'feed-failing:gazette' }, now)).toBe(
        undefined,
      );
      expect(await store.addAlert({ kind: 'info', text: 'again', key: 'told-once' }, now)).toBe(undefined);
      // The feed item stays found by its key: the next poll does not queue the story again.
      expect((await store.feedItemByKey(FEED, 'guid-story-1'))?.articleId).toBe(ids.live);

      const fresh = queued(await enqueue(4));
      expect(fresh.articleId).toBe(maxIds.articles + 1);
      expect(Math.min(...fresh.postIds)).toBe(maxIds.posts + 1);
      const alert = await store.addAlert({ kind: 'info', text: 'new', key: 'new-one' }, now);
      expect(alert?.id).toBe(maxIds.alerts + 1);
      const item = await store.addFeedItem({
        feedId: FEED,
        itemKey: 'guid-story-4',
        canonicalUrl: 'https://news.example/story-4',
        rawHash: 'raw-hash-4',
        title: 'Story number 4',
        articleId: fresh.articleId,
        state: 'queued',
        now,
      });
      expect(item.id).toBe(maxIds.feedItems + 1);

      // The post SQLite's daemon left mid-send has no holder on PostgreSQL: the first daemon there
      // takes it for reconciliation, as a restart would.
      expect((await store.markInterruptedAsUnknown(now)).map((p) => p.id)).toEqual([ids.inFlightPost]);
    } finally {
      await store.close();
    }
  });

  it('refuses a database that already holds a queue, and changes nothing in it', async () => {
    const url = await server.createDatabase();
    const first = await migrate(['--url', url]);
    expect(first.code, transcript(first)).toBe(0);
    const store = await openPg(url);
    try {
      // Work done on PostgreSQL since the first copy, which a second copy must not clobber.
      await store.setSetting('daemon.store-write-probe', 'written on postgres');
      const beforeSecond = await snapshot(store, world.clock.now());
      const rowsBefore = await pgRowCounts(url);

      const second = await migrate(['--url', url]);
      expect(second.code, transcript(second)).toBe(1);
      expect(second.stderr).toContain('empty database');
      expect(second.stderr).toContain('nothing was copied');
      expect(second.stdout).not.toMatch(/row\(s\)|done:/);

      expect(await pgRowCounts(url)).toEqual(rowsBefore);
      expect(await snapshot(store, world.clock.now())).toEqual(beforeSecond);
      expect(await store.getSetting('daemon.store-write-probe')).toBe('written on postgres');
    } finally {
      await store.close();
    }
  });

  it('says which server it cannot reach and never shows the password (--url or DATABASE_URL)', async () => {
    const port = await closedPort();
    const url = `postgres://quotecast:${PASSWORD}@127.0.0.1:${port}/newsroom`;
    for (const [name, args, extra] of [
      ['via-flag.db', ['--url', url], {}],
      // The same URL from the environment, as a deployment would set it.
      ['via-env.db', [], { DATABASE_URL: url }],
    ] as const) {
      // Each run on its own copy of the store (see the next test for what a failed run leaves behind).
      const copy = world.dir.file(name);
      copyFileSync(sqlitePath, copy);
      const run = await migrate(args, { sqlite: copy, env: extra });
      expect(run.code, transcript(run)).toBe(1);
      expect(run.stderr).toContain(`cannot reach PostgreSQL at 127.0.0.1:${port}/newsroom`);
      expect(run.stderr).toContain('start the server or fix store.url / DATABASE_URL');
      expect(run.stderr).toContain('nothing was copied');
      expect(run.stdout).toBe('');
      for (const shown of [run.stdout, run.stderr, run.log]) {
        expect(shown).not.toContain(PASSWORD);
        expect(shown).not.toContain(encodeURIComponent(PASSWORD));
      }
    }
  });

  it('leaves the SQLite store as it was and unlocked after a copy that failed', async () => {
    const copy = world.dir.file('after-failure.db');
    copyFileSync(sqlitePath, copy);
    const run = await migrate(['--url', `postgres://quotecast@127.0.0.1:${await closedPort()}/x`], {
      sqlite: copy,
    });
    expect(run.code, transcript(run)).toBe(1);

    const reader = createSqliteStore({ path: copy });
    try {
      expect(await snapshot(reader, world.clock.now())).toEqual(before);
    } finally {
      await reader.close();
    }
    // The daemon can start on it again (it takes the store's lock), as can a second try of the copy.
    const daemonStore = createSqliteStore({ path: copy, exclusive: true });
    await daemonStore.close();
  });
});
