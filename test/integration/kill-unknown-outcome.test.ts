import { afterEach, describe, expect, it } from 'vitest';
import type { StoredPost } from '../../src/ports/post-store.js';
import { type KillReport, killArticle } from '../../src/use-cases/kill-article.js';
import { makeArticle } from '../helpers/articles.js';
import { createWorld, queued, TG_QUOTES, type World, X_QUOTES } from '../helpers/world.js';

/**
 * A kill settles posts a crash left `unknown` before it deletes anything (src/use-cases/kill-article.ts,
 * settleUnknown). On X it reads the account's recent tweets: a post found there is recorded as sent
 * and deleted with the rest; one not there is skipped; one whose request left less than the settle
 * time ago may still land, and is reported for a second run. Telegram cannot be read back: its unknown
 * posts are skipped and reported. The real store and twitter-api-v2 / telegraf against the fakes.
 */

const SETTLE_SECONDS = 60;
let world: World | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function setUp(): Promise<World> {
  world = await createWorld({
    start: '2026-03-10T12:00:00Z',
    channels: [
      { ...X_QUOTES, quotesPerArticle: 4 },
      { ...TG_QUOTES, quotesPerArticle: 2 },
    ],
    settings: { retry: { settleSeconds: SETTLE_SECONDS } },
  });
  return world;
}

/** The post leaves (queued -> sending) and the process dies before the answer: `unknown`. */
async function crashWhileSending(w: World, post: StoredPost): Promise<void> {
  expect((await w.runtime.store.lease(post.id, w.clock.now()))?.state).toBe('sending');
  await w.runtime.store.markUnknown(post.id, 'process stopped mid-send', w.clock.now());
}

async function kill(w: World, articleId: number): Promise<KillReport> {
  const outcome = await killArticle(w.runtime.deps, {
    articleId,
    by: 'the test',
    again: `quotecast kill ${articleId}`,
  });
  if (outcome.kind !== 'killed') throw new Error(`expected a kill, got ${outcome.kind}`);
  return outcome.report;
}

const ids = (posts: readonly { post: StoredPost }[] | readonly StoredPost[]) =>
  posts.map((p) => ('post' in p ? p.post.id : p.id)).sort((a, b) => a - b);

describe("kill: posts of unknown outcome are looked for in the account's recent tweets", () => {
  it('found: recorded as sent and deleted; missing: skipped; too recent: reported; Telegram: skipped and reported', async () => {
    const w = await setUp();
    const { articleId } = queued(await w.enqueue(makeArticle(7, { paragraphs: 6 })));
    const onX = await w.posts(articleId, 'x-quotes');
    const onTelegram = await w.posts(articleId, 'tg-quotes');
    expect(onX).toHaveLength(4);
    const [arrived, lost, landing, waiting] = onX as [StoredPost, StoredPost, StoredPost, StoredPost];

    // Two requests left ten minutes ago: one tweet arrived (X has it), the other did not.
    await crashWhileSending(w, arrived);
    await crashWhileSending(w, lost);
    const tweet = w.x.addTweet(arrived.text, { at: w.clock.now() });
    await crashWhileSending(w, onTelegram[0]!);
    w.clock.advance(10 * 60_000);
    // One left a moment ago: X may not show it yet.
    await crashWhileSending(w, landing);
    w.clock.advance((SETTLE_SECONDS / 2) * 1000);

    const report = await kill(w, articleId);

    // Found on X: recorded as sent with the tweet's id, then deleted like any published post.
    expect(w.x.deletions.map((d) => d.id)).toEqual([tweet.id]);
    expect(report.deleted.map((d) => [d.post.id, d.alreadyGone])).toEqual([[arrived.id, false]]);
    const found = (await w.runtime.store.articleTrail(articleId))!.posts.find((p) => p.id === arrived.id)!;
    expect([found.state, found.remoteId, found.deletedAt !== null]).toEqual(['sent', tweet.id, true]);

    // Not on X: skipped, counted with the dropped posts; the queued ones were dropped by the kill.
    expect(ids(report.dropped)).toEqual(ids([lost, waiting, onTelegram[1]!]));
    for (const post of [lost, waiting, onTelegram[1]!])
      expect((await w.runtime.store.getPost(post.id))?.state).toBe('skipped');

    // Within the settle time it may still land: left unknown, reported for a second run.
    const problems = new Map(report.notDeleted.map((p) => [p.post.id, p]));
    expect(problems.get(landing.id)?.kind).toBe('in-flight');
    expect(problems.get(landing.id)?.advice).toContain(`run quotecast kill ${articleId} again`);
    expect((await w.runtime.store.getPost(landing.id))?.state).toBe('unknown');
    // Telegram cannot be read back: skipped, and a human is asked to look.
    expect(problems.get(onTelegram[0]!.id)?.kind).toBe('unknown-outcome');
    expect(problems.get(onTelegram[0]!.id)?.advice).toContain('check there and delete it by hand');
    expect((await w.runtime.store.getPost(onTelegram[0]!.id))?.state).toBe('skipped');
    expect(report.notDeleted).toHaveLength(2);
    // Nothing was posted by the kill itself.
    expect(w.x.tweets).toHaveLength(1);
    expect(w.telegram.sentMessages).toHaveLength(0);

    // Past the settle time a second kill finds it missing too, and skips it.
    w.clock.advance(SETTLE_SECONDS * 1000);
    const second = await kill(w, articleId);
    expect(ids(second.dropped)).toEqual([landing.id]);
    expect(second.notDeleted).toHaveLength(0);
    expect((await w.runtime.store.getPost(landing.id))?.state).toBe('skipped');
    expect(w.x.deletions).toHaveLength(1);
  });

  it('when X cannot be read, its unknown posts are skipped and reported like Telegram ones', async () => {
    const w = await setUp();
    const { articleId } = queued(
      await w.enqueue(makeArticle(8, { paragraphs: 6 }), { channels: ['x-quotes'] }),
    );
    const [arrived] = (await w.posts(articleId, 'x-quotes')) as [StoredPost];
    await crashWhileSending(w, arrived);
    w.x.addTweet(arrived.text, { at: w.clock.now() });
    w.clock.advance(10 * 60_000);
    w.x.failNext({
      match: (r) => r.method === 'GET' && /^\/2\/users\/[^/]+\/tweets$/.test(r.path),
      fault: { kind: 'server-error', status: 503 },
    });

    const report = await kill(w, articleId);

    expect(report.notDeleted.map((p) => [p.post.id, p.kind])).toEqual([[arrived.id, 'unknown-outcome']]);
    expect(report.deleted).toHaveLength(0);
    expect(w.x.deletions).toHaveLength(0);
    expect((await w.runtime.store.getPost(arrived.id))?.state).toBe('skipped');
  });
});
