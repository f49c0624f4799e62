import type { Clock } from '../ports/clock.js';
import type { OutgoingPost, Publisher, PublishOptions, Receipt } from '../ports/publisher.js';

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

export interface Pacer {
  /** Resolves when one more message to `chat` is allowed, and counts it. */
  acquire(chat: string, signal?: AbortSignal): Promise<void>;
}

/** Sliding windows per chat and overall; one pacer per bot token, shared by its channels. */
export function createPacer(limits: PacingLimits, clock: Clock): Pacer {
  const overall: number[] = [];
  const perChat = new Map<string, number[]>();
  let queue: Promise<void> = Promise.resolve();

  const waitMs = (chat: string, now: number): number => {
    const sent = perChat.get(chat) ?? [];
    prune(overall, now - 1000);
    prune(sent, now - 60_000);
    let wait = 0;
    const last = sent.at(-1);
    if (last !== undefined) wait = Math.max(wait, last + limits.perChatIntervalMs - now);
    if (sent.length >= limits.perChatPerMinute)
      wait = Math.max(wait, sent[sent.length - limits.perChatPerMinute]! + 60_000 - now);
    if (overall.length >= limits.overallPerSecond)
      wait = Math.max(wait, overall[overall.length - limits.overallPerSecond]! + 1000 - now);
    return wait;
  };

  const take = async (chat: string, signal?: AbortSignal) => {
    for (;;) {
      const now = clock.now().getTime();
      const wait = waitMs(chat, now);
      if (wait <= 0) {
        overall.push(now);
        const sent = perChat.get(chat) ?? [];
        sent.push(now);
        perChat.set(chat, sent);
        return;
      }
      if (signal?.aborted) throw signal.reason ?? new Error('aborted');
      await clock.sleep(wait, signal);
    }
  };

  return {
    acquire(chat, signal) {
      // One waiter at a time keeps the windows exact without locks.
      const turn = queue.then(() => take(chat, signal));
      queue = turn.catch(() => {});
      return turn;
    },
  };
}

function prune(times: number[], before: number): void {
  let drop = 0;
  while (drop < times.length && times[drop]! <= before) drop++;
  if (drop > 0) times.splice(0, drop);
}

/** A publisher that waits for its pacer before each post. */
export function pacePublisher(publisher: Publisher, pacer: Pacer, chat: string): Publisher {
  const paced: Publisher = {
    platform: publisher.platform,
    kind: publisher.kind,
    supportsReplies: publisher.supportsReplies,
    async publish(post: OutgoingPost, options?: PublishOptions): Promise<Receipt> {
      await pacer.acquire(chat, options?.signal);
      return publisher.publish(post, options);
    },
  };
  return publisher.recentPosts ? { ...paced, recentPosts: (since) => publisher.recentPosts!(since) } : paced;
}
