import { afterEach, describe, expect, it } from 'vitest';
import { buildFeedDeps } from '../../src/apps/daemon/feed-polling.js';
import { buildRuntime, type Runtime } from '../../src/apps/runtime/build-runtime.js';
import type { FeedSettings } from '../../src/config/config-schema.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { DocumentParser } from '../../src/ports/document-parser.js';
import { createSilentLogger } from '../../src/ports/logger.js';
import type { StoredPost } from '../../src/ports/post-store.js';
import { decideHeldItem, heldItems, setFeedPaused } from '../../src/use-cases/feed-actions.js';
import { type FeedDeps, pollFeed } from '../../src/use-cases/poll-feed.js';
import type { FakeFeedServer } from '../fakes/fake-feed-server.js';
import { articlePage, rss, type Story, story, storyHtml } from '../fixtures/feeds/feed-documents.js';
import type { FakeClock } from '../helpers/fake-clock.js';
import { useFeedTestbed } from '../helpers/feed-testbed.js';
import type { TempDir } from '../helpers/temp-dir.js';

// Findings of the issue 12 review: corrections of pulled or published stories, polls that undo an
// admin's pause, corrections lost to one failed read.

let parser: DocumentParser;
let server: FakeFeedServer;
let dir: TempDir;
let clock: FakeClock;
const runtimes: Runtime[] = [];

useFeedTestbed({ dirPrefix: 'quotecast-feeds-review-', start: '2026-02-01T10:00:00Z' }, (bed) => {
  ({ parser, server, dir, clock } = bed);
});
afterEach(async () => {
  for (const r of runtimes.splice(0)) await r.close();
});

interface World {
  readonly runtime: Runtime;
  readonly deps: FeedDeps;
  readonly feed: FeedSettings;
  poll(): ReturnType<typeof pollFeed>;
}

function open(
  channelIds: readonly string[] = ['x-main'],
  feed: Record<string, unknown> = {},
  moreFeeds: readonly Record<string, unknown>[] = [],
): World {
  const outcome = loadConfig({
    cwd: dir.path,
    env: {},
    settings: {
      timezone: 'UTC',
      store: { path: dir.file('quotecast.db') },
      outbox: { path: dir.file('outbox.jsonl') },
      input: { allowInternalHosts: ['127.0.0.1'] },
      channels: channelIds.map((id) => ({ id, platform: 'twitter', schedule: '0 9 * * *', dailyCap: 100 })),
      feeds: [
        { id: 'news', url: `${server.url}/feed.xml`, channels: channelIds, approval: 'auto', ...feed },
        ...moreFeeds,
      ],
    },
  });
  if (!outcome.ok) throw new Error(outcome.problems.join('\n'));
  const runtime = buildRuntime(outcome.config, {
    exclusive: false,
    clock,
    logger: createSilentLogger(),
    write: () => {},
  });
  runtimes.push(runtime);
  const deps = buildFeedDeps(runtime, parser);
  const settings = outcome.config.settings.feeds[0]!;
  return { runtime, deps, feed: settings, poll: () => pollFeed(deps, settings) };
}

const serve = (stories: readonly Story[]) =>
  server.routes.set('/feed.xml', { body: rss(stories, server.url) });

const corrected = (s: Story, n: number): Story => ({
  ...s,
  body: storyHtml(n).replace(/<p>[^<]*<\/p>/, '<p>The council corrected the figures on Tuesday evening.</p>'),
});

/** Story 2 queued by the feed (story 1 primed the feed); returns its article id. */
async function queueStoryTwo(world: World, stories: Story[]): Promise<number> {
  stories.push(story(1, server.url));
  serve(stories);
  await world.poll();
  stories.push(story(2, server.url));
  serve(stories);
  const queued = await world.poll();
  expect(queued.queued).toHaveLength(1);
  return queued.queued[0]!.articleId!;
}

/** The newsroom corrects story 2; the poll holds its unsent posts. */
async function correctStoryTwo(world: World, stories: Story[]) {
  stories[1] = corrected(stories[1]!, 2);
  serve(stories);
  expect((await world.poll()).held).toBe(1);
  const [item] = await heldItems(world.runtime.store, [world.feed]);
  return item!;
}

