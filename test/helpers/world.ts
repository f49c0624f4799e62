import { buildRuntime, type Runtime } from '../../src/apps/runtime/build-runtime.js';
import type { ChannelSettings } from '../../src/config/config-schema.js';
import { type Config, loadConfig } from '../../src/config/load-config.js';
import type { Article, PostingMode } from '../../src/domain/article.js';
import { createSilentLogger, type Logger } from '../../src/ports/logger.js';
import type { AdminAlert, Notifier } from '../../src/ports/notifier.js';
import type { EnqueueResult, StoredPost } from '../../src/ports/post-store.js';
import { type EnqueueArticleResult, enqueueArticle } from '../../src/use-cases/enqueue-article.js';
import type { PacingLimits } from '../../src/use-cases/pace-publisher.js';
import {
  createFakeTelegramApi,
  DEFAULT_FAKE_TELEGRAM_TOKEN,
  type FakeTelegramApi,
} from '../fakes/fake-telegram-api.js';
import { createFakeXApi, type FakeXApi } from '../fakes/fake-x-api.js';
import { createFakeClock, type FakeClock } from './fake-clock.js';
import { createSeededRandom } from './seeded-random.js';
import { createTempDir, type TempDir } from './temp-dir.js';

/** Pacing that never waits, for tests where the fake clock should not have to move for Telegram. */
export const NO_PACING: PacingLimits = { perChatIntervalMs: 0, perChatPerMinute: 1e9, overallPerSecond: 1e9 };

/** Credentials in the environment for the fakes: any non-empty OAuth 1.0a keys, the fake's bot token. */
export function fakeCredentials(prefixes: readonly string[] = ['TWITTER']): Record<string, string> {
  const env: Record<string, string> = { TELEGRAM_BOT_TOKEN: DEFAULT_FAKE_TELEGRAM_TOKEN };
  for (const prefix of prefixes) {
    env[`${prefix}_APP_KEY`] = `${prefix.toLowerCase()}-app-key`;
    env[`${prefix}_APP_SECRET`] = `${prefix.toLowerCase()}-app-secret`;
    env[`${prefix}_ACCESS_TOKEN`] = `${prefix.toLowerCase()}-access-token`;
    env[`${prefix}_ACCESS_SECRET`] = `${prefix.toLowerCase()}-access-secret`;
  }
  return env;
}

export interface WorldOptions {
  /** Channel entries as they would appear in the YAML settings file. */
  readonly channels: readonly Record<string, unknown>[];
  readonly start: string | Date;
  /** Other top-level settings (retry, timezone, publishTimeoutMs, …). */
  readonly settings?: Record<string, unknown>;
  readonly seed?: number;
  readonly autoAdvance?: boolean;
  readonly pacing?: PacingLimits;
  readonly xLatencyMs?: number;
  readonly telegramLatencyMs?: number;
  readonly logger?: Logger;
}

/**
 * The real composition root (buildRuntime: SQLite store on a temp file, the twitter-api-v2 and
 * telegraf publishers) pointed at both loopback fakes, with a fake clock and a recording notifier.
 */
export interface World {
  readonly clock: FakeClock;
  readonly x: FakeXApi;
  readonly telegram: FakeTelegramApi;
  readonly dir: TempDir;
  readonly config: Config;
  readonly alerts: AdminAlert[];
  readonly random: () => number;
  runtime: Runtime;
  /** Closes the runtime and builds a new one on the same store, as a restarted process would. */
  restart(): Promise<Runtime>;
  enqueue(
    article: Article,
    options?: { channels?: readonly string[]; mode?: PostingMode; force?: boolean },
  ): Promise<EnqueueArticleResult>;
  /** The posts of an article on a channel, in order, as the store has them now. */
  posts(articleId: number, channelId: string): Promise<readonly StoredPost[]>;
  close(): Promise<void>;
}

