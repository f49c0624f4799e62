import type { InstanceMethods, PacedSend } from '../../ports/post-store.js';
import type { PgDb } from './pg-db.js';

export interface PgInstanceOptions {
  /** This daemon's name in the shared tables (holder of slots, roles, sends and leased posts). */
  readonly instanceId: string;
  /** How long after its last heartbeat the others still count this instance alive. */
  readonly leaseMs: number;
}

/**
 * True when `holder` is alive at `now` (a parameter): it heartbeated less than its lease ago. An
 * instance that never heartbeated (no row) is not. `now` is the caller's clock, never the server's,
 * so a fake clock in tests and a skewed server clock give the same answers.
 */
const alive = (holder: string, now: string) => `EXISTS (SELECT 1 FROM instances
  WHERE instances.id = ${holder} AND instances.heartbeat_at + instances.lease_ms > ${now})`;

/** Instances silent this long are forgotten. */
const FORGET_AFTER_MS = 7 * 86_400_000;

const HEARTBEAT = `
  INSERT INTO instances (id, started_at, heartbeat_at, lease_ms) VALUES ($1, $2, $2, $3)
  ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, lease_ms = excluded.lease_ms`;

/**
 * One statement, so two instances firing the same slot cannot both win: the second waits on the
 * first's row, then judges the row as the first left it. A slot already run at `slotAt` (or later) is
 * never granted again, not even to the instance that ran it; a channel held by a live other instance
 * (its slot still running) is refused.
 */
const CLAIM_SLOT = `
  INSERT INTO channel_slots AS slot (channel_id, last_slot_at, holder, held_since) VALUES ($1, $2, $3, $4)
  ON CONFLICT (channel_id) DO UPDATE
    SET last_slot_at = excluded.last_slot_at, holder = excluded.holder, held_since = excluded.held_since
    WHERE slot.last_slot_at < excluded.last_slot_at
      AND (slot.holder IS NULL OR slot.holder = excluded.holder OR NOT ${alive('slot.holder', '$4')})`;

/** Taken when free or when its holder is dead; kept (with its `since`) by its holder calling again. */
const CLAIM_ROLE = `
  INSERT INTO roles AS role (role, holder, since) VALUES ($1, $2, $3)
  ON CONFLICT (role) DO UPDATE
    SET holder = excluded.holder,
        since = CASE WHEN role.holder = excluded.holder THEN role.since ELSE excluded.since END
    WHERE role.holder = excluded.holder OR NOT ${alive('role.holder', '$3')}`;

/** No request runs this long (see SHARED_SEND_STALE_MS): a send still open then was never closed. */
const STALE_SEND_MS = 5 * 60_000;

/**
 * A send in flight on a dead instance will never be finished by it, but it may have reached the
 * platform (the daemon died between the request and the answer): it counts as finished when found
 * dead, so it stays in the chat's windows for their length instead of vanishing from them.
 */
const SETTLE_DEAD_SENDS = `
  UPDATE paced_sends SET done_at = $2
  WHERE account = $1 AND done_at IS NULL
    AND (NOT ${alive('paced_sends.holder', '$2')} OR started_at < $2::bigint - ${STALE_SEND_MS})`;

/** Sends that left the window. */
const FORGET_SENDS = `
  DELETE FROM paced_sends WHERE account = $1 AND done_at <= $2::bigint - $3::bigint`;

interface SendRow {
  chat: string;
  started_at: number;
  done_at: number | null;
}

/**
 * The sharing part of the port on PostgreSQL, where several daemons use one database: who runs a
 * channel's slot, who plays a role (admin bot, feed poller), and the pacing of each platform account.
 * Every lease is judged against `instances`: a holder whose heartbeat is older than its lease is dead
 * and loses what it held.
 */
export function createPgInstance(db: PgDb, options: PgInstanceOptions): InstanceMethods {
  const me = options.instanceId;
  return {
    instanceId: me,
    // Other daemons may share this database: the daemon heartbeats, claims slots and roles.
    shared: true,
    async heartbeat(now) {
      await db.run(HEARTBEAT, [me, now.getTime(), options.leaseMs]);
      // Every command and restart is a new instance: forget those silent for a week. A missing row
      // reads as dead, which they are (their posts, slots, roles and sends were taken over long ago).
      await db.run('DELETE FROM instances WHERE heartbeat_at < $1', [now.getTime() - FORGET_AFTER_MS]);
    },
    async claimSlot(channelId, slotAt, now) {
      return (await db.run(CLAIM_SLOT, [channelId, slotAt.getTime(), me, now.getTime()])) === 1;
    },
    async releaseSlot(channelId) {
      await db.run(
        'UPDATE channel_slots SET holder = NULL, held_since = NULL WHERE channel_id = $1 AND holder = $2',
        [channelId, me],
      );
    },
    async claimRole(role, now) {
      return (await db.run(CLAIM_ROLE, [role, me, now.getTime()])) === 1;
    },
    async releaseRole(role) {
      await db.run('DELETE FROM roles WHERE role = $1 AND holder = $2', [role, me]);
    },
    reserveSend: (account, chat, now, windowMs, wait) =>
      db.transaction(async (tx) => {
        // Every instance publishing through the account queues here, so reading the window and
        // recording the send are one step for all of them.
        await tx.run(`SELECT pg_advisory_xact_lock(hashtext('pacing:' || $1::text))`, [account]);
        await tx.run(SETTLE_DEAD_SENDS, [account, now.getTime()]);
        await tx.run(FORGET_SENDS, [account, now.getTime(), windowMs]);
        const rows = await tx.rows<SendRow>(
          'SELECT chat, started_at, done_at FROM paced_sends WHERE account = $1 ORDER BY started_at, id',
          [account],
        );
        const waitMs = wait(rows.map(toPacedSend));
        if (waitMs > 0) return { waitMs };
        const row = await tx.one<{ id: number }>(
          'INSERT INTO paced_sends (account, chat, holder, started_at) VALUES ($1, $2, $3, $4) RETURNING id',
          [account, chat, me, now.getTime()],
        );
        return { sendId: row!.id };
      }),
    async finishSend(sendId, now) {
      await db.run('UPDATE paced_sends SET done_at = $1 WHERE id = $2 AND done_at IS NULL', [
        now.getTime(),
        sendId,
      ]);
    },
  };
}

function toPacedSend(row: SendRow): PacedSend {
  return {
    chat: row.chat,
    startedAt: new Date(row.started_at),
    doneAt: row.done_at === null ? undefined : new Date(row.done_at),
  };
}
