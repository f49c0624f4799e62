import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { AdminAlert, Notifier, QueuedAlert } from '../../ports/notifier.js';
import type { PostStore, StoredAlert } from '../../ports/post-store.js';
import { formatAlert, formatDigest, unknownPage } from './alert-messages.js';
import { BotSendError, type BotSender } from './bot-sender.js';
import type { Reply } from './bot-types.js';
import { type Backoff, backoffDelay, formatDelay } from './keep-polling.js';

export interface AlertCourierOptions {
  readonly store: PostStore;
  readonly sender: BotSender;
  /** Each admin's private chat plus settings.telegramBot.alertChatIds. */
  readonly chatIds: readonly (number | string)[];
  readonly clock: Clock;
  readonly logger: Logger;
  readonly random: () => number;
  /** Aborting it ends the courier (the bot is stopping). */
  readonly signal: AbortSignal;
  /**
   * How often the outbox is read when nothing woke the courier (default 30 s): alerts stored by
   * another process (a `publish-now` run) reach the admins through the daemon's bot.
   */
  readonly pollMs?: number;
  /** An alert older than this is not sent any more (it stays in the log); default two days. */
  readonly maxAgeMs?: number;
  /** Waits after a round that could not deliver (default 30 s doubling to 10 minutes). */
  readonly backoff?: Backoff;
}

export interface AlertCourier extends Notifier {
  /** Delivers what the outbox holds, then whatever arrives, until the signal aborts. */
  run(): Promise<void>;
}

const COURIER_BACKOFF: Backoff = { initialMs: 30_000, maxMs: 600_000, jitter: 0.2 };

/** An alert the store could not keep (a full disk): delivered from memory, lost by a restart. */
interface VolatileAlert {
  readonly alert: QueuedAlert;
  readonly handled: Set<string>;
  readonly createdAt: Date;
}

interface Outgoing {
  readonly reply: Reply;
  /** The stored alerts this message carries. */
  readonly ids: readonly number[];
  readonly volatile: readonly VolatileAlert[];
}

/**
 * The alert's action. The outbox stores it (migration 6) and returns it on each stored alert, though
 * StoredAlert does not declare it yet: formatAlert reads it from the same object.
 */
function actionOf(alert: StoredAlert | QueuedAlert): AdminAlert['action'] {
  return alert.action;
}

/**
 * Takes admin alerts from the store's outbox to every admin chat. Alerts that wait together travel
 * together: every post of unknown outcome in one paginated summary with buttons (one alone reads as
 * its own question), the other alerts in as few messages as fit. Every message goes through the
 * bot's sender (paced with the token's channels, retried across 429s and 5xx); a round that cannot
 * deliver leaves the alerts stored and tries again after a backoff, so neither an outage nor a
 * restart loses one. Each chat's deliveries are recorded, so no chat gets an alert twice because
 * another chat failed; a chat that refuses the bot for good is logged with what to do about it.
 */
