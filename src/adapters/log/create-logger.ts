import type { Logger } from '../../ports/logger.js';
import { type ConsoleLoggerOptions, createConsoleLogger } from './console-logger.js';
import { createJsonLogger } from './json-logger.js';

export type LogFormat = 'text' | 'json';

export interface LoggerOptions extends ConsoleLoggerOptions {
  /** `text` (the default): one readable line per entry; `json`: one JSON object per line (LOG_FORMAT). */
  readonly format?: LogFormat;
}

/** The application's logger, in the configured format; both redact every configured secret. */
export function createLogger(options: LoggerOptions): Logger {
  return options.format === 'json' ? createJsonLogger(options) : createConsoleLogger(options);
}
