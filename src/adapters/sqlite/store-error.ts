/**
 * What went wrong with the store, named by what the operator has to do about it:
 * - `unreadable`: the file is not a quotecast database or cannot be opened: point store.path elsewhere;
 * - `corrupt`: SQLite says the file is damaged: restore a backup;
 * - `newer-schema`: written by a newer quotecast: upgrade quotecast or point store.path elsewhere;
 * - `locked`: another quotecast daemon holds the store: stop it first;
 * - `busy`: another process kept a write transaction open longer than the busy timeout: try again;
 * - `invalid-transition`: a caller asked for a state change the post state machine forbids (a bug or
 *   a race with an admin command); nothing was written.
 */
export type StoreErrorCode =
  | 'unreadable'
  | 'corrupt'
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
