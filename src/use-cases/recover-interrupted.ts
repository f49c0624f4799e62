import { samePostText } from '../domain/same-post-text.js';
import type { StoredPost } from '../ports/post-store.js';
import type { RemotePost } from '../ports/publisher.js';
import type { PublishDeps } from './publish-deps.js';
import { settleMs, unknownAlertKey } from './publish-post.js';

export interface RecoveryReport {
  /** Found on the platform: marked sent with the remote id. */
  readonly reconciled: readonly StoredPost[];
  /** Looked for and not found: safe to send again, queued. */
  readonly requeued: readonly StoredPost[];
  /** Could not look (Telegram): kept out of the queue until an admin decides. */
  readonly askAdmin: readonly StoredPost[];
  /**
   * Not found yet, but its request left less than `retry.settleSeconds` ago and may still land: it
   * stays `unknown` (neither sent again nor an admin's problem) until `at`, when `settleDeferred`
   * looks again.
   */
  readonly deferred: readonly { readonly post: StoredPost; readonly at: Date }[];
}

/** How far back to read the account's posts when reconciling. */
const LOOKBACK_MS = 2 * 86_400_000;

/**
 * On start-up: posts left `sending` by a process that died mid-send become `unknown`. Where the
 * platform lets us read our own recent posts (X), match by text and settle each one automatically;
 * otherwise ask an admin ("mark as sent" / "send again").
 */
export async function recoverInterrupted(deps: PublishDeps): Promise<RecoveryReport> {
  await deps.store.markInterruptedAsUnknown(deps.clock.now());
  return await reconcileUnknown(deps, await deps.store.postsInState('unknown', 10_000));
}

/**
 * Looks again for the posts `recoverInterrupted` deferred (the caller waits until their `at`), as
 * far as they are still `unknown` (an admin may have settled them meanwhile).
 */
export async function settleDeferred(deps: PublishDeps, postIds: readonly number[]): Promise<RecoveryReport> {
  const posts: StoredPost[] = [];
  for (const id of postIds) {
    const post = await deps.store.getPost(id);
    if (post?.state === 'unknown') posts.push(post);
  }
  return await reconcileUnknown(deps, posts);
}

async function reconcileUnknown(deps: PublishDeps, unknown: readonly StoredPost[]): Promise<RecoveryReport> {
  const { store, clock, logger, notifier } = deps;
  const reconciled: StoredPost[] = [];
  const requeued: StoredPost[] = [];
  const askAdmin: StoredPost[] = [];
  const deferred: { post: StoredPost; at: Date }[] = [];
  const byChannel = new Map<string, StoredPost[]>();
  for (const post of unknown) byChannel.set(post.channelId, [...(byChannel.get(post.channelId) ?? []), post]);
  for (const [channelId, posts] of byChannel) {
    const publisher = deps.publishers.get(channelId);
    let recent: readonly RemotePost[] | undefined;
    if (publisher?.recentPosts) {
      try {
        recent = await publisher.recentPosts(new Date(clock.now().getTime() - LOOKBACK_MS));
      } catch (error) {
        logger.warn('could not read recent posts to reconcile; asking an admin instead', {
          channel: channelId,
          error: (error as Error).message,
        });
      }
    }
    for (const post of posts) {
      if (!recent) {
        askAdmin.push(post);
        continue;
      }
      const match = recent.find((r) => samePostText(post.text, r.text));
      if (match) {
        try {
          await store.resolveUnknownAsSent(post.id, {
            remoteId: match.remoteId,
            ...(match.url ? { url: match.url } : {}),
            publishedAt: match.publishedAt ?? clock.now(),
          });
        } catch (error) {
          // Another daemon sharing the store settled it meanwhile (it found the same tweet).
          if (!isRefusedTransition(error)) throw error;
          logger.debug('post settled by another daemon meanwhile', { post: post.id });
          continue;
        }
        reconciled.push(post);
        continue;
      }
      // Not there (yet): a request that left less than the grace ago may still land, so it is
      // neither sent again nor taken as settled before then.
      const startedAt = (await store.attempts(post.id)).at(-1)?.startedAt;
      const at = startedAt ? new Date(startedAt.getTime() + settleMs(deps)) : clock.now();
      if (at > clock.now()) {
        deferred.push({ post, at });
      } else {
        await store.requeue(post.id, clock.now());
        requeued.push(post);
      }
    }
  }
  if (reconciled.length + requeued.length > 0) {
    logger.info('reconciled posts interrupted by a crash', {
      found: reconciled.length,
      requeued: requeued.length,
    });
  }
  if (deferred.length > 0) {
    logger.info('interrupted posts not on the timeline yet; looking again once their request settled', {
      posts: deferred.map((d) => d.post.id).join(','),
      at: new Date(Math.max(...deferred.map((d) => d.at.getTime()))).toISOString(),
    });
  }
  for (const post of askAdmin) {
    logger.warn('post outcome unknown after a crash; an admin must decide', {
      post: post.id,
      channel: post.channelId,
    });
    await notifier.alert({
      kind: 'unknown',
      channelId: post.channelId,
      postId: post.id,
      key: unknownAlertKey(post),
      text: `Post ${post.id} (${post.channelId}, ${post.seq}/${post.total}) was being sent when quotecast stopped; it may or may not have arrived. Check the channel, then mark it as sent or send it again.`,
    });
  }
  return { reconciled, requeued, askAdmin, deferred };
}

/** The store refused a state change: the post is no longer in the state this run read it in. */
function isRefusedTransition(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'invalid-transition';
}
