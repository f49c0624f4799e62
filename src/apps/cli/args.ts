import { parseArgs } from 'node:util';
import { CliError } from './cli-error.js';

type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

/** node:util parseArgs with our error style: unknown flags name the command's own flags. */
export function parseCommandArgs<T extends OptionSpec>(command: string, args: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    const known = Object.keys(options)
      .map((o) => `--${o}`)
      .join(' ');
    throw new CliError(`${command}: ${(error as Error).message.split('\n')[0]} (known options: ${known})`);
  }
}

export function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new CliError(`unknown ${flag} "${value}"; use one of: ${allowed.join(', ')}`);
}
