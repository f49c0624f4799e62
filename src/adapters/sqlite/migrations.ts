import type { Database } from 'better-sqlite3';

export interface Migration {
  /** Stored in `PRAGMA user_version` once applied; strictly increasing from 1. */
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

/**
 * Append-only: never edit a migration that has shipped, add the next one. A database whose
 * user_version is above the last version here was written by a newer quotecast and is refused.
 */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'articles, posts, attempts, channel state, settings',
    sql: `
      CREATE TABLE articles (
        id           INTEGER PRIMARY KEY,
        content_hash TEXT NOT NULL,
        url          TEXT,
        title        TEXT NOT NULL,
        byline       TEXT,
        created_at   INTEGER NOT NULL
      );
      -- Not unique: enqueueing with force deliberately creates a second article row.
      CREATE INDEX articles_content_hash ON articles (content_hash);
      CREATE INDEX articles_url ON articles (url) WHERE url IS NOT NULL;

      CREATE TABLE posts (
        id              INTEGER PRIMARY KEY,
        article_id      INTEGER NOT NULL REFERENCES articles (id),
        channel_id      TEXT NOT NULL,
        mode            TEXT NOT NULL CHECK (mode IN ('quotes', 'thread')),
        seq             INTEGER NOT NULL CHECK (seq >= 1),
        total           INTEGER NOT NULL CHECK (total >= seq),
        text            TEXT NOT NULL,
        length          INTEGER NOT NULL,
        state           TEXT NOT NULL DEFAULT 'queued'
                        CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'unknown', 'skipped')),
        approved        INTEGER NOT NULL CHECK (approved IN (0, 1)),
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER,
        remote_id       TEXT,
        remote_url      TEXT,
        last_error      TEXT,
        created_at      INTEGER NOT NULL,
        sent_at         INTEGER,
        -- One numbering per article and channel: a second batch for the same pair would interleave
        -- with the first in publishing order. Also serves postsOfArticle and lastSentInThread.
        UNIQUE (article_id, channel_id, seq)
      );
      -- nextDue, part 1: posts never tried (or requeued) are found by a seek on the channel and read in
      -- publishing order, so the first entry is the answer.
      CREATE INDEX posts_due_fresh ON posts (channel_id, article_id, seq)
        WHERE state = 'queued' AND approved = 1 AND next_attempt_at IS NULL;
      -- nextDue, part 2: posts waiting for a retry, by retry time, so only the due ones are read.
      -- Kept apart so that a pile of posts waiting for a retry at the head of the queue never has to be
      -- stepped over by part 1.
      CREATE INDEX posts_due_retry ON posts (channel_id, next_attempt_at)
        WHERE state = 'queued' AND approved = 1 AND next_attempt_at IS NOT NULL;
      -- upcoming, postsInState, countsByState, markInterruptedAsUnknown.
      CREATE INDEX posts_state ON posts (state, channel_id, article_id, seq);

      CREATE TABLE attempts (
        post_id     INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
        attempt     INTEGER NOT NULL,
        -- Copied from the post (which never changes channel) so that sentSince is one index range.
        channel_id  TEXT NOT NULL,
        started_at  INTEGER NOT NULL,
        finished_at INTEGER,
        outcome     TEXT CHECK (outcome IN
                      ('sent', 'duplicate', 'unknown', 'rate-limited', 'unavailable', 'rejected', 'auth')),
        detail      TEXT,
        PRIMARY KEY (post_id, attempt)
      ) WITHOUT ROWID;
      CREATE INDEX attempts_channel_started ON attempts (channel_id, started_at);

      CREATE TABLE channel_state (
        channel_id   TEXT PRIMARY KEY,
        paused       INTEGER NOT NULL CHECK (paused IN (0, 1)),
        paused_until INTEGER,
        pause_reason TEXT
      ) WITHOUT ROWID;

      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    description: 'admin alert outbox',
    sql: `
      CREATE TABLE alerts (
        id         INTEGER PRIMARY KEY,
        kind       TEXT NOT NULL,
        text       TEXT NOT NULL,
        channel_id TEXT,
        post_id    INTEGER,
        -- An alert with a key is stored once: the same unknown post is not re-alerted at every start.
        dedupe_key TEXT UNIQUE,
        created_at INTEGER NOT NULL,
        done_at    INTEGER
      );
      CREATE INDEX alerts_pending ON alerts (id) WHERE done_at IS NULL;
      CREATE INDEX alerts_done ON alerts (done_at) WHERE done_at IS NOT NULL;

