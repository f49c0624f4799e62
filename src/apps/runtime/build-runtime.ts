import { createHash } from 'node:crypto';
import { createConsolePublisher } from '../../adapters/console/create-console-publisher.js';
import { createSecretBox, type SecretBox } from '../../adapters/crypto/secret-box.js';
import { createLogger } from '../../adapters/log/create-logger.js';
import { openPostgresStore } from '../../adapters/postgres/open-postgres-store.js';
import { createSqliteStore } from '../../adapters/sqlite/create-sqlite-store.js';
import { createTelegramPublisher } from '../../adapters/telegram/create-telegram-publisher.js';
import {
  createTwitterPublisher,
  type TwitterCredentials,
} from '../../adapters/twitter/create-twitter-publisher.js';
import { createStoredOAuth2Tokens } from '../../adapters/twitter/stored-oauth2-tokens.js';
import type { Config, ResolvedChannel } from '../../config/load-config.js';
import { type Clock, createSystemClock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { Notifier } from '../../ports/notifier.js';
import type { PostStore } from '../../ports/post-store.js';
import type { Publisher } from '../../ports/publisher.js';
import {
  createPacer,
  createSharedPacer,
  type Pacer,
  type PacingLimits,
  pacePublisher,
  TELEGRAM_PACING,
} from '../../use-cases/pace-publisher.js';
import type { PublishDeps } from '../../use-cases/publish-deps.js';
import { createOutboxNotifier } from '../../use-cases/store-alerts.js';
import { createPublishTelemetry, type PublishTelemetry } from '../ops/publish-telemetry.js';

export interface Runtime {
  readonly config: Config;
  readonly store: PostStore;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly deps: PublishDeps;
  /** Every channel's publish latency, outcomes and rate-limit waits (for /metrics and /healthz). */
  readonly telemetry: PublishTelemetry;
  /**
   * Every alert is logged and stored in the outbox (deps.notifier); this one is then told of each new
   * alert to deliver it (the admin bot's courier, or a test's recorder). Replaces the previous one.
   */
  setNotifier(notifier: Notifier): void;
  /** The pacer of a Telegram bot token, shared by the channels posting with it and the admin bot. */
  pacerFor(token: string): Pacer;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** The daemon and `publish` take the store's lock; read-only commands do not. */
  readonly exclusive: boolean;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /**
   * Where the runtime's own logger writes its lines (when `logger` is not given); default: standard
   * error with blocking writes. The CLI passes its context's sink, so an in-process run can read them.
   */
  readonly logSink?: (line: string) => void;
  /** Every channel goes to the console publisher (publish --dry-run). */
  readonly dryRun?: boolean;
  /** Where console publishers print (default stdout). */
  readonly write?: (text: string) => void;
  readonly pacing?: PacingLimits;
  readonly random?: () => number;
  /** Overrides LOG_LEVEL (publish prints its own progress, so it only logs warnings). */
  readonly logLevel?: Config['logLevel'];
}

/** The one place that turns validated config into a store, publishers and the use cases' deps. */
export function buildRuntime(config: Config, options: RuntimeOptions): Runtime {
  const clock = options.clock ?? createSystemClock();
  const secrets = [...config.secrets];
  const logger =
    options.logger ??
    createLogger({
      format: config.logFormat,
      secrets,
      level: options.logLevel ?? config.logLevel,
      ...(options.logSink ? { write: options.logSink } : {}),
    });
  const { store: where } = config.settings;
  const store = where.url
    ? openPostgresStore({
        url: where.url,
        leaseMs: where.leaseSeconds * 1000,
        now: () => clock.now(),
        warn: (message) => logger.warn(message),
      })
    : createSqliteStore({
        path: where.path,
        exclusive: options.exclusive,
        now: () => clock.now(),
        warn: (message) => logger.warn(message),
      });
  // Derives its key (scrypt, ~0.1 s) only when a sealed value is first read or written.
  const secretBox = config.secretKey === undefined ? undefined : createSecretBox(config.secretKey);
  const pacers = new Map<string, Pacer>();
  const publishers = new Map<string, Publisher>();
  const telemetry = createPublishTelemetry({ clock, secrets });
  for (const channel of config.channels) {
    const publisher = buildPublisher(config, channel, {
      ...options,
      clock,
      logger,
      store,
      secrets,
      pacers,
      secretBox,
    });
    publishers.set(channel.id, telemetry.instrument(publisher, channel.id));
  }
  let deliverer: Notifier | undefined;
  const notifier = createOutboxNotifier({
    store,
    clock,
    logger,
    deliver: () => deliverer,
    // Only an admin bot delivers stored alerts (a `publish-now` run's through the running daemon's).
    deliverable: Boolean(config.botToken) && config.adminIds.length > 0,
  });
  const deps: PublishDeps = {
    store,
    clock,
    logger,
    notifier,
    publishers,
    channels: config.channels,
    retry: config.settings.retry,
    random: options.random ?? Math.random,
  };
  return {
    config,
    store,
    logger,
    clock,
    deps,
    telemetry,
    setNotifier(next) {
      deliverer = next;
    },
    pacerFor: (token) => pacerFor(pacers, token, options.pacing ?? TELEGRAM_PACING, clock, store),
    close: async () => await store.close(),
  };
}

interface BuildContext extends RuntimeOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly store: PostStore;
  readonly secrets: string[];
  readonly pacers: Map<string, Pacer>;
  readonly secretBox: SecretBox | undefined;
}

