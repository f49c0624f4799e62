import type { AdminAlert } from '../../ports/notifier.js';
import type { AlertOutboxMethods, StoredAlert } from '../../ports/post-store.js';
import { type AlertRow, toStoredAlert } from '../store-rows/alert-rows.js';
import type { PgDb } from './pg-db.js';

/** Finished alerts (and their keys) are kept this long, then forgotten. */
const KEEP_FINISHED_MS = 30 * 86_400_000;

/**
 * Two daemons raising the same alert (the same unknown post found by both) store it once: the second
 * insert waits for the first to commit, then finds the key taken and does nothing. A key seen before
 * is not even tried (NOT EXISTS): a refused insert still uses up an id, and ids stay gapless as on
 * SQLite while no two daemons race.
 */
const INSERT = `
  INSERT INTO alerts (kind, text, channel_id, post_id, action, dedupe_key, created_at, done_at)
  SELECT $1::text, $2::text, $3::text, $4::bigint, $5::text, $6::text, $7::bigint, $8::bigint
  WHERE $6::text IS NULL OR NOT EXISTS (SELECT 1 FROM alerts WHERE dedupe_key = $6::text)
  ON CONFLICT (dedupe_key) DO NOTHING
  RETURNING id`;

/**
 * `handled` as text: the row mapper shared with SQLite parses the JSON array itself. In chat id byte
 * order, the order SQLite reads them in (its table is keyed by alert and chat).
 */
const SELECT = `
  SELECT a.id, a.kind, a.text, a.channel_id, a.post_id, a.action, a.created_at,
    (SELECT json_agg(d.chat_id ORDER BY d.chat_id COLLATE "C")::text
     FROM alert_deliveries d WHERE d.alert_id = a.id) AS handled
  FROM alerts a`;

/** The admin alert outbox on PostgreSQL (as alert-outbox.ts on SQLite). */
export function createPgAlertOutbox(db: PgDb): AlertOutboxMethods {
  const add = (alert: AdminAlert, now: number, logOnly: boolean) =>
    db.transaction(async (tx): Promise<StoredAlert | undefined> => {
      await tx.run('DELETE FROM alerts WHERE done_at IS NOT NULL AND done_at < $1', [now - KEEP_FINISHED_MS]);
      const inserted = await tx.one<{ id: number }>(INSERT, [
        alert.kind,
        alert.text,
        alert.channelId ?? null,
        alert.postId ?? null,
        alert.action ? JSON.stringify(alert.action) : null,
        alert.key ?? null,
        now,
        logOnly ? now : null,
      ]);
      if (!inserted) return undefined;
      const row = await tx.one<AlertRow>(`${SELECT} WHERE a.id = $1`, [inserted.id]);
      return row ? toStoredAlert(row) : undefined;
    });

  return {
    addAlert: (alert, now, options = {}) => add(alert, now.getTime(), options.logOnly === true),
    async pendingAlerts(limit) {
      const rows = await db.rows<AlertRow>(`${SELECT} WHERE a.done_at IS NULL ORDER BY a.id LIMIT $1`, [
        limit,
      ]);
      return rows.map(toStoredAlert);
    },
    async countPendingAlerts() {
      const row = await db.one<{ n: number }>('SELECT count(*) AS n FROM alerts WHERE done_at IS NULL');
      return row?.n ?? 0;
    },
    async recordAlertDelivery(ids, chat, outcome, now) {
      if (ids.length === 0) return;
      // One statement for the whole batch: all of it is recorded or none.
      await db.run(
        `INSERT INTO alert_deliveries (alert_id, chat_id, outcome, at)
         SELECT id, $2, $3, $4 FROM unnest($1::bigint[]) AS id
         ON CONFLICT (alert_id, chat_id) DO NOTHING`,
        [ids, chat, outcome, now.getTime()],
      );
    },
    async finishAlerts(ids, now) {
      if (ids.length === 0) return;
      await db.run('UPDATE alerts SET done_at = $1 WHERE id = ANY($2::bigint[]) AND done_at IS NULL', [
        now.getTime(),
        ids,
      ]);
    },
  };
}
