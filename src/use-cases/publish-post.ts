import { samePostText } from '../domain/same-post-text.js';
import { backoffDelayMs } from '../domain/schedule.js';
import type { AttemptRecord, StoredPost } from '../ports/post-store.js';
import { isPublishError, PublishError, type Receipt, type RemotePost } from '../ports/publisher.js';
import { threadHeldNote } from './admin-actions.js';
import type { PublishDeps } from './publish-deps.js';

export type PublishOutcome =
  | { readonly kind: 'sent'; readonly post: StoredPost; readonly remoteId: string; readonly url?: string }
  | { readonly kind: 'duplicate'; readonly post: StoredPost }
  | {
      readonly kind: 'retry';
      readonly post: StoredPost;
      readonly reason: 'rate-limited' | 'unavailable';
      readonly at: Date;
      readonly detail: string;
    }
  | { readonly kind: 'failed'; readonly post: StoredPost; readonly reason: string; readonly detail: string }
  /** It may have arrived and the platform cannot be asked: held back until an admin decides. */
  | { readonly kind: 'unknown'; readonly post: StoredPost; readonly detail: string }
  /**
   * Not sent now, and nothing recorded: someone else took it first (another process, or it was no
   * longer queued), or, with `heldBack`, it is still queued but may not go out (not approved, or its
   * article held for a feed correction since it was picked).
   */
  | { readonly kind: 'not-queued'; readonly postId: number; readonly heldBack?: true }
  /** Stopped (the signal) while waiting for the platform's pacing: nothing was sent, still queued. */
  | { readonly kind: 'stopped'; readonly postId: number };

/** When X or Telegram give no reset time for a rate limit, wait this long. */
const DEFAULT_RATE_LIMIT_WAIT_MS = 15 * 60 * 1000;
const PAST_RESET_WAIT_MS = 5_000;

/**
 * Written into an attempt's detail when its request may still land and was not on the timeline yet:
 * the next attempt waits for the request to settle and looks again before it sends.
 */
export const LOOK_AGAIN = 'looked for again before any re-send';

/**
 * How long a request that may have reached the platform is given to settle before it is looked for
 * and sent again (`retry.settleSeconds`; the config's default is 60 s). Deps built without it (older
 * tests) get no grace.
 */
export function settleMs(deps: PublishDeps): number {
  return (deps.retry.settleSeconds ?? 0) * 1000;
}

/** The post's last attempt when it may still land (a timeout not yet settled on the timeline). */
async function unsettledAttempt(deps: PublishDeps, post: StoredPost): Promise<AttemptRecord | undefined> {
  if (post.attempts === 0) return undefined;
  const last = (await deps.store.attempts(post.id)).at(-1);
  return last?.detail?.includes(LOOK_AGAIN) ? last : undefined;
}

/**
 * Publishes one queued post through the state machine. The platform's pacing is waited for first;
 * `sending` is committed immediately before the request leaves and `sent` with the remote id right
 * after, so a crash during the wait leaves the post `queued`, and a crash during the request leaves
 * it `sending`, which the next start turns into `unknown` instead of sending it again. `signal`
 * stops a wait for pacing (the post stays queued); a request that has left is never cut off.
 */
export async function publishPost(
  deps: PublishDeps,
  postId: number,
  signal?: AbortSignal,
): Promise<PublishOutcome> {
  const queued = await deps.store.getPost(postId);
  if (queued?.state !== 'queued') return { kind: 'not-queued', postId };
  const publisher = deps.publishers.get(queued.channelId);
  // An earlier request of this post may still land: nothing goes out before it has settled (aborted
  // and past the grace), and then only when the post is not on the timeline.
  const earlier = publisher?.recentPosts ? await unsettledAttempt(deps, queued) : undefined;
  if (earlier) {
    const at = new Date(earlier.startedAt.getTime() + settleMs(deps));
    if (at > deps.clock.now()) {
      const detail = `the request of ${earlier.startedAt.toISOString()} may still land; looked for again at ${at.toISOString()}`;
      return { kind: 'retry', post: queued, reason: 'unavailable', at, detail };
    }
  }
  let turnOver: (() => void) | undefined;
  if (publisher?.awaitTurn) {
    try {
      turnOver = await publisher.awaitTurn(signal);
    } catch (error) {
      if (signal?.aborted) return { kind: 'stopped', postId };
      throw error;
    }
  }
  try {
    return await send(deps, postId, earlier !== undefined);
  } finally {
    turnOver?.();
  }
}

