import Database from 'better-sqlite3';
import type { PostStore } from '../../ports/post-store.js';
import { createSqliteStore } from '../sqlite/create-sqlite-store.js';
import { StoreError } from '../sqlite/store-error.js';
import { createPostgresStore } from './create-postgres-store.js';
import { openPgDb, type PgDb, type PgQueryable } from './pg-db.js';
import { redactUrl, translatePgError } from './pg-store-error.js';

/**
 * Every table of a newsroom's history, parents before children, with the columns both schemas share
 * (PostgreSQL's migration 1 is SQLite's schema after its migration 7, plus what several daemons need).
 * Ids are copied as they are: the duplicate guards (content hash, canonical URL, feed items, alert
 * keys) and every reference keep pointing at the same rows.
 */
const TABLES: readonly { readonly name: string; readonly order: string; readonly identity: boolean }[] = [
  { name: 'articles', order: 'id', identity: true },
  { name: 'posts', order: 'id', identity: true },
  { name: 'attempts', order: 'post_id, attempt', identity: false },
  { name: 'channel_state', order: 'channel_id', identity: false },
  { name: 'settings', order: 'key', identity: false },
  { name: 'alerts', order: 'id', identity: true },
  { name: 'alert_deliveries', order: 'alert_id, chat_id', identity: false },
  { name: 'previews', order: 'id', identity: false },
  { name: 'feeds', order: 'feed_id', identity: false },
  { name: 'feed_items', order: 'id', identity: true },
];

const BATCH = 500;

export interface CopyReport {
  readonly tables: readonly { readonly name: string; readonly rows: number }[];
}

/**
 * `quotecast migrate-store --from sqlite --to postgres`: copies the SQLite store (upgraded to the
 * latest schema first, under its daemon lock, so no daemon writes meanwhile) into an empty
 * PostgreSQL database (migrated first), in one transaction: it all arrives or nothing does. Refuses a
 * target that already holds articles, posts or alerts. Posts left `sending` are copied as they are;
 * the first daemon on PostgreSQL reconciles them as a restart would (they have no holder).
 */
export async function copySqliteToPostgres(options: {
  readonly sqlitePath: string;
  readonly url: string;
  readonly now?: () => Date;
}): Promise<CopyReport> {
  // Opening the store upgrades its schema and takes its lock: a running daemon makes this fail.
  const source = createSqliteStore({
    path: options.sqlitePath,
    exclusive: true,
    ...(options.now ? { now: options.now } : {}),
  });
  let target: PostStore | undefined;
  let raw: Database.Database | undefined;
  let db: PgDb | undefined;
  try {
    target = await createPostgresStore({ url: options.url, ...(options.now ? { now: options.now } : {}) });
    const file = new Database(options.sqlitePath, { readonly: true, fileMustExist: true });
    raw = file;
    db = openPgDb({ connectionString: options.url, max: 1 });
    return await db.transaction(async (tx) => {
      await refuseNonEmpty(tx, options.url);
      const tables: { name: string; rows: number }[] = [];
      for (const table of TABLES) tables.push({ name: table.name, rows: await copyTable(file, tx, table) });
      return { tables };
    });
  } catch (error) {
    throw translatePgError(options.url, error);
  } finally {
    // Whatever failed, the SQLite store is left as it was and unlocked.
    raw?.close();
    await db?.end();
    await target?.close();
    await source.close();
  }
}

async function refuseNonEmpty(tx: PgQueryable, url: string): Promise<void> {
  const row = await tx.one<{ n: number }>(
    'SELECT (SELECT COUNT(*) FROM articles) + (SELECT COUNT(*) FROM posts) + (SELECT COUNT(*) FROM alerts) AS n',
  );
  if ((row?.n ?? 0) > 0)
    throw new StoreError(
      'unreadable',
      redactUrl(url),
      `PostgreSQL database ${redactUrl(url)} already holds a queue (${row?.n} articles, posts and alerts); migrate into an empty database (createdb)`,
    );
}

async function copyTable(
  raw: Database.Database,
  tx: PgQueryable,
  table: (typeof TABLES)[number],
): Promise<number> {
  const columns = (raw.prepare(`PRAGMA table_info(${table.name})`).all() as { name: string }[]).map(
    (c) => c.name,
  );
  const quoted = columns.map((c) => `"${c}"`).join(', ');
  let copied = 0;
  let batch: unknown[][] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const values = batch
      .map((_, row) => `(${columns.map((__, col) => `$${row * columns.length + col + 1}`).join(', ')})`)
      .join(', ');
    await tx.run(`INSERT INTO ${table.name} (${quoted}) VALUES ${values}`, batch.flat());
    copied += batch.length;
    batch = [];
  };
  const rows = raw.prepare(`SELECT ${quoted} FROM ${table.name} ORDER BY ${table.order}`).raw(true);
  for (const row of rows.iterate() as Iterable<unknown[]>) {
    batch.push(row.map((value) => (typeof value === 'bigint' ? Number(value) : value)));
    if (batch.length === BATCH) await flush();
  }
  await flush();
  // New rows continue after the copied ids, not from 1 (which would collide).
  if (table.identity)
    await tx.run(
      `SELECT setval(pg_get_serial_sequence('${table.name}', 'id'), GREATEST((SELECT MAX(id) FROM ${table.name}), 1), (SELECT MAX(id) FROM ${table.name}) IS NOT NULL)`,
    );
  return copied;
}
