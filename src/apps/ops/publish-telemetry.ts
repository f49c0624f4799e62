import { Counter, Histogram, Registry } from 'prom-client';
import { createRedactor } from '../../adapters/log/redact-secrets.js';
import type { Clock } from '../../ports/clock.js';
import { type DeleteOptions, isPublishError, type Publisher } from '../../ports/publisher.js';

/** What a channel's publisher last did, since this process started. */
export interface ChannelOutcomes {
  /** The last publish the platform took (or already had: a duplicate). */
  readonly lastSuccess: Date | undefined;
  readonly lastError: PublishProblem | undefined;
}

export interface PublishProblem {
  readonly at: Date;
  /** `rate-limited`, `unavailable`, `rejected`, `auth`, or `error` for anything unexpected. */
  readonly reason: string;
  /** The publisher's own words, secrets redacted, cut to a line. */
  readonly text: string;
}

/**
 * Publish latency and outcomes, rate-limit answers and pacing waits, seen from outside each channel's
 * publisher (`instrument` wraps it), on the runtime's clock and in a registry of its own, so several
 * runtimes in one process (tests) never share a metric.
 */
export interface PublishTelemetry {
  readonly registry: Registry;
  instrument(publisher: Publisher, channelId: string): Publisher;
  outcomes(channelId: string): ChannelOutcomes;
}

/** Publish calls take tens of milliseconds to the publish timeout (15 s by default, 120 s at most). */
const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60, 120];
const MAX_PROBLEM_CHARS = 200;

export function createPublishTelemetry(options: {
  readonly clock: Clock;
  /** Redacted from error texts; read at each error (refreshed OAuth tokens join it later). */
  readonly secrets: readonly string[];
}): PublishTelemetry {
  const { clock } = options;
  const registry = new Registry();
  const duration = new Histogram({
    name: 'quotecast_publish_duration_seconds',
    help: 'Time one publish call took, by outcome (sent, duplicate, rate-limited, unavailable, rejected, auth, error)',
    labelNames: ['channel', 'platform', 'outcome'],
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: 'quotecast_rate_limit_waits_total',
    help: 'Publish calls the platform answered with a rate limit (the channel then waits for its reset)',
    labelNames: ['channel'],
    registers: [registry],
  });
  const pacing = new Counter({
    name: 'quotecast_pacing_wait_seconds_total',
    help: "Time posts waited for their turn under the platform's pacing (Telegram: 1 a second per chat, 20 a minute)",
    labelNames: ['channel'],
    registers: [registry],
  });
  const state = new Map<string, { lastSuccess?: Date; lastError?: PublishProblem }>();
  const stateOf = (channelId: string) => {
    let found = state.get(channelId);
    if (!found) {
      found = {};
      state.set(channelId, found);
    }
    return found;
  };

  const instrument = (publisher: Publisher, channelId: string): Publisher => {
    const platform = publisher.kind;
    const seconds = (since: Date) => Math.max(0, clock.now().getTime() - since.getTime()) / 1000;
    // Each channel's series exist from the start, at zero: a rate() over them works before the first
    // rate limit, and a scrape shows which channels there are.
    rateLimited.labels(channelId).inc(0);
    pacing.labels(channelId).inc(0);
    const publish: Publisher['publish'] = async (post, publishOptions) => {
      const started = clock.now();
      try {
        const receipt = await publisher.publish(post, publishOptions);
        duration.labels(channelId, platform, 'sent').observe(seconds(started));
        stateOf(channelId).lastSuccess = clock.now();
        return receipt;
      } catch (error) {
        const reason = isPublishError(error) ? error.reason : 'error';
        duration.labels(channelId, platform, reason).observe(seconds(started));
        if (reason === 'rate-limited') rateLimited.labels(channelId).inc();
        // The platform already had it: the channel works, the post counts as sent.
        if (reason === 'duplicate') stateOf(channelId).lastSuccess = clock.now();
        else
          stateOf(channelId).lastError = {
            at: clock.now(),
            reason,
            // A redactor per error (they are rare): the list grows as OAuth 2.0 tokens are refreshed.
            text: oneLine(createRedactor(options.secrets)((error as Error)?.message ?? String(error))),
          };
        throw error;
      }
    };
    return {
      platform: publisher.platform,
      kind: publisher.kind,
      supportsReplies: publisher.supportsReplies,
      ...(publisher.account === undefined ? {} : { account: publisher.account }),
      publish,
      ...(publisher.awaitTurn
        ? {
            awaitTurn: async (signal?: AbortSignal) => {
              const started = clock.now();
              try {
                return await publisher.awaitTurn!(signal);
              } finally {
                pacing.labels(channelId).inc(seconds(started));
              }
            },
          }
        : {}),
      ...(publisher.recentPosts ? { recentPosts: (since: Date) => publisher.recentPosts!(since) } : {}),
      ...(publisher.delete
        ? {
            delete: (remoteId: string, deleteOptions?: DeleteOptions) =>
              publisher.delete!(remoteId, deleteOptions),
          }
        : {}),
    };
  };

  return {
    registry,
    instrument,
    outcomes: (channelId) => {
      const found = state.get(channelId);
      return { lastSuccess: found?.lastSuccess, lastError: found?.lastError };
    },
  };
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= MAX_PROBLEM_CHARS ? flat : `${flat.slice(0, MAX_PROBLEM_CHARS - 1)}…`;
}
