import { type Config, loadConfig } from '../../config/load-config.js';
import type { Clock } from '../../ports/clock.js';
import type { DocumentParser } from '../../ports/document-parser.js';
import { CliError } from './cli-error.js';
import { EMBEDDED_DEFAULTS } from './package-root.js';

/** The stop requests a command listens to: `process` in the real CLI, an emitter in a test. */
export interface StopSignals {
  on(signal: 'SIGINT' | 'SIGTERM', listener: (signal: NodeJS.Signals) => void): unknown;
  once(signal: 'SIGINT' | 'SIGTERM', listener: (signal: NodeJS.Signals) => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', listener: (signal: NodeJS.Signals) => void): unknown;
}

export interface CliContext {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream;
  readonly cwd: string;
  /**
   * The environment configuration is read from. Unset (the real CLI): `process.env` merged with `.env`
   * in `cwd`. Set (a test running the CLI in its own process): exactly this, and no `.env`.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The runtime's clock (pacing, rate-limit waits, countdowns); unset: the system clock. */
  readonly clock?: Clock;
  /**
   * Where the runtime's log lines go, one line per call without its newline. Unset: file descriptor 2
   * with blocking writes (see adapters/log/stderr-writer.ts), so the last lines before an exit are kept.
   */
  readonly log?: (line: string) => void;
  /**
   * Reads HTML, Markdown and big text. Unset (the real CLI): each command starts a worker parser and
   * closes it when the article is read. Set: this one, left open (a test shares one worker across runs
   * instead of starting a worker thread for each).
   */
  readonly parser?: DocumentParser;
  /**
   * Ctrl-C and SIGTERM: `process` in the real CLI (and when unset); a test passes an emitter to stop a
   * command running in its own process.
   */
  readonly signals?: StopSignals;
  /** Loads and validates configuration once; every problem at once, exit code 2. */
  config(): Config;
}

export type CliContextInput = Pick<CliContext, 'stdout' | 'stderr' | 'stdin'> &
  Partial<Pick<CliContext, 'cwd' | 'env' | 'clock' | 'log' | 'parser' | 'signals'>>;

export function createCliContext(io: CliContextInput): CliContext {
  let cached: Config | undefined;
  const cwd = io.cwd ?? process.cwd();
  return {
    ...io,
    cwd,
    signals: io.signals ?? process,
    config() {
      if (cached) return cached;
      const outcome = loadConfig({
        cwd,
        embeddedDefaults: EMBEDDED_DEFAULTS,
        ...(io.env ? { env: io.env } : {}),
      });
      if (!outcome.ok) {
        throw new CliError(
          `configuration has ${outcome.problems.length} problem${outcome.problems.length === 1 ? '' : 's'}:\n${outcome.problems.map((p) => `  - ${p}`).join('\n')}`,
        );
      }
      cached = outcome.config;
      return cached;
    },
  };
}

/** The stop requests a command listens to. */
export function stopSignals(ctx: CliContext): StopSignals {
  return ctx.signals ?? process;
}

/**
 * The stop of a one-off command: the first SIGINT or SIGTERM aborts `signal` (after `onStop` has said
 * what happens now), so the work in flight finishes and nothing new starts; another one is Node's
 * default (the process ends). `dispose()` stops listening; call it when the command ends.
 */
export function abortOnStop(
  ctx: CliContext,
  onStop: () => void,
): { readonly signal: AbortSignal; dispose(): void } {
  const stop = new AbortController();
  const signals = stopSignals(ctx);
  const onSignal = () => {
    onStop();
    stop.abort();
  };
  signals.once('SIGINT', onSignal);
  signals.once('SIGTERM', onSignal);
  return {
    signal: stop.signal,
    dispose() {
      signals.off('SIGINT', onSignal);
      signals.off('SIGTERM', onSignal);
    },
  };
}

/** What a command's runtime takes from the context: its clock and its log sink, when given. */
export function runtimeSeams(ctx: CliContext): { clock?: Clock; logSink?: (line: string) => void } {
  return { ...(ctx.clock ? { clock: ctx.clock } : {}), ...(ctx.log ? { logSink: ctx.log } : {}) };
}
