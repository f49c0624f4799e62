import { afterEach, describe, expect, it } from 'vitest';
import { buildFeedDeps } from '../../src/apps/daemon/feed-polling.js';
import type { DocumentParser } from '../../src/ports/document-parser.js';
import type { FeedDeps } from '../../src/use-cases/poll-feed.js';
import { pollFeed } from '../../src/use-cases/poll-feed.js';
import type { FakeFeedServer } from '../fakes/fake-feed-server.js';
import { DEFAULT_FAKE_ADMIN, type FakeSentMessage, type FakeUser } from '../fakes/fake-telegram-api.js';
import { rss, type Story, story, storyHtml } from '../fixtures/feeds/feed-documents.js';
import { type AdminBotWorld, startAdminBotWorld } from '../helpers/admin-bot-world.js';
import type { FakeClock } from '../helpers/fake-clock.js';
import { useFeedTestbed } from '../helpers/feed-testbed.js';
import { waitUntil } from '../helpers/quotecast-process.js';

/**
 * The admins' side of feeds and corrections, through the real telegraf bot against the fake Bot API
 * and the fake feed server: the alerts' buttons (held correction, feed article to approve, item gone
 * from its feed), /held, /feeds with Pause / Resume, and /approve refused on a held article. Feeds
 * are polled by hand on a fake clock (the world's daemon runs no ticks).
 */

const WAIT_MS = 15_000;
const ADA = DEFAULT_FAKE_ADMIN;
const BOB: FakeUser = { id: 1002, is_bot: false, first_name: 'Bob', username: 'bob_desk' };
const TG_CHAT = '@quotecast_news';

let parser: DocumentParser;
let server: FakeFeedServer;
let clock: FakeClock;
let world: AdminBotWorld | undefined;

useFeedTestbed({ dirPrefix: 'quotecast-feeds-bot-', start: '2026-02-01T10:00:00Z' }, (bed) => {
  ({ parser, server, clock } = bed);
});
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

interface Setup {
  readonly w: AdminBotWorld;
  readonly deps: FeedDeps;
  /** One poll of the feed, ten minutes after the last. */
  poll(): ReturnType<typeof pollFeed>;
}

async function setup(
  feed: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): Promise<Setup> {
  world = await startAdminBotWorld({
    adminIds: [ADA.id, BOB.id],
    settings: {
      input: { allowInternalHosts: ['127.0.0.1'] },
      channels: [{ id: 'x-main', platform: 'twitter', schedule: '0 9 * * *', dailyCap: 100 }],
      feeds: [{ id: 'news', url: `${server.url}/feed.xml`, channels: ['x-main'], approval: 'auto', ...feed }],
      ...extra,
    },
  });
  const w = world;
  // The feed's own times (first seen, last seen) on the fake clock: "older" is never a race.
  const deps: FeedDeps = { ...buildFeedDeps(w.runtime, parser), clock };
  const settings = w.runtime.config.settings.feeds[0]!;
  return {
    w,
    deps,
    poll: async () => {
      clock.advance(10 * 60_000);
      return await pollFeed(deps, settings);
    },
  };
}

function serve(stories: readonly Story[]) {
  server.routes.set('/feed.xml', { body: rss(stories, server.url) });
}

const chatOf = (user: FakeUser) => String(user.id);

/** Sends a command as `from` and returns the bot's first answer in that admin's chat. */
async function ask(text: string, from: FakeUser = ADA): Promise<FakeSentMessage> {
  const w = world!;
  const before = new Set(w.fake.sentMessages);
  w.fake.pushMessage({ text, from });
  return w.fake.waitFor((m) => !before.has(m) && m.chatId === chatOf(from), WAIT_MS);
}

function buttons(message: FakeSentMessage): { text: string; callback_data: string }[] {
  const markup = message.replyMarkup as { inline_keyboard?: { text: string; callback_data: string }[][] };
  return markup?.inline_keyboard?.flat() ?? [];
}

function labels(message: FakeSentMessage): string[] {
  return buttons(message).map((b) => b.text);
}

