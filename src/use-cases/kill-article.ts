import { samePostText } from '../domain/same-post-text.js';
import { formatInZone } from '../domain/schedule.js';
import type { ArticleKill, ArticleTrail, StoredArticle, StoredPost, TrailPost } from '../ports/post-store.js';
import { isPublishError, PublishError, type RemotePost } from '../ports/publisher.js';
import { channelById, type PublishDeps } from './publish-deps.js';
import { settleMs } from './publish-post.js';

/**
 * Why a post of a killed article may still be public, each with what a human does about it:
 * - `rate-limited`: the platform said "not now"; run the kill again after `retryAt`;
 * - `refused`: the platform will not delete it (a Telegram message older than 48 hours outside a
 *   channel); delete it by hand. Not tried again by a later kill: the answer would be the same;
 * - `unavailable`, `auth`: the platform did not answer, or the credentials were refused; fix, run again;
 * - `no-remote-id`: marked sent by hand without its id, so there is nothing to delete by;
 * - `no-publisher`: the channel is no longer configured (or cannot delete);
 * - `chat-changed`: a Telegram post went to a chat the channel no longer posts to; its message id
 *   means nothing in the new chat (deleting it there could remove someone else's message), so a
 *   human deletes it in the old chat;
 * - `in-flight`: being sent right now (or sent so recently X does not show it yet); run again shortly;
 * - `unknown-outcome`: interrupted mid-send on a platform we cannot look at (Telegram); it is skipped,
 *   and may or may not be public.
 */
export type TakedownProblemKind =
  | 'rate-limited'
  | 'refused'
  | 'unavailable'
  | 'auth'
  | 'no-remote-id'
  | 'no-publisher'
  | 'chat-changed'
  | 'in-flight'
  | 'unknown-outcome';

export interface TakedownProblem {
  readonly post: StoredPost;
  readonly kind: TakedownProblemKind;
  /** Where it is: its link, or "message 42 in -100123" when the chat has no public links. */
  readonly where: string;
  readonly retryAt?: Date;
  /** In plain words: what happened and what a human should do. */
  readonly advice: string;
}

export interface TakenDown {
  readonly post: StoredPost;
  readonly where: string;
  /** It was gone already (deleted by hand, or by an earlier kill whose answer was lost). */
  readonly alreadyGone: boolean;
}

export interface KillReport {
  readonly article: StoredArticle;
  readonly killed: ArticleKill;
  /** False when the article was killed before: this run only retried what was left. */
  readonly firstKill: boolean;
  /** Posts that will now never go out (queued, failed, or of unknown outcome and not found on X). */
  readonly dropped: readonly StoredPost[];
  readonly deleted: readonly TakenDown[];
  readonly notDeleted: readonly TakedownProblem[];
}

export type KillOutcome =
  | { readonly kind: 'no-such-article'; readonly articleId: number }
  | { readonly kind: 'killed'; readonly report: KillReport };

export interface KillRequest {
  readonly articleId: number;
  /** Who asked, for the store and the alert: "the command line", "@ada_editor (1001)". */
  readonly by: string;
  /** How to run this kill again, quoted in advice: "quotecast kill 12", "/kill 12". */
  readonly again: string;
  /** Stops before the next deletion (the one in flight finishes and is recorded). */
  readonly signal?: AbortSignal;
}

/** What a kill would do now, for a confirmation; changes nothing. */
export interface KillPreview {
  readonly article: StoredArticle;
  readonly killed: ArticleKill | undefined;
  /** Queued or failed: dropped by the kill. */
  readonly toDrop: readonly StoredPost[];
  /** Published and not yet down: deleted by the kill. */
  readonly toDelete: readonly TrailPost[];
  /** Being sent now, or of unknown outcome: settled as far as possible. */
  readonly unsettled: readonly StoredPost[];
}

/** How far back X's timeline is read to find a post of unknown outcome. */
const LOOKBACK_MS = 2 * 86_400_000;
/** Stored with a refusal, so a later kill knows not to ask again (see `refusedBefore`). */
const REFUSED = 'rejected';

