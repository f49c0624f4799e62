import type { FeedSettings } from '../config/config-schema.js';
import type { Article } from '../domain/article.js';
import { formatDiff, sentenceDiff } from '../domain/feed-diff.js';
import type { FeedState, PostStore, StoredFeedItem } from '../ports/post-store.js';
import { articleHash } from './enqueue-article.js';
import { enqueueOnFeedChannels, type FeedDeps, publishedChannels, publishedNote } from './poll-feed.js';

/** A feed's health for `feeds list`, `status` and /feeds. */
export interface FeedHealth {
  readonly feed: FeedSettings;
  readonly state: FeedState;
  /** ok | paused | failing | new (never polled) | disabled. */
  readonly condition: 'ok' | 'paused' | 'failing' | 'new' | 'disabled';
  readonly seen: number;
  readonly queued: number;
  readonly held: number;
}

export async function feedHealth(store: PostStore, feeds: readonly FeedSettings[]): Promise<FeedHealth[]> {
  return await Promise.all(
    feeds.map(async (feed): Promise<FeedHealth> => {
      const state = await store.feedState(feed.id);
      const counts = await store.feedItemCounts(feed.id);
      const condition = !feed.enabled
        ? 'disabled'
        : state.paused
          ? 'paused'
          : state.lastError
            ? 'failing'
            : state.lastPollAt
              ? 'ok'
              : 'new';
      const seen = Object.values(counts).reduce((a, b) => a + b, 0);
      return { feed, state, condition, seen, queued: counts.queued, held: counts.held };
    }),
  );
}

export type FeedActionResult = { readonly ok: boolean; readonly message: string };

/**
 * Pauses or resumes a feed. A resumed feed does not send its backlog: the next poll marks what
 * arrived meanwhile as seen, as a first poll does.
 */
export async function setFeedPaused(
  store: PostStore,
  feeds: readonly FeedSettings[],
  feedId: string,
  paused: boolean,
): Promise<FeedActionResult> {
  if (!feeds.some((f) => f.id === feedId)) return { ok: false, message: `There is no feed "${feedId}".` };
  const state = await store.feedState(feedId);
  if (state.paused === paused)
    return { ok: false, message: `Feed ${feedId} is already ${paused ? 'paused' : 'running'}.` };
  await store.saveFeedState({ ...state, paused, catchUp: paused ? state.catchUp : state.primed });
  return {
    ok: true,
    message: paused
      ? `Feed ${feedId} paused: it is not polled until resumed.`
      : `Feed ${feedId} resumed: what it listed meanwhile is marked as seen, not posted; new items from the next poll on are.`,
  };
}

export type HeldDecision = 'requeue' | 'keep' | 'drop';

/** Items whose queued posts wait for an admin after their text changed. */
export async function heldItems(store: PostStore, feeds: readonly FeedSettings[]): Promise<StoredFeedItem[]> {
  const held: StoredFeedItem[] = [];
  for (const feed of feeds) held.push(...(await store.feedItemsOf(feed.id, ['held'])));
  return held;
}

/** The held item of this article, if its posts wait for a correction decision. */
export async function heldItemOfArticle(
  store: PostStore,
  feeds: readonly FeedSettings[],
  articleId: number,
): Promise<StoredFeedItem | undefined> {
  return (await heldItems(store, feeds)).find((item) => item.articleId === articleId);
}

/** What changed in a held item: the queued text against the feed's new text, as a short diff. */
export function heldItemDiff(item: StoredFeedItem): string {
  const before: string[] = item.body ? (JSON.parse(item.body) as string[]) : [];
  const after = item.heldArticle ? (JSON.parse(item.heldArticle) as Article).paragraphs : [];
  return formatDiff(sentenceDiff(before, after));
}

/**
 * An admin's answer to a held correction: `requeue` drops the old unsent posts and queues the new
 * text, split again, on the channels where nothing of it went out yet (never where the story, or part
 * of a thread, was published: the admins are told to /kill or correct by hand there); `keep` lets the
 * old posts go out as queued; `drop` drops them. Acts once. A pulled (killed) article is never
 * queued again from here.
 */