async function publish(world: World, articleId: number, channelId: string, count = Infinity) {
  const posts = (await world.runtime.store.postsOfArticle(articleId, channelId)).slice(0, count);
  for (const post of posts) {
    await world.runtime.store.lease(post.id, clock.now());
    await world.runtime.store.markSent(post.id, { remoteId: `r${post.id}`, publishedAt: clock.now() });
  }
  return posts.length;
}

async function queuedPosts(world: World): Promise<StoredPost[]> {
  const posts: StoredPost[] = [];
  for (const a of await world.runtime.store.listArticles(50))
    posts.push(...(await world.runtime.store.postsOfArticle(a.id)));
  return posts.filter((p) => p.state === 'queued');
}

describe('a held correction of a pulled story', () => {
  it('the kill settles the held item: nothing to re-split, nothing queued again', async () => {
    const world = open();
    const stories: Story[] = [];
    const articleId = await queueStoryTwo(world, stories);
    const item = await correctStoryTwo(world, stories);

    await world.runtime.store.killArticle(articleId, 'editor', clock.now());
    expect((await world.runtime.store.feedItemById(item.id))!.state).toBe('dropped');
    expect(await heldItems(world.runtime.store, [world.feed])).toHaveLength(0);

    const result = await decideHeldItem(world.deps, item.id, 'requeue');
    expect(result.ok).toBe(false);
    expect(await queuedPosts(world)).toHaveLength(0);
    expect(await world.runtime.store.listArticles(50)).toHaveLength(1);
  });

  it('re-split refuses an item still held although its article was pulled', async () => {
    const world = open();
    const stories: Story[] = [];
    const articleId = await queueStoryTwo(world, stories);
    const item = await correctStoryTwo(world, stories);
    await world.runtime.store.killArticle(articleId, 'editor', clock.now());
    // As a kill made before kills settled feed items left it (or one racing from another process).
    await world.runtime.store.updateFeedItem(item.id, { state: 'held', heldArticle: item.heldArticle });

    const result = await decideHeldItem(world.deps, item.id, 'requeue');
    expect(result).toEqual({ ok: false, message: `Article a${articleId} was pulled; nothing re-queued.` });
    expect(await queuedPosts(world)).toHaveLength(0);
    expect(await world.runtime.store.listArticles(50)).toHaveLength(1);
    expect((await world.runtime.store.feedItemById(item.id))!.state).toBe('dropped');
  });
});

describe('re-split of a story some channels already published', () => {
  it('re-queues only where the posts were held and tells where it already went out', async () => {
    const world = open(['x-main', 'x-two']);
    const stories: Story[] = [];
    const articleId = await queueStoryTwo(world, stories);
    await publish(world, articleId, 'x-main');
    const item = await correctStoryTwo(world, stories);

    const result = await decideHeldItem(world.deps, item.id, 'requeue');
    expect(result.ok).toBe(true);
    expect(result.message).toContain('x-main had already published it');
    expect(result.message).toContain(`/kill a${articleId}`);
    const renewed = (await world.runtime.store.feedItemById(item.id))!;
    expect(renewed.articleId).not.toBe(articleId);
    const fresh = await world.runtime.store.postsOfArticle(renewed.articleId!);
    expect(fresh.length).toBeGreaterThan(0);
    expect(new Set(fresh.map((p) => p.channelId))).toEqual(new Set(['x-two']));
    expect(
      (await world.runtime.store.postsOfArticle(articleId, 'x-two')).every((p) => p.state === 'skipped'),
    ).toBe(true);
  });

  it('a channel that published part of the story is not sent it again, and is named', async () => {
    const world = open(['x-main', 'x-two']);
    const stories: Story[] = [];
    const articleId = await queueStoryTwo(world, stories);
    const total = (await world.runtime.store.postsOfArticle(articleId, 'x-main')).length;
    expect(total).toBeGreaterThan(2);
    await publish(world, articleId, 'x-main', 2);
    const item = await correctStoryTwo(world, stories);

    const result = await decideHeldItem(world.deps, item.id, 'requeue');
    expect(result.message).toContain(`x-main had already published part of it (2 of ${total})`);
    const renewed = (await world.runtime.store.feedItemById(item.id))!;
    const fresh = await world.runtime.store.postsOfArticle(renewed.articleId!);
    expect(fresh.some((p) => p.channelId === 'x-main')).toBe(false);
    // The old text's unsent rest does not go out either.
    expect(
      (await queuedPosts(world)).every((p) => p.articleId === renewed.articleId && p.channelId === 'x-two'),
    ).toBe(true);
  });

  it('queues nothing when every channel already published it', async () => {
    const world = open(['x-main']);
    const stories: Story[] = [];
    const articleId = await queueStoryTwo(world, stories);
    await publish(world, articleId, 'x-main', 1);
    const item = await correctStoryTwo(world, stories);

    const result = await decideHeldItem(world.deps, item.id, 'requeue');
    expect(result.message).toMatch(/^Nothing re-queued/);
    expect(result.message).toContain('x-main had already published part of it');
    expect(await queuedPosts(world)).toHaveLength(0);
    expect(await world.runtime.store.listArticles(50)).toHaveLength(1);
  });
});

