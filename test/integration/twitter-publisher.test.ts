import { ApiPartialResponseError, ApiRequestError, ApiResponseError } from 'twitter-api-v2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createTwitterPublisher,
  type OAuth2TokenStore,
  type OAuth2Tokens,
  type TwitterCredentials,
  type TwitterPublisherOptions,
} from '../../src/adapters/twitter/create-twitter-publisher.js';
import type { Clock } from '../../src/ports/clock.js';
import type { Logger } from '../../src/ports/logger.js';
import { PublishError } from '../../src/ports/publisher.js';
import { createFakeXApi, type FakeXApi, type FakeXFault } from '../fakes/fake-x-api.js';
import { waitUntil } from '../helpers/quotecast-process.js';

const NOW = new Date('2025-03-01T12:00:00Z');
const NOW_SECONDS = NOW.getTime() / 1000;

const OAUTH1: TwitterCredentials = {
  kind: 'oauth1',
  appKey: 'app-key-K3yValue',
  appSecret: 'app-secret-S3cretValue',
  accessToken: '1234567-access-T0kenValue',
  accessSecret: 'access-secret-Zz9Value',
};

const fixedClock: Clock = { now: () => new Date(NOW), sleep: async () => {} };

let fake: FakeXApi;
/** Everything a human could read: log lines, error messages and hints. Checked for secrets after each test. */
let seen: string[];
let secrets: string[];

function collectingLogger(): Logger {
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    const shown = Object.entries(fields ?? {}).map(([key, value]) =>
      value instanceof Error ? `${key}=${value.name}: ${value.message}` : `${key}=${JSON.stringify(value)}`,
    );
    seen.push([level, message, ...shown].join(' '));
  };
  return { info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug') };
}

function publisherWith(overrides: Partial<TwitterPublisherOptions> = {}) {
  return createTwitterPublisher({
    credentials: OAUTH1,
    apiRoot: fake.url,
    timeoutMs: 2000,
    logger: collectingLogger(),
    clock: fixedClock,
    accountHandle: 'newsroom',
    ...overrides,
  });
}

async function failureOf(promise: Promise<unknown>): Promise<PublishError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(PublishError);
    const failure = error as PublishError;
    seen.push(String(failure), failure.message, failure.hint ?? '');
    return failure;
  }
  throw new Error('expected the call to fail');
}

function memoryTokenStore(initial?: OAuth2Tokens) {
  const saved: OAuth2Tokens[] = [];
  let current = initial;
  const store: OAuth2TokenStore = {
    load: async () => current,
    save: async (tokens) => {
      saved.push(tokens);
      current = tokens;
    },
  };
  return { store, saved };
}

beforeEach(async () => {
  fake = createFakeXApi();
  await fake.start();
  seen = [];
  secrets = [OAUTH1.appKey, OAUTH1.appSecret, OAUTH1.accessToken, OAUTH1.accessSecret];
});

afterEach(async () => {
  await fake.close();
  const issued = fake.tokenRefreshes.flatMap((refresh) => [
    refresh.issuedAccessToken,
    refresh.issuedRefreshToken,
  ]);
  for (const secret of [...secrets, ...issued]) {
    for (const text of seen) expect(text).not.toContain(secret);
  }
});