/** Leases the post (`sending`), sends it and records the outcome. A request is never cut off. */
async function send(deps: PublishDeps, postId: number, lookFirst: boolean): Promise<PublishOutcome> {
  const { store, clock, logger } = deps;
  const leased = await store.lease(postId, clock.now());
  if (!leased) {
    // Held or not approved (the lease's guards): it just waits, neither failed nor unknown.
    const still = await store.getPost(postId);
    return still?.state === 'queued'
      ? { kind: 'not-queued', postId, heldBack: true }
      : { kind: 'not-queued', postId };
  }
  const publisher = deps.publishers.get(leased.channelId);
  if (!publisher) {
    const detail = `no publisher for channel ${leased.channelId}; is it still in the config?`;
    await store.markFailed(postId, 'rejected', detail, clock.now());
    return { kind: 'failed', post: leased, reason: 'rejected', detail };
  }
  if (lookFirst) {
    // The earlier request has settled: if it landed, it is on the timeline by now.
    const found = await lookOnTimeline(deps, leased);
    if (found === 'cannot-look')
      return await holdForAdmin(
        deps,
        leased,
        'an earlier request may have arrived and the timeline could not be read',
      );
    if (found) return await markFound(deps, leased, found);
  }
  const replyTo = leased.mode === 'thread' && leased.seq > 1 ? await replyTarget(deps, leased) : undefined;
  let receipt: Receipt;
  const leftAt = clock.now();
  try {
    receipt = await publisher.publish(
      { text: leased.text, postId: String(leased.id) },
      replyTo ? { replyTo } : {},
    );
  } catch (caught) {
    const error = isPublishError(caught)
      ? caught
      : new PublishError(
          'rejected',
          `unexpected error while publishing: ${(caught as Error)?.message ?? String(caught)}`,
          { cause: caught },
        );
    return await handleFailure(deps, leased, error, leftAt);
  }
  // The platform has it. Recording that is outside the try on purpose: a store that fails here (say,
  // locked past its busy timeout) must not turn a published post into a "rejected" one an admin
  // would retry. The error goes up and the post stays `sending`, which the next start reconciles.
  await store.markSent(postId, receipt);
  logger.info('published', {
    channel: leased.channelId,
    post: leased.id,
    part: `${leased.seq}/${leased.total}`,
    remoteId: receipt.remoteId,
    url: receipt.url,
  });
  return {
    kind: 'sent',
    post: leased,
    remoteId: receipt.remoteId,
    ...(receipt.url ? { url: receipt.url } : {}),
  };
}

/**
 * The remote id the next part of a thread replies to: the latest earlier part that has one. A part
 * an admin marked as sent after a crash, or one the platform already had under an id we could not
 * find, has none; replying to the part before it keeps the thread together instead of starting a new
 * one.
 */
async function replyTarget(deps: PublishDeps, post: StoredPost): Promise<string | undefined> {
  return (
    (await deps.store.postsOfArticle(post.articleId, post.channelId))
      .filter((p) => p.seq < post.seq && p.state === 'sent' && p.remoteId)
      .at(-1)?.remoteId ?? undefined
  );
}

/** " Parts 2–5 of this thread are held: …" for a thread part that failed for good, else "". */
async function heldNote(store: PublishDeps['store'], post: StoredPost): Promise<string> {
  const note = await threadHeldNote(store, post);
  return note ? ` ${note}` : '';
}

