import { setTimeout as sleep } from 'node:timers/promises';
import { Telegraf } from 'telegraf';
import type { UserFromGetMe } from 'telegraf/types';
import type { Settings } from '../../config/config-schema.js';
import type { ArticleFetcher } from '../../ports/article-fetcher.js';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { Notifier } from '../../ports/notifier.js';
import { createPacer, type Pacer, TELEGRAM_PACING } from '../../use-cases/pace-publisher.js';
import type { PublishDeps } from '../../use-cases/publish-deps.js';
import type { SlotResult } from '../../use-cases/run-channel-slot.js';
import { createAlertCourier } from './alert-courier.js';
import { unknownPage } from './alert-messages.js';
import { createBotSender } from './bot-sender.js';
import type {
  AddSource,
  Admin,
  BotServices,
  CommandRequest,
  CommandResult,
  IncomingDocument,
  Reply,
} from './bot-types.js';
import { type CallbackAction, decodeCallback } from './callback-data.js';
import { choosePreview } from './commands/add-command.js';
import { resolveButton } from './commands/post-commands.js';
import { queuePage } from './commands/queue-command.js';
import { COMMANDS, findCommand } from './commands/registry.js';
import { createTelegramFileDownloader } from './download-telegram-file.js';
import { bold, esc, escClipped } from './format-html.js';
import { apiSignal, type Backoff, keepPolling } from './keep-polling.js';
import { parseCommand } from './parse-command.js';
import { createPendingPreviews } from './pending-previews.js';
import { createRefusalGate } from './refusal-gate.js';

export interface AdminBotOptions {
  /** The bot's token from @BotFather; never logged or shown. */
  readonly token: string;
  /** Bot API root (a local Bot API server, or the loopback fake in tests); default api.telegram.org. */
  readonly apiRoot?: string;
  /** The same deps the daemon publishes with: the bot calls the same use cases. */
  readonly deps: PublishDeps;
  readonly settings: Settings;
  /** /next runs a slot through the daemon, so it never overlaps a scheduled one. */
  readonly daemon: { runNow(channelId: string): Promise<SlotResult> };
  /** Numeric Telegram user ids allowed to use the bot (TELEGRAM_ADMIN_IDS). */
  readonly adminIds: readonly number[];
  /** Fetches pages for `/add URL` (createHttpFetcher with the input limits). */
  readonly fetcher: ArticleFetcher;
  readonly logger: Logger;
  readonly clock: Clock;
  /**
   * The token's pacer, shared with the Telegram channels that post with the same token (the runtime's
   * pacerFor), so the bot's replies and alerts never push a channel post into a 429. Default: its own.
   */
  readonly pacer?: Pacer;
  /** How long an /add preview's buttons work (default a day). */
  readonly previewTtlMs?: number;
  /**
   * A stranger gets one refusal, then silence for this long (default an hour), and at most 20
   * strangers a minute get one at all, so nobody can use the bot to spam a chat or spend the token's
   * budget. The log has one line per stranger per hour and counts the rest (see refusal-gate.ts).
   */
  readonly refusalCooldownMs?: number;
  /** Longest stop() waits for the poll to end and replies in flight (default 10 s). */
  readonly stopTimeoutMs?: number;
  /** Waits between attempts to reach Telegram, on `clock` (default 1 s doubling up to 5 minutes). */
  readonly backoff?: Backoff;
  /** Waits between attempts of one message after a 5xx or a network failure (default 1 s doubling to 1 min). */
  readonly sendBackoff?: Backoff;
  /** Waits before the alert courier tries again after a round that could not deliver (default 30 s doubling to 10 min). */
  readonly alertBackoff?: Backoff;
  /** Longest a login call (getMe, deleteWebhook) may take before it counts as a failure (default 20 s). */
  readonly requestTimeoutMs?: number;
}

export interface AdminBot {
  /**
   * Logs in (getMe), registers the command list and long-polls, for as long as the bot runs: when
   * Telegram cannot be reached, at start or later, it tries again after a backoff wait and logs each
   * failure. Resolves `running` once the first poll went through, or `retrying` when the first attempt
   * failed and the next one waits. Rejects when Telegram refuses the token (401/404): no retry cures that.
   */
  start(): Promise<'running' | 'retrying'>;
  /** Stops polling (a backoff wait or a long poll ends at once) and waits (bounded) for replies in flight. */
  stop(): Promise<void>;
  /**
   * Wakes the bot's alert courier, which delivers the outbox's alerts to the admins' private chats and
   * settings.telegramBot.alertChatIds (see alert-courier.ts); give it to runtime.setNotifier.
   */
  readonly notifier: Notifier;
}

