import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type {
  AlertOutboxMethods,
  ChannelBatch,
  ChannelState,
  EnqueueResult,
  FeedStore,
  InstanceMethods,
  KillMethods,
  NewArticle,
  PostState,
  PostStore,
  PreviewMethods,
  StoredPost,
} from '../../ports/post-store.js';
import { POST_STATES } from '../../ports/post-store.js';
import { StoreError } from '../sqlite/store-error.js';
import { batchChannels, type CandidateRow, canonicalOf, decideEnqueue } from '../store-rows/enqueue-rules.js';
import {
  type ArticleRow,
  type AttemptRow,
  type PostRow,
  toAttemptRecord,
  toStoredArticle,
  toStoredPost,
} from '../store-rows/row-mappers.js';
import {
  APPROVED_UNLESS_HELD,
  ARTICLE_HELD,
  ARTICLE_KILLED,
  ATTEMPT_COUNTS_AS_POSTED,
  INTERRUPTED,
} from '../store-rows/state-machine-sql.js';
import { createPgAlertOutbox } from './pg-alert-outbox.js';
import { openPgDb, type PgDb, type PgQueryable } from './pg-db.js';
import { createPgFeedStore } from './pg-feed-store.js';
import { createPgInstance } from './pg-instance.js';
import { createPgKillStore } from './pg-kill-store.js';
import { applyPgMigrations } from './pg-migrations.js';
import { createPgPreviewStore } from './pg-preview-store.js';
import { redactUrl, serverOf, translatePgError } from './pg-store-error.js';

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database (store.url or DATABASE_URL); shown only redacted. */
  readonly url: string;
  /**
   * Stamps the few times the port does not pass in (the end of an attempt in `markSent`, this
   * instance's registration, `schema_migrations.applied_at`), as the SQLite store does, so tests with
   * a fake clock get consistent rows. Default: system time.
   */
  readonly now?: () => Date;
  /**
   * This daemon among those sharing the database (posts it leases, slots, roles). Default:
   * `<hostname>-<pid>-<random>`, so a restarted daemon is a new instance: what its previous life
   * left in `sending` belongs to a dead holder and is found by `markInterruptedAsUnknown`. A fixed id
   * reused at once by the restarted daemon would keep those posts alive (their holder heartbeats).
   */
  readonly instanceId?: string;
  /** How long this instance's leases outlive its last heartbeat (default 60 s). */
  readonly leaseMs?: number;
  /** Connections kept open to the server (default: pg-db.ts's). */
  readonly max?: number;
  /**
   * Told when an idle connection drops (the server restarted; the pool opens another when needed).
   * The composition root passes its logger's warn. Default: a Node warning on standard error.
   */
  readonly warn?: (message: string) => void;
}

const DEFAULT_LEASE_MS = 60_000;
/**
 * Class of the transaction advisory locks serialising enqueues of one article (two-argument lock
 * space: 'qcenq' cut to 31 bits). The key is the hash of its content or of its canonical URL.
 */
const ENQUEUE_LOCK_CLASS = 1_667_591_793;

/**
 * The query behind `nextDue`, as in ../sqlite/next-due-query.ts: two halves, each a seek on its own
 * partial index, then the smaller of two rows. Posts never tried: the first entry of
 * `posts_due_fresh` for the channel is already the lowest (article, seq), one seek whatever the
 * queue size. Posts waiting for a retry: a range on `posts_due_retry` up to `now`, so only due
 * retries are read and sorted. The partial indexes' WHERE terms are repeated literally so the
 * planner can prove the query stays inside them. Both halves order by `article_id + 0, seq + 0`:
 * the first half's index is built on those expressions (migration 2), and no index gives that order
 * otherwise, so the planner cannot walk posts_state or the unique key in publishing order instead,
 * reading past every post the half does not want (it did, by statistics or for lack of them).
 */