export async function previewKill(
  deps: Pick<PublishDeps, 'store'>,
  articleId: number,
): Promise<KillPreview | undefined> {
  const trail = await deps.store.articleTrail(articleId);
  if (!trail) return undefined;
  return {
    article: trail.article,
    killed: trail.killed,
    toDrop: trail.posts.filter((p) => p.state === 'queued' || p.state === 'failed'),
    toDelete: trail.posts.filter((p) => p.state === 'sent' && p.deletedAt === null),
    unsettled: trail.posts.filter((p) => p.state === 'sending' || p.state === 'unknown'),
  };
}

/**
 * Pulls an article everywhere: its unsent posts are dropped (one transaction, so the daemon cannot
 * lease one afterwards), then each published post is deleted on its channel, a thread from its last
 * reply back to its head (a reader never sees a reply chain with its start missing). Running it again
 * retries only what is left. The admins are told what was done and what a human must finish.
 */
export async function killArticle(deps: PublishDeps, request: KillRequest): Promise<KillOutcome> {
  const { store, clock, logger } = deps;
  const result = await store.killArticle(request.articleId, request.by, clock.now());
  const article = await store.getArticle(request.articleId);
  if (!result || !article) return { kind: 'no-such-article', articleId: request.articleId };
  const dropped: StoredPost[] = [...result.dropped];
  const notDeleted: TakedownProblem[] = [];

  const posts = await store.postsOfArticle(request.articleId);
  for (const post of posts.filter((p) => p.state === 'sending'))
    notDeleted.push(inFlight(deps, post, request.again));
  const settled = await settleUnknown(
    deps,
    posts.filter((p) => p.state === 'unknown'),
    request.again,
  );
  dropped.push(...settled.dropped);
  notDeleted.push(...settled.problems);

  const byChannel = new Map<string, TrailPost[]>();
  for (const post of await store.postsToTakeDown(request.articleId))
    byChannel.set(post.channelId, [...(byChannel.get(post.channelId) ?? []), post]);
  const runs = await Promise.all(
    [...byChannel].map(([channelId, channelPosts]) => takeDown(deps, channelId, channelPosts, request)),
  );
  const deleted = runs.flatMap((r) => r.deleted);
  notDeleted.push(...runs.flatMap((r) => r.problems));

  const report: KillReport = {
    article,
    killed: result.killed,
    firstKill: result.firstKill,
    dropped,
    deleted,
    notDeleted,
  };
  logger.info('article killed', {
    article: article.id,
    by: request.by,
    dropped: dropped.length,
    deleted: deleted.length,
    notDeleted: notDeleted.length,
  });
  await deps.notifier.alert({ kind: 'info', text: killReportLines(report).join('\n') });
  return { kind: 'killed', report };
}

/**
 * Posts left `unknown` by a crash may be public. Where the platform shows our recent posts (X), each
 * is looked for: found, it is recorded as sent (and deleted with the others); not there, it is
 * skipped. Where it does not (Telegram), it is skipped and reported: leaving it `unknown` would keep
 * asking the admins "send it again?", a question whose only answer after a kill is no.
 */
async function settleUnknown(
  deps: PublishDeps,
  unknown: readonly StoredPost[],
  again: string,
): Promise<{ dropped: StoredPost[]; problems: TakedownProblem[] }> {
  const dropped: StoredPost[] = [];
  const problems: TakedownProblem[] = [];
  const channels = new Set(unknown.map((p) => p.channelId));
  for (const channelId of channels) {
    const recent = await recentPostsOf(deps, channelId);
    for (const post of unknown.filter((p) => p.channelId === channelId)) {
      const match = recent?.find((r) => samePostText(post.text, r.text));
      if (match) {
        await deps.store.resolveUnknownAsSent(post.id, {
          remoteId: match.remoteId,
          ...(match.url ? { url: match.url } : {}),
          publishedAt: match.publishedAt ?? deps.clock.now(),
        });
      } else if (recent && (await stillLanding(deps, post))) {
        problems.push(inFlight(deps, post, again));
      } else if (await deps.store.skip(post.id)) {
        if (recent) dropped.push(post);
        else
          problems.push({
            post,
            kind: 'unknown-outcome',
            where: channelLabel(deps, post.channelId),
            advice: `it was being sent when quotecast stopped, and a bot cannot look at ${channelLabel(deps, post.channelId)}: check there and delete it by hand if it arrived (it will not be sent again)`,
          });
      }
    }
  }
  return { dropped, problems };
}

