import type { Reply } from '../bot-types.js';
import { bold, esc } from '../format-html.js';

export interface CommandInfo {
  readonly name: string;
  readonly args: string;
  /** One line; also the description registered with setMyCommands (3-256 characters). */
  readonly description: string;
}

/** Every command, in the order /help lists them. */
export const COMMANDS: readonly CommandInfo[] = [
  {
    name: 'status',
    args: '',
    description: 'Queue counts, next slot, daily cap left and pause state per channel',
  },
  {
    name: 'queue',
    args: '[channel] [n]',
    description: 'The next n posts (default 10) with ids and slot times',
  },
  {
    name: 'add',
    args: '<text | URL>',
    description: 'Preview an article: text, a URL, a reply to a message, or a .txt/.md/.html file',
  },
  {
    name: 'approve',
    args: '<article>',
    description: 'Let an article queued with "Queue" go out at its slots',
  },
  {
    name: 'preview',
    args: '<post> | a<article>',
    description: 'A post exactly as it will be sent, or an article',
  },
  { name: 'articles', args: '[n]', description: 'The latest articles and the state of their posts' },
  { name: 'skip', args: '<post>', description: 'Never publish this post' },
  { name: 'retry', args: '<post>', description: 'Queue a failed, skipped or unknown post again' },
  {
    name: 'resolve',
    args: '<post> sent [id] | resend',
    description: 'Decide a post of unknown outcome; a thread part needs its message id',
  },
  {
    name: 'unknown',
    args: '',
    description: 'Posts of unknown outcome, with buttons to mark each as sent or send it again',
  },
  {
    name: 'edit',
    args: '<post> <new text>',
    description: "Replace an unsent post's text (checked against the limit)",
  },
  { name: 'delete', args: '<article>', description: "Remove an article's unsent posts; published ones stay" },
  { name: 'next', args: '[channel]', description: "Publish a channel's next post now" },
  { name: 'pause', args: '[channel]', description: 'Stop publishing (every channel when none is named)' },
  {
    name: 'resume',
    args: '[channel]',
    description: 'Publish again (every paused channel when none is named)',
  },
  { name: 'schedule', args: '[channel]', description: 'The next 10 slot times and what goes out at each' },
  { name: 'help', args: '', description: 'This list' },
];

export function helpCommand(): Reply {
  const lines = COMMANDS.map((c) => `/${c.name}${c.args ? ` ${esc(c.args)}` : ''} — ${esc(c.description)}`);
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
