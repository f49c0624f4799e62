import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { createPostgresStore } from '../../src/adapters/postgres/create-postgres-store.js';
import { createSqliteStore } from '../../src/adapters/sqlite/create-sqlite-store.js';
import { StoreError } from '../../src/adapters/sqlite/store-error.js';
import type { ChannelBatch, NewArticle, PostStore } from '../../src/ports/post-store.js';
import { type PostgresServer, postgresAvailable } from './postgres-server.js';
import { usePostgres } from './shared-postgres.js';
import { createTempDir, type TempDir } from './temp-dir.js';

/**
 * The store port's adapters side by side, so one contract suite (test/integration/store-contract)
 * runs the same tests with the same assertions against SQLite and PostgreSQL.
 *
 * Each test gets an empty database of its own on each adapter: a new SQLite file, or on PostgreSQL
 * the test file's one database emptied (every row of every table but schema_migrations deleted, ids
 * restarted), so ids and answers are those of a new store on both. Both are prepared on the test's
 * first `open`, so a test of one adapter costs the other nothing. One throwaway PostgreSQL server
 * serves a whole test file (test/helpers/postgres-server.ts): a database per test would cost
 * 300–400 ms each (CREATE DATABASE and migrations), emptying it costs a few.
 */

export type AdapterName = 'sqlite' | 'postgres';

export interface OpenOptions {
  /**
   * The store's own clock (the few times the port does not pass in; on PostgreSQL also this
   * instance's registration, which starts its heartbeat). Default: always T0, so an instance opened
   * without a clock is alive at T0 and dead a lease later, on the tests' fake time line.
   */
  readonly now?: () => Date;
  /** PostgreSQL: this daemon's name among those sharing the database. Default: a new random one. */
  readonly instanceId?: string;
  /** PostgreSQL: how long its leases outlive its last heartbeat (the adapter's default: 60 s). */
  readonly leaseMs?: number;
}

export interface StoreAdapter {
  readonly name: AdapterName;
  /**
   * A store on this test's database, closed after the test. Call it again for another store on the
   * same database: a second daemon (PostgreSQL) or, after closing the first, the same one restarted.
   * (SQLite ignores `instanceId` and `leaseMs`: one daemon holds its file.)
   */
  open(options?: OpenOptions): Promise<PostStore>;
  /** Rows in one table of this test's database, read directly: what the port does not show. */
  countRows(table: string): Promise<number>;
}

const HOOK_TIMEOUT_MS = 60_000;

/**
 * Registers the hooks (the server up before the file's tests, each test's stores closed and its
 * SQLite file removed after it, the server down after the file) and returns both adapters, for
 * `describe.each(adapters)`. Call it once, at the top of a test file.
 */
export function useStoreAdapters(): readonly StoreAdapter[] {
  const sqlite = sqliteAdapter();
  const postgres = postgresAdapter();

  beforeAll(async () => {
    expect(
      postgresAvailable(),
      'PostgreSQL binaries: apt-get install postgresql or set QUOTECAST_PG_BIN',
    ).toBe(true);
    await postgres.start();
  }, HOOK_TIMEOUT_MS);
  beforeEach(() => {
    sqlite.newTest();
    postgres.newTest();
  });
  afterEach(async () => {
    await sqlite.endTest();
    await postgres.endTest();
  }, HOOK_TIMEOUT_MS);
  afterAll(() => postgres.stop(), HOOK_TIMEOUT_MS);

  return [sqlite.adapter, postgres.adapter];
}

/** What every adapter does around a test. */
interface AdapterLifecycle {
  readonly adapter: StoreAdapter;
  newTest(): void;
  endTest(): Promise<void>;
}

/** Closes every store the test opened (closing twice is harmless on both adapters). */
async function closeAll(stores: PostStore[]): Promise<void> {
  for (const store of stores.splice(0)) await store.close();
}

function sqliteAdapter(): AdapterLifecycle {
  const opened: PostStore[] = [];
  let dir: TempDir | undefined;
  const path = () => {
    dir ??= createTempDir('quotecast-contract-');
    return dir.file('queue.db');
  };
  return {
    adapter: {
      name: 'sqlite',
      async open(options = {}) {
        const store = createSqliteStore({ path: path(), now: options.now ?? (() => T0) });
        opened.push(store);
        return store;
      },
      async countRows(table) {
        const db = new Database(path(), { readonly: true });
        try {
          return (db.prepare(`SELECT COUNT(*) AS n FROM ${quoted(table)}`).get() as { n: number }).n;
        } finally {
          db.close();
        }
      },
    },
    newTest() {
      dir = undefined;
    },
    async endTest() {
      await closeAll(opened);
      dir?.remove();
      dir = undefined;
    },
  };
}

