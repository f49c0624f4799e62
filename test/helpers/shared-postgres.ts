import { inject } from 'vitest';
import { createDatabaseOn, type PostgresServer, startPostgres } from './postgres-server.js';

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
    createDatabase: (name) => createDatabaseOn(adminUrl, name),
    stop: async () => {},
  };
}
