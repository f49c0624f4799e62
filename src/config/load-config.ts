import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import {
  type ChannelSettings,
  feedReferenceProblems,
  OPS_HOST,
  OPS_HOST_EXPECTED,
  type Settings,
  settingsSchema,
  type TelegramChannelSettings,
  type TwitterChannelSettings,
} from './config-schema.js';

/** Where a channel's posts go: its real account, or the console/outbox when it has no credentials. */
export type ChannelCredentials =
  | { readonly kind: 'console'; readonly why: string }
  | {
      readonly kind: 'twitter-oauth1';
      readonly appKey: string;
      readonly appSecret: string;
      readonly accessToken: string;
      readonly accessSecret: string;
    }
  | {
      readonly kind: 'twitter-oauth2';
      readonly clientId: string;
      readonly clientSecret?: string;
      readonly refreshToken: string;
      readonly accessToken?: string;
    }
  | { readonly kind: 'telegram'; readonly token: string };

export type ResolvedChannel = (TwitterChannelSettings | TelegramChannelSettings) & {
  /** The channel's own time zone, or the global one. */
  readonly zone: string;
  readonly auth: ChannelCredentials;
};

export interface Config {
  readonly settings: Settings;
  readonly channels: readonly ResolvedChannel[];
  /** Telegram user ids allowed to run admin commands (TELEGRAM_ADMIN_IDS). */
  readonly adminIds: readonly number[];
  /** Token of the admin bot (the first Telegram token configured), if any. */
  readonly botToken: string | undefined;
  readonly apiRoots: { readonly twitter?: string; readonly telegram?: string };
  /** Every secret value, so loggers can redact them. */
  readonly secrets: readonly string[];
  /**
   * QUOTECAST_SECRET_KEY: seals the OAuth 2.0 tokens kept in the store (AES-256-GCM). Unset, they are
   * stored readable and `status` says so.
   */
  readonly secretKey: string | undefined;
  readonly configPath: string;
  readonly dryRun: boolean;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** LOG_FORMAT: `text` (default), readable lines; `json`, one JSON object per line for collectors. */
  readonly logFormat: 'text' | 'json';
  /** Things worth saying at start-up that are not errors (channels falling back to the console). */
  readonly notices: readonly string[];
  /**
   * Where `start` serves /healthz and /metrics: `ops.port` and `ops.host`, QUOTECAST_OPS_PORT and
   * QUOTECAST_OPS_HOST winning (a container sets them); undefined when no port is set (opt-in).
   */
  readonly ops: OpsEndpoint | undefined;
}

export interface OpsEndpoint {
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
}

export type ConfigOutcome =
  | { readonly ok: true; readonly config: Config }
  | { readonly ok: false; readonly problems: readonly string[] };

export interface LoadConfigOptions {
  /** The environment; defaults to process.env merged with `.env` in `cwd` (the environment wins). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  /**
   * Explicit settings file; else QUOTECAST_CONFIG, else config/quotecast.yaml, else config/default.yaml
   * (under `cwd`), else `embeddedDefaults`.
   */
  readonly configPath?: string;
  /**
   * The settings an installed quotecast falls back to when `cwd` has no config/ folder: the
   * package's own config/default.yaml, so `quotecast split` works from any folder.
   */
  readonly embeddedDefaults?: string;
  /** Settings to use instead of reading a file (tests). */
  readonly settings?: unknown;
}

function defaultSettingsFile(cwd: string, embedded: string | undefined): string {
  if (existsSync(path.join(cwd, 'config/quotecast.yaml'))) return 'config/quotecast.yaml';
  if (embedded === undefined || existsSync(path.join(cwd, 'config/default.yaml')))
    return 'config/default.yaml';
  return embedded;
}

/**
 * Reads and validates the settings file and the environment together and reports every problem at
 * once, each with the key's name and what is expected. The only module that reads process.env.
 */
