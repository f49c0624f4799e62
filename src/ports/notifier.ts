/** Something an admin must hear about; the Telegram admin bot delivers these, the log always has them. */
export interface AdminAlert {
  readonly kind: 'auth' | 'failed' | 'unknown' | 'rate-limited' | 'info';
  readonly text: string;
  readonly channelId?: string;
  readonly postId?: number;
}

export interface Notifier {
  alert(alert: AdminAlert): Promise<void>;
}