async function recentPostsOf(
  deps: PublishDeps,
  channelId: string,
): Promise<readonly RemotePost[] | undefined> {
  const publisher = deps.publishers.get(channelId);
  if (!publisher?.recentPosts) return undefined;
  try {
    return await publisher.recentPosts(new Date(deps.clock.now().getTime() - LOOKBACK_MS));
  } catch (error) {
    deps.logger.warn('could not read recent posts to settle a killed article', {
      channel: channelId,
      error: (error as Error).message,
    });
    return undefined;
  }
}

/** Its request left so recently that X may not show it yet (the settle time of publishing). */
async function stillLanding(deps: PublishDeps, post: StoredPost): Promise<boolean> {
  const startedAt = (await deps.store.attempts(post.id)).at(-1)?.startedAt;
  return startedAt !== undefined && startedAt.getTime() + settleMs(deps) > deps.clock.now().getTime();
}

function inFlight(deps: PublishDeps, post: StoredPost, again: string): TakedownProblem {
  return {
    post,
    kind: 'in-flight',
    where: channelLabel(deps, post.channelId),
    advice: `in flight: it was being sent at the moment of the kill; run ${again} again in a minute to delete it`,
  };
}

/**
 * One channel's published posts, last first. After a rate limit the channel is not asked again in
 * this run (every call would earn another one); the rest wait for the next kill after the reset.
 */
async function takeDown(
  deps: PublishDeps,
  channelId: string,
  posts: readonly TrailPost[],
  request: KillRequest,
): Promise<{ deleted: TakenDown[]; problems: TakedownProblem[] }> {
  const deleted: TakenDown[] = [];
  const problems: TakedownProblem[] = [];
  const publisher = deps.publishers.get(channelId);
  let limited: PublishError | undefined;
  const ordered = [...posts].sort((a, b) => b.seq - a.seq);
  for (const post of ordered) {
    const where = whereIs(deps, post);
    const fail = (kind: TakedownProblemKind, advice: string, retryAt?: Date) =>
      problems.push({ post, kind, where, advice, ...(retryAt ? { retryAt } : {}) });
    if (post.deleteError !== null && refusedBefore(post.deleteError)) {
      fail('refused', refusalAdvice(deps, post, post.deleteError.slice(REFUSED.length + 2)));
      continue;
    }
    if (post.remoteId === null) {
      fail(
        'no-remote-id',
        `it was marked as sent without its id, so quotecast cannot delete it: delete it by hand on ${channelLabel(deps, channelId)}`,
      );
      continue;
    }
    if (!publisher?.delete) {
      fail(
        'no-publisher',
        `channel ${channelId} is not configured here (or cannot delete): delete it by hand on ${channelLabel(deps, channelId)}`,
      );
      continue;
    }
    const movedFrom = chatChangedFrom(deps, post);
    if (movedFrom !== undefined) {
      fail(
        'chat-changed',
        `it was published in ${movedFrom}, and ${channelId} now posts to ${channelLabel(deps, channelId)}: delete message ${post.remoteId} by hand in ${movedFrom}`,
      );
      continue;
    }
    if (limited) {
      await deps.store.markDeleteFailed(post.id, `rate-limited: ${limited.message}`);
      fail('rate-limited', rateLimitAdvice(deps, channelId, limited.retryAt, request.again), limited.retryAt);
      continue;
    }
    if (request.signal?.aborted) {
      fail('in-flight', `stopped before it was deleted: run ${request.again} again`);
      continue;
    }
    try {
      const receipt = await publisher.delete(post.remoteId, {
        ...(request.signal ? { signal: request.signal } : {}),
      });
      await deps.store.markDeleted(post.id, deps.clock.now());
      deleted.push({ post, where, alreadyGone: receipt.outcome === 'gone' });
    } catch (thrown) {
      const error = asPublishError(thrown);
      await deps.store.markDeleteFailed(post.id, `${error.reason}: ${error.message}`);
      switch (error.reason) {
        case 'rate-limited':
          limited = error;
          fail('rate-limited', rateLimitAdvice(deps, channelId, error.retryAt, request.again), error.retryAt);
          break;
        case 'rejected':
          fail('refused', refusalAdvice(deps, post, error.message, error.hint));
          break;
        case 'auth':
          fail(
            'auth',
            `${error.hint ?? `the credentials of ${channelId} were refused`}; then run ${request.again} again`,
          );
          break;
        default:
          fail('unavailable', `${error.message}; run ${request.again} again`);
      }
    }
  }
  return { deleted, problems };
}

