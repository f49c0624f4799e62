import type { MiddlewareFn } from 'telegraf';
import { answerPress, type BotContext, callbackQueryOf, messageOf, type TgMessage } from '../bot-context.js';
import type { AddSource, IncomingDocument } from '../bot-types.js';
import { decodeCallback } from '../callback-data.js';
import { esc } from '../format-html.js';

const NOT_A_COMMAND =
  'I only understand commands: /help lists them. To add an article, send /add followed by its text, a link or a file.';

/**
 * Turns an admin's message into ctx.request (the command, its arguments and, for /add, where the
 * article comes from: the text, a link, the message's file or the replied message; a file sent
 * without a command is an /add) and an admin's button press into ctx.press. What is neither gets an
 * answer here and goes no further.
 */
export const parseRequest: MiddlewareFn<BotContext> = async (ctx, next) => {
  const { admin } = ctx;
  if (!admin) return;
  const { logger } = ctx.tools.services;
  const query = callbackQueryOf(ctx);
  if (query) {
    const action = decodeCallback(query.data ?? '');
    const message = query.message;
    const answer = (text: string, alert?: boolean) => answerPress(ctx, query, text, alert);
    if (!action || !message) {
      await answer('This button no longer works; send the command again.', true);
      return;
    }
    logger.info('admin button from Telegram', { action: action.kind, by: admin.label });
    ctx.press = { action, message, admin, answer };
    return next();
  }
  const message = messageOf(ctx);
  if (!message) return;
  const name = ctx.command?.name ?? (message.document ? 'add' : undefined);
  if (!name) {
    await ctx.tools.send(message.chat.id, { html: esc(NOT_A_COMMAND) });
    return;
  }
  const args = ctx.command?.args ?? '';
  ctx.request = {
    name,
    args,
    admin,
    chatId: message.chat.id,
    addSource: name === 'add' ? addSourceOf(message, args) : { kind: 'none' },
  };
  logger.info('admin command from Telegram', { command: name, by: admin.label, chat: message.chat.id });
  return next();
};

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
