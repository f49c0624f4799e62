import { dirname } from 'node:path';

/**
 * What went wrong with the store, named by what the operator has to do about it:
 * - `unreadable`: the file is not a quotecast database (empty, not SQLite, cut short, someone else's)
 *   or cannot be opened: restore it from a backup, move it away, or point store.path elsewhere;
 * - `corrupt`: SQLite says the file is damaged (on a read, or its quick check on every open fails):
 *   check it with `quotecast status --check` and restore a backup;
 * - `disk-full`: the disk holding the store (or its lock file, journal or WAL) has no space left: free
 *   some, nothing about the store itself is wrong;
 * - `newer-schema`: written by a newer quotecast: upgrade quotecast or point store.path elsewhere;
 * - `locked`: another quotecast daemon holds the store: stop it first;
 * - `busy`: another process kept a write transaction open longer than the busy timeout: try again;
 * - `invalid-transition`: a caller asked for a state change the post state machine forbids (a bug or
 *   a race with an admin command); nothing was written.
 */
export type StoreErrorCode =
  | 'unreadable'
  | 'corrupt'
  | 'disk-full'
  | 'newer-schema'
  | 'locked'
  | 'busy'
  | 'invalid-transition';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly code: StoreErrorCode;
  /** The database file concerned, so a message shown on its own still says which file. */
  readonly path: string;

  constructor(code: StoreErrorCode, path: string, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.path = path;
  }
}

export function isStoreError(value: unknown): value is StoreError {
  return value instanceof StoreError;
}

/**
 * The disk holding `path` is full (or the user's quota is used up): SQLite says SQLITE_FULL, Node
 * says ENOSPC or EDQUOT. Named as a disk problem whichever file was being written (the store, its
 * WAL or journal, the lock file), because freeing space is the fix, not anything about those files.
 * SQLITE_IOERR_SHMSIZE (SQLite could not grow `<path>-shm`, the first thing a reader writes) is what a
 * full disk gives any opener; SQLite documents it as a likely full disk, and so is it named here.
 * `undefined` when the error is something else.
 */
export function diskFullError(path: string, error: unknown, doing: string): StoreError | undefined {
  const code =
    typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
      ? error.code
      : '';
  const reason = error instanceof Error ? error.message : String(error);
  const fix = `free some space there (see df -h ${dirname(path)}) and try again`;
  let what: string;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC')
    what = `no space left on the disk holding ${path} (${reason})`;
  else if (code === 'EDQUOT') what = `the disk quota is used up on the disk holding ${path} (${reason})`;
  else if (code === 'SQLITE_IOERR_SHMSIZE')
    what = `most likely no space left on the disk holding ${path} (SQLite could not grow ${path}-shm: ${reason})`;
  else return undefined;
  return new StoreError('disk-full', path, `${what} while ${doing}; ${fix}`, { cause: error });
}
