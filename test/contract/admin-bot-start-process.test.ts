import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FAKE_ADMIN as ADMIN,
  createFakeTelegramApi,
  DEFAULT_FAKE_TELEGRAM_TOKEN,
} from '../fakes/fake-telegram-api.js';
import { freePort, statusReply } from '../helpers/bot-run.js';
import { childEnv, spawnQuotecast, writeSettings } from '../helpers/quotecast-process.js';
import { createTempDir, type TempDir } from '../helpers/temp-dir.js';

/**
 * `quotecast start` as a real process while Telegram is down: it publishes, logs the admin bot in
 * when Telegram comes back, and SIGTERM stops it cleanly, also while the bot waits to retry. The
 * bot's start-up and retries on a fake clock are in test/integration/admin-bot-start.test.ts.
 */

/** `quotecast start` with one X channel (console) and the admin bot pointed at `port`. */
function startAgainst(dir: TempDir, port: number) {
  const configPath = writeSettings(dir.path, {
    timezone: 'UTC',
    store: { path: dir.file('queue.db') },
    outbox: { path: dir.file('outbox.jsonl') },
    channels: [{ id: 'x-main', platform: 'twitter', schedule: '0 9 * * *' }],
  });
  const env = childEnv({
    QUOTECAST_CONFIG: configPath,
    TELEGRAM_API_ROOT: `http://127.0.0.1:${port}`,
    TELEGRAM_BOT_TOKEN: DEFAULT_FAKE_TELEGRAM_TOKEN,
    TELEGRAM_ADMIN_IDS: String(ADMIN.id),
  });
  return spawnQuotecast(['start', '--no-example'], { env, cwd: dir.path });
}

describe('quotecast start with Telegram down (a real process)', { timeout: 60_000 }, () => {
  it('keeps publishing, starts the bot when Telegram comes back, and stops cleanly on SIGTERM', async () => {
    const dir = createTempDir('quotecast-bot-start-process-');
    const port = await freePort();
    const fake = createFakeTelegramApi({ port });
    try {
      const daemon = startAgainst(dir, port);
      // The wait is about a second on the system clock, spread by the jitter.
      await daemon.waitForOutput(/admin bot: Telegram unreachable \(ECONNREFUSED\); retrying in \d+ m?s\b/);
      await daemon.waitForOutput(/quotecast is running with 1 channel/);
      // Telegram is back a moment later: the next attempt (about a second on the system clock) logs in.
      await fake.start();
      await daemon.waitForOutput(/admin bot started after \d+ attempts/, { timeoutMs: 20_000 });
      expect((await statusReply(fake)).shownText).toContain('x-main');

      daemon.kill('SIGTERM');
      const result = await daemon.exited;
      expect(result).toMatchObject({ code: 0, signal: null });
      expect(result.stderr).toMatch(/stopped cleanly\s*$/);
      expect(result.stderr).not.toContain(DEFAULT_FAKE_TELEGRAM_TOKEN);
    } finally {
      await fake.close();
      dir.remove();
    }
  });

  it('stops cleanly on SIGTERM while the bot waits to retry', async () => {
    const dir = createTempDir('quotecast-bot-start-process-');
    const port = await freePort();
    try {
      const daemon = startAgainst(dir, port);
      await daemon.waitForOutput(/quotecast is running with 1 channel/);
      daemon.kill('SIGTERM');
      const result = await daemon.exited;
      expect(result).toMatchObject({ code: 0, signal: null });
      expect(result.stderr).toMatch(/stopped cleanly\s*$/);
    } finally {
      dir.remove();
    }
  });
});
