import type { PostingMode } from '../domain/article.js';
import type { AdminAlert } from './notifier.js';
import type { PublishFailureReason } from './publisher.js';

/**
 * The queue's port. Every method returns a promise: the store may be a network database (PostgreSQL)
 * shared by several daemons; the SQLite adapter answers each call with an already settled one.
 *
 * The post state machine (see DESIGN.md):
 * queued -> sending -> sent; sending -> queued (retry later); sending -> failed; sending -> unknown
 * (process died mid-send, found on start-up); unknown -> sent | queued by reconciliation or an admin;
 * queued -> skipped by an admin. Every change is one transaction.
 */
export type PostState = 'queued' | 'sending' | 'sent' | 'failed' | 'unknown' | 'skipped';
export const POST_STATES: readonly PostState[] = [
  'queued',
  'sending',
  'sent',
  'failed',
  'unknown',
  'skipped',
];

export interface StoredArticle {
  readonly id: number;
  readonly contentHash: string;
  readonly url: string | null;
  readonly title: string;
  readonly byline: string | null;
  readonly createdAt: Date;
}

export interface StoredPost {
  readonly id: number;
  readonly articleId: number;
  readonly channelId: string;
  readonly mode: PostingMode;
  /** 1-based position within the article on this channel. */
  readonly seq: number;
  /** How many posts the article has on this channel. */
  readonly total: number;
  readonly text: string;
  /** Length as the channel's platform counts it. */
  readonly length: number;
  readonly state: PostState;
  readonly approved: boolean;
  readonly attempts: number;
  readonly nextAttemptAt: Date | null;
  readonly remoteId: string | null;
  readonly remoteUrl: string | null;
  /** The chat a Telegram post went to (null: unknown, from before it was recorded, or marked by hand). */
  readonly remoteChat: string | null;
  readonly lastError: string | null;
  readonly createdAt: Date;
  readonly sentAt: Date | null;
}

export interface NewArticle {
  readonly contentHash: string;
  readonly url?: string;
  readonly title: string;
  readonly byline?: string;
}

export interface NewPost {
  readonly text: string;
  readonly length: number;
}

export interface ChannelBatch {
  readonly channelId: string;
  readonly mode: PostingMode;
  readonly posts: readonly NewPost[];
}

export type EnqueueResult =
  | { readonly kind: 'queued'; readonly articleId: number; readonly postIds: readonly number[] }
  /**
   * The article (same content hash or same canonical URL) is already queued or sent on these channels;
   * or it was killed (`killed` set, every requested channel listed): the newsroom pulled it, so it is
   * not queued again anywhere unless forced.
   */
  | {
      readonly kind: 'duplicate';
      readonly articleId: number;
      readonly channelIds: readonly string[];
      readonly killed?: ArticleKill;
    };

/** When and by whom an article was killed (pulled everywhere). */
export interface ArticleKill {
  readonly at: Date;
  /** Who asked: "the command line", "@ada_editor (1001)". */
  readonly by: string | null;
}

/** A post with what a kill did to it: for the article's listing and for taking posts down. */
export interface TrailPost extends StoredPost {
  /** When the published post was taken down (or found gone). */
  readonly deletedAt: Date | null;
  /** Why the last attempt to take it down failed (`reason: detail`); cleared once it is down. */
  readonly deleteError: string | null;
}

/** An article and where it went: every post on every channel, with links, kills and deletions. */
export interface ArticleTrail {
  readonly article: StoredArticle;
  readonly killed: ArticleKill | undefined;
  /** By channel, then position. */
  readonly posts: readonly TrailPost[];
}

/** What one `killArticle` call changed. */
export interface KillResult {
  /** Posts that will never go out now (queued or failed until this call: now skipped). */
  readonly dropped: readonly StoredPost[];
  /** False when the article was killed before (this call only retries what is left). */
  readonly firstKill: boolean;
  readonly killed: ArticleKill;
}

export interface ChannelState {
  readonly channelId: string;
  readonly paused: boolean;
  readonly pausedUntil: Date | null;
  readonly pauseReason: string | null;
}

