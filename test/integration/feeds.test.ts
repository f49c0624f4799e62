import { mkdirSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { buildFeedDeps, startFeedPolling } from '../../src/apps/daemon/feed-polling.js';
import { buildRuntime, type Runtime } from '../../src/apps/runtime/build-runtime.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { DocumentParser } from '../../src/ports/document-parser.js';
import { createSilentLogger } from '../../src/ports/logger.js';
import { decideHeldItem, heldItems } from '../../src/use-cases/feed-actions.js';
import { articleTrailLines } from '../../src/use-cases/kill-article.js';
import { pollFeed } from '../../src/use-cases/poll-feed.js';
import type { FakeFeedServer } from '../fakes/fake-feed-server.js';
import {
  articlePage,
  atom,
  jsonFeed,
  rss,
  type Story,
  story,
  storyHtml,
} from '../fixtures/feeds/feed-documents.js';
import { startAdminBotWorld } from '../helpers/admin-bot-world.js';
import type { FakeClock } from '../helpers/fake-clock.js';
import { useFeedTestbed } from '../helpers/feed-testbed.js';
import { runCliInProcess } from '../helpers/run-cli.js';
import type { TempDir } from '../helpers/temp-dir.js';

let parser: DocumentParser;
let server: FakeFeedServer;
let dir: TempDir;
let clock: FakeClock;
const runtimes: Runtime[] = [];

useFeedTestbed({ dirPrefix: 'quotecast-feeds-', start: '2026-02-01T10:00:00Z' }, (bed) => {
  ({ parser, server, dir, clock } = bed);
});
afterEach(async () => {
  for (const r of runtimes.splice(0)) await r.close();
});

function settings(feed: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    timezone: 'UTC',
    store: { path: dir.file('quotecast.db') },
    outbox: { path: dir.file('outbox.jsonl') },
    input: { allowInternalHosts: ['127.0.0.1'], ...((extra.input as object) ?? {}) },
    channels: [{ id: 'x-main', platform: 'twitter', schedule: '0 9 * * *', dailyCap: 100 }],
    feeds: [{ id: 'news', url: `${server.url}/feed.xml`, channels: ['x-main'], approval: 'auto', ...feed }],
  };
}

function open(feed: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  const outcome = loadConfig({ cwd: dir.path, env: {}, settings: settings(feed, extra) });
  if (!outcome.ok) throw new Error(outcome.problems.join('\n'));
  const runtime = buildRuntime(outcome.config, {
    exclusive: false,
    clock,
    logger: createSilentLogger(),
    write: () => {},
  });
  runtimes.push(runtime);
  const deps = buildFeedDeps(runtime, parser);
  const poll = async (options: { dryRun?: boolean } = {}) =>
    await pollFeed(deps, outcome.config.settings.feeds[0]!, options);
  return { runtime, deps, poll, config: outcome.config };
}

function serveRss(stories: readonly Story[], etag?: string) {
  server.routes.set('/feed.xml', { body: rss(stories, server.url), ...(etag ? { etag } : {}) });
}

const articleCount = async (runtime: Runtime) => (await runtime.store.listArticles(1000)).length;

