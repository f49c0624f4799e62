import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore } from '../../src/adapters/postgres/create-postgres-store.js';
import { LATEST_PG_SCHEMA_VERSION, pgMigrations } from '../../src/adapters/postgres/pg-migrations.js';
import { isStoreError, type StoreError } from '../../src/adapters/sqlite/store-error.js';
import type { PostgresServer } from '../helpers/postgres-server.js';
import { usePostgres } from '../helpers/shared-postgres.js';

/**
 * What is particular to the PostgreSQL store (the port's behaviour is in store-contract/, run on
 * both engines): its versioned migrations, several daemons opening one database at once, and the
 * errors an operator meets, each naming the fix and never the password.
 */

let server: PostgresServer;
beforeAll(async () => {
  server = await usePostgres();
}, 60_000);
afterAll(async () => await server?.stop(), 30_000);

async function query<R extends pg.QueryResultRow>(url: string, sql: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function openingError(url: string): Promise<StoreError> {
  try {
    const store = await createPostgresStore({ url });
    await store.close();
  } catch (error) {
    if (isStoreError(error)) return error;
    throw error;
  }
  throw new Error('the store opened');
}

describe('the PostgreSQL store', () => {
  it('migrates an empty database once, version by version, when three daemons open it at the same moment', async () => {
    const url = await server.createDatabase();
    const stores = await Promise.all(
      ['a', 'b', 'c'].map((id) => createPostgresStore({ url, instanceId: `daemon-${id}` })),
    );
    const versions = await query<{ version: number }>(
      url,
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    expect(versions.map((v) => Number(v.version))).toEqual(pgMigrations.map((m) => m.version));
    expect(LATEST_PG_SCHEMA_VERSION).toBeGreaterThanOrEqual(2);
    // Migration 2's index is there, on its expressions.
    const [index] = await query<{ indexdef: string }>(
      url,
      "SELECT indexdef FROM pg_indexes WHERE indexname = 'posts_due_fresh'",
    );
    expect(index?.indexdef).toContain('(channel_id, ((article_id + 0)), ((seq + 0)))');
    const instances = await query<{ id: string }>(url, 'SELECT id FROM instances ORDER BY id');
    expect(instances.map((i) => i.id)).toEqual(['daemon-a', 'daemon-b', 'daemon-c']);
    await Promise.all(stores.map((s) => s.close()));
  }, 30_000);

  it('refuses a database written by a newer quotecast, and one holding tables of something else', async () => {
    const newer = await server.createDatabase();
    await (await createPostgresStore({ url: newer })).close();
    await query(
      newer,
      `INSERT INTO schema_migrations VALUES (${LATEST_PG_SCHEMA_VERSION + 1}, 'from the future', 0)`,
    );
    const refused = await openingError(newer);
    expect(refused.code).toBe('newer-schema');
    expect(refused.message).toMatch(/newer quotecast; upgrade quotecast or point store\.url elsewhere/);

    const foreign = await server.createDatabase();
    await query(foreign, 'CREATE TABLE invoices (id integer)');
    const notOurs = await openingError(foreign);
    expect(notOurs.code).toBe('unreadable');
    expect(notOurs.message).toMatch(/empty database/);
  }, 30_000);

  it('names a missing database and an unreachable server with the fix, never the password', async () => {
    const password = 'n0t-in-any-message';
    const missing = await openingError(`postgres://postgres:${password}@127.0.0.1:${server.port}/no_such_db`);
    expect(missing.code).toBe('unreadable');
    expect(missing.message).toMatch(
      /has no such database .*create it \(createdb\) or fix store\.url \/ DATABASE_URL/,
    );

    const closed = await openingError(`postgres://postgres:${password}@127.0.0.1:1/quotecast`);
    expect(closed.message).toMatch(/cannot reach PostgreSQL at 127\.0\.0\.1:1\/quotecast .*start the server/);
    for (const error of [missing, closed]) {
      expect(`${error.message} ${error.path} ${error.stack} ${String(error.cause)}`).not.toContain(password);
      expect(error.path).toContain('***');
    }
  }, 30_000);
});
