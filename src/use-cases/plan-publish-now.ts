import type { ChannelSettings } from '../config/config-schema.js';
import type { Article, PostingMode } from '../domain/article.js';
import { canonicalUrl } from '../domain/canonical-url.js';
import type { ArticleKill, PostStore, StoredPost } from '../ports/post-store.js';
import {
  articleHash,
  enqueueArticle,
  type ThreadOverCap,
  threadOverCapMessage,
  threadsOverCap,
} from './enqueue-article.js';
import { type ChannelSplit, splitForChannels } from './prepare-article.js';
import type { PublishDeps } from './publish-deps.js';
import {
  type ChannelReport,
  findArticleToResume,
  type PublishNowEvent,
  publishArticleNow,
} from './publish-now.js';
import { type RecoveryReport, recoverInterrupted } from './recover-interrupted.js';

/**
 * The publish-now flow (`quotecast publish`, `npm run publish-now`) in two steps, so that an app can
 * show a preview and ask between them: `planPublishNow` decides what would happen and writes nothing
 * to the queue; `executePublishNow` queues the fresh channels (approved) and publishes every channel
 * at once, resuming the copies it found.
 */

export interface PublishNowRequest {
  readonly article: Article;
  /** In the order reports should come back (the order the user named them). */
  readonly channels: readonly ChannelSettings[];
  /** Overrides every channel's own mode. */
  readonly mode?: PostingMode;
  /** Queue a new copy even where the article is already queued or published. */
  readonly force?: boolean;
  /** Finish the copies already queued or half-sent instead of refusing them as duplicates. */
  readonly resume?: boolean;
  /**
   * Settle posts an earlier process left `sending` before looking for copies. Only when this process
   * holds the store alone: beside a running daemon, its posts in flight are not interrupted.
   */
  readonly recoverInterrupted?: boolean;
}

/** A channel that already has a copy of the article: the posts it holds there, sent or not. */
export interface ResumedCopy {
  readonly articleId: number;
  readonly posts: readonly StoredPost[];
}

export interface PublishNowReady {
  readonly kind: 'ready';
  readonly request: PublishNowRequest;
  /** Channel id → the stored copy to finish there (only with `resume`), in the request's order. */
  readonly existing: ReadonlyMap<string, ResumedCopy>;
  /** The channels with no copy yet, and their split: queued as new on execution. */
  readonly fresh: readonly ChannelSettings[];
  readonly splits: readonly ChannelSplit[];
}

/** The article is already queued or published on these channels (channel id → article id). */
export interface PublishNowDuplicate {
  readonly kind: 'duplicate';
  readonly existing: ReadonlyMap<string, number>;
}

/** A fresh channel would get a thread longer than its daily cap: it could never go out whole. */
export interface PublishNowOverCap {
  readonly kind: 'thread-over-cap';
  readonly problems: readonly ThreadOverCap[];
  readonly message: string;
}

/**
 * The article was pulled (killed): the newsroom took it down everywhere, so neither a fresh publish
 * nor `resume` sends it. Only `force` publishes it again, as a new article.
 */
export interface PublishNowKilled {
  readonly kind: 'killed';
  readonly articleId: number;
  readonly killed: ArticleKill;
}

/**
 * A feed correction holds the article (or the copy a fresh channel would join): nothing of it goes
 * out, `resume` or `force` alike, until an admin decides the correction (/held).
 */
export interface PublishNowHeld {
  readonly kind: 'held';
  readonly articleId: number;
}

export type PublishNowPlan = (
  | PublishNowReady
  | PublishNowDuplicate
  | PublishNowOverCap
  | PublishNowKilled
  | PublishNowHeld
) & {
  /** What settling interrupted posts did, when the request asked for it. */
  readonly recovered?: RecoveryReport;
};

/**
 * Looks for copies of the article on each channel and splits it for the others. Refuses a killed
 * article unless `force` (with or without `resume`: its unsent posts were dropped on purpose), an
 * article held for a feed correction (even forced: decide the correction first), a
 * duplicate unless `resume` or `force`, and a thread over a channel's cap, before anything is
 * queued: a "no" at the preview must leave the queue exactly as it was.
 */
