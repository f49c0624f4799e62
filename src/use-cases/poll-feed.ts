import { createHash } from 'node:crypto';
import type { FeedSettings, Settings } from '../config/config-schema.js';
import type { Article, PostingMode } from '../domain/article.js';
import { canonicalUrl } from '../domain/canonical-url.js';
import { formatDiff, sentenceDiff } from '../domain/feed-diff.js';
import { type FeedItem, passesFilter } from '../domain/feed-item.js';
import type { ArticleFetcher } from '../ports/article-fetcher.js';
import type { Clock } from '../ports/clock.js';
import type { DocumentParser } from '../ports/document-parser.js';
import type { FeedFetcher } from '../ports/feed-fetcher.js';
import type { Logger } from '../ports/logger.js';
import type { Notifier } from '../ports/notifier.js';
import type { FeedState, PostStore, StoredFeedItem } from '../ports/post-store.js';
import { articleHash, enqueueArticle } from './enqueue-article.js';
import { loadArticleFromUrl } from './load-article.js';
import { parseWithSettings } from './prepare-article.js';
import type { PublishDeps } from './publish-deps.js';

/** What polling feeds needs; built once by the app (daemon, CLI). */
export interface FeedDeps {
  readonly store: PostStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly notifier: Notifier;
  readonly channels: PublishDeps['channels'];
  readonly settings: Settings;
  /** Feed documents (conditional GET, limits, address checks). */
  readonly feeds: FeedFetcher;
  /** Article pages, for items that carry only a summary (the /add URL path, with its limits). */
  readonly pages: ArticleFetcher;
  readonly parser: DocumentParser;
}

/** One item a poll queued, or would queue (dry run). */
export interface PolledItem {
  readonly title: string;
  readonly url: string | undefined;
  readonly articleId?: number;
}

export interface PollReport {
  readonly feedId: string;
  readonly outcome: 'polled' | 'not-modified' | 'error' | 'paused' | 'backing-off';
  /** Queued (or, in a dry run, would be queued). */
  readonly queued: readonly PolledItem[];
  /** New items only marked as seen (first poll, after a resume, filtered out, already known). */
  readonly markedSeen: number;
  /** Items whose queued posts were held because their text changed. */
  readonly held: number;
  /** Items that disappeared from the feed; the admins were asked. */
  readonly gone: number;
  readonly detail?: string;
}

/** Backoff after failed polls: one minute doubling to six hours (Retry-After wins when later). */
const BACKOFF_BASE_MS = 60_000;
const BACKOFF_MAX_MS = 6 * 3_600_000;
/** The admins hear about a feed failing after this many polls in a row. */
const ALERT_AFTER_FAILURES = 3;
/** A summary of at least this many characters is taken as the full body (RSS without content:encoded). */
const FULL_SUMMARY_CHARS = 1200;

export function feedBackoffMs(failures: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, failures - 1));
}

/** Hash of what the feed says about an item: a change here is worth reading the body again. */
export function rawItemHash(item: FeedItem): string {
  return createHash('sha256')
    .update([item.title, item.contentHtml ?? '', item.summary ?? ''].join('\u0000'))
    .digest('hex');
}

/**
 * One poll of one feed: fetch (conditionally), parse, recognise every item already seen (by id, by
 * canonical URL, by what the feed says about it, by the articles table's URL and hash), then:
 * - the first poll (and the first after a resume) marks everything as seen and queues nothing, apart
 *   from `backfill` newest items on the very first;
 * - new items that pass the filters are queued, oldest first, at most `maxItemsPerPoll` (the rest
 *   wait for the next poll), approved when `approval: auto`, else unapproved with an alert;
 * - an item queued before whose body changed has its queued posts held and the admins get a diff;
 * - a queued item that vanished from the middle of the feed is asked about once.
 * A dry run reads the store and the feed and writes nothing, not even "seen" marks.
 */
export async function pollFeed(
  deps: FeedDeps,
  feed: FeedSettings,
  options: PollOptions = {},
): Promise<PollReport> {
  const startedAt = deps.clock.now();
  try {
    return await pollUnguarded(deps, feed, options);
  } catch (error) {
    if (options.signal?.aborted) throw error;
    // A bug or a store failure: shown where feed health is (lastError), backed off like a failed fetch.
    const message = `unexpected error: ${(error as Error).message}`;
    deps.logger.error('feed poll failed unexpectedly', {
      feed: feed.id,
      error: (error as Error).stack ?? String(error),
    });
    if (!options.dryRun) {
      const latest = await deps.store.feedState(feed.id);
      const failures = latest.failures + 1;
      await deps.store.saveFeedState({
        ...latest,
        lastPollAt: startedAt,
        lastError: message,
        failures,
        nextPollAfter: new Date(startedAt.getTime() + feedBackoffMs(failures)),
      });
    }
    return {
      feedId: feed.id,
      outcome: 'error',
      queued: [],
      markedSeen: 0,
      held: 0,
      gone: 0,
      detail: message,
    };
  }
}

