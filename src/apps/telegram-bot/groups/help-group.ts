import { type CommandInfo, helpCommand } from '../commands/help-command.js';
import { defineCommandGroup } from './define-command-group.js';

/** /help (and /start, which Telegram sends when a chat with the bot opens): the registry's list. */
export function helpGroup(commands: () => readonly CommandInfo[]) {
  return defineCommandGroup('help', [
    {
      name: 'help',
      args: '',
      description: 'This list',
      aliases: ['start'],
      run: () => helpCommand(commands()),
    },
  ]);
}