export async function planPublishNow(deps: PublishDeps, request: PublishNowRequest): Promise<PublishNowPlan> {
  const recovered = request.recoverInterrupted ? await recoverInterrupted(deps) : undefined;
  const withRecovery = recovered ? { recovered } : {};
  const existingIds = new Map<string, number>();
  if (!request.force) {
    const hash = articleHash(request.article);
    for (const channel of request.channels) {
      const articleId = await findArticleToResume(deps.store, hash, channel.id);
      if (articleId !== undefined) existingIds.set(channel.id, articleId);
    }
  }
  const fresh = request.channels.filter((c) => !existingIds.has(c.id));
  const copies = await twinArticles(deps.store, request.article, [...existingIds.values()], fresh.length > 0);
  if (!request.force) {
    const pulled = await killedCopy(deps.store, copies);
    if (pulled) return { ...pulled, ...withRecovery };
  }
  // Even forced: the store may add the new posts to the held article (same text or URL, no clash),
  // where they would wait behind the hold; the admin decides the correction first.
  let held: number | undefined;
  for (const id of copies) if (held === undefined && (await deps.store.isArticleHeld(id))) held = id;
  if (held !== undefined) return { kind: 'held', articleId: held, ...withRecovery };
  if (existingIds.size > 0 && !request.resume)
    return { kind: 'duplicate', existing: existingIds, ...withRecovery };
  const splits = splitForChannels(request.article, fresh, request.mode);
  const problems = threadsOverCap(splits, request.mode);
  if (problems.length > 0)
    return { kind: 'thread-over-cap', problems, message: threadOverCapMessage(problems), ...withRecovery };
  const existing = new Map<string, ResumedCopy>();
  for (const [channelId, articleId] of existingIds)
    existing.set(channelId, { articleId, posts: await deps.store.postsOfArticle(articleId, channelId) });
  return { kind: 'ready', request, existing, fresh, splits, ...withRecovery };
}

/**
 * How far back a pulled copy is looked for before the preview; an older one is still refused on
 * execution, where the store checks every article.
 */
const KILL_LOOKBACK_ARTICLES = 500;

/**
 * The stored articles this publish touches: the copies it would resume, and, when a channel would
 * get a new copy, every recent article with the same text or URL (the store reuses or refuses them).
 */
async function twinArticles(
  store: PostStore,
  article: Article,
  resumed: readonly number[],
  queuesNew: boolean,
): Promise<number[]> {
  const hash = articleHash(article);
  const link = (url: string | null | undefined) => (url ? (canonicalUrl(url) ?? url) : undefined);
  const url = link(article.url);
  const twins = queuesNew
    ? (await store.listArticles(KILL_LOOKBACK_ARTICLES))
        .filter((a) => a.contentHash === hash || (url !== undefined && link(a.url) === url))
        .map((a) => a.id)
    : [];
  return [...new Set([...resumed, ...twins])];
}

/** The pulled copy that stops this publish, among the articles it touches (see twinArticles). */
async function killedCopy(
  store: PostStore,
  articles: readonly number[],
): Promise<PublishNowKilled | undefined> {
  for (const articleId of articles) {
    const killed = (await store.articleTrail(articleId))?.killed;
    if (killed) return { kind: 'killed', articleId, killed };
  }
  return undefined;
}

export interface ExecutePublishNowOptions {
  /** The longest wait for a rate-limit reset or a retry that is still worth sitting through. */
  readonly maxWaitMs: number;
  /** Aborted on Ctrl-C: the send in flight finishes, nothing new starts. */
  readonly signal?: AbortSignal;
  readonly onEvent: (event: PublishNowEvent) => void;
}

export type PublishNowResult =
  /** One report per requested channel, in the request's order. */
  | { readonly kind: 'published'; readonly reports: readonly ChannelReport[] }
  /**
   * Queued meanwhile by someone else (the daemon's Telegram /add), or matched by URL only: nothing
   * was queued or sent.
   */
  | PublishNowDuplicate
  | PublishNowOverCap
  /** Pulled meanwhile, or a pulled twin matched by URL only: nothing was queued or sent. */
  | PublishNowKilled;

/**
 * Queues the plan's fresh channels (approved, one transaction) and publishes every channel now:
 * channels sharing a stored copy of the article go through one run, all runs in parallel.
 */
export async function executePublishNow(
  deps: PublishDeps,
  plan: PublishNowReady,
  options: ExecutePublishNowOptions,
): Promise<PublishNowResult> {
  const { request } = plan;
  const articleOf = new Map([...plan.existing].map(([channelId, copy]) => [channelId, copy.articleId]));
  if (plan.fresh.length > 0) {
    const { result } = await enqueueArticle(deps.store, {
      article: request.article,
      channels: plan.fresh,
      ...(request.mode ? { mode: request.mode } : {}),
      approved: true,
      ...(request.force ? { force: true } : {}),
      now: deps.clock.now(),
    });
    if (result.kind === 'thread-over-cap') return result;
    if (result.kind === 'duplicate' && result.killed)
      return { kind: 'killed', articleId: result.articleId, killed: result.killed };
    if (result.kind === 'duplicate')
      return {
        kind: 'duplicate',
        existing: new Map(result.channelIds.map((id) => [id, result.articleId])),
      };
    for (const channel of plan.fresh) articleOf.set(channel.id, result.articleId);
  }
  const channelsOf = new Map<number, string[]>();
  for (const channel of request.channels) {
    const articleId = articleOf.get(channel.id);
    if (articleId === undefined) continue;
    channelsOf.set(articleId, [...(channelsOf.get(articleId) ?? []), channel.id]);
  }
  const runs = [...channelsOf].map(([articleId, channelIds]) =>
    publishArticleNow(deps, { articleId, channelIds, ...options }),
  );
  const reports = (await Promise.all(runs)).flat();
  const position = (id: string) => request.channels.findIndex((c) => c.id === id);
  reports.sort((a, b) => position(a.channelId) - position(b.channelId));
  return { kind: 'published', reports };
}