/** Presses the button labelled `label` as `from`; resolves with the toast once it is answered. */
async function press(message: FakeSentMessage, label: RegExp, from: FakeUser = ADA): Promise<string> {
  const w = world!;
  const found = buttons(message).find((b) => label.test(b.text));
  if (!found) throw new Error(`no button ${label} on: ${message.shownText.slice(0, 300)}`);
  const id = w.fake.pushCallbackQuery({ data: found.callback_data, message, from });
  const call = await w.fake.waitForCall(
    (c) => c.method === 'answerCallbackQuery' && c.params['callback_query_id'] === id,
    WAIT_MS,
  );
  return String(call.params['text'] ?? '');
}

/** The alert matching `pattern` in `user`'s chat. */
function alertFor(user: FakeUser, pattern: RegExp): Promise<FakeSentMessage> {
  return world!.fake.waitFor((m) => m.chatId === chatOf(user) && pattern.test(m.shownText), WAIT_MS);
}

async function edited(message: FakeSentMessage, pattern: RegExp, what: string) {
  await waitUntil(() => pattern.test(message.shownText), what, { timeoutMs: WAIT_MS });
}

const corrected = (n: number) =>
  storyHtml(n).replace(/<p>[^<]*<\/p>/, '<p>The council corrected the figures on Tuesday evening.</p>');

/** Story n queued (after a first poll that only marks), then corrected in the feed: held. */
async function queueThenCorrect(poll: Setup['poll'], n: number): Promise<number> {
  const stories = [story(1, server.url)];
  serve(stories);
  await poll();
  stories.push(story(n, server.url));
  serve(stories);
  const articleId = (await poll()).queued[0]!.articleId!;
  stories[1] = { ...stories[1]!, body: corrected(n) };
  serve(stories);
  expect((await poll()).held).toBe(1);
  return articleId;
}

describe('held corrections from Telegram', () => {
  it('alerts with three buttons; re-split re-queues the new text; another copy says who decided; /held and /approve', async () => {
    // A thread carries every sentence, so the posts show the corrected one.
    const { w, poll } = await setup({ channels: [{ id: 'x-main', mode: 'thread' }] });
    const { store } = w.runtime;
    const articleId = await queueThenCorrect(poll, 2);

    const adas = await alertFor(ADA, /Correction\?/);
    const bobs = await alertFor(BOB, /Correction\?/);
    expect(adas.shownText).toContain('+ The council corrected the figures on Tuesday evening.');
    expect(labels(adas)).toEqual(['🔁 Re-split and re-queue', 'Keep as queued', '🗑 Drop']);
    expect(labels(bobs)).toEqual(labels(adas));

    // While held, /approve (which would let the old text out) is refused.
    const approve = await ask(`/approve ${articleId}`);
    expect(approve.shownText).toContain('held for a correction: /held');
    expect(
      (await store.postsOfArticle(articleId)).filter((p) => p.state === 'queued').every((p) => !p.approved),
    ).toBe(true);

    // /held lists it with its diff and the same buttons.
    const held = await ask('/held');
    expect(held.shownText).toContain('1 correction waiting for a decision');
    expect(held.shownText).toContain('"Story number 2" (feed news)');
    expect(held.shownText).toContain('+ The council corrected the figures on Tuesday evening.');
    expect(labels(held)).toEqual([
      `🔁 Re-split and re-queue (${articleId})`,
      `Keep as queued (${articleId})`,
      `🗑 Drop (${articleId})`,
    ]);

    await press(adas, /Re-split/);
    await edited(adas, /✅ Re-split "Story number 2"/, 'the verdict on the alert');
    expect(adas.shownText).toContain('(@ada_editor (1001))');
    expect(adas.shownText).toContain('Correction?'); // the alert's text stays above the verdict
    expect(adas.replyMarkup).toBeUndefined();
    // The old posts are skipped; the new article carries the corrected text, approved as before.
    expect((await store.postsOfArticle(articleId)).every((p) => p.state === 'skipped')).toBe(true);
    const item = (await store.feedItemsOf('news')).find((i) => i.title === 'Story number 2')!;
    expect(item.state).toBe('queued');
    expect(item.articleId).not.toBe(articleId);
    const renewed = await store.postsOfArticle(item.articleId!);
    expect(renewed.length).toBeGreaterThan(0);
    expect(renewed.every((p) => p.state === 'queued' && p.approved)).toBe(true);
    expect(renewed.map((p) => p.text).join(' ')).toContain('The council corrected the figures');

    // Bob's copy: already decided, by whom; nothing changes.
    const toast = await press(bobs, /Drop/, BOB);
    expect(toast).toContain('Already decided by @ada_editor');
    await edited(bobs, /Already decided by @ada_editor \(1001\): Re-split/, "Bob's copy");
    expect((await store.postsOfArticle(item.articleId!)).every((p) => p.state === 'queued')).toBe(true);

    // The pressed /held page, and a fresh one, have nothing left.
    await press(held, /Keep as queued/, BOB);
    await edited(held, /No correction is waiting for a decision/, 'the /held page redrawn');
    expect(held.shownText).toContain('Already decided by @ada_editor');
    expect((await ask('/held')).shownText).toContain('No correction is waiting for a decision');
  });

  it('"Drop" from /held skips the held posts', async () => {
    const { w, poll } = await setup();
    const { store } = w.runtime;
    const articleId = await queueThenCorrect(poll, 3);

    const alert = await alertFor(ADA, /Correction\?/);
    await alertFor(BOB, /Correction\?/);
    const held = await ask('/held');
    await press(held, /Drop/);
    await edited(held, /✅ Dropped \d+ queued post\(s\) of article/, 'the verdict on /held');
    expect(held.shownText).toContain('No correction is waiting for a decision');
    const posts = await store.postsOfArticle(articleId);
    expect(posts.length).toBeGreaterThan(0);
    expect(posts.every((p) => p.state === 'skipped')).toBe(true);
    expect(await store.feedItemsOf('news', ['dropped'])).toHaveLength(1);
    // The alert that still carries buttons: the item is no longer held.
    await press(alert, /Re-split/);
    await edited(alert, /Already decided by @ada_editor \(1001\): Dropped/, 'the alert after /held');
  });
});

