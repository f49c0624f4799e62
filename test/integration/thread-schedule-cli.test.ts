import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/adapters/sqlite/create-sqlite-store.js';
import { articleMarkdown, makeArticle } from '../helpers/articles.js';
import { childEnv, writeSettings } from '../helpers/quotecast-process.js';
import { runCliInProcess } from '../helpers/run-cli.js';
import { createTempDir } from '../helpers/temp-dir.js';

/** `add` and `publish` refuse a thread longer than a channel's daily cap: exit 2, one line, nothing stored. */
const dir = createTempDir('quotecast-thread-cap-');
afterAll(() => dir.remove());
const storePath = dir.file('data/queue.db');
const env = childEnv({
  QUOTECAST_CONFIG: writeSettings(dir.path, {
    store: { path: storePath },
    outbox: { path: dir.file('data/outbox.jsonl') },
    channels: [{ id: 'x-main', platform: 'twitter', mode: 'quotes', schedule: '0 * * * *', dailyCap: 3 }],
  }),
});
const file = dir.file('long.md');
writeFileSync(file, articleMarkdown(makeArticle(1, { paragraphs: 8 })));
const run = (...args: string[]) => runCliInProcess(args, { env, cwd: dir.path });

describe('a thread longer than the daily cap', { timeout: 30_000 }, () => {
  it('add --mode thread and publish --mode thread refuse with exit 2 and the fix; quotes still queue', async () => {
    const [add, publish] = await Promise.all([
      run('add', file, '--mode', 'thread'),
      run('publish', file, '--mode', 'thread', '--yes'),
    ]);
    for (const result of [add, publish]) {
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(
        /x-main: a thread of \d+ parts is longer than the daily cap of 3 posts, so it could never go out whole; raise dailyCap to \d+ or more \(targetLength is already 280, the platform's limit\)\n$/,
      );
    }
    expect(publish.stdout).not.toContain('Publish now?');
    const store = createSqliteStore({ path: storePath });
    try {
      expect(await store.listArticles(10)).toEqual([]);
    } finally {
      await store.close();
    }
    const quotes = await run('add', file);
    expect(quotes.code, quotes.stderr).toBe(0);
  });
});
