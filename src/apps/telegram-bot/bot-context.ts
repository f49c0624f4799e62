import type { Context } from 'telegraf';
import type { SentMessage } from './bot-sender.js';
import type { Admin, BotServices, CommandRequest, CommandResult, Reply } from './bot-types.js';
import type { CallbackAction } from './callback-data.js';
import type { ParsedCommand } from './parse-command.js';
import type { RefusalGate } from './refusal-gate.js';

/** The parts of a Telegram update the bot reads (telegraf's own types need a narrowing per field). */
export interface TgUser {
  readonly id: number;
  readonly first_name?: string;
  readonly username?: string;
}
export interface TgMessage {
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
export interface TgCallbackQuery {
  readonly id: string;
  readonly from: TgUser;
  readonly data?: string;
  readonly message?: TgMessage;
}

/** What every middleware may use; built once by createAdminBot and put on each update's context. */
export interface BotTools {
  readonly services: BotServices;
  /** Who may use the bot (TELEGRAM_ADMIN_IDS). */
  readonly admins: ReadonlySet<number>;
  readonly refusals: RefusalGate;
  /** Who the bot is, once getMe answered (for /cmd@bot and replies to the bot). */
  me(): { readonly id: number; readonly username: string } | undefined;
  /** Sends through the paced, retrying sender; never ctx.reply, which would bypass the token's pacer. */
  send(chatId: number | string, reply: Reply, replyTo?: number): Promise<SentMessage>;
  edit(chatId: number, messageId: number, reply: Reply): Promise<void>;
  /** Error text for logs: the token can hide in telegraf's and fetch's messages (file links). */
  describe(error: unknown): string;
  /** Work stop() waits for (bounded): a chat's queue, a slow command's edit. */
  track<T>(promise: Promise<T>): Promise<T>;
}

/**
 * telegraf's context with what the middleware found, each field set by one step (create-admin-bot.ts
 * lists them in order): tools, then command and replyTo (addressing), admin (admin gate), request or
 * press (parse-request), result (the command groups, or command-errors when one threw).
 */
export interface BotContext extends Context {
  tools: BotTools;
  /** The command at the start of the message's text or caption, if any. */
  command?: ParsedCommand | undefined;
  /** In groups, answers quote the command they answer. */
  replyTo?: number | undefined;
  admin?: Admin | undefined;
  /** A command from an admin, ready for its group. */
  request?: CommandRequest | undefined;
  /** A button an admin pressed, ready for its group. */
  press?: ButtonPress | undefined;
  /** What the command answered; slow-replies delivers it. */
  result?: CommandResult | undefined;
}

export interface ButtonPress<A extends CallbackAction = CallbackAction> {
  readonly action: A;
  /** The bot's message that carries the button. */
  readonly message: TgMessage;
  readonly admin: Admin;
  /** Answers the press (a toast, or an alert box), as Telegram expects for every press. */
  answer(text: string, alert?: boolean): Promise<unknown>;
}

export function messageOf(ctx: Context): TgMessage | undefined {
  return (ctx.update as { message?: TgMessage }).message;
}

export function callbackQueryOf(ctx: Context): TgCallbackQuery | undefined {
  return (ctx.update as { callback_query?: TgCallbackQuery }).callback_query;
}

/** Answers a button press; Telegram shows at most 200 characters. */
export function answerPress(ctx: Context, query: TgCallbackQuery, text: string, alert = false) {
  return ctx.telegram.answerCbQuery(query.id, text.slice(0, 200), alert ? { show_alert: true } : {});
}