describe('Twitter publisher: what arrives at X', () => {
  it('posts the text byte for byte and returns a receipt', async () => {
    const text = 'Zażółć gęślą jaźń — 汉字とカタカナ 👩🏽‍💻 “quoted” & <kept> 🇺🇦';
    const receipt = await publisherWith().publish({ text, postId: '17' });

    expect(fake.tweets).toHaveLength(1);
    const tweet = fake.tweets[0]!;
    expect(Buffer.from(tweet.text)).toEqual(Buffer.from(text));
    expect(tweet.replyTo).toBeUndefined();
    expect(tweet.authKind).toBe('oauth1');
    expect(tweet.token).toBe(OAUTH1.accessToken);
    const request = fake.requests.find((r) => r.path === '/2/tweets');
    expect(request?.body).toEqual({ text });
    expect(receipt).toEqual({
      remoteId: tweet.id,
      url: `https://x.com/newsroom/status/${tweet.id}`,
      publishedAt: NOW,
    });
  });

  it('links to /i/status/ when no handle is configured', async () => {
    const publisher = createTwitterPublisher({
      credentials: OAUTH1,
      apiRoot: fake.url,
      logger: collectingLogger(),
      clock: fixedClock,
    });
    const receipt = await publisher.publish({ text: 'no handle' });
    expect(receipt.url).toBe(`https://x.com/i/status/${receipt.remoteId}`);
  });

  it('publishes a 12-post thread one reply at a time as a chain, in order', async () => {
    const publisher = publisherWith();
    const texts = Array.from({ length: 12 }, (_, i) => `${i + 1}/12 Part ${i + 1} of the thread ✍️`);
    let previous: string | undefined;
    for (const text of texts) {
      const receipt = await publisher.publish({ text }, previous === undefined ? {} : { replyTo: previous });
      previous = receipt.remoteId;
    }

    expect(fake.tweets.map((t) => t.text)).toEqual(texts);
    expect(fake.tweets[0]?.replyTo).toBeUndefined();
    for (let i = 1; i < fake.tweets.length; i++) expect(fake.tweets[i]?.replyTo).toBe(fake.tweets[i - 1]?.id);
    const bodies = fake.requests.filter((r) => r.path === '/2/tweets').map((r) => r.body);
    expect(bodies[1]).toEqual({ text: texts[1], reply: { in_reply_to_tweet_id: fake.tweets[0]?.id } });
  });

  it('declares itself a twitter publisher that supports replies', () => {
    const publisher = publisherWith();
    expect([publisher.platform, publisher.kind, publisher.supportsReplies]).toEqual([
      'twitter',
      'twitter',
      true,
    ]);
  });
});

