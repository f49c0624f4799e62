import { TelegramError } from 'telegraf';
import { PublishError } from '../../ports/publisher.js';
import { redactSecrets } from '../log/console-logger.js';

export interface TelegramErrorContext {
  /** Clock time of the failure; `retry_after` counts from it. */
  readonly now: Date;
  /** The chat we were posting to, for messages and hints. */
  readonly chatId: string;
  /** What we were doing, for the message (default "send to"): "delete message 42 in". */
  readonly action?: string;
  /** True when our own deadline aborted the call (as opposed to the caller's signal). */
  readonly timedOut: boolean;
  readonly timeoutMs: number;
  /** Names of the settings that hold the bot token, quoted in hints. */
  readonly credentialNames: readonly string[];
  /** Values that must never reach a message. */
  readonly secrets: readonly string[];
}

/** Used when a 429 arrives without `retry_after` (it always has one in practice). */
const DEFAULT_RETRY_AFTER_SECONDS = 30;

/** Low-level socket failures node-fetch passes through as `code`: the API was not reached. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);

type DescribedProblem = 'chat' | 'rights' | 'gone' | 'undeletable';

/**
 * Known Telegram descriptions. The Bot API gives 400 and 403 answers only `error_code` and a
 * `description` (no sub-code), so telling "chat not found" or "bot lacks rights" apart from bad
 * content needs the text. This small table is the only place that reads it; anything not listed
 * falls back to the status code alone.
 */
const KNOWN_DESCRIPTIONS: readonly { readonly pattern: RegExp; readonly problem: DescribedProblem }[] = [
  { pattern: /chat not found|PEER_ID_INVALID|chat_id is empty/i, problem: 'chat' },
  { pattern: /bot was kicked|bot is not a member|not a member of the/i, problem: 'rights' },
  {
    pattern:
      /not enough rights|need administrator rights|have no rights|CHAT_WRITE_FORBIDDEN|CHAT_ADMIN_REQUIRED/i,
    problem: 'rights',
  },
  // deleteMessage: already deleted (it counts as taken down), or one Telegram will not let us delete.
  { pattern: /message to delete not found/i, problem: 'gone' },
  { pattern: /message can't be deleted/i, problem: 'undeletable' },
];

export function describedProblem(description: string | undefined): DescribedProblem | undefined {
  if (description === undefined) return undefined;
  return KNOWN_DESCRIPTIONS.find((entry) => entry.pattern.test(description))?.problem;
}

/** Network codes that can happen after the request was written (unlike ECONNREFUSED or ENOTFOUND). */
const MAYBE_DELIVERED_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET']);

/** Turns what telegraf threw into a PublishError named by its remedy. */
export function classifyTelegramError(error: unknown, context: TelegramErrorContext): PublishError {
  if (error instanceof PublishError) return error;
  const where = `Telegram: could not ${context.action ?? 'send to'} ${context.chatId}`;
  if (error instanceof TelegramError) return fromTelegramError(error, where, context);
  const name = error instanceof Error ? error.name : '';
  if (name === 'AbortError') {
    const why = context.timedOut ? `no answer within ${context.timeoutMs} ms` : 'the request was aborted';
    return new PublishError('unavailable', `${where}: ${why}; the message may or may not have arrived`, {
      cause: error,
      maybeDelivered: true,
    });
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  if (name === 'FetchError' || (typeof code === 'string' && NETWORK_CODES.has(code))) {
    // node-fetch's own message names the URL, which holds the bot token: quote the code only.
    const detail = typeof code === 'string' ? `network error ${code}` : 'network error';
    // A connection cut after the request went out may still have delivered the message.
    const maybeDelivered = typeof code === 'string' && MAYBE_DELIVERED_CODES.has(code);
    return new PublishError('unavailable', `${where}: ${detail}`, { cause: error, maybeDelivered });
  }
  return new PublishError('unavailable', `${where}: unexpected error`, { cause: error });
}

function fromTelegramError(error: TelegramError, where: string, context: TelegramErrorContext): PublishError {
  const status = error.code;
  const base = { cause: error, status };
  const what =
    `${where}: ${status} ${redactSecrets(shorten(error.description ?? ''), context.secrets)}`.trimEnd();
  if (status === 429) {
    const seconds = error.parameters?.retry_after ?? DEFAULT_RETRY_AFTER_SECONDS;
    return new PublishError('rate-limited', what, {
      ...base,
      retryAt: new Date(context.now.getTime() + seconds * 1000),
    });
  }
  if (status >= 500) return new PublishError('unavailable', what, base);
  // 404 is what the Bot API answers for a token it cannot even parse.
  if (status === 401 || status === 404) {
    return new PublishError('auth', what, { ...base, hint: tokenHint(context.credentialNames) });
  }
  const migratedTo = error.parameters?.migrate_to_chat_id;
  if (migratedTo !== undefined) {
    return new PublishError('auth', what, {
      ...base,
      hint: `The group became a supergroup: set the channel's chat id to ${migratedTo}.`,
    });
  }
  const problem = describedProblem(error.description);
  if (problem === 'undeletable')
    return new PublishError('rejected', what, { ...base, hint: UNDELETABLE_HINT });
  if (problem === 'chat') return new PublishError('auth', what, { ...base, hint: chatHint(context.chatId) });
  if (status === 403 || problem === 'rights') {
    return new PublishError('auth', what, { ...base, hint: rightsHint(context.chatId) });
  }
  return new PublishError('rejected', what, base);
}

const UNDELETABLE_HINT =
  'Telegram will not let the bot delete this message: in a group or a private chat a bot may delete ' +
  'its messages only within 48 hours, and in a channel it needs the "Delete messages" admin right. ' +
  'Delete it by hand in the Telegram app.';

function shorten(text: string): string {
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

function tokenHint(names: readonly string[]): string {
  return (
    `Telegram did not accept the bot token: check ${names.join(', ')} (the token @BotFather gave you; ` +
    `if it was revoked, use the new one).`
  );
}

function rightsHint(chatId: string): string {
  return `Add the bot to ${chatId} as an administrator with permission to post messages.`;
}

function chatHint(chatId: string): string {
  return (
    `Telegram does not know chat ${chatId} (or the bot is not in it): check the chat id (a public ` +
    `channel as @name, a private one as its numeric id such as -100…), and add the bot to the chat as ` +
    `an administrator with permission to post.`
  );
}
