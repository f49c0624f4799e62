import {
  ApiPartialResponseError,
  ApiRequestError,
  ApiResponseError,
  EApiV1ErrorCode,
  type TwitterRateLimit,
} from 'twitter-api-v2';
import { PublishError } from '../../ports/publisher.js';
import { redactSecrets } from '../log/console-logger.js';

export interface TwitterErrorContext {
  /** Clock time of the failure; rate limits without a reset header are counted from it. */
  readonly now: Date;
  /** What we were doing, for the message: "post a tweet", "read the timeline". */
  readonly action: string;
  /** True while refreshing the OAuth 2.0 token: a 4xx there means "authorize again", not bad content. */
  readonly tokenRefresh?: boolean;
  /** Names of the settings that hold the credentials, for the admin hint. */
  readonly credentialNames: readonly string[];
  /** Values that must never reach a message (vendor text is redacted against them). */
  readonly secrets: readonly string[];
  /** Configured timeout, so the message can say how long we waited. */
  readonly timeoutMs?: number;
}

/** X counts most limits in 15-minute windows; used when a 429 arrives without a reset header. */
const DEFAULT_RATE_LIMIT_WINDOW_MS = 15 * 60 * 1000;

/** v1.1 codes that mean "these credentials cannot post", whatever the HTTP status says. */
const V1_AUTH_CODES: readonly number[] = [
  EApiV1ErrorCode.AuthenticationFail,
  EApiV1ErrorCode.InvalidOrExpiredToken,
  EApiV1ErrorCode.UnableToVerifyCredentials,
  EApiV1ErrorCode.AuthTimestampInvalid,
  EApiV1ErrorCode.BadAuthenticationData,
  EApiV1ErrorCode.NoWriteRightForApp,
  EApiV1ErrorCode.YouAreSuspended,
  EApiV1ErrorCode.AccountLocked,
  EApiV1ErrorCode.SuspendedApplication,
];

/**
 * Last path segment (or fragment) of a v2 problem `type` URI that means the app or token may not
 * post: a read-only app, app-only auth on a user endpoint, an app outside a project.
 */
const V2_AUTH_PROBLEMS: readonly string[] = [
  'oauth1-permissions',
  'unsupported-authentication',
  'client-forbidden',
];

/**
 * Turns whatever twitter-api-v2 threw into a PublishError named by its remedy. Decisions come from
 * the structured fields (status, rate-limit headers, v1 error codes, v2 problem types); the vendor's
 * own message is never copied because it may echo request details.
 */
export function classifyTwitterError(error: unknown, context: TwitterErrorContext): PublishError {
  if (error instanceof PublishError) return error;
  if (error instanceof ApiResponseError) return fromResponseError(error, context);
  if (error instanceof ApiPartialResponseError) {
    const status = error.response.statusCode;
    return new PublishError('unavailable', `X: could not ${context.action}: the answer was cut off`, {
      cause: error,
      maybeDelivered: true,
      ...(status === undefined ? {} : { status }),
    });
  }
  if (error instanceof ApiRequestError) {
    return new PublishError(
      'unavailable',
      `X: could not ${context.action}: ${describeRequestError(error, context)}`,
      {
        cause: error,
        // A timeout or a reset may come after X received the tweet; refused connections cannot.
        maybeDelivered: !/ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(describeRequestError(error, context)),
      },
    );
  }
  // Not a vendor error (a bug on our side, a store that threw): retrying with backoff and failing
  // after the attempts run out is the safe default, and the cause keeps the stack.
  return new PublishError('unavailable', `X: could not ${context.action}: unexpected error`, {
    cause: error,
  });
}

function fromResponseError(error: ApiResponseError, context: TwitterErrorContext): PublishError {
  const status = error.code;
  const base = { cause: error, status };
  const what = `X: could not ${context.action}: HTTP ${status}${summary(error, context)}`;
  if (error.rateLimitError) {
    return new PublishError('rate-limited', `${what} (rate limited)`, {
      ...base,
      retryAt: retryAtFromRateLimit(error.rateLimit, context.now),
    });
  }
  if (context.tokenRefresh === true && status >= 400 && status < 500) {
    return new PublishError('auth', `${what} (OAuth 2.0 token refresh refused)`, {
      ...base,
      hint: refreshHint(context.credentialNames),
    });
  }
  if (status === 401 || (status !== 403 && error.isAuthError)) {
    return new PublishError('auth', `${what} (credentials refused)`, {
      ...base,
      hint: unauthorizedHint(context.credentialNames),
    });
  }
  if (status === 403) {
    if (isDuplicateContent(error)) return new PublishError('duplicate', `${what} (duplicate content)`, base);
    if (isAuthForbidden(error)) {
      return new PublishError('auth', `${what} (app or account may not post)`, {
        ...base,
        hint: forbiddenHint(context.credentialNames),
      });
    }
    return new PublishError('rejected', `${what} (refused)`, base);
  }
  if (status >= 500 || status === 408)
    return new PublishError('unavailable', `${what} (server trouble)`, base);
  return new PublishError('rejected', `${what} (refused)`, base);
}

