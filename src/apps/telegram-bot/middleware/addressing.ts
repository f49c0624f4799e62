import type { MiddlewareFn } from 'telegraf';
import { type BotContext, messageOf } from '../bot-context.js';
import { parseCommand } from '../parse-command.js';

/**
 * Which messages are for this bot. In a private chat, all of them; in a group, only commands
 * addressed to it: /cmd@ThisBot, or a command in reply to one of its messages. /cmd@OtherBot is
 * never ours. Sets ctx.command and, in groups, ctx.replyTo (answers quote the command). Button
 * presses pass through: they can only be on the bot's own messages.
 */
export const addressing: MiddlewareFn<BotContext> = async (ctx, next) => {
  const message = messageOf(ctx);
  if (!message) return next();
  const me = ctx.tools.me();
  if (!message.from || !me) return;
  const isPrivate = message.chat.type === 'private';
  const command = parseCommand(message.text || message.caption);
  if (command?.mention && command.mention.toLowerCase() !== me.username.toLowerCase()) return;
  if (!isPrivate) {
    const addressed = command?.mention !== undefined || message.reply_to_message?.from?.id === me.id;
    if (!command || !addressed) return;
  }
  ctx.command = command;
  ctx.replyTo = isPrivate ? undefined : message.message_id;
  return next();
};
