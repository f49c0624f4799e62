/** Something an admin must hear about; the Telegram admin bot delivers these, the log always has them. */
export interface AdminAlert {
  readonly kind: 'auth' | 'failed' | 'unknown' | 'rate-limited' | 'info';
  readonly text: string;
  readonly channelId?: string;
  readonly postId?: number;
  /**
   * The same key is alerted once, ever (as long as the store keeps it, 30 days after delivery): a
   * post left unknown is not re-alerted at every start. Without a key every call alerts.
   */
  readonly key?: string;
  /** What the alert's buttons act on (the admin bot draws them); stored with the alert. */
  readonly action?: AlertAction;
}

/**
 * A decision an alert asks for, by reference: a held correction (re-split and re-queue / keep / drop),
 * a feed article waiting for approval (approve / delete), an item gone from its feed (kill / keep).
 */
export type AlertAction =
  | { readonly kind: 'held-correction'; readonly feedItemId: number }
  | { readonly kind: 'feed-approval'; readonly articleId: number }
  | { readonly kind: 'vanished-item'; readonly feedItemId: number; readonly articleId: number };

/** An alert as the outbox stored it; `id` is undefined when the store could not be written. */
export interface QueuedAlert extends AdminAlert {
  readonly id?: number;
}

export interface Notifier {
  alert(alert: AdminAlert): Promise<void>;
}