export const PG_NEXT_DUE_SQL = `
  (SELECT * FROM posts
   WHERE channel_id = $1 AND state = 'queued' AND approved = 1 AND next_attempt_at IS NULL
   ORDER BY article_id + 0, seq + 0
   LIMIT 1)
  UNION ALL
  (SELECT * FROM posts
   WHERE channel_id = $1 AND state = 'queued' AND approved = 1
     AND next_attempt_at IS NOT NULL AND next_attempt_at <= $2
   ORDER BY article_id + 0, seq + 0
   LIMIT 1)
  ORDER BY article_id, seq
  LIMIT 1`;

/** The two halves of PG_NEXT_DUE_SQL, counted: each a range on its own partial index. */
const COUNT_DUE_SQL = `
  SELECT
    (SELECT COUNT(*) FROM posts
     WHERE channel_id = $1 AND state = 'queued' AND approved = 1 AND next_attempt_at IS NULL)
  + (SELECT COUNT(*) FROM posts
     WHERE channel_id = $1 AND state = 'queued' AND approved = 1
       AND next_attempt_at IS NOT NULL AND next_attempt_at <= $2) AS n`;

/**
 * queued -> sending for one post, under a row lock taken with SKIP LOCKED: when another daemon is
 * leasing the same post right now, this one gets no row (undefined) instead of waiting to find it
 * gone. Same guards as SQLite's lease (approved, not held), plus not killed (a kill skips queued
 * posts, so that only matters for a kill committing at the same moment).
 */
const LEASE_SQL = `
  WITH target AS (
    SELECT id FROM posts
    WHERE id = $1 AND state = 'queued' AND approved = 1 AND NOT ${ARTICLE_HELD} AND NOT ${ARTICLE_KILLED}
    FOR UPDATE SKIP LOCKED
  )
  UPDATE posts SET state = 'sending', attempts = attempts + 1, holder = $2
  FROM target WHERE posts.id = target.id
  RETURNING posts.*`;

/**
 * `sending` posts nobody is sending any more: no holder (written before holders, or by hand), a
 * holder that stopped heartbeating more than its lease ago (judged by the caller's `now`), or an
 * attempt open for longer than any send takes (ORPHANED_SEND_MS). A post a live daemon is sending
 * is never touched, so a survivor can run this at any time.
 */
const MARK_INTERRUPTED_SQL = `
  UPDATE posts SET state = 'unknown', last_error = $1
  WHERE state = 'sending' AND (holder IS NULL OR NOT EXISTS (
    SELECT 1 FROM instances
    WHERE instances.id = posts.holder AND instances.heartbeat_at + instances.lease_ms > $2)
    OR EXISTS (
      SELECT 1 FROM attempts
      WHERE attempts.post_id = posts.id AND attempts.finished_at IS NULL AND attempts.started_at < $3))
  RETURNING *`;

/**
 * No send takes this long (a request times out after publishTimeoutMs, 2 minutes at most): a post
 * still `sending` then is one whose outcome its live daemon could not record (the store failed
 * under it), and is settled like a dead daemon's.
 */
const ORPHANED_SEND_MS = 10 * 60_000;

const CLOSE_ATTEMPT_SQL = `
  UPDATE attempts SET finished_at = $2, outcome = $3, detail = $4
  WHERE post_id = $1 AND finished_at IS NULL`;

/**
 * The post queue on a PostgreSQL database shared by several daemons. Behaves as the SQLite store
 * (../sqlite/create-sqlite-store.ts): the same state machine, each change one transaction guarded by
 * `UPDATE … WHERE state IN …`, `invalid-transition` where it throws it, the same answers. What
 * sharing adds: leases skip a post another daemon is leasing, enqueues of one article are
 * serialised, and only posts of dead instances are found interrupted. Errors from the server are
 * StoreErrors (pg-store-error.ts) naming the server by its redacted URL.
 */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<PostStore> {
  const { url } = options;
  const clock = options.now ?? (() => new Date());
  const instanceId = options.instanceId ?? defaultInstanceId();
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const warn = options.warn ?? warnOnStderr;
  const db = openPgDb({
    connectionString: url,
    ...(options.max === undefined ? {} : { max: options.max }),
    // application_name is cut at 63 bytes by the server; the instance is what an operator looks for.
    applicationName: `quotecast ${instanceId}`.slice(0, 63),
    onIdleError: (error) =>
      warn(
        `lost an idle connection to PostgreSQL at ${serverOf(url)} (${error.message}); ` +
          'a new one is opened when needed',
      ),
  });
  try {
    await applyPgMigrations(db, { url, now: clock });
    await registerInstance(db, instanceId, leaseMs, clock());
  } catch (error) {
    await db.end().catch(() => undefined);
    throw translatePgError(url, error);
  }
  const store: PostStore = {
    ...createPgFeedStore(db),
    ...createPgAlertOutbox(db),
    ...createPgPreviewStore(db),
    ...createPgKillStore(db),
    ...createPgInstance(db, { instanceId, leaseMs }),
    ...createPgCore(db, { url, clock, instanceId }),
  };
  return translatingErrors(url, store);
}

