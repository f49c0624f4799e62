import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stringify } from 'yaml';

/** The repository root, wherever the tests run from. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(REPO_ROOT, 'src/apps/cli/main.ts');
/** `node --import tsx` needs tsx resolvable from the working directory; the URL works from anywhere. */
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface ProcessResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface QuotecastProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves when standard error (or out) has matched `pattern`; rejects after `timeoutMs` or on exit. */
  waitForOutput(
    pattern: RegExp,
    options?: { timeoutMs?: number; stream?: 'stdout' | 'stderr' },
  ): Promise<void>;
  readonly exited: Promise<ProcessResult>;
  kill(signal: NodeJS.Signals): void;
}

export interface SpawnOptions {
  /** The whole environment of the child (see `childEnv`): nothing leaks in from the test runner. */
  readonly env: Readonly<Record<string, string>>;
  /** Working directory: a temp dir, so no `.env` or config of the developer's is picked up. */
  readonly cwd: string;
  readonly input?: string;
  /** Path of the built bundle (dist/quotecast.mjs) to run instead of the TypeScript sources. */
  readonly bundle?: string;
}

/**
 * A clean environment for the CLI: the few variables Node needs plus `extra`. Credentials a developer
 * has exported never reach a test's child process.
 */
export function childEnv(extra: Readonly<Record<string, string>>): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'SYSTEMROOT'];
  const env: Record<string, string> = {};
  for (const key of keep) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return { ...env, LOG_LEVEL: 'info', ...extra };
}

/**
 * `childEnv` for commands that need no account: the shipped settings (config/default.yaml, so run
 * from the repository root), dry run, and empty values that override any credentials or API roots a
 * developer's .env holds.
 */
export function dryRunEnv(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return childEnv({
    QUOTECAST_CONFIG: 'config/default.yaml',
    QUOTECAST_DRY_RUN: '1',
    TELEGRAM_BOT_TOKEN: '',
    TELEGRAM_ADMIN_IDS: '',
    TWITTER_API_ROOT: '',
    TELEGRAM_API_ROOT: '',
    ...extra,
  });
}

/** Starts `quotecast <args>` as `node --import tsx src/apps/cli/main.ts <args>`. */
export function spawnQuotecast(args: readonly string[], options: SpawnOptions): QuotecastProcess {
  // `bundle`: run the esbuild bundle `npm start` uses (plain JavaScript) instead of the TS sources.
  const entry = options.bundle ? [options.bundle] : ['--import', TSX_LOADER, MAIN];
  const child = spawn(process.execPath, [...entry, ...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  const changed = () => {
    for (const listener of [...listeners]) listener();
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    changed();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
    changed();
  });
  child.stdin?.on('error', () => {});
  child.stdin?.end(options.input ?? '');
  let done = false;
  const exited = new Promise<ProcessResult>((resolve) => {
    child.on('close', (code, signal) => {
      done = true;
      changed();
      resolve({ code, signal, stdout: out, stderr: err });
    });
  });
  if (child.pid === undefined) throw new Error('could not start the quotecast process');
  return {
    child,
    pid: child.pid,
    stdout: () => out,
    stderr: () => err,
    exited,
    kill: (signal) => {
      if (!done) child.kill(signal);
    },
    waitForOutput(pattern, { timeoutMs = 45_000, stream = 'stderr' } = {}) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          const text = stream === 'stderr' ? err : out;
          if (pattern.test(text)) finish();
          else if (done) finish(new Error(`quotecast exited before printing ${pattern}:\n${err}`));
        };
        const timer = setTimeout(
          () => finish(new Error(`no ${pattern} on ${stream} within ${timeoutMs} ms:\n${err.slice(-2000)}`)),
          timeoutMs,
        );
        const finish = (error?: Error) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(error);
          else resolve();
        };
        listeners.add(check);
        check();
      });
    },
  };
}

/** Runs one CLI command to completion (killed after `timeoutMs`). */
export async function runQuotecast(
  args: readonly string[],
  options: SpawnOptions & { timeoutMs?: number },
): Promise<ProcessResult> {
  const run = spawnQuotecast(args, options);
  const timer = setTimeout(() => run.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  try {
    return await run.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Writes a settings file (YAML) and returns its path. */
export function writeSettings(
  dir: string,
  settings: Record<string, unknown>,
  name = 'quotecast.yaml',
): string {
  const path = join(dir, name);
  writeFileSync(path, stringify(settings));
  return path;
}

/** Polls until `condition` holds; fails with `what` after `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  what: string,
  { timeoutMs = 10_000, intervalMs = 10 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // A plain boolean is used as it is (no extra turn of the event loop); a promise is awaited.
  const holds = async (): Promise<boolean> => {
    const held = condition();
    return typeof held === 'boolean' ? held : await held;
  };
  while (!(await holds())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Resolves after `ms` of real time. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
