import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/adapters/sqlite/create-sqlite-store.js';
import { migrations } from '../../src/adapters/sqlite/migrations.js';
import { makeArticle } from '../helpers/articles.js';
import { createTempDir, type TempDir } from '../helpers/temp-dir.js';
import { createWorld, queued, type World, X_QUOTES } from '../helpers/world.js';

/**
 * One story, one article: the same story reached through a newsletter link (`?utm_source=…`, what
 * /add stores: the page's final URL) and through the feed (its clean link) is recognised by its URL
 * in canonical form even when the texts differ (a caption on the page, not in the feed), also for
 * articles stored before migration 7. Real SQLite on a temp file.
 */

let world: World | undefined;
let dir: TempDir | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
  dir?.remove();
  dir = undefined;
});

const STORY = 'https://news.example.org/2026/harbour-berths';

describe('articles are matched by canonical URL', () => {
  it('a story added from a tracking link and the same story from the feed are one article', async () => {
    world = await createWorld({ start: '2026-03-10T12:00:00Z', channels: [X_QUOTES] });
    const added = queued(
      await world.enqueue({ ...makeArticle(1), url: `${STORY}/?utm_source=newsletter&utm_medium=email#top` }),
    );
    // The feed's text differs (another hash), its link is the clean one.
    const again = await world.enqueue({ ...makeArticle(2), url: STORY });
    expect(again).toMatchObject({ kind: 'duplicate', articleId: added.articleId, channelIds: ['x-quotes'] });
    expect(await world.runtime.store.listArticles(10)).toHaveLength(1);
    // A different page of the same site is another story.
    expect((await world.enqueue({ ...makeArticle(3), url: `${STORY}-update` })).kind).toBe('queued');
  });

  it('articles stored before migration 7 get their canonical URL when the store opens', async () => {
    dir = createTempDir('qc-canonical-');
    const path = dir.file('q.db');
    const old = new Database(path);
    for (const m of migrations.filter((m) => m.version <= 6)) old.exec(m.sql);
    old.pragma('user_version = 6');
    old
      .prepare('INSERT INTO articles (content_hash, url, title, created_at) VALUES (?, ?, ?, ?)')
      .run('hash-old', `${STORY}?utm_campaign=spring&fbclid=abc`, 'Berths', 0);
    old
      .prepare(`INSERT INTO posts (article_id, channel_id, mode, seq, total, text, length, approved, created_at)
                VALUES (1, 'x-quotes', 'quotes', 1, 1, 'a post', 6, 1, 0)`)
      .run();
    old.close();

    const store = createSqliteStore({ path });
    try {
      const result = await store.enqueueArticle(
        { contentHash: 'hash-new', url: STORY, title: 'Berths' },
        [{ channelId: 'x-quotes', mode: 'quotes', posts: [{ text: 'another post', length: 12 }] }],
        { now: new Date(1), approved: true },
      );
      expect(result).toMatchObject({ kind: 'duplicate', articleId: 1 });
    } finally {
      await store.close();
    }
  });
});
