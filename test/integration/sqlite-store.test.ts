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
import type { ChannelBatch, NewArticle, PostStore } from '../../src/ports/post-store.js';

const T0 = new Date('2026-03-02T08:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

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

async function reopen(store: PostStore): Promise<PostStore> {
  await store.close();
  return open();
}

function article(n: number, extra: Partial<NewArticle> = {}): NewArticle {
  return { contentHash: `hash-${n}`, url: `https://news.example/${n}`, title: `Article ${n}`, ...extra };
}

function batch(channelId: string, count: number, mode: ChannelBatch['mode'] = 'quotes'): ChannelBatch {
  return {
    channelId,
    mode,
    posts: Array.from({ length: count }, (_, i) => ({ text: `${channelId} post ${i + 1}`, length: 10 + i })),
  };
}

async function enqueue(store: PostStore, n: number, batches: readonly ChannelBatch[], approved = true) {
  const result = await store.enqueueArticle(article(n), batches, { now: at(0), approved });
  if (result.kind !== 'queued') throw new Error(`expected queued, got ${JSON.stringify(result)}`);
  return result;
}

async function expectStoreError(
  fn: () => unknown,
  code: StoreError['code'],
  ...fragments: string[]
): Promise<StoreError> {
  let caught: unknown;
  try {
    await fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(StoreError);
  const error = caught as StoreError;
  expect(error.code).toBe(code);
  for (const fragment of fragments) expect(error.message).toContain(fragment);
  return error;
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

describe('enqueueArticle', () => {
  it('stores the article and numbers each channel batch 1..n', async () => {
    const store = open();
    const result = await store.enqueueArticle(
      { contentHash: 'h1', url: 'https://news.example/a', title: 'A', byline: 'Ann' },
      [batch('x', 3, 'thread'), batch('tg', 2)],
      { now: at(5), approved: false },
    );
    expect(result.kind).toBe('queued');
    if (result.kind !== 'queued') return;
    expect(result.postIds).toHaveLength(5);

    expect(await store.getArticle(result.articleId)).toEqual({
      id: result.articleId,
      contentHash: 'h1',
      url: 'https://news.example/a',
      title: 'A',
      byline: 'Ann',
      createdAt: at(5),
    });
    const onX = await store.postsOfArticle(result.articleId, 'x');
    expect(onX.map((post) => [post.seq, post.total, post.mode])).toEqual([
      [1, 3, 'thread'],
      [2, 3, 'thread'],
      [3, 3, 'thread'],
    ]);
    expect(await store.getPost(result.postIds[0]!)).toEqual({
      id: result.postIds[0],
      articleId: result.articleId,
      channelId: 'x',
      mode: 'thread',
      seq: 1,
      total: 3,
      text: 'x post 1',
      length: 10,
      state: 'queued',
      approved: false,
      attempts: 0,
      nextAttemptAt: null,
      remoteId: null,
      remoteUrl: null,
      remoteChat: null,
      lastError: null,
      createdAt: at(5),
      sentAt: null,
    });
    expect(
      (await store.postsOfArticle(result.articleId)).map((post) => `${post.channelId}${post.seq}`),
    ).toEqual(['tg1', 'tg2', 'x1', 'x2', 'x3']);
  });

  it('stores an article without url or byline as nulls', async () => {
    const store = open();
    const result = await store.enqueueArticle({ contentHash: 'h', title: 'T' }, [batch('x', 1)], {
      now: at(0),
      approved: true,
    });
    const stored = await store.getArticle(result.articleId);
    expect(stored?.url).toBeNull();
    expect(stored?.byline).toBeNull();
  });

  it('detects a duplicate by content hash and writes nothing', async () => {
    const store = open();
    const first = await enqueue(store, 1, [batch('x', 2), batch('tg', 1)]);
    const again = await store.enqueueArticle(
      article(1, { url: 'https://elsewhere.example/copy' }),
      [batch('x', 2), batch('mastodon', 1)],
      { now: at(1), approved: true },
    );
    expect(again).toEqual({ kind: 'duplicate', articleId: first.articleId, channelIds: ['x'] });
    expect(countRows('posts')).toBe(3);
    expect(countRows('articles')).toBe(1);
  });

  it('detects a duplicate by canonical URL even when the text changed', async () => {
    const store = open();
    const first = await enqueue(store, 1, [batch('x', 2), batch('tg', 1)]);
    const again = await store.enqueueArticle(
      article(1, { contentHash: 'edited' }),
      [batch('tg', 1), batch('x', 1)],
      {
        now: at(1),
        approved: true,
      },
    );
    expect(again).toEqual({ kind: 'duplicate', articleId: first.articleId, channelIds: ['tg', 'x'] });
    expect(countRows('posts')).toBe(3);
  });

  it('counts sent and skipped posts as already there', async () => {
    const store = open();
    const first = await enqueue(store, 1, [batch('x', 1)]);
    await store.skip(first.postIds[0]!);
    expect(
      (await store.enqueueArticle(article(1), [batch('x', 1)], { now: at(1), approved: true })).kind,
    ).toBe('duplicate');
  });

  it('enqueues again with force, as a separate article so the two copies never interleave', async () => {
    const store = open();
    const first = await enqueue(store, 1, [batch('x', 2)]);
    const forced = await store.enqueueArticle(article(1), [batch('x', 2)], {
      now: at(1),
      approved: true,
      force: true,
    });
    expect(forced.kind).toBe('queued');
    if (forced.kind !== 'queued') return;
    expect(forced.articleId).not.toBe(first.articleId);
    expect((await store.postsOfArticle(forced.articleId)).map((post) => post.seq)).toEqual([1, 2]);
    expect((await store.upcoming('x', 10)).map((post) => [post.articleId, post.seq])).toEqual([
      [first.articleId, 1],
      [first.articleId, 2],
      [forced.articleId, 1],
      [forced.articleId, 2],
    ]);
  });

  it('adds new channels to the existing article row', async () => {
    const store = open();
    const first = await enqueue(store, 1, [batch('x', 2)]);
    const more = await store.enqueueArticle(article(1), [batch('tg', 3)], { now: at(1), approved: true });
    expect(more.kind).toBe('queued');
    expect(more.articleId).toBe(first.articleId);
    expect(countRows('articles')).toBe(1);
    expect((await store.postsOfArticle(first.articleId, 'tg')).map((post) => [post.seq, post.total])).toEqual(
      [
        [1, 3],
        [2, 3],
        [3, 3],
      ],
    );
  });

  it('allows enqueueing again once every post on the channel was deleted, reusing the article', async () => {
    const store = open();
    const first = await enqueue(store, 1, [batch('x', 2)]);
    expect(await store.deleteUnsent(first.articleId)).toBe(2);
    const again = await store.enqueueArticle(article(1), [batch('x', 1)], { now: at(1), approved: true });
    expect(again).toMatchObject({ kind: 'queued', articleId: first.articleId });
  });

  it('rejects two batches for the same channel without writing', async () => {
    const store = open();
    await expect(
      store.enqueueArticle(article(1), [batch('x', 1), batch('x', 2)], { now: at(0), approved: true }),
    ).rejects.toThrow(RangeError);
    expect(countRows('articles')).toBe(0);
  });
});

describe('the post state machine', () => {
  it('leases, logs the attempt and marks sent', async () => {
    const store = open();
    const { postIds } = await enqueue(store, 1, [batch('x', 2)]);
    const id = postIds[0]!;

    const leased = await store.lease(id, at(1));
    expect(leased).toMatchObject({ id, state: 'sending', attempts: 1 });
    expect(await store.attempts(id)).toEqual([
      { postId: id, attempt: 1, startedAt: at(1), finishedAt: null, outcome: null, detail: null },
    ]);
    expect(await store.lease(id, at(1))).toBeUndefined();

    clockNow = at(2);
    await store.markSent(id, { remoteId: 'r1', url: 'https://x.example/r1', publishedAt: at(1.5) });
    expect(await store.getPost(id)).toMatchObject({
      state: 'sent',
      remoteId: 'r1',
      remoteUrl: 'https://x.example/r1',
      sentAt: at(1.5),
    });
    expect(await store.attempts(id)).toEqual([
      { postId: id, attempt: 1, startedAt: at(1), finishedAt: at(2), outcome: 'sent', detail: null },
    ]);
    expect(await store.lease(id, at(3))).toBeUndefined();
  });

  it('refuses illegal transitions with an invalid-transition error and changes nothing', async () => {
    const store = open();
    const { postIds } = await enqueue(store, 1, [batch('x', 1)]);
    const id = postIds[0]!;
    const receipt = { remoteId: 'r', publishedAt: at(1) };

    await expectStoreError(
      async () => await store.markSent(id, receipt),
      'invalid-transition',
      `post ${id}`,
      'queued',
    );
    await expectStoreError(
      async () => await store.markRetry(id, 'unavailable', at(5), 'x', at(1)),
      'invalid-transition',
    );
    await expectStoreError(
      async () => await store.markFailed(id, 'rejected', 'x', at(1)),
      'invalid-transition',
    );
    await expectStoreError(async () => await store.resolveUnknownAsSent(id, receipt), 'invalid-transition');
    await expectStoreError(
      async () => await store.markSent(999, receipt),
      'invalid-transition',
      'no such post',
    );
    expect(await store.getPost(id)).toMatchObject({ state: 'queued', remoteId: null, attempts: 0 });
    expect(await store.attempts(id)).toEqual([]);

    await store.lease(id, at(1));
    await store.markSent(id, receipt);
    await expectStoreError(
      async () => await store.markFailed(id, 'rejected', 'x', at(2)),
      'invalid-transition',
      'sent',
    );
    await expectStoreError(
      async () => await store.markRetry(id, 'unavailable', at(5), 'x', at(2)),
      'invalid-transition',
    );
    await expectStoreError(
      async () => await store.markSent(id, { remoteId: 'other', publishedAt: at(2) }),
      'invalid-transition',
    );
    expect((await store.getPost(id))?.remoteId).toBe('r');
    expect(await store.requeue(id, at(2))).toBe(false);
    expect(await store.skip(id)).toBe(false);
    expect(await store.editText(id, 'new', 3)).toBe(false);
  });

  it('puts a post back for a retry and fails it later, logging each attempt', async () => {
    const store = open();
    const { postIds } = await enqueue(store, 1, [batch('x', 1)]);
    const id = postIds[0]!;

    await store.lease(id, at(1));
    await store.markRetry(id, 'rate-limited', at(16), 'HTTP 429', at(1.1));
    expect(await store.getPost(id)).toMatchObject({
      state: 'queued',
      nextAttemptAt: at(16),
      lastError: 'rate-limited: HTTP 429',
      attempts: 1,
    });

    await store.lease(id, at(16));
    await store.markFailed(id, 'rejected', 'HTTP 403 text too long', at(16.1));
    expect(await store.getPost(id)).toMatchObject({
      state: 'failed',
      attempts: 2,
      lastError: 'rejected: HTTP 403 text too long',
    });
    expect(await store.attempts(id)).toEqual([
      {
        postId: id,
        attempt: 1,
        startedAt: at(1),
        finishedAt: at(1.1),
        outcome: 'rate-limited',
        detail: 'HTTP 429',
      },
      {
        postId: id,
        attempt: 2,
        startedAt: at(16),
        finishedAt: at(16.1),
        outcome: 'rejected',
        detail: 'HTTP 403 text too long',
      },
    ]);
  });

  it('records a duplicate receipt as the attempt outcome', async () => {
    const store = open();
    const { postIds } = await enqueue(store, 1, [batch('x', 1)]);
    await store.lease(postIds[0]!, at(1));
    await store.markSent(postIds[0]!, { remoteId: 'r', publishedAt: at(1) }, 'duplicate');
    expect((await store.getPost(postIds[0]!))?.state).toBe('sent');
    expect((await store.attempts(postIds[0]!))[0]?.outcome).toBe('duplicate');
  });

  it('turns interrupted sends into unknown on start-up, then resolves them', async () => {
    const store = open();
    const { postIds } = await enqueue(store, 1, [batch('x', 3), batch('tg', 1)]);
    const [a, b, c, d] = postIds as [number, number, number, number];
    await store.lease(a, at(1));
    await store.markSent(a, { remoteId: 'ra', publishedAt: at(1) });
    await store.lease(b, at(2));
    await store.lease(d, at(2));

    const restarted = await reopen(store);
    const unknown = await restarted.markInterruptedAsUnknown(at(10));
    expect(unknown.map((post) => [post.id, post.state])).toEqual([
      [d, 'unknown'],
      [b, 'unknown'],
    ]);
    expect((await restarted.getPost(a))?.state).toBe('sent');
    expect((await restarted.getPost(c))?.state).toBe('queued');
    expect(await restarted.attempts(b)).toEqual([
      {
        postId: b,
        attempt: 1,
        startedAt: at(2),
        finishedAt: at(10),
        outcome: 'unknown',
        detail: expect.stringContaining('interrupted'),
      },
    ]);
    expect(await restarted.markInterruptedAsUnknown(at(11))).toEqual([]);
    expect(await restarted.lease(b, at(11))).toBeUndefined();

    // Reconciliation found b on the platform; d gets sent after all.
    await restarted.resolveUnknownAsSent(b, {
      remoteId: 'rb',
      url: 'https://x.example/rb',
      publishedAt: at(2),
    });
    expect(await restarted.getPost(b)).toMatchObject({ state: 'sent', remoteId: 'rb', sentAt: at(2) });
    await restarted.markSent(d, { remoteId: 'rd', publishedAt: at(2) });
    expect(await restarted.getPost(d)).toMatchObject({ state: 'sent', remoteId: 'rd' });
    // The unknown attempt keeps the outcome it was closed with.
    expect((await restarted.attempts(d)).map((attempt) => attempt.outcome)).toEqual(['unknown']);
  });

  it('resolves an unknown post as sent without a remote id', async () => {
    const store = open();
    const { postIds } = await enqueue(store, 1, [batch('tg', 1)]);
    await store.lease(postIds[0]!, at(1));
    await store.markInterruptedAsUnknown(at(2));
    await store.resolveUnknownAsSent(postIds[0]!, { remoteId: null, publishedAt: at(3) });
    expect(await store.getPost(postIds[0]!)).toMatchObject({ state: 'sent', remoteId: null, sentAt: at(3) });
  });
});

describe('nextDue and upcoming', () => {
  it('picks the lowest (article, seq) that is queued, approved and due on that channel', async () => {
    const store = open();
    const one = await enqueue(store, 1, [batch('x', 2), batch('tg', 1)]);
    const two = await enqueue(store, 2, [batch('x', 2)]);
    expect((await store.nextDue('x', at(0)))?.id).toBe(one.postIds[0]);
    expect((await store.nextDue('tg', at(0)))?.id).toBe(one.postIds[2]);
    expect(await store.nextDue('mastodon', at(0))).toBeUndefined();

    await store.lease(one.postIds[0]!, at(1));
    expect((await store.nextDue('x', at(1)))?.id).toBe(one.postIds[1]);
    await store.markRetry(one.postIds[0]!, 'unavailable', at(30), '503', at(1));
    // The retry is not due yet: the next post in order goes first.
    expect((await store.nextDue('x', at(2)))?.id).toBe(one.postIds[1]);
    await store.skip(one.postIds[1]!);
    expect((await store.nextDue('x', at(2)))?.id).toBe(two.postIds[0]);
    // Once due, the retry is ahead of the later article again.
    expect((await store.nextDue('x', at(30)))?.id).toBe(one.postIds[0]);
  });

  it('skips posts waiting for approval until the article is approved', async () => {
    const store = open();
    const waiting = await enqueue(store, 1, [batch('x', 2)], false);
    const ready = await enqueue(store, 2, [batch('x', 1)], true);
    expect((await store.nextDue('x', at(0)))?.id).toBe(ready.postIds[0]);
    expect(await store.approveArticle(waiting.articleId)).toBe(2);
    expect(await store.approveArticle(waiting.articleId)).toBe(0);
    expect((await store.nextDue('x', at(0)))?.id).toBe(waiting.postIds[0]);
    expect((await store.getPost(waiting.postIds[1]!))?.approved).toBe(true);
  });

  it('lists upcoming queued posts in publishing order, due or not, with limit and offset', async () => {
    const store = open();
    const one = await enqueue(store, 1, [batch('x', 3)]);
    const two = await enqueue(store, 2, [batch('x', 2)], false);
    await store.lease(one.postIds[0]!, at(1));
    // Not leased: waiting for approval (only approved posts are leased), but upcoming all the same.
    expect(await store.lease(two.postIds[0]!, at(1))).toBeUndefined();
    expect((await store.upcoming('x', 10)).map((post) => post.id)).toEqual([
      one.postIds[1],
      one.postIds[2],
      two.postIds[0],
      two.postIds[1],
    ]);
    expect((await store.upcoming('x', 2, 1)).map((post) => post.id)).toEqual([
      one.postIds[2],
      two.postIds[0],
    ]);
    expect(await store.upcoming('tg', 10)).toEqual([]);
  });
});

describe('admin changes', () => {
  it('requeues unknown, failed and skipped posts as due now, and nothing else', async () => {
    const store = open();
    const { postIds } = await enqueue(store, 1, [batch('x', 4)]);
    const [a, b, c, d] = postIds as [number, number, number, number];
    await store.lease(a, at(1));
    await store.markFailed(a, 'rejected', 'too long', at(1));
    await store.lease(b, at(1));
    await store.markInterruptedAsUnknown(at(2));
    expect(await store.skip(c)).toBe(true);
    expect(await store.requeue(d, at(3))).toBe(false);

    for (const id of [a, b, c]) expect(await store.requeue(id, at(3))).toBe(true);
    expect(await store.countsByState('x')).toMatchObject({ queued: 4, failed: 0, unknown: 0, skipped: 0 });
    expect((await store.nextDue('x', at(3)))?.id).toBe(a);
    // Attempt numbers keep counting, so the log stays unique and complete.
    expect((await store.lease(a, at(4)))?.attempts).toBe(2);
  });

  it('skips queued, unknown and failed posts only', async () => {
    const store = open();
    const { postIds } = await enqueue(store, 1, [batch('x', 3)]);
    const [a, b, c] = postIds as [number, number, number];
    await store.lease(b, at(1));
    expect(await store.skip(b)).toBe(false);
    await store.markFailed(b, 'auth', '401', at(1));
    expect(await store.skip(b)).toBe(true);
    expect(await store.skip(a)).toBe(true);
    expect(await store.skip(a)).toBe(false);
    await store.lease(c, at(2));
    await store.markInterruptedAsUnknown(at(3));
    expect(await store.skip(c)).toBe(true);
    expect((await store.postsInState('skipped', 10)).map((post) => post.id)).toEqual([a, b, c]);
  });

  it('edits the text of unsent posts only', async () => {
    const store = open();
    const { postIds } = await enqueue(store, 1, [batch('x', 2)]);
    expect(await store.editText(postIds[0]!, 'Better words.', 13)).toBe(true);
    expect(await store.getPost(postIds[0]!)).toMatchObject({ text: 'Better words.', length: 13 });
    await store.lease(postIds[1]!, at(1));
    expect(await store.editText(postIds[1]!, 'Too late', 8)).toBe(false);
    expect((await store.getPost(postIds[1]!))?.text).toBe('x post 2');
  });

  it('deletes unsent posts and their attempts, keeping sent and sending ones and the article', async () => {
    const store = open();
    const { articleId, postIds } = await enqueue(store, 1, [batch('x', 4), batch('tg', 1)]);
    const [a, b, c, , e] = postIds as [number, number, number, number, number];
    await store.lease(a, at(1));
    await store.markSent(a, { remoteId: 'ra', publishedAt: at(1) });
    await store.lease(b, at(2));
    await store.markFailed(b, 'rejected', 'no', at(2));
    await store.lease(c, at(3));
    await store.lease(e, at(3));
    await store.markInterruptedAsUnknown(at(4));
    await store.lease(e, at(5)); // e is unknown: not leasable

    expect(await store.deleteUnsent(articleId)).toBe(4);
    expect((await store.postsOfArticle(articleId)).map((post) => post.id)).toEqual([a]);
    expect(await store.attempts(b)).toEqual([]);
    expect(await store.attempts(a)).toHaveLength(1);
    expect(await store.getArticle(articleId)).toBeDefined();
    expect(countRows('attempts')).toBe(1);
  });

  it('keeps a post that is being sent when its article is deleted', async () => {
    const store = open();
    const { articleId, postIds } = await enqueue(store, 1, [batch('x', 2)]);
    await store.lease(postIds[0]!, at(1));
    expect(await store.deleteUnsent(articleId)).toBe(1);
    expect((await store.getPost(postIds[0]!))?.state).toBe('sending');
  });
});

describe('queries for publishing', () => {
  it('finds the last sent post of a thread on a channel', async () => {
    const store = open();
    const { articleId, postIds } = await enqueue(store, 1, [batch('x', 3, 'thread'), batch('tg', 1)]);
    expect(await store.lastSentInThread(articleId, 'x')).toBeUndefined();
    for (const [i, id] of postIds.slice(0, 2).entries()) {
      await store.lease(id, at(i));
      await store.markSent(id, { remoteId: `r${i + 1}`, publishedAt: at(i) });
    }
    expect(await store.lastSentInThread(articleId, 'x')).toMatchObject({ seq: 2, remoteId: 'r2' });
    expect(await store.lastSentInThread(articleId, 'tg')).toBeUndefined();
  });

  it('counts posts sent or started since a time, once each, per channel', async () => {
    const store = open();
    const { postIds } = await enqueue(store, 1, [batch('x', 7), batch('tg', 1)]);
    const [old, sent, retried, failed, inFlight, unknown, twice, other] = postIds as number[] as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const day = at(60);
    await store.lease(old, at(59));
    await store.markSent(old, { remoteId: 'o', publishedAt: at(61) }); // started before the day: not counted
    await store.lease(sent, at(61));
    await store.markSent(sent, { remoteId: 's', publishedAt: at(61) });
    await store.lease(retried, at(62));
    await store.markRetry(retried, 'unavailable', at(90), '503', at(62));
    await store.lease(failed, at(63));
    await store.markFailed(failed, 'rejected', 'no', at(63));
    await store.lease(unknown, at(64));
    await store.markInterruptedAsUnknown(at(65));
    await store.lease(twice, at(66));
    await store.markInterruptedAsUnknown(at(67));
    await store.requeue(twice, at(68));
    await store.lease(twice, at(68));
    await store.markSent(twice, { remoteId: 't', publishedAt: at(68) });
    await store.lease(inFlight, at(69));
    await store.lease(other, at(69));
    await store.markSent(other, { remoteId: 'x', publishedAt: at(69) });

    // sent, unknown, twice (two attempts, one post) and inFlight.
    expect(await store.sentSince('x', day)).toBe(4);
    expect(await store.sentSince('x', at(0))).toBe(5);
    expect(await store.sentSince('tg', day)).toBe(1);
    expect(await store.sentSince('x', at(70))).toBe(0);
  });

  it('counts posts by state with every state present', async () => {
    const store = open();
    expect(await store.countsByState()).toEqual({
      queued: 0,
      sending: 0,
      sent: 0,
      failed: 0,
      unknown: 0,
      skipped: 0,
    });
    const { postIds } = await enqueue(store, 1, [batch('x', 3), batch('tg', 2)]);
    await store.lease(postIds[0]!, at(1));
    await store.markSent(postIds[0]!, { remoteId: 'r', publishedAt: at(1) });
    await store.lease(postIds[1]!, at(2));
    expect(await store.countsByState()).toEqual({
      queued: 3,
      sending: 1,
      sent: 1,
      failed: 0,
      unknown: 0,
      skipped: 0,
    });
    expect(await store.countsByState('tg')).toEqual({
      queued: 2,
      sending: 0,
      sent: 0,
      failed: 0,
      unknown: 0,
      skipped: 0,
    });
    expect(await store.countsByState('nowhere')).toEqual({
      queued: 0,
      sending: 0,
      sent: 0,
      failed: 0,
      unknown: 0,
      skipped: 0,
    });
  });

  it('lists posts in a state, optionally per channel, with a limit', async () => {
    const store = open();
    const one = await enqueue(store, 1, [batch('x', 2), batch('tg', 2)]);
    expect((await store.postsInState('queued', 3)).map((post) => `${post.channelId}${post.seq}`)).toEqual([
      'tg1',
      'tg2',
      'x1',
    ]);
    expect((await store.postsInState('queued', 10, 'x')).map((post) => post.id)).toEqual(
      one.postIds.slice(0, 2),
    );
    expect(await store.postsInState('failed', 10)).toEqual([]);
  });

  it('lists articles newest first', async () => {
    const store = open();
    const ids: number[] = [];
    for (const n of [1, 2, 3]) ids.push((await enqueue(store, n, [batch('x', 1)])).articleId);
    expect((await store.listArticles(2)).map((a) => a.id)).toEqual([ids[2], ids[1]]);
  });
});

describe('channel state and settings', () => {
  it('pauses and resumes a channel, and remembers it across re-opening', async () => {
    let store = open();
    expect(await store.channelState('x')).toEqual({
      channelId: 'x',
      paused: false,
      pausedUntil: null,
      pauseReason: null,
    });
    await store.pauseChannel('x', 'auth: token revoked', null);
    await store.pauseChannel('tg', 'rate-limited', at(90));
    store = await reopen(store);
    expect(await store.channelState('x')).toEqual({
      channelId: 'x',
      paused: true,
      pausedUntil: null,
      pauseReason: 'auth: token revoked',
    });
    expect(await store.channelState('tg')).toMatchObject({ paused: true, pausedUntil: at(90) });
    await store.resumeChannel('x');
    await store.resumeChannel('never-paused');
    expect(await store.channelState('x')).toEqual({
      channelId: 'x',
      paused: false,
      pausedUntil: null,
      pauseReason: null,
    });
    expect((await store.channelState('tg')).paused).toBe(true);
  });

  it('stores, overwrites and keeps settings', async () => {
    let store = open();
    expect(await store.getSetting('x.refresh-token')).toBeUndefined();
    await store.setSetting('x.refresh-token', 'one');
    await store.setSetting('x.refresh-token', 'two');
    store = await reopen(store);
    expect(await store.getSetting('x.refresh-token')).toBe('two');
  });
});

describe('durability', () => {
  it('keeps posts, states, attempts and remote ids across closing and re-opening', async () => {
    let store = open({ exclusive: true });
    const { articleId, postIds } = await enqueue(store, 1, [batch('x', 3, 'thread')]);
    await store.lease(postIds[0]!, at(1));
    await store.markSent(postIds[0]!, { remoteId: 'r1', publishedAt: at(1) });
    await store.lease(postIds[1]!, at(2));
    await store.markRetry(postIds[1]!, 'rate-limited', at(20), '429', at(2));
    const before = await store.postsOfArticle(articleId);
    const attemptsBefore = await Promise.all(postIds.map((id) => store.attempts(id)));

    await store.close();
    await store.close(); // closing twice is harmless
    store = open({ exclusive: true });
    expect(await store.postsOfArticle(articleId)).toEqual(before);
    expect(await Promise.all(postIds.map((id) => store.attempts(id)))).toEqual(attemptsBefore);
    expect((await store.lastSentInThread(articleId, 'x'))?.remoteId).toBe('r1');
    expect((await store.nextDue('x', at(3)))?.id).toBe(postIds[2]);
  });
});

describe('the admin alert outbox', () => {
  it('keeps an alert until every chat has it, once per key, and forgets finished ones after 30 days', async () => {
    const store = open();
    const first = await store.addAlert(
      { kind: 'unknown', text: 'post 7?', postId: 7, key: 'unknown:7:1' },
      clockNow,
    );
    expect(first).toMatchObject({ kind: 'unknown', postId: 7, channelId: null, handledChats: [] });
    // The same key again (the next start finds post 7 still unknown): not stored, not re-alerted.
    expect(
      await store.addAlert({ kind: 'unknown', text: 'post 7?', postId: 7, key: 'unknown:7:1' }, clockNow),
    ).toBeUndefined();
    // A later attempt of the same post is a new question.
    expect(
      await store.addAlert(
        { kind: 'unknown', text: 'post 7 again?', postId: 7, key: 'unknown:7:2' },
        clockNow,
      ),
    ).toBeDefined();
    const info = await store.addAlert({ kind: 'info', text: 'no key' }, clockNow);
    expect(await store.addAlert({ kind: 'info', text: 'no key' }, clockNow)).toBeDefined();
    expect(await store.countPendingAlerts()).toBe(4);

    await store.recordAlertDelivery([first!.id], '1001', 'delivered', clockNow);
    await store.recordAlertDelivery([first!.id], '1001', 'delivered', clockNow); // recorded once
    await store.recordAlertDelivery([first!.id], '-42', 'refused', clockNow);
    const handled = (await store.pendingAlerts(10)).find((a) => a.id === first!.id)?.handledChats;
    expect([...(handled ?? [])].sort()).toEqual(['-42', '1001']);
    await store.finishAlerts([first!.id, info!.id], clockNow);
    expect((await store.pendingAlerts(10)).map((a) => a.text)).toEqual(['post 7 again?', 'no key']);
    expect(await store.countPendingAlerts()).toBe(2);

    // Nobody to deliver to: stored finished, for its key alone.
    expect(
      await store.addAlert({ kind: 'failed', text: 'log only', key: 'k' }, clockNow, { logOnly: true }),
    ).toBeDefined();
    expect(await store.countPendingAlerts()).toBe(2);
    expect(await store.addAlert({ kind: 'failed', text: 'log only', key: 'k' }, clockNow)).toBeUndefined();

    // 31 days on, the finished alerts and their keys are gone: post 7's first question may come again.
    const later = new Date(clockNow.getTime() + 31 * 86_400_000);
    expect(
      await store.addAlert({ kind: 'unknown', text: 'post 7?', postId: 7, key: 'unknown:7:1' }, later),
    ).toBeDefined();
    expect(await store.countPendingAlerts()).toBe(3);
    await store.close();
  });
});