export async function createWorld(options: WorldOptions): Promise<World> {
  const clock = createFakeClock(options.start, { autoAdvance: options.autoAdvance ?? false });
  const x = createFakeXApi({ now: () => clock.now(), ...latency(options.xLatencyMs) });
  const telegram = createFakeTelegramApi({ now: () => clock.now(), ...latency(options.telegramLatencyMs) });
  await Promise.all([x.start(), telegram.start()]);
  const dir = createTempDir('quotecast-world-');
  const prefixes = [
    ...new Set(
      options.channels
        .filter((c) => c['platform'] === 'twitter')
        .map((c) => (typeof c['credentials'] === 'string' ? c['credentials'] : 'TWITTER')),
    ),
  ];
  const outcome = loadConfig({
    cwd: dir.path,
    env: { ...fakeCredentials(prefixes), TWITTER_API_ROOT: x.url, TELEGRAM_API_ROOT: telegram.url },
    settings: {
      timezone: 'UTC',
      store: { path: dir.file('queue.db') },
      outbox: { path: dir.file('outbox.jsonl') },
      publishTimeoutMs: 2000,
      ...options.settings,
      channels: options.channels,
    },
  });
  if (!outcome.ok) throw new Error(`test config is invalid:\n${outcome.problems.join('\n')}`);
  const config = outcome.config;
  const alerts: AdminAlert[] = [];
  const recorder: Notifier = {
    alert: async (alert) => {
      alerts.push(alert);
    },
  };
  const random = createSeededRandom(options.seed ?? 42);
  const build = () => {
    const runtime = buildRuntime(config, {
      exclusive: false,
      clock,
      logger: options.logger ?? createSilentLogger(),
      random,
      pacing: options.pacing ?? NO_PACING,
    });
    runtime.setNotifier(recorder);
    return runtime;
  };
  const world: World = {
    clock,
    x,
    telegram,
    dir,
    config,
    alerts,
    random,
    runtime: build(),
    async restart() {
      await world.runtime.close();
      world.runtime = build();
      return world.runtime;
    },
    async enqueue(article, extra = {}) {
      const channels: ChannelSettings[] = config.channels.filter(
        (c) => c.enabled && (extra.channels === undefined || extra.channels.includes(c.id)),
      );
      return (
        await enqueueArticle(world.runtime.store, {
          article,
          channels,
          ...(extra.mode ? { mode: extra.mode } : {}),
          approved: true,
          ...(extra.force ? { force: true } : {}),
          now: clock.now(),
        })
      ).result;
    },
    posts: async (articleId, channelId) => await world.runtime.store.postsOfArticle(articleId, channelId),
    async close() {
      await world.runtime.close();
      await Promise.all([x.close(), telegram.close()]);
      dir.remove();
    },
  };
  return world;
}

function latency(ms: number | undefined): { latencyMs?: number } {
  return ms === undefined ? {} : { latencyMs: ms };
}

/** Throws with the store's view when an enqueue did not queue. */
export function queued(result: EnqueueArticleResult): Extract<EnqueueResult, { kind: 'queued' }> {
  if (result.kind !== 'queued')
    throw new Error(`expected the article to be queued, got ${JSON.stringify(result)}`);
  return result;
}

/** Channel settings the use-case and daemon tests share: hourly slots, caps out of the way. */
export const X_QUOTES = {
  id: 'x-quotes',
  platform: 'twitter',
  mode: 'quotes',
  schedule: '0 * * * *',
  dailyCap: 100,
};
export const X_THREAD = {
  id: 'x-thread',
  platform: 'twitter',
  mode: 'thread',
  schedule: '0 * * * *',
  dailyCap: 100,
  credentials: 'X_THREAD',
};
export const TG_THREAD = {
  id: 'tg-thread',
  platform: 'telegram',
  chat: '@quotecast_thread',
  mode: 'thread',
  schedule: '0 * * * *',
  targetLength: 300,
  dailyCap: 100,
};
export const TG_QUOTES = {
  id: 'tg-quotes',
  platform: 'telegram',
  chat: '@quotecast_quotes',
  mode: 'quotes',
  schedule: '0 * * * *',
  dailyCap: 100,
};
