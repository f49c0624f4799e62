import { mkdirSync, writeFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { buildFeedDeps } from '../../src/apps/daemon/feed-polling.js';
import { buildRuntime } from '../../src/apps/runtime/build-runtime.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { DocumentParser } from '../../src/ports/document-parser.js';
import { createSilentLogger } from '../../src/ports/logger.js';
import { setFeedPaused } from '../../src/use-cases/feed-actions.js';
import { pollFeed } from '../../src/use-cases/poll-feed.js';
import type { FakeFeedServer } from '../fakes/fake-feed-server.js';
import { rss, story } from '../fixtures/feeds/feed-documents.js';
import { startAdminBotWorld } from '../helpers/admin-bot-world.js';
import type { FakeClock } from '../helpers/fake-clock.js';
import { useFeedTestbed } from '../helpers/feed-testbed.js';
import { runCliInProcess } from '../helpers/run-cli.js';
import type { TempDir } from '../helpers/temp-dir.js';

/**
 * Feed health in `quotecast status` (text and JSON) and in the bot's /status: a healthy feed, one
 * failing three polls in a row (flagged) whose URL carries a key that must not show, a paused one
 * and a disabled one. Real polls against the fake feed server, the real store, the CLI in process,
 * the bot against the fake Telegram.
 */

const KEY = 's3cret-feed-key-4242';
const PASSWORD = 'pa55-w0rd-secret';
let parser: DocumentParser;
let server: FakeFeedServer;
let dir: TempDir;
let clock: FakeClock;

useFeedTestbed({ dirPrefix: 'quotecast-status-feeds-', start: '2026-02-01T10:03:00Z' }, (bed) => {
  ({ parser, server, dir, clock } = bed);
});
beforeEach(() => {
  server.routes.set('/news.xml', { body: rss([story(1, server.url)], server.url) });
  server.routes.set('/wire.xml', { status: 500 });
  server.routes.set('/quiet.xml', { body: rss([story(5, server.url)], server.url) });
});

function settings() {
  const wire = new URL(`${server.url}/wire.xml?token=${KEY}`);
  wire.username = 'reader';
  wire.password = PASSWORD;
  const feed = (id: string, url: string, extra: Record<string, unknown> = {}) => ({
    id,
    url,
    channels: ['x-main'],
    approval: 'auto',
    ...extra,
  });
  return {
    timezone: 'UTC',
    store: { path: dir.file('quotecast.db') },
    outbox: { path: dir.file('outbox.jsonl') },
    input: { allowInternalHosts: ['127.0.0.1'] },
    channels: [{ id: 'x-main', platform: 'twitter', schedule: '0 9 * * *', dailyCap: 100 }],
    feeds: [
      feed('news', `${server.url}/news.xml`),
      feed('wire', wire.href, { schedule: '*/15 * * * *' }),
      feed('quiet', `${server.url}/quiet.xml`),
      feed('off', `${server.url}/off.xml`, { enabled: false }),
    ],
  };
}

function writeSettingsFile(): string {
  mkdirSync(dir.file('config'), { recursive: true });
  writeFileSync(dir.file('config/quotecast.yaml'), stringify(settings()));
  return dir.path;
}

const cli = (cwd: string, argv: string[]) => runCliInProcess(argv, { env: {}, cwd, parser, clock });

interface FeedJson {
  id: string;
  enabled: boolean;
  paused: boolean;
  state: string;
  lastPollAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  failures: number;
  flagged: boolean;
  nextPollAt: string | null;
  queued: number;
  held: number;
}

describe('feed health in status', () => {
  it('quotecast status shows each feed, flags one failing 3 polls in a row, and never its key', async () => {
    const cwd = writeSettingsFile();
    // First polls: news and quiet are primed (nothing queued), wire fails.
    for (const id of ['news', 'wire', 'quiet']) await cli(cwd, ['feeds', 'poll', id]);
    // news lists a new story; wire fails twice more.
    server.routes.set('/news.xml', { body: rss([story(1, server.url), story(2, server.url)], server.url) });
    clock.advance(60_000);
    await cli(cwd, ['feeds', 'poll', 'news']);
    await cli(cwd, ['feeds', 'poll', 'wire']);
    clock.advance(60_000);
    await cli(cwd, ['feeds', 'poll', 'wire']);
    // An admin paused quiet.
    const loaded = loadConfig({ cwd, env: {} });
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    const runtime = buildRuntime(loaded.config, { exclusive: false, clock, logger: createSilentLogger() });
    try {
      expect((await setFeedPaused(runtime.store, loaded.config.settings.feeds, 'quiet', true)).ok).toBe(true);
    } finally {
      await runtime.close();
    }

    const json = await cli(cwd, ['status', '--format', 'json']);
    expect(json.code, json.stderr).toBe(0);
    expect(json.stdout).not.toContain(KEY);
    expect(json.stdout).not.toContain(PASSWORD);
    const feeds = (JSON.parse(json.stdout) as { feeds: FeedJson[] }).feeds;
    const byId = new Map(feeds.map((f) => [f.id, f]));
    expect(feeds.map((f) => f.id)).toEqual(['news', 'wire', 'quiet', 'off']);
    expect(byId.get('news')).toEqual({
      id: 'news',
      enabled: true,
      paused: false,
      state: 'ok',
      lastPollAt: '2026-02-01T10:04:00.000Z',
      lastSuccessAt: '2026-02-01T10:04:00.000Z',
      lastError: null,
      failures: 0,
      flagged: false,
      // Every 10 minutes (the default schedule).
      nextPollAt: '2026-02-01T10:10:00.000Z',
      queued: 1,
      held: 0,
    });
    const wire = byId.get('wire')!;
    expect(wire).toMatchObject({
      state: 'failing',
      failures: 3,
      flagged: true,
      lastPollAt: '2026-02-01T10:05:00.000Z',
      lastSuccessAt: null,
      queued: 0,
    });
    // Backoff after the third failure: 4 minutes (until 10:09); the next tick of */15 after it.
    expect(wire.nextPollAt).toBe('2026-02-01T10:15:00.000Z');
    expect(wire.lastError).toBe(
      `http://127.0.0.1:${new URL(server.url).port}/wire.xml?…: the server answered 500 Internal Server Error`,
    );
    expect(byId.get('quiet')).toMatchObject({ state: 'paused', paused: true, nextPollAt: null });
    expect(byId.get('off')).toMatchObject({
      state: 'disabled',
      enabled: false,
      lastPollAt: null,
      nextPollAt: null,
    });

    const text = await cli(cwd, ['status']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).not.toContain(KEY);
    expect(text.stdout).not.toContain(PASSWORD);
    const section = text.stdout.slice(text.stdout.indexOf('\nfeeds:\n'));
    expect(section).toContain(
      '  news: ok; last poll 2026-02-01 10:04Z, last success 2026-02-01 10:04Z, next poll 2026-02-01 10:10Z; items queued 1',
    );
    expect(section).toContain(
      '  wire: FAILING (3 polls in a row); last poll 2026-02-01 10:05Z, last success never, next poll 2026-02-01 10:15Z; items queued 0',
    );
    expect(section).toMatch(
      /\n {4}last error: http:\/\/127\.0\.0\.1:\d+\/wire\.xml\?…: the server answered 500/,
    );
    expect(section).toContain('  quiet: paused; last poll 2026-02-01 10:03Z');
    expect(section).toContain(
      '  off: disabled in the settings; last poll never, last success never; items queued 0',
    );
  });

  it("the bot's /status has one line per feed in trouble, without the key", async () => {
    const world = await startAdminBotWorld({ settings: settings() });
    try {
      const deps = buildFeedDeps(world.runtime, parser);
      for (const feed of world.runtime.config.settings.feeds.filter((f) => f.enabled))
        await pollFeed(deps, feed, { ignoreBackoff: true });
      const wire = world.runtime.config.settings.feeds.find((f) => f.id === 'wire')!;
      await pollFeed(deps, wire, { ignoreBackoff: true });

      world.fake.pushMessage({ text: '/status' });
      const reply = await world.fake.waitFor((m) => m.shownText.startsWith('Status'), 10_000);
      const feedLines = reply.shownText.split('\n').filter((line) => line.includes('feed '));
      expect(feedLines).toHaveLength(1);
      expect(feedLines[0]).toMatch(
        /^⚠️ feed wire: failing, 2 poll\(s\) in a row: http:\/\/127\.0\.0\.1:\d+\/wire\.xml\?…: the server answered 500 Internal Server Error; next try after /,
      );
      expect(reply.text).not.toContain(KEY);
      expect(reply.text).not.toContain(PASSWORD);
      expect(reply.text).toContain('⚠️ feed <b>wire</b>: <b>failing</b>');
    } finally {
      await world.stop();
    }
  });
});
