import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/adapters/sqlite/create-sqlite-store.js';
import { createTelegramPublisher } from '../../src/adapters/telegram/create-telegram-publisher.js';
import { createTwitterPublisher } from '../../src/adapters/twitter/create-twitter-publisher.js';
import { settingsSchema } from '../../src/config/config-schema.js';
import { createSystemClock } from '../../src/ports/clock.js';
import { createSilentLogger } from '../../src/ports/logger.js';
import type { AdminAlert } from '../../src/ports/notifier.js';
import type { PostStore } from '../../src/ports/post-store.js';
import type { Publisher } from '../../src/ports/publisher.js';
import type { PublishDeps } from '../../src/use-cases/publish-deps.js';
import { publishPost } from '../../src/use-cases/publish-post.js';
import { createFakeTelegramApi, DEFAULT_FAKE_TELEGRAM_TOKEN } from '../fakes/fake-telegram-api.js';
import { createFakeXApi } from '../fakes/fake-x-api.js';

// A timeout or a connection cut after the request went out may have published the post. These
// tests prove quotecast never answers that with a blind second copy.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setUp(channel: Record<string, unknown>, publisher: Publisher) {
  const dir = mkdtempSync(path.join(tmpdir(), 'quotecast-maybe-'));
  const store = createSqliteStore({ path: path.join(dir, 'q.db') });
  cleanups.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const settings = settingsSchema.parse({ channels: [channel] });
  const alerts: AdminAlert[] = [];
  const deps: PublishDeps = {
    store,
    clock: createSystemClock(),
    logger: createSilentLogger(),
    notifier: { alert: async (a) => void alerts.push(a) },
    publishers: new Map([[String(channel.id), publisher]]),
    channels: settings.channels.map((c) => ({ ...c, zone: 'UTC' })),
    retry: { maxAttempts: 5, baseDelaySeconds: 1, maxDelaySeconds: 10 },
    random: () => 0.5,
  };
  return { store, deps, alerts };
}

async function queueOne(store: PostStore, channelId: string, text: string): Promise<number> {
  const result = await store.enqueueArticle(
    { contentHash: `hash-${text}`, title: 'T' },
    [{ channelId, mode: 'quotes', posts: [{ text, length: text.length }] }],
    { now: new Date(), approved: true },
  );
  if (result.kind !== 'queued') throw new Error('not queued');
  return result.postIds[0]!;
}

async function startFakeX() {
  const fake = createFakeXApi();
  const { url } = await fake.start();
  cleanups.push(() => fake.close());
  const publisher = createTwitterPublisher({
    credentials: {
      kind: 'oauth1',
      appKey: 'app-key-1',
      appSecret: 'app-secret-1',
      accessToken: 'access-1',
      accessSecret: 'secret-1',
    },
    apiRoot: url,
    timeoutMs: 2000,
    logger: createSilentLogger(),
    clock: createSystemClock(),
  });
  return { fake, publisher };
}

describe('a send that may have been delivered', () => {
  it('on Telegram, a timeout holds the post as unknown and asks an admin instead of retrying', async () => {
    const fake = createFakeTelegramApi();
    const { url } = await fake.start();
    cleanups.push(() => fake.close());
    const publisher = createTelegramPublisher({
      token: DEFAULT_FAKE_TELEGRAM_TOKEN,
      chatId: '@quotecast_test',
      apiRoot: url,
      timeoutMs: 300,
      logger: createSilentLogger(),
      clock: createSystemClock(),
    });
    const { store, deps, alerts } = setUp(
      { id: 'tg', platform: 'telegram', chat: '@quotecast_test' },
      publisher,
    );
    const id = await queueOne(store, 'tg', 'The harbour reopened today.');
    fake.failNext({ fault: { kind: 'hang' } });

    const outcome = await publishPost(deps, id);

    expect(outcome.kind).toBe('unknown');
    expect((await store.getPost(id))?.state).toBe('unknown');
    expect(await store.nextDue('tg', new Date(Date.now() + 86_400_000))).toBeUndefined();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'unknown', postId: id, channelId: 'tg' });
    expect((await store.attempts(id)).at(-1)?.outcome).toBe('unknown');
  });

  it('on X, a dropped answer is settled by reading recent tweets: found means sent, with its id', async () => {
    const { fake, publisher } = await startFakeX();
    const { store, deps, alerts } = setUp({ id: 'x', platform: 'twitter' }, publisher);
    const text = 'Boats. And crabs. Mostly crabs.';
    const id = await queueOne(store, 'x', text);
    // X received the tweet, but the connection broke before the answer came back.
    const existing = fake.addTweet(text);
    fake.failNext({ match: (r) => r.method === 'POST' && r.path === '/2/tweets', fault: { kind: 'drop' } });

    const outcome = await publishPost(deps, id);

    expect(outcome.kind).toBe('sent');
    expect(await store.getPost(id)).toMatchObject({ state: 'sent', remoteId: existing.id });
    expect(fake.tweets.filter((t) => t.text === text)).toHaveLength(1);
    expect(alerts).toHaveLength(0);
  });

  it('on X, the match sees through t.co links and HTML escapes in the timeline', async () => {
    const { fake, publisher } = await startFakeX();
    const { store, deps } = setUp({ id: 'x', platform: 'twitter' }, publisher);
    const text = '“Fish & chips <by the quay>,” said Nora. https://example.org/news/old-harbour-reopens';
    const id = await queueOne(store, 'x', text);
    const existing = fake.addTweet(text);
    fake.failNext({ match: (r) => r.method === 'POST' && r.path === '/2/tweets', fault: { kind: 'drop' } });

    const outcome = await publishPost(deps, id);

    expect(outcome.kind).toBe('sent');
    expect(await store.getPost(id)).toMatchObject({ state: 'sent', remoteId: existing.id });
    expect(fake.tweets).toHaveLength(1);
  });

  it('on X, a dropped request that never arrived is retried later and published once', async () => {
    const { fake, publisher } = await startFakeX();
    const { store, deps } = setUp({ id: 'x', platform: 'twitter' }, publisher);
    const text = 'The council will review the mooring rules in spring.';
    const id = await queueOne(store, 'x', text);
    fake.failNext({ match: (r) => r.method === 'POST' && r.path === '/2/tweets', fault: { kind: 'drop' } });

    const first = await publishPost(deps, id);
    expect(first.kind).toBe('retry');
    expect((await store.getPost(id))?.state).toBe('queued');

    const second = await publishPost(deps, id);
    expect(second.kind).toBe('sent');
    expect(fake.tweets.filter((t) => t.text === text)).toHaveLength(1);
  });
});
