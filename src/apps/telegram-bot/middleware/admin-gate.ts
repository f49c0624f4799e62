import type { MiddlewareFn } from 'telegraf';
import { answerPress, type BotContext, callbackQueryOf, messageOf, type TgUser } from '../bot-context.js';
import type { Admin } from '../bot-types.js';
import { esc } from '../format-html.js';

/** GroupAnonymousBot: what `from` says for a message an anonymous group admin sent as the group. */
const ANONYMOUS_ADMIN_ID = 1087968824;
const ANONYMOUS =
  'You are writing as the group (an anonymous admin), so I cannot tell who you are. Send the command as yourself: turn off "Remain anonymous" in your admin rights for this group, or write to me in a private chat.';

const REFUSAL =
  'Sorry, this is a private bot: only the newsroom’s editors can use it. If you are one, ask an admin to add your Telegram user id';

/**
 * Only admins get further; ctx.admin says who. A stranger's message gets one refusal, then silence
 * (the refusal gate rations answers and log lines, see refusal-gate.ts); a stranger's button press
 * gets a toast every time, since a toast costs nothing of the token's message budget.
 */
export const adminGate: MiddlewareFn<BotContext> = async (ctx, next) => {
  const { admins, refusals, send } = ctx.tools;
  const query = callbackQueryOf(ctx);
  if (query) {
    if (!admins.has(query.from.id)) {
      const { id, username } = query.from;
      refusals.admit({ id, username, chat: id, what: '(button)' });
      await answerPress(ctx, query, `${REFUSAL} (${id}).`, true);
      return;
    }
    ctx.admin = adminOf(query.from);
    return next();
  }
  const message = messageOf(ctx);
  const from = message?.from;
  if (!message || !from) return;
  if (admins.has(from.id)) {
    ctx.admin = adminOf(from);
    return next();
  }
  const chatId = message.chat.id;
  const what = ctx.command?.name ?? '(message)';
  if (!refusals.admit({ id: from.id, username: from.username, chat: chatId, what })) return;
  // A group's anonymous admin writes as the group: Telegram shows the same id for every one of them.
  const anonymous = from.id === ANONYMOUS_ADMIN_ID || message.sender_chat?.id === chatId;
  await send(chatId, { html: esc(anonymous ? ANONYMOUS : `${REFUSAL} (${from.id}).`) }, ctx.replyTo);
};

function adminOf(user: TgUser): Admin {
  const name = user.username ? `@${user.username}` : (user.first_name ?? 'admin');
  return { id: user.id, label: `${name} (${user.id})` };
}
