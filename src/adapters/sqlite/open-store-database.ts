import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  copyFileSync,
  fsyncSync,
  linkSync,
  openSync,
  readSync,
  rmSync,
  statSync,
} from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  createPrivateFile,
  ensurePrivateDirectory,
  makeFilePrivate,
  type PermissionWarning,
  warnOnStderr,
} from '../fs/private-files.js';
import { applyMigrations, LATEST_SCHEMA_VERSION, readSchemaVersion } from './migrations.js';
import { diskFullError, StoreError } from './store-error.js';

/** The files SQLite keeps beside a database: all hold its data, so all are as private as the store. */
export const SIDE_FILE_SUFFIXES = ['-wal', '-shm', '-journal'] as const;

/** Short on purpose: the daemon's writes take microseconds, so a long wait means something is wrong. */
export const BUSY_TIMEOUT_MS = 2000;

/** Every SQLite database file starts with these 16 bytes, whatever its journal mode. */
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const SQLITE_HEADER_BYTES = 100;
/** How many of SQLite's findings an error message quotes; `status --check` lists them all. */
const PROBLEMS_QUOTED = 3;

const RESTORE_OR_MOVE =
  'If it should hold your history, restore it from a backup; if you meant to start afresh, move it ' +
  'away (quotecast then creates a new store there), or point store.path at the right file';

/**
 * Opens and migrates the store file, creating it only when nothing exists at `path`. Everything that
 * could reveal a wrong or damaged file is read before anything is written, so a file that is not ours
 * is never touched: an existing file must be a whole SQLite database (an empty file is not a new
 * store: it is a store that lost its history, and starting afresh over it would let every article be
 * published again), and must pass SQLite's quick check.
 *
 * The store holds OAuth tokens and unpublished articles, so on every open its folder is made 0700
 * and the file and its side files 0600, fixing a store made before this rule; `warn` hears about
 * what cannot be fixed (a file of another user's), which never stops the open.
 */
export function openStoreDatabase(path: string, warn: PermissionWarning = warnOnStderr): Database.Database {
  ensureStoreDirectory(path, warn);
  if (inspectStoreFile(path) === 'missing') createStoreFile(path);
  // Before SQLite opens it: on Unix SQLite gives a -wal or -shm it creates the database file's mode.
  makeFilePrivate(path, warn);
  let db: Database.Database;
  try {
    // fileMustExist: a file that vanished since we looked is an error, never a fresh 0-byte store.
    db = new Database(path, { timeout: BUSY_TIMEOUT_MS, fileMustExist: true });
  } catch (error) {
    throw translateOpenError(path, error);
  }
  try {
    // SQLite's own first read: a header that only looked right fails here, before any write.
    checkSchemaVersion(path, readSchemaVersion(db));
    if (readSchemaVersion(db) === 0) refuseForeignDatabase(path, db);
    refuseDamagedDatabase(path, db);
    // WAL lets CLI readers run beside the daemon; NORMAL is durable against process crashes in WAL
    // mode and only risks the last commits on power loss, which the `unknown` state already covers.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    // Deleted or overwritten values (a token stored before encryption was turned on) are zeroed in
    // the pages being written anyway; FAST costs no extra I/O, unlike ON.
    db.pragma('secure_delete = FAST');
    applyMigrations(db);
    // Another process may have migrated between our check and our transaction.
    checkSchemaVersion(path, readSchemaVersion(db));
    // Side files left by an older quotecast (or a crash) keep the mode they were made with.
    for (const suffix of SIDE_FILE_SUFFIXES) makeFilePrivate(`${path}${suffix}`, warn);
    return db;
  } catch (error) {
    db.close();
    throw translateOpenError(path, error);
  }
}

/**
 * Looks at what is at `path` without opening it as a database: `missing` (a new store may be created),
 * `file` (an SQLite database as far as its header goes; SQLite judges the rest), or a StoreError for
 * anything else, naming the path, the problem and the fix.
 */
