import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/adapters/sqlite/create-sqlite-store.js';
import { createFakeTelegramApi, DEFAULT_FAKE_TELEGRAM_TOKEN } from '../fakes/fake-telegram-api.js';
import { createFakeXApi } from '../fakes/fake-x-api.js';
import { articleMarkdown, makeArticle } from '../helpers/articles.js';
import {
  childEnv,
  runQuotecast,
  spawnQuotecast,
  waitUntil,
  writeSettings,
} from '../helpers/quotecast-process.js';
import { createTempDir } from '../helpers/temp-dir.js';
import { fakeCredentials, X_QUOTES } from '../helpers/world.js';

/**
 * `quotecast start` as a real process: the store's lock names the running daemon's pid to a second
 * one, and SIGTERM stops it cleanly with nothing left mid-send. The daemon's own behaviour (start-up
 * reconciliation, stop, its scheduler) is tested in process in test/integration/daemon.test.ts.
 */

describe('quotecast start (a real process)', { timeout: 90_000 }, () => {
  it('publishes on a one-second schedule, refuses a second daemon on the same store, stops cleanly on SIGTERM', async () => {
    const x = createFakeXApi();
    const telegram = createFakeTelegramApi();
    await Promise.all([x.start(), telegram.start()]);
    const dir = createTempDir('quotecast-daemon-');
    try {
      const store = dir.file('data/queue.db');
      const configPath = writeSettings(dir.path, {
        timezone: 'UTC',
        store: { path: store },
        outbox: { path: dir.file('data/outbox.jsonl') },
        channels: [
          { ...X_QUOTES, schedule: '* * * * * *', quotesPerArticle: 1 },
          {
            id: 'tg-thread',
            platform: 'telegram',
            chat: '@quotecast_thread',
            mode: 'thread',
            schedule: '* * * * * *',
            targetLength: 300,
          },
        ],
      });
      const env = childEnv({
        ...fakeCredentials(),
        QUOTECAST_CONFIG: configPath,
        TWITTER_API_ROOT: x.url,
        TELEGRAM_API_ROOT: telegram.url,
        TELEGRAM_BOT_TOKEN: DEFAULT_FAKE_TELEGRAM_TOKEN,
      });
      const files = [1, 2].map((n) => {
        const file = dir.file(`article-${n}.md`);
        writeFileSync(file, articleMarkdown(makeArticle(n, { paragraphs: 2 })));
        return file;
      });
      for (const added of await Promise.all(
        files.map((file) => runQuotecast(['add', file], { env, cwd: dir.path })),
      )) {
        expect(added.stderr).toBe('');
        expect(added.code).toBe(0);
      }

      const first = spawnQuotecast(['start', '--no-example'], { env, cwd: dir.path });
      await first.waitForOutput(/quotecast is running with 2 channel/);
      const second = await runQuotecast(['start', '--no-example'], { env, cwd: dir.path });
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(
        /^quotecast start: store .*queue\.db is in use by another quotecast daemon/,
      );
      expect(second.stderr).toContain(`pid ${first.pid}`);
      expect(second.stderr.trim().split('\n')).toHaveLength(1);

      // One quote per article on X (one a second), a first thread on Telegram.
      await waitUntil(
        () => x.tweets.length >= 2 && telegram.sentMessages.length >= 2,
        'the posts to arrive',
        {
          timeoutMs: 30_000,
        },
      );
      // SIGTERM ends it cleanly; a daemon that ignored it would outlive the test's timeout.
      first.kill('SIGTERM');
      const result = await first.exited;
      expect(result).toMatchObject({ code: 0, signal: null });
      expect(result.stderr).toMatch(/stopped cleanly\s*$/);

      // The lock is released and the store is whole: what it says was sent is what arrived.
      const reopened = createSqliteStore({ path: store, exclusive: true });
      try {
        const sentX = (await reopened.postsInState('sent', 100, 'x-quotes')).map((p) => p.text);
        const sentTg = (await reopened.postsInState('sent', 100, 'tg-thread')).map((p) => p.text);
        expect(sentX.sort()).toEqual(x.tweets.map((t) => t.text).sort());
        expect(sentTg.sort()).toEqual(telegram.sentMessages.map((m) => m.shownText).sort());
        expect((await reopened.countsByState()).sending).toBe(0);
        expect((await reopened.countsByState()).unknown).toBe(0);
      } finally {
        await reopened.close();
      }
    } finally {
      await Promise.all([x.close(), telegram.close()]);
      dir.remove();
    }
  });
});
