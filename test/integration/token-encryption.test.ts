import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSecretBox, SEALED_PREFIX } from '../../src/adapters/crypto/secret-box.js';
import { createSqliteStore } from '../../src/adapters/sqlite/create-sqlite-store.js';
import { createTwitterPublisher } from '../../src/adapters/twitter/create-twitter-publisher.js';
import {
  createStoredOAuth2Tokens,
  oauth2TokensKey,
  type StoredOAuth2TokensOptions,
  tokenStorageWarning,
} from '../../src/adapters/twitter/stored-oauth2-tokens.js';
import type { Logger } from '../../src/ports/logger.js';
import type { PostStore } from '../../src/ports/post-store.js';
import { PublishError } from '../../src/ports/publisher.js';
import { createFakeXApi, type FakeXApi } from '../fakes/fake-x-api.js';
import { createTempDir, type TempDir } from '../helpers/temp-dir.js';

/**
 * Issue 11, finding 4: X OAuth 2.0 tokens sat in clear in the settings table. With
 * QUOTECAST_SECRET_KEY set they are sealed (AES-256-GCM); a value stored in clear before is still read
 * and sealed at once; a wrong key is a clear `auth` error that names the variable and never a token.
 * Everything runs on a real SQLite file, and "on disk" means the bytes of the file and its WAL.
 */

const KEY = 'correct horse battery staple 42';
const OTHER_KEY = 'a different key, 32 characters!!';
const ACCESS = 'access-TOKEN-9f8e7d6c5b4a39281706';
const REFRESH = 'refresh-TOKEN-0a1b2c3d4e5f60718293';
const CONFIGURED = 'configured-refresh-Q1w2E3r4T5y6';
const EXPIRES = new Date('2025-03-01T14:00:00.000Z');

let dir: TempDir;
let storePath: string;
let store: PostStore;
let logged: string[];

const logger: Logger = {
  info: (m) => logged.push(m),
  warn: (m) => logged.push(m),
  error: (m) => logged.push(m),
  debug: () => {},
};

function tokens(overrides: Partial<StoredOAuth2TokensOptions> = {}) {
  return createStoredOAuth2Tokens({
    settings: store,
    channelId: 'x-main',
    configuredRefreshToken: CONFIGURED,
    refreshTokenName: 'TWITTER_REFRESH_TOKEN',
    logger,
    ...overrides,
  });
}

/** The store file and its WAL as bytes, as someone copying them would see them. */
function onDisk(): string {
  const parts = [readFileSync(storePath)];
  try {
    parts.push(readFileSync(`${storePath}-wal`));
  } catch {
    // No WAL right now: everything is in the main file.
  }
  return Buffer.concat(parts).toString('latin1');
}

async function reopen(): Promise<void> {
  await store.close();
  store = createSqliteStore({ path: storePath });
}

async function failureOf(run: () => Promise<unknown>): Promise<PublishError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(PublishError);
    return error as PublishError;
  }
  throw new Error('expected the load to fail');
}

beforeEach(() => {
  dir = createTempDir('quotecast-tokens-');
  storePath = dir.file('data/quotecast.db');
  store = createSqliteStore({ path: storePath });
  logged = [];
});

afterEach(async () => {
  await store.close();
  dir.remove();
});

