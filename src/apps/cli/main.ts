import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { type CliContext, createCliContext } from './cli-context.js';
import { CliError, EXIT_BAD_INPUT, EXIT_FAILURE } from './cli-error.js';
import {
  ADD_USAGE,
  ARTICLE_USAGE,
  FEEDS_USAGE,
  KILL_USAGE,
  MIGRATE_STORE_USAGE,
  PUBLISH_USAGE,
  RESOLVE_USAGE,
  SPLIT_USAGE,
} from './usage.js';

type Run = (ctx: CliContext, args: readonly string[]) => Promise<number>;

/**
 * Commands load on first use: `split` need not load SQLite, telegraf or twitter-api-v2, which keeps
 * every CLI start (and every subprocess test) fast.
 */
const lazy =
  <M>(load: () => Promise<M>, pick: (module: M) => Run): Run =>
  async (ctx, args) =>
    pick(await load())(ctx, args);

type Command = {
  run: Run;
  usage: string;
  summary: string;
};

const COMMANDS: Record<string, Command> = {
  split: {
    run: lazy(
      () => import('./commands/split-command.js'),
      (m) => m.splitCommand,
    ),
    usage: SPLIT_USAGE,
    summary: 'split an article into posts and print them',
  },
  sentences: {
    run: lazy(
      () => import('./commands/sentences-command.js'),
      (m) => m.sentencesCommand,
    ),
    usage: 'sentences [FILE|-] [--format json|text]',
    summary: 'print the article body cut into sentences, as the splitter sees them',
  },
  start: {
    run: lazy(
      () => import('./commands/start-command.js'),
      (m) => m.startCommand,
    ),
    usage: 'start [--example|--no-example]',
    summary: 'run the scheduler daemon (and the Telegram admin bot when configured)',
  },
  publish: {
    run: lazy(
      () => import('./commands/publish-command.js'),
      (m) => m.publishCommand,
    ),
    usage: PUBLISH_USAGE,
    summary: 'publish one article now (same store and state machine as the daemon)',
  },
  add: {
    run: lazy(
      () => import('./commands/add-command.js'),
      (m) => m.addCommand,
    ),
    usage: ADD_USAGE,
    summary: 'split an article for each channel and queue it',
  },
  status: {
    run: lazy(
      () => import('./commands/queue-commands.js'),
      (m) => m.statusCommand,
    ),
    usage: 'status [--check] [--format json|text]',
    summary:
      'per channel: queue counts, next slot, daily cap left, pauses, failures; --check: full integrity check of the store file',
  },
  queue: {
    run: lazy(
      () => import('./commands/queue-commands.js'),
      (m) => m.queueCommand,
    ),
    usage:
      'queue [--channel a,b] [--state queued|sent|failed|unknown|skipped] [--limit N] [--format json|text]',
    summary: 'list posts in publishing order',
  },
  schedule: {
    run: lazy(
      () => import('./commands/queue-commands.js'),
      (m) => m.scheduleCommand,
    ),
    usage: 'schedule [--days N] [--channel a,b] [--format json|text]',
    summary: 'preview the next slots and which post goes in each',
  },
  article: {
    run: lazy(
      () => import('./commands/kill-commands.js'),
      (m) => m.articleCommand,
    ),
    usage: ARTICLE_USAGE,
    summary: 'an article and where it went: per channel each post, its link, and whether it was taken down',
  },
  kill: {
    run: lazy(
      () => import('./commands/kill-commands.js'),
      (m) => m.killCommand,
    ),
    usage: KILL_USAGE,
    summary: 'pull an article everywhere: drop its queued posts, delete its published ones',
  },
  feeds: {
    run: lazy(
      () => import('./commands/feeds-command.js'),
      (m) => m.feedsCommand,
    ),
    usage: FEEDS_USAGE,
    summary: 'list the feeds with their health, or poll them now (--dry-run: what would be queued)',
  },
  'migrate-store': {
    run: lazy(
      () => import('./commands/migrate-store-command.js'),
      (m) => m.migrateStoreCommand,
    ),
    usage: MIGRATE_STORE_USAGE,
    summary: 'copy the SQLite store (history, queue, tokens) into an empty PostgreSQL database',
  },
  retry: {
    run: lazy(
      () => import('./commands/admin-commands.js'),
      (m) => m.retryCommand,
    ),
    usage: 'retry POST_ID',
    summary: 'queue a failed, skipped or unknown post again',
  },
  skip: {
    run: lazy(
      () => import('./commands/admin-commands.js'),
      (m) => m.skipCommand,
    ),
    usage: 'skip POST_ID',
    summary: 'never publish this post',
  },
  resolve: {
    run: lazy(
      () => import('./commands/admin-commands.js'),
      (m) => m.resolveCommand,
    ),
    usage: RESOLVE_USAGE,
    summary: 'decide a post of unknown outcome after a crash',
  },
  pause: {
    run: lazy(
      () => import('./commands/admin-commands.js'),
      (m) => m.pauseCommand,
    ),
    usage: 'pause CHANNEL',
    summary: 'stop a channel publishing',
  },
  resume: {
    run: lazy(
      () => import('./commands/admin-commands.js'),
      (m) => m.resumeCommand,
    ),
    usage: 'resume CHANNEL',
    summary: 'let a paused channel publish again',
  },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(
    ([name, c]) =>
      `  ${name.padEnd(width)}  ${c.summary}\n  ${' '.repeat(width)}  usage: quotecast ${c.usage}`,
  );
  return `quotecast: splits articles into posts and publishes them to X and Telegram\n\ncommands:\n${lines.join('\n')}\n\nexit codes: 0 success, 1 failure while working, 2 bad input or configuration\n`;
}

/** Runs one CLI command; returns the exit code. Expected failures print one line on stderr. */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    ctx.stdout.write(usage());
    return name ? 0 : EXIT_BAD_INPUT;
  }
  const command = COMMANDS[name];
  if (!command) {
    ctx.stderr.write(
      `quotecast: unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(', ')} (quotecast help)\n`,
    );
    return EXIT_BAD_INPUT;
  }
  if (args.includes('--help') || args.includes('-h')) {
    ctx.stdout.write(`usage: quotecast ${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(ctx, args);
  } catch (error) {
    if (error instanceof CliError) {
      ctx.stderr.write(`quotecast ${name}: ${error.message}\n`);
      return error.exitCode;
    }
    ctx.stderr.write(`quotecast ${name}: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    return EXIT_FAILURE;
  }
}

/**
 * A reader that goes away (`quotecast split FILE | head -1`) is not a failure: what it did not read
 * is dropped, and the command ends as it would have (exit 0 for `split`), with nothing on standard
 * error. Node ignores SIGPIPE and reports EPIPE as an 'error' event, which unhandled would crash with
 * a stack trace. The process is not ended here on purpose: a `publish … | head` must still finish
 * the send in flight and record it, or the queue would hold a post it cannot account for.
 */
export function ignoreClosedPipe(stream: NodeJS.WriteStream): void {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || (closed && error.code === 'ERR_STREAM_DESTROYED')) {
      closed = true;
      return;
    }
    throw error;
  });
}

/** Whether this module is the program: also through a symlink (an installed `quotecast` bin). */
function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return import.meta.url === pathToFileURL(entry).href;
  }
}

if (isEntryPoint()) {
  ignoreClosedPipe(process.stdout);
  ignoreClosedPipe(process.stderr);
  const ctx = createCliContext({
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    signals: process,
  });
  runCli(process.argv.slice(2), ctx).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`quotecast: ${String(error)}\n`);
      process.exitCode = EXIT_FAILURE;
    },
  );
}