describe('Twitter publisher: error classification', () => {
  const reset = NOW_SECONDS + 600;
  const cases: {
    name: string;
    fault: FakeXFault;
    reason: PublishError['reason'];
    status: number | undefined;
    retryAt?: Date;
    cause: new (...args: never[]) => Error;
    hint?: RegExp;
  }[] = [
    {
      name: '429 with a window reset',
      fault: { kind: 'rate-limit', reset },
      reason: 'rate-limited',
      status: 429,
      retryAt: new Date(reset * 1000),
      cause: ApiResponseError,
    },
    {
      name: '429 with the 24-hour user limit exhausted (later reset wins)',
      fault: { kind: 'rate-limit', reset, userDay: { remaining: 0, reset: NOW_SECONDS + 20_000 } },
      reason: 'rate-limited',
      status: 429,
      retryAt: new Date((NOW_SECONDS + 20_000) * 1000),
      cause: ApiResponseError,
    },
    {
      name: '429 with the 24-hour app limit exhausted',
      fault: { kind: 'rate-limit', reset, appDay: { remaining: 0, reset: NOW_SECONDS + 30_000 } },
      reason: 'rate-limited',
      status: 429,
      retryAt: new Date((NOW_SECONDS + 30_000) * 1000),
      cause: ApiResponseError,
    },
    {
      name: '429 with a 24-hour limit that still has room (window reset wins)',
      fault: { kind: 'rate-limit', reset, userDay: { remaining: 4, reset: NOW_SECONDS + 20_000 } },
      reason: 'rate-limited',
      status: 429,
      retryAt: new Date(reset * 1000),
      cause: ApiResponseError,
    },
    {
      name: '429 without rate-limit headers (15-minute default)',
      fault: { kind: 'respond', status: 429, body: { title: 'Too Many Requests' } },
      reason: 'rate-limited',
      status: 429,
      retryAt: new Date(NOW.getTime() + 15 * 60 * 1000),
      cause: ApiResponseError,
    },
    {
      name: '403 duplicate content (v2)',
      fault: { kind: 'duplicate' },
      reason: 'duplicate',
      status: 403,
      cause: ApiResponseError,
    },
    {
      name: '403 with v1.1 code 187',
      fault: {
        kind: 'respond',
        status: 403,
        body: { errors: [{ code: 187, message: 'Status is a duplicate.' }] },
      },
      reason: 'duplicate',
      status: 403,
      cause: ApiResponseError,
    },
    {
      name: '401 bad credentials',
      fault: { kind: 'unauthorized' },
      reason: 'auth',
      status: 401,
      cause: ApiResponseError,
      hint: /TWITTER_ACCESS_TOKEN.*Read and write/s,
    },
    {
      name: '403 read-only app',
      fault: { kind: 'forbidden', variant: 'read-only-app' },
      reason: 'auth',
      status: 403,
      cause: ApiResponseError,
      hint: /Read and\s+write/,
    },
    {
      name: '403 app outside a project',
      fault: { kind: 'forbidden', variant: 'client-forbidden' },
      reason: 'auth',
      status: 403,
      cause: ApiResponseError,
      hint: /project/,
    },
    {
      name: '403 not permitted (content)',
      fault: { kind: 'forbidden', variant: 'not-permitted' },
      reason: 'rejected',
      status: 403,
      cause: ApiResponseError,
    },
    {
      name: '400 invalid request',
      fault: { kind: 'bad-request' },
      reason: 'rejected',
      status: 400,
      cause: ApiResponseError,
    },
    {
      name: '500',
      fault: { kind: 'server-error', status: 500 },
      reason: 'unavailable',
      status: 500,
      cause: ApiResponseError,
    },
    {
      name: '503',
      fault: { kind: 'server-error', status: 503 },
      reason: 'unavailable',
      status: 503,
      cause: ApiResponseError,
    },
    {
      name: 'dropped connection',
      fault: { kind: 'drop' },
      reason: 'unavailable',
      status: undefined,
      cause: ApiRequestError,
    },
  ];

  it.each(cases)('$name → $reason', async ({ fault, reason, status, retryAt, cause, hint }) => {
    fake.failNext({ fault });
    const failure = await failureOf(publisherWith().publish({ text: 'a post that meets a fault' }));

    expect(failure.reason).toBe(reason);
    expect(failure.status).toBe(status);
    expect(failure.retryAt).toEqual(retryAt);
    expect(failure.cause).toBeInstanceOf(cause);
    if (hint !== undefined) expect(failure.hint).toMatch(hint);
    expect(fake.tweets).toHaveLength(0);
  });

  it('treats a truncated answer as unavailable (the tweet may exist)', async () => {
    fake.failNext({ fault: { kind: 'respond', status: 201, raw: '{"data":{"id":"19' } });
    const failure = await failureOf(publisherWith().publish({ text: 'cut off' }));
    expect(failure.reason).toBe('unavailable');
    expect(failure.status).toBe(201);
    expect(failure.cause).toBeInstanceOf(ApiPartialResponseError);
  });

  it('does not accept a success answer without a tweet id as a receipt', async () => {
    fake.failNext({ fault: { kind: 'respond', status: 201, raw: '' } });
    const failure = await failureOf(publisherWith().publish({ text: 'empty answer' }));
    expect(failure.reason).toBe('unavailable');
    expect(failure.message).toContain('without a tweet id');
  });

  it('recognises X refusing the same text twice as duplicate', async () => {
    const publisher = publisherWith();
    await publisher.publish({ text: 'Said once.' });
    const failure = await failureOf(publisher.publish({ text: 'Said once.' }));
    expect(failure.reason).toBe('duplicate');
    expect(fake.tweets).toHaveLength(1);
  });

  // The message names the timeout that fired (300 ms, not the default 15 s); a publisher that
  // ignored timeoutMs would also run past the test's timeout.
  it('gives up on a hanging API after timeoutMs with unavailable', { timeout: 10_000 }, async () => {
    fake.failNext({ fault: { kind: 'hang' } });
    const failure = await failureOf(publisherWith({ timeoutMs: 300 }).publish({ text: 'into the void' }));
    expect(failure.reason).toBe('unavailable');
    expect(failure.message).toContain('300 ms');
    expect(failure.cause).toBeInstanceOf(ApiRequestError);
  });

  it('stops waiting when the caller aborts', { timeout: 10_000 }, async () => {
    fake.failNext({ fault: { kind: 'hang' } });
    const controller = new AbortController();
    const publishing = failureOf(
      publisherWith({ timeoutMs: 60_000 }).publish({ text: 'aborted' }, { signal: controller.signal }),
    );
    // Aborted once X holds the request; only the abort can end it before the test's timeout.
    await waitUntil(() => fake.requests.some((r) => r.path === '/2/tweets'), 'the tweet to reach X');
    controller.abort();
    const failure = await publishing;
    expect(failure.reason).toBe('unavailable');
    expect(failure.message).toContain('aborted');
  });

  it('reports a refused connection as unavailable', async () => {
    const gone = createFakeXApi();
    const { url } = await gone.start();
    await gone.close();
    const failure = await failureOf(publisherWith({ apiRoot: url }).publish({ text: 'nobody home' }));
    expect(failure.reason).toBe('unavailable');
    expect(failure.message).toContain('ECONNREFUSED');
  });

  it('rejects bad options at construction', () => {
    expect(() => publisherWith({ apiRoot: 'not a url' })).toThrow(/apiRoot/);
    expect(() => publisherWith({ timeoutMs: 0 })).toThrow(/timeoutMs/);
  });
});

