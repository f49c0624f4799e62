import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import twitterText from 'twitter-text';
import { createLoopbackServer } from './loopback-server.js';

/**
 * A loopback stand-in for the slice of X API v2 that quotecast uses, served by a real `node:http`
 * server on 127.0.0.1 so the real twitter-api-v2 client can talk to it (see the `apiRoot` option of
 * `createTwitterPublisher`). It records what arrived, answers like X does, and fails on request.
 */

export type AuthKind = 'oauth1' | 'bearer' | 'basic' | 'none';

export interface FakeXAuth {
  readonly kind: AuthKind;
  /** OAuth 1.0a `oauth_token`, or the bearer token. */
  readonly token?: string;
  /** OAuth 1.0a `oauth_consumer_key`. */
  readonly consumerKey?: string;
}

export interface FakeXRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  /** Parsed JSON or form body; the raw text for anything else; undefined when empty. */
  readonly body: unknown;
  readonly auth: FakeXAuth;
  readonly at: Date;
}

export interface FakeTweet {
  readonly id: string;
  readonly text: string;
  readonly replyTo: string | undefined;
  readonly authKind: AuthKind;
  /** Which token posted it (OAuth 1.0a access token or bearer token). */
  readonly token: string | undefined;
  readonly at: Date;
}

/** A tweet taken down through DELETE /2/tweets/:id. */
export interface FakeTweetDeletion {
  readonly id: string;
  readonly at: Date;
}

export interface FakeTokenRefresh {
  readonly refreshToken: string;
  readonly issuedAccessToken: string;
  readonly issuedRefreshToken: string;
  readonly at: Date;
}

export interface DayLimit {
  readonly limit?: number;
  readonly remaining?: number;
  /** Epoch seconds. */
  readonly reset: number;
}

export type FakeXFault =
  /** 429 with `x-rate-limit-*` headers (reset in epoch seconds, default now + 15 min) and optional 24-hour ones. */
  | {
      readonly kind: 'rate-limit';
      readonly reset?: number;
      readonly userDay?: DayLimit;
      readonly appDay?: DayLimit;
    }
  /** 5xx with a problem body (default 500). */
  | { readonly kind: 'server-error'; readonly status?: number }
  /** Never answer (until `close()`). */
  | { readonly kind: 'hang' }
  /** Destroy the socket without answering. */
  | { readonly kind: 'drop' }
  /**
   * Do the request (the tweet is posted), then destroy the socket (`drop`) or never answer (`hang`):
   * the client cannot know it went through.
   */
  | { readonly kind: 'commit-then-drop' }
  | { readonly kind: 'commit-then-hang' }
  /** X's 403 "duplicate content" answer. */
  | { readonly kind: 'duplicate' }
  /** 401 as for revoked or wrong credentials. */
  | { readonly kind: 'unauthorized' }
  /**
   * 403 variants: `read-only-app` (oauth1-permissions problem, `x-access-level: read`),
   * `client-forbidden` (app outside a project), `not-permitted` (a plain content refusal).
   */
  | { readonly kind: 'forbidden'; readonly variant?: 'read-only-app' | 'client-forbidden' | 'not-permitted' }
  /** 400 invalid-request problem. */
  | { readonly kind: 'bad-request' }
  /** Anything else: `body` is sent as JSON, `raw` verbatim (e.g. truncated JSON). */
  | {
      readonly kind: 'respond';
      readonly status: number;
      readonly body?: unknown;
      readonly raw?: string;
      readonly headers?: Readonly<Record<string, string>>;
    };

export interface FailNextOptions {
  /** Which requests to fail (default: any). */
  readonly match?: (request: FakeXRequest) => boolean;
  /** How many matching requests to fail (default 1). */
  readonly times?: number;
  readonly fault: FakeXFault;
}

