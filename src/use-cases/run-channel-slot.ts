import { checkDailyCap, inQuietHours, startOfLocalDay } from '../domain/schedule.js';
import type { ChannelState, StoredPost } from '../ports/post-store.js';
import { channelById, type PublishDeps } from './publish-deps.js';
import { type PublishOutcome, publishPost } from './publish-post.js';

type Channel = PublishDeps['channels'][number];

export type SlotResult =
  | { readonly kind: 'published'; readonly outcomes: readonly PublishOutcome[] }
  | {
      readonly kind: 'idle';
      readonly why: 'nothing-due' | 'paused' | 'quiet-hours' | 'daily-cap' | 'disabled';
      readonly detail?: string;
    };

/** What a slot of a channel would do now: the post to start from, or why nothing goes out. */
export type SlotDecision =
  | {
      readonly kind: 'go';
      readonly post: StoredPost;
      /** The post starts or continues a thread: its later parts follow at the channel's pacing. */
      readonly thread: boolean;
      /** Why an earlier article was passed over, when one was (it needs an admin). */
      readonly passedOver?: string;
    }
  | Extract<SlotResult, { kind: 'idle' }>;

/**
 * One schedule slot of one channel: the next due post, or, when it belongs to a thread (queued with
 * `--mode thread` on any channel), the rest of that thread, its parts one after the other at the
 * channel's pacing, stopping at the first part that does not go out so a thread never skips a part.
 * A thread that has not started goes only when the day's cap left covers all its parts; otherwise
 * the channel waits with it (keeping the queue's order) until the cap resets.
 */
export async function runChannelSlot(
  deps: PublishDeps,
  channelId: string,
  signal?: AbortSignal,
): Promise<SlotResult> {
  const decision = await decideSlot(deps, channelId);
  if (decision.kind !== 'go') return decision;
  if (decision.passedOver)
    deps.logger.warn('passed over a thread longer than the daily cap', {
      channel: channelId,
      detail: decision.passedOver,
    });
  if (signal?.aborted) return { kind: 'idle', why: 'nothing-due' };
  const outcomes: PublishOutcome[] = [];
  let post: StoredPost | undefined = decision.post;
  while (post) {
    // A send already started is finished, never cut off; the signal stops a wait for pacing (the
    // post stays queued) and taking the next part.
    const outcome = await publishPost(deps, post.id, signal);
    outcomes.push(outcome);
    if (!decision.thread || signal?.aborted) break;
    if (outcome.kind !== 'sent' && outcome.kind !== 'duplicate') break;
    post = await nextPartDue(deps, post, deps.clock.now());
  }
  return { kind: 'published', outcomes };
}

/**
 * What a slot would do now, without publishing: pauses, quiet hours, held threads and the daily cap,
 * exactly as `runChannelSlot` applies them.
 */
export async function decideSlot(deps: PublishDeps, channelId: string): Promise<SlotDecision> {
  const channel = channelById(deps, channelId);
  if (!channel?.enabled) return { kind: 'idle', why: 'disabled' };
  const now = deps.clock.now();
  const state = await activeState(deps, channelId, now);
  if (state.paused) return { kind: 'idle', why: 'paused', detail: state.pauseReason ?? '' };
  if (inQuietHours(now, channel.zone, channel.quietHours)) return { kind: 'idle', why: 'quiet-hours' };
  return await decideFromQueue(deps, channel, now);
}

/**
 * Why the channel's next thread waits for the daily cap, in words ("thread of 21 parts waits: 7 left
 * of the daily cap of 17"), or undefined when it does not: for `status`, whatever the hour.
 */
export async function threadCapWait(deps: PublishDeps, channelId: string): Promise<string | undefined> {
  const channel = channelById(deps, channelId);
  if (!channel) return undefined;
  const found = await nextToPublish(deps, channel, deps.clock.now());
  if (found.kind !== 'post' || found.post.mode !== 'thread') return undefined;
  const { remaining, started } = found.thread;
  const check = checkDailyCap(remaining, await dailyCapLeft(deps, channelId), channel.dailyCap, started);
  return check.go ? undefined : check.detail;
}

/** The slot's decision once the channel may post at all: the queue, held threads and the cap. */
async function decideFromQueue(deps: PublishDeps, channel: Channel, now: Date): Promise<SlotDecision> {
  const left = await dailyCapLeft(deps, channel.id);
  const found = await nextToPublish(deps, channel, now);
  const passedOver = found.passedOver ? { passedOver: found.passedOver } : {};
  if (found.kind === 'post' && found.thread.started)
    return { kind: 'go', post: found.post, thread: true, ...passedOver };
  if (left <= 0) {
    const parts = found.kind === 'post' ? found.thread.remaining : 1;
    const check = checkDailyCap(parts, left, channel.dailyCap);
    return { kind: 'idle', why: 'daily-cap', detail: check.go ? '' : check.detail };
  }
  if (found.kind === 'waiting')
    // An earlier part waits for its retry: the thread goes on from there, never out of order.
    return {
      kind: 'idle',
      why: 'nothing-due',
      detail: `thread of article ${found.post.articleId} waits for an earlier part`,
    };
  if (found.kind === 'none')
    return { kind: 'idle', why: 'nothing-due', ...(found.passedOver ? { detail: found.passedOver } : {}) };
  const check = checkDailyCap(found.thread.remaining, left, channel.dailyCap);
  if (!check.go) return { kind: 'idle', why: 'daily-cap', detail: check.detail };
  return { kind: 'go', post: found.post, thread: found.post.mode === 'thread', ...passedOver };
}