describe('feed intake', () => {
  it('posts nothing on the first poll, queues each new item once across 50 polls and a restart', async () => {
    const base = () => server.url;
    const stories = [1, 2, 3].map((n) => story(n, base()));
    serveRss(stories, '"v1"');
    let world = open({ maxItemsPerPoll: 2 });

    const first = await world.poll();
    expect(first).toMatchObject({ outcome: 'polled', queued: [], markedSeen: 3 });
    expect(await articleCount(world.runtime)).toBe(0);

    // Three new stories, one with only a summary whose link serves the full article.
    const summaryOnly = story(6, base(), { body: undefined, summary: 'Only a teaser here.' });
    server.routes.set('/news/story-6', { body: articlePage(6, 'Story number 6'), contentType: 'text/html' });
    stories.push(story(4, base()), story(5, base()), summaryOnly);
    serveRss(stories, '"v2"');
    const second = await world.poll();
    expect(second.queued.map((q) => q.title)).toEqual(['Story number 4', 'Story number 5']);
    const third = await world.poll();
    expect(third.queued.map((q) => q.title)).toEqual(['Story number 6']);
    expect(await articleCount(world.runtime)).toBe(3);
    // The summary-only item was read from its page (the teaser is not in its posts).
    const page = (await world.runtime.store.listArticles(10)).find((a) => a.title === 'Story number 6')!;
    const posts = await world.runtime.store.postsOfArticle(page.id);
    expect(posts.length).toBeGreaterThan(0);
    expect(posts.some((p) => p.text.includes('teaser'))).toBe(false);
    // The tracking parameters are gone from the article's link.
    expect(page.url).toBe(`${base()}/news/story-6`);

    for (let i = 0; i < 50; i += 1) {
      clock.advance(10 * 60_000);
      if (i === 10) {
        // The feed rewrites story 4's id; its URL stays.
        stories[3] = { ...stories[3]!, id: 'https://gazette.example/?p=4' };
        serveRss(stories, '"v3"');
      }
      if (i === 20) {
        // The feed re-lists story 5 with other tracking parameters and a trailing slash.
        stories[4] = { ...stories[4]!, link: `${base()}/news/story-5/?fbclid=abc#top` };
        serveRss(stories, '"v4"');
      }
      if (i === 30) {
        await world.runtime.close();
        world = open({ maxItemsPerPoll: 2 }); // a restart: the store reopened
      }
      if (i === 40) {
        stories.push(story(7, base()));
        serveRss(stories, '"v5"');
      }
      const report = await world.poll();
      expect(report.outcome).not.toBe('error');
    }
    expect(await articleCount(world.runtime)).toBe(4);
    const titles = (await world.runtime.store.listArticles(10)).map((a) => a.title);
    expect(titles.sort()).toEqual(['Story number 4', 'Story number 5', 'Story number 6', 'Story number 7']);
    expect((await world.runtime.store.feedItemCounts('news')).queued).toBe(4);

    // Conditional GET: the server saw If-None-Match and answered 304.
    const conditional = server.requests.filter((r) => r.path === '/feed.xml' && r.headers['if-none-match']);
    expect(conditional.some((r) => r.status === 304)).toBe(true);
    expect(server.requests[0]!.headers['user-agent']).toMatch(/^quotecast\/\S+ \(\+feed reader\)$/);
  });

  it('reads Atom and JSON Feed, follows a redirect, and a dry run stores nothing', async () => {
    const stories = [story(11, server.url), story(12, server.url, { categories: ['Sport'] })];
    server.routes.set('/feed.xml', { status: 301, headers: { location: '/moved/atom.xml' } });
    server.routes.set('/moved/atom.xml', {
      body: atom(stories, server.url),
      contentType: 'application/atom+xml',
    });
    const world = open({ backfill: 1, exclude: ['sport'] });
    const dry = await world.poll({ dryRun: true });
    // backfill 1: the newest that passes the filters (story 12 is excluded as Sport).
    expect(dry.queued.map((q) => q.title)).toEqual(['Story number 11']);
    expect((await world.runtime.store.feedState('news')).lastPollAt).toBeNull();
    expect(await world.runtime.store.feedItemsOf('news')).toHaveLength(0);
    const real = await world.poll();
    expect(real.queued.map((q) => q.url)).toEqual([`${server.url}/news/story-11`]);

    server.routes.set('/moved/atom.xml', {
      body: jsonFeed([...stories, story(13, server.url)]),
      contentType: 'application/feed+json',
    });
    const next = await world.poll();
    expect(next.queued.map((q) => q.title)).toEqual(['Story number 13']);
  });

  it('the same article via add and via the feed is one article', async () => {
    serveRss([]);
    const world = open();
    await world.poll();
    const added = await runCliInProcess(['add', `${server.url}/news/story-21`], {
      env: {},
      cwd: writeSettingsFile(),
      parser,
      clock,
    });
    server.routes.set('/news/story-21', {
      body: articlePage(21, 'Story number 21'),
      contentType: 'text/html',
    });
    const again = await runCliInProcess(['add', `${server.url}/news/story-21`], {
      env: {},
      cwd: dir.path,
      parser,
      clock,
    });
    expect(added.code === 0 || again.code === 0).toBe(true);
    expect(await articleCount(world.runtime)).toBe(1);
    serveRss([story(21, server.url)]);
    const report = await world.poll();
    expect(report.queued).toEqual([]);
    expect(await articleCount(world.runtime)).toBe(1);
    expect((await world.runtime.store.feedItemsOf('news'))[0]!.articleId).toBe(
      (await world.runtime.store.listArticles(1))[0]!.id,
    );
  });

  it('backs off after a run of 500s and honours Retry-After', async () => {
    serveRss([story(31, server.url)]);
    const world = open();
    await world.poll();
    const route = server.routes.get('/feed.xml')!;
    route.queue = [
      { status: 500 },
      { status: 500 },
      { status: 500 },
      { status: 429, headers: { 'retry-after': '3600' } },
    ];
    const requests = () => server.requests.filter((r) => r.path === '/feed.xml').length;
    const failed = await world.poll();
    expect(failed.outcome).toBe('error');
    expect(await world.poll()).toMatchObject({ outcome: 'backing-off' });
    expect(requests()).toBe(2);
    clock.advance(60_000);
    expect((await world.poll()).outcome).toBe('error'); // second 500: two minutes now
    clock.advance(60_000);
    expect((await world.poll()).outcome).toBe('backing-off');
    clock.advance(60_000);
    expect((await world.poll()).outcome).toBe('error'); // third 500
    clock.advance(240_000);
    expect((await world.poll()).outcome).toBe('error'); // 429, Retry-After one hour
    expect(await world.runtime.store.feedState('news')).toMatchObject({ failures: 4 });
    clock.advance(3_599_000);
    expect((await world.poll()).outcome).toBe('backing-off');
    clock.advance(2_000);
    expect((await world.poll()).outcome).toBe('polled');
    expect(await world.runtime.store.feedState('news')).toMatchObject({ failures: 0, lastError: null });
  });

  it('refuses a feed over the size limit and says so in feeds list; an invalid document too', async () => {
    const big = rss(
      Array.from({ length: 40 }, (_, i) => story(100 + i, server.url)),
      server.url,
    );
    server.routes.set('/feed.xml', { body: big });
    const cwd = writeSettingsFile({ input: { maxBytes: 4096 } });
    const poll = await runCliInProcess(['feeds', 'poll'], { env: {}, cwd, parser, clock });
    expect(poll.code).toBe(1);
    const list = await runCliInProcess(['feeds', 'list'], { env: {}, cwd, parser, clock });
    expect(list.stdout).toMatch(/news: failing; .*last error: .*over the 4096-byte limit/);

    server.routes.set('/feed.xml', {
      body: '<html><body>Not a feed</body></html>',
      contentType: 'text/html',
    });
    await runCliInProcess(['feeds', 'poll'], { env: {}, cwd, parser, clock });
    const after = await runCliInProcess(['feeds', 'list'], { env: {}, cwd, parser, clock });
    expect(after.stdout).toMatch(/last error: .*not a feed this reader understands/);
  });
});

