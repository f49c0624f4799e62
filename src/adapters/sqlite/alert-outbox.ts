import type { Database } from 'better-sqlite3';
import type { AdminAlert } from '../../ports/notifier.js';
import type { AlertOutboxMethods, StoredAlert } from '../../ports/post-store.js';
import { type AlertRow, toStoredAlert } from '../store-rows/alert-rows.js';
import type { Synchronous } from './synchronous.js';

/** Finished alerts (and their keys) are kept this long, then forgotten. */
const KEEP_FINISHED_MS = 30 * 86_400_000;

/**
 * The admin alert outbox on the store's database (tables from migration 2). `write` wraps a function
 * in the store's IMMEDIATE transaction with its error translation (a full disk is named as such).
 */
export function createAlertOutbox(
  db: Database,
  write: <A extends unknown[], R>(fn: (...args: A) => R) => (...args: A) => R,
): Synchronous<AlertOutboxMethods> {
  const insert = db.prepare<{
    kind: string;
    text: string;
    channel: string | null;
    post: number | null;
    action: string | null;
    key: string | null;
    now: number;
    done: number | null;
  }>(
    `INSERT INTO alerts (kind, text, channel_id, post_id, action, dedupe_key, created_at, done_at)
     VALUES (@kind, @text, @channel, @post, @action, @key, @now, @done)
     ON CONFLICT (dedupe_key) DO NOTHING`,
  );
  const forget = db.prepare<[number]>('DELETE FROM alerts WHERE done_at IS NOT NULL AND done_at < ?');
  const select = `SELECT a.id, a.kind, a.text, a.channel_id, a.post_id, a.action, a.created_at,
      (SELECT json_group_array(d.chat_id) FROM alert_deliveries d WHERE d.alert_id = a.id) AS handled
    FROM alerts a`;
  const byId = db.prepare<[number], AlertRow>(`${select} WHERE a.id = ?`);
  const pending = db.prepare<[number], AlertRow>(`${select} WHERE a.done_at IS NULL ORDER BY a.id LIMIT ?`);
  const countPending = db.prepare<[], { n: number }>(
    'SELECT count(*) AS n FROM alerts WHERE done_at IS NULL',
  );
  const deliver = db.prepare<[number, string, string, number]>(
    `INSERT INTO alert_deliveries (alert_id, chat_id, outcome, at) VALUES (?, ?, ?, ?)
     ON CONFLICT (alert_id, chat_id) DO NOTHING`,
  );
  const finish = db.prepare<[number, number]>(
    'UPDATE alerts SET done_at = ? WHERE id = ? AND done_at IS NULL',
  );

  const add = write((alert: AdminAlert, now: number, logOnly: boolean): StoredAlert | undefined => {
    forget.run(now - KEEP_FINISHED_MS);
    const result = insert.run({
      kind: alert.kind,
      text: alert.text,
      channel: alert.channelId ?? null,
      post: alert.postId ?? null,
      action: alert.action ? JSON.stringify(alert.action) : null,
      key: alert.key ?? null,
      now,
      done: logOnly ? now : null,
    });
    if (result.changes === 0) return undefined;
    const row = byId.get(Number(result.lastInsertRowid));
    return row ? toStoredAlert(row) : undefined;
  });
  const record = write((ids: readonly number[], chat: string, outcome: string, now: number) => {
    for (const id of ids) deliver.run(id, chat, outcome, now);
  });
  const finishAll = write((ids: readonly number[], now: number) => {
    for (const id of ids) finish.run(now, id);
  });

  return {
    addAlert: (alert, now, options = {}) => add(alert, now.getTime(), options.logOnly === true),
    pendingAlerts: (limit) => pending.all(limit).map(toStoredAlert),
    countPendingAlerts: () => countPending.get()?.n ?? 0,
    recordAlertDelivery: (ids, chat, outcome, now) => record(ids, chat, outcome, now.getTime()),
    finishAlerts: (ids, now) => finishAll(ids, now.getTime()),
  };
}
