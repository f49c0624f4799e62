import { pino } from 'pino';
import type { Logger } from '../../ports/logger.js';
import type { ConsoleLoggerOptions } from './console-logger.js';
import { createRedactor } from './redact-secrets.js';
import { createStderrWriter } from './stderr-writer.js';

export type JsonLoggerOptions = ConsoleLoggerOptions;

/** Keys pino writes itself; a field of the same name is written as `_level`, `_time`, `_msg`. */
const RESERVED = new Set(['level', 'time', 'msg']);
/** Nested objects deeper than this are cut: a vendor error can hold a whole HTTP exchange. */
const MAX_DEPTH = 6;

/**
 * One JSON object per line on stderr, through pino: `{"level":"info","time":"…","msg":"…", …fields}`.
 *
 * Every string is redacted before pino serializes it (message, field names and values, nested
 * objects, error messages and stacks), so JSON escaping cannot hide a secret from the redactor; the
 * serialized line is checked again as a last net. pino writes to a plain object, with no worker
 * thread, and the default `write` blocks until the line is out (stderr-writer.ts): each line has
 * left when the call returns, so nothing is lost on SIGTERM or a crash.
 */
export function createJsonLogger(options: JsonLoggerOptions): Logger {
  const write = options.write ?? createStderrWriter();
  const now = options.now ?? (() => new Date());
  const redact = createRedactor(options.secrets);
  const destination = { write: (chunk: string) => write(redact(chunk.replace(/\n$/, ''))) };
  const base = pino(
    {
      level: options.level ?? 'info',
      base: null,
      timestamp: () => `,"time":${JSON.stringify(now().toISOString())}`,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  const log =
    (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, fields?: Record<string, unknown>) => {
      if (!base.isLevelEnabled(level)) return;
      base[level](toLogFields(fields, redact), redact(message));
    };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

function toLogFields(fields: Record<string, unknown> | undefined, redact: (text: string) => string) {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields ?? {})) {
    const shown = toLogValue(value, redact, 0, new WeakSet());
    if (shown !== undefined) out[RESERVED.has(key) ? `_${key}` : redact(key)] = shown;
  }
  return out;
}

/** A plain JSON value with every string redacted. */
function toLogValue(
  value: unknown,
  redact: (text: string) => string,
  depth: number,
  seen: WeakSet<object>,
): unknown {
  switch (typeof value) {
    case 'string':
      return redact(value);
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return null;
  const object = value as object;
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
  if (object instanceof URL) return redact(object.href);
  if (ArrayBuffer.isView(object)) return `[${object.byteLength} bytes]`;
  if (seen.has(object)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  seen.add(object);
  try {
    const child = (v: unknown) => toLogValue(v, redact, depth + 1, seen);
    if (object instanceof Error) return errorValue(object, redact, child);
    if (Array.isArray(object) || object instanceof Set) return [...object].map((v) => child(v) ?? null);
    const entries =
      object instanceof Map ? [...object].map(([k, v]) => [String(k), v] as const) : Object.entries(object);
    const out: Record<string, unknown> = {};
    for (const [key, v] of entries) {
      const shown = child(v);
      if (shown !== undefined) out[redact(key)] = shown;
    }
    return out;
  } finally {
    seen.delete(object);
  }
}

/**
 * `{type, message, stack, …}`: the class name (as pino's own serializer gives it), message and stack,
 * the error's own primitive properties (code, errno, syscall, status; one named like ours is written
 * `_type`), and its cause. Object properties are left out: vendor errors carry the whole request and
 * response (headers with credentials, sockets), which belong in no log.
 */
function errorValue(error: Error, redact: (text: string) => string, child: (v: unknown) => unknown) {
  const type =
    error.constructor?.name && error.constructor.name !== 'Object' ? error.constructor.name : error.name;
  const out: Record<string, unknown> = { type: redact(type), message: redact(error.message) };
  if (error.stack) out['stack'] = redact(error.stack);
  for (const [key, v] of Object.entries(error)) {
    if (key === 'message' || key === 'stack' || key === 'cause') continue;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
      out[key in out ? `_${key}` : redact(key)] = child(v);
  }
  if (error.cause !== undefined) out['cause'] = child(error.cause);
  if (error instanceof AggregateError) out['errors'] = child(error.errors);
  return out;
}