/** `<hostname>-<pid>-<random>`: a restarted daemon is a new instance. */
export function defaultInstanceId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

const warnOnStderr = (message: string): void => process.emitWarning(message, { code: 'QUOTECAST_POSTGRES' });

/** This daemon is alive from now on: its leases count from this heartbeat. */
async function registerInstance(db: PgDb, id: string, leaseMs: number, now: Date): Promise<void> {
  await db.run(
    `INSERT INTO instances (id, started_at, heartbeat_at, lease_ms) VALUES ($1, $2, $2, $3)
     ON CONFLICT (id) DO UPDATE
     SET started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, lease_ms = excluded.lease_ms`,
    [id, now.getTime(), leaseMs],
  );
}

/** Every method of the store, its failures translated (pg-store-error.ts); StoreErrors pass as they are. */
function translatingErrors(url: string, store: PostStore): PostStore {
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(store)) {
    wrapped[name] =
      typeof value === 'function'
        ? async (...args: unknown[]) => {
            try {
              return await value(...args);
            } catch (error) {
              throw translatePgError(url, error);
            }
          }
        : value;
  }
  return wrapped as unknown as PostStore;
}

/** What the other pg-*.ts factories provide; the rest is the core below. */
type CoreMethods = Omit<
  PostStore,
  | keyof FeedStore
  | keyof AlertOutboxMethods
  | keyof PreviewMethods
  | keyof KillMethods
  | keyof InstanceMethods
>;

interface CoreContext {
  readonly url: string;
  readonly clock: () => Date;
  readonly instanceId: string;
}

