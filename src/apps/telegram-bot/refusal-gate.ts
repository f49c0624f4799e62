import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';

export interface RefusalGateOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  /** One answer per stranger in this long (default an hour). */
  readonly perUserMs?: number;
  /** Answers to strangers overall, per minute (default 20): a crowd cannot use the token's budget. */
  readonly perMinute?: number;
}

export interface Stranger {
  readonly id: number;
  readonly username?: string | undefined;
  readonly chat: number;
  readonly what: string;
}

export interface RefusalGate {
  /** Logs the attempt (or counts it) and says whether this stranger gets an answer now. */
  admit(stranger: Stranger): boolean;
  /** Logs what was counted and not logged yet (at stop). */
  flush(): void;
}

/**
 * What the bot does with people who are not admins. Each stranger is answered at most once an hour,
 * and at most `perMinute` strangers a minute overall, so 300 messages in a burst cost a few answers,
 * not 300 sends sharing the token's budget with the channels. The log has one line per stranger per
 * hour; further attempts are counted and reported as "N more refused" at most once a minute.
 */
export function createRefusalGate(options: RefusalGateOptions): RefusalGate {
  const { clock, logger } = options;
  const perUserMs = options.perUserMs ?? 3_600_000;
  const perMinute = options.perMinute ?? 20;
  const lastAnswered = new Map<number, number>();
  const answers: number[] = [];
  let unlogged = 0;
  let unloggedStrangers = new Set<number>();
  let lastSummary = clock.now().getTime();

  const flush = (now: number) => {
    if (unlogged > 0)
      logger.warn(
        `refused ${unlogged} more messages from ${unloggedStrangers.size} strangers (not answered)`,
        {
          since: new Date(lastSummary).toISOString(),
        },
      );
    unlogged = 0;
    unloggedStrangers = new Set();
    lastSummary = now;
  };

  return {
    admit(stranger) {
      const now = clock.now().getTime();
      const last = lastAnswered.get(stranger.id);
      while (answers.length > 0 && answers[0]! <= now - 60_000) answers.shift();
      const fresh = last === undefined || now - last >= perUserMs;
      const answer = fresh && answers.length < perMinute;
      if (answer) {
        logger.warn('refused a Telegram user who is not an admin', {
          user: stranger.id,
          username: stranger.username,
          chat: stranger.chat,
          command: stranger.what,
        });
        // Forget strangers whose hour is over, so a stream of new ones cannot grow this map for ever.
        if (lastAnswered.size > 1000)
          for (const [id, at] of lastAnswered) if (now - at >= perUserMs) lastAnswered.delete(id);
        lastAnswered.set(stranger.id, now);
        answers.push(now);
      } else {
        unlogged += 1;
        unloggedStrangers.add(stranger.id);
        logger.debug('refused a stranger again (counted, not answered)', { user: stranger.id });
      }
      if (now - lastSummary >= 60_000) flush(now);
      return answer;
    },
    flush: () => flush(clock.now().getTime()),
  };
}