function postgresAdapter(): AdapterLifecycle & { start(): Promise<void>; stop(): Promise<void> } {
  const opened: PostStore[] = [];
  let server: PostgresServer | undefined;
  let url: string | undefined;
  /** The harness's own connection to the file's database: emptying it, counting rows. */
  let admin: pg.Client | undefined;
  /** The statements that empty the database (see emptyingSql). */
  let emptying: string | undefined;
  let ready = false;

  /** The file's database, migrated (by a store's first opening), emptied for this test. */
  async function prepare(): Promise<string> {
    if (server === undefined) throw new Error('the PostgreSQL server is not running (useStoreAdapters)');
    if (url === undefined) {
      url = await createContractDatabase(server);
      await (await createPostgresStore({ url, now: () => T0 })).close();
      admin = new pg.Client({ connectionString: url });
      await admin.connect();
      emptying = (await admin.query<{ sql: string }>(EMPTYING_SQL)).rows[0]!.sql;
    }
    if (!ready) {
      await admin!.query(emptying!);
      ready = true;
    }
    return url;
  }

  return {
    adapter: {
      name: 'postgres',
      async open(options = {}) {
        const store = await createPostgresStore({
          url: await prepare(),
          now: options.now ?? (() => T0),
          ...(options.instanceId === undefined ? {} : { instanceId: options.instanceId }),
          ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
        });
        opened.push(store);
        return store;
      },
      async countRows(table) {
        await prepare();
        const result = await admin!.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${quoted(table)}`);
        return result.rows[0]!.n;
      },
    },
    async start() {
      server = await usePostgres();
    },
    newTest() {
      ready = false;
    },
    async endTest() {
      await closeAll(opened);
    },
    async stop() {
      await closeAll(opened);
      await admin?.end().catch(() => undefined);
      await server?.stop();
    },
  };
}

/**
 * Writes the statements that empty the store's tables and restart their ids, as a new database
 * would have them: DELETE rather than TRUNCATE, which on these few rows costs 4 ms instead of
 * 60–150 ms (a new file per table), with foreign keys left unchecked meanwhile (every table goes).
 * schema_migrations stays: the schema is there, migrated once per file.
 */
const EMPTYING_SQL = `
  SELECT 'SET session_replication_role = replica;'
    || (SELECT string_agg(format('DELETE FROM %I;', tablename), '' ORDER BY tablename)
        FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations')
    || coalesce((SELECT string_agg(
          format('SELECT setval(pg_get_serial_sequence(%L, %L), 1, false);', table_name, column_name), '')
        FROM information_schema.columns WHERE table_schema = 'public' AND is_identity = 'YES'), '')
    || 'SET session_replication_role = DEFAULT;' AS sql`;

let contractDatabases = 0;

/**
 * The database collates text as en-US (ICU), as most servers in production do, not byte-wise like
 * the test server's own C locale: an ORDER BY on text that forgets SQLite's byte order (BINARY)
 * shows. A server built without ICU gets a plain database, and a warning.
 */
async function createContractDatabase(server: PostgresServer): Promise<string> {
  const name = `contract_${process.pid}_${++contractDatabases}`;
  const client = new pg.Client({ connectionString: server.adminUrl });
  await client.connect();
  try {
    await client.query(
      `CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'`,
    );
    return server.adminUrl.replace(/\/postgres$/, `/${name}`);
  } catch (error) {
    process.emitWarning(
      `no en-US (ICU) database for the store contract tests (${(error as Error).message}): using the server's C locale`,
    );
    return await server.createDatabase();
  } finally {
    await client.end();
  }
}

function quoted(table: string): string {
  if (!/^[a-z_]+$/.test(table)) throw new Error(`countRows: "${table}" is not a table name`);
  return `"${table}"`;
}

// ---------------------------------------------------------------------------------------------------
// What the contract tests build their queues from

/** The tests' time line: every `now` is T0 plus some minutes. */
export const T0 = new Date('2026-03-02T08:00:00Z');
export const at = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);

export function article(n: number, extra: Partial<NewArticle> = {}): NewArticle {
  return { contentHash: `hash-${n}`, url: `https://news.example/${n}`, title: `Article ${n}`, ...extra };
}

/** `count` posts for one channel: "<channel> post 1", "<channel> post 2"…, lengths 10, 11… */
export function batch(channelId: string, count: number, mode: ChannelBatch['mode'] = 'quotes'): ChannelBatch {
  return {
    channelId,
    mode,
    posts: Array.from({ length: count }, (_, i) => ({ text: `${channelId} post ${i + 1}`, length: 10 + i })),
  };
}

/** Enqueues article `n` at T0 and insists it was queued. */
export async function enqueue(
  store: PostStore,
  n: number,
  batches: readonly ChannelBatch[],
  approved = true,
) {
  const result = await store.enqueueArticle(article(n), batches, { now: at(0), approved });
  if (result.kind !== 'queued') throw new Error(`expected queued, got ${JSON.stringify(result)}`);
  return result;
}

/** `fn` fails with a StoreError of this code whose message holds every fragment. */
export async function expectStoreError(
  fn: () => unknown,
  code: StoreError['code'],
  ...fragments: string[]
): Promise<StoreError> {
  let caught: unknown;
  try {
    await fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(StoreError);
  const error = caught as StoreError;
  expect(error.code).toBe(code);
  for (const fragment of fragments) expect(error.message).toContain(fragment);
  return error;
}