      -- Which chat has which alert, so a chat that had it is not sent it again when another failed.
      CREATE TABLE alert_deliveries (
        alert_id INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
        chat_id  TEXT NOT NULL,
        outcome  TEXT NOT NULL CHECK (outcome IN ('delivered', 'refused')),
        at       INTEGER NOT NULL,
        PRIMARY KEY (alert_id, chat_id)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    description: 'previews of /add waiting for a button',
    sql: `
      CREATE TABLE previews (
        id         TEXT PRIMARY KEY,
        payload    TEXT NOT NULL,
        created_by INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX previews_created ON previews (created_at);
    `,
  },
  {
    version: 4,
    description: 'kills: articles pulled by the newsroom, published posts taken down',
    sql: `
      -- An article the newsroom pulled: its unsent posts are skipped, and it is never queued again
      -- by a feed or /add without --force.
      ALTER TABLE articles ADD COLUMN killed_at INTEGER;
      ALTER TABLE articles ADD COLUMN killed_by TEXT;
      -- A published post taken down (deleted_at), or why the platform would not take it down
      -- (delete_error, kept until a later attempt succeeds), so a human can finish the job.
      ALTER TABLE posts ADD COLUMN deleted_at INTEGER;
      ALTER TABLE posts ADD COLUMN delete_error TEXT;
    `,
  },
  {
    version: 5,
    description: 'feeds: polling state and the items seen in each feed',
    sql: `
      CREATE TABLE feeds (
        feed_id         TEXT PRIMARY KEY,
        etag            TEXT,
        last_modified   TEXT,
        last_poll_at    INTEGER,
        last_success_at INTEGER,
        last_error      TEXT,
        failures        INTEGER NOT NULL DEFAULT 0,
        next_poll_after INTEGER,
        paused          INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
        primed          INTEGER NOT NULL DEFAULT 0 CHECK (primed IN (0, 1)),
        catch_up        INTEGER NOT NULL DEFAULT 0 CHECK (catch_up IN (0, 1))
      ) WITHOUT ROWID;

      -- Every item a feed listed, once: what it became (seen, queued, held...) and what it looked
      -- like, so a re-listed, re-keyed or edited item is recognised.
      CREATE TABLE feed_items (
        id                INTEGER PRIMARY KEY,
        feed_id           TEXT NOT NULL,
        item_key          TEXT NOT NULL,
        canonical_url     TEXT,
        raw_hash          TEXT NOT NULL,
        body_hash         TEXT,
        body              TEXT,
        title             TEXT NOT NULL,
        first_seen_at     INTEGER NOT NULL,
        last_seen_at      INTEGER NOT NULL,
        article_id        INTEGER REFERENCES articles (id),
        state             TEXT NOT NULL DEFAULT 'seen'
                          CHECK (state IN ('seen', 'queued', 'held', 'dropped', 'gone-asked')),
        held_article      TEXT,
        held_was_approved INTEGER NOT NULL DEFAULT 0 CHECK (held_was_approved IN (0, 1)),
        UNIQUE (feed_id, item_key)
      );
      CREATE INDEX feed_items_url ON feed_items (canonical_url) WHERE canonical_url IS NOT NULL;
      CREATE INDEX feed_items_raw_hash ON feed_items (feed_id, raw_hash);
      CREATE INDEX feed_items_state ON feed_items (feed_id, state);
    `,
  },
  {
    version: 6,
    description: 'alerts carry what their buttons act on',
    sql: `
      -- JSON of the alert's action (a held correction, a feed article to approve, an item gone from
      -- its feed): the admin bot draws the buttons from it; NULL for an alert without buttons.
      ALTER TABLE alerts ADD COLUMN action TEXT;
    `,
  },
  {
    version: 7,
    description: 'held articles are not leased; one article per canonical URL; the chat of a Telegram post',
    sql: `
      -- The lease asks whether a correction holds the post's article: one probe of this index.
      CREATE INDEX feed_items_held ON feed_items (article_id) WHERE state = 'held';
      -- The article's link in canonicalUrl's form (src/domain/canonical-url.ts): the duplicate check
      -- matches on it, so a link with tracking parameters is the same story as the feed's. Rows
      -- written before are filled when the store opens (the normalisation is not expressible in SQL).
      ALTER TABLE articles ADD COLUMN canonical_url TEXT;
      CREATE INDEX articles_canonical_url ON articles (canonical_url) WHERE canonical_url IS NOT NULL;
      -- The chat a Telegram post went to: a message id means nothing in another chat, so a kill
      -- after the channel's chat changed must not delete message N of the new chat. Rows written
      -- before (and posts marked sent by hand) have NULL: the chat configured now is assumed.
      ALTER TABLE posts ADD COLUMN remote_chat TEXT;
    `,
  },
];

export const LATEST_SCHEMA_VERSION: number = migrations.at(-1)?.version ?? 0;

export function readSchemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the schema up to date in one IMMEDIATE transaction: a second process starting at the same
 * moment waits on the write lock, then sees the new version and does nothing.
 */
export function applyMigrations(db: Database): { from: number; to: number } {
  return db
    .transaction(() => {
      const from = readSchemaVersion(db);
      for (const migration of migrations) {
        if (migration.version <= from) continue;
        db.exec(migration.sql);
        // user_version is part of the database header, so it commits or rolls back with the schema.
        db.pragma(`user_version = ${migration.version}`);
      }
      return { from, to: Math.max(from, LATEST_SCHEMA_VERSION) };
    })
    .immediate();
}
