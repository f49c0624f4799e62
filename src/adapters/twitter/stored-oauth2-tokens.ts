import { createHash } from 'node:crypto';
import type { Logger } from '../../ports/logger.js';
import type { PostStore } from '../../ports/post-store.js';
import { PublishError } from '../../ports/publisher.js';
import { isSealed, type SecretBox, SecretBoxError } from '../crypto/secret-box.js';
import type { OAuth2TokenStore, OAuth2Tokens } from './create-oauth2-session.js';

/** The part of the store that keeps settings; tokens need nothing else. */
export type SettingsStore = Pick<PostStore, 'getSetting' | 'setSetting'>;

export interface StoredOAuth2TokensOptions {
  readonly settings: SettingsStore;
  readonly channelId: string;
  /**
   * The refresh token from the environment. Its fingerprint is stored with the tokens: when it
   * changes, the account was authorised again, and the new token wins over the stored pair (which
   * may be spent, or sealed with a lost key).
   */
  readonly configuredRefreshToken: string;
  /** Its variable's name (`X_SPORTS_REFRESH_TOKEN`), quoted in what to do. */
  readonly refreshTokenName: string;
  /** Seals what is written (QUOTECAST_SECRET_KEY is set); without it tokens are stored in clear. */
  readonly secretBox?: SecretBox;
  readonly logger: Logger;
  /** Told of every token read or written, so logs and messages can be redacted against it. */
  readonly onSecret?: (value: string) => void;
}

/** The settings key holding a channel's refreshed OAuth 2.0 tokens. */
export function oauth2TokensKey(channelId: string): string {
  return `oauth2-tokens:${channelId}`;
}

/**
 * What the setting holds. `tokens` is sealed (`enc:v1:…`) when a key was set at the time of writing.
 * A value written before this layout is the bare `PlainTokens` object: read as is, rewritten in
 * this layout (sealed when a key is set) the first time it is read.
 */
interface Envelope {
  readonly v: 1;
  /** Fingerprint of the configured refresh token the stored pair descends from. */
  readonly origin: string;
  readonly tokens: string | PlainTokens;
}

interface PlainTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly expiresAt?: string;
}

const KEY_NAME = 'QUOTECAST_SECRET_KEY';

/**
 * Keeps a channel's refreshed X OAuth 2.0 tokens in the store's settings, sealed with AES-256-GCM
 * when a secret box is given. Failures that a restart cannot fix (a sealed value without a key, a
 * wrong key, a damaged value) are `auth` PublishErrors: the channel pauses and an admin is told what
 * to do. Their messages never contain a token.
 */
export function createStoredOAuth2Tokens(options: StoredOAuth2TokensOptions): OAuth2TokenStore {
  const key = oauth2TokensKey(options.channelId);
  const origin = fingerprint(options.configuredRefreshToken);
  const told = (tokens: PlainTokens) => {
    options.onSecret?.(tokens.accessToken);
    options.onSecret?.(tokens.refreshToken);
  };

  async function write(tokens: PlainTokens): Promise<void> {
    const envelope: Envelope = {
      v: 1,
      origin,
      tokens: options.secretBox ? options.secretBox.seal(JSON.stringify(tokens), key) : tokens,
    };
    await options.settings.setSetting(key, JSON.stringify(envelope));
  }

  return {
    async load() {
      const raw = await options.settings.getSetting(key);
      if (raw === undefined) return undefined;
      const stored = parseStored(raw);
      if (stored === undefined) throw unreadable(options, 'damaged');
      if (stored.origin !== undefined && stored.origin !== origin) {
        options.logger.info(
          `${options.refreshTokenName} changed since the stored X OAuth 2.0 tokens were saved: using it instead of them`,
          { channel: options.channelId },
        );
        return undefined;
      }
      const tokens = typeof stored.tokens === 'string' ? unseal(options, stored.tokens, key) : stored.tokens;
      told(tokens);
      if (options.secretBox && typeof stored.tokens !== 'string') {
        // Stored before the key was set: seal it now rather than at the next refresh, hours away.
        try {
          await write(tokens);
          options.logger.info('stored X OAuth 2.0 tokens are now encrypted', { channel: options.channelId });
        } catch (error) {
          options.logger.warn(
            'could not encrypt the stored X OAuth 2.0 tokens; trying again at the next refresh',
            {
              channel: options.channelId,
              error: error instanceof Error ? error.name : 'unknown',
            },
          );
        }
      }
      return {
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        ...(tokens.expiresAt === undefined ? {} : { expiresAt: new Date(tokens.expiresAt) }),
      };
    },

    async save(tokens: OAuth2Tokens) {
      const plain: PlainTokens = {
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        ...(tokens.expiresAt === undefined ? {} : { expiresAt: tokens.expiresAt.toISOString() }),
      };
      told(plain);
      await write(plain);
    },
  };
}