function asPublishError(thrown: unknown): PublishError {
  if (isPublishError(thrown)) return thrown;
  // Not the platform's answer (a bug, a store that threw): nothing says it is down, so try again.
  return new PublishError(
    'unavailable',
    `unexpected error: ${(thrown as Error)?.message ?? String(thrown)}`,
    {
      cause: thrown,
    },
  );
}

/** A refusal stored by an earlier kill: the platform will answer the same, so it is not asked again. */
function refusedBefore(deleteError: string): boolean {
  return deleteError.startsWith(`${REFUSED}: `);
}

function refusalAdvice(deps: PublishDeps, post: StoredPost, detail: string, hint?: string): string {
  const channel = channelById(deps, post.channelId);
  if (hint) return `${hint.replace(/\.$/, '')} (${detail})`;
  const platform = channel?.platform === 'telegram' ? 'Telegram' : 'X';
  return `${platform} refused to delete it (${detail}): delete it by hand on ${channelLabel(deps, post.channelId)}`;
}

function rateLimitAdvice(deps: PublishDeps, channelId: string, retryAt: Date | undefined, again: string) {
  const channel = channelById(deps, channelId);
  const platform = channel?.platform === 'telegram' ? 'Telegram' : 'X';
  const when = retryAt ? ` after ${formatInZone(retryAt, channel?.zone ?? 'UTC')}` : ' later';
  return `${platform} rate limit: run ${again} again${when}`;
}

/**
 * Where a published post is, for the kill's preview and report: its link, or where to find it when
 * the chat has none ("message 42 in tg-group (-4001)", or the chat it went to if the channel has moved).
 */
export function whereIs(deps: Pick<PublishDeps, 'channels'>, post: StoredPost): string {
  if (post.remoteUrl) return post.remoteUrl;
  const movedFrom = chatChangedFrom(deps, post);
  if (post.remoteId && movedFrom) return `message ${post.remoteId} in ${movedFrom}`;
  if (post.remoteId) return `message ${post.remoteId} in ${channelLabel(deps, post.channelId)}`;
  return channelLabel(deps, post.channelId);
}

/**
 * The chat a Telegram post went to, when the channel now posts somewhere else. Posts without a
 * recorded chat (sent before it was recorded, or marked sent by hand) are taken to be in the chat
 * configured now.
 */
function chatChangedFrom(deps: Pick<PublishDeps, 'channels'>, post: StoredPost): string | undefined {
  const channel = channelById(deps, post.channelId);
  if (channel?.platform !== 'telegram' || post.remoteChat === null) return undefined;
  return post.remoteChat === String(channel.chat) ? undefined : post.remoteChat;
}

/** "x-main (@gazette)", "tg-group (-4001)": the channel and the account or chat it posts to. */
export function channelLabel(deps: Pick<PublishDeps, 'channels'>, channelId: string): string {
  const channel = deps.channels.find((c) => c.id === channelId);
  const place =
    channel === undefined ? undefined : channel.platform === 'telegram' ? channel.chat : channel.handle;
  return place ? `${channelId} (${place})` : channelId;
}