export function inspectStoreFile(path: string): 'missing' | 'file' {
  let size: number;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      throw new StoreError(
        'unreadable',
        path,
        `store ${path} is a directory, not a database file; point store.path at a file (for example ${path}/quotecast.db)`,
      );
    }
    if (!stat.isFile()) {
      throw new StoreError(
        'unreadable',
        path,
        `store ${path} is not a regular file; point store.path at a database file`,
      );
    }
    size = stat.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw translateOpenError(path, error);
  }
  if (size === 0) {
    throw new StoreError(
      'unreadable',
      path,
      `store ${path} is empty (0 bytes) but exists: it is not a quotecast store, and quotecast will not ` +
        `start a new one over it (the history in a store is what stops articles being published twice). ${RESTORE_OR_MOVE}`,
    );
  }
  const header = readHeader(path);
  if (!header.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) {
    throw new StoreError(
      'unreadable',
      path,
      `store ${path} is not an SQLite database (${size} bytes that do not start with the SQLite header); ` +
        `it was left untouched. ${RESTORE_OR_MOVE}`,
    );
  }
  const pageSize = header.length >= 18 ? pageSizeOf(header) : 0;
  if (size < SQLITE_HEADER_BYTES || size < pageSize) {
    throw new StoreError(
      'unreadable',
      path,
      `store ${path} is cut short: ${size} bytes, less than the first ${Math.max(pageSize, SQLITE_HEADER_BYTES)}-byte ` +
        `page every SQLite database has; it was left untouched. ${RESTORE_OR_MOVE}`,
    );
  }
  return 'file';
}

function readHeader(path: string): Buffer {
  const header = Buffer.alloc(SQLITE_HEADER_BYTES);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const read = readSync(fd, header, 0, header.length, 0);
    return header.subarray(0, read);
  } catch (error) {
    throw translateOpenError(path, error);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Bytes 16-17, big-endian; 1 means 65536 (see https://www.sqlite.org/fileformat.html). */
function pageSizeOf(header: Buffer): number {
  const raw = header.readUInt16BE(16);
  return raw === 1 ? 65_536 : raw;
}

/**
 * Creates a new, migrated store at `path` all at once: it is built under a temporary name beside
 * `path` and linked into place, so a crash while creating leaves either no store or a whole one, never
 * the 0-byte file that would be refused on the next start. Linking never replaces a file: when
 * another process created the store meanwhile, that one is used.
 */
function createStoreFile(path: string): void {
  const temp = `${path}.creating-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    // Born 0600: its -wal takes the same mode, and the link below carries it to `path`.
    createPrivateFile(temp);
    const db = new Database(temp, { timeout: BUSY_TIMEOUT_MS });
    try {
      db.pragma('journal_mode = WAL');
      applyMigrations(db);
    } finally {
      // The last connection to close folds the WAL into the file and removes it.
      db.close();
    }
    placeWithoutReplacing(temp, path);
    syncDirectory(dirname(path));
  } catch (error) {
    throw translateOpenError(path, error);
  } finally {
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${temp}${suffix}`, { force: true });
  }
}

function placeWithoutReplacing(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw error;
    // A file system without hard links: an exclusive copy still never replaces a file.
    try {
      copyFileSync(from, to, constants.COPYFILE_EXCL);
    } catch (copyError) {
      if ((copyError as NodeJS.ErrnoException).code !== 'EEXIST') throw copyError;
    }
  }
}

/** Makes the new name durable; best effort (not every platform can fsync a directory). */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // The store itself is synced; at worst a power cut loses the name of a store with nothing in it.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * `PRAGMA quick_check` on every open (0.04-0.15 s on a 120,000-post store): garbage inside a file whose
 * header is intact opens without complaint, and a daemon publishing from it could send posts again or
 * lose track of what it sent. The full `integrity_check` is `quotecast status --check`.
 */
function refuseDamagedDatabase(path: string, db: Database.Database): void {
  const problems = runCheck(db, `quick_check(${PROBLEMS_QUOTED})`);
  if (problems.length === 0) return;
  throw new StoreError(
    'corrupt',
    path,
    `store ${path} is damaged: SQLite's quick check found ${problems.slice(0, PROBLEMS_QUOTED).join('; ')}. ${DAMAGED_FIX(path)}`,
  );
}