export function loadConfig(options: LoadConfigOptions = {}): ConfigOutcome {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? readEnvironment(cwd);
  const problems: string[] = [];

  const configPath = path.resolve(
    cwd,
    options.configPath ?? env.QUOTECAST_CONFIG ?? defaultSettingsFile(cwd, options.embeddedDefaults),
  );
  let raw: unknown = options.settings;
  if (raw === undefined) {
    try {
      raw = parseYaml(readFileSync(configPath, 'utf8'));
    } catch (error) {
      const reason =
        (error as NodeJS.ErrnoException).code === 'ENOENT'
          ? 'file not found'
          : (error as Error).message.split('\n')[0];
      return {
        ok: false,
        problems: [
          `${configPath}: cannot read settings (${reason}); set QUOTECAST_CONFIG to a YAML settings file`,
        ],
      };
    }
  }
  const parsed = settingsSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    problems.push(...formatIssues(parsed.error.issues, configPath));
    // The schema's cross-channel check only runs on otherwise valid input; say this one anyway.
    problems.push(...duplicateChannelIds(raw, configPath, parsed.error.issues));
    problems.push(...feedReferences(raw, configPath).filter((p) => !problems.includes(p)));
  }

  const adminIds = parseAdminIds(env.TELEGRAM_ADMIN_IDS, problems);
  const adminBotToken = env.TELEGRAM_BOT_TOKEN?.trim();
  if (adminBotToken && !BOT_TOKEN.test(adminBotToken)) {
    problems.push('TELEGRAM_BOT_TOKEN: does not look like a bot token ("123456:ABC…" from @BotFather)');
  }
  const apiRoots = {
    ...optionalUrl('TWITTER_API_ROOT', env.TWITTER_API_ROOT, problems, 'twitter'),
    ...optionalUrl('TELEGRAM_API_ROOT', env.TELEGRAM_API_ROOT, problems, 'telegram'),
  };
  const logLevel = (env.LOG_LEVEL ?? 'info').toLowerCase();
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel))
    problems.push(`LOG_LEVEL: "${env.LOG_LEVEL}" is not one of debug, info, warn, error`);
  const logFormat = (env.LOG_FORMAT?.trim() || 'text').toLowerCase();
  if (logFormat !== 'text' && logFormat !== 'json')
    problems.push(`LOG_FORMAT: "${env.LOG_FORMAT}" is not one of text (the default), json`);
  const opsPort = parseOpsPort(env.QUOTECAST_OPS_PORT, problems);
  const opsHost = env.QUOTECAST_OPS_HOST?.trim() || undefined;
  if (opsHost !== undefined && !OPS_HOST.test(opsHost))
    problems.push(`QUOTECAST_OPS_HOST: "${env.QUOTECAST_OPS_HOST}": ${OPS_HOST_EXPECTED}`);
  const dryRun = /^(1|true|yes)$/i.test(env.QUOTECAST_DRY_RUN ?? '');
  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\/./.test(databaseUrl))
    problems.push(
      'DATABASE_URL: not a PostgreSQL URL; use postgres://user:password@host:5432/database, or unset it to keep the SQLite store',
    );
  const secretKey = env.QUOTECAST_SECRET_KEY?.trim() || undefined;
  if (secretKey !== undefined && secretKey.length < 16)
    problems.push(
      `QUOTECAST_SECRET_KEY: too short (${secretKey.length} characters); use at least 16, for example the output of "openssl rand -base64 32"`,
    );

  const channels: ResolvedChannel[] = [];
  const notices: string[] = [];
  const secrets = new Set<string>();
  if (parsed.success) {
    for (const channel of parsed.data.channels) {
      const auth = dryRun
        ? ({ kind: 'console', why: 'QUOTECAST_DRY_RUN is set' } as const)
        : resolveCredentials(channel, env, problems);
      if (auth.kind === 'console')
        notices.push(
          `channel ${channel.id}: no ${channel.platform} credentials (${auth.why}): posts go to the console and the outbox, not to ${channel.platform}`,
        );
      for (const [key, value] of Object.entries(auth))
        if (key !== 'kind' && key !== 'why' && typeof value === 'string') secrets.add(value);
      channels.push({ ...channel, zone: channel.timezone ?? parsed.data.timezone, auth });
    }
  }
  if (problems.length > 0 || !parsed.success) return { ok: false, problems };

  const botToken =
    channels.map((c) => c.auth).find((a) => a.kind === 'telegram')?.token ?? env.TELEGRAM_BOT_TOKEN?.trim();
  if (botToken) secrets.add(botToken);
  if (secretKey) secrets.add(secretKey);
  const store = { ...parsed.data.store, ...(databaseUrl ? { url: databaseUrl } : {}) };
  const password = store.url ? urlPassword(store.url) : undefined;
  if (password) secrets.add(password);
  const config: Config = {
    settings: { ...parsed.data, store },
    channels,
    adminIds,
    botToken: dryRun ? undefined : botToken || undefined,
    apiRoots,
    secrets: [...secrets],
    secretKey,
    configPath,
    dryRun,
    logLevel: logLevel as Config['logLevel'],
    logFormat: logFormat as Config['logFormat'],
    notices,
    ops: opsEndpoint(parsed.data.ops, { port: opsPort, host: opsHost }),
  };
  return { ok: true, config: deepFreeze(config) };
}

