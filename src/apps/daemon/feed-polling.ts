import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Cron } from 'croner';
import { createFeedFetcher } from '../../adapters/feeds/create-feed-fetcher.js';
import { createHttpFetcher } from '../../adapters/http/create-http-fetcher.js';
import { createWorkerParser } from '../../adapters/parse-worker/create-worker-parser.js';
import type { FeedSettings } from '../../config/config-schema.js';
import { CRON_OPTIONS } from '../../domain/schedule.js';
import type { DocumentParser } from '../../ports/document-parser.js';
import type { FeedDeps } from '../../use-cases/poll-feed.js';
import { noteFeedSettings, type PollReport, pollFeed } from '../../use-cases/poll-feed.js';
import { PACKAGE_ROOT } from '../cli/package-root.js';
import type { Runtime } from '../runtime/build-runtime.js';

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0';
  } catch {
    return '0';
  }
}

/** "quotecast/1.2.0 (+feed reader)": a feed's owner sees who polls. */
export const FEED_USER_AGENT = `quotecast/${version()} (+feed reader)`;

/** What polling needs, from the runtime: feed and page fetchers under the input limits. */
export function buildFeedDeps(runtime: Runtime, parser: DocumentParser): FeedDeps {
  const { input } = runtime.config.settings;
  const limits = {
    timeoutMs: input.fetchTimeoutMs,
    maxBytes: input.maxBytes,
    allowInternalHosts: input.allowInternalHosts,
  };
  return {
    store: runtime.deps.store,
    clock: runtime.clock,
    logger: runtime.logger,
    // A getter on the runtime's deps (the admin bot replaces the deliverer): read it at each alert.
    get notifier() {
      return runtime.deps.notifier;
    },
    channels: runtime.deps.channels,
    settings: runtime.config.settings,
    feeds: createFeedFetcher({ ...limits, userAgent: FEED_USER_AGENT, now: () => runtime.clock.now() }),
    pages: createHttpFetcher(limits),
    parser,
  };
}

export interface FeedTask {
  stop(): void;
}
/** A feed's schedule: croner in production, the test's hand in tests. */
export type ScheduleFeed = (feed: FeedSettings, zone: string, onTick: () => Promise<void>) => FeedTask;

export const scheduleFeedWithCroner: ScheduleFeed = (feed, zone, onTick) => {
  const job = new Cron(feed.schedule, { timezone: zone, protect: true, ...CRON_OPTIONS }, onTick);
  return { stop: () => job.stop() };
};

export interface FeedPoller {
  /** Polls one feed now (also what each tick does); one poll per feed at a time. */
  poll(feedId: string): Promise<PollReport | undefined>;
  stop(): Promise<void>;
}

/**
 * Every enabled feed polls on its own cron in the daemon. A tick that comes while the feed's last
 * poll still runs is skipped; a failing poll is logged and never stops the others.
 */
export async function startFeedPolling(
  deps: FeedDeps,
  options: { schedule?: ScheduleFeed; onPoll?: (report: PollReport) => void } = {},
): Promise<FeedPoller> {
  const schedule = options.schedule ?? scheduleFeedWithCroner;
  const stopping = new AbortController();
  const running = new Map<string, Promise<PollReport | undefined>>();
  const poll = (feedId: string): Promise<PollReport | undefined> => {
    const feed = deps.settings.feeds.find((f) => f.id === feedId);
    if (!feed || stopping.signal.aborted) return Promise.resolve(undefined);
    const busy = running.get(feedId);
    if (busy !== undefined) return busy;
    const work = pollFeed(deps, feed, { signal: stopping.signal })
      .then((report) => {
        options.onPoll?.(report);
        return report;
      })
      .catch((error: unknown) => {
        deps.logger.error('feed poll failed unexpectedly', {
          feed: feedId,
          error: (error as Error).stack ?? String(error),
        });
        return undefined;
      })
      .finally(() => running.delete(feedId));
    running.set(feedId, work);
    return work;
  };
  // Records each feed's URL and enabled flag now: a feed re-enabled (or pointed elsewhere) while
  // none was polled then catches up at its first poll instead of posting its backlog.
  await noteFeedSettings(deps.store, deps.settings.feeds);
  const tasks = deps.settings.feeds
    .filter((feed) => feed.enabled)
    .map((feed) => schedule(feed, deps.settings.timezone, async () => void (await poll(feed.id))));
  return {
    poll,
    async stop() {
      stopping.abort();
      for (const task of tasks) task.stop();
      await Promise.allSettled([...running.values()]);
    },
  };
}

/**
 * `quotecast start`'s feed polling: nothing when no feed is configured; else a worker parser of its
 * own (closed by stop) and every enabled feed on its cron.
 */
export async function startFeedsForRuntime(
  runtime: Runtime,
  say: (line: string) => void,
): Promise<{ stop(): Promise<void> } | undefined> {
  const feeds = runtime.config.settings.feeds.filter((f) => f.enabled);
  if (feeds.length === 0) return undefined;
  const parser = createWorkerParser();
  const poller = await startFeedPolling(buildFeedDeps(runtime, parser), {
    onPoll: (report) => {
      if (report.queued.length > 0 || report.held > 0 || report.outcome === 'error')
        say(
          `[feed ${report.feedId}] ${report.outcome}${report.detail ? ` (${report.detail})` : ''}: ${report.queued.length} queued${report.held ? `, ${report.held} held` : ''}`,
        );
    },
  });
  say(`polling ${feeds.length} feed(s): ${feeds.map((f) => `${f.id} (${f.schedule})`).join(', ')}`);
  return {
    async stop() {
      await poller.stop();
      await parser.close();
    },
  };
}