/** How far a thread has gone, seen from its next part. A quote counts as a thread of one part. */
export interface ThreadProgress {
  /** An earlier part is out: the rest follows whatever the cap. */
  readonly started: boolean;
  /** Parts still to go out from this one on (this one included). */
  readonly remaining: number;
}

/**
 * Where a post stands in its thread, from the store's view of the article on the channel (the parts
 * of a thread are few: one small read).
 */
export async function threadProgress(
  deps: PublishDeps,
  post: StoredPost,
): Promise<ThreadProgress & { readonly block: ThreadBlock }> {
  if (post.mode !== 'thread') return { started: false, remaining: 1, block: 'none' };
  const parts = await deps.store.postsOfArticle(post.articleId, post.channelId);
  const earlier = parts.filter((p) => p.seq < post.seq);
  const remaining = parts.filter((p) => p.seq >= post.seq && p.state !== 'sent' && p.state !== 'skipped');
  return {
    started: earlier.some((p) => p.state === 'sent'),
    remaining: remaining.length,
    block: blockOf(earlier),
  };
}

/**
 * Whether earlier parts keep this part from going out: `waiting` while one is queued or in flight
 * (a retry: a short wait), `held` while one needs an admin (unknown outcome, or failed for good: a
 * thread never goes on without its head).
 */
export type ThreadBlock = 'none' | 'waiting' | 'held';

function blockOf(earlier: readonly StoredPost[]): ThreadBlock {
  if (earlier.some((p) => p.state === 'unknown' || p.state === 'failed')) return 'held';
  if (earlier.some((p) => p.state === 'queued' || p.state === 'sending')) return 'waiting';
  return 'none';
}

/** `passedOver` says why, when the channel passed over a thread that can never fit its daily cap. */
type NextPost = (
  | { readonly kind: 'post'; readonly post: StoredPost; readonly thread: ThreadProgress }
  /** The next thread waits for an earlier part's retry; the channel waits with it, keeping order. */
  | { readonly kind: 'waiting'; readonly post: StoredPost }
  | { readonly kind: 'none' }
) & { readonly passedOver?: string };

/** How many queued posts to read at a time when looking past threads held for an admin. */
const SCAN_PAGE = 50;

/**
 * The next post to publish: the next due one, unless it continues a thread that cannot go on. A
 * thread whose earlier part waits for a retry holds the channel until then (a short wait, and parts
 * stay in order). A thread that needs an admin (a part of unknown outcome, a part failed for good,
 * or more parts than the whole daily cap) may wait for days: the channel passes over it and goes on
 * with the next article instead of going silent.
 */
async function nextToPublish(deps: PublishDeps, channel: Channel, now: Date): Promise<NextPost> {
  const head = await deps.store.nextDue(channel.id, now);
  if (!head) return { kind: 'none' };
  let passedOver: string | undefined;
  const consider = async (post: StoredPost): Promise<NextPost | 'held'> => {
    const more = passedOver ? { passedOver } : {};
    const progress = await threadProgress(deps, post);
    if (progress.block === 'waiting') return { kind: 'waiting', post, ...more };
    // Held for an admin, who has been told already.
    if (progress.block === 'held') return 'held';
    const check = checkDailyCap(progress.remaining, channel.dailyCap, channel.dailyCap, progress.started);
    if (!check.go && check.why === 'thread too long') {
      passedOver ??= `article ${post.articleId}: ${check.detail}`;
      return 'held';
    }
    return { kind: 'post', post, thread: progress, ...more };
  };
  const first = await consider(head);
  if (first !== 'held') return first;
  const held = new Set([head.articleId]);
  for (let offset = 0; ; offset += SCAN_PAGE) {
    const page = await deps.store.upcoming(channel.id, SCAN_PAGE, offset);
    for (const post of page) {
      if (held.has(post.articleId) || !post.approved) continue;
      if (post.nextAttemptAt !== null && post.nextAttemptAt > now) continue;
      const next = await consider(post);
      if (next !== 'held') return next;
      held.add(post.articleId);
    }
    if (page.length < SCAN_PAGE) return { kind: 'none', ...(passedOver ? { passedOver } : {}) };
  }
}

