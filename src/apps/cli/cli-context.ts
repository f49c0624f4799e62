import { type Config, loadConfig } from '../../config/load-config.js';
import { CliError } from './cli-error.js';
import { EMBEDDED_DEFAULTS } from './package-root.js';

export interface CliContext {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream;
  readonly cwd: string;
  /** Loads and validates configuration once; every problem at once, exit code 2. */
  config(): Config;
}

export function createCliContext(
  io: Pick<CliContext, 'stdout' | 'stderr' | 'stdin'> & { cwd?: string },
): CliContext {
  let cached: Config | undefined;
  const cwd = io.cwd ?? process.cwd();
  return {
    ...io,
    cwd,
    config() {
      if (cached) return cached;
      const outcome = loadConfig({ cwd, embeddedDefaults: EMBEDDED_DEFAULTS });
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
