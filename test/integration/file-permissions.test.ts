import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createConsolePublisher } from '../../src/adapters/console/create-console-publisher.js';
import { createSqliteStore } from '../../src/adapters/sqlite/create-sqlite-store.js';
import type { PostStore } from '../../src/ports/post-store.js';
import { createTempDir, type TempDir } from '../helpers/temp-dir.js';

/**
 * Issue 11, finding 4: the store, its -wal/-shm, the lock and the outbox were 0644 in a 0755 data/.
 * Every file is now 0600 in a 0700 folder, on every open. The umask is 0 while these tests run, so
 * anything created with a default mode would come out 0644 or 0666 and fail them.
 */

const mode = (file: string) => (statSync(file).mode & 0o7777).toString(8).padStart(4, '0');
const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

let dir: TempDir;
let previousUmask: number;
let warnings: string[];
const open: PostStore[] = [];

function store(storePath: string, exclusive = false): PostStore {
  const opened = createSqliteStore({ path: storePath, exclusive, warn: (m) => warnings.push(m) });
  open.push(opened);
  return opened;
}

beforeAll(() => {
  previousUmask = process.umask(0);
});
afterAll(() => {
  process.umask(previousUmask);
});
beforeEach(() => {
  dir = createTempDir('quotecast-perms-');
  warnings = [];
});
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  dir.remove();
});

describe('a new store', () => {
  it('is created 0600 in a 0700 folder, with its -wal, -shm and lock file 0600', async () => {
    const data = dir.file('data');
    const storePath = path.join(data, 'quotecast.db');
    const s = store(storePath, true);
    await s.setSetting('probe', 'written');

    expect(mode(data)).toBe('0700');
    for (const file of ['quotecast.db', 'quotecast.db-wal', 'quotecast.db-shm', 'quotecast.db.lock']) {
      expect(existsSync(path.join(data, file)), file).toBe(true);
      expect([file, mode(path.join(data, file))]).toEqual([file, '0600']);
    }
    expect(warnings).toEqual([]);
  });

  it("gives the side files SQLite makes later, at a reader's first write, the same 0600", async () => {
    const storePath = dir.file('data/q.db');
    await store(storePath).close();
    open.length = 0;
    // The last connection to close removed the WAL; a reader (no lock) opens and writes afresh.
    expect(existsSync(`${storePath}-wal`)).toBe(false);
    const reader = store(storePath);
    await reader.setSetting('probe', 'again');
    expect(mode(`${storePath}-wal`)).toBe('0600');
    expect(mode(`${storePath}-shm`)).toBe('0600');
  });
});

describe('a store made before this rule', () => {
  /** A store left by an older quotecast: everything 0644 in a 0755 data/, a WAL still beside it. */
  async function oldStore(): Promise<{ data: string; storePath: string; writer: Database.Database }> {
    const data = dir.file('data');
    const storePath = path.join(data, 'quotecast.db');
    await store(storePath, true).close();
    open.length = 0;
    // Another connection keeps the WAL and -shm alive, as a crash or a reader would.
    const writer = new Database(storePath);
    writer.prepare("INSERT INTO settings (key, value) VALUES ('old', 'x')").run();
    for (const file of [storePath, `${storePath}-wal`, `${storePath}-shm`, `${storePath}.lock`])
      chmodSync(file, 0o644);
    chmodSync(data, 0o755);
    return { data, storePath, writer };
  }

  it('is made 0600 in a 0700 folder when the daemon opens it', async () => {
    const { data, storePath, writer } = await oldStore();
    try {
      store(storePath, true);
      expect(mode(data)).toBe('0700');
      for (const file of [storePath, `${storePath}-wal`, `${storePath}-shm`, `${storePath}.lock`])
        expect([path.basename(file), mode(file)]).toEqual([path.basename(file), '0600']);
      expect(warnings).toEqual([]);
    } finally {
      writer.close();
    }
  });

  it('is made private by a read-only command too (no lock taken)', async () => {
    const { data, storePath, writer } = await oldStore();
    try {
      store(storePath);
      expect(mode(data)).toBe('0700');
      expect(mode(storePath)).toBe('0600');
      expect(mode(`${storePath}-wal`)).toBe('0600');
      expect(mode(`${storePath}-shm`)).toBe('0600');
    } finally {
      writer.close();
    }
  });
});

