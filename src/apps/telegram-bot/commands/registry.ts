/**
 * The admin bot's one list of commands. The router (createCommandRouter), /help and Telegram's
 * command menu (setMyCommands) all read COMMANDS; nothing else names a command.
 *
 * To add a command: write its body in commands/ (a function of BotServices and the arguments that
 * returns a Reply, or {working, finish} when it is slow), then add one entry (name, args, description,
 * run) to its group's list in groups/ (status and queue, add, posts, channels, feeds, help). A button goes in
 * the same group module: an onAction('<kind>', …) handler, with the kind encoded in callback-data.ts.
 * A new group is a module in groups/ and one line in GROUPS below (its place is its place in /help).
 */
import { Composer, type MiddlewareFn } from 'telegraf';
import type { BotContext } from '../bot-context.js';
import { esc } from '../format-html.js';
import { addGroup } from '../groups/add-group.js';
import { channelGroup } from '../groups/channel-group.js';
import { type BotCommand, type CommandGroup, groupComposer } from '../groups/define-command-group.js';
import { feedGroup } from '../groups/feed-group.js';
import { helpGroup } from '../groups/help-group.js';
import { postGroup } from '../groups/post-group.js';
import { queueGroup } from '../groups/queue-group.js';

export type { BotCommand } from '../groups/define-command-group.js';

export const GROUPS: readonly CommandGroup[] = [
  queueGroup,
  addGroup,
  postGroup,
  channelGroup,
  feedGroup,
  helpGroup(() => COMMANDS),
];

/** Every command, in the order /help and Telegram's menu list them. */
export const COMMANDS: readonly BotCommand[] = GROUPS.flatMap((g) => g.commands);

/** What setMyCommands registers: Telegram's command menu. */
export function menuCommands(): { command: string; description: string }[] {
  return COMMANDS.map((c) => ({ command: c.name, description: c.description }));
}

/** Every group's composer, then the answer to a command no group knows. */
export function createCommandRouter(): Composer<BotContext> {
  // A name in two groups would answer only in the first: say so when the bot is built.
  const names = COMMANDS.flatMap((c) => [c.name, ...(c.aliases ?? [])]);
  const twice = names.filter((name, i) => names.indexOf(name) !== i);
  if (twice.length > 0) throw new Error(`bot commands registered twice: /${twice.join(', /')}`);
  return new Composer<BotContext>(...GROUPS.map(groupComposer), unknownCommand);
}

const unknownCommand: MiddlewareFn<BotContext> = async (ctx) => {
  const { request, press } = ctx;
  if (request) ctx.result = { html: `⚠️ Unknown command /${esc(request.name)}. /help lists the commands.` };
  // Every kind callback-data.ts decodes has a group; this is for a kind added without one.
  else if (press) await press.answer('This button no longer works; send the command again.', true);
};