/**
 * When we may try again: the 15-minute window's reset, or, when a 24-hour user or app quota is
 * exhausted too, the later of the resets (waiting for the window alone would just earn another 429).
 */
export function retryAtFromRateLimit(rateLimit: TwitterRateLimit | undefined, now: Date): Date {
  const resets: number[] = [];
  if (rateLimit !== undefined && Number.isFinite(rateLimit.reset) && rateLimit.reset > 0)
    resets.push(rateLimit.reset);
  for (const day of [rateLimit?.userDay, rateLimit?.day]) {
    if (day !== undefined && day.remaining <= 0 && Number.isFinite(day.reset) && day.reset > 0)
      resets.push(day.reset);
  }
  if (resets.length === 0) return new Date(now.getTime() + DEFAULT_RATE_LIMIT_WINDOW_MS);
  return new Date(Math.max(...resets) * 1000);
}

/**
 * Duplicate text. v1.1 says so with error code 187. X API v2 gives no machine-readable marker: its
 * answer is `403 {"type":"about:blank","title":"Forbidden","detail":"You are not allowed to create a
 * Tweet with duplicate content.","status":403}`, and `type`/`title` are shared with unrelated refusals.
 * So, for v2 only, we match the stable phrase "duplicate content" in `detail`, and only on a 403. A miss
 * degrades to `rejected` (an admin looks), never to a retry that could double-post.
 */
export function isDuplicateContent(error: ApiResponseError): boolean {
  if (error.code !== 403) return false;
  if (error.hasErrorCode(EApiV1ErrorCode.DuplicatedTweet)) return true;
  const detail = error.data?.detail;
  return typeof detail === 'string' && /duplicate content/i.test(detail);
}

function isAuthForbidden(error: ApiResponseError): boolean {
  if (error.hasErrorCode(...V1_AUTH_CODES)) return true;
  // X reports the token's access level on every OAuth 1.0a answer; `read` cannot post.
  if (error.headers?.['x-access-level'] === 'read') return true;
  const type = error.data?.type;
  if (typeof type !== 'string') return false;
  const problem = type.split(/[/#]/).pop() ?? '';
  return V2_AUTH_PROBLEMS.includes(problem);
}

/** ` Forbidden: <detail>` from the answer's structured title/detail, secrets redacted, kept short. */
function summary(error: ApiResponseError, context: TwitterErrorContext): string {
  const data = error.data;
  const parts = [data?.title, data?.detail].filter(
    (part): part is string => typeof part === 'string' && part !== '',
  );
  const v1 = (data?.errors ?? []).flatMap((entry) => ('code' in entry ? [`code ${entry.code}`] : []));
  const text = [...parts, ...v1].join(': ');
  if (text === '') return '';
  const short = text.length > 200 ? `${text.slice(0, 199)}…` : text;
  return ` ${redactSecrets(short, context.secrets)}`;
}

function describeRequestError(error: ApiRequestError, context: TwitterErrorContext): string {
  const cause = underlyingError(error);
  const name = cause instanceof Error ? cause.name : '';
  if (name === 'AbortError') return 'the request was aborted; the tweet may or may not exist';
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return `network error ${code}`;
  const wait = context.timeoutMs === undefined ? '' : ` within ${context.timeoutMs} ms`;
  return `no answer${wait} (timeout or connection lost); the tweet may or may not exist`;
}

/**
 * The socket error behind an ApiRequestError. twitter-api-v2 1.29 stores it as `_options.error` but its
 * `requestError` getter reads `_options.requestError`, so the getter is always undefined; read both.
 */
function underlyingError(error: ApiRequestError): unknown {
  const stored = (error as unknown as { _options?: { error?: unknown } })._options?.error;
  return (error.requestError as unknown) ?? stored;
}

function unauthorizedHint(names: readonly string[]): string {
  return (
    `X did not accept the credentials. Check ${names.join(', ')} (they must belong to the posting ` +
    `account), and that the app's permissions are "Read and write"; after changing permissions, ` +
    `regenerate the access token and secret.`
  );
}

function forbiddenHint(names: readonly string[]): string {
  return (
    `The X app or account may not post: set the app's user authentication permissions to "Read and ` +
    `write" in the developer portal, make sure the app belongs to a project with API access, then ` +
    `regenerate the access token and secret and update ${names.join(', ')}.`
  );
}

function refreshHint(names: readonly string[]): string {
  return (
    `X refused to refresh the OAuth 2.0 token: authorize the app again (scopes tweet.read tweet.write ` +
    `users.read offline.access), put the new refresh token in the settings (${names.join(', ')}), and ` +
    `clear the stored tokens so the new one is used.`
  );
}
