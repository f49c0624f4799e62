import { spawn } from 'node:child_process';
import { existsSync, watch } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { basename, dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresServer, postgresAvailable, startPostgres } from '../helpers/postgres-server.js';

/**
 * The throwaway PostgreSQL server the Postgres store tests run against (test/helpers/postgres-server.ts):
 * a real postgres on a loopback port, one empty database per createDatabase(), nothing left behind.
 */

const HOOK_TIMEOUT = 60_000;
const HELPER_URL = new URL('../helpers/postgres-server.ts', import.meta.url).href;
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function dataDirectory(server: PostgresServer): Promise<string> {
  return withClient(server.adminUrl, async (client) => {
    const result = await client.query<{ dir: string }>("SELECT current_setting('data_directory') AS dir");
    return result.rows[0]!.dir;
  });
}

/** Binding the port succeeds once nothing listens on it any more. */
function canListenOn(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Resolves when `path` no longer exists: fs.watch on its parent, no polling. */
function gone(path: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const watcher = watch(dirname(path));
    const timer = setTimeout(() => {
      watcher.close();
      reject(new Error(`${path} still exists after ${timeoutMs} ms`));
    }, timeoutMs);
    const check = (): void => {
      if (existsSync(path)) return;
      clearTimeout(timer);
      watcher.close();
      resolve();
    };
    watcher.on('change', (_event, name) => {
      if (name === null || String(name) === basename(path)) check();
    });
    check();
  });
}

describe('startPostgres', () => {
  let server: PostgresServer;

  beforeAll(async () => {
    expect(
      postgresAvailable(),
      'PostgreSQL binaries: apt-get install postgresql or set QUOTECAST_PG_BIN',
    ).toBe(true);
    server = await startPostgres();
  }, HOOK_TIMEOUT);

  afterAll(() => server?.stop(), HOOK_TIMEOUT);

  it('answers on 127.0.0.1 as the postgres superuser', async () => {
    expect(server.adminUrl).toBe(`postgres://postgres@127.0.0.1:${server.port}/postgres`);
    const row = await withClient(server.adminUrl, async (client) => {
      const result = await client.query<{ superuser: string; encoding: string }>(
        "SELECT current_setting('is_superuser') AS superuser, pg_encoding_to_char(encoding) AS encoding FROM pg_database WHERE datname = 'postgres'",
      );
      return result.rows[0]!;
    });
    expect(row).toEqual({ superuser: 'on', encoding: 'UTF8' });
  });

  it('gives each createDatabase() its own empty database', async () => {
    const [first, second] = await Promise.all([server.createDatabase(), server.createDatabase()]);
    expect(first).not.toBe(second);
    expect(first).toMatch(new RegExp(`^postgres://postgres@127\\.0\\.0\\.1:${server.port}/\\w+$`));

    await withClient(first!, async (client) => {
      await client.query('CREATE TABLE posts (id int PRIMARY KEY, text text NOT NULL)');
      await client.query("INSERT INTO posts VALUES (1, 'only here')");
    });

    await withClient(second!, async (client) => {
      const table = await client.query<{ table: string | null }>(
        "SELECT to_regclass('public.posts') AS table",
      );
      expect(table.rows[0]!.table).toBeNull();
      const tables = await client.query("SELECT 1 FROM pg_tables WHERE schemaname = 'public'");
      expect(tables.rowCount).toBe(0);
    });

    const count = await withClient(first!, (client) => client.query('SELECT count(*)::int AS n FROM posts'));
    expect(count.rows[0]).toEqual({ n: 1 });
  });

  it('creates a database under the name asked for, and refuses names that are not plain identifiers', async () => {
    const url = await server.createDatabase('named_db');
    expect(url).toBe(`postgres://postgres@127.0.0.1:${server.port}/named_db`);
    const name = await withClient(url, (client) => client.query('SELECT current_database() AS name'));
    expect(name.rows[0]).toEqual({ name: 'named_db' });
    await expect(server.createDatabase('named_db')).rejects.toThrow(/already exists/);
    await expect(server.createDatabase('x"; DROP DATABASE postgres; --')).rejects.toThrow(/not a plain/);
  });
});

describe('stop()', () => {
  it(
    'removes the data directory and frees the port, even with a client still connected',
    async () => {
      const server = await startPostgres();
      const dir = await dataDirectory(server);
      expect(existsSync(dir)).toBe(true);
      const client = new pg.Client({ connectionString: await server.createDatabase() });
      client.on('error', () => {}); // the fast shutdown terminates this connection
      await client.connect();

      await server.stop();

      expect(existsSync(dirname(dir))).toBe(false);
      expect(await canListenOn(server.port)).toBe(true);
      await expect(withClient(server.adminUrl, (c) => c.query('SELECT 1'))).rejects.toThrow(/ECONNREFUSED/);
      await server.stop(); // a second stop() is harmless
      await client.end().catch(() => {});
    },
    HOOK_TIMEOUT,
  );

  it(
    'is not needed when the test process is killed: the watchdog stops the server and removes its directory',
    async () => {
      const script = `
        import { startPostgres } from ${JSON.stringify(HELPER_URL)};
        const server = await startPostgres();
        const pg = (await import('pg')).default;
        const client = new pg.Client({ connectionString: server.adminUrl });
        await client.connect();
        const { rows } = await client.query("SELECT current_setting('data_directory') AS dir");
        console.log(JSON.stringify({ port: server.port, dir: rows[0].dir }));
        setInterval(() => {}, 60_000);
      `;
      const child = spawn(process.execPath, ['--import', TSX_LOADER, '--input-type=module', '-e', script], {
        cwd: process.cwd(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
      });
      const started = await new Promise<{ port: number; dir: string }>((resolve, reject) => {
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString('utf8');
          const line = stdout.split('\n').find((l) => l.startsWith('{'));
          if (line !== undefined) resolve(JSON.parse(line));
        });
        child.once('exit', (code) => reject(new Error(`child exited (${code}) before starting: ${stderr}`)));
      });
      expect(existsSync(started.dir)).toBe(true);

      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL'); // no 'exit' listener runs: only the watchdog can clean up
      await exited;

      await gone(dirname(started.dir), 20_000);
      expect(await canListenOn(started.port)).toBe(true);
    },
    HOOK_TIMEOUT,
  );
});