async function handleFailure(
  deps: PublishDeps,
  post: StoredPost,
  error: PublishError,
  leftAt: Date,
): Promise<PublishOutcome> {
  const { store, clock, logger, notifier } = deps;
  const now = clock.now();
  const where = `post ${post.id} (${post.channelId}, ${post.seq}/${post.total})`;
  const detail = error.hint ? `${error.message} (${error.hint})` : error.message;
  switch (error.reason) {
    case 'duplicate': {
      // The platform already has this text: it was published before. Find its id if we can, so a
      // thread can go on replying to it.
      const publisher = deps.publishers.get(post.channelId);
      const found = publisher?.recentPosts
        ? (await publisher.recentPosts(new Date(now.getTime() - 7 * 86_400_000)).catch(() => [])).find((r) =>
            samePostText(post.text, r.text),
          )
        : undefined;
      await store.markSent(
        post.id,
        { remoteId: found?.remoteId ?? '', ...(found?.url ? { url: found.url } : {}), publishedAt: now },
        'duplicate',
      );
      logger.warn('platform already had this post; counted as sent', {
        post: post.id,
        channel: post.channelId,
      });
      return { kind: 'duplicate', post };
    }
    case 'rate-limited': {
      // No reset time: wait a whole rate-limit window. A reset time already past (clock skew, or
      // the window turned while the answer travelled): a short pause is enough.
      const at = !error.retryAt
        ? new Date(now.getTime() + DEFAULT_RATE_LIMIT_WAIT_MS)
        : error.retryAt > now
          ? error.retryAt
          : new Date(now.getTime() + PAST_RESET_WAIT_MS);
      await store.markRetry(post.id, 'rate-limited', at, detail, now);
      // The whole channel waits, so the next slot does not hit the same limit again, and so does
      // every channel posting through the same account (the limit is the account's); unless one is
      // already paused for longer (an admin's pause has no end and must not lapse with the reset).
      // The pause is in the store: every daemon sharing it waits too.
      for (const channelId of sameAccount(deps, post.channelId)) {
        const paused = await store.channelState(channelId);
        if (!paused.paused || (paused.pausedUntil !== null && paused.pausedUntil < at))
          await store.pauseChannel(channelId, `rate limited until ${at.toISOString()}`, at);
      }
      logger.warn('rate limited; channel waits', {
        post: post.id,
        channel: post.channelId,
        until: at.toISOString(),
      });
      if (at.getTime() - now.getTime() > 3_600_000) {
        await notifier.alert({
          kind: 'rate-limited',
          channelId: post.channelId,
          postId: post.id,
          text: `${post.channelId} is rate limited until ${at.toISOString()}; ${where} waits and goes out then.`,
        });
      }
      return { kind: 'retry', post, reason: 'rate-limited', at, detail };
    }
    case 'unavailable': {
      // The earliest a post that may still land can be sent again: once the request has settled.
      let notBefore = now;
      let retryDetail = detail;
      if (error.maybeDelivered) {
        const settled = await settleMaybeDelivered(deps, post, detail);
        if (settled) return settled;
        // Not on the timeline yet, but X may still be indexing it (or still processing the request
        // our timeout gave up on): wait for it to settle and look again before any re-send.
        const settledAt = new Date(leftAt.getTime() + settleMs(deps));
        if (settledAt > now) {
          notBefore = settledAt;
          retryDetail = `${detail}; ${LOOK_AGAIN}`;
        }
      }
      // Counted from the attempt log. An admin's retry of a post that gave up starts a fresh round:
      // give-ups happen at every multiple of maxAttempts, so the count runs modulo maxAttempts.
      const total = (await store.attempts(post.id)).filter((a) => a.outcome === 'unavailable').length + 1;
      const failures = ((total - 1) % deps.retry.maxAttempts) + 1;
      if (failures >= deps.retry.maxAttempts) {
        await store.markFailed(
          post.id,
          'unavailable',
          `gave up after ${failures} attempts: ${retryDetail}`,
          now,
        );
        logger.error('publish failed for good', { post: post.id, channel: post.channelId, detail });
        await notifier.alert({
          kind: 'failed',
          channelId: post.channelId,
          postId: post.id,
          text: `${where} failed after ${failures} attempts: ${detail}. ${(await threadHeldNote(store, post)) || `Use /retry ${post.id} to try again.`}`,
        });
        return { kind: 'failed', post, reason: 'unavailable', detail };
      }
      const delay = backoffDelayMs(
        failures,
        deps.retry.baseDelaySeconds * 1000,
        deps.retry.maxDelaySeconds * 1000,
        deps.random,
      );
      const at = new Date(Math.max(now.getTime() + delay, notBefore.getTime()));
      await store.markRetry(post.id, 'unavailable', at, retryDetail, now);
      logger.warn('platform unavailable; will retry', {
        post: post.id,
        channel: post.channelId,
        attempt: failures,
        retryAt: at.toISOString(),
        detail,
      });
      return { kind: 'retry', post, reason: 'unavailable', at, detail };
    }
    case 'auth': {
      await store.markFailed(post.id, 'auth', detail, now);
      await store.pauseChannel(post.channelId, `credentials or permissions: ${detail}`, null);
      logger.error('channel paused: credentials or permissions problem', {
        post: post.id,
        channel: post.channelId,
        detail,
      });
      await notifier.alert({
        kind: 'auth',
        channelId: post.channelId,
        postId: post.id,
        text: `${post.channelId} is paused: ${detail}. Fix it, then /resume ${post.channelId} and /retry ${post.id}.${await heldNote(store, post)}`,
      });
      return { kind: 'failed', post, reason: 'auth', detail };
    }
    default: {
      await store.markFailed(post.id, 'rejected', detail, now);
      logger.error('platform rejected the post', { post: post.id, channel: post.channelId, detail });
      await notifier.alert({
        kind: 'failed',
        channelId: post.channelId,
        postId: post.id,
        text: `${where} was rejected: ${detail}. Edit it with /edit ${post.id} <text>, then /retry ${post.id}.${await heldNote(store, post)}`,
      });
      return { kind: 'failed', post, reason: 'rejected', detail };
    }
  }
}