function duplicateChannelIds(raw: unknown, file: string, issues: readonly z.core.$ZodIssue[]): string[] {
  const channels = (raw as { channels?: unknown } | null)?.channels;
  if (!Array.isArray(channels)) return [];
  const seen = new Set<unknown>();
  const out: string[] = [];
  channels.forEach((c, i) => {
    const id = (c as { id?: unknown } | null)?.id;
    if (typeof id !== 'string') return;
    const already = issues.some(
      (issue) => issue.path.join('.') === `channels.${i}.id` && /duplicate/.test(issue.message),
    );
    if (seen.has(id) && !already)
      out.push(`${path.basename(file)}: channels[${i}].id: duplicate channel id "${id}"; ids must be unique`);
    seen.add(id);
  });
  return out;
}

/** Feeds naming unknown channels, said even when something else is wrong (the schema's check is not run then). */
function feedReferences(raw: unknown, file: string): string[] {
  const { channels, feeds } = (raw ?? {}) as { channels?: unknown; feeds?: unknown };
  if (!Array.isArray(feeds)) return [];
  const ids = Array.isArray(channels)
    ? channels
        .map((c) => (c as { id?: unknown } | null)?.id)
        .filter((id): id is string => typeof id === 'string')
    : [];
  return formatIssues(
    feedReferenceProblems(ids, feeds).map((p) => ({ code: 'custom', input: undefined, ...p })),
    file,
  );
}

function readEnvironment(cwd: string): Record<string, string | undefined> {
  const file = path.join(cwd, '.env');
  const fromFile = existsSync(file) ? dotenv.parse(readFileSync(file)) : {};
  return { ...fromFile, ...process.env };
}

const BOT_TOKEN = /^\d+:[\w-]{20,}$/;

/** TELEGRAM_BOT_TOKEN is checked once, on its own (a channel using it should not repeat the problem). */
function adminToken(env: Readonly<Record<string, string | undefined>>): string | undefined {
  return env.TELEGRAM_BOT_TOKEN?.trim() || undefined;
}

const TWITTER_OAUTH1 = ['APP_KEY', 'APP_SECRET', 'ACCESS_TOKEN', 'ACCESS_SECRET'] as const;