/** The queue itself: articles, posts and their state machine, attempts, channels, settings. */
function createPgCore(db: PgDb, { url, clock, instanceId }: CoreContext): CoreMethods {
  const shown = redactUrl(url);

  async function refuse(
    q: PgQueryable,
    postId: number,
    change: string,
    allowed: readonly PostState[],
  ): Promise<never> {
    const row = await q.one<{ state: string }>('SELECT state FROM posts WHERE id = $1', [postId]);
    throw new StoreError(
      'invalid-transition',
      shown,
      row
        ? `post ${postId} cannot be ${change}: it is ${row.state}, and only a post that is ${allowed.join(' or ')} can`
        : `post ${postId} cannot be ${change}: there is no such post`,
    );
  }

  const closeAttempt = (q: PgQueryable, postId: number, at: Date, outcome: string, detail: string | null) =>
    q.run(CLOSE_ATTEMPT_SQL, [postId, at.getTime(), outcome, detail]);

  const post = async (sql: string, params: readonly unknown[]): Promise<StoredPost | undefined> => {
    const row = await db.one<PostRow>(sql, params);
    return row ? toStoredPost(row) : undefined;
  };
  const posts = async (sql: string, params: readonly unknown[]): Promise<readonly StoredPost[]> =>
    (await db.rows<PostRow>(sql, params)).map(toStoredPost);
  const count = async (sql: string, params: readonly unknown[]): Promise<number> =>
    (await db.one<{ n: number }>(sql, params))?.n ?? 0;

  let closed = false;

  return {
    enqueueArticle: (article, batches, opts) => enqueueArticle(db, article, batches, opts),
    getArticle: async (id) => {
      const row = await db.one<ArticleRow>('SELECT * FROM articles WHERE id = $1', [id]);
      return row ? toStoredArticle(row) : undefined;
    },
    listArticles: async (limit) =>
      (await db.rows<ArticleRow>('SELECT * FROM articles ORDER BY id DESC LIMIT $1', [limit])).map(
        toStoredArticle,
      ),
    getPost: (id) => post('SELECT * FROM posts WHERE id = $1', [id]),
    postsOfArticle: (articleId, channelId) =>
      channelId === undefined
        ? posts('SELECT * FROM posts WHERE article_id = $1 ORDER BY channel_id, seq', [articleId])
        : posts('SELECT * FROM posts WHERE article_id = $1 AND channel_id = $2 ORDER BY seq', [
            articleId,
            channelId,
          ]),

    nextDue: (channelId, now) => post(PG_NEXT_DUE_SQL, [channelId, now.getTime()]),
    countDue: (channelId, now) => count(COUNT_DUE_SQL, [channelId, now.getTime()]),
    upcoming: (channelId, limit, offset = 0) =>
      posts(
        `SELECT * FROM posts WHERE state = 'queued' AND channel_id = $1
         ORDER BY article_id, seq LIMIT $2 OFFSET $3`,
        [channelId, limit, offset],
      ),

    lease: (postId, now) =>
      db.transaction(async (tx) => {
        const row = await tx.one<PostRow>(LEASE_SQL, [postId, instanceId]);
        if (!row) return undefined;
        await tx.run(
          'INSERT INTO attempts (post_id, attempt, channel_id, started_at) VALUES ($1, $2, $3, $4)',
          [row.id, row.attempts, row.channel_id, now.getTime()],
        );
        return toStoredPost(row);
      }),
    isArticleHeld: async (articleId) =>
      (
        await db.one<{ held: boolean }>(
          `SELECT EXISTS (SELECT 1 FROM feed_items WHERE article_id = $1 AND state = 'held') AS held`,
          [articleId],
        )
      )?.held === true,

    markSent: (postId, receipt, outcome = 'sent') =>
      db.transaction(async (tx) => {
        const changed = await tx.run(
          `UPDATE posts SET state = 'sent', remote_id = $2, remote_url = $3, remote_chat = $4, sent_at = $5
           WHERE id = $1 AND state IN ('sending', 'unknown')`,
          [
            postId,
            receipt.remoteId,
            receipt.url ?? null,
            receipt.chat ?? null,
            receipt.publishedAt.getTime(),
          ],
        );
        if (changed === 0) await refuse(tx, postId, 'marked sent', ['sending', 'unknown']);
        // From `unknown` there is no open attempt: its row keeps the `unknown` it was closed with.
        await closeAttempt(tx, postId, clock(), outcome, null);
      }),
    markRetry: (postId, reason, nextAttemptAt, detail, now) =>
      db.transaction(async (tx) => {
        // A post of an article killed while it was being sent is not queued again: it is skipped.
        const changed = await tx.run(
          `UPDATE posts SET state = CASE WHEN ${ARTICLE_KILLED} THEN 'skipped' ELSE 'queued' END,
             next_attempt_at = $2, last_error = $3, ${APPROVED_UNLESS_HELD}
           WHERE id = $1 AND state = 'sending'`,
          [postId, nextAttemptAt.getTime(), `${reason}: ${detail}`],
        );
        if (changed === 0) await refuse(tx, postId, 'queued for a retry', ['sending']);
        await closeAttempt(tx, postId, now, reason, detail);
      }),
    markFailed: (postId, reason, detail, now) =>
      db.transaction(async (tx) => {
        const changed = await tx.run(
          `UPDATE posts SET state = 'failed', last_error = $2 WHERE id = $1 AND state = 'sending'`,
          [postId, `${reason}: ${detail}`],
        );
        if (changed === 0) await refuse(tx, postId, 'marked failed', ['sending']);
        await closeAttempt(tx, postId, now, reason, detail);
      }),
    markUnknown: (postId, detail, now) =>
      db.transaction(async (tx) => {
        const changed = await tx.run(
          `UPDATE posts SET state = 'unknown', last_error = $2 WHERE id = $1 AND state = 'sending'`,
          [postId, detail],
        );
        if (changed === 0) await refuse(tx, postId, 'marked unknown', ['sending']);
        await closeAttempt(tx, postId, now, 'unknown', detail);
      }),
    markInterruptedAsUnknown: (now) =>
      db.transaction(async (tx) => {
        const rows = await tx.rows<PostRow>(MARK_INTERRUPTED_SQL, [
          INTERRUPTED,
          now.getTime(),
          now.getTime() - ORPHANED_SEND_MS,
        ]);
        if (rows.length > 0) {
          await tx.run(
            `UPDATE attempts SET finished_at = $2, outcome = 'unknown', detail = $3
             WHERE post_id = ANY($1::bigint[]) AND finished_at IS NULL`,
            [rows.map((row) => row.id), now.getTime(), INTERRUPTED],
          );
        }
        return rows.sort((a, b) => a.article_id - b.article_id || a.seq - b.seq).map(toStoredPost);
      }),
    resolveUnknownAsSent: async (postId, receipt) => {
      const changed = await db.run(
        `UPDATE posts SET state = 'sent', remote_id = $2, remote_url = $3, sent_at = $4
         WHERE id = $1 AND state = 'unknown'`,
        [postId, receipt.remoteId, receipt.url ?? null, receipt.publishedAt.getTime()],
      );
      if (changed === 0) await refuse(db, postId, 'resolved as sent', ['unknown']);
    },
    // Due at once: back in the never-tried index, at its original place in publishing order.
    requeue: async (postId) =>
      (await db.run(
        `UPDATE posts SET state = 'queued', next_attempt_at = NULL, ${APPROVED_UNLESS_HELD}
         WHERE id = $1 AND state IN ('unknown', 'failed', 'skipped') AND NOT ${ARTICLE_KILLED}`,
        [postId],
      )) > 0,
    skip: async (postId) =>
      (await db.run(
        `UPDATE posts SET state = 'skipped' WHERE id = $1 AND state IN ('queued', 'unknown', 'failed')`,
        [postId],
      )) > 0,
    editText: async (postId, text, length) =>
      (await db.run(
        `UPDATE posts SET text = $2, length = $3 WHERE id = $1 AND state NOT IN ('sent', 'sending')`,
        [postId, text, length],
      )) > 0,
    approveArticle: (articleId) =>
      db.run('UPDATE posts SET approved = 1 WHERE article_id = $1 AND approved = 0', [articleId]),
    // Attempts go with their posts (ON DELETE CASCADE); the article row stays for dedup and history.
    deleteUnsent: (articleId) =>
      db.run(`DELETE FROM posts WHERE article_id = $1 AND state NOT IN ('sent', 'sending')`, [articleId]),

    lastSentInThread: (articleId, channelId) =>
      post(
        `SELECT * FROM posts WHERE article_id = $1 AND channel_id = $2 AND state = 'sent'
         ORDER BY seq DESC LIMIT 1`,
        [articleId, channelId],
      ),
    sentSince: (channelId, since) =>
      count(
        `SELECT COUNT(DISTINCT post_id) AS n FROM attempts
         WHERE channel_id = $1 AND started_at >= $2 AND ${ATTEMPT_COUNTS_AS_POSTED}`,
        [channelId, since.getTime()],
      ),
    countsByState: (channelId) => countsByState(db, channelId),
    postsInState: (state, limit, channelId) =>
      channelId === undefined
        ? posts('SELECT * FROM posts WHERE state = $1 ORDER BY channel_id, article_id, seq LIMIT $2', [
            state,
            limit,
          ])
        : posts(
            'SELECT * FROM posts WHERE state = $1 AND channel_id = $2 ORDER BY article_id, seq LIMIT $3',
            [state, channelId, limit],
          ),
    attempts: async (postId) =>
      (
        await db.rows<AttemptRow>(
          `SELECT post_id, attempt, started_at, finished_at, outcome, detail FROM attempts
           WHERE post_id = $1 ORDER BY attempt`,
          [postId],
        )
      ).map(toAttemptRecord),

    channelState: async (channelId): Promise<ChannelState> => {
      const row = await db.one<{ paused: number; paused_until: number | null; pause_reason: string | null }>(
        'SELECT paused, paused_until, pause_reason FROM channel_state WHERE channel_id = $1',
        [channelId],
      );
      // Stored as given: a `pausedUntil` in the past means the pause has lapsed, which the caller
      // judges with its own clock.
      return {
        channelId,
        paused: row?.paused === 1,
        pausedUntil: row?.paused_until == null ? null : new Date(row.paused_until),
        pauseReason: row?.pause_reason ?? null,
      };
    },
    pauseChannel: async (channelId, reason, until) => {
      await setChannelState(db, channelId, 1, until?.getTime() ?? null, reason);
    },
    resumeChannel: async (channelId) => {
      await setChannelState(db, channelId, 0, null, null);
    },

    getSetting: async (key) =>
      (await db.one<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key]))?.value,
    setSetting: async (key, value) => {
      await db.run(
        'INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
        [key, value],
      );
    },

    // The instance row stays: its heartbeat simply stops, and its leases lapse `leaseMs` later.
    close: async () => {
      if (closed) return;
      closed = true;
      await db.end();
    },
  };
}