export interface FakeXApiOptions {
  /** Port to listen on (default 0: any free port). */
  readonly port?: number;
  /** Answer 403 "duplicate content" when the text equals an earlier tweet's (default true, like X). */
  readonly rejectDuplicates?: boolean;
  /** Refuse replies to ids the fake never saw, as X does for deleted tweets (default true). */
  readonly requireKnownReplyTarget?: boolean;
  /** Refuse texts over 280 weighted characters with a 400 (default true; the fake's approximation). */
  readonly checkLength?: boolean;
  /** Delay before every answer, in ms. */
  readonly latencyMs?: number;
  /**
   * When set, only these access tokens (OAuth 1.0a `oauth_token` or bearer) are accepted, plus every
   * token the fake's own token endpoint issued. By default any token is accepted.
   */
  readonly acceptedTokens?: readonly string[];
  /** Lifetime of access tokens issued by the token endpoint (default 7200 s). */
  readonly accessTokenTtlSeconds?: number;
  readonly user?: { readonly id: string; readonly username: string; readonly name: string };
  /** Time source for created_at and records (default: the system clock). */
  readonly now?: () => Date;
}

export interface FakeXApi {
  start(): Promise<{ url: string }>;
  close(): Promise<void>;
  /** `http://127.0.0.1:<port>` once started. */
  readonly url: string;
  readonly tweets: readonly FakeTweet[];
  readonly requests: readonly FakeXRequest[];
  readonly tokenRefreshes: readonly FakeTokenRefresh[];
  /**
   * Tweets deleted through the API, in order. A deleted tweet stays in `tweets` (the record of what
   * was posted) but leaves the timeline, cannot be replied to, and a second delete answers 404.
   */
  readonly deletions: readonly FakeTweetDeletion[];
  /** Tweets the account already has (for reconciliation tests); returns the stored tweet. */
  addTweet(text: string, options?: { at?: Date; replyTo?: string }): FakeTweet;
  failNext(options: FailNextOptions): void;
  /**
   * From now on a new tweet shows in the timeline only `ms` after it was created (by `now`), as X
   * takes a while to index it; 0 (the default) shows it at once.
   */
  setIndexingDelay(ms: number): void;
  /** Make X refuse this access token from now on (401), as after a revocation or expiry. */
  revokeToken(token: string): void;
  /** Resolves with the first tweet (already recorded or future) that matches. */
  waitForTweet(predicate: (tweet: FakeTweet) => boolean, timeoutMs?: number): Promise<FakeTweet>;
  /** Called for every tweet created through the API; returns an unsubscribe function. */
  onTweet(listener: (tweet: FakeTweet) => void): () => void;
}

export const DEFAULT_FAKE_X_USER = {
  id: '2244994945',
  username: 'quotecast_fake',
  name: 'Quotecast Fake',
} as const;