interface TgUser {
  readonly id: number;
  readonly first_name?: string;
  readonly username?: string;
}
interface TgMessage {
  readonly message_id: number;
  readonly from?: TgUser;
  readonly chat: { readonly id: number; readonly type: string };
  /** Set when the message was sent on behalf of a chat (an anonymous group admin, a channel). */
  readonly sender_chat?: { readonly id: number };
  readonly text?: string;
  readonly caption?: string;
  readonly document?: { readonly file_id: string; readonly file_name?: string; readonly file_size?: number };
  readonly reply_to_message?: TgMessage;
}
interface TgCallbackQuery {
  readonly id: string;
  readonly from: TgUser;
  readonly data?: string;
  readonly message?: TgMessage;
}
interface TgUpdate {
  readonly message?: TgMessage;
  readonly callback_query?: TgCallbackQuery;
}

/** GroupAnonymousBot: what `from` says for a message an anonymous group admin sent as the group. */
const ANONYMOUS_ADMIN_ID = 1087968824;
const ANONYMOUS =
  'You are writing as the group (an anonymous admin), so I cannot tell who you are. Send the command as yourself: turn off "Remain anonymous" in your admin rights for this group, or write to me in a private chat.';

const REFUSAL =
  'Sorry, this is a private bot: only the newsroom’s editors can use it. If you are one, ask an admin to add your Telegram user id';

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
  const admins = new Set(options.adminIds);
  const bot = new Telegraf(options.token, {
    ...(options.apiRoot ? { telegram: { apiRoot: options.apiRoot } } : {}),
    handlerTimeout: 30_000,
  });
  const telegram = bot.telegram;
  const services: BotServices = {
    deps: options.deps,
    settings: options.settings,
    daemon: options.daemon,
    fetcher: options.fetcher,
    logger,
    clock,
    previews: createPendingPreviews(options.deps.store, {
      ttlMs: options.previewTtlMs ?? 86_400_000,
      max: 100,
    }),
    download: createTelegramFileDownloader(telegram, { timeoutMs: options.settings.input.fetchTimeoutMs }),
    requireApproval: options.settings.telegramBot.requireApproval,
  };
  const refusals = createRefusalGate({
    clock,
    logger,
    ...(options.refusalCooldownMs === undefined ? {} : { perUserMs: options.refusalCooldownMs }),
  });
  const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
  const tasks = new Set<Promise<unknown>>();
  const chains = new Map<number, Promise<void>>();
  let me: { id: number; username: string } | undefined;

  /** Error text for logs: the token can hide in telegraf's and fetch's messages (file links). */
  const describe = (error: unknown) =>
    String((error as Error)?.stack ?? error)
      .split(options.token)
      .join('[redacted]');

  const track = <T>(promise: Promise<T>): Promise<T> => {
    tasks.add(promise);
    void promise.finally(() => tasks.delete(promise)).catch(() => {});
    return promise;
  };

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
  const send = (chatId: number | string, reply: Reply, replyTo?: number) =>
    sender.send(chatId, reply, replyTo === undefined ? {} : { replyTo });

  const edit = (chatId: number, messageId: number, reply: Reply) => sender.edit(chatId, messageId, reply);

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

  /** One chat's updates in order; a failure is logged and does not block the next. */
  const inChat = (chatId: number, work: () => Promise<void>) => {
    const previous = chains.get(chatId) ?? Promise.resolve();
    const next = previous.then(work).catch((error: unknown) => {
      logger.error('Telegram admin bot: handling an update failed', { error: describe(error) });
    });
    chains.set(chatId, next);
    void track(next).finally(() => {
      if (chains.get(chatId) === next) chains.delete(chatId);
    });
  };

  bot.use((ctx) => {
    const update = ctx.update as unknown as TgUpdate;
    if (update.callback_query) {
      const query = update.callback_query;
      inChat(query.message?.chat.id ?? query.from.id, () => onCallback(query));
    } else if (update.message) {
      const message = update.message;
      inChat(message.chat.id, () => onMessage(message));
    }
  });
  bot.catch((error) => logger.error('Telegram admin bot: unexpected error', { error: describe(error) }));

  async function onMessage(message: TgMessage): Promise<void> {
    const from = message.from;
    if (!from || !me) return;
    const isPrivate = message.chat.type === 'private';
    const command = parseCommand(message.text || message.caption);
    if (command?.mention && command.mention.toLowerCase() !== me.username.toLowerCase()) return;
    if (!isPrivate) {
      // In groups only commands addressed to this bot count: /cmd@ThisBot, or a reply to its message.
      const addressed = command?.mention !== undefined || message.reply_to_message?.from?.id === me.id;
      if (!command || !addressed) return;
    }
    const replyTo = isPrivate ? undefined : message.message_id;
    if (!admins.has(from.id)) return refuse(message, from, command?.name, replyTo);
    const admin = adminOf(from);

    let name = command?.name;
    if (!name) {
      if (message.document) name = 'add';
      else {
        await send(message.chat.id, {
          html: esc(
            'I only understand commands: /help lists them. To add an article, send /add followed by its text, a link or a file.',
          ),
        });
        return;
      }
    }
    const request: CommandRequest = {
      name,
      args: command?.args ?? '',
      admin,
      chatId: message.chat.id,
      addSource: name === 'add' ? addSourceOf(message, command?.args ?? '') : { kind: 'none' },
    };
    logger.info('admin command from Telegram', { command: name, by: admin.label, chat: message.chat.id });
    let result: CommandResult;
    try {
      result = runCommand(request);
    } catch (error) {
      logger.error('Telegram admin bot: command failed', { command: name, error: describe(error) });
      result = { html: oops(name) };
    }
    if ('html' in result) {
      await send(message.chat.id, result, replyTo);
      return;
    }
    const working = await send(message.chat.id, { html: result.working }, replyTo);
    // The slow part runs outside this chat's queue, so the next command is not held up by it.
    void track(
      (async () => {
        let reply: Reply;
        try {
          reply = await result.finish();
        } catch (error) {
          logger.error('Telegram admin bot: command failed', { command: name, error: describe(error) });
          reply = { html: oops(name) };
        }
        try {
          await edit(message.chat.id, working.message_id, reply);
        } catch {
          await send(message.chat.id, reply, replyTo);
        }
      })().catch((error: unknown) =>
        logger.error('Telegram admin bot: could not deliver a reply', { error: describe(error) }),
      ),
    );
  }

  function runCommand(req: CommandRequest): CommandResult {
    const command = findCommand(req.name);
    if (!command) return { html: `⚠️ Unknown command /${esc(req.name)}. /help lists the commands.` };
    return command.run(services, req);
  }

  async function refuse(message: TgMessage, from: TgUser, command: string | undefined, replyTo?: number) {
    const chatId = message.chat.id;
    if (!refusals.admit({ id: from.id, username: from.username, chat: chatId, what: command ?? '(message)' }))
      return;
    // A group's anonymous admin writes as the group: Telegram shows the same id for every one of them.
    const anonymous = from.id === ANONYMOUS_ADMIN_ID || message.sender_chat?.id === chatId;
    await send(chatId, { html: esc(anonymous ? ANONYMOUS : `${REFUSAL} (${from.id}).`) }, replyTo);
  }

  async function onCallback(query: TgCallbackQuery): Promise<void> {
    const answer = (text: string, alert = false) =>
      telegram.answerCbQuery(query.id, text.slice(0, 200), alert ? { show_alert: true } : {});
    if (!admins.has(query.from.id)) {
      const stranger = {
        id: query.from.id,
        username: query.from.username,
        chat: query.from.id,
        what: '(button)',
      };
      // A toast is not a message (it costs nothing of the token's budget): every press gets one; the
      // gate keeps the log to a line per stranger per hour.
      refusals.admit(stranger);
      await answer(`${REFUSAL} (${query.from.id}).`, true);
      return;
    }
    const admin = adminOf(query.from);
    const action = decodeCallback(query.data ?? '');
    const message = query.message;
    if (!action || !message) {
      await answer('This button no longer works; send the command again.', true);
      return;
    }
    logger.info('admin button from Telegram', { action: action.kind, by: admin.label });
    await handleAction(action, message, admin, answer);
  }

  async function handleAction(
    action: CallbackAction,
    message: TgMessage,
    admin: Admin,
    answer: (text: string, alert?: boolean) => Promise<unknown>,
  ): Promise<void> {
    const chatId = message.chat.id;
    switch (action.kind) {
      case 'queue-page': {
        await answer('');
        await edit(
          chatId,
          message.message_id,
          queuePage(services, action.channel, action.n, action.page),
        ).catch((error: unknown) => logger.debug('queue page not edited', { error: describe(error) }));
        return;
      }
      case 'preview': {
        const { toast, reply } = choosePreview(services, action.choice, action.previewId, admin);
        await answer(toast, reply === undefined);
        if (reply) await edit(chatId, message.message_id, reply);
        else
          await telegram
            .editMessageReplyMarkup(chatId, message.message_id, undefined, undefined)
            .catch(() => {});
        return;
      }
      case 'unknown-post': {
        const result = await resolveButton(services, action.postId, action.decision);
        logger.info('unknown post resolved from Telegram', {
          post: action.postId,
          decision: action.decision,
          by: admin.label,
          ok: result.ok,
        });
        await answer(result.message, !result.ok);
        const verdict = result.ok ? `✅ ${result.message} (${admin.label})` : `⚠️ ${result.message}`;
        const redrawn =
          action.page === undefined
            ? { html: `${escClipped(message.text ?? '', 3500)}\n\n${bold(verdict)}` }
            : unknownPage(services.deps.store, action.page, bold(verdict));
        await edit(chatId, message.message_id, redrawn).catch((error: unknown) =>
          logger.debug('alert not edited', { error: describe(error) }),
        );
        return;
      }
      case 'unknown-page': {
        await answer('');
        await edit(chatId, message.message_id, unknownPage(services.deps.store, action.page)).catch(
          (error: unknown) => logger.debug('unknown page not edited', { error: describe(error) }),
        );
        return;
      }
    }
  }

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
        logger.error('admin bot: the alert courier failed', { error: describe(error) }),
      );
    if (commandsRegistered) return;
    await telegram
      .callApi(
        'setMyCommands',
        { commands: COMMANDS.map((c) => ({ command: c.name, description: c.description })) },
        { signal: apiSignal(signal) },
      )
      .then(() => {
        commandsRegistered = true;
      })
      .catch((error: unknown) =>
        logger.warn('could not register the bot command list', { error: describe(error) }),
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
          logger.error('admin bot: the polling loop failed', { error: describe(error) });
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
      refusals.flush();
      if (!finished)
        logger.warn('Telegram admin bot stopped with replies still in flight', { count: tasks.size });
    },
  };
}

