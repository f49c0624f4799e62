import { type Telegram, TelegramError } from 'telegraf';
import { describedProblem } from '../../adapters/telegram/classify-telegram-error.js';
import type { Clock } from '../../ports/clock.js';
import type { Pacer } from '../../use-cases/pace-publisher.js';
import type { Reply } from './bot-types.js';
import { apiSignal, type Backoff, backoffDelay, failureOf, withDeadline } from './keep-polling.js';

export interface SentMessage {
  readonly message_id: number;
}

export interface BotSender {
  /**
   * Sends one message when the pacer allows it, retrying 429s (after the `retry_after` Telegram
   * names), 5xx answers, timeouts and network failures with a backoff. Throws a BotSendError when
   * Telegram refuses the message for good (`refused`) or when the retries ran out (`transient`).
   */
  send(chatId: number | string, reply: Reply, options?: { replyTo?: number }): Promise<SentMessage>;
  /** Replaces the text and buttons of a message the bot sent, paced and retried the same way. */
  edit(chatId: number | string, messageId: number, reply: Reply): Promise<void>;
}

export type BotSendProblem = 'refused' | 'transient';

/** Why a message could not be sent; `message` never holds the token (node-fetch quotes the URL). */
export class BotSendError extends Error {
  constructor(
    readonly problem: BotSendProblem,
    message: string,
    /** For `refused`: a 400/403 that says the chat cannot be written to (as opposed to bad content). */
    readonly chatUnreachable = false,
  ) {
    super(message);
    this.name = 'BotSendError';
  }
}

export interface BotSenderOptions {
  readonly telegram: Telegram;
  /** The bot token's pacer, shared with the Telegram channels that post with the same token. */
  readonly pacer: Pacer;
  readonly clock: Clock;
  readonly random: () => number;
  /** Aborting it ends every wait at once (the bot is stopping). */
  readonly signal: AbortSignal;
  /** Attempts per message before it gives up (default 5). */
  readonly maxAttempts?: number;
  /** Waits between attempts after a 5xx or a network failure (default 1 s doubling to 1 minute). */
  readonly backoff?: Backoff;
  /** A 429 asking to wait longer than this is not waited out here (default 10 minutes). */
  readonly longestRetryAfterMs?: number;
  /** Longest one call may take (default 20 s). */
  readonly requestTimeoutMs?: number;
}

const SEND_BACKOFF: Backoff = { initialMs: 1000, maxMs: 60_000, jitter: 0.2 };

/**
 * Every message the admin bot sends goes through here: paced with the token's publishing pacer (a
 * burst of replies or alerts cannot push a channel post into a 429, nor collect 429s itself) and
 * retried across Telegram's bad moments. Waits run on `clock`; each call has a network deadline.
 */
export function createBotSender(options: BotSenderOptions): BotSender {
  const { telegram, pacer, clock, signal } = options;
  const maxAttempts = options.maxAttempts ?? 5;
  const backoff = options.backoff ?? SEND_BACKOFF;
  const longestRetryAfterMs = options.longestRetryAfterMs ?? 600_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 20_000;

  const markup = (reply: Reply) =>
    reply.keyboard ? { reply_markup: { inline_keyboard: reply.keyboard.map((row) => [...row]) } } : {};

  /** One call when the pacer allows it, with its own deadline. */
  const once = async <M extends 'sendMessage' | 'editMessageText'>(
    chatId: number | string,
    method: M,
    params: Parameters<Telegram['callApi']>[1] & object,
  ) => {
    const done = await pacer.acquire(String(chatId), signal);
    try {
      return await withDeadline(signal, requestTimeoutMs, (callSignal) =>
        telegram.callApi(method, params as never, { signal: apiSignal(callSignal) }),
      );
    } finally {
      done();
    }
  };

  /** Retries `call` across 429s (as long as Telegram asks), 5xx answers and network failures. */
  const withRetries = async <T>(call: () => Promise<T>): Promise<T> => {
    let last = '';
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (signal.aborted) throw new BotSendError('transient', 'the bot is stopping');
      let wait: number;
      try {
        return await call();
      } catch (error) {
        const failure = classify(error);
        if (failure.refused) throw new BotSendError('refused', failure.text, failure.chatUnreachable);
        last = failure.text;
        if (failure.retryAfterMs !== undefined && failure.retryAfterMs > longestRetryAfterMs)
          throw new BotSendError('transient', `${last}; not waiting that long here`);
        wait = failure.retryAfterMs ?? backoffDelay(backoff, attempt, options.random);
      }
      if (attempt < maxAttempts) await clock.sleep(wait, signal);
    }
    throw new BotSendError('transient', `${last} (${maxAttempts} attempts)`);
  };

  return {
    send: (chatId, reply, sendOptions = {}) =>
      withRetries(
        () =>
          once(chatId, 'sendMessage', {
            chat_id: chatId,
            text: reply.html,
            parse_mode: 'HTML',
            link_preview_options: { is_disabled: true },
            ...markup(reply),
            ...(sendOptions.replyTo === undefined
              ? {}
              : { reply_parameters: { message_id: sendOptions.replyTo, allow_sending_without_reply: true } }),
          }) as Promise<SentMessage>,
      ),
    async edit(chatId, messageId, reply) {
      try {
        await withRetries(() =>
          once(chatId, 'editMessageText', {
            chat_id: chatId,
            message_id: messageId,
            text: reply.html,
            parse_mode: 'HTML',
            link_preview_options: { is_disabled: true },
            ...markup(reply),
          }),
        );
      } catch (error) {
        // Pressing a button twice redraws the same page: nothing to change is not a failure.
        if (!(error instanceof BotSendError && /message is not modified/i.test(error.message))) throw error;
      }
    },
  };
}

interface Failure {
  readonly text: string;
  readonly refused: boolean;
  readonly chatUnreachable: boolean;
  readonly retryAfterMs?: number;
}

/**
 * Telegram's 4xx answers (but 429) are final for this message; the rest may pass on another try.
 * What happened is read the way the polling loop reads it (failureOf), chat problems the way the
 * Telegram publisher does (describedProblem).
 */
function classify(error: unknown): Failure {
  const failure = failureOf(error);
  if (error instanceof TelegramError && error.code >= 400 && error.code < 500 && error.code !== 429) {
    const description = typeof error.description === 'string' ? error.description : '';
    const chatUnreachable =
      error.code === 403 ||
      describedProblem(description) === 'chat' ||
      /bot was blocked|initiate conversation/i.test(description);
    return { text: failure.text, refused: true, chatUnreachable };
  }
  // A 429 always carries retry_after in practice; without one, wait as long as the publisher does.
  const retryAfterMs =
    failure.retryAfterMs ?? (error instanceof TelegramError && error.code === 429 ? 30_000 : undefined);
  return {
    text: failure.text,
    refused: false,
    chatUnreachable: false,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
}