type PollOptions = { dryRun?: boolean; ignoreBackoff?: boolean; signal?: AbortSignal };

async function pollUnguarded(deps: FeedDeps, feed: FeedSettings, options: PollOptions): Promise<PollReport> {
  const { store, clock } = deps;
  const now = clock.now();
  if (!options.dryRun) await noteFeedSettings(store, deps.settings.feeds);
  const state = await store.feedState(feed.id);
  const empty = { feedId: feed.id, queued: [], markedSeen: 0, held: 0, gone: 0 };
  if (state.paused && !options.dryRun) return { ...empty, outcome: 'paused', detail: 'paused by an admin' };
  if (!options.ignoreBackoff && state.nextPollAfter && state.nextPollAfter > now)
    return {
      ...empty,
      outcome: 'backing-off',
      detail: `next poll after ${state.nextPollAfter.toISOString()}`,
    };

  const fetched = await deps.feeds.fetch({
    url: feed.url,
    ...(state.etag ? { etag: state.etag } : {}),
    ...(state.lastModified ? { lastModified: state.lastModified } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  // Only the poll's own columns: an admin may pause or resume the feed while this poll awaits the
  // network, and the poll must not write back what it read before (`paused`, `catchUp`).
  const save = async (
    next: Partial<Omit<FeedState, 'paused' | 'catchUp' | 'feedId'>> & { catchUp?: false },
  ) => {
    if (!options.dryRun)
      await store.saveFeedState({ ...(await store.feedState(feed.id)), lastPollAt: now, ...next });
  };

  if (fetched.kind === 'error') {
    const failures = state.failures + 1;
    const backoff = now.getTime() + feedBackoffMs(failures);
    const after = new Date(Math.max(backoff, fetched.retryAfter?.getTime() ?? 0));
    await save({ lastError: fetched.message, failures, nextPollAfter: after });
    deps.logger.warn('feed poll failed', { feed: feed.id, error: fetched.message, failures });
    if (failures === ALERT_AFTER_FAILURES && !options.dryRun)
      await deps.notifier.alert({
        kind: 'info',
        key: `feed-failing:${feed.id}:${state.lastSuccessAt?.getTime() ?? 0}`,
        text: `Feed ${feed.id} failed ${failures} polls in a row: ${fetched.message}. quotecast keeps trying, less often (next after ${after.toISOString()}).`,
      });
    return { ...empty, outcome: 'error', detail: fetched.message };
  }
  const healthy = { lastSuccessAt: now, lastError: null, failures: 0, nextPollAfter: null };
  if (fetched.kind === 'not-modified') {
    await save(healthy);
    return { ...empty, outcome: 'not-modified' };
  }

  const listed: { item: FeedItem; known: StoredFeedItem | undefined }[] = [];
  for (const item of fetched.items)
    listed.push({ item, known: await recognise(store, feed.id, item, !options.dryRun) });
  const fresh = listed.filter((entry) => entry.known === undefined).map((entry) => entry.item);
  let held = 0;
  if (!options.dryRun) {
    for (const { item, known } of listed) {
      if (!known) continue;
      if (await refreshKnown(deps, feed, item, known, options.signal)) held += 1;
    }
  }

  // Oldest first: a burst goes out in the order it was published, across polls.
  const ordered = oldestFirst(fresh);
  let toQueue: FeedItem[];
  let toMark: FeedItem[];
  if (!state.primed || state.catchUp) {
    const backfill = state.primed ? 0 : feed.backfill;
    const eligible = ordered.filter((item) => passesFilter(item, feed));
    toQueue = backfill > 0 ? eligible.slice(-backfill) : [];
    toMark = ordered.filter((item) => !toQueue.includes(item));
  } else {
    const eligible = ordered.filter((item) => passesFilter(item, feed));
    toQueue = eligible.slice(0, feed.maxItemsPerPoll);
    // What is over the limit is left unrecorded: it is new again at the next poll.
    toMark = ordered.filter((item) => !eligible.includes(item));
  }

  if (options.dryRun) {
    return {
      ...empty,
      outcome: 'polled',
      queued: toQueue.map((item) => ({ title: item.title, url: item.url })),
      markedSeen: toMark.length,
    };
  }

  for (const item of toMark) await store.addFeedItem({ ...newRow(feed.id, item), now });
  const queued: PolledItem[] = [];
  for (const item of toQueue) {
    const done = await queueItem(deps, feed, item, options.signal);
    if (done) queued.push(done);
  }
  const gone = fetched.warning ? 0 : await askAboutVanished(deps, feed, listed);
  // Items left for the next poll (over maxItemsPerPoll) are in this version of the document: no
  // validators then, or a 304 would hide them until the feed changes.
  const leftOver = !state.primed || state.catchUp ? false : toQueue.length + toMark.length < fresh.length;
  await save({
    ...healthy,
    etag: leftOver ? null : (fetched.etag ?? null),
    lastModified: leftOver ? null : (fetched.lastModified ?? null),
    primed: true,
    // Cleared only by the poll that did the catch-up; a resume pressed meanwhile sets it again.
    ...(state.catchUp ? { catchUp: false as const } : {}),
  });
  if (fetched.warning)
    deps.logger.warn('feed partly unreadable', { feed: feed.id, warning: fetched.warning });
  return { ...empty, outcome: 'polled', queued, markedSeen: toMark.length, held, gone };
}

/** What a feed's entry in the settings was when a poll (or the daemon's start) last saw it. */
interface NotedFeed {
  readonly url: string;
  readonly enabled: boolean;
}

const notedKey = (feedId: string) => `feed-settings:${feedId}`;

/**
 * Records each feed's URL and whether it is enabled, and turns a feed that was re-enabled, or whose
 * URL changed under the same id, into a resumed one: its next poll marks what it lists as seen
 * instead of queueing a backlog (a week of a disabled feed, or every item of another document), and
 * forgets the old document's validators. Polls call it for every configured feed, so a feed disabled
 * in the settings is noted as soon as anything polls; the daemon may call it at start as well.
 */
export async function noteFeedSettings(store: PostStore, feeds: readonly FeedSettings[]): Promise<void> {
  for (const feed of feeds) {
    const current: NotedFeed = { url: feed.url, enabled: feed.enabled };
    const raw = await store.getSetting(notedKey(feed.id));
    const noted = raw === undefined ? undefined : (JSON.parse(raw) as NotedFeed);
    if (noted?.url === current.url && noted.enabled === current.enabled) continue;
    const state = await store.feedState(feed.id);
    const resumed = noted !== undefined && (noted.url !== current.url || (!noted.enabled && current.enabled));
    if (resumed && state.primed)
      await store.saveFeedState({
        ...state,
        catchUp: true,
        etag: null,
        lastModified: null,
        nextPollAfter: null,
      });
    await store.setSetting(notedKey(feed.id), JSON.stringify(current));
  }
}

function newRow(feedId: string, item: FeedItem) {
  return {
    feedId,
    itemKey: item.id,
    canonicalUrl: item.url ? (canonicalUrl(item.url) ?? null) : null,
    rawHash: rawItemHash(item),
    title: item.title,
  };
}

/**
 * The stored item this one is: same id in this feed; else the same canonical URL (a feed that
 * rewrote its ids, or another feed listing the story); else the same text in this feed (a new id and
 * a new URL for an unchanged item). A match under another id takes the new id, so the next poll finds
 * it at once.
 */
async function recognise(
  store: PostStore,
  feedId: string,
  item: FeedItem,
  write: boolean,
): Promise<StoredFeedItem | undefined> {
  const byKey = await store.feedItemByKey(feedId, item.id);
  if (byKey) return byKey;
  const url = item.url ? canonicalUrl(item.url) : undefined;
  const other =
    (url ? await store.feedItemByUrl(url) : undefined) ??
    (await store.feedItemByRawHash(feedId, rawItemHash(item)));
  if (!other || !write) return other;
  if (other.feedId === feedId) {
    await store.updateFeedItem(other.id, { itemKey: item.id });
    return { ...other, itemKey: item.id };
  }
  // Another feed's item: this feed records it as seen, pointing at the same article.
  return await store.addFeedItem({
    feedId,
    itemKey: item.id,
    canonicalUrl: url ?? null,
    rawHash: rawItemHash(item),
    title: item.title,
    articleId: other.articleId,
    now: (await store.feedItemById(other.id))?.lastSeenAt ?? new Date(0),
  });
}

function oldestFirst(items: readonly FeedItem[]): FeedItem[] {
  // Feeds list newest first; dates, where every item has one, decide instead.
  const reversed = [...items].reverse();
  if (!items.every((i) => i.published)) return reversed;
  return reversed.sort((a, b) => a.published!.getTime() - b.published!.getTime());
}

/** The item's article: its own body, a long summary, or the page at its link. */
async function readItem(
  deps: FeedDeps,
  item: FeedItem,
  signal?: AbortSignal,
): Promise<{ ok: true; article: Article } | { ok: false; why: string }> {
  const metadata = {
    ...(item.title ? { title: item.title } : {}),
    ...(item.url ? { url: item.url } : {}),
    ...(item.authors[0] ? { byline: item.authors.join(', ') } : {}),
  };
  const summaryText = (item.summary ?? '').replace(/<[^>]*>/g, '');
  const body = item.contentHtml ?? (summaryText.length >= FULL_SUMMARY_CHARS ? item.summary : undefined);
  try {
    const outcome =
      body === undefined && item.url
        ? await loadArticleFromUrl(deps.pages, deps.parser, item.url, deps.settings, metadata, signal)
        : await parseWithSettings(
            deps.parser,
            {
              bytes: new TextEncoder().encode(
                `<html><body><article>${body ?? item.summary ?? ''}</article></body></html>`,
              ),
              source: item.url ?? item.id,
              format: 'html',
              metadata,
            },
            deps.settings,
          );
    return outcome.ok ? { ok: true, article: outcome.article } : { ok: false, why: outcome.problem.message };
  } catch (error) {
    return { ok: false, why: (error as Error).message };
  }
}

/** The feed's channels, grouped by the mode this feed posts in (undefined: the channel's own). */
function channelGroups(deps: Pick<FeedDeps, 'channels'>, feed: FeedSettings) {
  const groups = new Map<PostingMode | undefined, PublishDeps['channels'][number][]>();
  for (const entry of feed.channels) {
    const id = typeof entry === 'string' ? entry : entry.id;
    const mode = typeof entry === 'string' ? undefined : entry.mode;
    const channel = deps.channels.find((c) => c.id === id && c.enabled);
    if (!channel) continue;
    groups.set(mode, [...(groups.get(mode) ?? []), channel]);
  }
  return [...groups];
}

/** Queues one new item on the feed's channels; records what it became. */
async function queueItem(
  deps: FeedDeps,
  feed: FeedSettings,
  item: FeedItem,
  signal?: AbortSignal,
): Promise<PolledItem | undefined> {
  const { store, clock } = deps;
  const row = newRow(feed.id, item);
  const urls = item.url ? [...new Set([item.url, row.canonicalUrl ?? item.url])] : [];
  const already = await store.articleIdByUrl(urls);
  if (already !== undefined) {
    // Queued by /add or `add` before: the same article, not a second one.
    await store.addFeedItem({ ...row, articleId: already, now: clock.now() });
    return undefined;
  }
  const read = await readItem(deps, item, signal);
  if (!read.ok) {
    await store.addFeedItem({ ...row, now: clock.now() });
    await deps.notifier.alert({
      kind: 'info',
      key: `feed-unreadable:${feed.id}:${item.id}`,
      text: `Feed ${feed.id}: "${item.title}" (${item.url ?? item.id}) could not be read, so it was not queued: ${read.why}`,
    });
    return undefined;
  }
  const article: Article = { ...read.article, ...(row.canonicalUrl ? { url: row.canonicalUrl } : {}) };
  const outcome = await enqueueOnFeedChannels(deps, feed, article);
  if (outcome.kind !== 'queued') {
    await store.addFeedItem({
      ...row,
      ...(outcome.kind === 'duplicate' ? { articleId: outcome.articleId } : {}),
      now: clock.now(),
    });
    if (outcome.kind === 'refused')
      await deps.notifier.alert({
        kind: 'info',
        key: `feed-refused:${feed.id}:${item.id}`,
        text: `Feed ${feed.id}: "${article.title}" was not queued: ${outcome.message}`,
      });
    return undefined;
  }
  await store.addFeedItem({
    ...row,
    articleId: outcome.articleId,
    bodyHash: articleHash(article),
    body: JSON.stringify(article.paragraphs),
    state: 'queued',
    now: clock.now(),
  });
  deps.logger.info('feed item queued', { feed: feed.id, article: outcome.articleId, title: article.title });
  if (feed.approval === 'admins')
    await deps.notifier.alert({
      kind: 'info',
      key: `feed-approve:${outcome.articleId}`,
      action: { kind: 'feed-approval', articleId: outcome.articleId },
      text: [
        `New from feed ${feed.id}: "${article.title}"${article.url ? ` ${article.url}` : ''}`,
        `Queued as article ${outcome.articleId}, waiting for approval: /approve ${outcome.articleId} lets it go out at its slots, /delete ${outcome.articleId} drops it, /preview a${outcome.articleId} shows the posts.`,
        ...(await previewLines(store, outcome.articleId)),
      ].join('\n'),
    });
  return { title: article.title, url: article.url, articleId: outcome.articleId };
}

type FeedEnqueueOutcome =
  | { kind: 'queued'; articleId: number }
  /** `killed`: a copy of the story was pulled (never queued again unless forced). */
  | { kind: 'duplicate'; articleId: number; killed: boolean }
  | { kind: 'refused'; message: string };

/**
 * Splits and queues the article on every channel of the feed (per-channel modes honoured), or only
 * on `channels` of them.
 */
export async function enqueueOnFeedChannels(
  deps: Pick<FeedDeps, 'store' | 'clock' | 'channels'>,
  feed: FeedSettings,
  article: Article,
  options: { force?: boolean; approved?: boolean; channels?: ReadonlySet<string> } = {},
): Promise<FeedEnqueueOutcome> {
  let articleId: number | undefined;
  let duplicateOf: { articleId: number; killed: boolean } | undefined;
  for (const [mode, all] of channelGroups(deps, feed)) {
    const channels = all.filter((c) => options.channels?.has(c.id) ?? true);
    if (channels.length === 0) continue;
    const { result } = await enqueueArticle(deps.store, {
      article,
      channels,
      ...(mode ? { mode } : {}),
      approved: options.approved ?? feed.approval === 'auto',
      ...(options.force ? { force: true } : {}),
      now: deps.clock.now(),
    });
    if (result.kind === 'thread-over-cap') return { kind: 'refused', message: result.message };
    if (result.kind === 'duplicate')
      duplicateOf ??= { articleId: result.articleId, killed: result.killed !== undefined };
    else articleId ??= result.articleId;
  }
  if (articleId !== undefined) return { kind: 'queued', articleId };
  if (duplicateOf !== undefined) return { kind: 'duplicate', ...duplicateOf };
  return { kind: 'refused', message: 'none of its channels is enabled' };
}

/** Where an article's posts stand on one channel, for a held correction. */
export interface ChannelStanding {
  readonly channelId: string;
  /** Sent, being sent, or maybe sent (unknown): the public already saw (part of) it there. */
  readonly published: number;
  readonly total: number;
}

/**
 * The channels where some of the article already went out (or may have: `sending`, `unknown`). A
 * re-split never goes there again: the story would appear twice, or a thread would start over.
 */
export async function publishedChannels(store: PostStore, articleId: number): Promise<ChannelStanding[]> {
  const byChannel = new Map<string, { published: number; total: number }>();
  for (const post of await store.postsOfArticle(articleId)) {
    const entry = byChannel.get(post.channelId) ?? { published: 0, total: 0 };
    entry.total += 1;
    if (post.state === 'sent' || post.state === 'sending' || post.state === 'unknown') entry.published += 1;
    byChannel.set(post.channelId, entry);
  }
  return [...byChannel]
    .filter(([, entry]) => entry.published > 0)
    .map(([channelId, entry]) => ({ channelId, ...entry }));
}

/** "x-main had already published it; x-two had already published part of it (2 of 5)". */
export function publishedNote(standings: readonly ChannelStanding[]): string {
  return standings
    .map((s) =>
      s.published >= s.total
        ? `${s.channelId} had already published it`
        : `${s.channelId} had already published part of it (${s.published} of ${s.total})`,
    )
    .join('; ');
}

async function previewLines(store: PostStore, articleId: number): Promise<string[]> {
  const posts = await store.postsOfArticle(articleId);
  const firsts = posts.filter((p) => p.seq === 1);
  return firsts.map((p) => {
    const text = p.text.length > 300 ? `${p.text.slice(0, 299)}…` : p.text;
    return `${p.channelId} (1 of ${p.total}): ${text}`;
  });
}

/**
 * A known item still listed: keeps its last sighting and, when the feed's text for it changed and
 * its article still has queued posts, reads it again; a changed body holds those posts and tells
 * the admins what changed. True when it was held now.
 */
async function refreshKnown(
  deps: FeedDeps,
  feed: FeedSettings,
  item: FeedItem,
  known: StoredFeedItem,
  signal?: AbortSignal,
): Promise<boolean> {
  const { store, clock } = deps;
  const rawHash = rawItemHash(item);
  await store.updateFeedItem(known.id, { lastSeenAt: clock.now() });
  if (rawHash === known.rawHash) return false;
  // The new hash is stored once the change is dealt with: a read that fails leaves the old one, so
  // the next poll sees the change again and reads again.
  const settled = async () => await store.updateFeedItem(known.id, { rawHash });
  const queued =
    known.articleId !== null && (known.state === 'queued' || known.state === 'held')
      ? (await store.postsOfArticle(known.articleId)).filter((p) => p.state === 'queued')
      : [];
  if (known.articleId === null || queued.length === 0) {
    await settled();
    return false;
  }
  const read = await readItem(deps, item, signal);
  if (!read.ok) {
    deps.logger.warn('feed item changed but could not be read; trying again at the next poll', {
      feed: feed.id,
      article: known.articleId,
      error: read.why,
    });
    return false;
  }
  await settled();
  const article: Article = { ...read.article, ...(known.canonicalUrl ? { url: known.canonicalUrl } : {}) };
  if (articleHash(article) === known.bodyHash) return false;
  if (known.state === 'held') {
    // Changed again while the admins decide: they will act on the latest text.
    await store.updateFeedItem(known.id, { heldArticle: JSON.stringify(article) });
    return false;
  }
  const { held } = await store.holdFeedItem(known.id, known.articleId, JSON.stringify(article));
  const before: string[] = known.body ? (JSON.parse(known.body) as string[]) : [];
  const published = await publishedChannels(store, known.articleId);
  await deps.notifier.alert({
    kind: 'info',
    key: `feed-changed:${known.id}:${articleHash(article)}`,
    action: { kind: 'held-correction', feedItemId: known.id },
    text: [
      `Correction? "${article.title}" changed in feed ${feed.id} after it was queued (article ${known.articleId}). Its ${held} queued post(s) are held.`,
      'What changed:',
      formatDiff(sentenceDiff(before, article.paragraphs)),
      'Choose with the buttons (or later in /held): re-split and re-queue, keep as queued, or drop.',
      ...(published.length
        ? [
            `${publishedNote(published)}: re-split does not send it there again; /kill a${known.articleId} or post a correction by hand.`,
          ]
        : []),
    ].join('\n'),
  });
  deps.logger.warn('feed item changed after queueing; its posts are held', {
    feed: feed.id,
    article: known.articleId,
  });
  return true;
}

/**
 * Feeds list their newest items, so old ones scroll off the end: only a queued item missing while
 * an item older than it is still listed was taken out. Its posts are not killed automatically: the
 * admins are asked, once.
 */
async function askAboutVanished(
  deps: FeedDeps,
  feed: FeedSettings,
  listed: readonly { item: FeedItem; known: StoredFeedItem | undefined }[],
): Promise<number> {
  const { store } = deps;
  const present = new Set(listed.map((l) => l.item.id));
  const stillListed = (await store.feedItemsOf(feed.id)).filter((row) => present.has(row.itemKey));
  if (stillListed.length === 0) return 0;
  const oldest = Math.min(...stillListed.map((row) => row.firstSeenAt.getTime()));
  let asked = 0;
  for (const row of await store.feedItemsOf(feed.id, ['queued'])) {
    if (present.has(row.itemKey) || row.firstSeenAt.getTime() <= oldest || row.articleId === null) continue;
    await store.updateFeedItem(row.id, { state: 'gone-asked' });
    asked += 1;
    await deps.notifier.alert({
      kind: 'info',
      key: `feed-gone:${row.id}`,
      action: { kind: 'vanished-item', feedItemId: row.id, articleId: row.articleId },
      text: `"${row.title}" (article ${row.articleId}) disappeared from feed ${feed.id} while older items are still listed: was it pulled? Nothing was done. "Kill it" shows what pulling it everywhere would do and asks once more; "Keep" leaves it as it is. /preview a${row.articleId} shows its posts.`,
    });
  }
  return asked;
}
