import { AsyncLocalStorage } from 'node:async_hooks';
import { Agent } from 'node:http';
import {
  ApiResponseError,
  type IClientSettings,
  type SendTweetV2Params,
  type TweetV2,
  TwitterApi,
} from 'twitter-api-v2';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import {
  type DeleteOptions,
  type DeleteReceipt,
  type OutgoingPost,
  PublishError,
  type Publisher,
  type PublishOptions,
  type Receipt,
  type RemotePost,
} from '../../ports/publisher.js';
import { classifyTwitterError } from './classify-twitter-error.js';
import { createOAuth2Session, type OAuth2TokenStore } from './create-oauth2-session.js';
import { createRequestOptionsPlugin } from './create-request-options-plugin.js';

export type { OAuth2TokenStore, OAuth2Tokens } from './create-oauth2-session.js';

/** OAuth 1.0a user context: the four keys from the developer portal ("Read and write" app). */
export interface TwitterOAuth1Credentials {
  readonly kind: 'oauth1';
  readonly appKey: string;
  readonly appSecret: string;
  readonly accessToken: string;
  readonly accessSecret: string;
}

/** OAuth 2.0 user context (PKCE). Access tokens last two hours; the store keeps the rotated pair. */
export interface TwitterOAuth2Credentials {
  readonly kind: 'oauth2';
  readonly clientId: string;
  /** Only for confidential clients; public clients send the client id alone. */
  readonly clientSecret?: string;
  /** Optional: without it the first call refreshes. */
  readonly accessToken?: string;
  readonly refreshToken: string;
  readonly tokenStore: OAuth2TokenStore;
}

export type TwitterCredentials = TwitterOAuth1Credentials | TwitterOAuth2Credentials;

export interface TwitterPublisherOptions {
  readonly credentials: TwitterCredentials;
  /**
   * Send every request (API, upload, OAuth 2.0 token) to this root instead of x.com, e.g. the loopback
   * fake `http://127.0.0.1:8787`. Plain `http:` is allowed because that is what the fake speaks.
   */
  readonly apiRoot?: string;
  /** How long a socket may stay silent before we give up (default 15000). */
  readonly timeoutMs?: number;
  readonly logger: Logger;
  /** Stamps receipts and judges token expiry. */
  readonly clock: Clock;
  /** Account handle (without `@`) for receipt URLs; `i` works for any account when unknown. */
  readonly accountHandle?: string;
  /** Names of the settings that hold these credentials, quoted in admin hints. */
  readonly credentialNames?: readonly string[];
}

const DEFAULT_TIMEOUT_MS = 15_000;
/** X's maximum page size for a user timeline; reconciliation looks back over a short window. */
const TIMELINE_PAGE_SIZE = 100;

const OAUTH1_NAMES = [
  'TWITTER_APP_KEY',
  'TWITTER_APP_SECRET',
  'TWITTER_ACCESS_TOKEN',
  'TWITTER_ACCESS_SECRET',
];
const OAUTH2_NAMES = ['TWITTER_CLIENT_ID', 'TWITTER_CLIENT_SECRET', 'TWITTER_OAUTH2_REFRESH_TOKEN'];

/** The clients a call may use, and how to get a better one after a 401 (OAuth 2.0 only). */
interface ClientSource {
  current(): Promise<TwitterApi>;
  refreshAfter?(failed: TwitterApi): Promise<TwitterApi>;
}

/**
 * Publishes one tweet per call with twitter-api-v2 in user context (never `tweetThread`, which hides
 * which tweets were already posted), and reads the account's recent tweets for reconciliation.
 */
