import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';

const workDir = mkdtempSync(path.join(tmpdir(), 'quotecast-store-config-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const CHANNELS = [{ id: 'x-main', platform: 'twitter' }];

function load(store: unknown, env: Record<string, string> = {}) {
  return loadConfig({
    settings: { ...(store === undefined ? {} : { store }), channels: CHANNELS },
    env,
    cwd: workDir,
  });
}

describe('the store settings', () => {
  it('default to the SQLite file, with a 90 s lease for when PostgreSQL is chosen', () => {
    const outcome = load(undefined);
    expect(outcome.ok && outcome.config.settings.store).toEqual({
      path: './data/quotecast.db',
      leaseSeconds: 90,
    });
  });

  it('take DATABASE_URL over store.url, and redact its password (percent-decoded) from the logs', () => {
    const outcome = load(
      { url: 'postgres://settings@db:5432/q' },
      { DATABASE_URL: 'postgres://quotecast:s%40cret-pw@db.example.org:5432/quotecast' },
    );
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.config.settings.store.url).toBe(
      'postgres://quotecast:s%40cret-pw@db.example.org:5432/quotecast',
    );
    expect(outcome.config.secrets).toContain('s@cret-pw');
  });

  it('refuse a URL that is not PostgreSQL and a lease too short to heartbeat in, naming the fix', () => {
    const env = load(undefined, { DATABASE_URL: 'mysql://root@db/q' });
    expect(env.ok).toBe(false);
    if (!env.ok)
      expect(env.problems.join('\n')).toMatch(/DATABASE_URL: not a PostgreSQL URL; use postgres:\/\//);
    const settings = load({ url: 'http://db/q', leaseSeconds: 1 });
    expect(settings.ok).toBe(false);
    if (!settings.ok) {
      expect(settings.problems.join('\n')).toMatch(/store\.url.*postgres:\/\//);
      expect(settings.problems.join('\n')).toMatch(/store\.leaseSeconds/);
    }
  });
});
