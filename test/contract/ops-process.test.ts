import { describe, expect, it } from 'vitest';
import { childEnv, spawnQuotecast, writeSettings } from '../helpers/quotecast-process.js';
import { createTempDir } from '../helpers/temp-dir.js';

/**
 * /healthz and /metrics of `quotecast start` as a real process: `ops.port` in the settings opens them
 * (port 0: any free one, printed), no `ops.port` opens nothing, and SIGTERM ends it all with exit 0.
 * The endpoints' contents are tested on a daemon runtime in test/integration/ops-server.test.ts, and
 * so is a port in use (exit 2), a start-up check that needs no real process.
 */
describe('quotecast start with health and metrics (a real process)', { timeout: 60_000 }, () => {
  const channels = [{ id: 'x-main', platform: 'twitter', schedule: '0 9 * * *' }];

  function setUp(ops?: Record<string, unknown>) {
    const dir = createTempDir('quotecast-ops-start-');
    const configPath = writeSettings(dir.path, {
      store: { path: dir.file('data/queue.db') },
      outbox: { path: dir.file('data/outbox.jsonl') },
      ...(ops ? { ops } : {}),
      channels,
    });
    return { dir, env: childEnv({ QUOTECAST_CONFIG: configPath }) };
  }

  it('serves /healthz and /metrics when ops.port is set, and stops on SIGTERM with exit 0', async () => {
    const { dir, env } = setUp({ port: 0 });
    const daemon = spawnQuotecast(['start', '--no-example'], { env, cwd: dir.path });
    try {
      await daemon.waitForOutput(/quotecast is running/);
      const address = /health and metrics on (http:\/\/127\.0\.0\.1:\d+) \(\/healthz, \/metrics\)/.exec(
        daemon.stderr(),
      );
      expect(address, daemon.stderr()).not.toBeNull();
      expect(daemon.stderr()).not.toContain('WARNING');
      const healthz = await fetch(`${address![1]}/healthz`);
      expect(healthz.status).toBe(200);
      expect(await healthz.json()).toMatchObject({
        status: 'ok',
        channels: [{ id: 'x-main', via: 'console' }],
      });
      const metrics = await (await fetch(`${address![1]}/metrics`)).text();
      // The sample for x-main's queued posts, whatever order the labels come in.
      expect(metrics).toMatch(
        /^quotecast_posts\{(?=[^}]*channel="x-main")(?=[^}]*state="queued")[^}]*\} 0$/m,
      );
      daemon.kill('SIGTERM');
      expect(await daemon.exited).toMatchObject({ code: 0, signal: null });
    } finally {
      daemon.kill('SIGKILL');
      dir.remove();
    }
  });

  it('serves nothing when ops.port is not set', async () => {
    const { dir, env } = setUp();
    const daemon = spawnQuotecast(['start', '--no-example'], { env, cwd: dir.path });
    try {
      await daemon.waitForOutput(/quotecast is running/);
      daemon.kill('SIGTERM');
      const result = await daemon.exited;
      expect(result.code).toBe(0);
      expect(result.stderr).not.toContain('health and metrics');
    } finally {
      daemon.kill('SIGKILL');
      dir.remove();
    }
  });
});
