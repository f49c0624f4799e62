import { createHttpFetcher } from '../../adapters/http/create-http-fetcher.js';
import type { Runtime } from '../runtime/build-runtime.js';
import { type AdminBot, type AdminBotOptions, createAdminBot } from './create-admin-bot.js';

/**
 * The admin bot for `quotecast start`, when the config asks for one: a bot token (TELEGRAM_BOT_TOKEN,
 * or the first Telegram channel's) and at least one admin in TELEGRAM_ADMIN_IDS. A token without
 * admins only earns a warning: a bot nobody may use would just refuse everyone.
 *
 * When Telegram cannot be reached the bot keeps trying in the background (waits on the runtime's
 * clock, 1 s doubling to 5 minutes); `tuning` shortens its timings in tests.
 */
export function adminBotForRuntime(
  runtime: Runtime,
  daemon: AdminBotOptions['daemon'],
  tuning: Pick<
    AdminBotOptions,
    'backoff' | 'requestTimeoutMs' | 'stopTimeoutMs' | 'sendBackoff' | 'alertBackoff'
  > = {},
): AdminBot | undefined {
  const { config, logger } = runtime;
  if (!config.botToken) return undefined;
  if (config.adminIds.length === 0) {
    logger.warn(
      'a Telegram bot token is configured but TELEGRAM_ADMIN_IDS is empty, so the Telegram admin bot does not start; set TELEGRAM_ADMIN_IDS to the numeric Telegram user ids of the editors, comma-separated (ask @userinfobot for yours)',
    );
    return undefined;
  }
  const { settings } = config;
  return createAdminBot({
    token: config.botToken,
    ...(config.apiRoots.telegram ? { apiRoot: config.apiRoots.telegram } : {}),
    deps: runtime.deps,
    settings,
    daemon,
    adminIds: config.adminIds,
    fetcher: createHttpFetcher({
      timeoutMs: settings.input.fetchTimeoutMs,
      maxBytes: settings.input.maxBytes,
      allowInternalHosts: settings.input.allowInternalHosts,
    }),
    logger,
    clock: runtime.clock,
    pacer: runtime.pacerFor(config.botToken),
    ...tuning,
  });
}