/**
 * Ingests one article's posts for several channels in one transaction, with SQLite's duplicate rules
 * (same content hash or canonical URL already on a requested channel: duplicate; killed: duplicate
 * everywhere unless forced). Two daemons enqueueing the same article at once (two feeds listing one
 * story) are serialised by transaction advisory locks on its content hash and canonical URL, taken
 * first and in a fixed order: the second sees the first's rows and reports a duplicate.
 */
async function enqueueArticle(
  db: PgDb,
  article: NewArticle,
  batches: readonly ChannelBatch[],
  opts: { now: Date; approved: boolean; force?: boolean },
): Promise<EnqueueResult> {
  const wanted = batchChannels(batches);
  const url = article.url ?? null;
  const canonical = canonicalOf(url);
  const lockKeys = [
    `hash:${article.contentHash}`,
    ...(canonical === null ? [] : [`url:${canonical}`]),
  ].sort();

  return db.transaction(async (tx): Promise<EnqueueResult> => {
    for (const key of lockKeys) {
      await tx.run('SELECT pg_advisory_xact_lock($1, hashtext($2))', [ENQUEUE_LOCK_CLASS, key]);
    }
    // Same content first: when both a hash and a URL match, the hash match is the same article.
    const rows = await tx.rows<CandidateRow>(
      `SELECT id, killed_at, killed_by FROM articles WHERE content_hash = $1 OR canonical_url = $2
       ORDER BY content_hash = $1 DESC, id`,
      [article.contentHash, canonical],
    );
    const channelsOf = await channelsOfArticles(
      tx,
      rows.map((row) => row.id),
    );
    const decision = decideEnqueue(rows, (id) => channelsOf.get(id) ?? [], wanted, opts.force ?? false);
    if (decision.kind === 'refuse') return decision.result;

    const at = opts.now.getTime();
    const articleId = decision.reuse ?? (await insertArticle(tx, article, url, canonical, at));
    const postIds = await insertPosts(tx, articleId, batches, opts.approved, at);
    return { kind: 'queued', articleId, postIds };
  });
}

