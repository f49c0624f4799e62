import type { Logger } from '../../ports/logger.js';
import { redactSecrets } from './redact-secrets.js';
import { createStderrWriter } from './stderr-writer.js';

// The publishers' error classifiers import it from here.
export { redactSecrets };

export interface ConsoleLoggerOptions {
  /** Values that must never appear in output (tokens, keys); replaced by `[redacted]`. */
  readonly secrets: readonly string[];
  readonly write?: (line: string) => void;
  readonly level?: 'debug' | 'info' | 'warn' | 'error';
  readonly now?: () => Date;
}

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;

/** Human-readable log lines on stderr: `time level message key=value ...`, secrets redacted. */
export function createConsoleLogger(options: ConsoleLoggerOptions): Logger {
  const write = options.write ?? createStderrWriter();
  const min = LEVELS[options.level ?? 'info'];
  const now = options.now ?? (() => new Date());
  const log = (level: keyof typeof LEVELS) => (message: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < min) return;
    const parts = [now().toISOString(), level.toUpperCase().padEnd(5), message];
    for (const [key, value] of Object.entries(fields ?? {})) {
      if (value === undefined) continue;
      const shown =
        value instanceof Error ? value.message : typeof value === 'string' ? value : JSON.stringify(value);
      parts.push(`${key}=${shown}`);
    }
    write(redactSecrets(parts.join(' '), options.secrets));
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
