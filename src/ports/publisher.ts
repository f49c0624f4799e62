import type { Platform } from '../domain/article.js';

/**
 * What went wrong, named by the remedy:
 * - `rate-limited`: wait until `retryAt`, then try again;
 * - `unavailable`: network, 5xx or timeout: retry with backoff;
 * - `duplicate`: the platform already has this text: treat as published, never retry;
 * - `rejected`: the platform refused the content: do not retry, tell an admin;
 * - `auth`: credentials or permissions: pause the channel, tell an admin.
 */
export type PublishFailureReason = 'rate-limited' | 'unavailable' | 'duplicate' | 'rejected' | 'auth';

export class PublishError extends Error {
  override readonly name = 'PublishError';
  readonly reason: PublishFailureReason;
  /** When the platform says we may try again (rate limits). */
  readonly retryAt: Date | undefined;
  /** What an admin should do about it, in plain words (never contains a secret). */
  readonly hint: string | undefined;
  /** HTTP status or API error code when the platform gave one. */
  readonly status: number | undefined;
  /**
   * The request may have reached the platform before the failure (a timeout or a connection cut
   * after sending): retrying blindly could publish twice, so the caller reconciles first.
   */
  readonly maybeDelivered: boolean;

  constructor(
    reason: PublishFailureReason,
    message: string,
    options: {
      cause?: unknown;
      retryAt?: Date;
      hint?: string;
      status?: number;
      maybeDelivered?: boolean;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.reason = reason;
    this.retryAt = options.retryAt;
    this.hint = options.hint;
    this.status = options.status;
    this.maybeDelivered = options.maybeDelivered ?? false;
  }
}

export function isPublishError(value: unknown): value is PublishError {
  return value instanceof PublishError;
}

export interface Receipt {
  readonly remoteId: string;
  readonly url?: string;
  readonly publishedAt: Date;
  /** Where it went, when the remote id only means something there (a Telegram chat). */
  readonly chat?: string;
}

/** One post as it goes out: the full text exactly as the platform will see it. */
export interface OutgoingPost {
  readonly text: string;
  /** Our own post id, for logs and outboxes; never sent to the platform. */
  readonly postId?: string;
}

export interface PublishOptions {
  /** Remote id of the post this one replies to (threads). */
  readonly replyTo?: string;
  readonly signal?: AbortSignal;
}

export interface DeleteOptions {
  readonly signal?: AbortSignal;
}

/**
 * A published post taken down: `deleted` by this call, or already `gone` (deleted by hand, or by an
 * earlier call whose answer was lost). Both mean the post is no longer public.
 */
export interface DeleteReceipt {
  readonly outcome: 'deleted' | 'gone';
}

/** A post the platform already holds, as seen when reconciling after a crash. */
export interface RemotePost {
  readonly remoteId: string;
  readonly text: string;
  readonly url?: string;
  readonly publishedAt?: Date;
}

export interface Publisher {
  readonly platform: Platform;
  /** `console` for dry runs, else the real platform. */
  readonly kind: Platform | 'console';
  /** Whether `replyTo` is honoured (threads as reply chains). */
  readonly supportsReplies: boolean;
  /**
   * The platform account the posts go out through, as a name that is not a secret (a hash of its
   * credentials): channels with the same account share its rate limits, so a limit hit on one
   * pauses all of them. Absent for the console.
   */
  readonly account?: string;
  publish(post: OutgoingPost, options?: PublishOptions): Promise<Receipt>;
  /**
   * Waits until a post may go out now without breaking the platform's pacing, and holds that turn:
   * call the returned function once the send is over (answered or failed). Absent when the platform
   * is not paced. The caller commits `sending` only after this resolves, so a post that only waited
   * is still `queued` if the process dies during the wait. Rejects when `signal` aborts.
   */
  awaitTurn?(signal?: AbortSignal): Promise<() => void>;
  /**
   * Our account's recent posts, newest first, when the platform lets us look (X does, Telegram
   * does not). Used to reconcile posts whose outcome is unknown after a crash.
   */
  recentPosts?(since: Date): Promise<readonly RemotePost[]>;
  /**
   * Takes a published post down (a kill). Failures are PublishErrors named by their remedy:
   * `rate-limited` (try again at `retryAt`), `rejected` (the platform will not delete it, e.g. a
   * Telegram message older than 48 hours outside a channel: a human must), `unavailable`, `auth`.
   * Absent when the channel cannot delete at all.
   */
  delete?(remoteId: string, options?: DeleteOptions): Promise<DeleteReceipt>;
}