describe('feed articles waiting for approval', () => {
  it('"Approve" lets them out; "Delete" on the other copy after that deletes nothing', async () => {
    const { w, poll } = await setup({ approval: 'admins' });
    const { store } = w.runtime;
    serve([]);
    await poll();
    serve([story(5, server.url)]);
    const articleId = (await poll()).queued[0]!.articleId!;
    expect((await store.postsOfArticle(articleId)).every((p) => !p.approved)).toBe(true);

    const adas = await alertFor(ADA, /New from feed news/);
    const bobs = await alertFor(BOB, /New from feed news/);
    expect(labels(adas)).toEqual(['✅ Approve', '🗑 Delete']);
    await press(adas, /Approve/);
    await edited(adas, /✅ Approved article \d+ "Story number 5"/, 'the verdict');
    expect((await store.postsOfArticle(articleId)).every((p) => p.approved && p.state === 'queued')).toBe(
      true,
    );

    await press(bobs, /Delete/, BOB);
    await edited(bobs, /Already decided by @ada_editor \(1001\): Approved/, "Bob's copy");
    expect((await store.postsOfArticle(articleId)).every((p) => p.state === 'queued')).toBe(true);
  });
});

describe('/feeds', () => {
  it('shows each feed; Pause stops polling; Resume marks the backlog as seen, not queued', async () => {
    const { w, poll } = await setup();
    const { store } = w.runtime;
    const stories = [story(1, server.url)];
    serve(stories);
    await poll();

    const feeds = await ask('/feeds');
    expect(feeds.shownText).toContain('1 feed (times in UTC)');
    expect(feeds.shownText).toMatch(/news · ok\nlast poll .+ · last success .+\nnext poll: .+/);
    expect(feeds.shownText).toContain('1 item seen, 0 queued, 0 held');
    expect(feeds.shownText).toContain(`${server.url}/feed.xml`);
    expect(labels(feeds)).toEqual(['⏸ Pause news']);

    await press(feeds, /Pause news/);
    await edited(feeds, /✅ Feed news paused/, 'the paused verdict');
    expect(feeds.shownText).toContain('news · paused');
    expect(feeds.shownText).toContain('next poll: when resumed');
    expect(labels(feeds)).toEqual(['▶ Resume news']);
    expect((await store.feedState('news')).paused).toBe(true);

    // Paused: not polled at all, whatever the feed lists meanwhile.
    stories.push(story(2, server.url), story(3, server.url));
    serve(stories);
    const requests = server.requests.length;
    expect((await poll()).outcome).toBe('paused');
    expect(server.requests.length).toBe(requests);

    await press(feeds, /Resume news/, BOB);
    await edited(feeds, /✅ Feed news resumed/, 'the resumed verdict');
    expect(feeds.shownText).toContain('@bob_desk (1002)');
    expect(labels(feeds)).toEqual(['⏸ Pause news']);
    // The backlog (stories 2 and 3) is marked as seen, not queued; the next new item is queued.
    const resumed = await poll();
    expect(resumed).toMatchObject({ outcome: 'polled', queued: [], markedSeen: 2 });
    stories.push(story(4, server.url));
    serve(stories);
    expect((await poll()).queued.map((q) => q.title)).toEqual(['Story number 4']);
    expect((await store.listArticles(10)).map((a) => a.title)).toEqual(['Story number 4']);

    // Two admins' /feeds: the second press of the same button says it is done already.
    const adas = await ask('/feeds');
    const bobs = await ask('/feeds', BOB);
    await press(adas, /Pause news/);
    expect(await press(bobs, /Pause news/, BOB)).toBe('Feed news is already paused.');
    await edited(bobs, /⚠️ Feed news is already paused\./, "Bob's /feeds");
    expect(labels(bobs)).toEqual(['▶ Resume news']);
  });
});