export function createTwitterPublisher(options: TwitterPublisherOptions): Publisher {
  const timeoutMs = checkTimeout(options.timeoutMs);
  const apiRoot = options.apiRoot === undefined ? undefined : parseApiRoot(options.apiRoot);
  const secrets = new Set<string>(credentialSecrets(options.credentials));
  const signals = new AsyncLocalStorage<AbortSignal | undefined>();
  const settings: Partial<IClientSettings> = {
    plugins: [
      createRequestOptionsPlugin({ ...(apiRoot === undefined ? {} : { apiRoot }), timeoutMs, signals }),
    ],
    // The library always calls https.request; an http agent is what makes it speak plain http.
    ...(apiRoot?.protocol === 'http:' ? { httpAgent: new Agent() } : {}),
  };
  const clients = createClientSource(options, settings, (value) => secrets.add(value));
  const credentialNames =
    options.credentialNames ?? (options.credentials.kind === 'oauth1' ? OAUTH1_NAMES : OAUTH2_NAMES);
  const handle = options.accountHandle?.replace(/^@/, '') || 'i';
  let userId: Promise<string> | undefined;

  async function call<T>(
    action: string,
    signal: AbortSignal | undefined,
    run: (client: TwitterApi) => Promise<T>,
  ): Promise<T> {
    return signals.run(signal, async () => {
      try {
        return await withOneRefresh(run);
      } catch (error) {
        const failure = classifyTwitterError(error, {
          now: options.clock.now(),
          action,
          tokenRefresh: error instanceof ApiResponseError && isTokenEndpoint(error),
          credentialNames,
          secrets: [...secrets],
          timeoutMs,
        });
        options.logger.warn('X request failed', {
          action,
          reason: failure.reason,
          status: failure.status,
          retryAt: failure.retryAt?.toISOString(),
          error: failure.message,
        });
        throw failure;
      }
    });
  }

  async function withOneRefresh<T>(run: (client: TwitterApi) => Promise<T>): Promise<T> {
    const client = await clients.current();
    try {
      return await run(client);
    } catch (error) {
      // A 401 means X did not act on the request, so repeating it after a refresh cannot double-post.
      if (clients.refreshAfter === undefined || !(error instanceof ApiResponseError) || error.code !== 401)
        throw error;
      options.logger.info('X answered 401; refreshing the OAuth 2.0 token once');
      return run(await clients.refreshAfter(client));
    }
  }

  function me(client: TwitterApi): Promise<string> {
    userId ??= client.v2.me().then(
      (answer) => answer.data.id,
      (error: unknown) => {
        userId = undefined;
        throw error;
      },
    );
    return userId;
  }

  return {
    platform: 'twitter',
    kind: 'twitter',
    supportsReplies: true,

    async publish(post: OutgoingPost, publishOptions: PublishOptions = {}): Promise<Receipt> {
      const payload: SendTweetV2Params = { text: post.text };
      if (publishOptions.replyTo !== undefined)
        payload.reply = { in_reply_to_tweet_id: publishOptions.replyTo };
      const answer = await call('post a tweet', publishOptions.signal, (client) => client.v2.tweet(payload));
      // An empty 2xx body parses as nothing at all; never let that pass as a receipt.
      const id = (answer as Partial<typeof answer> | undefined)?.data?.id;
      if (typeof id !== 'string' || id === '') {
        throw new PublishError(
          'unavailable',
          'X: answered without a tweet id; check the timeline before retrying',
        );
      }
      const receipt: Receipt = { remoteId: id, url: statusUrl(handle, id), publishedAt: options.clock.now() };
      options.logger.info('tweet published', {
        postId: post.postId,
        remoteId: id,
        replyTo: publishOptions.replyTo,
        url: receipt.url,
      });
      return receipt;
    },

    async delete(remoteId: string, deleteOptions: DeleteOptions = {}): Promise<DeleteReceipt> {
      const outcome = await call('delete a tweet', deleteOptions.signal, async (client) => {
        try {
          const answer = await client.v2.deleteTweet(remoteId);
          return answer.data?.deleted === true ? 'deleted' : 'refused';
        } catch (error) {
          // Deleted already (by hand, or by an earlier call whose answer was lost): it is down.
          if (error instanceof ApiResponseError && error.code === 404) return 'gone';
          throw error;
        }
      });
      if (outcome === 'refused')
        throw new PublishError(
          'rejected',
          `X: could not delete tweet ${remoteId}: X answered "deleted: false"`,
        );
      options.logger.info('tweet deleted', { remoteId, outcome });
      return { outcome };
    },

    async recentPosts(since: Date): Promise<readonly RemotePost[]> {
      const tweets = await call('read the timeline', undefined, async (client) => {
        const timeline = await client.v2.userTimeline(await me(client), {
          start_time: isoSeconds(since),
          max_results: TIMELINE_PAGE_SIZE,
          'tweet.fields': ['created_at', 'entities'],
        });
        return timeline.tweets;
      });
      return tweets.map((tweet) => toRemotePost(tweet, handle));
    },
  };
}

