import type { PostStore, StoredPost } from '../ports/post-store.js';
import type { PublishDeps } from './publish-deps.js';
import { type PublishOutcome, publishPost } from './publish-post.js';

/** What the one-off publish tells its caller as it goes (progress lines, countdowns). */
export type PublishNowEvent =
  | {
      readonly kind: 'sent';
      readonly channelId: string;
      readonly post: StoredPost;
      readonly index: number;
      readonly total: number;
      readonly url?: string;
      readonly duplicate: boolean;
    }
  | {
      readonly kind: 'waiting';
      readonly channelId: string;
      readonly until: Date;
      readonly reason: 'rate-limited' | 'unavailable';
      readonly secondsLeft: number;
    }
  | {
      readonly kind: 'failed';
      readonly channelId: string;
      readonly post: StoredPost;
      readonly detail: string;
    }
  | { readonly kind: 'gave-up'; readonly channelId: string; readonly until: Date; readonly detail: string }
  | { readonly kind: 'skipped'; readonly channelId: string; readonly post: StoredPost; readonly why: string };

export interface ChannelReport {
  readonly channelId: string;
  readonly total: number;
  readonly sent: number;
  /**
   * Of `sent`, the posts the platform already had (X refuses the same text twice): counted as sent,
   * but not posted again by this run.
   */
  readonly alreadyThere: number;
  /** Posts that did not go out (failed, still queued, or of unknown outcome). */
  readonly notSent: readonly StoredPost[];
  readonly stoppedBecause?: string;
}

export interface PublishNowOptions {
  readonly articleId: number;
  readonly channelIds: readonly string[];
  /** The longest wait for a rate-limit reset or a retry that is still worth sitting through. */
  readonly maxWaitMs: number;
  readonly onEvent: (event: PublishNowEvent) => void;
  /** Aborted on Ctrl-C: the send in flight finishes, nothing new starts. */
  readonly signal?: AbortSignal;
}

/** How many recent articles to look through for a copy to resume (forced copies are recent). */
const RESUME_LOOKBACK_ARTICLES = 200;

/**
 * The copy of an article (by content hash) that `--resume` should finish on a channel: the newest
 * one with posts still to send there, else the newest one the channel has. An article published
 * again with `--force` has several copies, and the half-sent one is the latest, not the first.
 * Undefined when no recent copy has posts on the channel.
 */
export async function findArticleToResume(
  store: PostStore,
  contentHash: string,
  channelId: string,
): Promise<number | undefined> {
  let newest: number | undefined;
  for (const article of await store.listArticles(RESUME_LOOKBACK_ARTICLES)) {
    if (article.contentHash !== contentHash) continue;
    const posts = await store.postsOfArticle(article.id, channelId);
    if (posts.length === 0) continue;
    if (posts.some((p) => p.state !== 'sent' && p.state !== 'skipped')) return article.id;
    newest ??= article.id;
  }
  return newest;
}

/**
 * Publishes one article's unsent posts now, channel by channel in parallel, post by post in order,
 * through the same state machine as the daemon. Already-sent posts are skipped, so running it again
 * (`--resume`) finishes a half-sent thread as replies to the last published post.
 */
export async function publishArticleNow(
  deps: PublishDeps,
  options: PublishNowOptions,
): Promise<ChannelReport[]> {
  return Promise.all(options.channelIds.map((channelId) => publishChannel(deps, channelId, options)));
}