const MAX_TWEET_WEIGHT = 280;
const FIRST_TWEET_ID = 1_900_000_000_000_000_000n;
const DUPLICATE_BODY = {
  detail: 'You are not allowed to create a Tweet with duplicate content.',
  type: 'about:blank',
  title: 'Forbidden',
  status: 403,
};
const UNAUTHORIZED_BODY = { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' };

interface Answer {
  readonly status: number;
  readonly body?: unknown;
  readonly raw?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

interface FaultRule {
  readonly match: (request: FakeXRequest) => boolean;
  remaining: number;
  readonly fault: FakeXFault;
}

interface Waiter {
  readonly predicate: (tweet: FakeTweet) => boolean;
  readonly resolve: (tweet: FakeTweet) => void;
}

export function createFakeXApi(options: FakeXApiOptions = {}): FakeXApi {
  const now = options.now ?? (() => new Date());
  const user = options.user ?? DEFAULT_FAKE_X_USER;
  const tweets: FakeTweet[] = [];
  const requests: FakeXRequest[] = [];
  const tokenRefreshes: FakeTokenRefresh[] = [];
  const deletions: FakeTweetDeletion[] = [];
  const isLive = (id: string) => tweets.some((t) => t.id === id) && !deletions.some((d) => d.id === id);
  const faults: FaultRule[] = [];
  const waiters = new Set<Waiter>();
  const listeners = new Set<(tweet: FakeTweet) => void>();
  const revoked = new Set<string>();
  /** Tweets the timeline does not show yet: id -> when it starts to (epoch ms). */
  const hiddenUntil = new Map<string, number>();
  let indexingDelayMs = 0;
  const issuedAccess = new Set<string>();
  const accessByRefresh = new Map<string, string>();
  const usedRefreshTokens = new Set<string>();
  let nextId = FIRST_TWEET_ID;
  let tokenCounter = 0;
  let url = '';

  const server = createLoopbackServer('fake X API', handle, (res, error) => {
    if (!res.headersSent) send(res, { status: 500, body: { title: 'Fake failure', detail: String(error) } });
  });
  const sleep = server.sleep;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const parsed = new URL(req.url ?? '/', 'http://127.0.0.1');
    const request: FakeXRequest = {
      method: req.method ?? 'GET',
      path: parsed.pathname,
      query: Object.fromEntries(parsed.searchParams),
      headers: req.headers,
      body: parseBody(raw, req.headers['content-type']),
      auth: parseAuth(req.headers.authorization),
      at: now(),
    };
    requests.push(request);
    if (options.latencyMs !== undefined && options.latencyMs > 0) await sleep(options.latencyMs);
    const fault = takeFault(request);
    if (fault?.kind === 'commit-then-drop' || fault?.kind === 'commit-then-hang') {
      route(request);
      if (fault.kind === 'commit-then-drop') req.socket.destroy();
      return;
    }
    if (fault !== undefined) return applyFault(fault, req, res);
    send(res, route(request));
  }

  function route(request: FakeXRequest): Answer {
    const { method, path } = request;
    if (method === 'POST' && path === '/2/oauth2/token') return refreshTokens(request);
    if (!authorized(request.auth)) return { status: 401, body: UNAUTHORIZED_BODY };
    if (method === 'POST' && path === '/2/tweets') return createTweet(request);
    if (method === 'GET' && path === '/2/users/me') return { status: 200, body: { data: { ...user } } };
    const deleted = /^\/2\/tweets\/([^/]+)$/.exec(path);
    if (method === 'DELETE' && deleted !== null) return deleteTweet(deleted[1] ?? '', request.at);
    const timeline = /^\/2\/users\/([^/]+)\/tweets$/.exec(path);
    if (method === 'GET' && timeline !== null) return userTimeline(timeline[1] ?? '', request.query);
    return {
      status: 404,
      body: {
        title: 'Not Found Error',
        detail: `The fake X API has no ${method} ${path}`,
        type: 'about:blank',
      },
    };
  }

  function authorized(auth: FakeXAuth): boolean {
    if (auth.kind !== 'oauth1' && auth.kind !== 'bearer') return false;
    if (auth.token === undefined || revoked.has(auth.token)) return false;
    if (options.acceptedTokens === undefined) return true;
    return options.acceptedTokens.includes(auth.token) || issuedAccess.has(auth.token);
  }

  function createTweet(request: FakeXRequest): Answer {
    const body = (request.body ?? {}) as { text?: unknown; reply?: { in_reply_to_tweet_id?: unknown } };
    if (typeof body.text !== 'string' || body.text === '') return invalidRequest('text', 'text is required');
    const replyTo = body.reply?.in_reply_to_tweet_id;
    if (replyTo !== undefined && typeof replyTo !== 'string')
      return invalidRequest('reply', 'tweet id must be a string');
    if (
      (options.checkLength ?? true) &&
      twitterText.parseTweet(body.text).weightedLength > MAX_TWEET_WEIGHT
    ) {
      return invalidRequest('text', `text is longer than ${MAX_TWEET_WEIGHT} weighted characters`);
    }
    if ((options.rejectDuplicates ?? true) && tweets.some((tweet) => tweet.text === body.text)) {
      return { status: 403, body: DUPLICATE_BODY };
    }
    if (replyTo !== undefined && (options.requireKnownReplyTarget ?? true) && !isLive(replyTo)) {
      return {
        status: 403,
        body: {
          detail: 'You attempted to reply to a Tweet that is deleted or not visible to you.',
          type: 'about:blank',
          title: 'Forbidden',
          status: 403,
        },
      };
    }
    const tweet = record(body.text, replyTo, request.auth, now());
    for (const listener of listeners) listener(tweet);
    return {
      status: 201,
      body: { data: { id: tweet.id, text: tweet.text, edit_history_tweet_ids: [tweet.id] } },
    };
  }

  /** `{"data":{"deleted":true}}`, or X's 404 problem for a tweet it does not have (any more). */
  function deleteTweet(id: string, at: Date): Answer {
    if (!isLive(id)) {
      return {
        status: 404,
        body: {
          title: 'Not Found Error',
          detail: `Could not find tweet with id: [${id}].`,
          type: 'https://api.twitter.com/2/problems/resource-not-found',
          status: 404,
        },
      };
    }
    deletions.push({ id, at });
    return { status: 200, body: { data: { deleted: true } } };
  }

  function record(text: string, replyTo: string | undefined, auth: FakeXAuth, at: Date): FakeTweet {
    const tweet: FakeTweet = {
      id: String(nextId++),
      text,
      replyTo,
      authKind: auth.kind,
      token: auth.token,
      at,
    };
    tweets.push(tweet);
    if (indexingDelayMs > 0) hiddenUntil.set(tweet.id, now().getTime() + indexingDelayMs);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(tweet)) {
        waiters.delete(waiter);
        waiter.resolve(tweet);
      }
    }
    return tweet;
  }

  function userTimeline(id: string, query: Readonly<Record<string, string>>): Answer {
    const maxResults = query['max_results'] === undefined ? 10 : Number(query['max_results']);
    if (!Number.isInteger(maxResults) || maxResults < 5 || maxResults > 100) {
      return invalidRequest('max_results', 'max_results must be between 5 and 100');
    }
    const start = query['start_time'] === undefined ? undefined : Date.parse(query['start_time']);
    const end = query['end_time'] === undefined ? undefined : Date.parse(query['end_time']);
    const withCreatedAt = (query['tweet.fields'] ?? '').split(',').includes('created_at');
    const shown = (t: FakeTweet) => (hiddenUntil.get(t.id) ?? 0) <= now().getTime() && isLive(t.id);
    const found =
      id !== user.id ? [] : tweets.filter((t) => shown(t) && inWindow(t.at.getTime(), start, end));
    const page = found.reverse().slice(0, maxResults);
    if (page.length === 0) return { status: 200, body: { meta: { result_count: 0 } } };
    const fields = (query['tweet.fields'] ?? '').split(',');
    const data = page.map((t) => {
      const { text, urls } = asXShowsIt(t.text, t.id);
      return {
        id: t.id,
        text,
        edit_history_tweet_ids: [t.id],
        ...(withCreatedAt ? { created_at: t.at.toISOString() } : {}),
        ...(fields.includes('entities') && urls.length > 0 ? { entities: { urls } } : {}),
      };
    });
    const meta = { result_count: page.length, newest_id: page[0]?.id, oldest_id: page[page.length - 1]?.id };
    return { status: 200, body: { data, meta } };
  }

  function refreshTokens(request: FakeXRequest): Answer {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const refreshToken = body['refresh_token'];
    const invalid = {
      status: 400,
      body: { error: 'invalid_request', error_description: 'Value passed for the token was invalid.' },
    };
    if (body['grant_type'] !== 'refresh_token' || typeof refreshToken !== 'string') return invalid;
    // X refresh tokens are single use: the second exchange of the same one fails.
    if (usedRefreshTokens.has(refreshToken)) return invalid;
    usedRefreshTokens.add(refreshToken);
    const previous = accessByRefresh.get(refreshToken);
    if (previous !== undefined) revoked.add(previous);
    tokenCounter += 1;
    const accessToken = `fake-access-${tokenCounter}-${randomBytes(6).toString('hex')}`;
    const nextRefresh = `fake-refresh-${tokenCounter}-${randomBytes(6).toString('hex')}`;
    issuedAccess.add(accessToken);
    accessByRefresh.set(nextRefresh, accessToken);
    tokenRefreshes.push({
      refreshToken,
      issuedAccessToken: accessToken,
      issuedRefreshToken: nextRefresh,
      at: now(),
    });
    return {
      status: 200,
      body: {
        token_type: 'bearer',
        expires_in: options.accessTokenTtlSeconds ?? 7200,
        access_token: accessToken,
        scope: 'tweet.read tweet.write users.read offline.access',
        refresh_token: nextRefresh,
      },
    };
  }

  function takeFault(request: FakeXRequest): FakeXFault | undefined {
    const rule = faults.find((candidate) => candidate.match(request));
    if (rule === undefined) return undefined;
    rule.remaining -= 1;
    if (rule.remaining <= 0) faults.splice(faults.indexOf(rule), 1);
    return rule.fault;
  }

  function applyFault(
    fault: Exclude<FakeXFault, { kind: 'commit-then-drop' | 'commit-then-hang' }>,
    req: IncomingMessage,
    res: ServerResponse,
  ): void {
    if (fault.kind === 'hang') return;
    if (fault.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    send(res, faultAnswer(fault, Math.floor(now().getTime() / 1000)));
  }

  return {
    async start() {
      url = await server.listen(options.port);
      return { url };
    },
    close: () => server.close(),
    get url() {
      return url;
    },
    tweets,
    requests,
    tokenRefreshes,
    deletions,
    addTweet(text, extra = {}) {
      return record(text, extra.replyTo, { kind: 'oauth1' }, extra.at ?? now());
    },
    failNext({ match, times, fault }) {
      faults.push({ match: match ?? (() => true), remaining: times ?? 1, fault });
    },
    setIndexingDelay(ms) {
      indexingDelayMs = ms;
    },
    revokeToken(token) {
      revoked.add(token);
    },
    waitForTweet(predicate, timeoutMs = 2000) {
      const existing = tweets.find(predicate);
      if (existing !== undefined) return Promise.resolve(existing);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(`fake X API: no matching tweet within ${timeoutMs} ms (${tweets.length} recorded)`),
          );
        }, timeoutMs);
        const waiter: Waiter = {
          predicate,
          resolve: (tweet) => {
            clearTimeout(timer);
            resolve(tweet);
          },
        };
        waiters.add(waiter);
      });
    },
    onTweet(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function faultAnswer(
  fault: Exclude<FakeXFault, { kind: 'hang' | 'drop' | 'commit-then-drop' | 'commit-then-hang' }>,
  nowSeconds: number,
): Answer {
  switch (fault.kind) {
    case 'rate-limit':
      return {
        status: 429,
        headers: rateLimitHeaders(fault, nowSeconds),
        body: { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 },
      };
    case 'server-error': {
      const status = fault.status ?? 500;
      const title = status === 503 ? 'Service Unavailable' : 'Internal Server Error';
      return { status, body: { title, detail: title, type: 'about:blank', status } };
    }
    case 'duplicate':
      return { status: 403, body: DUPLICATE_BODY };
    case 'unauthorized':
      return { status: 401, body: UNAUTHORIZED_BODY };
    case 'forbidden':
      return forbiddenAnswer(fault.variant ?? 'read-only-app');
    case 'bad-request':
      return invalidRequest('text', 'The fake X API was told to refuse this request');
    case 'respond':
      return {
        status: fault.status,
        body: fault.body,
        ...(fault.raw === undefined ? {} : { raw: fault.raw }),
        ...(fault.headers === undefined ? {} : { headers: fault.headers }),
      };
  }
}

function rateLimitHeaders(
  fault: { readonly reset?: number; readonly userDay?: DayLimit; readonly appDay?: DayLimit },
  nowSeconds: number,
): Record<string, string> {
  const headers: Record<string, string> = {
    'x-rate-limit-limit': '100',
    'x-rate-limit-remaining': '0',
    'x-rate-limit-reset': String(fault.reset ?? nowSeconds + 15 * 60),
  };
  for (const [prefix, day] of [
    ['x-user-limit-24hour', fault.userDay],
    ['x-app-limit-24hour', fault.appDay],
  ] as const) {
    if (day === undefined) continue;
    headers[`${prefix}-limit`] = String(day.limit ?? 17);
    headers[`${prefix}-remaining`] = String(day.remaining ?? 0);
    headers[`${prefix}-reset`] = String(day.reset);
  }
  return headers;
}

function forbiddenAnswer(variant: 'read-only-app' | 'client-forbidden' | 'not-permitted'): Answer {
  if (variant === 'read-only-app') {
    return {
      status: 403,
      headers: { 'x-access-level': 'read' },
      body: {
        title: 'Forbidden',
        status: 403,
        detail:
          'Your client app is not configured with the appropriate oauth1 app permissions for this endpoint.',
        type: 'https://api.twitter.com/2/problems/oauth1-permissions',
      },
    };
  }
  if (variant === 'client-forbidden') {
    return {
      status: 403,
      body: {
        title: 'Client Forbidden',
        detail:
          'When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from an App attached to a Project.',
        reason: 'client-not-enrolled',
        type: 'https://api.twitter.com/2/problems/client-forbidden',
      },
    };
  }
  return {
    status: 403,
    body: {
      detail: 'You are not permitted to perform this action.',
      type: 'about:blank',
      title: 'Forbidden',
      status: 403,
    },
  };
}

function invalidRequest(parameter: string, message: string): Answer {
  return {
    status: 400,
    body: {
      errors: [{ parameters: { [parameter]: [] }, message }],
      title: 'Invalid Request',
      detail: 'One or more parameters to your request was invalid.',
      type: 'https://api.twitter.com/2/problems/invalid-request',
    },
  };
}

function inWindow(at: number, start: number | undefined, end: number | undefined): boolean {
  return (start === undefined || at >= start) && (end === undefined || at < end);
}

function send(res: ServerResponse, answer: Answer): void {
  const headers: Record<string, string> = { ...answer.headers };
  if (answer.raw !== undefined) {
    headers['content-type'] ??= 'application/json; charset=utf-8';
    res.writeHead(answer.status, headers).end(answer.raw);
    return;
  }
  if (answer.body === undefined) {
    res.writeHead(answer.status, headers).end();
    return;
  }
  headers['content-type'] ??= 'application/json; charset=utf-8';
  res.writeHead(answer.status, headers).end(JSON.stringify(answer.body));
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseBody(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  if (contentType?.includes('json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  if (contentType?.includes('x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  return text;
}

/** Which kind of credentials a request carried, with the token it names. */
export function parseAuth(header: string | undefined): FakeXAuth {
  if (header === undefined || header === '') return { kind: 'none' };
  if (header.startsWith('Bearer ')) return { kind: 'bearer', token: header.slice('Bearer '.length) };
  if (header.startsWith('Basic ')) return { kind: 'basic' };
  if (header.startsWith('OAuth ')) {
    const field = (name: string) => {
      const value = new RegExp(`${name}="([^"]*)"`).exec(header)?.[1];
      return value === undefined ? undefined : decodeURIComponent(value);
    };
    const token = field('oauth_token');
    const consumerKey = field('oauth_consumer_key');
    return {
      kind: 'oauth1',
      ...(token === undefined ? {} : { token }),
      ...(consumerKey === undefined ? {} : { consumerKey }),
    };
  }
  return { kind: 'none' };
}

/**
 * A tweet's text the way X's API gives it back: every link replaced by a t.co link (the original in
 * `entities.urls[].expanded_url`) and `&`, `<`, `>` HTML-escaped. Reconciliation must see through both.
 */
export function asXShowsIt(
  original: string,
  id: string,
): {
  text: string;
  urls: { start: number; end: number; url: string; expanded_url: string; display_url: string }[];
} {
  const escapeHtml = (part: string) =>
    part.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const found = twitterText.extractUrlsWithIndices(original);
  let text = '';
  let cursor = 0;
  const urls: { start: number; end: number; url: string; expanded_url: string; display_url: string }[] = [];
  found.forEach((entity, i) => {
    const [from, to] = entity.indices;
    text += escapeHtml(original.slice(cursor, from));
    const short = `https://t.co/${id.slice(-6)}${i}`;
    urls.push({
      start: text.length,
      end: text.length + short.length,
      url: short,
      expanded_url: entity.url,
      display_url: entity.url.replace(/^https?:\/\//, ''),
    });
    text += short;
    cursor = to;
  });
  text += escapeHtml(original.slice(cursor));
  return { text, urls };
}
