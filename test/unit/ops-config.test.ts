import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isLoopbackHost } from '../../src/apps/ops/ops-server.js';
import { loadConfig } from '../../src/config/load-config.js';
import { repoRoot } from '../fixtures/fixtures.js';

const workDir = mkdtempSync(path.join(tmpdir(), 'quotecast-ops-config-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const CHANNELS = [{ id: 'x-main', platform: 'twitter' }];

function load(ops: unknown, env: Record<string, string> = {}) {
  return loadConfig({
    settings: { ...(ops === undefined ? {} : { ops }), channels: CHANNELS },
    env,
    cwd: workDir,
  });
}

describe('the ops settings', () => {
  it('are off unless a port is set; the host defaults to loopback', () => {
    const off = load(undefined);
    expect(off.ok && off.config.ops).toBeUndefined();
    const hostOnly = load({ host: '0.0.0.0' });
    expect(hostOnly.ok && hostOnly.config.ops).toBeUndefined();
    const on = load({ port: 9464 });
    expect(on.ok && on.config.ops).toEqual({ host: '127.0.0.1', port: 9464 });
    const any = load({ port: 0, host: '::1' });
    expect(any.ok && any.config.ops).toEqual({ host: '::1', port: 0 });
  });

  it('take QUOTECAST_OPS_PORT and QUOTECAST_OPS_HOST over the settings; the port alone turns them on', () => {
    const over = load({ port: 9464, host: '0.0.0.0' }, { QUOTECAST_OPS_PORT: '9500' });
    expect(over.ok && over.config.ops).toEqual({ host: '0.0.0.0', port: 9500 });
    const host = load({ port: 9464 }, { QUOTECAST_OPS_HOST: '0.0.0.0' });
    expect(host.ok && host.config.ops).toEqual({ host: '0.0.0.0', port: 9464 });
    const hostOnly = load(undefined, { QUOTECAST_OPS_HOST: '0.0.0.0' });
    expect(hostOnly.ok && hostOnly.config.ops).toBeUndefined();
    const envOnly = load(undefined, { QUOTECAST_OPS_PORT: ' 9600 ' });
    expect(envOnly.ok && envOnly.config.ops).toEqual({ host: '127.0.0.1', port: 9600 });
  });

  it('report every problem at once, each naming the key and the fix', () => {
    const outcome = load(
      { port: 70000, host: 'not a host', token: 'x' },
      { QUOTECAST_OPS_PORT: 'ninety', QUOTECAST_OPS_HOST: 'http://0.0.0.0' },
    );
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/ops\.port: expected a port from 1 to 65535 \(0: any free port\)$/),
        expect.stringMatching(/ops\.host: expected an address to listen on such as "127\.0\.0\.1"/),
        expect.stringMatching(/ops\.token: unknown key/),
        'QUOTECAST_OPS_PORT: "ninety" is not a port number; use 1-65535 (0: any free port), or unset it to keep ops.port from the settings',
        'QUOTECAST_OPS_HOST: "http://0.0.0.0": expected an address to listen on such as "127.0.0.1", "::1" or "0.0.0.0"',
      ]),
    );
    expect(outcome.problems).toHaveLength(5);
    const fraction = load({ port: 94.64 });
    expect(!fraction.ok && fraction.problems).toEqual([
      expect.stringMatching(/ops\.port: expected a whole port number such as 9464$/),
    ]);
  });

  it('are documented in the example settings, which load', () => {
    for (const file of ['config/default.yaml', 'config/newsroom.example.yaml']) {
      const text = readFileSync(path.join(repoRoot, file), 'utf8');
      expect(text, file).toMatch(/^# ops:\n#\s+port: 9464\n#\s+host: 127\.0\.0\.1$/m);
      const settings = parse(text) as Record<string, unknown>;
      const outcome = loadConfig({ settings: { ...settings, ops: { port: 9464 } }, env: {}, cwd: workDir });
      expect(outcome.ok && outcome.config.ops, file).toEqual({ host: '127.0.0.1', port: 9464 });
    }
  });
});

describe('isLoopbackHost', () => {
  it('knows loopback from the rest', () => {
    for (const host of ['127.0.0.1', '127.8.9.10', '::1', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1'])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', 'monitoring.example', '128.0.0.1'])
      expect(isLoopbackHost(host), host).toBe(false);
  });
});
