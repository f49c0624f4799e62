import type { Clock } from '../ports/clock.js';
import type { PacedSend, PostStore } from '../ports/post-store.js';
import type { DeleteOptions, Publisher } from '../ports/publisher.js';

/**
 * Telegram's limits, so the bot does not collect 429s in normal operation: about one message a
 * second to a chat, 20 a minute to a group or channel, 30 a second overall per bot token.
 */
export interface PacingLimits {
  readonly perChatIntervalMs: number;
  readonly perChatPerMinute: number;
  readonly overallPerSecond: number;
}

export const TELEGRAM_PACING: PacingLimits = {
  perChatIntervalMs: 1000,
  perChatPerMinute: 20,
  overallPerSecond: 30,
};

/** Call once the send is over (answered or failed): from then on it counts at that instant. */
export type SendDone = () => void;

export interface Pacer {
  /** Resolves when one more message to `chat` is allowed, and counts it as in flight. */
  acquire(chat: string, signal?: AbortSignal): Promise<SendDone>;
}

interface Send {
  /** When the send was over; undefined while it is in flight. */
  doneAt: number | undefined;
}

/**
 * Sliding windows per chat and overall; one pacer per bot token, shared by its channels.
 *
 * Telegram counts a message when it arrives, which is some time after we let it go and before we
 * hear back. Counting each send at the moment its answer came back (and a send in flight as "now")
 * means the server's count can never be ahead of ours, whatever the network's jitter: counting at
 * the moment of letting go, a fast request after a slow one lands inside the server's window and
 * earns a 429 with a retry_after of a second or more. The price is one round trip per window.
 *
 * Messages to one chat are granted in order; chats do not queue behind each other (a thread waiting
 * out its one-second spacing must not hold up a post to another channel): only the overall limit is
 * shared.
 */
export function createPacer(limits: PacingLimits, clock: Clock): Pacer {
  const overall: Send[] = [];
  const perChat = new Map<string, Send[]>();
  /** The last grant asked for per chat, so the next one for that chat waits its turn. */
  const turns = new Map<string, Promise<unknown>>();
  /** Waiters for a send in flight to finish. */
  const onDone = new Set<() => void>();

  /** Milliseconds to wait before `chat` may send; Infinity while that depends on a send in flight. */
  const waitMs = (chat: string, now: number): number => {
    const sent = perChat.get(chat) ?? [];
    prune(overall, now - 1000);
    prune(sent, now - 60_000);
    let wait = 0;
    const last = sent.at(-1);
    if (last !== undefined) wait = Math.max(wait, after(last, limits.perChatIntervalMs, now));
    wait = Math.max(wait, windowWait(sent, limits.perChatPerMinute, 60_000, now));
    return Math.max(wait, windowWait(overall, limits.overallPerSecond, 1000, now));
  };

  const take = async (chat: string, signal?: AbortSignal): Promise<SendDone> => {
    for (;;) {
      // Checked on every pass: an aborted sleep resolves, and must not go on to take a slot.
      if (signal?.aborted) throw signal.reason ?? new Error('aborted');
      const now = clock.now().getTime();
      const wait = waitMs(chat, now);
      if (wait <= 0) {
        // Checking and counting happen in one synchronous step, so concurrent waiters cannot both
        // take the last place in a window.
        const send: Send = { doneAt: undefined };
        overall.push(send);
        const sent = perChat.get(chat) ?? [];
        sent.push(send);
        perChat.set(chat, sent);
        return () => {
          if (send.doneAt !== undefined) return;
          send.doneAt = clock.now().getTime();
          for (const wake of [...onDone]) wake();
        };
      }
      if (wait === Number.POSITIVE_INFINITY) await nextDone(signal);
      else await clock.sleep(wait, signal);
    }
  };

  const nextDone = (signal?: AbortSignal) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        onDone.delete(wake);
        signal?.removeEventListener('abort', wake);
        resolve();
      };
      onDone.add(wake);
      signal?.addEventListener('abort', wake, { once: true });
    });

  return {
    acquire: (chat, signal) => inTurn(turns, chat, () => take(chat, signal)),
  };
}

/**
 * The same windows when several daemons publish through one account (PostgreSQL): the sends live in
 * the store (`reserveSend`), which checks and records each one under a lock on the account, so two
 * daemons never overrun it together. A send in flight on another daemon cannot wake us when it is
 * over, so a wait that depends on one is a short poll (`pollMs`).
 */