export function createAlertCourier(options: AlertCourierOptions): AlertCourier {
  const { store, sender, clock, logger, signal } = options;
  const chats = [...new Set(options.chatIds.map(String))];
  const pollMs = options.pollMs ?? 30_000;
  const maxAgeMs = options.maxAgeMs ?? 2 * 86_400_000;
  const backoff = options.backoff ?? COURIER_BACKOFF;
  let volatile: VolatileAlert[] = [];
  let wakeUp: AbortController | undefined;
  let woken = false;
  /** Chats already reported as unreachable by this process, so the log says it once per chat. */
  const reportedUnreachable = new Set<string>();

  const wake = () => {
    woken = true;
    wakeUp?.abort();
  };

  /** Drops what is not worth sending any more; returns what is. */
  const retire = async (pending: readonly StoredAlert[]): Promise<StoredAlert[]> => {
    const now = clock.now();
    const done: number[] = [];
    const live: StoredAlert[] = [];
    for (const alert of pending) {
      // A post an admin (or reconciliation) settled before the alert went out needs no question.
      const action = actionOf(alert);
      const settled =
        (alert.kind === 'unknown' &&
          alert.postId !== null &&
          (await store.getPost(alert.postId))?.state !== 'unknown') ||
        // A correction an admin decided (in /held) before the alert went out needs no buttons.
        (action?.kind === 'held-correction' &&
          (await store.feedItemById(action.feedItemId))?.state !== 'held');
      const stale = alert.kind !== 'unknown' && now.getTime() - alert.createdAt.getTime() > maxAgeMs;
      if (stale)
        logger.warn('an admin alert was not delivered in time and is dropped (it is in the log above)', {
          alert: alert.id,
          created: alert.createdAt.toISOString(),
        });
      if (settled || stale) done.push(alert.id);
      else live.push(alert);
    }
    if (done.length > 0) await store.finishAlerts(done, now);
    return live;
  };

  const messagesFor = async (
    chat: string,
    stored: readonly StoredAlert[],
    memory: readonly VolatileAlert[],
  ): Promise<Outgoing[]> => {
    const alerts = [
      ...stored
        .filter((a) => !a.handledChats.includes(chat))
        .map((a) => ({ content: a, id: a.id, v: undefined })),
      ...memory.filter((v) => !v.handled.has(chat)).map((v) => ({ content: v.alert, id: undefined, v })),
    ];
    const ids = (list: typeof alerts) => list.flatMap((a) => (a.id === undefined ? [] : [a.id]));
    const vols = (list: typeof alerts) => list.flatMap((a) => (a.v === undefined ? [] : [a.v]));
    const out: Outgoing[] = [];
    const unknown = alerts.filter((a) => a.content.kind === 'unknown');
    if (unknown.length === 1) {
      out.push({
        reply: await formatAlert(unknown[0]!.content, store),
        ids: ids(unknown),
        volatile: vols(unknown),
      });
    } else if (unknown.length > 1) {
      out.push({ reply: await unknownPage(store, 0), ids: ids(unknown), volatile: vols(unknown) });
    }
    // An alert that asks for a decision goes alone, with its buttons.
    for (const a of alerts)
      if (a.content.kind !== 'unknown' && actionOf(a.content))
        out.push({ reply: await formatAlert(a.content, store), ids: ids([a]), volatile: vols([a]) });
    const others = alerts.filter((a) => a.content.kind !== 'unknown' && !actionOf(a.content));
    if (others.length > 0) {
      const pages = formatDigest(others.map((a) => a.content));
      // A digest page carries its alerts; the ids go with the last page, so a chat that got only the
      // first page of a digest gets the whole digest again rather than missing its end.
      pages.forEach((reply, i) => {
        const last = i === pages.length - 1;
        out.push({ reply, ids: last ? ids(others) : [], volatile: last ? vols(others) : [] });
      });
    }
    return out;
  };

  /** Sends `chat` its messages in order; false when Telegram could not be reached (try again later). */
  const deliverTo = async (chat: string, messages: readonly Outgoing[]): Promise<boolean> => {
    for (const message of messages) {
      let outcome: 'delivered' | 'refused' = 'delivered';
      try {
        await sender.send(chat, message.reply);
        reportedUnreachable.delete(chat);
      } catch (error) {
        if (!(error instanceof BotSendError) || error.problem !== 'refused') {
          if (!signal.aborted)
            logger.warn('could not deliver an admin alert yet; it stays in the outbox and is tried again', {
              chat,
              error: (error as Error).message,
            });
          return false;
        }
        outcome = 'refused';
        if (!error.chatUnreachable)
          logger.error('Telegram refused an admin alert message', { chat, error: error.message });
        else if (!reportedUnreachable.has(chat)) {
          reportedUnreachable.add(chat);
          logger.warn(
            'an admin chat cannot be written to, so it misses admin alerts: the admin must open a chat with the bot and press Start (a group must have the bot as a member)',
            { chat, error: error.message },
          );
        }
      }
      for (const v of message.volatile) v.handled.add(chat);
      if (message.ids.length > 0) {
        try {
          await store.recordAlertDelivery(message.ids, chat, outcome, clock.now());
        } catch (error) {
          logger.error('could not record an alert delivery; the alert may be sent again after a restart', {
            error: (error as Error).message,
          });
        }
      }
    }
    return true;
  };

  /** One pass over the outbox; true when nothing is left waiting for Telegram. */
  const drain = async (): Promise<boolean> => {
    let stored: StoredAlert[] = [];
    try {
      stored = await retire(await store.pendingAlerts(1000));
    } catch (error) {
      logger.error('could not read the alert outbox', { error: (error as Error).message });
    }
    const memory = volatile.filter((v) => clock.now().getTime() - v.createdAt.getTime() <= maxAgeMs);
    if (stored.length === 0 && memory.length === 0) return true;
    const results = await Promise.all(
      chats.map(async (chat) => await deliverTo(chat, await messagesFor(chat, stored, memory))),
    );
    volatile = volatile.filter((v) => memory.includes(v) && chats.some((chat) => !v.handled.has(chat)));
    // Finished: every chat has it (or refused it); re-read, as deliveries were just recorded.
    try {
      const finished = (await store.pendingAlerts(1000))
        .filter((a) => stored.some((s) => s.id === a.id) && chats.every((c) => a.handledChats.includes(c)))
        .map((a) => a.id);
      if (finished.length > 0) await store.finishAlerts(finished, clock.now());
    } catch (error) {
      logger.error('could not update the alert outbox', { error: (error as Error).message });
    }
    return results.every(Boolean);
  };

  return {
    async alert(alert: QueuedAlert) {
      if (alert.id === undefined) volatile.push({ alert, handled: new Set(), createdAt: clock.now() });
      wake();
    },
    async run() {
      let failures = 0;
      while (!signal.aborted) {
        woken = false;
        const delivered = await drain();
        failures = delivered ? 0 : failures + 1;
        if (signal.aborted) break;
        if (woken && delivered) continue;
        const wait = delivered ? pollMs : backoffDelay(backoff, failures, options.random);
        if (!delivered) logger.info('admin alerts wait for Telegram', { retryIn: formatDelay(wait) });
        wakeUp = new AbortController();
        const stop = () => wakeUp?.abort();
        signal.addEventListener('abort', stop, { once: true });
        try {
          // A new alert ends a quiet wait at once; after a failure the backoff holds (a burst of new
          // alerts must not turn into a burst of retries against a Telegram that is down).
          await clock.sleep(wait, delivered ? wakeUp.signal : signal);
        } finally {
          signal.removeEventListener('abort', stop);
          wakeUp = undefined;
        }
      }
    },
  };
}