export interface AttemptRecord {
  readonly postId: number;
  readonly attempt: number;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  /** `sent`, a failure reason, or null while in flight. */
  readonly outcome: 'sent' | PublishFailureReason | 'unknown' | null;
  readonly detail: string | null;
}

/** An admin alert kept until every admin chat has it (see `addAlert`). */
export interface StoredAlert {
  readonly id: number;
  readonly kind: AdminAlert['kind'];
  readonly text: string;
  readonly channelId: string | null;
  readonly postId: number | null;
  readonly createdAt: Date;
  /** Chats that already have it, or that refused it for good (a chat the bot may not write to). */
  readonly handledChats: readonly string[];
  /** What its buttons act on (a held correction, a feed article to approve, a vanished item). */
  readonly action?: NonNullable<AdminAlert['action']>;
}

/** An /add preview waiting for "queue", "queue and approve" or "discard" (payload: JSON the bot owns). */
export interface StoredPreview {
  readonly id: string;
  readonly payload: string;
  readonly createdBy: number;
  readonly createdAt: Date;
}

export interface PostStore extends FeedStore {
  /** Ingest one article's posts for several channels in one transaction. */
  enqueueArticle(
    article: NewArticle,
    batches: readonly ChannelBatch[],
    options: { now: Date; approved: boolean; force?: boolean },
  ): Promise<EnqueueResult>;

  getArticle(id: number): Promise<StoredArticle | undefined>;
  listArticles(limit: number): Promise<readonly StoredArticle[]>;
  getPost(id: number): Promise<StoredPost | undefined>;
  postsOfArticle(articleId: number, channelId?: string): Promise<readonly StoredPost[]>;

  /** The next post to publish on a channel: queued, approved, due, lowest (article, seq). */
  nextDue(channelId: string, now: Date): Promise<StoredPost | undefined>;
  /** How many posts of a channel could go out now: queued, approved, and due (the backlog). */
  countDue(channelId: string, now: Date): Promise<number>;
  /** The next `limit` queued posts of a channel in publishing order (due or not). */
  upcoming(channelId: string, limit: number, offset?: number): Promise<readonly StoredPost[]>;

  /**
   * queued -> sending, attempts + 1, attempt logged. Returns undefined when the post was not queued,
   * is not approved, or its article is held for a feed correction (`isArticleHeld`): such a post
   * stays queued, untouched.
   */
  lease(postId: number, now: Date): Promise<StoredPost | undefined>;
  /**
   * A feed correction holds the article until an admin decides (/held): none of its posts is leased.
   * Posts that come back to `queued` meanwhile (a retry, `requeue`) come back unapproved.
   */
  isArticleHeld(articleId: number): Promise<boolean>;
  markSent(
    postId: number,
    receipt: { remoteId: string; url?: string; publishedAt: Date; chat?: string },
    outcome?: 'sent' | 'duplicate',
  ): Promise<void>;
  /** sending -> queued with a next attempt time. */
  markRetry(
    postId: number,
    reason: PublishFailureReason,
    nextAttemptAt: Date,
    detail: string,
    now: Date,
  ): Promise<void>;
  /** sending -> failed. */
  markFailed(postId: number, reason: PublishFailureReason, detail: string, now: Date): Promise<void>;
  /** sending -> unknown: the send may or may not have arrived and the platform cannot be asked. */
  markUnknown(postId: number, detail: string, now: Date): Promise<void>;
  /**
   * Every post left in `sending` by a process that is gone becomes `unknown`; returns them. On SQLite
   * one daemon holds the file, so at its start-up that is every `sending` post. On PostgreSQL several
   * daemons share the queue: only posts whose holder (see `instanceId`) stopped heartbeating more than
   * its lease ago, or that have no holder, so a survivor takes over a dead daemon's posts and never
   * a live one's; and posts `sending` for longer than any request takes (10 minutes), whose live
   * daemon could not record the outcome (the store failed under it).
   */
  markInterruptedAsUnknown(now: Date): Promise<readonly StoredPost[]>;
  /** unknown -> sent (it did arrive) with the remote id when known. */
  resolveUnknownAsSent(
    postId: number,
    receipt: { remoteId: string | null; url?: string; publishedAt: Date },
  ): Promise<void>;
  /** unknown | failed | skipped -> queued (send again), due now; unapproved while the article is held. */
  requeue(postId: number, now: Date): Promise<boolean>;
  /** queued | unknown | failed -> skipped. */
  skip(postId: number): Promise<boolean>;
  /** Replace the text of a post that is not sent yet. */
  editText(postId: number, text: string, length: number): Promise<boolean>;
  approveArticle(articleId: number): Promise<number>;
  /** Removes the article's unsent posts (queued, failed, unknown, skipped); keeps what was sent. */
  deleteUnsent(articleId: number): Promise<number>;

