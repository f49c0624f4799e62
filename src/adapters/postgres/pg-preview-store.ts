import type { PreviewMethods, StoredPreview } from '../../ports/post-store.js';
import type { PgDb } from './pg-db.js';

interface PreviewRow {
  id: string;
  payload: string;
  created_by: number;
  created_at: number;
}

/**
 * /add previews on PostgreSQL (as preview-store.ts on SQLite): the article waits in the database, so
 * a restart keeps its buttons working and any daemon can answer them.
 */
export function createPgPreviewStore(db: PgDb): PreviewMethods {
  const save = (preview: StoredPreview, expireBefore: number, keep: number) =>
    db.transaction(async (tx) => {
      // Two saves at once would each count the same rows and trim too much or too little: one at a
      // time, as SQLite's write lock makes it.
      await tx.run(`SELECT pg_advisory_xact_lock(hashtext('previews'))`);
      await tx.run('DELETE FROM previews WHERE created_at < $1', [expireBefore]);
      const count = await tx.one<{ n: number }>('SELECT count(*) AS n FROM previews');
      const over = (count?.n ?? 0) - (keep - 1);
      // SQLite breaks ties by insertion order (rowid); PostgreSQL keeps none, so by id.
      if (over > 0) {
        await tx.run(
          'DELETE FROM previews WHERE id IN (SELECT id FROM previews ORDER BY created_at, id LIMIT $1)',
          [over],
        );
      }
      const inserted = await tx.run(
        `INSERT INTO previews (id, payload, created_by, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO NOTHING`,
        [preview.id, preview.payload, preview.createdBy, preview.createdAt.getTime()],
      );
      return inserted === 1;
    });

  return {
    savePreview: (preview, options) => save(preview, options.expireBefore.getTime(), options.keep),
    async getPreview(id) {
      const row = await db.one<PreviewRow>('SELECT * FROM previews WHERE id = $1', [id]);
      return row ? toPreview(row) : undefined;
    },
    async takePreview(id) {
      // One statement: of two daemons pressed at once, one gets the row and the other nothing.
      const row = await db.one<PreviewRow>('DELETE FROM previews WHERE id = $1 RETURNING *', [id]);
      return row ? toPreview(row) : undefined;
    },
  };
}

function toPreview(row: PreviewRow): StoredPreview {
  return { id: row.id, payload: row.payload, createdBy: row.created_by, createdAt: new Date(row.created_at) };
}
