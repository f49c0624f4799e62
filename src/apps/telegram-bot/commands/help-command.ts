import type { Reply } from '../bot-types.js';
import { bold, esc } from '../format-html.js';

export interface CommandInfo {
  readonly name: string;
  readonly args: string;
  /** One line; also the description registered with setMyCommands (3-256 characters). */
  readonly description: string;
}

export function helpCommand(commands: readonly CommandInfo[]): Reply {
  const lines = commands.map((c) => `/${c.name}${c.args ? ` ${esc(c.args)}` : ''} — ${esc(c.description)}`);
  return {
    html: [
      bold('quotecast admin bot'),
      '',
      ...lines,
      '',
      esc('Post ids look like #42 (see /queue), article ids like a12 (see /articles).'),
    ].join('\n'),
  };
}