export async function decideHeldItem(
  deps: Pick<FeedDeps, 'store' | 'clock' | 'channels' | 'settings'>,
  itemId: number,
  decision: HeldDecision,
): Promise<FeedActionResult> {
  const { store } = deps;
  const item = await store.feedItemById(itemId);
  if (item?.state !== 'held' || item.articleId === null || item.heldArticle === null)
    return { ok: false, message: `Item ${itemId} is not held (someone may have decided already).` };
  const articleId = item.articleId;
  const article = JSON.parse(item.heldArticle) as Article;
  const newer = {
    bodyHash: articleHash(article),
    body: JSON.stringify(article.paragraphs),
    heldArticle: null,
  };
  if ((await store.articleTrail(articleId))?.killed) {
    // Killed before the kill dropped feed items (or by another process meanwhile): nothing to decide.
    await store.updateFeedItem(item.id, { ...newer, state: 'dropped' });
    return { ok: false, message: pulledMessage(articleId) };
  }
  const skipUnsent = async (channels?: ReadonlySet<string>) => {
    let n = 0;
    for (const post of await store.postsOfArticle(articleId))
      if (
        (post.state === 'queued' || (channels?.has(post.channelId) && post.state === 'failed')) &&
        (await store.skip(post.id))
      )
        n += 1;
    return n;
  };
  if (decision === 'keep') {
    if (item.heldWasApproved) await store.approveArticle(articleId);
    await store.updateFeedItem(item.id, { ...newer, state: 'queued' });
    return { ok: true, message: `Kept article ${articleId} "${item.title}" as queued (the old text).` };
  }
  if (decision === 'drop') {
    const dropped = await skipUnsent();
    await store.updateFeedItem(item.id, { ...newer, state: 'dropped' });
    return {
      ok: true,
      message: `Dropped ${dropped} queued post(s) of article ${articleId} "${item.title}".`,
    };
  }
  const feed = deps.settings.feeds.find((f) => f.id === item.feedId);
  if (!feed)
    return { ok: false, message: `Feed ${item.feedId} is not configured any more; nothing re-queued.` };
  const published = await publishedChannels(store, articleId);
  const byHand = published.length
    ? ` ${publishedNote(published)}: not sent there again; /kill a${articleId} or post a correction by hand.`
    : '';
  // Only where the old posts were held: unsent posts of this article, nothing of it out there yet.
  const heldOn = new Set(
    (await store.postsOfArticle(articleId))
      .filter((p) => p.state === 'queued')
      .map((p) => p.channelId)
      .filter((channelId) => !published.some((s) => s.channelId === channelId)),
  );
  const dropped = await skipUnsent(heldOn);
  if (heldOn.size === 0) {
    await store.updateFeedItem(item.id, { ...newer, state: 'dropped' });
    return {
      ok: true,
      message: `Nothing re-queued for "${article.title}": ${dropped} old unsent post(s) dropped.${byHand}`,
    };
  }
  const outcome = await requeueCorrection(deps, feed, article, articleId, {
    channels: heldOn,
    approved: item.heldWasApproved,
  });
  if (outcome.kind !== 'queued') {
    await store.updateFeedItem(item.id, { ...newer, state: 'dropped' });
    return {
      ok: false,
      message: `Dropped the ${dropped} old post(s), but the new text was not queued: ${outcome.message}.${byHand}`,
    };
  }
  await store.updateFeedItem(item.id, { ...newer, state: 'queued', articleId: outcome.articleId });
  return {
    ok: true,
    message: `Re-split "${article.title}": ${dropped} old post(s) dropped, the new text queued as article ${outcome.articleId} on ${[...heldOn].join(', ')}${item.heldWasApproved ? '' : ' (waiting for /approve)'}.${byHand}`,
  };
}

function pulledMessage(articleId: number): string {
  return `Article a${articleId} was pulled; nothing re-queued.`;
}

/**
 * Queues the corrected text as a new article. The old article (same URL) is a duplicate on these
 * channels, so the store is asked first without `force`: it answers with the kill if any copy of the
 * story was pulled, and only a plain duplicate of the held article itself is forced past.
 */
async function requeueCorrection(
  deps: Pick<FeedDeps, 'store' | 'clock' | 'channels'>,
  feed: FeedSettings,
  article: Article,
  heldArticleId: number,
  options: { channels: ReadonlySet<string>; approved: boolean },
): Promise<{ kind: 'queued'; articleId: number } | { kind: 'refused'; message: string }> {
  const first = await enqueueOnFeedChannels(deps, feed, article, options);
  if (first.kind === 'queued' || first.kind === 'refused') return first;
  if (first.killed) return { kind: 'refused', message: pulledMessage(first.articleId) };
  if (first.articleId !== heldArticleId)
    return { kind: 'refused', message: `it is already queued or published as article ${first.articleId}` };
  const forced = await enqueueOnFeedChannels(deps, feed, article, { ...options, force: true });
  if (forced.kind !== 'queued')
    return { kind: 'refused', message: forced.kind === 'refused' ? forced.message : 'it is a duplicate' };
  // A kill from another process between the two calls: pull the new copy too.
  if ((await deps.store.articleTrail(heldArticleId))?.killed) {
    await deps.store.killArticle(
      forced.articleId,
      'quotecast (the story was pulled meanwhile)',
      deps.clock.now(),
    );
    return { kind: 'refused', message: pulledMessage(heldArticleId) };
  }
  return forced;
}
