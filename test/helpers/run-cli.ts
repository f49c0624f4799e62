import { EventEmitter } from 'node:events';
import { PassThrough, Readable, Writable } from 'node:stream';
import { createCliContext } from '../../src/apps/cli/cli-context.js';
import { runCli } from '../../src/apps/cli/main.js';
import type { Clock } from '../../src/ports/clock.js';
import type { DocumentParser } from '../../src/ports/document-parser.js';

/**
 * The CLI in the test's own process: `runCli(argv, ctx)` with captured output, the same entry point
 * `quotecast` calls after parsing `process.argv`. Use it wherever a subprocess proves nothing more;
 * exit codes through a real process, signals, pipes and the bundle stay in test/contract.
 *
 * What differs from a child process, and how it is made equal:
 * - Environment: the context's `env` is exactly what configuration sees (no `.env` is read, as in a
 *   child given `env`); `process.env` is never touched, so concurrent runs cannot see each other's.
 * - Log lines: the runtime's logger writes through the context's sink; they land in `stderr`, where a
 *   child's go, and also in `log` alone.
 * - Documents: pass `parser` to share one worker parser across runs (the CLI starts one per run).
 * - Time: pass `clock` (test/helpers/fake-clock.ts) and pacing, rate-limit waits and countdowns run
 *   on it; without one, the system clock.
 * - Signals: the run listens to its own emitter, not `process`; `stop()` is Ctrl-C (or SIGTERM).
 *   Send one: a second one seconds later makes `start` end the process, as it does for real.
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
  /** The runtime's clock; the system clock when omitted. */
  readonly clock?: Clock;
  /**
   * A document parser the test made (and closes), shared by its runs: each run otherwise starts its
   * own worker thread for HTML and Markdown, most of a second of CPU.
   */
  readonly parser?: DocumentParser;
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  /** What the CLI printed on standard error, log lines included (as a child's). */
  readonly stderr: string;
  /** The runtime's log lines only. */
  readonly log: string;
}

export interface RunningCli {
  /** What the run has printed so far. */
  stdout(): string;
  stderr(): string;
  log(): string;
  /** Sends the run a stop request, as Ctrl-C (SIGINT, the default) or SIGTERM would. */
  stop(signal?: 'SIGINT' | 'SIGTERM'): void;
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
  const log = { text: '' };
  const tty = options.terminal ?? false;
  const { stdin, keyboard } = inputOf(options);
  const signals = new EventEmitter();
  const ctx = createCliContext({
    stdout: capture(out, tty),
    stderr: capture(err, tty),
    stdin,
    cwd: options.cwd,
    env: options.env,
    signals,
    log: (line) => {
      log.text += `${line}\n`;
      err.text += `${line}\n`;
    },
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.parser ? { parser: options.parser } : {}),
  });
  const done = runCli(argv, ctx).then((code) => ({
    code,
    stdout: out.text,
    stderr: err.text,
    log: log.text,
  }));
  return {
    stdout: () => out.text,
    stderr: () => err.text,
    log: () => log.text,
    stop: (signal = 'SIGINT') => signals.emit(signal, signal),
    keyboard,
    done,
  };
}

/** Runs `quotecast ARGV` in this process to completion: exit code and what it printed. */
export function runCliInProcess(argv: readonly string[], options: CliRunOptions): Promise<CliResult> {
  return startCliInProcess(argv, options).done;
}
