import pg from 'pg';

/** Parameters of one statement: $1, $2… in order. */
export type Params = readonly unknown[];

/** What a statement needs: the pool outside a transaction, the transaction's client inside one. */
export interface PgQueryable {
  /** Every row. */
  rows<R>(sql: string, params?: Params): Promise<R[]>;
  /** The first row, if any. */
  one<R>(sql: string, params?: Params): Promise<R | undefined>;
  /** How many rows the statement changed (INSERT, UPDATE, DELETE). */
  run(sql: string, params?: Params): Promise<number>;
}

export interface PgDb extends PgQueryable {
  /**
   * Runs `work` in one READ COMMITTED transaction on one connection: COMMIT when it resolves,
   * ROLLBACK when it throws. A serialization failure or deadlock (another daemon touched the same
   * rows) runs it again, up to 5 times: `work` must not have effects outside the database.
   */
  transaction<T>(work: (tx: PgQueryable) => Promise<T>): Promise<T>;
  /** Closes every connection; pending queries finish first. */
  end(): Promise<void>;
  readonly pool: pg.Pool;
}

const INT8 = 20;
const NUMERIC = 1700;
/** Serialization failure, deadlock: the transaction lost a race and can run again as a whole. */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_TRIES = 5;

/**
 * int8 (ids, epoch-millisecond times, COUNT(*)) read as JS numbers: every value the store keeps is
 * far below 2^53, and the row mappers are shared with SQLite, which returns numbers.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 || oid === NUMERIC) return (value: string) => (value === null ? null : Number(value));
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export interface PgDbOptions {
  readonly connectionString: string;
  /** Connections kept by this process (default 5: a daemon runs one slot per channel at a time). */
  readonly max?: number;
  /** How long to wait for a connection (from the pool or the server) before failing, in ms. */
  readonly connectTimeoutMs?: number;
  /** application_name, shown in pg_stat_activity: which daemon holds which connection. */
  readonly applicationName?: string;
  /** Told of an error on an idle connection (the server restarted): the pool replaces it. */
  readonly onIdleError?: (error: Error) => void;
}

export function openPgDb(options: PgDbOptions): PgDb {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 5,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName ?? 'quotecast',
    types,
  });
  // Without a listener an idle connection dropped by the server crashes the process.
  pool.on('error', (error) => options.onIdleError?.(error));

  const queryable = (client: pg.Pool | pg.PoolClient): PgQueryable => ({
    async rows<R>(sql: string, params: Params = []) {
      const result = await client.query(sql, params as unknown[]);
      return result.rows as R[];
    },
    async one<R>(sql: string, params: Params = []) {
      const result = await client.query(sql, params as unknown[]);
      return result.rows[0] as R | undefined;
    },
    async run(sql: string, params: Params = []) {
      const result = await client.query(sql, params as unknown[]);
      return result.rowCount ?? 0;
    },
  });

  return {
    ...queryable(pool),
    pool,
    async transaction<T>(work: (tx: PgQueryable) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt += 1) {
        const client = await pool.connect();
        let broken = false;
        try {
          await client.query('BEGIN');
          const result = await work(queryable(client));
          await client.query('COMMIT');
          return result;
        } catch (error) {
          try {
            await client.query('ROLLBACK');
          } catch {
            broken = true; // the connection itself failed: do not give it back to the pool
          }
          const code = (error as { code?: string }).code;
          if (attempt < MAX_TRIES && code !== undefined && RETRYABLE.has(code)) continue;
          throw error;
        } finally {
          client.release(broken);
        }
      }
    },
    end: () => pool.end(),
  };
}