  /**
   * A kill, in one transaction: marks the article killed (the first time; the first kill's time and
   * author are kept) and moves its queued and failed posts to skipped. Leaves `sending` posts (in
   * flight: the daemon records them as sent, then a later kill deletes them), `unknown` ones (the
   * caller settles them: they may be public) and what was sent. Undefined when there is no article.
   * Posts of a killed article are never queued again: `requeue` refuses them, and a retry after a
   * failed send of one (`markRetry`) skips it instead.
   */
  killArticle(articleId: number, by: string, now: Date): Promise<KillResult | undefined>;
  /** The article with all its posts, kills and deletions; undefined when there is no such article. */
  articleTrail(articleId: number): Promise<ArticleTrail | undefined>;
  /** Sent posts of the article not yet taken down (by channel, then position). */
  postsToTakeDown(articleId: number): Promise<readonly TrailPost[]>;
  /** A sent post is down: records when, forgets an earlier delete error. False when not sent or already down. */
  markDeleted(postId: number, now: Date): Promise<boolean>;
  /** Why a sent post could not be taken down (`reason: detail`). False when not sent or already down. */
  markDeleteFailed(postId: number, detail: string): Promise<boolean>;

  /** The remote id of the last sent post of this article's thread on this channel, if any. */
  lastSentInThread(articleId: number, channelId: string): Promise<StoredPost | undefined>;
  /** How many posts this channel sent (or started sending) since `since` (daily caps). */
  sentSince(channelId: string, since: Date): Promise<number>;
  countsByState(channelId?: string): Promise<Readonly<Record<PostState, number>>>;
  postsInState(state: PostState, limit: number, channelId?: string): Promise<readonly StoredPost[]>;
  attempts(postId: number): Promise<readonly AttemptRecord[]>;

  channelState(channelId: string): Promise<ChannelState>;
  pauseChannel(channelId: string, reason: string, until: Date | null): Promise<void>;
  resumeChannel(channelId: string): Promise<void>;

  /**
   * The alert outbox: an alert is stored before anyone tries to deliver it, so a restart or a
   * Telegram outage loses none. Returns undefined when `alert.key` was stored before (deduplicated).
   * Also forgets finished alerts older than 30 days. `logOnly`: nobody will deliver it (no admin bot
   * is configured), so it is stored as finished, for its key alone.
   */
  addAlert(alert: AdminAlert, now: Date, options?: { logOnly?: boolean }): Promise<StoredAlert | undefined>;
  /** Alerts not yet finished, oldest first. */
  pendingAlerts(limit: number): Promise<readonly StoredAlert[]>;
  countPendingAlerts(): Promise<number>;
  /** These alerts reached `chatId` (or the chat refused them for good). */
  recordAlertDelivery(
    alertIds: readonly number[],
    chatId: string,
    outcome: 'delivered' | 'refused',
    now: Date,
  ): Promise<void>;
  /** Done with these alerts: every chat has them, or they are no longer worth sending. */
  finishAlerts(alertIds: readonly number[], now: Date): Promise<void>;

