import { Telegraf } from 'telegraf';
import type { UserFromGetMe } from 'telegraf/types';
import { createWorkerParser } from '../../adapters/parse-worker/create-worker-parser.js';
import { createPacer, TELEGRAM_PACING } from '../../use-cases/pace-publisher.js';
import type { AdminBot, AdminBotOptions } from './admin-bot-options.js';
import { createAlertCourier } from './alert-courier.js';
import { createAlertDecisions } from './alert-decisions.js';
import type { BotContext, BotTools } from './bot-context.js';
import { createBotSender } from './bot-sender.js';
import type { BotServices } from './bot-types.js';
import { createCommandRouter, menuCommands } from './commands/registry.js';
import { createTelegramFileDownloader } from './download-telegram-file.js';
import { apiSignal, keepPolling } from './keep-polling.js';
import { addressing } from './middleware/addressing.js';
import { adminGate } from './middleware/admin-gate.js';
import { createChatOrder } from './middleware/chat-order.js';
import { commandErrors } from './middleware/command-errors.js';
import { parseRequest } from './middleware/parse-request.js';
import { slowReplies } from './middleware/slow-replies.js';
import { createPendingPreviews } from './pending-previews.js';
import { createRefusalGate } from './refusal-gate.js';
import { within } from './within.js';

export type { AdminBot, AdminBotOptions } from './admin-bot-options.js';

/**
 * The Telegram admin bot: editors run the queue from Telegram. Long polling through telegraf; every
 * command calls the same use cases as the CLI. Nothing is built until this is called, and nothing
 * talks to Telegram until start().
 *
 * Updates are handled one at a time per chat (so replies come in order) but never hold up polling:
 * slow work (publishing, fetching a page) answers "working…" first and edits that message later.
 */
