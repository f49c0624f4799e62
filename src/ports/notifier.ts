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
}

/** An alert as the outbox stored it; `id` is undefined when the store could not be written. */
export interface QueuedAlert extends AdminAlert {
  readonly id?: number;
}

export interface Notifier {
  alert(alert: AdminAlert): Promise<void>;
}