function createClientSource(
  options: TwitterPublisherOptions,
  settings: Partial<IClientSettings>,
  onSecret: (value: string) => void,
): ClientSource {
  const credentials = options.credentials;
  if (credentials.kind === 'oauth1') {
    const client = new TwitterApi(
      {
        appKey: credentials.appKey,
        appSecret: credentials.appSecret,
        accessToken: credentials.accessToken,
        accessSecret: credentials.accessSecret,
      },
      settings,
    );
    return { current: () => Promise.resolve(client) };
  }
  return createOAuth2Session({
    clientId: credentials.clientId,
    ...(credentials.clientSecret === undefined ? {} : { clientSecret: credentials.clientSecret }),
    ...(credentials.accessToken === undefined ? {} : { accessToken: credentials.accessToken }),
    refreshToken: credentials.refreshToken,
    tokenStore: credentials.tokenStore,
    settings,
    clock: options.clock,
    logger: options.logger,
    onSecret,
  });
}

function credentialSecrets(credentials: TwitterCredentials): string[] {
  if (credentials.kind === 'oauth1') {
    return [credentials.appKey, credentials.appSecret, credentials.accessToken, credentials.accessSecret];
  }
  const values = [credentials.clientSecret, credentials.accessToken, credentials.refreshToken];
  return values.filter((value): value is string => value !== undefined);
}

/** Whether the failed request went to the OAuth 2.0 token endpoint (its 4xx mean "authorize again"). */
function isTokenEndpoint(error: ApiResponseError): boolean {
  const path: unknown = error.request?.path;
  return typeof path === 'string' && path.includes('/2/oauth2/token');
}

function checkTimeout(timeoutMs: number | undefined): number {
  const value = timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(value) || value <= 0)
    throw new RangeError(`timeoutMs must be a positive number, got ${value}`);
  return value;
}

function parseApiRoot(apiRoot: string): URL {
  let url: URL;
  try {
    url = new URL(apiRoot);
  } catch {
    throw new TypeError(`apiRoot must be an absolute http(s) URL, got "${apiRoot}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`apiRoot must use http or https, got "${url.protocol}"`);
  }
  return url;
}

function statusUrl(handle: string, id: string): string {
  return `https://x.com/${encodeURIComponent(handle)}/status/${id}`;
}

/** X wants RFC 3339 without fractions (YYYY-MM-DDTHH:mm:ssZ). */
function isoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

function toRemotePost(tweet: TweetV2, handle: string): RemotePost {
  return {
    remoteId: tweet.id,
    text: textAsPosted(tweet),
    url: statusUrl(handle, tweet.id),
    ...(tweet.created_at === undefined ? {} : { publishedAt: new Date(tweet.created_at) }),
  };
}

/**
 * X gives a tweet's text back with every link shortened to t.co and `&`, `<`, `>` HTML-escaped.
 * Reconciliation compares with the text we sent, so both are undone: t.co links are replaced by
 * their `expanded_url` from the entities, then the escapes are decoded.
 */
export function textAsPosted(tweet: Pick<TweetV2, 'text' | 'entities'>): string {
  let text = tweet.text;
  for (const link of tweet.entities?.urls ?? []) {
    if (link.url && link.expanded_url) text = text.split(link.url).join(link.expanded_url);
  }
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
