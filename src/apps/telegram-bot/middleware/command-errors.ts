import type { MiddlewareFn } from 'telegraf';
import type { BotContext, BotTools } from '../bot-context.js';
import type { Reply } from '../bot-types.js';
import { esc } from '../format-html.js';

/**
 * A command that throws answers "Something went wrong" and the log has what went wrong (the token
 * redacted). Only commands: a button that fails is logged by chat-order, and a reply that cannot be
 * sent is not retried with another reply.
 */
export const commandErrors: MiddlewareFn<BotContext> = async (ctx, next) => {
  const { request } = ctx;
  if (!request) return next();
  try {
    await next();
  } catch (error) {
    ctx.result = commandFailed(ctx.tools, request.name, error);
  }
};

/** Logs a command's failure and gives the reply the admin sees instead of its answer. */
export function commandFailed(tools: BotTools, command: string, error: unknown): Reply {
  tools.services.logger.error('Telegram admin bot: command failed', {
    command,
    error: tools.describe(error),
  });
  return { html: `⚠️ Something went wrong while handling /${esc(command)}; the log has the details.` };
}