  /**
   * Keeps a preview; first forgets those created before `expireBefore` and the oldest beyond
   * `keep - 1`, so forgotten previews cannot pile up. False when the id is taken.
   */
  savePreview(preview: StoredPreview, options: { expireBefore: Date; keep: number }): Promise<boolean>;
  getPreview(id: string): Promise<StoredPreview | undefined>;
  /** Removes and returns it in one transaction: a button acts once, even if pressed twice quickly. */
  takePreview(id: string): Promise<StoredPreview | undefined>;

  /** Small persistent settings, e.g. refreshed OAuth 2.0 tokens (never logged). */
  getSetting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;

  /**
   * Several daemons on one store (PostgreSQL). This process's instance: `heartbeat` keeps its leases
   * alive (posts it is sending, channel slots, roles); a lease ends `leaseMs` after the last heartbeat.
   * On SQLite one daemon holds the file lock, so every claim below is granted to it.
   */
  readonly instanceId: string;
  /**
   * True when other daemons may share this store (PostgreSQL): the daemon then heartbeats, claims
   * each slot, hands `sending` posts of dead instances to reconciliation while it runs, and plays the
   * admin bot and feed polling only while it holds their role. False on SQLite (one daemon per file).
   */
  readonly shared: boolean;
  heartbeat(now: Date): Promise<void>;
  /**
   * One firing of a channel's schedule across instances: true when this instance may run the slot
   * scheduled at `slotAt`. False when another instance already ran (or runs) that slot or a later
   * one, or holds the channel now (a slot still running). Released by `releaseSlot`, or by the
   * holder's death (its heartbeat stops).
   */
  claimSlot(channelId: string, slotAt: Date, now: Date): Promise<boolean>;
  releaseSlot(channelId: string): Promise<void>;
  /**
   * A role only one instance may play at a time (`admin-bot`: Telegram allows one poller per token;
   * `feeds`: one poller per feed). True while this instance holds it (taken when free or when its
   * holder stopped heartbeating; kept by calling again).
   */
  claimRole(role: string, now: Date): Promise<boolean>;
  releaseRole(role: string): Promise<void>;
  /**
   * Pacing shared by every instance publishing through one platform account. Under a lock on the
   * account: reads its sends of the last `windowMs` (in flight ones have no `doneAt`; those of dead
   * instances count as finished when found dead: they may have arrived), asks `wait` how long the next send to `chat` must wait, and records it
   * as a send in flight when that is 0 (returning its id for `finishSend`).
   */
  reserveSend(
    account: string,
    chat: string,
    now: Date,
    windowMs: number,
    wait: (sends: readonly PacedSend[]) => number,
  ): Promise<{ readonly sendId: number } | { readonly waitMs: number }>;
  /** The send is over (answered or failed): it counts from `now`. */
  finishSend(sendId: number, now: Date): Promise<void>;

  close(): Promise<void>;
}

/**
 * The parts of the port an adapter builds in modules of their own (the alert outbox, /add previews,
 * kills, sharing between daemons); the core is the rest.
 */
export type AlertOutboxMethods = Pick<
  PostStore,
  'addAlert' | 'pendingAlerts' | 'countPendingAlerts' | 'recordAlertDelivery' | 'finishAlerts'
>;
export type PreviewMethods = Pick<PostStore, 'savePreview' | 'getPreview' | 'takePreview'>;
export type KillMethods = Pick<
  PostStore,
  'killArticle' | 'articleTrail' | 'postsToTakeDown' | 'markDeleted' | 'markDeleteFailed'
>;
export type InstanceMethods = Pick<
  PostStore,
  | 'instanceId'
  | 'shared'
  | 'heartbeat'
  | 'claimSlot'
  | 'releaseSlot'
  | 'claimRole'
  | 'releaseRole'
  | 'reserveSend'
  | 'finishSend'
>;

/** One send through a paced account (see `reserveSend`). */
export interface PacedSend {
  readonly chat: string;
  readonly startedAt: Date;
  /** When it was over; undefined while it is in flight. */
  readonly doneAt: Date | undefined;
}

/** What happened to a feed item (see use-cases/poll-feed.ts). */
export type FeedItemState = 'seen' | 'queued' | 'held' | 'dropped' | 'gone-asked';