export function createSharedPacer(
  store: Pick<PostStore, 'reserveSend' | 'finishSend'>,
  account: string,
  limits: PacingLimits,
  clock: Clock,
  pollMs = 50,
): Pacer {
  const turns = new Map<string, Promise<unknown>>();
  /**
   * Records the end of a send, trying again while the store does not answer (a blip): a send left
   * in flight would hold its chat on every daemon (see SHARED_SEND_STALE_MS for the last resort).
   */
  const finish = async (sendId: number, at: Date) => {
    for (let attempt = 1; attempt <= 5; attempt++) {
      try {
        await store.finishSend(sendId, at);
        return;
      } catch {
        await clock.sleep(attempt * 1000).catch(() => undefined);
      }
    }
  };
  const take = async (chat: string, signal?: AbortSignal): Promise<SendDone> => {
    for (;;) {
      if (signal?.aborted) throw signal.reason ?? new Error('aborted');
      const reserved = await store.reserveSend(account, chat, clock.now(), 60_000, (sends) =>
        sharedWaitMs(sends, chat, limits, clock.now().getTime()),
      );
      if ('sendId' in reserved) {
        let done = false;
        return () => {
          if (done) return;
          done = true;
          void finish(reserved.sendId, clock.now());
        };
      }
      await clock.sleep(Number.isFinite(reserved.waitMs) ? reserved.waitMs : pollMs, signal);
    }
  };
  return {
    // Sends to one chat from this daemon go in order, as with the in-memory pacer.
    acquire: (chat, signal) => inTurn(turns, chat, () => take(chat, signal)),
  };
}

/**
 * No send takes this long (requests time out after publishTimeoutMs, 2 minutes at most): one still
 * "in flight" after it was never recorded as finished, and counts as finished then.
 */
export const SHARED_SEND_STALE_MS = 5 * 60_000;

function staleEnd(send: PacedSend, now: number): number | undefined {
  const end = send.startedAt.getTime() + SHARED_SEND_STALE_MS;
  return end <= now ? end : undefined;
}

/** `createPacer`'s wait, computed from the account's sends as the store lists them. */
export function sharedWaitMs(
  sends: readonly PacedSend[],
  chat: string,
  limits: PacingLimits,
  now: number,
): number {
  // A send whose end was never recorded (the store was unreachable then) counts as over once no
  // request can still be running, instead of holding its chat on every daemon for good.
  const asSend = (send: PacedSend): Send => ({
    doneAt: send.doneAt?.getTime() ?? staleEnd(send, now),
  });
  const overall = sends.filter((s) => s.doneAt === undefined || s.doneAt.getTime() > now - 1000).map(asSend);
  const toChat = sends
    .filter((s) => s.chat === chat && (s.doneAt === undefined || s.doneAt.getTime() > now - 60_000))
    .map(asSend);
  let wait = 0;
  const last = toChat.at(-1);
  if (last !== undefined) wait = Math.max(wait, after(last, limits.perChatIntervalMs, now));
  wait = Math.max(wait, windowWait(toChat, limits.perChatPerMinute, 60_000, now));
  return Math.max(wait, windowWait(overall, limits.overallPerSecond, 1000, now));
}

/** Runs `take` after the chat's previous grant has settled: one chat's messages are granted in order. */
function inTurn<T>(turns: Map<string, Promise<unknown>>, chat: string, take: () => Promise<T>): Promise<T> {
  const previous = turns.get(chat) ?? Promise.resolve();
  const turn = previous.then(take);
  const settled = turn.catch(() => {});
  turns.set(chat, settled);
  void settled.then(() => {
    if (turns.get(chat) === settled) turns.delete(chat);
  });
  return turn;
}

/** How long until `ms` have passed since the send was over (Infinity while it is in flight). */
function after(send: Send, ms: number, now: number): number {
  return send.doneAt === undefined ? Number.POSITIVE_INFINITY : send.doneAt + ms - now;
}

/** How long until fewer than `limit` sends fall within the last `windowMs` (in-flight ones count). */
function windowWait(sends: readonly Send[], limit: number, windowMs: number, now: number): number {
  if (sends.length < limit) return 0;
  // Oldest first: sends finish roughly in the order they started, but not exactly.
  const times = sends.map((s) => s.doneAt ?? Number.POSITIVE_INFINITY).sort((a, b) => a - b);
  const blocking = times[times.length - limit]!;
  return blocking + windowMs - now;
}

/** Drops finished sends that left every window (kept in flight ones, whatever their age). */
function prune(sends: Send[], before: number): void {
  let write = 0;
  for (const send of sends) if (send.doneAt === undefined || send.doneAt > before) sends[write++] = send;
  sends.length = write;
}

/**
 * A publisher paced by `pacer`: `awaitTurn` waits for the chat's turn (publishPost calls it before
 * it commits `sending`), and `publish` itself never waits.
 */
export function pacePublisher(publisher: Publisher, pacer: Pacer, chat: string): Publisher {
  const paced: Publisher = {
    platform: publisher.platform,
    kind: publisher.kind,
    supportsReplies: publisher.supportsReplies,
    ...(publisher.account === undefined ? {} : { account: publisher.account }),
    awaitTurn: (signal) => pacer.acquire(chat, signal),
    publish: (post, options) => publisher.publish(post, options),
  };
  const { recentPosts, delete: remove } = publisher;
  return {
    ...paced,
    ...(recentPosts ? { recentPosts: (since: Date) => recentPosts.call(publisher, since) } : {}),
    // A deletion is a call to the chat like a send: it waits its turn and counts in the windows.
    ...(remove
      ? {
          delete: async (remoteId: string, options?: DeleteOptions) => {
            const done = await pacer.acquire(chat, options?.signal);
            try {
              return await remove.call(publisher, remoteId, options);
            } finally {
              done();
            }
          },
        }
      : {}),
  };
}