/** The real feed fetcher, and an admin who presses pause while the feed document is in flight. */
function pausedWhileFetching(world: World): FeedDeps {
  return {
    ...world.deps,
    feeds: {
      fetch: async (request) => {
        const fetched = await world.deps.feeds.fetch(request);
        expect((await setFeedPaused(world.runtime.store, [world.feed], 'news', true)).ok).toBe(true);
        return fetched;
      },
    },
  };
}

describe('a poll and an admin at the same time', () => {
  it('a pause pressed while a poll runs stays', async () => {
    const world = open();
    const stories = [story(1, server.url)];
    serve(stories);
    await world.poll();
    stories.push(story(2, server.url));
    serve(stories);
    const report = await pollFeed(pausedWhileFetching(world), world.feed);
    expect(report.outcome).toBe('polled');
    expect((await world.runtime.store.feedState('news')).paused).toBe(true);
    expect((await world.poll()).outcome).toBe('paused');
  });

  it('a pause pressed during a catch-up poll stays, and the catch-up is done once', async () => {
    const world = open();
    const stories = [story(1, server.url)];
    serve(stories);
    await world.poll();
    await setFeedPaused(world.runtime.store, [world.feed], 'news', true);
    await setFeedPaused(world.runtime.store, [world.feed], 'news', false);
    stories.push(story(2, server.url));
    serve(stories);
    // This poll catches up; meanwhile an admin pauses again.
    const report = await pollFeed(pausedWhileFetching(world), world.feed);
    expect(report.markedSeen).toBe(1);
    const state = await world.runtime.store.feedState('news');
    expect(state.paused).toBe(true);
    expect(state.catchUp).toBe(false);
  });
});

describe('a correction whose re-read fails', () => {
  it('is found at the next poll', async () => {
    const world = open();
    const teaser = story(2, server.url, { body: undefined, summary: 'Teaser v1.' });
    server.routes.set('/news/story-2', { body: articlePage(2, 'Story number 2'), contentType: 'text/html' });
    const stories = [story(1, server.url)];
    serve(stories);
    await world.poll();
    stories.push(teaser);
    serve(stories);
    expect((await world.poll()).queued).toHaveLength(1);

    // The summary and the page change; reading the page fails once.
    stories[1] = { ...teaser, summary: 'Teaser v2 (corrected).' };
    serve(stories);
    server.routes.set('/news/story-2', {
      body: articlePage(99, 'Story number 2'),
      contentType: 'text/html',
      queue: [{ status: 500 }],
    });
    expect((await world.poll()).held).toBe(0);
    expect((await world.poll()).held).toBe(1);
    expect(await heldItems(world.runtime.store, [world.feed])).toHaveLength(1);
  });
});