/** One feed's polling state (migration 5). A feed never polled has the defaults. */
export interface FeedState {
  readonly feedId: string;
  readonly etag: string | null;
  readonly lastModified: string | null;
  readonly lastPollAt: Date | null;
  readonly lastSuccessAt: Date | null;
  /** The last poll's error; null after a poll that worked. */
  readonly lastError: string | null;
  readonly failures: number;
  /** Backoff: no poll before this (errors, Retry-After). */
  readonly nextPollAfter: Date | null;
  readonly paused: boolean;
  /** The first poll is done (it only marks what is there as seen). */
  readonly primed: boolean;
  /** Resumed after a pause: the next successful poll marks what arrived meanwhile as seen. */
  readonly catchUp: boolean;
}

export interface StoredFeedItem {
  readonly id: number;
  readonly feedId: string;
  /** The item's id in the feed (guid / id / link). */
  readonly itemKey: string;
  readonly canonicalUrl: string | null;
  /** Hash of what the feed gave for it (title, content, summary): cheap change detection. */
  readonly rawHash: string;
  /** articleHash of the queued body, once ingested. */
  readonly bodyHash: string | null;
  /** The queued body's paragraphs (JSON), for the diff when it changes. */
  readonly body: string | null;
  readonly title: string;
  readonly firstSeenAt: Date;
  readonly lastSeenAt: Date;
  readonly articleId: number | null;
  readonly state: FeedItemState;
  /** While held: the changed article (JSON) waiting for "re-split and re-queue". */
  readonly heldArticle: string | null;
  /** While held: whether its posts were approved before the hold ("keep as queued" restores it). */
  readonly heldWasApproved: boolean;
}

export type NewFeedItem = Pick<StoredFeedItem, 'feedId' | 'itemKey' | 'canonicalUrl' | 'rawHash' | 'title'> &
  Partial<Pick<StoredFeedItem, 'bodyHash' | 'body' | 'articleId' | 'state'>> & { readonly now: Date };

export type FeedItemChange = Partial<
  Pick<
    StoredFeedItem,
    | 'itemKey'
    | 'canonicalUrl'
    | 'rawHash'
    | 'bodyHash'
    | 'body'
    | 'title'
    | 'lastSeenAt'
    | 'articleId'
    | 'state'
    | 'heldArticle'
    | 'heldWasApproved'
  >
>;

export interface FeedStore {
  feedState(feedId: string): Promise<FeedState>;
  saveFeedState(state: FeedState): Promise<void>;
  feedItemByKey(feedId: string, itemKey: string): Promise<StoredFeedItem | undefined>;
  /** The item with this canonical URL, in any feed (two feeds listing one story: one article). */
  feedItemByUrl(canonicalUrl: string): Promise<StoredFeedItem | undefined>;
  feedItemByRawHash(feedId: string, rawHash: string): Promise<StoredFeedItem | undefined>;
  feedItemById(id: number): Promise<StoredFeedItem | undefined>;
  feedItemsOf(feedId: string, states?: readonly FeedItemState[]): Promise<readonly StoredFeedItem[]>;
  /** An article stored with one of these URLs (queued by /add, `add` or another feed). */
  articleIdByUrl(urls: readonly string[]): Promise<number | undefined>;
  addFeedItem(item: NewFeedItem): Promise<StoredFeedItem>;
  updateFeedItem(id: number, change: FeedItemChange): Promise<void>;
  /**
   * Holds an article's queued posts (approved -> 0, only `queued` ones: a post being sent is left to
   * finish) and marks the item held with the changed article, in one transaction. Returns how many
   * posts were held and whether any of them was approved.
   */
  holdFeedItem(
    itemId: number,
    articleId: number,
    heldArticle: string,
  ): Promise<{ readonly held: number; readonly wasApproved: boolean }>;
  /** How many items of a feed are in each state. */
  feedItemCounts(feedId: string): Promise<Readonly<Record<FeedItemState, number>>>;
}