function resolveCredentials(
  channel: ChannelSettings,
  env: Readonly<Record<string, string | undefined>>,
  problems: string[],
): ChannelCredentials {
  const prefix = channel.credentials;
  const get = (name: string) => env[`${prefix}_${name}`]?.trim() || undefined;
  if (channel.platform === 'telegram') {
    const token = get('BOT_TOKEN');
    if (!token) return { kind: 'console', why: `${prefix}_BOT_TOKEN is not set` };
    if (!BOT_TOKEN.test(token) && !(prefix === 'TELEGRAM' && token === adminToken(env))) {
      problems.push(
        `${prefix}_BOT_TOKEN (channel ${channel.id}): does not look like a bot token ("123456:ABC…" from @BotFather)`,
      );
    }
    return { kind: 'telegram', token };
  }
  const oauth1 = TWITTER_OAUTH1.map((name) => [name, get(name)] as const);
  const clientId = get('CLIENT_ID');
  const refreshToken = get('REFRESH_TOKEN');
  if (clientId || refreshToken) {
    if (!clientId || !refreshToken) {
      problems.push(
        `channel ${channel.id}: OAuth 2.0 needs both ${prefix}_CLIENT_ID and ${prefix}_REFRESH_TOKEN; ${clientId ? `${prefix}_REFRESH_TOKEN` : `${prefix}_CLIENT_ID`} is missing`,
      );
      return { kind: 'console', why: 'incomplete credentials' };
    }
    const clientSecret = get('CLIENT_SECRET');
    const accessToken = get('OAUTH2_ACCESS_TOKEN');
    return {
      kind: 'twitter-oauth2',
      clientId,
      refreshToken,
      ...(clientSecret ? { clientSecret } : {}),
      ...(accessToken ? { accessToken } : {}),
    };
  }
  const present = oauth1.filter(([, v]) => v);
  if (present.length === 0) return { kind: 'console', why: `${prefix}_APP_KEY and friends are not set` };
  if (present.length < oauth1.length) {
    const missing = oauth1.filter(([, v]) => !v).map(([k]) => `${prefix}_${k}`);
    problems.push(`channel ${channel.id}: OAuth 1.0a needs four keys; missing ${missing.join(', ')}`);
    return { kind: 'console', why: 'incomplete credentials' };
  }
  const [appKey, appSecret, accessToken, accessSecret] = oauth1.map(([, v]) => v as string) as [
    string,
    string,
    string,
    string,
  ];
  return { kind: 'twitter-oauth1', appKey, appSecret, accessToken, accessSecret };
}

function parseAdminIds(raw: string | undefined, problems: string[]): number[] {
  if (!raw?.trim()) return [];
  const ids: number[] = [];
  for (const part of raw.split(/[\s,]+/).filter(Boolean)) {
    if (/^\d{1,15}$/.test(part)) ids.push(Number(part));
    else
      problems.push(
        `TELEGRAM_ADMIN_IDS: "${part}" is not a numeric Telegram user id (ask @userinfobot for yours); separate ids with commas`,
      );
  }
  return ids;
}

function parseOpsPort(raw: string | undefined, problems: string[]): number | undefined {
  if (!raw?.trim()) return undefined;
  const port = /^\d{1,5}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (port >= 0 && port <= 65535) return port;
  problems.push(
    `QUOTECAST_OPS_PORT: "${raw}" is not a port number; use 1-65535 (0: any free port), or unset it to keep ops.port from the settings`,
  );
  return undefined;
}

/** The settings' `ops` section with the environment on top; undefined: the endpoints are off. */
function opsEndpoint(
  ops: Settings['ops'],
  env: { port: number | undefined; host: string | undefined },
): OpsEndpoint | undefined {
  const port = env.port ?? ops.port;
  return port === undefined ? undefined : { host: env.host ?? ops.host, port };
}

function optionalUrl(
  key: string,
  value: string | undefined,
  problems: string[],
  field: 'twitter' | 'telegram',
): Partial<Record<'twitter' | 'telegram', string>> {
  if (!value?.trim()) return {};
  try {
    const url = new URL(value.trim());
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
    return { [field]: value.trim().replace(/\/+$/, '') };
  } catch {
    problems.push(`${key}: "${value}" is not an http(s) URL such as http://127.0.0.1:8788`);
    return {};
  }
}

/** `channels[0].schedule: not a valid cron expression …` for each issue. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], file: string): string[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map(
        (key) =>
          `${path.basename(file)}: ${keyName([...issue.path, key])}: unknown key (a typo?); see config/default.yaml for the keys this level takes`,
      );
    }
    return [`${path.basename(file)}: ${keyName(issue.path) || '(top level)'}: ${issue.message}`];
  });
}

function keyName(parts: readonly PropertyKey[]): string {
  return parts.reduce<string>(
    (acc, part) =>
      typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part),
    '',
  );
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** The password in a database URL (percent-decoded, as the server gets it), so logs redact it. */
function urlPassword(url: string): string | undefined {
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password || undefined;
  } catch {
    return undefined;
  }
}