const DAMAGED_FIX = (path: string) =>
  'quotecast will not publish from it, because a damaged store can send posts again or lose track of ' +
  `them. Run "quotecast status --check" for the full report, then stop the daemon and restore ${path} from a backup`;

/**
 * Runs `PRAGMA quick_check` or `integrity_check` and returns SQLite's findings, one per line; empty
 * when it said "ok". Read row by row: on badly damaged files SQLite lists what it found and then gives
 * up with SQLITE_CORRUPT, and the findings before that are the useful part.
 */
export function runCheck(db: Database.Database, pragma: string): string[] {
  const lines: string[] = [];
  try {
    for (const row of db.prepare<[], Record<string, unknown>>(`PRAGMA ${pragma}`).iterate()) {
      lines.push(...String(Object.values(row)[0] ?? '').split('\n'));
    }
  } catch (error) {
    const code = errorCode(error);
    if (!code.startsWith('SQLITE_CORRUPT') && code !== 'SQLITE_NOTADB') throw error;
    lines.push(`SQLite stopped checking: ${(error as Error).message}`);
  }
  const findings = lines
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^\*\*\* in database \w+ \*\*\*$/.test(line));
  return findings.length === 1 && findings[0] === 'ok' ? [] : findings;
}

/**
 * Creates the store's directory when missing (a fresh install points store.path at `data/…`), 0700,
 * and closes an existing one that others may enter (see ensurePrivateDirectory for when it does not).
 */
export function ensureStoreDirectory(path: string, warn: PermissionWarning = warnOnStderr): void {
  try {
    ensurePrivateDirectory(dirname(path), warn);
  } catch (error) {
    throw translateOpenError(path, error);
  }
}

function checkSchemaVersion(path: string, version: number): void {
  if (version > LATEST_SCHEMA_VERSION) {
    throw new StoreError(
      'newer-schema',
      path,
      `store ${path} has schema version ${version} but this quotecast knows only up to ` +
        `${LATEST_SCHEMA_VERSION}: it was written by a newer quotecast; upgrade quotecast or point store.path elsewhere`,
    );
  }
}

/** A database at version 0 with tables in it belongs to something else: never add ours beside them. */
function refuseForeignDatabase(path: string, db: Database.Database): void {
  const tables = db
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name LIMIT 5",
    )
    .all()
    .map((row) => row.name);
  if (tables.length > 0) {
    throw new StoreError(
      'unreadable',
      path,
      `store ${path} is an SQLite database but not a quotecast store (it has tables ${tables.join(', ')}); ` +
        'point store.path at a new file',
    );
  }
}

/** Turns what SQLite and the file system report into an error that names the file and the fix. */
export function translateOpenError(path: string, error: unknown): unknown {
  if (error instanceof StoreError) return error;
  const full = diskFullError(path, error, 'opening the store');
  if (full) return full;
  const code = errorCode(error);
  const reason = error instanceof Error ? error.message : String(error);
  if (code === 'SQLITE_NOTADB') {
    return new StoreError(
      'unreadable',
      path,
      `store ${path} is not an SQLite database (${reason}); it was left untouched. ${RESTORE_OR_MOVE}`,
      { cause: error },
    );
  }
  if (code.startsWith('SQLITE_CORRUPT')) {
    return new StoreError('corrupt', path, `store ${path} is damaged (${reason}). ${DAMAGED_FIX(path)}`, {
      cause: error,
    });
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new StoreError(
      'busy',
      path,
      `store ${path} stayed locked by another process for more than ${BUSY_TIMEOUT_MS} ms; try again`,
      { cause: error },
    );
  }
  if (
    code.startsWith('SQLITE_CANTOPEN') ||
    code.startsWith('SQLITE_READONLY') ||
    code.startsWith('SQLITE_PERM') ||
    code.startsWith('SQLITE_IOERR') ||
    ['EACCES', 'EPERM', 'ENOTDIR', 'EISDIR', 'EROFS', 'EEXIST'].includes(code)
  ) {
    return new StoreError(
      'unreadable',
      path,
      `cannot open store ${path} (${reason}); check that it is a file quotecast may read and write, ` +
        'in a directory it may write to, or point store.path elsewhere',
      { cause: error },
    );
  }
  return error;
}

function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return '';
}