describe('with QUOTECAST_SECRET_KEY set', () => {
  it('stores the tokens sealed: neither the setting nor the file and its WAL contain them', async () => {
    await tokens({ secretBox: createSecretBox(KEY) }).save({
      accessToken: ACCESS,
      refreshToken: REFRESH,
      expiresAt: EXPIRES,
    });
    const raw = (await store.getSetting(oauth2TokensKey('x-main')))!;
    expect(raw).toContain(SEALED_PREFIX);
    for (const token of [ACCESS, REFRESH]) {
      expect(raw).not.toContain(token);
      expect(onDisk()).not.toContain(token);
    }
    await reopen();
    expect(onDisk()).not.toContain(ACCESS);

    // A restart with the same key reads them back.
    expect(await tokens({ secretBox: createSecretBox(KEY) }).load()).toEqual({
      accessToken: ACCESS,
      refreshToken: REFRESH,
      expiresAt: EXPIRES,
    });
  });

  it('seals each write with a fresh nonce, so the same tokens never give the same bytes', async () => {
    const box = createSecretBox(KEY);
    const pair = { accessToken: ACCESS, refreshToken: REFRESH };
    await tokens({ secretBox: box }).save(pair);
    const first = await store.getSetting(oauth2TokensKey('x-main'));
    await tokens({ secretBox: box }).save(pair);
    expect(await store.getSetting(oauth2TokensKey('x-main'))).not.toBe(first);
  });

  it('with a wrong key: an auth error naming QUOTECAST_SECRET_KEY and both ways out, never a token', async () => {
    await tokens({ secretBox: createSecretBox(KEY) }).save({ accessToken: ACCESS, refreshToken: REFRESH });
    const failure = await failureOf(
      async () => await tokens({ secretBox: createSecretBox(OTHER_KEY) }).load(),
    );
    expect(failure.reason).toBe('auth');
    expect(failure.message).toBe(
      'X OAuth 2.0 tokens stored for channel x-main were encrypted with a different QUOTECAST_SECRET_KEY ' +
        'than the one set now',
    );
    expect(failure.hint).toBe(
      'Set QUOTECAST_SECRET_KEY to the key they were saved with, or authorise the account again and put the ' +
        'new refresh token in TWITTER_REFRESH_TOKEN (quotecast then replaces the stored tokens); then restart',
    );
    for (const text of [failure.message, failure.hint ?? '', ...logged]) {
      expect(text).not.toContain(ACCESS);
      expect(text).not.toContain(REFRESH);
    }
  });

  it('with no key at all, sealed tokens are an auth error that says to set QUOTECAST_SECRET_KEY', async () => {
    await tokens({ secretBox: createSecretBox(KEY) }).save({ accessToken: ACCESS, refreshToken: REFRESH });
    const failure = await failureOf(async () => await tokens().load());
    expect(failure.reason).toBe('auth');
    expect(failure.message).toBe(
      'X OAuth 2.0 tokens stored for channel x-main are encrypted, but QUOTECAST_SECRET_KEY is not set',
    );
    expect(failure.hint).toMatch(/^Set QUOTECAST_SECRET_KEY to the key they were saved with, or authorise/);
  });

  it('a sealed value that was changed, or moved to another channel, does not open', async () => {
    const box = createSecretBox(KEY);
    await tokens({ secretBox: box }).save({ accessToken: ACCESS, refreshToken: REFRESH });
    const raw = (await store.getSetting(oauth2TokensKey('x-main')))!;
    const envelope = JSON.parse(raw) as { tokens: string };
    const flipped =
      envelope.tokens.slice(0, -3) + (envelope.tokens.at(-3) === 'A' ? 'B' : 'A') + envelope.tokens.slice(-2);
    await store.setSetting(oauth2TokensKey('x-main'), JSON.stringify({ ...envelope, tokens: flipped }));
    const damaged = await failureOf(async () => await tokens({ secretBox: box }).load());
    expect(damaged.message).toMatch(/cannot be read: the stored value is damaged or was changed$/);
    expect(damaged.hint).toMatch(
      /^Authorise the account again and put the new refresh token in TWITTER_REFRESH_TOKEN/,
    );

    await store.setSetting(oauth2TokensKey('x-sport'), raw);
    expect(
      (await failureOf(async () => await tokens({ secretBox: box, channelId: 'x-sport' }).load())).reason,
    ).toBe('auth');
  });

  it('a value stored in clear before the key was set is read, and sealed on the spot', async () => {
    // What quotecast wrote before this change (build-runtime's token store).
    await store.setSetting(
      oauth2TokensKey('x-main'),
      JSON.stringify({ accessToken: ACCESS, refreshToken: REFRESH, expiresAt: EXPIRES.toISOString() }),
    );
    await reopen(); // checkpointed into the main file, as an old store would have it
    expect(onDisk()).toContain(ACCESS);
    expect(await tokenStorageWarning(store, ['x-main'], true)).toBe(
      'X OAuth 2.0 tokens stored without encryption (channel x-main), from before QUOTECAST_SECRET_KEY was set: ' +
        'they are encrypted the next time quotecast uses them (the daemon does so at its first X request)',
    );

    const box = createSecretBox(KEY);
    expect(await tokens({ secretBox: box }).load()).toEqual({
      accessToken: ACCESS,
      refreshToken: REFRESH,
      expiresAt: EXPIRES,
    });
    expect(await store.getSetting(oauth2TokensKey('x-main'))).toContain(SEALED_PREFIX);
    expect(await tokenStorageWarning(store, ['x-main'], true)).toBeUndefined();
    await reopen();
    // The page that held the clear value was rewritten without it.
    expect(onDisk()).not.toContain(ACCESS);
    expect(onDisk()).not.toContain(REFRESH);
    expect((await tokens({ secretBox: box }).load())?.accessToken).toBe(ACCESS);
  });
});