describe('Twitter publisher: OAuth 2.0 user tokens', () => {
  const CLIENT = { clientId: 'client-id-Abc123', clientSecret: 'client-secret-Def456' };

  function oauth2(store: OAuth2TokenStore, extra: { accessToken?: string } = {}): TwitterCredentials {
    return { kind: 'oauth2', ...CLIENT, refreshToken: 'config-refresh-Ghi789', tokenStore: store, ...extra };
  }

  beforeEach(() => {
    secrets.push(
      CLIENT.clientSecret,
      'config-refresh-Ghi789',
      'stored-access-Jkl012',
      'stored-refresh-Mno345',
    );
  });

  it('refreshes an expired token through the token endpoint and saves the new pair', async () => {
    const { store, saved } = memoryTokenStore({
      accessToken: 'stored-access-Jkl012',
      refreshToken: 'stored-refresh-Mno345',
      expiresAt: new Date(NOW.getTime() - 60_000),
    });
    const publisher = publisherWith({ credentials: oauth2(store) });
    await publisher.publish({ text: 'after refresh' });
    await publisher.publish({ text: 'still fresh' });

    expect(fake.tokenRefreshes).toHaveLength(1);
    const refresh = fake.tokenRefreshes[0]!;
    expect(refresh.refreshToken).toBe('stored-refresh-Mno345');
    expect(saved).toEqual([
      {
        accessToken: refresh.issuedAccessToken,
        refreshToken: refresh.issuedRefreshToken,
        expiresAt: new Date(NOW.getTime() + 7200 * 1000),
      },
    ]);
    expect(fake.tweets.map((t) => [t.authKind, t.token])).toEqual([
      ['bearer', refresh.issuedAccessToken],
      ['bearer', refresh.issuedAccessToken],
    ]);
    const tokenRequest = fake.requests.find((r) => r.path === '/2/oauth2/token');
    expect(tokenRequest?.body).toMatchObject({
      grant_type: 'refresh_token',
      refresh_token: 'stored-refresh-Mno345',
    });
    expect(tokenRequest?.auth.kind).toBe('basic');
  });

  it('refreshes first when only a refresh token is configured', async () => {
    const { store, saved } = memoryTokenStore();
    await publisherWith({ credentials: oauth2(store) }).publish({ text: 'first post' });
    expect(fake.tokenRefreshes.map((r) => r.refreshToken)).toEqual(['config-refresh-Ghi789']);
    expect(saved).toHaveLength(1);
    expect(fake.tweets[0]?.token).toBe(fake.tokenRefreshes[0]?.issuedAccessToken);
  });

  it('uses a configured access token without refreshing while it works', async () => {
    const { store, saved } = memoryTokenStore();
    await publisherWith({ credentials: oauth2(store, { accessToken: 'stored-access-Jkl012' }) }).publish({
      text: 'hi',
    });
    expect(fake.tokenRefreshes).toHaveLength(0);
    expect(saved).toHaveLength(0);
    expect(fake.tweets[0]?.token).toBe('stored-access-Jkl012');
  });

  it('refreshes once on a 401 and posts exactly once', async () => {
    const { store, saved } = memoryTokenStore({
      accessToken: 'stored-access-Jkl012',
      refreshToken: 'stored-refresh-Mno345',
      expiresAt: new Date(NOW.getTime() + 3_600_000),
    });
    fake.revokeToken('stored-access-Jkl012');
    await publisherWith({ credentials: oauth2(store) }).publish({ text: 'despite revocation' });

    expect(fake.tokenRefreshes).toHaveLength(1);
    expect(saved).toHaveLength(1);
    expect(fake.tweets).toHaveLength(1);
    expect(fake.tweets[0]?.token).toBe(fake.tokenRefreshes[0]?.issuedAccessToken);
    expect(seen.some((line) => line.includes('401'))).toBe(true);
  });

  it('shares one refresh among concurrent publishes', async () => {
    const { store } = memoryTokenStore();
    const publisher = publisherWith({ credentials: oauth2(store) });
    await Promise.all(['one', 'two', 'three'].map((text) => publisher.publish({ text })));
    expect(fake.tokenRefreshes).toHaveLength(1);
    expect(fake.tweets).toHaveLength(3);
  });

  it('names a refused refresh token as auth with a re-authorize hint', async () => {
    const { store, saved } = memoryTokenStore();
    fake.failNext({
      match: (r) => r.path === '/2/oauth2/token',
      fault: {
        kind: 'respond',
        status: 400,
        body: { error: 'invalid_request', error_description: 'Value passed for the token was invalid.' },
      },
    });
    const failure = await failureOf(
      publisherWith({ credentials: oauth2(store) }).publish({ text: 'never sent' }),
    );
    expect(failure.reason).toBe('auth');
    expect(failure.status).toBe(400);
    expect(failure.hint).toMatch(/authorize the app again/);
    expect(saved).toHaveLength(0);
    expect(fake.tweets).toHaveLength(0);
  });

  it('names a rate-limited token endpoint as rate-limited, not auth', async () => {
    const { store } = memoryTokenStore();
    fake.failNext({
      match: (r) => r.path === '/2/oauth2/token',
      fault: { kind: 'rate-limit', reset: NOW_SECONDS + 60 },
    });
    const failure = await failureOf(publisherWith({ credentials: oauth2(store) }).publish({ text: 'later' }));
    expect(failure.reason).toBe('rate-limited');
    expect(failure.retryAt).toEqual(new Date((NOW_SECONDS + 60) * 1000));
  });
});