/** The report in plain text, one line per fact (the CLI prints it, the bot escapes it). */
export function killReportLines(report: KillReport): string[] {
  const { article } = report;
  const lines = [
    `${report.firstKill ? 'Killed' : 'Kill retried for'} article ${article.id} "${article.title}" (by ${report.killed.by ?? 'unknown'}).`,
    `Dropped ${report.dropped.length} queued post(s); deleted ${report.deleted.length} published post(s); could not delete ${report.notDeleted.length}.`,
  ];
  for (const done of report.deleted)
    lines.push(
      `  deleted: ${done.post.channelId} ${partOf(done.post)} ${done.where}${done.alreadyGone ? ' (was already gone)' : ''}`,
    );
  if (report.notDeleted.length > 0) lines.push('Not deleted, for a human to finish:');
  for (const problem of report.notDeleted)
    lines.push(`  ${problem.post.channelId} ${partOf(problem.post)} ${problem.where}: ${problem.advice}`);
  return lines;
}

function partOf(post: StoredPost): string {
  return `#${post.id} (${post.seq}/${post.total})`;
}

/** Article ids as people write them: `12`, `a12` (as /articles shows them), `#12`. */
export function parseArticleId(raw: string | undefined): number | undefined {
  const match = /^(?:a|#)?(\d{1,12})$/i.exec(raw?.trim() ?? '');
  return match ? Number(match[1]) : undefined;
}

/** "2026-03-10 12:00Z": short, and the same for every reader whatever their zone. */
export function shortTime(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')}Z`;
}

/** One post of an article's listing: its state, when it went out, and whether it is still up. */
export function trailPostStatus(post: TrailPost, held = false): string {
  if (post.state === 'queued' && held) return 'queued, held for a correction';
  if (post.state !== 'sent')
    return post.state === 'queued' && !post.approved ? 'queued, awaiting approval' : post.state;
  const sent = `sent ${post.sentAt ? shortTime(post.sentAt) : ''}`.trimEnd();
  if (post.deletedAt) return `${sent} · deleted ${shortTime(post.deletedAt)}`;
  if (post.deleteError) return `${sent} · NOT deleted: ${post.deleteError}`;
  return sent;
}

/** "killed 2026-03-10 12:00Z by the command line" */
export function killLine(killed: ArticleKill): string {
  return `killed ${shortTime(killed.at)} by ${killed.by ?? 'unknown'}`;
}

/**
 * An article's listing in plain text (the CLI prints it, the bot escapes it): the article, then per
 * channel each post's state, sent time, whether it was taken down, and its link.
 */
export async function articleTrailLines(
  deps: Pick<PublishDeps, 'channels' | 'store'>,
  trail: ArticleTrail,
): Promise<string[]> {
  const { article, killed } = trail;
  const held = await deps.store.isArticleHeld(article.id);
  const lines = [`article ${article.id} "${article.title}"`];
  if (article.url) lines.push(`  ${article.url}`);
  lines.push(`  queued ${shortTime(article.createdAt)}${killed ? `; ${killLine(killed)}` : ''}`);
  if (held)
    lines.push('  held: its text changed in its feed; nothing goes out until an admin decides (/held)');
  const channels = [...new Set(trail.posts.map((p) => p.channelId))];
  if (channels.length === 0) lines.push('  no posts');
  for (const channelId of channels) {
    lines.push(`${channelLabel(deps, channelId)}:`);
    for (const post of trail.posts.filter((p) => p.channelId === channelId)) {
      const link = post.remoteUrl ?? (post.remoteId ? `message ${post.remoteId}` : '');
      lines.push(
        `  #${post.id} ${post.seq}/${post.total}  ${trailPostStatus(post, held)}${link ? `  ${link}` : ''}`,
      );
    }
  }
  return lines;
}
