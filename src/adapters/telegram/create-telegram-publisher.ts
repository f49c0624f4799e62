import { Telegram, TelegramError } from 'telegraf';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type {
  DeleteOptions,
  DeleteReceipt,
  OutgoingPost,
  Publisher,
  PublishOptions,
  Receipt,
} from '../../ports/publisher.js';
import { PublishError } from '../../ports/publisher.js';
import { classifyTelegramError, describedProblem } from './classify-telegram-error.js';
import { escapeHtml } from './escape-html.js';

export interface TelegramPublisherOptions {
  /** Bot token from @BotFather. */
  readonly token: string;
  /** `@channelname` for a public channel, or the numeric id (as a string) of any chat. */
  readonly chatId: string;
  /** Bot API root, e.g. a local Bot API server or the loopback fake (default api.telegram.org). */
  readonly apiRoot?: string;
  /** Hide link previews; quote posts with a source link otherwise show a large card (default false). */
  readonly disableLinkPreview?: boolean;
  /** Deliver without a notification sound (`disable_notification`; default false). */
  readonly silent?: boolean;
  /** Deadline per call in ms (default 15000); telegraf has no timeout of its own. */
  readonly timeoutMs?: number;
  readonly logger: Logger;
  /** Stamps receipts and counts `retry_after` from now. */
  readonly clock: Clock;
  /** Names of the settings that hold the token, quoted in admin hints (default TELEGRAM_BOT_TOKEN). */
  readonly credentialNames?: readonly string[];
}

/**
 * telegraf types its signal with the `abort-controller` polyfill; node-fetch accepts Node's native
 * AbortSignal at run time, so only the type needs bridging.
 */
type TelegrafSignal = NonNullable<NonNullable<Parameters<Telegram['callApi']>[2]>['signal']>;

const DEFAULT_TIMEOUT_MS = 15_000;
const PUBLIC_CHAT = /^@[A-Za-z][A-Za-z0-9_]{3,}$/;
const NUMERIC_CHAT = /^-?\d+$/;

/**
 * Sends each post as one HTML-mode message through telegraf's `Telegram` client (no bot, no polling).
 * The text is escaped, so what the splitter produced is exactly what readers see.
 * No `recentPosts`: a bot cannot read a channel's history.
 */