describe('one item twice', () => {
  it('an id listed twice in one document is one item, queued once', async () => {
    const world = open();
    serve([story(1, server.url)]);
    await world.poll();
    const twice = story(2, server.url);
    serve([story(1, server.url), twice, { ...twice, title: 'Story number 2 (updated)' }]);
    const report = await world.poll();
    expect(report.outcome).toBe('polled');
    expect(report.queued).toHaveLength(1);
    expect(
      (await world.runtime.store.feedItemsOf('news')).filter((i) => i.itemKey === twice.id),
    ).toHaveLength(1);
  });

  it('the daemon and `feeds poll` queueing the same item at once: one article, no crash', async () => {
    const daemon = open();
    const cli = open();
    serve([story(1, server.url)]);
    await daemon.poll();
    serve([story(1, server.url), story(2, server.url)]);
    const reports = await Promise.all([daemon.poll(), cli.poll()]);
    expect(reports.map((r) => r.outcome)).toEqual(['polled', 'polled']);
    expect(reports.flatMap((r) => r.queued)).toHaveLength(1);
    const [item] = await daemon.runtime.store.feedItemsOf('news', ['queued']);
    expect(item?.articleId).toBe(reports.flatMap((r) => r.queued)[0]!.articleId);
    expect(await daemon.runtime.store.listArticles(10)).toHaveLength(1);
  });
});

describe('a poll that fails unexpectedly', () => {
  it('records the error where feed health shows it and backs off', async () => {
    const world = open(['x-main'], { approval: 'admins' });
    serve([story(1, server.url)]);
    await world.poll();
    serve([story(1, server.url), story(2, server.url)]);
    const deps: FeedDeps = {
      ...world.deps,
      notifier: {
        ...world.deps.notifier,
        alert: async () => {
          throw new Error('the alert outbox is unwritable');
        },
      },
    };
    const report = await pollFeed(deps, world.feed);
    expect(report.outcome).toBe('error');
    const state = await world.runtime.store.feedState('news');
    expect(state.lastError).toBe('unexpected error: the alert outbox is unwritable');
    expect(state.failures).toBe(1);
    expect(state.nextPollAfter!.getTime()).toBeGreaterThan(clock.now().getTime());
  });
});

describe('a feed whose settings changed', () => {
  it('re-enabled after a week, it catches up instead of queueing the backlog', async () => {
    const before = open(['x-main'], { maxItemsPerPoll: 3 });
    serve([story(1, server.url)]);
    await before.poll();
    await before.runtime.close();
    runtimes.splice(runtimes.indexOf(before.runtime), 1);
    // Disabled for a week: the daemon does not poll it, but another feed's polls note the settings.
    server.routes.set('/sport.xml', { body: rss([], server.url) });
    const sport = { id: 'sport', url: `${server.url}/sport.xml`, channels: ['x-main'] };
    const disabled = open(['x-main'], { enabled: false }, [sport]);
    const [, sportFeed] = disabled.runtime.config.settings.feeds;
    expect((await pollFeed(disabled.deps, sportFeed!)).outcome).toBe('polled');
    await disabled.runtime.close();
    runtimes.splice(runtimes.indexOf(disabled.runtime), 1);

    const enabled = open(['x-main'], { maxItemsPerPoll: 3 });
    serve(Array.from({ length: 21 }, (_, i) => story(i + 1, server.url)));
    const first = await enabled.poll();
    expect(first.queued).toHaveLength(0);
    expect(first.markedSeen).toBe(20);
    serve(Array.from({ length: 22 }, (_, i) => story(i + 1, server.url)));
    expect((await enabled.poll()).queued.map((q) => q.title)).toEqual(['Story number 22']);
  });

  it('a new URL under the same id is read as a new document: caught up, old validators dropped', async () => {
    const old = open();
    server.routes.set('/feed.xml', { body: rss([story(1, server.url)], server.url), etag: '"old"' });
    await old.poll();
    expect((await old.runtime.store.feedState('news')).etag).toBe('"old"');
    await old.runtime.close();
    runtimes.splice(runtimes.indexOf(old.runtime), 1);

    server.routes.set('/other.xml', {
      body: rss(
        Array.from({ length: 6 }, (_, i) => story(i + 10, server.url)),
        server.url,
      ),
    });
    const moved = open(['x-main'], { url: `${server.url}/other.xml` });
    const report = await moved.poll();
    expect(report.queued).toHaveLength(0);
    expect(report.markedSeen).toBe(6);
    const request = server.requests.filter((r) => r.path === '/other.xml')[0]!;
    expect(request.headers['if-none-match']).toBeUndefined();
  });
});