describe('what quotecast may not change', () => {
  it.skipIf(!isRoot)(
    'a store file of another user: a warning naming it and the fix, and the store still opens',
    async () => {
      const storePath = dir.file('data/q.db');
      await store(storePath).close();
      open.length = 0;
      chmodSync(storePath, 0o644);
      chownSync(storePath, NOBODY, NOBODY);

      const s = store(storePath, true);
      await s.setSetting('still', 'works');
      expect(await s.getSetting('still')).toBe('works');
      expect(mode(storePath)).toBe('0644');
      // SQLite, run as root, gives the -wal and -shm the database file's owner and mode: same warning.
      expect(warnings).toEqual(
        ['', '-wal', '-shm'].map(
          (suffix) =>
            `${storePath}${suffix} is readable by other users (mode 0644) and belongs to another user (uid ${NOBODY}), ` +
            `so quotecast left it as it is: run quotecast as that user, or have them run chmod 600 ${storePath}${suffix}`,
        ),
      );
    },
  );

  it('a folder that also holds other folders: left open, with a warning that says why and what to do', () => {
    const shared = dir.file('shared');
    mkdirSync(path.join(shared, 'photos'), { recursive: true });
    chmodSync(shared, 0o755);
    const storePath = path.join(shared, 'q.db');

    store(storePath, true);
    expect(mode(shared)).toBe('0755');
    expect(mode(storePath)).toBe('0600');
    expect(warnings).toEqual([
      `folder ${shared} is open to other users (mode 0755) and quotecast left it as it is because it holds ` +
        `other folders (photos), so it is not quotecast's alone: move the store and the outbox into a folder ` +
        `of their own (such as data/), or run chmod 700 ${shared}`,
    ]);
  });
});

describe('the console outbox', () => {
  const clock = { now: () => new Date('2025-03-01T12:00:00Z'), sleep: async () => {} };

  it('is created 0600 in a 0700 folder', async () => {
    const outboxPath = dir.file('out/outbox.jsonl');
    const publisher = createConsolePublisher({
      platform: 'telegram',
      channelId: 'tg',
      outboxPath,
      clock,
      write: () => {},
      warn: (m) => warnings.push(m),
    });
    await publisher.publish({ text: 'not yet public' });
    expect(mode(path.dirname(outboxPath))).toBe('0700');
    expect(mode(outboxPath)).toBe('0600');
    expect(warnings).toEqual([]);
  });

  it('made before this rule, is made 0600 (folder 0700) at the next post, and keeps its lines', async () => {
    const folder = dir.file('out');
    mkdirSync(folder, { mode: 0o755 });
    const outboxPath = path.join(folder, 'outbox.jsonl');
    writeFileSync(outboxPath, '{"remoteId":"console-1"}\n', { mode: 0o644 });
    const publisher = createConsolePublisher({
      platform: 'telegram',
      channelId: 'tg',
      outboxPath,
      clock,
      write: () => {},
      warn: (m) => warnings.push(m),
    });
    const receipt = await publisher.publish({ text: 'second' });
    expect(receipt.remoteId).toBe('console-2');
    expect(mode(folder)).toBe('0700');
    expect(mode(outboxPath)).toBe('0600');
    expect(warnings).toEqual([]);
  });
});

describe('a folder that can be neither found nor made', () => {
  // Node's recursive mkdirSync spins for ever on such a path (under /proc, or relative to a deleted
  // working folder), blocking every signal: a daemon was seen at 100% CPU ignoring SIGTERM. So this
  // runs in a child with a deadline, which a spin would hit.
  it.runIf(process.platform === 'linux')('is an error at once, not an endless loop', () => {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const module = pathToFileURL(path.resolve('src/adapters/fs/private-files.ts')).href;
    const code = `
      const { ensurePrivateDirectory } = await import(${JSON.stringify(module)});
      try { ensurePrivateDirectory('/proc/quotecast-cannot-exist/data', () => {}); console.log('made?'); }
      catch (error) { console.log('refused', error.code); }`;
    const child = spawnSync(process.execPath, ['--import', tsx, '--input-type=module', '-e', code], {
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(child.signal, 'the child was killed at its deadline: the mkdir loop spun').toBeNull();
    expect(child.stdout.trim()).toBe('refused ENOENT');
  });
});