async function publishChannel(
  deps: PublishDeps,
  channelId: string,
  options: PublishNowOptions,
): Promise<ChannelReport> {
  const { store, clock } = deps;
  const all = async () => await store.postsOfArticle(options.articleId, channelId);
  const total = (await all()).length;
  let stoppedBecause: string | undefined;
  let alreadyThere = 0;
  for (const initial of await all()) {
    if (options.signal?.aborted) {
      stoppedBecause = 'interrupted';
      break;
    }
    if (initial.state === 'sent' || initial.state === 'skipped') continue;
    if (initial.state === 'unknown') {
      options.onEvent({
        kind: 'skipped',
        channelId,
        post: initial,
        why: `outcome unknown after an interruption: check the channel, then quotecast resolve ${initial.id} --sent|--resend`,
      });
      stoppedBecause = `post #${initial.id} has an unknown outcome`;
      break;
    }
    const waits = await whyHeldBack(store, initial);
    if (waits) {
      options.onEvent({ kind: 'skipped', channelId, post: initial, why: waits });
      stoppedBecause = `post #${initial.id} ${waits}`;
      break;
    }
    if (initial.state === 'failed') {
      // An explicit publish run is the admin's "try again".
      await store.requeue(initial.id, clock.now());
    }
    let outcome: PublishOutcome;
    for (;;) {
      outcome = await publishPost(deps, initial.id, options.signal);
      if (outcome.kind !== 'retry') break;
      const waitMs = outcome.at.getTime() - clock.now().getTime();
      if (waitMs > options.maxWaitMs) {
        options.onEvent({ kind: 'gave-up', channelId, until: outcome.at, detail: outcome.detail });
        stoppedBecause = `${outcome.reason} until ${outcome.at.toISOString()}`;
        break;
      }
      await countdown(deps, channelId, outcome.at, outcome.reason, options);
      if (options.signal?.aborted) break;
      // The wait is over: the pause set by the rate limit has run out, lift it for this channel.
      if ((await store.channelState(channelId)).pausedUntil) await store.resumeChannel(channelId);
    }
    if (outcome.kind === 'retry') {
      stoppedBecause ??= 'interrupted';
      break;
    }
    if (outcome.kind === 'sent' || outcome.kind === 'duplicate') {
      if (outcome.kind === 'duplicate') alreadyThere += 1;
      options.onEvent({
        kind: 'sent',
        channelId,
        post: outcome.post,
        index: outcome.post.seq,
        total,
        duplicate: outcome.kind === 'duplicate',
        ...(outcome.kind === 'sent' && outcome.url ? { url: outcome.url } : {}),
      });
      continue;
    }
    if (outcome.kind === 'unknown') {
      options.onEvent({
        kind: 'skipped',
        channelId,
        post: outcome.post,
        why: `may or may not have arrived (${outcome.detail}): check the channel, then quotecast resolve ${outcome.post.id} --sent|--resend`,
      });
      stoppedBecause = `post #${outcome.post.id} has an unknown outcome`;
      break;
    }
    if (outcome.kind === 'stopped') {
      stoppedBecause = 'interrupted';
      break;
    }
    if (outcome.kind === 'not-queued') {
      const now = await store.getPost(initial.id);
      const waits = outcome.heldBack && now ? await whyHeldBack(store, now) : undefined;
      if (waits) {
        // Held (or its approval withdrawn) while it waited for its turn: still queued, not sent.
        options.onEvent({ kind: 'skipped', channelId, post: now!, why: waits });
        stoppedBecause = `post #${initial.id} ${waits}`;
        break;
      }
      if (now?.state === 'sent') continue; // the daemon sent it meanwhile
      stoppedBecause = `post #${initial.id} is ${now?.state ?? 'gone'}`;
      break;
    }
    options.onEvent({ kind: 'failed', channelId, post: outcome.post, detail: outcome.detail });
    stoppedBecause = outcome.detail;
    break;
  }
  const after = await all();
  return {
    channelId,
    total,
    sent: after.filter((p) => p.state === 'sent').length,
    alreadyThere,
    notSent: after.filter((p) => p.state !== 'sent' && p.state !== 'skipped'),
    ...(stoppedBecause ? { stoppedBecause } : {}),
  };
}

/** The message used wherever a held article is refused: what it is and where it is decided. */
export const HELD_FOR_CORRECTION =
  'held for a correction: decide it with /held in Telegram (`quotecast feeds list` counts what is held)';

/**
 * Why an unsent post may not go out now, whatever the publish run: its article is held for a feed
 * correction, or it waits for an approval (a feed with `approval: manual`, or /add's "queue"). The
 * lease refuses both; said here first so the run stops with the reason instead of a bare refusal.
 */
async function whyHeldBack(store: PostStore, post: StoredPost): Promise<string | undefined> {
  if (post.state !== 'queued' && post.state !== 'failed') return undefined;
  if (await store.isArticleHeld(post.articleId)) return `is ${HELD_FOR_CORRECTION}`;
  if (!post.approved) return `waits for an approval: /approve ${post.articleId} in Telegram`;
  return undefined;
}

async function countdown(
  deps: PublishDeps,
  channelId: string,
  until: Date,
  reason: 'rate-limited' | 'unavailable',
  options: PublishNowOptions,
) {
  for (;;) {
    const left = until.getTime() - deps.clock.now().getTime();
    if (left <= 0 || options.signal?.aborted) return;
    options.onEvent({ kind: 'waiting', channelId, until, reason, secondsLeft: Math.ceil(left / 1000) });
    await deps.clock.sleep(Math.min(left, 1000), options.signal);
  }
}
