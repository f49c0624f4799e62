import { hostname } from 'node:os';
import Database from 'better-sqlite3';
import {
  createPrivateFile,
  makeFilePrivate,
  type PermissionWarning,
  warnOnStderr,
} from '../fs/private-files.js';
import { diskFullError, StoreError } from './store-error.js';

export interface StoreLock {
  /** The lock file, `<store path>.lock`. */
  readonly path: string;
  release(): void;
}

/**
 * Makes sure only one daemon works on a store at a time.
 *
 * The lock is a small SQLite file beside the store, `<store path>.lock`, on which the holder keeps a
 * write transaction open (`BEGIN IMMEDIATE`) for as long as it runs. SQLite takes that lock with
 * fcntl(2), so the operating system drops it the moment the holder dies, however it dies: there is
 * no stale lock to detect, and no pid to compare, which matters because a daemon in a container is
 * often pid 1 again after a restart. It covers exactly the case SQLite's WAL mode supports anyway
 * (processes on one host). The holder's pid, host and start time are committed to the file just
 * before the lock is taken, so a refused opener can say who holds it. The file is never deleted:
 * removing a lock file that someone else may have just opened lets two processes lock different files.
 *
 * Readers are not affected: CLI commands open the store without this lock.
 *
 * The file is 0600 like the store (it names the host and pid): created so, and an older one made so
 * on every acquire, with its rollback journal; `warn` hears about what cannot be fixed.
 */
export function acquireStoreLock(
  storePath: string,
  now: () => Date,
  warn: PermissionWarning = warnOnStderr,
): StoreLock {
  const path = `${storePath}.lock`;
  let db: Database.Database;
  try {
    // An empty file is a new database to SQLite; made here it is never readable by others.
    createPrivateFile(path);
    makeFilePrivate(path, warn);
    makeFilePrivate(`${path}-journal`, warn);
    // timeout 0: a held lock is an answer, not something to wait for.
    db = new Database(path, { timeout: 0 });
  } catch (error) {
    throw lockFileError(path, storePath, error);
  }
  try {
    db.exec(
      'CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, host TEXT NOT NULL, since INTEGER NOT NULL)',
    );
    db.transaction(() => {
      db.exec('DELETE FROM holder');
      db.prepare('INSERT INTO holder (pid, host, since) VALUES (?, ?, ?)').run(
        process.pid,
        hostname(),
        now().getTime(),
      );
    })();
    db.exec('BEGIN IMMEDIATE');
  } catch (error) {
    const holder = isBusy(error) ? describeHolder(db) : undefined;
    db.close();
    if (isBusy(error)) {
      throw new StoreError(
        'locked',
        storePath,
        `store ${storePath} is in use by another quotecast daemon${holder ? ` (${holder})` : ''}; ` +
          `stop that daemon first, or point store.path elsewhere (lock file ${path})`,
        { cause: error },
      );
    }
    throw lockFileError(path, storePath, error);
  }

  let held = true;
  return {
    path,
    release() {
      if (!held) return;
      held = false;
      try {
        // Forget the holder so a later refusal never names a process that has gone.
        db.exec('DELETE FROM holder');
        db.exec('COMMIT');
      } finally {
        db.close();
      }
    },
  };
}

function isBusy(error: unknown): boolean {
  return error instanceof Database.SqliteError && error.code.startsWith('SQLITE_BUSY');
}

function describeHolder(db: Database.Database): string | undefined {
  try {
    const row = db.prepare('SELECT pid, host, since FROM holder LIMIT 1').get() as
      | { pid: number; host: string; since: number }
      | undefined;
    return row ? `pid ${row.pid} on ${row.host} since ${new Date(row.since).toISOString()}` : undefined;
  } catch {
    // The holder may be committing this very moment; the refusal does not depend on the details.
    return undefined;
  }
}

/**
 * A lock file that cannot be written. A full disk is named as such: the lock is the first thing a
 * starting daemon writes, so blaming the lock file there would send the operator the wrong way.
 */
export function lockFileError(path: string, storePath: string, error: unknown): StoreError {
  const full = diskFullError(storePath, error, `taking the daemon lock (${path})`);
  if (full) return full;
  const reason = error instanceof Error ? error.message : String(error);
  return new StoreError(
    'unreadable',
    storePath,
    `cannot use lock file ${path} for store ${storePath}: ${reason}; ` +
      'make the directory writable, or remove the lock file if it is not a quotecast lock',
    { cause: error },
  );
}
