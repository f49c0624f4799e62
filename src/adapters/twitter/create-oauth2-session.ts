import { type IClientSettings, TwitterApi } from 'twitter-api-v2';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';

/** OAuth 2.0 user tokens as persisted between runs. */
export interface OAuth2Tokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** When the access token stops working; unknown for tokens pasted into the config. */
  readonly expiresAt?: Date;
}

/**
 * Where refreshed tokens live. X refresh tokens are single-use: once refreshed, the configured one is
 * dead, so the new pair must survive a restart (the SQLite settings table is the intended home).
 */
export interface OAuth2TokenStore {
  load(): Promise<OAuth2Tokens | undefined>;
  save(tokens: OAuth2Tokens): Promise<void>;
}

export interface OAuth2SessionOptions {
  readonly clientId: string;
  readonly clientSecret?: string;
  /** From the config; used only until the store holds something. */
  readonly accessToken?: string;
  readonly refreshToken: string;
  readonly tokenStore: OAuth2TokenStore;
  readonly settings: Partial<IClientSettings>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Told about every token we obtain, so messages and logs can be redacted against it. */
  readonly onSecret: (value: string) => void;
}

export interface OAuth2Session {
  /** A client with an access token that is valid as far as we know; refreshes first when needed. */
  current(): Promise<TwitterApi>;
  /** Called after X answered 401 to `failed`: refreshes once, however many callers saw the 401. */
  refreshAfter(failed: TwitterApi): Promise<TwitterApi>;
}

/** Refresh a little early so a token does not expire between the check and the request. */
const EXPIRY_MARGIN_MS = 60_000;

interface TokenState {
  readonly accessToken?: string;
  readonly refreshToken: string;
  readonly expiresAt?: Date;
}

/**
 * Keeps an OAuth 2.0 user client fresh: refreshes when the token is missing or expired (or X says 401),
 * saves the new pair through the store, and shares one refresh among concurrent callers.
 * Errors from the token endpoint propagate unclassified; the publisher names them.
 */
export function createOAuth2Session(options: OAuth2SessionOptions): OAuth2Session {
  let tokens: TokenState | undefined;
  let client: TwitterApi | undefined;
  let refreshing: Promise<TwitterApi> | undefined;

  async function known(): Promise<TokenState> {
    if (tokens === undefined) {
      // The store wins over the config: after the first refresh the configured refresh token is spent.
      const stored = await options.tokenStore.load();
      tokens = stored ?? {
        refreshToken: options.refreshToken,
        ...(options.accessToken === undefined ? {} : { accessToken: options.accessToken }),
      };
      for (const value of [tokens.accessToken, tokens.refreshToken])
        if (value !== undefined) options.onSecret(value);
    }
    return tokens;
  }

  function expired(state: TokenState): boolean {
    if (state.expiresAt === undefined) return false;
    return state.expiresAt.getTime() - EXPIRY_MARGIN_MS <= options.clock.now().getTime();
  }

  async function current(): Promise<TwitterApi> {
    const state = await known();
    if (refreshing !== undefined) return refreshing;
    if (state.accessToken === undefined || expired(state)) return refresh();
    client ??= new TwitterApi(state.accessToken, options.settings);
    return client;
  }

  function refreshAfter(failed: TwitterApi): Promise<TwitterApi> {
    // Someone else already replaced the client that got the 401: use theirs.
    if (client !== undefined && client !== failed) return Promise.resolve(client);
    return refresh();
  }

  function refresh(): Promise<TwitterApi> {
    refreshing ??= exchange().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  }

  async function exchange(): Promise<TwitterApi> {
    const state = await known();
    const app = new TwitterApi(
      {
        clientId: options.clientId,
        ...(options.clientSecret === undefined ? {} : { clientSecret: options.clientSecret }),
      },
      options.settings,
    );
    const result = await app.refreshOAuth2Token(state.refreshToken);
    const expiresAt = new Date(options.clock.now().getTime() + result.expiresIn * 1000);
    const next: OAuth2Tokens = {
      accessToken: result.accessToken,
      // X always rotates it with offline.access; keep the old one if a server ever does not.
      refreshToken: result.refreshToken ?? state.refreshToken,
      expiresAt,
    };
    options.onSecret(next.accessToken);
    options.onSecret(next.refreshToken);
    tokens = next;
    client = result.client;
    await persist(next);
    options.logger.info('X OAuth 2.0 access token refreshed', { expiresAt: expiresAt.toISOString() });
    return result.client;
  }

  async function persist(next: OAuth2Tokens): Promise<void> {
    try {
      await options.tokenStore.save(next);
    } catch (error) {
      // The new tokens still work in memory; only a restart would lose them, so keep posting.
      options.logger.error(
        'could not save the refreshed X OAuth 2.0 tokens; after a restart X may ask to authorize again',
        {
          error: error instanceof Error ? error.name : 'unknown',
        },
      );
    }
  }

  return { current, refreshAfter };
}
