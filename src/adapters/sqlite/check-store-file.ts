import Database from 'better-sqlite3';
import { BUSY_TIMEOUT_MS, inspectStoreFile, runCheck, translateOpenError } from './open-store-database.js';
import { isStoreError } from './store-error.js';

export type StoreCheck =
  /** No file at the path yet: the first command that opens the store creates it. */
  | { readonly kind: 'missing'; readonly path: string }
  | { readonly kind: 'ok'; readonly path: string; readonly pages: number }
  /** `problems` are SQLite's findings (or why the file could not be read at all), one per line. */
  | { readonly kind: 'damaged'; readonly path: string; readonly problems: readonly string[] };

/** integrity_check stops after this many findings: enough to judge, short enough to read. */
const MAX_PROBLEMS = 100;

/**
 * `quotecast status --check`: SQLite's full `PRAGMA integrity_check` on the store file (0.15-0.3 s on
 * a 45 MB, 120,000-post store), without opening it as a store, so that a store refused for damage can
 * still be examined. Read-only: it never creates, migrates or repairs anything, and it runs beside a
 * daemon (a WAL reader sees one consistent snapshot).
 */
export function checkStoreFile(path: string): StoreCheck {
  try {
    if (inspectStoreFile(path) === 'missing') return { kind: 'missing', path };
  } catch (error) {
    if (isStoreError(error)) return { kind: 'damaged', path, problems: [error.message] };
    throw error;
  }
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw translateOpenError(path, error);
  }
  try {
    const problems = runCheck(db, `integrity_check(${MAX_PROBLEMS})`);
    if (problems.length > 0) return { kind: 'damaged', path, problems };
    return { kind: 'ok', path, pages: db.pragma('page_count', { simple: true }) as number };
  } catch (error) {
    throw translateOpenError(path, error);
  } finally {
    db.close();
  }
}