/**
 * For `status`: a warning when X OAuth 2.0 tokens are (or will be) stored without encryption, or
 * undefined when there is nothing to say. `channelIds` are the channels using OAuth 2.0;
 * `encrypting` is whether QUOTECAST_SECRET_KEY is set.
 */
export async function tokenStorageWarning(
  settings: Pick<PostStore, 'getSetting'>,
  channelIds: readonly string[],
  encrypting: boolean,
): Promise<string | undefined> {
  if (channelIds.length === 0) return undefined;
  if (!encrypting) {
    return (
      `X OAuth 2.0 tokens stored without encryption (${plural(channelIds)}): anyone who can read the store ` +
      `can post as the account. Set ${KEY_NAME} (at least 16 characters, e.g. from "openssl rand -base64 32") ` +
      'to have them encrypted'
    );
  }
  const plain: string[] = [];
  for (const id of channelIds) {
    const raw = await settings.getSetting(oauth2TokensKey(id));
    const stored = raw === undefined ? undefined : parseStored(raw);
    if (stored !== undefined && typeof stored.tokens !== 'string') plain.push(id);
  }
  if (plain.length === 0) return undefined;
  return (
    `X OAuth 2.0 tokens stored without encryption (${plural(plain)}), from before ${KEY_NAME} was set: ` +
    'they are encrypted the next time quotecast uses them (the daemon does so at its first X request)'
  );
}

function plural(channelIds: readonly string[]): string {
  return `${channelIds.length === 1 ? 'channel' : 'channels'} ${channelIds.join(', ')}`;
}

/** The envelope, or the legacy bare object (no origin); undefined when it is neither. */
function parseStored(raw: string): { origin?: string; tokens: string | PlainTokens } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (record.v === 1 && typeof record.origin === 'string') {
    if (typeof record.tokens === 'string')
      return isSealed(record.tokens) ? { origin: record.origin, tokens: record.tokens } : undefined;
    const tokens = asPlainTokens(record.tokens);
    return tokens && { origin: record.origin, tokens };
  }
  const legacy = asPlainTokens(value);
  return legacy && { tokens: legacy };
}

function asPlainTokens(value: unknown): PlainTokens | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { accessToken, refreshToken, expiresAt } = value as Record<string, unknown>;
  if (typeof accessToken !== 'string' || typeof refreshToken !== 'string') return undefined;
  if (expiresAt !== undefined && typeof expiresAt !== 'string') return undefined;
  return { accessToken, refreshToken, ...(expiresAt === undefined ? {} : { expiresAt }) };
}

function unseal(options: StoredOAuth2TokensOptions, sealed: string, key: string): PlainTokens {
  if (!options.secretBox) throw unreadable(options, 'no-key');
  let text: string;
  try {
    text = options.secretBox.open(sealed, key);
  } catch (error) {
    if (error instanceof SecretBoxError) throw unreadable(options, error.reason);
    throw error;
  }
  const tokens = parseStored(text)?.tokens;
  if (tokens === undefined || typeof tokens === 'string') throw unreadable(options, 'damaged');
  return tokens;
}

/**
 * Why the stored tokens cannot be used (the message) and the ways out (the hint, which callers show
 * after it); never anything of the tokens.
 */
function unreadable(
  options: StoredOAuth2TokensOptions,
  why: 'no-key' | 'wrong-key' | 'damaged',
): PublishError {
  const what = `X OAuth 2.0 tokens stored for channel ${options.channelId}`;
  const problem = {
    'no-key': `${what} are encrypted, but ${KEY_NAME} is not set`,
    'wrong-key': `${what} were encrypted with a different ${KEY_NAME} than the one set now`,
    damaged: `${what} cannot be read: the stored value is damaged or was changed`,
  }[why];
  const reauthorise =
    `authorise the account again and put the new refresh token in ${options.refreshTokenName} ` +
    '(quotecast then replaces the stored tokens); then restart';
  const hint =
    why === 'damaged'
      ? `${reauthorise[0]?.toUpperCase()}${reauthorise.slice(1)}`
      : `Set ${KEY_NAME} to the key they were saved with, or ${reauthorise}`;
  return new PublishError('auth', problem, { hint });
}

/** Refresh tokens are long random strings, so a truncated SHA-256 tells them apart and reveals nothing. */
function fingerprint(refreshToken: string): string {
  return `sha256:${createHash('sha256').update(refreshToken, 'utf8').digest('hex').slice(0, 32)}`;
}
