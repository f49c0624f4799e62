import type { FeedSettings } from '../config/config-schema.js';
import type { Article } from '../domain/article.js';
import { formatDiff, sentenceDiff } from '../domain/feed-diff.js';
import type { FeedState, PostStore, StoredFeedItem } from '../ports/post-store.js';
import { articleHash } from './enqueue-article.js';
import { enqueueOnFeedChannels, type FeedDeps } from './poll-feed.js';

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

export function feedHealth(store: PostStore, feeds: readonly FeedSettings[]): FeedHealth[] {
  return feeds.map((feed) => {
    const state = store.feedState(feed.id);
    const counts = store.feedItemCounts(feed.id);
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
  });
}

export type FeedActionResult = { readonly ok: boolean; readonly message: string };

/**
 * Pauses or resumes a feed. A resumed feed does not send its backlog: the next poll marks what
 * arrived meanwhile as seen, as a first poll does.
 */
export function setFeedPaused(
  store: PostStore,
  feeds: readonly FeedSettings[],
  feedId: string,
  paused: boolean,
): FeedActionResult {
  if (!feeds.some((f) => f.id === feedId)) return { ok: false, message: `There is no feed "${feedId}".` };
  const state = store.feedState(feedId);
  if (state.paused === paused)
    return { ok: false, message: `Feed ${feedId} is already ${paused ? 'paused' : 'running'}.` };
  store.saveFeedState({ ...state, paused, catchUp: paused ? state.catchUp : state.primed });
  return {
    ok: true,
    message: paused
      ? `Feed ${feedId} paused: it is not polled until resumed.`
      : `Feed ${feedId} resumed: what it listed meanwhile is marked as seen, not posted; new items from the next poll on are.`,
  };
}

export type HeldDecision = 'requeue' | 'keep' | 'drop';

/** Items whose queued posts wait for an admin after their text changed. */
export function heldItems(store: PostStore, feeds: readonly FeedSettings[]): StoredFeedItem[] {
  return feeds.flatMap((f) => store.feedItemsOf(f.id, ['held']));
}

/** The held item of this article, if its posts wait for a correction decision. */
export function heldItemOfArticle(
  store: PostStore,
  feeds: readonly FeedSettings[],
  articleId: number,
): StoredFeedItem | undefined {
  return heldItems(store, feeds).find((item) => item.articleId === articleId);
}

/** What changed in a held item: the queued text against the feed's new text, as a short diff. */
export function heldItemDiff(item: StoredFeedItem): string {
  const before: string[] = item.body ? (JSON.parse(item.body) as string[]) : [];
  const after = item.heldArticle ? (JSON.parse(item.heldArticle) as Article).paragraphs : [];
  return formatDiff(sentenceDiff(before, after));
}

/**
 * An admin's answer to a held correction: `requeue` drops the old queued posts and queues the new
 * text, split again; `keep` lets the old posts go out as queued; `drop` drops them. Acts once.
 */
export function decideHeldItem(
  deps: Pick<FeedDeps, 'store' | 'clock' | 'channels' | 'settings'>,
  itemId: number,
  decision: HeldDecision,
): FeedActionResult {
  const { store } = deps;
  const item = store.feedItemById(itemId);
  if (item?.state !== 'held' || item.articleId === null || item.heldArticle === null)
    return { ok: false, message: `Item ${itemId} is not held (someone may have decided already).` };
  const article = JSON.parse(item.heldArticle) as Article;
  const newer = {
    bodyHash: articleHash(article),
    body: JSON.stringify(article.paragraphs),
    heldArticle: null,
  };
  const skipQueued = () => {
    let n = 0;
    for (const post of store.postsOfArticle(item.articleId!))
      if (post.state === 'queued' && store.skip(post.id)) n += 1;
    return n;
  };
  if (decision === 'keep') {
    if (item.heldWasApproved) store.approveArticle(item.articleId);
    store.updateFeedItem(item.id, { ...newer, state: 'queued' });
    return { ok: true, message: `Kept article ${item.articleId} "${item.title}" as queued (the old text).` };
  }
  if (decision === 'drop') {
    const dropped = skipQueued();
    store.updateFeedItem(item.id, { ...newer, state: 'dropped' });
    return {
      ok: true,
      message: `Dropped ${dropped} queued post(s) of article ${item.articleId} "${item.title}".`,
    };
  }
  const feed = deps.settings.feeds.find((f) => f.id === item.feedId);
  if (!feed)
    return { ok: false, message: `Feed ${item.feedId} is not configured any more; nothing re-queued.` };
  const dropped = skipQueued();
  const outcome = enqueueOnFeedChannels(deps, feed, article, { force: true, approved: item.heldWasApproved });
  if (outcome.kind !== 'queued') {
    store.updateFeedItem(item.id, { ...newer, state: 'dropped' });
    return {
      ok: false,
      message: `Dropped the ${dropped} old post(s), but the new text was not queued: ${outcome.kind === 'refused' ? outcome.message : 'it is a duplicate'}.`,
    };
  }
  store.updateFeedItem(item.id, { ...newer, state: 'queued', articleId: outcome.articleId });
  return {
    ok: true,
    message: `Re-split "${article.title}": ${dropped} old post(s) dropped, the new text queued as article ${outcome.articleId}${item.heldWasApproved ? '' : ' (waiting for /approve)'}.`,
  };
}
