import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireStoreLock, lockFileError } from '../../src/adapters/sqlite/acquire-store-lock.js';
import { createSqliteStore, type SqliteStoreOptions } from '../../src/adapters/sqlite/create-sqlite-store.js';
import { LATEST_SCHEMA_VERSION } from '../../src/adapters/sqlite/migrations.js';
import { translateOpenError } from '../../src/adapters/sqlite/open-store-database.js';
import { StoreError } from '../../src/adapters/sqlite/store-error.js';
import type { CliContext } from '../../src/apps/cli/cli-context.js';
import { runCli } from '../../src/apps/cli/main.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { PostStore } from '../../src/ports/post-store.js';
import { articleMarkdown, makeArticle } from '../helpers/articles.js';
import { writeSettings } from '../helpers/quotecast-process.js';
import { createSeededRandom } from '../helpers/seeded-random.js';
import { createTempDir, type TempDir } from '../helpers/temp-dir.js';

/**
 * A sick store is refused before anything is published from it: an empty file, a file that is not
 * SQLite, a file cut short, garbage inside a file whose header is intact. A missing file is the only
 * thing that becomes a new store. A full disk is named as such. All on real files with the real
 * SQLite engine; the CLI runs in-process through runCli.
 */

const T0 = new Date('2026-03-02T08:00:00Z');

let dir: TempDir;
let storePath: string;
let opened: PostStore[];

beforeEach(() => {
  dir = createTempDir('quotecast-store-health-');
  storePath = dir.file('data/quotecast.db');
  opened = [];
});

afterEach(async () => {
  for (const store of opened) await store.close();
  dir.remove();
});

function open(options: Partial<SqliteStoreOptions> = {}): PostStore {
  const store = createSqliteStore({ path: storePath, now: () => T0, ...options });
  opened.push(store);
  return store;
}

function refusal(fn: () => unknown): StoreError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(StoreError);
  return caught as StoreError;
}

/** A real store with `articles` articles of 5 posts on two channels, some sent, closed and checkpointed. */
async function buildStore(articles: number): Promise<void> {
  const store = createSqliteStore({ path: storePath, now: () => T0 });
  for (let n = 0; n < articles; n++) {
    const posts = Array.from({ length: 5 }, (_, i) => {
      const text = `Article ${n}, post ${i + 1}: the council kept the library open for another year.`;
      return { text, length: text.length };
    });
    await store.enqueueArticle(
      { contentHash: `hash-${n}`, url: `https://news.example/${n}`, title: `Article ${n}` },
      [
        { channelId: 'x-main', mode: 'quotes', posts },
        { channelId: 'tg-main', mode: 'thread', posts },
      ],
      { now: T0, approved: true },
    );
  }
  for (const post of await store.upcoming('x-main', 100)) {
    await store.lease(post.id, T0);
    await store.markSent(post.id, { remoteId: `r${post.id}`, publishedAt: T0 });
  }
  await store.close();
  expect(existsSync(`${storePath}-wal`) && statSync(`${storePath}-wal`).size > 0).toBe(false);
}

/**
 * Overwrites whole pages in the middle of the file with seeded random bytes, leaving page 1 (the
 * header and the schema) intact: SQLite opens such a file and answers simple questions without
 * complaint, which is how a daemon used to start and publish from it.
 */
