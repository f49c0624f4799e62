import { describe, expect, it } from 'vitest';
import { dryRunEnv, spawnQuotecast, writeSettings } from '../helpers/quotecast-process.js';
import { createTempDir } from '../helpers/temp-dir.js';

/**
 * `npm start` and Ctrl-C: the terminal signals npm and node, and npm forwards its own copy, so the
 * daemon gets the same signal twice at once. The second copy must not kill it mid-stop (it exited
 * 143 before); a signal sent well after the first still stops it at once.
 */
describe('quotecast start and repeated signals (a real process)', { timeout: 60_000 }, () => {
  function startDaemon() {
    const dir = createTempDir('quotecast-signals-');
    const configPath = writeSettings(dir.path, {
      timezone: 'UTC',
      store: { path: dir.file('data/queue.db') },
      outbox: { path: dir.file('data/outbox.jsonl') },
      channels: [{ id: 'x-console', platform: 'twitter', schedule: '0 9 * * *' }],
    });
    const daemon = spawnQuotecast(['start', '--no-example'], {
      cwd: dir.path,
      env: dryRunEnv({ QUOTECAST_CONFIG: configPath }),
    });
    return { dir, daemon };
  }

  it('two SIGTERMs back to back (npm start forwarding one) still end in a clean stop, exit 0', async () => {
    const { dir, daemon } = startDaemon();
    try {
      await daemon.waitForOutput(/is running with 1 channel/);
      daemon.kill('SIGTERM');
      // npm's copy arrives once the daemon has begun to stop.
      await daemon.waitForOutput(/stopping: finishing the send in flight/);
      daemon.kill('SIGTERM');
      const result = await daemon.exited;
      expect(result.signal).toBeNull();
      expect(result.code).toBe(0);
      expect(result.stderr).toContain('stopped cleanly');
      expect(result.stderr).not.toContain('stopping now');
    } finally {
      daemon.kill('SIGKILL');
      dir.remove();
    }
  });
});