export function createAdminBot(options: AdminBotOptions): AdminBot {
  if (!options.token) throw new Error('createAdminBot: a bot token is required');
  if (options.adminIds.length === 0)
    throw new Error(
      'createAdminBot: no admin ids; set TELEGRAM_ADMIN_IDS to the numeric user ids of the editors',
    );
  const { logger, clock } = options;
  const bot = new Telegraf<BotContext>(options.token, {
    ...(options.apiRoot ? { telegram: { apiRoot: options.apiRoot } } : {}),
    handlerTimeout: 30_000,
  });
  const telegram = bot.telegram;
  const services: BotServices = {
    deps: options.deps,
    settings: options.settings,
    daemon: options.daemon,
    fetcher: options.fetcher,
    parser: createWorkerParser(),
    logger,
    clock,
    previews: createPendingPreviews(options.deps.store, {
      ttlMs: options.previewTtlMs ?? 86_400_000,
      max: 100,
    }),
    download: createTelegramFileDownloader(telegram, { timeoutMs: options.settings.input.fetchTimeoutMs }),
    requireApproval: options.settings.telegramBot.requireApproval,
    decisions: createAlertDecisions(),
  };
  const refusals = createRefusalGate({
    clock,
    logger,
    ...(options.refusalCooldownMs === undefined ? {} : { perUserMs: options.refusalCooldownMs }),
  });
  const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
  const tasks = new Set<Promise<unknown>>();
  let me: { id: number; username: string } | undefined;

  /** Ends polling and the alert courier's waits; replies in flight may still finish. */
  const stopping = new AbortController();
  /** Ends every send, once stop() has waited long enough for them. */
  const hardStop = new AbortController();
  const sender = createBotSender({
    telegram,
    pacer: options.pacer ?? createPacer(TELEGRAM_PACING, clock),
    clock,
    random: options.deps.random,
    signal: hardStop.signal,
    ...(options.requestTimeoutMs ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    ...(options.sendBackoff ? { backoff: options.sendBackoff } : {}),
  });
  const tools: BotTools = {
    services,
    admins: new Set(options.adminIds),
    refusals,
    me: () => me,
    send: (chatId, reply, replyTo) => sender.send(chatId, reply, replyTo === undefined ? {} : { replyTo }),
    edit: (chatId, messageId, reply) => sender.edit(chatId, messageId, reply),
    describe: (error) =>
      String((error as Error)?.stack ?? error)
        .split(options.token)
        .join('[redacted]'),
    track: (promise) => {
      tasks.add(promise);
      void promise.finally(() => tasks.delete(promise)).catch(() => {});
      return promise;
    },
  };
  const courier = createAlertCourier({
    store: options.deps.store,
    sender,
    chatIds: [...options.adminIds, ...options.settings.telegramBot.alertChatIds],
    clock,
    logger,
    random: options.deps.random,
    signal: stopping.signal,
    ...(options.alertBackoff ? { backoff: options.alertBackoff } : {}),
  });
  let delivering: Promise<void> | undefined;

  // Each step is a middleware in middleware/ and sets one field of BotContext; the command groups
  // (commands/registry.ts) answer last.
  bot.use(async (ctx, next) => {
    ctx.tools = tools;
    return next();
  });
  bot.use(createChatOrder(), addressing, adminGate, parseRequest, slowReplies, commandErrors);
  bot.use(createCommandRouter());
  bot.catch((error) =>
    logger.error('Telegram admin bot: unexpected error', { error: tools.describe(error) }),
  );

  let polling: Promise<void> | undefined;
  let commandsRegistered = false;
  /** The admins hear about a 409 once per process, not at every retry. */
  let conflictReported = false;

  /** After each successful getMe: who the bot is (for mentions and replies), and its command list. */
  const onConnected = async (info: UserFromGetMe, signal: AbortSignal) => {
    me = { id: info.id, username: info.username };
    bot.botInfo = info;
    // Alerts wait in the outbox until Telegram answered once: no delivery attempts against a
    // Telegram that is down or a token it refuses (the courier retries by itself from then on).
    delivering ??= courier
      .run()
      .catch((error: unknown) =>
        logger.error('admin bot: the alert courier failed', { error: tools.describe(error) }),
      );
    if (commandsRegistered) return;
    await telegram
      .callApi('setMyCommands', { commands: menuCommands() }, { signal: apiSignal(signal) })
      .then(() => {
        commandsRegistered = true;
      })
      .catch((error: unknown) =>
        logger.warn('could not register the bot command list', { error: tools.describe(error) }),
      );
  };

  return {
    notifier: courier,
    async start() {
      if (polling !== undefined) throw new Error('the Telegram admin bot is already started');
      if (stopping.signal.aborted) throw new Error('the Telegram admin bot was stopped');
      return new Promise<'running' | 'retrying'>((resolve, reject) => {
        polling = keepPolling({
          telegram,
          allowedUpdates: ['message', 'callback_query'],
          onConnected,
          onConflict: () => {
            if (conflictReported) return;
            conflictReported = true;
            void options.deps.notifier.alert({
              kind: 'info',
              text: 'Another program is reading this bot\'s messages with the same token (Telegram answered 409 Conflict), so commands may reach it instead of quotecast. quotecast keeps trying and takes over when the other one stops: stop the second "quotecast start" (or the other program using this bot), or give each installation its own bot.',
            });
          },
          handleUpdate: (update) => bot.handleUpdate(update),
          onState: (state, detail) => {
            if (state === 'running' || state === 'retrying') resolve(state);
            else if (state === 'given-up')
              reject(new Error(`the Telegram admin bot could not log in: ${detail}`));
            else resolve('retrying');
          },
          logger,
          clock,
          random: options.deps.random,
          signal: stopping.signal,
          ...(options.backoff ? { backoff: options.backoff } : {}),
          ...(options.requestTimeoutMs ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
        }).catch((error: unknown) => {
          logger.error('admin bot: the polling loop failed', { error: tools.describe(error) });
          reject(new Error('the Telegram admin bot failed; the log has the details'));
        });
      });
    },
    async stop() {
      const deadline = Date.now() + stopTimeoutMs;
      // Ends the backoff wait or the long poll in flight at once.
      stopping.abort();
      if (polling !== undefined) await within(polling, deadline);
      if (delivering !== undefined) await within(delivering, deadline);
      const finished = await within(Promise.allSettled([...tasks]), deadline);
      hardStop.abort();
      // A parse still running past the deadline is stopped with its worker.
      await services.parser.close();
      refusals.flush();
      if (!finished)
        logger.warn('Telegram admin bot stopped with replies still in flight', { count: tasks.size });
    },
  };
}
