import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createSqliteStore,
  type SqliteStoreOptions,
  translateRuntimeError,
} from '../../src/adapters/sqlite/create-sqlite-store.js';
import { LATEST_SCHEMA_VERSION, migrations } from '../../src/adapters/sqlite/migrations.js';
import { StoreError } from '../../src/adapters/sqlite/store-error.js';
import type { PostStore } from '../../src/ports/post-store.js';
import { at, batch, enqueue, expectStoreError } from '../helpers/store-adapters.js';

/**
 * What only an SQLite file has: its creation and migrations, WAL, damaged or foreign files, a full
 * disk, and the daemon lock. What the store does through its port (the state machine, queries,
 * outbox, feeds, kills…) is tested on every adapter in store-contract/.
 */

let dir: string;
let dbPath: string;
let opened: PostStore[];
let clockNow: Date;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'quotecast-store-'));
  dbPath = join(dir, 'data', 'queue.db');
  opened = [];
  clockNow = at(0);
});

afterEach(async () => {
  for (const store of opened) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function open(options: Partial<SqliteStoreOptions> = {}): PostStore {
  const store = createSqliteStore({ path: dbPath, now: () => clockNow, ...options });
  opened.push(store);
  return store;
}

function countRows(table: 'articles' | 'posts' | 'attempts'): number {
  const db = new Database(dbPath, { readonly: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('opening and migrations', () => {
  it('brings a version 1 store up to date without touching its posts', async () => {
    mkdirSync(join(dir, 'data'), { recursive: true });
    const old = new Database(dbPath);
    old.exec(migrations[0]!.sql);
    old.pragma('user_version = 1');
    old.exec(`INSERT INTO articles (id, content_hash, title, created_at) VALUES (1, 'h', 'Old', 0)`);
    old.exec(`INSERT INTO posts (article_id, channel_id, mode, seq, total, text, length, state, approved, created_at)
      VALUES (1, 'tg', 'quotes', 1, 1, 'An old post', 11, 'unknown', 1, 0)`);
    old.close();
    const store = open();
    expect((await store.postsInState('unknown', 10)).map((p) => p.text)).toEqual(['An old post']);
    expect(await store.addAlert({ kind: 'info', text: 'hello' }, clockNow)).toMatchObject({ text: 'hello' });
    await store.close();
    const db = new Database(dbPath, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    db.close();
  });

  it('creates the directory and a migrated WAL database, and keeps data across re-opening', async () => {
    const store = open();
    const { articleId } = await enqueue(store, 1, [batch('x', 2)]);
    await store.setSetting('token', 'abc');
    await store.close();

    const db = new Database(dbPath, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((row) => (row as { name: string }).name);
    expect(tables).toEqual([
      'alert_deliveries',
      'alerts',
      'articles',
      'attempts',
      'channel_state',
      'feed_items',
      'feeds',
      'posts',
      'previews',
      'settings',
    ]);
    db.close();

    const again = open();
    expect((await again.getArticle(articleId))?.title).toBe('Article 1');
    expect((await again.postsOfArticle(articleId)).map((post) => post.text)).toEqual([
      'x post 1',
      'x post 2',
    ]);
    expect(await again.getSetting('token')).toBe('abc');
  });

  it('checkpoints the WAL into the main file on close', async () => {
    const store = open();
    await enqueue(store, 1, [batch('x', 3)]);
    await store.close();
    const wal = `${dbPath}-wal`;
    expect(!existsSync(wal) || statSync(wal).size === 0).toBe(true);
  });

  it('refuses a database written by a newer schema version, leaving it as it was', async () => {
    await open().close();
    const db = new Database(dbPath);
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    db.close();

    await expectStoreError(
      () => open(),
      'newer-schema',
      dbPath,
      'newer quotecast',
      'upgrade quotecast',
      'store.path',
    );
    const check = new Database(dbPath, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION + 1);
    check.close();
  });

  it('refuses a file that is not a database and does not overwrite it', async () => {
    const garbage = Buffer.from('This is a newsroom memo, not a database.\n'.repeat(200));
    dbPath = join(dir, 'memo.db');
    writeFileSync(dbPath, garbage);

    await expectStoreError(() => open(), 'unreadable', dbPath, 'not an SQLite database', 'store.path');
    expect(readFileSync(dbPath).equals(garbage)).toBe(true);
    expect(existsSync(`${dbPath}-wal`)).toBe(false);
  });

  it('refuses an SQLite database that belongs to something else', async () => {
    dbPath = join(dir, 'other.db');
    const db = new Database(dbPath);
    db.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY)');
    db.close();

    await expectStoreError(() => open(), 'unreadable', dbPath, 'not a quotecast store', 'invoices');
    const check = new Database(dbPath, { readonly: true });
    expect(check.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'posts'").get()).toEqual({
      n: 0,
    });
    check.close();
  });

  it('reports a damaged database as corrupt', async () => {
    const store = open();
    await enqueue(store, 1, [batch('x', 3)]);
    await store.close();
    // Keep the 100-byte header (so it still looks like SQLite) and scribble over the schema page.
    const bytes = readFileSync(dbPath);
    bytes.fill(0xa5, 100, 4096);
    writeFileSync(dbPath, bytes);

    await expectStoreError(() => open(), 'corrupt', dbPath, 'backup', 'quotecast status --check');
  });

  it('refuses an empty file at the store path instead of starting a new store over it', async () => {
    await open().close();
    writeFileSync(dbPath, '');
    await expectStoreError(() => open(), 'unreadable', dbPath, 'empty (0 bytes) but exists', 'backup');
    expect(statSync(dbPath).size).toBe(0);
  });

  it('refuses a store with a damaged page that SQLite opens without complaint (quick check)', async () => {
    const store = open();
    for (let n = 1; n <= 100; n++) await enqueue(store, n, [batch('x', 5), batch('tg', 5)]);
    await store.close();
    const bytes = readFileSync(dbPath);
    const pages = bytes.length / 4096;
    // The last pages hold posts and their indexes; page 1 (header and schema) stays intact.
    bytes.fill(0x5a, (pages - 3) * 4096, (pages - 1) * 4096);
    writeFileSync(dbPath, bytes);
    expect(countRows('articles')).toBe(100);

    await expectStoreError(() => open({ exclusive: true }), 'corrupt', dbPath, 'quick check found', 'backup');
  });

  it('names a full disk when a write fails for want of space, with nothing written', () => {
    // A real SQLITE_FULL from the engine: a page limit is reported exactly as a full disk is.
    const db = new Database(join(dir, 'small.db'));
    db.exec('CREATE TABLE t (x TEXT)');
    db.pragma('max_page_count = 3');
    let full: unknown;
    try {
      for (let i = 0; i < 100; i++) db.prepare('INSERT INTO t (x) VALUES (?)').run('x'.repeat(2000));
    } catch (error) {
      full = error;
    }
    db.close();
    const error = translateRuntimeError(dbPath, full) as StoreError;
    expect(error).toBeInstanceOf(StoreError);
    expect(error.code).toBe('disk-full');
    expect(error.message).toContain(`no space left on the disk holding ${dbPath}`);
    expect(error.message).toContain('nothing was written');
    expect(error.cause).toBe(full);
  });

  it('reports a path that cannot be opened as unreadable', async () => {
    dbPath = dir; // a directory, not a file
    await expectStoreError(() => open(), 'unreadable', dir);
  });
});

describe('the daemon lock', () => {
  it('refuses a second exclusive opener while the first holds the store, and allows it after close', async () => {
    const daemon = open({ exclusive: true });
    await expectStoreError(
      () => open({ exclusive: true }),
      'locked',
      dbPath,
      `pid ${process.pid}`,
      'stop that daemon',
    );

    // CLI reads do not take the lock and see the daemon's writes.
    const cli = open();
    const { articleId } = await enqueue(daemon, 1, [batch('x', 1)]);
    expect(await cli.postsOfArticle(articleId)).toHaveLength(1);

    await daemon.close();
    const next = open({ exclusive: true });
    expect(await next.postsOfArticle(articleId)).toHaveLength(1);
  });

  it('is released by the operating system when the holding process dies', async () => {
    const storeModule = fileURLToPath(
      new URL('../../src/adapters/sqlite/create-sqlite-store.ts', import.meta.url),
    );
    const script = `
      const { createSqliteStore } = await import(${JSON.stringify(storeModule)});
      createSqliteStore({ path: ${JSON.stringify(dbPath)}, exclusive: true });
      process.stdout.write('held\\n');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('held')) resolve();
        });
        child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
      });
      await expectStoreError(() => open({ exclusive: true }), 'locked', `pid ${child.pid}`);
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((resolve) => child.once('exit', resolve));

    // No stale lock to clean up: the kill released it.
    const store = open({ exclusive: true });
    expect((await store.countsByState()).queued).toBe(0);
  });
});