export function createTelegramPublisher(options: TelegramPublisherOptions): Publisher {
  checkOptions(options);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const telegram = new Telegram(
    options.token,
    options.apiRoot === undefined ? {} : { apiRoot: options.apiRoot },
  );
  const credentialNames = options.credentialNames ?? ['TELEGRAM_BOT_TOKEN'];

  /** Runs one Bot API call under the deadline, its failure classified (`action` names it). */
  async function withDeadline<T>(
    signal: AbortSignal | undefined,
    action: string | undefined,
    run: (signal: TelegrafSignal) => Promise<T>,
  ): Promise<T> {
    const deadline = startDeadline(timeoutMs, signal);
    try {
      return await run(deadline.signal as unknown as TelegrafSignal);
    } catch (error) {
      throw classifyTelegramError(error, {
        now: options.clock.now(),
        chatId: options.chatId,
        ...(action === undefined ? {} : { action }),
        timedOut: deadline.timedOut(),
        timeoutMs,
        credentialNames,
        secrets: [options.token],
      });
    } finally {
      deadline.clear();
    }
  }

  async function send(post: OutgoingPost, publishOptions: PublishOptions) {
    const payload = {
      chat_id: options.chatId,
      text: escapeHtml(post.text),
      parse_mode: 'HTML' as const,
      ...(options.disableLinkPreview === true ? { link_preview_options: { is_disabled: true } } : {}),
      ...(options.silent === true ? { disable_notification: true } : {}),
      ...(publishOptions.replyTo === undefined
        ? {}
        : { reply_parameters: { message_id: replyTarget(publishOptions.replyTo) } }),
    };
    return withDeadline(publishOptions.signal, undefined, (signal) =>
      telegram.callApi('sendMessage', payload, { signal }),
    );
  }

  return {
    platform: 'telegram',
    kind: 'telegram',
    supportsReplies: true,

    async publish(post: OutgoingPost, publishOptions: PublishOptions = {}): Promise<Receipt> {
      let message: Awaited<ReturnType<typeof send>>;
      try {
        message = await send(post, publishOptions);
      } catch (error) {
        const failure = error as PublishError;
        options.logger.warn('Telegram send failed', {
          chatId: options.chatId,
          postId: post.postId,
          reason: failure.reason,
          status: failure.status,
          retryAt: failure.retryAt?.toISOString(),
          error: failure.message,
        });
        throw failure;
      }
      const remoteId = String(message.message_id);
      const url = messageUrl(options.chatId, remoteId);
      options.logger.info('Telegram message sent', {
        chatId: options.chatId,
        postId: post.postId,
        remoteId,
        url,
      });
      return {
        remoteId,
        ...(url === undefined ? {} : { url }),
        publishedAt: options.clock.now(),
        chat: String(options.chatId),
      };
    },

    async delete(remoteId: string, deleteOptions: DeleteOptions = {}): Promise<DeleteReceipt> {
      const messageId = messageIdOf(remoteId);
      let outcome: DeleteReceipt['outcome'] = 'deleted';
      try {
        await withDeadline(deleteOptions.signal, `delete message ${messageId} in`, async (signal) => {
          try {
            await telegram.callApi(
              'deleteMessage',
              { chat_id: options.chatId, message_id: messageId },
              { signal },
            );
          } catch (error) {
            // Deleted already (by hand, or by a call whose answer was lost): it is down.
            if (error instanceof TelegramError && describedProblem(error.description) === 'gone') {
              outcome = 'gone';
              return;
            }
            throw error;
          }
        });
      } catch (error) {
        const failure = error as PublishError;
        options.logger.warn('Telegram delete failed', {
          chatId: options.chatId,
          remoteId,
          reason: failure.reason,
          status: failure.status,
          retryAt: failure.retryAt?.toISOString(),
          error: failure.message,
        });
        throw failure;
      }
      options.logger.info('Telegram message deleted', { chatId: options.chatId, remoteId, outcome });
      return { outcome };
    },
  };
}

/** An AbortSignal that fires after `timeoutMs` or when the caller aborts; `clear` must always run. */
function startDeadline(timeoutMs: number, outer: AbortSignal | undefined) {
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort();
  }, timeoutMs);
  const forward = () => controller.abort();
  if (outer?.aborted === true) controller.abort();
  outer?.addEventListener('abort', forward, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => expired,
    clear: () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', forward);
    },
  };
}

function replyTarget(replyTo: string): number {
  return messageIdOf(replyTo, 'reply to');
}

/** Our remote ids of Telegram posts are the message ids, as strings. */
function messageIdOf(remoteId: string, what = 'delete'): number {
  const id = Number(remoteId);
  if (!Number.isSafeInteger(id) || id <= 0) {
    throw new PublishError(
      'rejected',
      `Telegram: cannot ${what} "${remoteId}": message ids are positive integers`,
    );
  }
  return id;
}

/** Public channels have stable links; numeric chats have none that every reader can open. */
function messageUrl(chatId: string, messageId: string): string | undefined {
  if (!chatId.startsWith('@')) return undefined;
  return `https://t.me/${chatId.slice(1)}/${messageId}`;
}

function checkOptions(options: TelegramPublisherOptions): void {
  if (options.token.trim() === '') throw new TypeError('Telegram publisher: token is empty');
  if (!PUBLIC_CHAT.test(options.chatId) && !NUMERIC_CHAT.test(options.chatId)) {
    throw new TypeError(
      `Telegram publisher: chatId must be @channelname or a numeric id, got "${options.chatId}"`,
    );
  }
  if (options.timeoutMs !== undefined && (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0)) {
    throw new RangeError(`Telegram publisher: timeoutMs must be a positive number, got ${options.timeoutMs}`);
  }
  if (options.apiRoot !== undefined && !URL.canParse(options.apiRoot)) {
    throw new TypeError(`Telegram publisher: apiRoot must be an absolute URL, got "${options.apiRoot}"`);
  }
}
