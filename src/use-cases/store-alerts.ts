import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { AdminAlert, Notifier, QueuedAlert } from '../ports/notifier.js';
import type { PostStore } from '../ports/post-store.js';

export interface OutboxNotifierOptions {
  readonly store: PostStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Whoever delivers alerts (the admin bot's courier, or a test's recorder), told of each new one. */
  readonly deliver: () => Notifier | undefined;
  /**
   * False when no admin bot is configured: alerts then only reach the log, and are stored as
   * finished (for their keys) instead of piling up in the outbox.
   */
  readonly deliverable: boolean;
}

/**
 * The notifier every use case gets: each alert is written to the log, then stored in the outbox
 * (the store's `alerts`), then the deliverer is woken. Stored first, so a restart or a Telegram
 * outage loses nothing; an alert whose key was stored before is not delivered again (a post left
 * unknown is asked about once, not at every start). When the store cannot be written (a full disk)
 * the alert still goes out, from memory.
 */
export function createOutboxNotifier(options: OutboxNotifierOptions): Notifier {
  const { store, clock, logger } = options;
  return {
    async alert(alert: AdminAlert) {
      logger.warn(`ADMIN ALERT (${alert.kind}): ${alert.text}`, {
        channel: alert.channelId,
        post: alert.postId,
      });
      let queued: QueuedAlert = alert;
      try {
        const stored = await store.addAlert(alert, clock.now(), { logOnly: !options.deliverable });
        if (!stored) {
          logger.info('admin alert already sent before; not sent again', { key: alert.key });
          return;
        }
        queued = { ...alert, id: stored.id };
      } catch (error) {
        logger.error('could not store an admin alert; it is delivered from memory only', {
          error: (error as Error).message,
        });
      }
      await options
        .deliver()
        ?.alert(queued)
        .catch((error: unknown) =>
          logger.error('could not hand an admin alert over for delivery', {
            error: (error as Error).message,
          }),
        );
    },
  };
}
