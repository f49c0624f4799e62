import type { MiddlewareFn } from 'telegraf';
import { type BotContext, callbackQueryOf, messageOf } from '../bot-context.js';

/**
 * One chat's updates in order, never holding up polling: the rest of the chain runs in the chat's
 * queue and this returns at once, so telegraf takes the next update (of this chat or another)
 * meanwhile. A failure is logged and does not block the chat's next update. Updates that are neither
 * a message nor a button press stop here.
 */
export function createChatOrder(): MiddlewareFn<BotContext> {
  const chains = new Map<number, Promise<void>>();
  return async (ctx, next) => {
    const query = callbackQueryOf(ctx);
    const chatId = query ? (query.message?.chat.id ?? query.from.id) : messageOf(ctx)?.chat.id;
    if (chatId === undefined) return;
    const { tools } = ctx;
    const previous = chains.get(chatId) ?? Promise.resolve();
    const queued = previous
      .then(() => next())
      .catch((error: unknown) => {
        tools.services.logger.error('Telegram admin bot: handling an update failed', {
          error: tools.describe(error),
        });
      });
    chains.set(chatId, queued);
    void tools.track(queued).finally(() => {
      if (chains.get(chatId) === queued) chains.delete(chatId);
    });
  };
}