function scribbleOverMiddlePages(pages: number): void {
  const bytes = readFileSync(storePath);
  const pageSize = bytes.readUInt16BE(16);
  const pageCount = bytes.length / pageSize;
  expect(pageCount).toBeGreaterThan(pages + 4);
  const random = createSeededRandom(10);
  const first = Math.floor(pageCount / 2);
  for (let i = first * pageSize; i < (first + pages) * pageSize; i++) bytes[i] = Math.floor(random() * 256);
  writeFileSync(storePath, bytes);
  // The damage is invisible to a plain open: this is the case the quick check exists for.
  const db = new Database(storePath, { readonly: true });
  expect(db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
  expect(db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'posts'").get()).toEqual({ n: 1 });
  db.close();
}

describe('a file at the store path that is not a whole SQLite database', () => {
  it('refuses an empty (0-byte) file instead of taking it as a new store, for the daemon and readers', async () => {
    const data = dir.file('data');
    await buildStore(0);
    writeFileSync(storePath, '');
    for (const exclusive of [true, false]) {
      const error = refusal(() => open({ exclusive }));
      expect(error.code).toBe('unreadable');
      expect(error.message).toContain(`store ${storePath} is empty (0 bytes) but exists`);
      expect(error.message).toContain('it is not a quotecast store');
      expect(error.message).toContain('If it should hold your history, restore it from a backup');
      expect(error.message).toContain('if you meant to start afresh, move it away');
    }
    // Left exactly as it was, and nothing beside it.
    expect(statSync(storePath).size).toBe(0);
    expect(readdirSync(data).sort()).toEqual(['quotecast.db', 'quotecast.db.lock']);
    // The refusal released the daemon lock: once the file is moved away, a new store opens.
    renameSync(storePath, `${storePath}.empty`);
    expect((await open({ exclusive: true }).countsByState()).queued).toBe(0);
  });

  it('refuses random bytes, a text file and a header cut short, leaving each file untouched', async () => {
    const random = createSeededRandom(7);
    await buildStore(3);
    const realHeader = readFileSync(storePath).subarray(0, 60);
    const cases: Record<string, { bytes: Buffer; says: string }> = {
      'random bytes': {
        bytes: Buffer.from(Array.from({ length: 8192 }, () => Math.floor(random() * 256))),
        says: 'is not an SQLite database (8192 bytes that do not start with the SQLite header)',
      },
      'a text file': {
        bytes: Buffer.from('Newsroom rota for March: Ana on the desk, Ben on nights.\n'.repeat(40)),
        says: 'is not an SQLite database',
      },
      'a header cut short': { bytes: Buffer.from(realHeader), says: 'is cut short: 60 bytes' },
    };
    for (const [name, { bytes, says }] of Object.entries(cases)) {
      writeFileSync(storePath, bytes);
      const error = refusal(() => open({ exclusive: true }));
      expect(error.code, name).toBe('unreadable');
      expect(error.message, name).toContain(storePath);
      expect(error.message, name).toContain(says);
      expect(error.message, name).toContain('restore it from a backup');
      expect(readFileSync(storePath).equals(bytes), name).toBe(true);
      expect(existsSync(`${storePath}-wal`), name).toBe(false);
    }
  });

  it('refuses a store cut off after its first page as damaged', async () => {
    await buildStore(60);
    const bytes = readFileSync(storePath);
    writeFileSync(storePath, bytes.subarray(0, bytes.readUInt16BE(16)));
    const error = refusal(() => open({ exclusive: true }));
    expect(error.code).toBe('corrupt');
    expect(error.message).toContain(storePath);
    expect(error.message).toContain('quotecast status --check');
  });

  it('creates a new store only where nothing exists, whole, with no temporary file left behind', async () => {
    const store = open({ exclusive: true });
    expect((await store.countsByState()).queued).toBe(0);
    await store.close();
    expect(readdirSync(dir.file('data')).sort()).toEqual(['quotecast.db', 'quotecast.db.lock']);
    const db = new Database(storePath, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });
});

describe('garbage inside a store whose header is intact', () => {
  it('is found by the quick check on open: every opener refuses, naming the file and what to do', async () => {
    await buildStore(300);
    scribbleOverMiddlePages(3);
    for (const exclusive of [true, false]) {
      const error = refusal(() => open({ exclusive }));
      expect(error.code).toBe('corrupt');
      expect(error.message).toContain(`store ${storePath} is damaged`);
      expect(error.message).toContain("SQLite's quick check found");
      expect(error.message).toContain('Run "quotecast status --check" for the full report');
      expect(error.message).toContain(`restore ${storePath} from a backup`);
    }
    // The refusal released the daemon lock and wrote nothing.
    const lock = acquireStoreLock(storePath, () => T0);
    lock.release();
  });
});

// ---------------------------------------------------------------------------------------------------
// The CLI, in-process.

interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

async function cli(...argv: string[]): Promise<CliRun> {
  const configPath = writeSettings(dir.path, {
    timezone: 'Europe/London',
    store: { path: storePath },
    outbox: { path: dir.file('data/outbox.jsonl') },
    channels: [
      { id: 'x-main', platform: 'twitter', mode: 'quotes', schedule: '0 9 * * *', quotesPerArticle: 2 },
      { id: 'tg-main', platform: 'telegram', chat: '@qc_main', mode: 'thread', schedule: '0 9 * * *' },
    ],
  });
  const stdout = sink();
  const stderr = sink();
  const ctx: CliContext = {
    stdout: stdout.stream,
    stderr: stderr.stream,
    stdin: Readable.from([]),
    cwd: dir.path,
    config: () => {
      const outcome = loadConfig({ cwd: dir.path, env: { QUOTECAST_CONFIG: configPath } });
      if (!outcome.ok) throw new Error(outcome.problems.join('\n'));
      return outcome.config;
    },
  };
  const code = await runCli(argv, ctx);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

function articleFile(n: number): string {
  const file = dir.file(`article-${n}.md`);
  writeFileSync(file, articleMarkdown(makeArticle(n, { paragraphs: 4 })));
  return file;
}

describe('the CLI on a damaged store', () => {
  it('refuses to start the daemon, publish or add, and sends nothing', async () => {
    await buildStore(300);
    scribbleOverMiddlePages(3);
    const article = articleFile(1);
    for (const argv of [
      ['start', '--no-example'],
      ['publish', article, '--yes'],
      ['add', article],
    ]) {
      const run = await cli(...argv);
      expect(run.code, `${argv[0]}: ${run.stderr}`).toBe(1);
      expect(run.stderr).toContain(`quotecast ${argv[0]}: store ${storePath} is damaged`);
      expect(run.stderr).toContain('quotecast status --check');
      expect(run.stdout).not.toContain('published');
    }
    // Nothing reached the console "platform" (the outbox every console channel appends to).
    expect(existsSync(dir.file('data/outbox.jsonl'))).toBe(false);
    // Read-only commands refuse too: their answers could be wrong.
    const status = await cli('status');
    expect(status.code).toBe(1);
    expect(status.stderr).toContain('quotecast status --check');
  });

  it('status --check lists what SQLite found and exits 1; --format json too', async () => {
    await buildStore(300);
    scribbleOverMiddlePages(3);
    const before = readFileSync(storePath);
    const run = await cli('status', '--check');
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      new RegExp(`^store: ${storePath} FAILED the integrity check \\(\\d+ findings\\):$`),
    );
    // SQLite names the pages and trees it could not make sense of.
    expect(lines.slice(1).some((line) => /page \d+/.test(line))).toBe(true);
    expect(run.stdout).toContain(`restore ${storePath} from a backup`);
    const json = await cli('status', '--check', '--format', 'json');
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.stdout) as { store: { integrity: string; problems: string[] } };
    expect(parsed.store.integrity).toBe('damaged');
    expect(parsed.store.problems.length).toBeGreaterThan(0);
    // Checking never writes.
    expect(readFileSync(storePath).equals(before)).toBe(true);
  });

  it('status --check on a sound store says so with its page count, then the usual status', async () => {
    await buildStore(300);
    const pages = statSync(storePath).size / 4096;
    const run = await cli('status', '--check');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe(`store: integrity ok (${pages} pages)`);
    expect(run.stdout).toContain('x-main (twitter via console, quotes)');
    expect(run.stdout).toContain('queue: queued 1400, sent 100');
    const json = JSON.parse((await cli('status', '--check', '--format', 'json')).stdout) as {
      store: { integrity: string; pages: number };
    };
    expect(json.store).toMatchObject({ integrity: 'ok', pages });
  });

  it('status --check on an empty file names the file and the fix, and leaves it alone', async () => {
    await buildStore(0);
    writeFileSync(storePath, '');
    const run = await cli('status', '--check');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`store ${storePath} is empty (0 bytes) but exists`);
    expect(statSync(storePath).size).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------------
// A full disk. A test cannot fill a real disk (no tiny file system without root); SQLite reports a
// full disk as SQLITE_FULL whichever limit was hit, so a database with a page limit gives the very
// error object a full disk gives. Node's ENOSPC comes from /dev/full, a device that is always full.

function realSqliteFullError(): Error {
  const db = new Database(dir.file('small.db'));
  try {
    db.exec('CREATE TABLE t (x TEXT)');
    db.pragma('max_page_count = 3');
    const insert = db.prepare('INSERT INTO t (x) VALUES (?)');
    for (let i = 0; i < 1000; i++) insert.run('x'.repeat(1000));
  } catch (error) {
    return error as Error;
  } finally {
    db.close();
  }
  throw new Error('expected SQLITE_FULL');
}

function realEnospcError(): Error {
  try {
    writeFileSync('/dev/full', 'x');
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected ENOSPC from /dev/full');
}

describe('a full disk', () => {
  it('is named as the problem when the daemon lock cannot be written, not the lock file', () => {
    const full = realSqliteFullError();
    expect((full as { code?: string }).code).toBe('SQLITE_FULL');
    const error = lockFileError(`${storePath}.lock`, storePath, full);
    expect(error.code).toBe('disk-full');
    expect(error.message).toContain(`no space left on the disk holding ${storePath}`);
    expect(error.message).toContain(`taking the daemon lock (${storePath}.lock)`);
    expect(error.message).toContain(`df -h ${dir.file('data')}`);
    expect(error.message).not.toContain('make the directory writable');
    expect(error.message).not.toContain('remove the lock file');
  });

  it('is named as the problem when the store cannot be created or opened', () => {
    for (const cause of [realSqliteFullError(), realEnospcError()]) {
      const error = translateOpenError(storePath, cause) as StoreError;
      expect(error).toBeInstanceOf(StoreError);
      expect(error.code).toBe('disk-full');
      expect(error.message).toContain(`no space left on the disk holding ${storePath}`);
      expect(error.message).toContain('free some space there');
    }
  });
});