/**
 * The request may have reached the platform (timeout or connection cut after sending). Where we can
 * read our own posts (X), look: found means sent. Where we cannot (Telegram), a blind retry could
 * publish twice, so the post is held as `unknown` and an admin decides. Returns undefined when the
 * post was looked for and is not there: then a retry is safe once the request has settled.
 */
async function settleMaybeDelivered(
  deps: PublishDeps,
  post: StoredPost,
  detail: string,
): Promise<PublishOutcome | undefined> {
  const found = await lookOnTimeline(deps, post);
  if (found === undefined) return undefined;
  if (found === 'cannot-look') return await holdForAdmin(deps, post, detail);
  return await markFound(deps, post, found);
}

/** The post on our recent timeline; undefined when not there; `cannot-look` when we cannot read it. */
async function lookOnTimeline(
  deps: PublishDeps,
  post: StoredPost,
): Promise<RemotePost | undefined | 'cannot-look'> {
  const publisher = deps.publishers.get(post.channelId);
  if (!publisher?.recentPosts) return 'cannot-look';
  try {
    const recent = await publisher.recentPosts(new Date(deps.clock.now().getTime() - 86_400_000));
    return recent.find((r) => samePostText(post.text, r.text));
  } catch {
    // Could not look: ask an admin rather than risking a second copy.
    return 'cannot-look';
  }
}

async function markFound(deps: PublishDeps, post: StoredPost, match: RemotePost): Promise<PublishOutcome> {
  await deps.store.markSent(post.id, {
    remoteId: match.remoteId,
    ...(match.url ? { url: match.url } : {}),
    publishedAt: match.publishedAt ?? deps.clock.now(),
  });
  deps.logger.info('the answer was lost but the post had arrived; marked sent', {
    post: post.id,
    channel: post.channelId,
    remoteId: match.remoteId,
  });
  return { kind: 'sent', post, remoteId: match.remoteId, ...(match.url ? { url: match.url } : {}) };
}

/**
 * One question per post and attempt: the same unknown is not asked about again at the next start,
 * but a post that became unknown again after a later attempt is.
 */
export function unknownAlertKey(post: StoredPost): string {
  return `unknown:${post.id}:${post.attempts}`;
}

async function holdForAdmin(deps: PublishDeps, post: StoredPost, detail: string): Promise<PublishOutcome> {
  const { store, clock, logger, notifier } = deps;
  await store.markUnknown(post.id, `may or may not have arrived: ${detail}`, clock.now());
  logger.warn('post outcome unknown; held until an admin decides', {
    post: post.id,
    channel: post.channelId,
    detail,
  });
  await notifier.alert({
    kind: 'unknown',
    channelId: post.channelId,
    postId: post.id,
    key: unknownAlertKey((await store.getPost(post.id)) ?? post),
    text: `Post ${post.id} (${post.channelId}, ${post.seq}/${post.total}) may or may not have arrived (${detail}). Check the channel, then mark it as sent or send it again.`,
  });
  return { kind: 'unknown', post, detail };
}

/** The channel and every other channel whose publisher posts through the same platform account. */
function sameAccount(deps: Pick<PublishDeps, 'publishers'>, channelId: string): string[] {
  const account = deps.publishers.get(channelId)?.account;
  if (account === undefined) return [channelId];
  return [...deps.publishers].filter(([, publisher]) => publisher.account === account).map(([id]) => id);
}