describe('an item gone from its feed', () => {
  it('"Kill it" shows /kill\'s confirmation and the kill runs; "Keep" on the other copy says it was killed', async () => {
    const { w, poll } = await setup(
      { channels: ['x-main', 'tg-news'] },
      {
        channels: [
          { id: 'x-main', platform: 'twitter', schedule: '0 9 * * *', dailyCap: 100, quotesPerArticle: 2 },
          {
            id: 'tg-news',
            platform: 'telegram',
            chat: TG_CHAT,
            schedule: '0 9 * * *',
            dailyCap: 100,
            quotesPerArticle: 2,
          },
        ],
      },
    );
    const { store } = w.runtime;
    const stories = [story(1, server.url), story(2, server.url)];
    serve(stories);
    await poll();
    stories.push(story(6, server.url));
    serve(stories);
    const articleId = (await poll()).queued[0]!.articleId!;
    await w.daemon.runNow('tg-news');
    const published = w.fake.sentMessages.filter((m) => m.chatId === TG_CHAT);
    expect(published).toHaveLength(1);

    // The newsroom takes story 6 out; older stories are still listed.
    serve(stories.slice(0, 2));
    expect((await poll()).gone).toBe(1);
    const adas = await alertFor(ADA, /disappeared from feed news/);
    const bobs = await alertFor(BOB, /disappeared from feed news/);
    expect(adas.shownText).not.toContain('/kill');
    expect(labels(adas)).toEqual(['🗑 Kill it…', 'Keep']);

    await press(adas, /Kill it/);
    await edited(adas, new RegExp(`Kill article a${articleId}\\?`), 'the kill confirmation');
    expect(adas.shownText).toContain('Deletes 1 published post(s):');
    expect(labels(adas)).toEqual(['🗑 Kill it', 'Cancel']);
    await press(adas, /Kill it/);
    await edited(adas, /^✅ /, 'the kill report');
    expect(adas.shownText).toContain('deleted 1 published post(s); could not delete 0.');
    expect(published[0]!.deleted).toBe(true);
    expect((await store.postsOfArticle(articleId)).filter((p) => p.state === 'queued')).toHaveLength(0);

    await press(bobs, /Keep/, BOB);
    await edited(bobs, new RegExp(`Article ${articleId} was already killed .* by @ada_editor`), "Bob's copy");
  });

  it('"Keep" leaves the article; a later press on the other copy names who kept it', async () => {
    const { w, poll } = await setup();
    const stories = [story(1, server.url), story(2, server.url)];
    serve(stories);
    await poll();
    stories.push(story(7, server.url));
    serve(stories);
    const articleId = (await poll()).queued[0]!.articleId!;
    serve(stories.slice(0, 2));
    expect((await poll()).gone).toBe(1);
    const adas = await alertFor(ADA, /disappeared from feed news/);
    const bobs = await alertFor(BOB, /disappeared from feed news/);
    await press(adas, /Keep/);
    await edited(adas, new RegExp(`✅ Kept article ${articleId} as it is`), 'the verdict');
    await press(bobs, /Kill it/, BOB);
    await edited(bobs, /Already decided by @ada_editor \(1001\): Kept/, "Bob's copy");
    expect((await w.runtime.store.postsOfArticle(articleId)).every((p) => p.state === 'queued')).toBe(true);
  });
});
