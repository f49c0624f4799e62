import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { type PostgresServer, startPostgres } from './postgres-server.js';

let counter = 0;

/**
 * A PostgreSQL server for this test file: the tier's shared one when vitest's globalSetup started it
 * (test/helpers/postgres-global-setup.ts: the fast tier), else one of its own (the slow tier, a
 * file run alone with another config). Databases are the file's own either way; `stop` stops only
 * a server the file started.
 */
export async function usePostgres(): Promise<PostgresServer> {
  const adminUrl = inject('postgresAdminUrl');
  if (!adminUrl) return await startPostgres();
  const port = Number(new URL(adminUrl).port);
  return {
    port,
    adminUrl,
    async createDatabase(name) {
      const dbName = name ?? `qc_${process.pid}_${++counter}_${randomBytes(4).toString('hex')}`;
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${dbName}"`);
      } finally {
        await client.end().catch(() => {});
      }
      return `postgres://postgres@127.0.0.1:${port}/${dbName}`;
    },
    stop: async () => {},
  };
}