describe('daemon polling', () => {
  it('polls each enabled feed on its own schedule, one poll at a time', async () => {
    const stories = [story(51, server.url)];
    serveRss(stories);
    const world = open();
    const ticks = new Map<string, () => Promise<void>>();
    const schedules: string[] = [];
    const poller = await startFeedPolling(world.deps, {
      schedule: (feed, _zone, onTick) => {
        ticks.set(feed.id, onTick);
        schedules.push(feed.schedule);
        return { stop() {} };
      },
    });
    try {
      expect(schedules).toEqual(['*/10 * * * *']);
      await ticks.get('news')!();
      stories.push(story(52, server.url));
      serveRss(stories);
      // Two ticks at once: the second waits for the poll in flight and queues nothing twice.
      await Promise.all([ticks.get('news')!(), ticks.get('news')!()]);
      expect((await world.runtime.store.listArticles(10)).map((a) => a.title)).toEqual(['Story number 52']);
    } finally {
      await poller.stop();
    }
  });
});

describe('corrections', () => {
  it('holds the queued posts of an item whose text changed and sends the admins a diff', async () => {
    const world = await startAdminBotWorld({
      settings: settings({}),
    });
    try {
      const deps = buildFeedDeps(world.runtime, parser);
      const feed = world.runtime.config.settings.feeds[0]!;
      const stories = [story(41, server.url)];
      serveRss(stories);
      await pollFeed(deps, feed);
      stories.push(story(42, server.url));
      serveRss(stories);
      const queued = await pollFeed(deps, feed);
      const articleId = queued.queued[0]!.articleId!;
      const before = await world.runtime.store.postsOfArticle(articleId);
      expect(before.every((p) => p.approved && p.state === 'queued')).toBe(true);

      // The newsroom corrects the story: one sentence replaced.
      stories[1] = {
        ...stories[1]!,
        body: storyHtml(42).replace(
          /<p>[^<]*<\/p>/,
          '<p>The council corrected the figures on Tuesday evening.</p>',
        ),
      };
      serveRss(stories);
      const changed = await pollFeed(deps, feed);
      expect(changed.held).toBe(1);
      const held = (await world.runtime.store.postsOfArticle(articleId)).filter((p) => p.state === 'queued');
      expect(held.every((p) => !p.approved)).toBe(true);
      // Where the story went says why it is not going out (not "awaiting approval").
      const listing = await articleTrailLines(
        world.runtime.deps,
        (await world.runtime.store.articleTrail(articleId))!,
      );
      expect(listing).toContain(
        '  held: its text changed in its feed; nothing goes out until an admin decides (/held)',
      );
      expect(listing.filter((l) => l.includes('queued, held for a correction'))).toHaveLength(held.length);

      const sent = await world.fake.waitFor((m) => /Correction\?/.test(m.text), 10_000);
      expect(sent.text).toMatch(/\+ The council corrected the figures on Tuesday evening\./);
      expect(sent.text).toMatch(/\n- /);

      // Re-split and re-queue: the old queued posts are skipped, the new text queued.
      const [item] = await heldItems(world.runtime.store, [feed]);
      const result = await decideHeldItem(deps, item!.id, 'requeue');
      expect(result.ok).toBe(true);
      expect((await world.runtime.store.postsOfArticle(articleId)).every((p) => p.state !== 'queued')).toBe(
        true,
      );
      const renewed = (await world.runtime.store.feedItemById(item!.id))!;
      expect(renewed.state).toBe('queued');
      expect(renewed.articleId).not.toBe(articleId);
      expect(renewed.body).toContain('The council corrected the figures on Tuesday evening.');
      const newPosts = await world.runtime.store.postsOfArticle(renewed.articleId!);
      expect(newPosts.length).toBeGreaterThan(0);
      expect(newPosts.every((p) => p.approved)).toBe(true);
    } finally {
      await world.stop();
    }
  });
});

function writeSettingsFile(extra: Record<string, unknown> = {}): string {
  mkdirSync(dir.file('config'), { recursive: true });
  writeFileSync(dir.file('config/quotecast.yaml'), stringify(settings({}, extra)));
  return dir.path;
}
