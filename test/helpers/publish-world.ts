import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ExpectStatic } from 'vitest';
import { createSqliteStore } from '../../src/adapters/sqlite/create-sqlite-store.js';
import type { StoredArticle, StoredPost } from '../../src/ports/post-store.js';
import {
  createFakeTelegramApi,
  type FakeTelegramApi,
  type FakeTelegramApiOptions,
  type FakeTelegramCall,
} from '../fakes/fake-telegram-api.js';
import {
  createFakeXApi,
  type FakeXApi,
  type FakeXApiOptions,
  type FakeXRequest,
} from '../fakes/fake-x-api.js';
import { REPO_ROOT } from './quotecast-process.js';

/**
 * The world of a `quotecast publish` run, shared by the in-process tests (test/integration/
 * publish-now.test.ts) and the subprocess ones (test/contract/publish-process.test.ts): both
 * loopback fakes, a settings file, a store and an outbox in a temp dir, and what to check after.
 */

export const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/publish');
/** Seven thread posts on X, three quotes on Telegram with the settings below. */
export const LONG_ARTICLE = path.join(FIXTURES, 'lighthouse-keepers.txt');
/** A shorter one (four thread posts on X), for the runs whose point is not the thread itself. */
export const SHORT_ARTICLE = path.join(FIXTURES, 'tidal-garden.md');
/** A real newsroom article kept outside the repo; read only at run time. */
export const SEED_ARTICLE = path.resolve(REPO_ROOT, '../shared/seed/000_2d6e0c6b88b7ca38.txt');

export const TELEGRAM_TOKEN = '123456:ABCdefGhIJKlmnoPQRstuVWXyz0123456789';
export const X_HANDLE = 'gazette';
export const TELEGRAM_CHAT = '@gazette_quotes';

export interface World {
  readonly x: FakeXApi;
  readonly telegram: FakeTelegramApi;
  readonly storePath: string;
  readonly outboxPath: string;
  /** The CLI's whole environment (a child's `env`, or what the in-process run's configuration sees). */
  readonly env: Record<string, string>;
}

export interface WorldOptions {
  readonly x?: FakeXApiOptions;
  readonly telegram?: FakeTelegramApiOptions;
  /** Overrides of the settings file's top level (e.g. `retry`). */
  readonly settings?: Record<string, unknown>;
}

/** Starts both fakes and writes a settings file; always cleaned up, whatever the test does. */
export async function withWorld(options: WorldOptions, body: (world: World) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'quotecast-publish-now-'));
  const x = createFakeXApi(options.x);
  const telegram = createFakeTelegramApi({ tokens: [TELEGRAM_TOKEN], ...options.telegram });
  try {
    await Promise.all([x.start(), telegram.start()]);
    const storePath = path.join(dir, 'store', 'quotecast.db');
    const outboxPath = path.join(dir, 'outbox.jsonl');
    const settings = {
      timezone: 'UTC',
      store: { path: storePath },
      outbox: { path: outboxPath },
      publishTimeoutMs: 5000,
      channels: [
        { id: 'x-main', platform: 'twitter', handle: `@${X_HANDLE}`, mode: 'thread' },
        { id: 'tg-main', platform: 'telegram', chat: TELEGRAM_CHAT, mode: 'quotes', quotesPerArticle: 3 },
      ],
      ...options.settings,
    };
    const configPath = path.join(dir, 'quotecast.yaml');
    // JSON is YAML, and keeps the test free of a second serialiser.
    writeFileSync(configPath, JSON.stringify(settings, null, 2));
    const env: Record<string, string> = {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '',
      QUOTECAST_CONFIG: configPath,
      TWITTER_API_ROOT: x.url,
      TELEGRAM_API_ROOT: telegram.url,
      TWITTER_APP_KEY: 'fake-app-key',
      TWITTER_APP_SECRET: 'fake-app-secret',
      TWITTER_ACCESS_TOKEN: 'fake-access-token',
      TWITTER_ACCESS_SECRET: 'fake-access-secret',
      TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
      // Whatever a developer's .env says, these runs use exactly the settings above.
      TWITTER_CLIENT_ID: '',
      TWITTER_REFRESH_TOKEN: '',
      TELEGRAM_ADMIN_IDS: '',
      QUOTECAST_DRY_RUN: '',
      LOG_LEVEL: 'info',
    };
    await body({ x, telegram, storePath, outboxPath, env });
  } finally {
    await Promise.all([x.close(), telegram.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What the store holds, read through the store adapter once the CLI has finished. */
export async function readStore(world: World): Promise<{
  articles: StoredArticle[];
  posts: (channelId: string) => StoredPost[];
}> {
  if (!existsSync(world.storePath)) return { articles: [], posts: () => [] };
  const store = createSqliteStore({ path: world.storePath });
  try {
    const articles = [...(await store.listArticles(1000))].reverse();
    const all: StoredPost[] = [];
    for (const a of articles) all.push(...(await store.postsOfArticle(a.id)));
    return {
      articles,
      posts: (channelId) => all.filter((p) => p.channelId === channelId),
    };
  } finally {
    await store.close();
  }
}

export const isTweetPost = (request: FakeXRequest) =>
  request.method === 'POST' && request.path === '/2/tweets';
export const isSend = (call: FakeTelegramCall) => call.method === 'sendMessage';

/** Matches the `n`th matching request or call (1-based) after the fault is armed, and no other. */
export function nth<T>(n: number, matches: (item: T) => boolean): (item: T) => boolean {
  let seen = 0;
  return (item) => matches(item) && ++seen === n;
}

/** Every tweet after the first replies to the one before it. */
export function expectReplyChain(expect: ExpectStatic, x: FakeXApi): void {
  expect(x.tweets[0]?.replyTo).toBeUndefined();
  for (let i = 1; i < x.tweets.length; i++) expect(x.tweets[i]?.replyTo).toBe(x.tweets[i - 1]?.id);
}

/** Each stored post reached the platform exactly once, in order, with its stored text. */
export function expectEachOnce(
  expect: ExpectStatic,
  received: readonly string[],
  stored: readonly StoredPost[],
): void {
  expect(stored.length).toBeGreaterThan(1);
  expect(received).toEqual(stored.map((p) => p.text));
  expect(new Set(received).size).toBe(received.length);
}

/** What a run printed, shown when an exit code is not the expected one. */
export const transcript = (run: { stdout: string; stderr: string }) =>
  `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`;

export const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');

/** The X thread in the store reached X once each, in order, as a reply chain; returns the thread. */
export async function expectThreadOnX(expect: ExpectStatic, world: World): Promise<StoredPost[]> {
  const thread = (await readStore(world)).posts('x-main');
  expectEachOnce(
    expect,
    world.x.tweets.map((t) => t.text),
    thread,
  );
  expectReplyChain(expect, world.x);
  return thread;
}
