import type { Database } from 'better-sqlite3';
import type { PreviewMethods, StoredPreview } from '../../ports/post-store.js';
import type { Synchronous } from './synchronous.js';

interface PreviewRow {
  id: string;
  payload: string;
  created_by: number;
  created_at: number;
}

/**
 * /add previews on the store's database (migration 3): the article waits on disk, not in the
 * daemon's memory, and a restart keeps its buttons working. `write` is the store's IMMEDIATE
 * transaction wrapper.
 */
export function createPreviewStore(
  db: Database,
  write: <A extends unknown[], R>(fn: (...args: A) => R) => (...args: A) => R,
): Synchronous<PreviewMethods> {
  const expire = db.prepare<[number]>('DELETE FROM previews WHERE created_at < ?');
  const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM previews');
  const dropOldest = db.prepare<[number]>(
    'DELETE FROM previews WHERE id IN (SELECT id FROM previews ORDER BY created_at, rowid LIMIT ?)',
  );
  const insert = db.prepare<[string, string, number, number]>(
    'INSERT INTO previews (id, payload, created_by, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
  );
  const select = db.prepare<[string], PreviewRow>('SELECT * FROM previews WHERE id = ?');
  const remove = db.prepare<[string]>('DELETE FROM previews WHERE id = ?');

  const save = write((preview: StoredPreview, expireBefore: number, keep: number): boolean => {
    expire.run(expireBefore);
    const over = (count.get()?.n ?? 0) - (keep - 1);
    if (over > 0) dropOldest.run(over);
    return (
      insert.run(preview.id, preview.payload, preview.createdBy, preview.createdAt.getTime()).changes === 1
    );
  });
  const take = write((id: string): StoredPreview | undefined => {
    const row = select.get(id);
    if (row) remove.run(id);
    return row ? toPreview(row) : undefined;
  });

  return {
    savePreview: (preview, options) => save(preview, options.expireBefore.getTime(), options.keep),
    getPreview: (id) => {
      const row = select.get(id);
      return row ? toPreview(row) : undefined;
    },
    takePreview: (id) => take(id),
  };
}

function toPreview(row: PreviewRow): StoredPreview {
  return { id: row.id, payload: row.payload, createdBy: row.created_by, createdAt: new Date(row.created_at) };
}
