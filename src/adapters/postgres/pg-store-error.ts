import { StoreError } from '../sqlite/store-error.js';

/**
 * The store URL as it may be shown anywhere (messages, logs, `StoreError.path`): the password, and
 * any query parameter that carries one, replaced by `***`. `postgres://ada:s3cret@db:5432/quotecast`
 * becomes `postgres://ada:***@db:5432/quotecast`. A string that is not a URL at all keeps nothing
 * after its scheme, since we cannot tell where a secret in it would be.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0];
    return scheme ? `${scheme}***` : '***';
  }
  if (parsed.password !== '') parsed.password = '***';
  for (const key of [...parsed.searchParams.keys()])
    if (/pass|secret|key/i.test(key)) parsed.searchParams.set(key, '***');
  // URL escapes the stars in the password and the query; shown as typed, they read as a mask.
  return parsed.href.replaceAll('%2A', '*');
}

/** `host:port/db` of the URL, for "cannot reach PostgreSQL at …" (never the user or password). */
export function serverOf(url: string): string {
  try {
    const parsed = new URL(url);
    const host = parsed.hostname === '' ? 'localhost' : parsed.hostname;
    const port = parsed.port === '' ? '5432' : parsed.port;
    return `${host}:${port}${parsed.pathname === '' ? '/' : parsed.pathname}`;
  } catch {
    return redactUrl(url);
  }
}

/** SQLSTATE of a server error, or the Node code (ECONNREFUSED…) of a network one. */
function codeOf(error: unknown): string {
  if (typeof error !== 'object' || error === null || !('code' in error)) return '';
  return typeof error.code === 'string' ? error.code : '';
}

/**
 * What went wrong, in one line. Node 20 reports a refused `localhost` (tried on ::1 and 127.0.0.1)
 * as an AggregateError with an empty message: its parts say it.
 */
function reasonOf(error: unknown): string {
  if (error instanceof AggregateError && error.message === '') {
    const parts = error.errors.map((part) => (part instanceof Error ? part.message : String(part)));
    return [...new Set(parts)].join('; ') || codeOf(error) || 'connection failed';
  }
  if (error instanceof Error) return error.message || codeOf(error) || error.name;
  return String(error);
}

/** Network failures: the server is not there, not answering, or went away mid-query. */
const UNREACHABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/**
 * SQLSTATEs of a server that is going away or not ready: class 08 (connection exception),
 * admin/crash shutdown, starting up (57P01–57P03).
 */
function isUnreachable(error: unknown): boolean {
  const code = codeOf(error);
  if (UNREACHABLE_NODE_CODES.has(code)) return true;
  if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return true;
  // pg's own messages when the socket closes or the connect attempt times out carry no code.
  const message = error instanceof Error ? error.message : '';
  return /^Connection terminated|^Client has encountered a connection error|^Connection ended/.test(message);
}

/**
 * SQLSTATEs of waiting too long: lock_not_available (a lock_timeout or NOWAIT), query_canceled (a
 * statement_timeout), serialization failure and deadlock still losing after pg-db.ts's retries.
 */
const BUSY_CODES = new Set(['55P03', '57014', '40001', '40P01']);

/**
 * A failed statement or connection as a StoreError named by what the operator has to do, like the
 * SQLite adapter's (see store-error.ts): `unreadable` for a server we cannot reach or may not use,
 * `busy` for a wait that ran out, `disk-full` for 53100. Anything else (a bug, a constraint) is
 * returned unchanged, as is a StoreError. Messages name the server by `redactUrl` only.
 */
export function translatePgError(url: string, error: unknown): unknown {
  if (error instanceof StoreError) return error;
  const shown = redactUrl(url);
  const server = serverOf(url);
  const code = codeOf(error);
  const reason = reasonOf(error);
  if (code === 'ERR_INVALID_URL') {
    // No cause: Node's error keeps the whole string, password included, in its `input`.
    return new StoreError(
      'unreadable',
      shown,
      `store.url / DATABASE_URL is not a valid URL (${shown}): expected postgres://user:password@host:port/database`,
    );
  }
  if (code === '53100') {
    return new StoreError(
      'disk-full',
      shown,
      `no space left on the disk of the PostgreSQL server at ${server} (${reason}); nothing was written: ` +
        'free some space on the server and try again',
      { cause: error },
    );
  }
  if (BUSY_CODES.has(code)) {
    return new StoreError(
      'busy',
      shown,
      `PostgreSQL at ${server} gave up waiting for a lock held by another session (${reason}); nothing was written, try again`,
      { cause: error },
    );
  }
  if (
    code === '53300' ||
    (error instanceof Error && error.message === 'timeout exceeded when trying to connect')
  ) {
    return new StoreError(
      'busy',
      shown,
      `no free connection to PostgreSQL at ${server} (${reason}); nothing was written, try again ` +
        '(or raise the server max_connections)',
      { cause: error },
    );
  }
  if (code === '28P01' || code === '28000') {
    return new StoreError(
      'unreadable',
      shown,
      `PostgreSQL at ${server} refused the login (${reason}): fix the user or password in store.url / DATABASE_URL`,
      { cause: error },
    );
  }
  if (code === '3D000') {
    return new StoreError(
      'unreadable',
      shown,
      `PostgreSQL at ${server} has no such database (${reason}): create it (createdb) or fix store.url / DATABASE_URL`,
      { cause: error },
    );
  }
  if (isUnreachable(error)) {
    return new StoreError(
      'unreadable',
      shown,
      `cannot reach PostgreSQL at ${server} (${reason}): start the server or fix store.url / DATABASE_URL`,
      { cause: error },
    );
  }
  return error;
}
