import type { MiddlewareFn } from 'telegraf';
import type { BotContext } from '../bot-context.js';
import type { Reply } from '../bot-types.js';
import { commandFailed } from './command-errors.js';

/**
 * Delivers what a command answered (ctx.result). A quick answer is one message. A slow one (publishing,
 * fetching a page, reading a file) answers "working…" at once and edits that message when the result
 * is ready; the slow part runs outside the chat's queue, so the next command is not held up by it.
 */
export const slowReplies: MiddlewareFn<BotContext> = async (ctx, next) => {
  const { request } = ctx;
  if (!request) return next();
  await next();
  const result = ctx.result;
  if (!result) return;
  const { tools, replyTo } = ctx;
  const chatId = request.chatId;
  if ('html' in result) {
    await tools.send(chatId, result, replyTo);
    return;
  }
  const working = await tools.send(chatId, { html: result.working }, replyTo);
  void tools.track(
    (async () => {
      let reply: Reply;
      try {
        reply = await result.finish();
      } catch (error) {
        reply = commandFailed(tools, request.name, error);
      }
      try {
        await tools.edit(chatId, working.message_id, reply);
      } catch {
        await tools.send(chatId, reply, replyTo);
      }
    })().catch((error: unknown) =>
      tools.services.logger.error('Telegram admin bot: could not deliver a reply', {
        error: tools.describe(error),
      }),
    ),
  );
};