describe('Twitter publisher: recent posts for reconciliation', () => {
  it('returns our tweets since a time, newest first, asking who we are only once', async () => {
    fake.addTweet('old news', { at: new Date(NOW.getTime() - 3_600_000) });
    const a = fake.addTweet('first after', { at: new Date(NOW.getTime() - 60_000) });
    const b = fake.addTweet('second after', { at: new Date(NOW.getTime() - 30_000) });
    const publisher = publisherWith();

    const posts = await publisher.recentPosts?.(new Date(NOW.getTime() - 120_000));
    await publisher.recentPosts?.(new Date(NOW.getTime() - 120_000));

    expect(posts).toEqual([
      {
        remoteId: b.id,
        text: 'second after',
        url: `https://x.com/newsroom/status/${b.id}`,
        publishedAt: b.at,
      },
      {
        remoteId: a.id,
        text: 'first after',
        url: `https://x.com/newsroom/status/${a.id}`,
        publishedAt: a.at,
      },
    ]);
    expect(fake.requests.filter((r) => r.path === '/2/users/me')).toHaveLength(1);
    const timeline = fake.requests.find((r) => r.path.endsWith('/tweets') && r.method === 'GET');
    expect(timeline?.query).toMatchObject({ start_time: '2025-03-01T11:58:00Z', max_results: '100' });
  });

  it('classifies timeline failures like publish failures', async () => {
    fake.failNext({ match: (r) => r.method === 'GET', fault: { kind: 'server-error', status: 503 } });
    const failure = await failureOf(publisherWith().recentPosts?.(NOW) ?? Promise.resolve());
    expect(failure.reason).toBe('unavailable');
    expect(failure.message).toContain('read the timeline');
  });
});
