import { unknownPage } from '../alert-messages.js';
import type { BotServices, CommandRequest, CommandResult } from '../bot-types.js';
import { addCommand } from './add-command.js';
import { nextCommand, pauseCommand, resumeCommand, scheduleCommand } from './channel-commands.js';
import { type CommandInfo, helpCommand } from './help-command.js';
import {
  approveCommand,
  articlesCommand,
  deleteCommand,
  editCommand,
  previewCommand,
  resolveCommand,
  retryCommand,
  skipCommand,
} from './post-commands.js';
import { queueCommand } from './queue-command.js';
import { statusCommand } from './status-command.js';

export interface BotCommand extends CommandInfo {
  readonly run: (s: BotServices, req: CommandRequest) => CommandResult;
}

/**
 * Every command, in the order /help lists them: the one list that /help, Telegram's command menu
 * (setMyCommands) and the bot's dispatch all read. A new command is one entry here.
 */
export const COMMANDS: readonly BotCommand[] = [
  {
    name: 'status',
    args: '',
    description: 'Queue counts, next slot, daily cap left and pause state per channel',
    run: (s) => statusCommand(s),
  },
  {
    name: 'queue',
    args: '[channel] [n]',
    description: 'The next n posts (default 10) with ids and slot times',
    run: (s, req) => queueCommand(s, req.args),
  },
  {
    name: 'add',
    args: '<text | URL>',
    description: 'Preview an article: text, a URL, a reply to a message, or a .txt/.md/.html file',
    run: (s, req) => addCommand(s, req),
  },
  {
    name: 'approve',
    args: '<article>',
    description: 'Let an article queued with "Queue" go out at its slots',
    run: (s, req) => approveCommand(s, req.args),
  },
  {
    name: 'preview',
    args: '<post> | a<article>',
    description: 'A post exactly as it will be sent, or an article',
    run: (s, req) => previewCommand(s, req.args),
  },
  {
    name: 'articles',
    args: '[n]',
    description: 'The latest articles and the state of their posts',
    run: (s, req) => articlesCommand(s, req.args),
  },
  {
    name: 'skip',
    args: '<post>',
    description: 'Never publish this post',
    run: (s, req) => skipCommand(s, req.args),
  },
  {
    name: 'retry',
    args: '<post>',
    description: 'Queue a failed, skipped or unknown post again',
    run: (s, req) => retryCommand(s, req.args),
  },
  {
    name: 'resolve',
    args: '<post> sent [id] | resend',
    description: 'Decide a post of unknown outcome; a thread part needs its message id',
    run: (s, req) => resolveCommand(s, req.args),
  },
  {
    name: 'unknown',
    args: '',
    description: 'Posts of unknown outcome, with buttons to mark each as sent or send it again',
    run: (s) => unknownPage(s.deps.store, 0),
  },
  {
    name: 'edit',
    args: '<post> <new text>',
    description: "Replace an unsent post's text (checked against the limit)",
    run: (s, req) => editCommand(s, req.args),
  },
  {
    name: 'delete',
    args: '<article>',
    description: "Remove an article's unsent posts; published ones stay",
    run: (s, req) => deleteCommand(s, req.args),
  },
  {
    name: 'next',
    args: '[channel]',
    description: "Publish a channel's next post now",
    run: (s, req) => nextCommand(s, req.args),
  },
  {
    name: 'pause',
    args: '[channel]',
    description: 'Stop publishing (every channel when none is named)',
    run: (s, req) => pauseCommand(s, req.args, req.admin),
  },
  {
    name: 'resume',
    args: '[channel]',
    description: 'Publish again (every paused channel when none is named)',
    run: (s, req) => resumeCommand(s, req.args, req.admin),
  },
  {
    name: 'schedule',
    args: '[channel]',
    description: 'The next 10 slot times and what goes out at each',
    run: (s, req) => scheduleCommand(s, req.args),
  },
  { name: 'help', args: '', description: 'This list', run: () => helpCommand(COMMANDS) },
];

/** Other names a command answers to: Telegram sends /start when a chat with the bot is opened. */
const ALIASES: Readonly<Record<string, string>> = { start: 'help' };

export function findCommand(name: string): BotCommand | undefined {
  const wanted = ALIASES[name] ?? name;
  return COMMANDS.find((c) => c.name === wanted);
}
