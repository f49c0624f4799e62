import { PassThrough, Readable, Writable } from 'node:stream';
import { createCliContext } from '../../src/apps/cli/cli-context.js';
import { runCli } from '../../src/apps/cli/main.js';

/**
 * The CLI in the test's own process: `runCli(argv, ctx)` with captured output, the same entry point
 * `quotecast` calls after parsing `process.argv`. Use it wherever a subprocess proves nothing more;
 * exit codes through a real process, signals, pipes and the bundle stay in test/contract.
 *
 * What differs from a child process, and how it is made equal:
 * - Environment: `createCliContext` reads configuration through `loadConfig`, which reads
 *   `process.env` (merged with `.env` in the working directory). `env` replaces `process.env` only
 *   while the configuration loads, which is synchronous, so concurrent runs in one test file never
 *   see each other's environment. The rest of the environment (TMPDIR, HOME) stays the runner's.
 * - Log lines: the runtime's logger writes to `process.stderr` directly, not to the context's
 *   stderr, so `stderr` here holds what the CLI itself prints (errors, prompts), not its log.
 * - Signals: `publish` listens for SIGINT/SIGTERM on `process`; runs here never send one.
 */
export interface CliRunOptions {
  /** The whole environment the configuration sees (as a child's `env`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Standard input: its bytes (a closed pipe when omitted), or a stream the test writes to. */
  readonly stdin?: string | Uint8Array | NodeJS.ReadableStream;
  /**
   * Run as on a terminal (like `script` does): standard input, output and error are TTYs, and
   * output and error go to one transcript (both `stdout` and `stderr` return it).
   */
  readonly terminal?: boolean;
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunningCli {
  /** What the run has printed so far. */
  stdout(): string;
  stderr(): string;
  /** A terminal run's keyboard: write keys (`'y\r'`, `'\x03'`) to it. */
  readonly keyboard: PassThrough | undefined;
  readonly done: Promise<CliResult>;
}

/** A writable that keeps what it is given as text; flagged as a TTY when `tty`. */
function capture(sink: { text: string }, tty: boolean): NodeJS.WritableStream {
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      sink.text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      callback();
    },
  });
  if (tty) Object.assign(stream, { isTTY: true, columns: 100, rows: 40 });
  return stream;
}

function inputOf(options: CliRunOptions): { stdin: NodeJS.ReadableStream; keyboard?: PassThrough } {
  if (options.terminal) {
    const keyboard = new PassThrough();
    // readline puts a terminal in raw mode; a fake one has nothing to switch.
    Object.assign(keyboard, { isTTY: true, setRawMode: () => keyboard });
    return { stdin: keyboard, keyboard };
  }
  const given = options.stdin;
  if (given === undefined) return { stdin: Readable.from([]) };
  if (typeof given === 'string' || given instanceof Uint8Array)
    return { stdin: Readable.from([Buffer.from(given)]) };
  return { stdin: given };
}

/** Starts `quotecast ARGV` in this process; see `runCliInProcess` for a run to completion. */
export function startCliInProcess(argv: readonly string[], options: CliRunOptions): RunningCli {
  const out = { text: '' };
  const err = options.terminal ? out : { text: '' };
  const tty = options.terminal ?? false;
  const { stdin, keyboard } = inputOf(options);
  const ctx = createCliContext({
    stdout: capture(out, tty),
    stderr: capture(err, tty),
    stdin,
    cwd: options.cwd,
  });
  const config = ctx.config.bind(ctx);
  const withEnv: typeof ctx = {
    ...ctx,
    config() {
      const runner = process.env;
      process.env = { ...options.env };
      try {
        return config();
      } finally {
        process.env = runner;
      }
    },
  };
  const done = runCli(argv, withEnv).then((code) => ({ code, stdout: out.text, stderr: err.text }));
  return { stdout: () => out.text, stderr: () => err.text, keyboard, done };
}

/** Runs `quotecast ARGV` in this process to completion: exit code and what it printed. */
export function runCliInProcess(argv: readonly string[], options: CliRunOptions): Promise<CliResult> {
  return startCliInProcess(argv, options).done;
}
