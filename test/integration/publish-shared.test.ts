import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerParser } from '../../src/adapters/parse-worker/create-worker-parser.js';
import { createPostgresStore } from '../../src/adapters/postgres/create-postgres-store.js';
import { createFakeClock } from '../helpers/fake-clock.js';
import type { PostgresServer } from '../helpers/postgres-server.js';
import {
  expectEachOnce,
  expectReplyChain,
  LONG_ARTICLE,
  transcript,
  withWorld,
} from '../helpers/publish-world.js';
import { REPO_ROOT } from '../helpers/quotecast-process.js';
import { runCliInProcess } from '../helpers/run-cli.js';
import { usePostgres } from '../helpers/shared-postgres.js';

/**
 * `quotecast publish` beside daemons on a shared PostgreSQL queue: the same posts, sent once, each
 * leased by the publish run's own instance, which heartbeats (a daemon takes over only the posts of
 * processes that stopped heartbeating).
 */

let server: PostgresServer;
const parser = createWorkerParser();
beforeAll(async () => {
  server = await usePostgres();
}, 60_000);
afterAll(async () => {
  await parser.close();
  await server?.stop();
}, 30_000);

describe('quotecast publish on a shared PostgreSQL store', () => {
  it('publishes once through DATABASE_URL, as an instance of its own, and refuses the same article again', async () => {
    const url = await server.createDatabase();
    const clock = createFakeClock(new Date(), { advanceWhenIdle: true });
    const now = () => clock.now();
    await withWorld(
      { x: { now }, telegram: { now }, settings: { store: { leaseSeconds: 3 } } },
      async (world) => {
        const env = { ...world.env, DATABASE_URL: url };
        const run = await runCliInProcess(['publish', LONG_ARTICLE, '--yes'], {
          env,
          cwd: REPO_ROOT,
          clock,
          parser,
        });
        expect(run.code, transcript(run)).toBe(0);

        const store = await createPostgresStore({ url, instanceId: 'reader' });
        try {
          const [article] = await store.listArticles(10);
          const thread = await store.postsOfArticle(article!.id, 'x-main');
          const quotes = await store.postsOfArticle(article!.id, 'tg-main');
          expect([...thread, ...quotes].every((p) => p.state === 'sent')).toBe(true);
          expectEachOnce(
            expect,
            world.x.tweets.map((t) => t.text),
            thread,
          );
          expectReplyChain(expect, world.x);
          expectEachOnce(
            expect,
            world.telegram.sentMessages.map((m) => m.shownText),
            quotes,
          );
        } finally {
          await store.close();
        }

        // Every post was leased by the run's own instance, registered with the store's lease.
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          const holders = await client.query<{ holder: string | null }>('SELECT DISTINCT holder FROM posts');
          expect(holders.rows).toHaveLength(1);
          const holder = holders.rows[0]!.holder!;
          const instance = await client.query<{ heartbeat_at: string; lease_ms: number }>(
            'SELECT heartbeat_at, lease_ms FROM instances WHERE id = $1',
            [holder],
          );
          expect(instance.rows[0]?.lease_ms).toBe(3000);
          expect(Number(instance.rows[0]?.heartbeat_at)).toBeGreaterThan(0);
        } finally {
          await client.end();
        }

        const again = await runCliInProcess(['publish', LONG_ARTICLE, '--yes'], {
          env,
          cwd: REPO_ROOT,
          clock,
          parser,
        });
        // A duplicate is bad input, as on SQLite: exit 2, with the way out named.
        expect(again.code, transcript(again)).toBe(2);
        expect(again.stderr).toMatch(/is already queued or published \(article #1\).*--resume/);
      },
    );
  }, 60_000);
});
