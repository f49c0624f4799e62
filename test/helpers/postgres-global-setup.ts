import type { TestProject } from 'vitest/node';
import { startPostgres } from './postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** postgres://postgres@127.0.0.1:PORT/postgres of the tier's one throwaway server. */
    postgresAdminUrl: string;
  }
}

/**
 * The fast tier's one PostgreSQL server (vitest globalSetup): started once for every test file that
 * needs one (each takes databases of its own from it, see shared-postgres.ts) instead of one per file.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgres();
  project.provide('postgresAdminUrl', server.adminUrl);
  return () => server.stop();
}