/** The next part of `post`'s thread when it may go out right now (queued, approved, due), else none. */
async function nextPartDue(deps: PublishDeps, post: StoredPost, now: Date): Promise<StoredPost | undefined> {
  const next = (await deps.store.postsOfArticle(post.articleId, post.channelId)).find(
    (p) => p.seq > post.seq && p.state !== 'sent' && p.state !== 'skipped',
  );
  if (next?.state !== 'queued' || !next.approved) return undefined;
  if (next.nextAttemptAt !== null && next.nextAttemptAt > now) return undefined;
  return next;
}

/** A pause with an end time lifts itself once that time has passed. */
export async function activeState(deps: PublishDeps, channelId: string, now: Date): Promise<ChannelState> {
  const state = await deps.store.channelState(channelId);
  if (state.paused && state.pausedUntil && state.pausedUntil <= now) {
    await deps.store.resumeChannel(channelId);
    deps.logger.info('channel resumed after its wait', { channel: channelId });
    return await deps.store.channelState(channelId);
  }
  return state;
}

/** Posts the channel may still send today (its local day, in its own time zone). */
export async function dailyCapLeft(deps: PublishDeps, channelId: string): Promise<number> {
  const channel = channelById(deps, channelId);
  if (!channel) return 0;
  const since = startOfLocalDay(deps.clock.now(), channel.zone);
  return Math.max(0, channel.dailyCap - (await deps.store.sentSince(channelId, since)));
}

/** A thread on a channel that cannot go on until an admin acts on one of its parts. */
export interface HeldThread {
  readonly channelId: string;
  readonly articleId: number;
  /** The earliest part that needs an admin: failed for good, or of unknown outcome. */
  readonly blocker: StoredPost;
  /** The later parts it holds back (still queued), in order. */
  readonly held: readonly StoredPost[];
}

/** How many failed or unknown posts of a channel to look at for held threads. */
const HELD_SCAN = 500;

/**
 * The threads of a channel held for an admin: a part failed for good, or of unknown outcome, with
 * later parts still to go out. `status`, `queue` and the bot's /status and /queue show them; the
 * slot passes over them (`nextToPublish`) until the part is retried, resolved or skipped.
 */
export async function heldThreads(
  deps: Pick<PublishDeps, 'store'>,
  channelId: string,
): Promise<HeldThread[]> {
  const { store } = deps;
  const candidates = [
    ...(await store.postsInState('failed', HELD_SCAN, channelId)),
    ...(await store.postsInState('unknown', HELD_SCAN, channelId)),
  ].filter((p) => p.mode === 'thread');
  const articles = [...new Set(candidates.map((p) => p.articleId))].sort((a, b) => a - b);
  const found: HeldThread[] = [];
  for (const articleId of articles) {
    const parts = await store.postsOfArticle(articleId, channelId);
    const blocker = parts.find((p) => p.state === 'failed' || p.state === 'unknown');
    if (!blocker) continue;
    const held = parts.filter((p) => p.seq > blocker.seq && p.state === 'queued');
    if (held.length > 0) found.push({ channelId, articleId, blocker, held });
  }
  return found;
}

/** Whose commands a description names: the CLI's or the admin bot's. */
export type HeldVia = 'cli' | 'telegram';

/** The admin's ways out of a held thread, as commands of the CLI or the bot. */
export function heldCommands(blocker: StoredPost, via: HeldVia): string {
  const id = blocker.id;
  if (blocker.state === 'unknown')
    return via === 'cli'
      ? `check the channel, then quotecast resolve ${id} --sent or --resend resumes it, quotecast skip ${id} goes on without it`
      : `check the channel, then /resolve ${id} sent or /resolve ${id} resend resumes it, /skip ${id} goes on without it`;
  return via === 'cli'
    ? `quotecast retry ${id} resumes it, quotecast skip ${id} goes on without it`
    : `/retry ${id} resumes it, /skip ${id} goes on without it`;
}

/** Why the blocking part stopped, in a few words: "failed (gave up after 5 attempts: …)". */
export function blockerReason(blocker: StoredPost, max = 120): string {
  const flat = (blocker.lastError ?? '').replace(/\s+/g, ' ').trim();
  const why = flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
  const state = blocker.state === 'unknown' ? 'outcome unknown' : blocker.state;
  return why ? `${state} (${why})` : state;
}

/**
 * One line for `status`: "thread a12 held at part 1/8 (#42), 7 parts wait: failed (…) — quotecast
 * retry 42 resumes it, quotecast skip 42 goes on without it".
 */
export function describeHeldThread(thread: HeldThread, via: HeldVia): string {
  const { blocker, held } = thread;
  return `thread a${thread.articleId} held at part ${blocker.seq}/${blocker.total} (#${blocker.id}), ${held.length === 1 ? '1 part waits' : `${held.length} parts wait`}: ${blockerReason(blocker)} — ${heldCommands(blocker, via)}`;
}