describe('without QUOTECAST_SECRET_KEY', () => {
  it('tokens stay readable, and status is told they are stored without encryption', async () => {
    await tokens().save({ accessToken: ACCESS, refreshToken: REFRESH });
    expect(await store.getSetting(oauth2TokensKey('x-main'))).toContain(ACCESS);
    expect(await tokens().load()).toEqual({ accessToken: ACCESS, refreshToken: REFRESH });
    expect(await tokenStorageWarning(store, ['x-main', 'x-sport'], false)).toBe(
      'X OAuth 2.0 tokens stored without encryption (channels x-main, x-sport): anyone who can read the ' +
        'store can post as the account. Set QUOTECAST_SECRET_KEY (at least 16 characters, e.g. from ' +
        '"openssl rand -base64 32") to have them encrypted',
    );
    expect(await tokenStorageWarning(store, [], false)).toBeUndefined();
  });
});

describe('authorising again', () => {
  it('a new refresh token in the environment wins over the stored pair, even one sealed with a lost key', async () => {
    await tokens({ secretBox: createSecretBox(OTHER_KEY) }).save({
      accessToken: ACCESS,
      refreshToken: REFRESH,
    });
    const now = tokens({
      secretBox: createSecretBox(KEY),
      configuredRefreshToken: 'new-refresh-after-reauth',
    });
    expect(await now.load()).toBeUndefined();
    expect(logged).toContain(
      'TWITTER_REFRESH_TOKEN changed since the stored X OAuth 2.0 tokens were saved: using it instead of them',
    );
  });

  it('a value from before this change (no record of its origin) still wins over the configured token', async () => {
    await store.setSetting(
      oauth2TokensKey('x-main'),
      JSON.stringify({ accessToken: ACCESS, refreshToken: REFRESH }),
    );
    expect((await tokens({ configuredRefreshToken: 'anything' }).load())?.refreshToken).toBe(REFRESH);
  });
});

describe('through the X publisher and the fake X API', () => {
  let fake: FakeXApi;
  beforeEach(async () => {
    fake = createFakeXApi();
    await fake.start();
  });
  afterEach(async () => {
    await fake.close();
  });

  function publisher(secret: string) {
    return createTwitterPublisher({
      credentials: {
        kind: 'oauth2',
        clientId: 'client-id',
        refreshToken: CONFIGURED,
        tokenStore: tokens({ secretBox: createSecretBox(secret) }),
      },
      apiRoot: fake.url,
      timeoutMs: 2000,
      logger,
      clock: { now: () => new Date('2025-03-01T12:00:00Z'), sleep: async () => {} },
    });
  }

  it('the refreshed pair is stored sealed, a restart posts with it, and a wrong key stops with auth', async () => {
    await publisher(KEY).publish({ text: 'first post' });
    const issued = fake.tokenRefreshes[0]!;
    for (const token of [issued.issuedAccessToken, issued.issuedRefreshToken])
      expect(onDisk()).not.toContain(token);

    await reopen();
    await publisher(KEY).publish({ text: 'after a restart' });
    expect(fake.tokenRefreshes).toHaveLength(1);
    expect(fake.tweets.map((t) => [t.text, t.token])).toEqual([
      ['first post', issued.issuedAccessToken],
      ['after a restart', issued.issuedAccessToken],
    ]);

    const failure = await publisher(OTHER_KEY)
      .publish({ text: 'never sent' })
      .then(
        () => undefined,
        (error: unknown) => error as PublishError,
      );
    expect(failure?.reason).toBe('auth');
    expect(failure?.message).toContain('QUOTECAST_SECRET_KEY');
    expect(fake.tweets).toHaveLength(2);
    for (const text of [failure?.message ?? '', ...logged]) {
      expect(text).not.toContain(issued.issuedAccessToken);
      expect(text).not.toContain(issued.issuedRefreshToken);
    }
  });
});

describe('the secret box', () => {
  it('refuses a key shorter than 16 characters', () => {
    expect(() => createSecretBox('short')).toThrow(/at least 16 characters/);
  });
});