function buildPublisher(config: Config, channel: ResolvedChannel, ctx: BuildContext): Publisher {
  const timeoutMs = config.settings.publishTimeoutMs;
  const auth = ctx.dryRun ? ({ kind: 'console', why: 'dry run' } as const) : channel.auth;
  switch (auth.kind) {
    case 'console':
      return createConsolePublisher({
        platform: channel.platform,
        channelId: channel.id,
        outboxPath: config.settings.outbox.path,
        clock: ctx.clock,
        warn: (message) => ctx.logger.warn(message),
        ...(ctx.write ? { write: ctx.write } : {}),
      });
    case 'telegram': {
      if (channel.platform !== 'telegram')
        throw new Error(`channel ${channel.id}: telegram credentials on a ${channel.platform} channel`);
      const pacer = pacerFor(ctx.pacers, auth.token, ctx.pacing ?? TELEGRAM_PACING, ctx.clock, ctx.store);
      const publisher = createTelegramPublisher({
        token: auth.token,
        chatId: channel.chat,
        disableLinkPreview: !channel.linkPreview,
        silent: channel.silent,
        timeoutMs,
        logger: ctx.logger,
        clock: ctx.clock,
        credentialNames: [`${channel.credentials}_BOT_TOKEN`],
        ...(config.apiRoots.telegram ? { apiRoot: config.apiRoots.telegram } : {}),
      });
      return pacePublisher(publisher, pacer, channel.chat);
    }
    default: {
      if (channel.platform !== 'twitter')
        throw new Error(`channel ${channel.id}: X credentials on a ${channel.platform} channel`);
      const prefix = channel.credentials;
      const credentials: TwitterCredentials =
        auth.kind === 'twitter-oauth1'
          ? {
              kind: 'oauth1',
              appKey: auth.appKey,
              appSecret: auth.appSecret,
              accessToken: auth.accessToken,
              accessSecret: auth.accessSecret,
            }
          : {
              kind: 'oauth2',
              clientId: auth.clientId,
              refreshToken: auth.refreshToken,
              ...(auth.clientSecret ? { clientSecret: auth.clientSecret } : {}),
              ...(auth.accessToken ? { accessToken: auth.accessToken } : {}),
              // Refreshed tokens live in the store (sealed when QUOTECAST_SECRET_KEY is set), so a
              // restart keeps working after X rotates them.
              tokenStore: createStoredOAuth2Tokens({
                settings: ctx.store,
                channelId: channel.id,
                configuredRefreshToken: auth.refreshToken,
                refreshTokenName: `${prefix}_REFRESH_TOKEN`,
                logger: ctx.logger,
                onSecret: (value) => ctx.secrets.push(value),
                ...(ctx.secretBox ? { secretBox: ctx.secretBox } : {}),
              }),
            };
      const publisher = createTwitterPublisher({
        credentials,
        timeoutMs,
        logger: ctx.logger,
        clock: ctx.clock,
        credentialNames:
          auth.kind === 'twitter-oauth1'
            ? ['APP_KEY', 'APP_SECRET', 'ACCESS_TOKEN', 'ACCESS_SECRET'].map((n) => `${prefix}_${n}`)
            : ['CLIENT_ID', 'CLIENT_SECRET', 'REFRESH_TOKEN'].map((n) => `${prefix}_${n}`),
        ...(channel.platform === 'twitter' && channel.handle
          ? { accountHandle: channel.handle.replace(/^@/, '') }
          : {}),
        ...(config.apiRoots.twitter ? { apiRoot: config.apiRoots.twitter } : {}),
      });
      // X's limits are per account (user token): channels posting as the same user share them.
      const user =
        auth.kind === 'twitter-oauth1' ? auth.accessToken : `${auth.clientId}:${auth.refreshToken}`;
      return { ...publisher, account: `x:${createHash('sha256').update(user).digest('hex').slice(0, 16)}` };
    }
  }
}

/**
 * One pacer per bot token: Telegram's overall limit is per bot, the per-chat limit per chat. When
 * several daemons share the store, they share the windows through it too; the account is named by a
 * hash of the token, never the token itself.
 */
function pacerFor(
  pacers: Map<string, Pacer>,
  token: string,
  limits: PacingLimits,
  clock: Clock,
  store: PostStore,
): Pacer {
  let pacer = pacers.get(token);
  if (!pacer) {
    const account = `telegram:${createHash('sha256').update(token).digest('hex').slice(0, 16)}`;
    pacer = store.shared ? createSharedPacer(store, account, limits, clock) : createPacer(limits, clock);
    pacers.set(token, pacer);
  }
  return pacer;
}