/** The channels each of these articles has posts on. */
async function channelsOfArticles(
  tx: PgQueryable,
  articleIds: readonly number[],
): Promise<Map<number, string[]>> {
  const channels = new Map<number, string[]>();
  if (articleIds.length === 0) return channels;
  const rows = await tx.rows<{ article_id: number; channel_id: string }>(
    'SELECT DISTINCT article_id, channel_id FROM posts WHERE article_id = ANY($1::bigint[])',
    [articleIds],
  );
  for (const row of rows)
    channels.set(row.article_id, [...(channels.get(row.article_id) ?? []), row.channel_id]);
  return channels;
}

async function insertArticle(
  tx: PgQueryable,
  article: NewArticle,
  url: string | null,
  canonical: string | null,
  at: number,
): Promise<number> {
  const row = await tx.one<{ id: number }>(
    `INSERT INTO articles (content_hash, url, canonical_url, title, byline, created_at)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [article.contentHash, url, canonical, article.title, article.byline ?? null, at],
  );
  return row!.id;
}

/** Every post of every batch in one statement; ids returned in batch order, then seq. */
async function insertPosts(
  tx: PgQueryable,
  articleId: number,
  batches: readonly ChannelBatch[],
  approved: boolean,
  at: number,
): Promise<number[]> {
  const flat = batches.flatMap((batch) =>
    batch.posts.map((post, index) => ({
      channel: batch.channelId,
      mode: batch.mode,
      seq: index + 1,
      total: batch.posts.length,
      text: post.text,
      length: post.length,
    })),
  );
  if (flat.length === 0) return [];
  const rows = await tx.rows<{ id: number; channel_id: string; seq: number }>(
    `INSERT INTO posts (article_id, channel_id, mode, seq, total, text, length, state, approved, created_at)
     SELECT $1::bigint, p.channel_id, p.mode, p.seq, p.total, p.text, p.length, 'queued', $2::smallint, $3::bigint
     FROM unnest($4::text[], $5::text[], $6::int[], $7::int[], $8::text[], $9::int[])
       AS p (channel_id, mode, seq, total, text, length)
     RETURNING id, channel_id, seq`,
    [
      articleId,
      approved ? 1 : 0,
      at,
      flat.map((p) => p.channel),
      flat.map((p) => p.mode),
      flat.map((p) => p.seq),
      flat.map((p) => p.total),
      flat.map((p) => p.text),
      flat.map((p) => p.length),
    ],
  );
  const idOf = new Map(rows.map((row) => [`${row.channel_id}\n${row.seq}`, row.id]));
  return flat.map((p) => idOf.get(`${p.channel}\n${p.seq}`)!);
}

/**
 * Counts per state, one index range on posts_state each, rather than a GROUP BY, which would read
 * every post of every channel to count one channel's. Each state is its own parameter ($1…$6, the
 * channel $7): the planner sees the value and its statistics, where one correlated subquery over
 * the list of states is planned for an average state and reads the whole table six times.
 */
function countsByStateSql(onChannel: boolean): string {
  return POST_STATES.map(
    (_, i) =>
      `SELECT $${i + 1}::text AS state, COUNT(*) AS n FROM posts WHERE state = $${i + 1}` +
      (onChannel ? ` AND channel_id = $${POST_STATES.length + 1}` : ''),
  ).join('\nUNION ALL\n');
}
const COUNTS_BY_STATE_SQL = countsByStateSql(false);
const COUNTS_BY_STATE_ON_CHANNEL_SQL = countsByStateSql(true);

async function countsByState(db: PgDb, channelId?: string): Promise<Readonly<Record<PostState, number>>> {
  const rows =
    channelId === undefined
      ? await db.rows<{ state: PostState; n: number }>(COUNTS_BY_STATE_SQL, POST_STATES)
      : await db.rows<{ state: PostState; n: number }>(COUNTS_BY_STATE_ON_CHANNEL_SQL, [
          ...POST_STATES,
          channelId,
        ]);
  const counts = {} as Record<PostState, number>;
  for (const state of POST_STATES) counts[state] = rows.find((row) => row.state === state)?.n ?? 0;
  return counts;
}

async function setChannelState(
  db: PgDb,
  channelId: string,
  paused: 0 | 1,
  until: number | null,
  reason: string | null,
): Promise<void> {
  await db.run(
    `INSERT INTO channel_state (channel_id, paused, paused_until, pause_reason) VALUES ($1, $2, $3, $4)
     ON CONFLICT (channel_id) DO UPDATE
     SET paused = excluded.paused, paused_until = excluded.paused_until, pause_reason = excluded.pause_reason`,
    [channelId, paused, until, reason],
  );
}