/** Waits for `promise` until `deadline` (epoch ms); true if it settled. The timer never outlives it. */
async function within(promise: Promise<unknown>, deadline: number): Promise<boolean> {
  const timer = new AbortController();
  const settled = promise.then(
    () => true,
    () => true,
  );
  const timedOut = sleep(Math.max(0, deadline - Date.now()), false, { signal: timer.signal }).catch(
    () => false,
  );
  try {
    return await Promise.race([settled, timedOut]);
  } finally {
    timer.abort();
  }
}

function adminOf(user: TgUser): Admin {
  const name = user.username ? `@${user.username}` : (user.first_name ?? 'admin');
  return { id: user.id, label: `${name} (${user.id})` };
}

function oops(command: string): string {
  return `⚠️ Something went wrong while handling /${esc(command)}; the log has the details.`;
}

/** Where /add takes its article from: the text after it, the message's file, or the replied message. */
function addSourceOf(message: TgMessage, args: string): AddSource {
  const fromText = (text: string): AddSource =>
    /^https?:\/\/\S+$/i.test(text.trim()) ? { kind: 'url', url: text.trim() } : { kind: 'text', text };
  if (args) return fromText(args);
  const document = message.document ?? message.reply_to_message?.document;
  if (document) return { kind: 'document', document: documentOf(document) };
  const replied = message.reply_to_message?.text || message.reply_to_message?.caption;
  if (replied?.trim()) return fromText(replied);
  return { kind: 'none' };
}

function documentOf(document: NonNullable<TgMessage['document']>): IncomingDocument {
  return { fileId: document.file_id, fileName: document.file_name, fileSize: document.file_size };
}
