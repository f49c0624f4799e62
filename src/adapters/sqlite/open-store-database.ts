import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { applyMigrations, LATEST_SCHEMA_VERSION, readSchemaVersion } from './migrations.js';
import { StoreError } from './store-error.js';

/** Short on purpose: the daemon's writes take microseconds, so a long wait means something is wrong. */
export const BUSY_TIMEOUT_MS = 2000;

/**
 * Opens (creating when missing) and migrates the store file. Everything that could reveal a wrong
 * file is read before anything is written, so a file that is not ours is never touched.
 */
export function openStoreDatabase(path: string): Database.Database {
  ensureStoreDirectory(path);
  let db: Database.Database;
  try {
    db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw translateOpenError(path, error);
  }
  try {
    // The first read of the header: a file that is not a database fails here, before any write.
    checkSchemaVersion(path, readSchemaVersion(db));
    if (readSchemaVersion(db) === 0) refuseForeignDatabase(path, db);
    // WAL lets CLI readers run beside the daemon; NORMAL is durable against process crashes in WAL
    // mode and only risks the last commits on power loss, which the `unknown` state already covers.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    applyMigrations(db);
    // Another process may have migrated between our check and our transaction.
    checkSchemaVersion(path, readSchemaVersion(db));
    return db;
  } catch (error) {
    db.close();
    throw translateOpenError(path, error);
  }
}

/** Creates the store's directory when missing (a fresh install points store.path at `data/…`). */
export function ensureStoreDirectory(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
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
  const code = errorCode(error);
  const reason = error instanceof Error ? error.message : String(error);
  if (code === 'SQLITE_NOTADB') {
    return new StoreError(
      'unreadable',
      path,
      `store ${path} is not an SQLite database (${reason}); it was left untouched: point store.path at ` +
        'a new file, or restore the right one',
      { cause: error },
    );
  }
  if (code.startsWith('SQLITE_CORRUPT')) {
    return new StoreError(
      'corrupt',
      path,
      `store ${path} is damaged (${reason}); restore it from a backup, or point store.path at a new file`,
      { cause: error },
    );
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
