import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Config, type LoadConfigOptions, loadConfig } from '../../src/config/load-config.js';
import { DEFAULT_BOILERPLATE_RULES } from '../../src/domain/boilerplate.js';
import { repoRoot } from '../fixtures/fixtures.js';

const workDir = mkdtempSync(path.join(tmpdir(), 'quotecast-config-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const X = { id: 'x-main', platform: 'twitter' };
const TG = { id: 'tg-news', platform: 'telegram', chat: '@coastal_news' };
const BOT_TOKEN = '123456789:AAExampleTokenForTests0000000000';
const OAUTH1 = {
  TWITTER_APP_KEY: 'app-key-1',
  TWITTER_APP_SECRET: 'app-secret-2',
  TWITTER_ACCESS_TOKEN: 'access-token-3',
  TWITTER_ACCESS_SECRET: 'access-secret-4',
};

function load(settings: unknown, env: Record<string, string> = {}, extra: Partial<LoadConfigOptions> = {}) {
  return loadConfig({ settings, env, cwd: workDir, ...extra });
}

function configOf(settings: unknown, env: Record<string, string> = {}): Config {
  const outcome = load(settings, env);
  if (!outcome.ok) throw new Error(`expected a valid config:\n${outcome.problems.join('\n')}`);
  return outcome.config;
}

function problemsOf(settings: unknown, env: Record<string, string> = {}): readonly string[] {
  const outcome = load(settings, env);
  if (outcome.ok) throw new Error('expected configuration problems');
  return outcome.problems;
}

/** One problem that names `key`, and what it says. */
function problemAbout(settings: unknown, key: string, env: Record<string, string> = {}): string {
  const found = problemsOf(settings, env).filter((p) => p.includes(`${key}:`));
  expect(found, `no problem names ${key}`).toHaveLength(1);
  return found[0]!;
}

describe('defaults', () => {
  const config = configOf({ channels: [X, TG] });
  const [x, tg] = config.channels;

  it('fill every global setting', () => {
    expect(config.settings).toMatchObject({
      timezone: 'UTC',
      store: { path: './data/quotecast.db' },
      outbox: { path: './data/outbox.jsonl' },
      input: { maxBytes: 5 * 1024 * 1024, fetchTimeoutMs: 15_000 },
      retry: { maxAttempts: 5, baseDelaySeconds: 30, maxDelaySeconds: 3600 },
      publishTimeoutMs: 15_000,
      telegramBot: { requireApproval: true, alertChatIds: [] },
      boilerplate: DEFAULT_BOILERPLATE_RULES,
    });
    expect(config.settings.publication).toBeUndefined();
    expect(config.logLevel).toBe('info');
    expect(config.dryRun).toBe(false);
    expect(config.adminIds).toEqual([]);
    expect(config.apiRoots).toEqual({});
  });

  it('fill every channel setting, per platform', () => {
    expect(x).toMatchObject({
      mode: 'quotes',
      schedule: '0 9,13,17 * * *',
      zone: 'UTC',
      targetLength: 280,
      quotesPerArticle: 5,
      dailyCap: 17,
      randomDelaySeconds: 0,
      hashtags: [],
      credentials: 'TWITTER',
      enabled: true,
      templates: {
        quote: '“{text}”[ — {speaker}][ {url}]',
        thread: {
          first: '[{title}\n\n]{text}\n\n{n}/{total}',
          middle: '{text}\n\n{n}/{total}',
          last: '{text}\n\n{n}/{total}[\n{url}][\n{hashtags}]',
          only: '[{title}\n\n]{text}[\n\n{url}][\n{hashtags}]',
        },
      },
    });
    expect(tg).toMatchObject({
      targetLength: 600,
      dailyCap: 50,
      credentials: 'TELEGRAM',
      linkPreview: false,
      silent: false,
    });
  });

  it('a channel time zone overrides the global one', () => {
    const c = configOf({ timezone: 'Europe/Lisbon', channels: [X, { ...TG, timezone: 'Asia/Tokyo' }] });
    expect(c.channels.map((ch) => ch.zone)).toEqual(['Europe/Lisbon', 'Asia/Tokyo']);
  });

  it('the shipped config/default.yaml and config/newsroom.example.yaml are valid', () => {
    for (const file of ['config/default.yaml', 'config/newsroom.example.yaml']) {
      const outcome = loadConfig({ cwd: repoRoot, env: {}, configPath: file });
      expect(outcome.ok, outcome.ok ? '' : outcome.problems.join('\n')).toBe(true);
    }
  });
});

describe('every setting error names its key', () => {
  it.each([
    ['timezone', { timezone: 'Mars/Olympus', channels: [X] }, /unknown IANA time zone/],
    ['channels[0].timezone', { channels: [{ ...X, timezone: 'Europe/Londn' }] }, /IANA/],
    [
      'channels[0].schedule',
      { channels: [{ ...X, schedule: 'every day at nine' }] },
      /not a valid cron expression/,
    ],
    ['channels[0].schedule', { channels: [{ ...X, schedule: '61 * * * *' }] }, /cron/],
    // Valid syntax, but the 31st of February never comes: refused, as the daemon would never fire it.
    [
      'channels[0].schedule',
      { channels: [{ ...X, schedule: '0 9 31 2 *' }] },
      /"0 9 31 2 \*" is not a valid cron expression \(no date ever matches it\)/,
    ],
    ['channels[0].schedule', { channels: [{ ...X, schedule: '0 0 9 * * * 2030' }] }, /7 fields/],
    [
      'channels[0].targetLength',
      { channels: [{ ...X, targetLength: 300 }] },
      /above the twitter limit of 280/,
    ],
    [
      'channels[0].targetLength',
      { channels: [{ ...TG, targetLength: 5000 }] },
      /above the telegram limit of 4096/,
    ],
    ['channels[0].targetLength', { channels: [{ ...X, targetLength: 0 }] }, /./],
    ['channels[0].targetLength', { channels: [{ ...X, targetLength: 100.5 }] }, /./],
    ['channels[1].id', { channels: [X, { ...TG, id: 'x-main' }] }, /duplicate channel id "x-main"/],
    ['channels[0].id', { channels: [{ ...X, id: 'X Main!' }] }, /lower-case letters/],
    ['channels[0].platform', { channels: [{ ...X, platform: 'mastodon' }] }, /"twitter" or "telegram"/],
    ['channels[0].chat', { channels: [{ ...TG, chat: undefined }] }, /needs chat/],
    ['channels[0].chat', { channels: [{ ...TG, chat: 'news channel' }] }, /@channelname/],
    ['channels[0].handle', { channels: [{ ...X, handle: '@this_handle_is_too_long' }] }, /X handle/],
    ['channels[0].mode', { channels: [{ ...X, mode: 'poem' }] }, /./],
    ['channels[0].quotesPerArticle', { channels: [{ ...X, quotesPerArticle: 0 }] }, /./],
    ['channels[0].dailyCap', { channels: [{ ...X, dailyCap: 0 }] }, /./],
    ['channels[0].randomDelaySeconds', { channels: [{ ...X, randomDelaySeconds: 7200 }] }, /./],
    [
      'channels[0].quietHours.start',
      { channels: [{ ...X, quietHours: { start: '25:00', end: '07:00' } }] },
      /HH:MM/,
    ],
    ['channels[0].hashtags[0]', { channels: [{ ...X, hashtags: ['news'] }] }, /starts with #/],
    ['channels[0].credentials', { channels: [{ ...X, credentials: 'lower_case' }] }, /upper-case/],
    ['channels[0].enabled', { channels: [{ ...X, enabled: 'yes' }] }, /./],
    [
      'channels[0].templates.quote',
      { channels: [{ ...X, templates: { quote: '{text} by {writer}' } }] },
      /unknown placeholder \{writer\}/,
    ],
    [
      'channels[0].templates.quote',
      { channels: [{ ...X, templates: { quote: '— {author}' } }] },
      /must contain \{text\}/,
    ],
    [
      'channels[0].templates.thread.last',
      { channels: [{ ...X, templates: { thread: { last: '[{text}]' } } }] },
      /optional/,
    ],
    ['channels[0].targetLenght', { channels: [{ ...X, targetLenght: 200 }] }, /unknown key/],
    ['retry.maxAttemps', { retry: { maxAttemps: 3 }, channels: [X] }, /unknown key/],
    ['channels', { channels: [] }, /at least one channel/],
    ['channels', {}, /at least one channel/],
    ['store.path', { store: { path: '' }, channels: [X] }, /./],
    ['input.maxBytes', { input: { maxBytes: 10 }, channels: [X] }, /./],
    ['input.fetchTimeoutMs', { input: { fetchTimeoutMs: 10 }, channels: [X] }, /./],
    [
      'boilerplate.promoPatterns[1]',
      { boilerplate: { promoPatterns: ['ok', '(unclosed'] }, channels: [X] },
      /not a valid regular expression/,
    ],
    [
      'boilerplate.bylinePatterns[0]',
      { boilerplate: { bylinePatterns: ['[z-a]'] }, channels: [X] },
      /regular expression/,
    ],
    ['boilerplate.tailParagraphs', { boilerplate: { tailParagraphs: 50 }, channels: [X] }, /./],
    ['retry.maxAttempts', { retry: { maxAttempts: 0 }, channels: [X] }, /./],
    ['retry.baseDelaySeconds', { retry: { baseDelaySeconds: 0 }, channels: [X] }, /./],
    ['publishTimeoutMs', { publishTimeoutMs: 1, channels: [X] }, /./],
    ['telegramBot.alertChatIds[0]', { telegramBot: { alertChatIds: ['general'] }, channels: [X] }, /./],
  ])('%s', (key, settings, message) => {
    expect(problemAbout(settings, key)).toMatch(message);
  });

  it('reports every problem at once, each with its key', () => {
    const problems = problemsOf({
      timezone: 'Mars/Olympus',
      channels: [
        { ...X, schedule: 'every day at nine', targetLength: 300 },
        { ...TG, id: 'x-main', timezone: 'Europe/Londn' },
      ],
    });
    for (const key of [
      'timezone',
      'channels[0].schedule',
      'channels[0].targetLength',
      'channels[1].id',
      'channels[1].timezone',
    ]) {
      expect(
        problems.some((p) => p.includes(`${key}:`)),
        key,
      ).toBe(true);
    }
    expect(problems).toHaveLength(5);
  });

  it('a settings file that is not a mapping', () => {
    expect(problemsOf('just a string')[0]).toMatch(/top level/);
  });
});

describe('the settings file', () => {
  const yamlDir = path.join(workDir, 'yaml');
  mkdirSync(path.join(yamlDir, 'config'), { recursive: true });
  writeFileSync(
    path.join(yamlDir, 'config/default.yaml'),
    'channels:\n  - id: from-default\n    platform: twitter\n',
  );
  writeFileSync(path.join(yamlDir, 'custom.yaml'), 'channels:\n  - id: from-custom\n    platform: twitter\n');
  writeFileSync(path.join(yamlDir, 'broken.yaml'), 'channels: [unclosed\n');

  it('is config/default.yaml by default, QUOTECAST_CONFIG when set (relative to cwd), config/quotecast.yaml when present', () => {
    const ids = (env: Record<string, string>) => {
      const outcome = loadConfig({ cwd: yamlDir, env });
      if (!outcome.ok) throw new Error(outcome.problems.join('\n'));
      return outcome.config.channels.map((c) => c.id);
    };
    expect(ids({})).toEqual(['from-default']);
    expect(ids({ QUOTECAST_CONFIG: 'custom.yaml' })).toEqual(['from-custom']);
    writeFileSync(
      path.join(yamlDir, 'config/quotecast.yaml'),
      'channels:\n  - id: from-quotecast\n    platform: twitter\n',
    );
    expect(ids({})).toEqual(['from-quotecast']);
    expect(ids({ QUOTECAST_CONFIG: 'custom.yaml' })).toEqual(['from-custom']);
  });

  it('a missing or unparsable file is one problem naming the file', () => {
    const missing = loadConfig({ cwd: yamlDir, env: { QUOTECAST_CONFIG: 'nope.yaml' } });
    expect(missing).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/nope\.yaml.*file not found.*QUOTECAST_CONFIG/)],
    });
    const broken = loadConfig({ cwd: yamlDir, env: { QUOTECAST_CONFIG: 'broken.yaml' } });
    expect(broken).toMatchObject({ ok: false, problems: [expect.stringContaining('broken.yaml')] });
  });
});

describe('credentials', () => {
  it('without keys a channel falls back to the console, and says why', () => {
    const config = configOf({ channels: [X, TG] });
    expect(config.channels.map((c) => c.auth.kind)).toEqual(['console', 'console']);
    expect(config.notices.join('\n')).toMatch(
      /x-main: no twitter credentials \(TWITTER_APP_KEY and friends are not set\)/,
    );
    expect(config.notices.join('\n')).toMatch(
      /tg-news: no telegram credentials \(TELEGRAM_BOT_TOKEN is not set\)/,
    );
    expect(config.botToken).toBeUndefined();
    expect(config.secrets).toEqual([]);
  });

  it('OAuth 1.0a with all four keys', () => {
    expect(configOf({ channels: [X] }, OAUTH1).channels[0]!.auth).toEqual({
      kind: 'twitter-oauth1',
      appKey: 'app-key-1',
      appSecret: 'app-secret-2',
      accessToken: 'access-token-3',
      accessSecret: 'access-secret-4',
    });
  });

  it('partial OAuth 1.0a keys are a problem that names the missing ones', () => {
    const [problem] = problemsOf({ channels: [X] }, { TWITTER_APP_KEY: 'k', TWITTER_ACCESS_TOKEN: 't' });
    expect(problem).toMatch(/x-main/);
    expect(problem).toMatch(/missing TWITTER_APP_SECRET, TWITTER_ACCESS_SECRET$/);
    expect(problem).not.toMatch(/TWITTER_APP_KEY|TWITTER_ACCESS_TOKEN,/);
  });

  it('a channel reads its own prefix', () => {
    const prefixed = Object.fromEntries(
      Object.entries(OAUTH1).map(([k, v]) => [k.replace('TWITTER', 'X_SPORTS'), `${v}-s`]),
    );
    const config = configOf(
      { channels: [X, { ...X, id: 'x-sports', credentials: 'X_SPORTS' }] },
      { ...OAUTH1, ...prefixed },
    );
    expect(config.channels[1]!.auth).toMatchObject({ kind: 'twitter-oauth1', appKey: 'app-key-1-s' });
  });

  it('OAuth 2.0 with a client id and refresh token (secret and access token optional)', () => {
    expect(
      configOf({ channels: [X] }, { TWITTER_CLIENT_ID: 'cid', TWITTER_REFRESH_TOKEN: 'rt' }).channels[0]!
        .auth,
    ).toEqual({
      kind: 'twitter-oauth2',
      clientId: 'cid',
      refreshToken: 'rt',
    });
    const full = configOf(
      { channels: [X] },
      {
        TWITTER_CLIENT_ID: 'cid',
        TWITTER_REFRESH_TOKEN: 'rt',
        TWITTER_CLIENT_SECRET: 'cs',
        TWITTER_OAUTH2_ACCESS_TOKEN: 'at',
      },
    );
    expect(full.channels[0]!.auth).toEqual({
      kind: 'twitter-oauth2',
      clientId: 'cid',
      refreshToken: 'rt',
      clientSecret: 'cs',
      accessToken: 'at',
    });
    expect([...full.secrets].sort()).toEqual(['at', 'cid', 'cs', 'rt']);
  });

  it('half of OAuth 2.0 is a problem naming the missing variable', () => {
    expect(problemsOf({ channels: [X] }, { TWITTER_CLIENT_ID: 'cid' })[0]).toMatch(
      /TWITTER_REFRESH_TOKEN is missing/,
    );
    expect(problemsOf({ channels: [X] }, { TWITTER_REFRESH_TOKEN: 'rt' })[0]).toMatch(
      /TWITTER_CLIENT_ID is missing/,
    );
  });

  it('a Telegram token must look like one from @BotFather', () => {
    expect(configOf({ channels: [TG] }, { TELEGRAM_BOT_TOKEN: BOT_TOKEN }).channels[0]!.auth).toEqual({
      kind: 'telegram',
      token: BOT_TOKEN,
    });
    const problems = problemsOf({ channels: [TG] }, { TELEGRAM_BOT_TOKEN: 'not-a-token' });
    expect(problems).toEqual([expect.stringMatching(/^TELEGRAM_BOT_TOKEN: does not look like a bot token/)]);
    expect(problems.join('\n')).not.toContain('not-a-token');
    const other = problemsOf(
      { channels: [{ ...TG, credentials: 'TG_DESK' }] },
      { TG_DESK_BOT_TOKEN: '12:short' },
    );
    expect(other).toEqual([
      expect.stringMatching(/^TG_DESK_BOT_TOKEN \(channel tg-news\): does not look like a bot token/),
    ]);
  });

  it('the admin bot uses the first Telegram channel token, else TELEGRAM_BOT_TOKEN, and it is checked too', () => {
    expect(configOf({ channels: [X] }, { TELEGRAM_BOT_TOKEN: BOT_TOKEN }).botToken).toBe(BOT_TOKEN);
    expect(problemsOf({ channels: [X] }, { TELEGRAM_BOT_TOKEN: 'nope' })).toEqual([
      expect.stringMatching(/^TELEGRAM_BOT_TOKEN:/),
    ]);
    const desk = '987654321:BBAnotherTokenForTests11111111111';
    const config = configOf(
      { channels: [{ ...TG, credentials: 'DESK' }] },
      { DESK_BOT_TOKEN: desk, TELEGRAM_BOT_TOKEN: BOT_TOKEN },
    );
    expect(config.botToken).toBe(desk);
  });

  it('QUOTECAST_DRY_RUN sends every channel to the console and starts no bot', () => {
    const config = configOf(
      { channels: [X, TG] },
      { ...OAUTH1, TELEGRAM_BOT_TOKEN: BOT_TOKEN, QUOTECAST_DRY_RUN: 'true' },
    );
    expect(config.dryRun).toBe(true);
    expect(config.channels.map((c) => c.auth)).toEqual([
      { kind: 'console', why: 'QUOTECAST_DRY_RUN is set' },
      { kind: 'console', why: 'QUOTECAST_DRY_RUN is set' },
    ]);
    expect(config.botToken).toBeUndefined();
    expect(config.secrets).toContain(BOT_TOKEN);
  });

  it('collects every secret for redaction', () => {
    const config = configOf({ channels: [X, TG] }, { ...OAUTH1, TELEGRAM_BOT_TOKEN: BOT_TOKEN });
    expect([...config.secrets].sort()).toEqual([...Object.values(OAUTH1), BOT_TOKEN].sort());
  });
});

describe('other environment settings', () => {
  it('TELEGRAM_ADMIN_IDS: numbers separated by commas or spaces', () => {
    expect(configOf({ channels: [X] }, { TELEGRAM_ADMIN_IDS: '12345, 67890 111' }).adminIds).toEqual([
      12345, 67890, 111,
    ]);
    expect(configOf({ channels: [X] }, { TELEGRAM_ADMIN_IDS: '  ' }).adminIds).toEqual([]);
    expect(problemsOf({ channels: [X] }, { TELEGRAM_ADMIN_IDS: '12345, @editor' })).toEqual([
      expect.stringMatching(/^TELEGRAM_ADMIN_IDS: "@editor" is not a numeric Telegram user id/),
    ]);
  });

  it('API roots: http(s) URLs without a trailing slash; anything else is a problem', () => {
    expect(
      configOf(
        { channels: [X] },
        { TWITTER_API_ROOT: 'http://127.0.0.1:8788/', TELEGRAM_API_ROOT: 'https://tg.example' },
      ).apiRoots,
    ).toEqual({ twitter: 'http://127.0.0.1:8788', telegram: 'https://tg.example' });
    const problems = problemsOf(
      { channels: [X] },
      { TWITTER_API_ROOT: 'ftp://x', TELEGRAM_API_ROOT: 'not a url' },
    );
    expect(problems).toEqual([
      expect.stringMatching(/^TWITTER_API_ROOT:/),
      expect.stringMatching(/^TELEGRAM_API_ROOT:/),
    ]);
  });

  it('LOG_LEVEL', () => {
    expect(configOf({ channels: [X] }, { LOG_LEVEL: 'DEBUG' }).logLevel).toBe('debug');
    expect(problemsOf({ channels: [X] }, { LOG_LEVEL: 'loud' })).toEqual([
      expect.stringMatching(/^LOG_LEVEL:/),
    ]);
  });

  it('environment and settings problems are reported together', () => {
    const problems = problemsOf(
      { channels: [{ ...X, schedule: 'never' }] },
      { LOG_LEVEL: 'loud', TWITTER_APP_KEY: 'k' },
    );
    expect(problems.some((p) => p.includes('channels[0].schedule:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('LOG_LEVEL:'))).toBe(true);
  });

  it.skipIf(process.env.TELEGRAM_ADMIN_IDS !== undefined)(
    'reads .env from cwd when no environment is given',
    () => {
      const dir = path.join(workDir, 'dotenv');
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, '.env'), 'TELEGRAM_ADMIN_IDS=424242\n');
      const outcome = loadConfig({ cwd: dir, settings: { channels: [X] } });
      expect(outcome.ok && outcome.config.adminIds).toEqual([424242]);
    },
  );
});

describe('the result', () => {
  it('is deeply frozen', () => {
    const config = configOf({ channels: [X, { ...TG, hashtags: ['#news'] }] }, { TELEGRAM_ADMIN_IDS: '1' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.settings.retry)).toBe(true);
    expect(Object.isFrozen(config.channels)).toBe(true);
    expect(Object.isFrozen(config.channels[1]!.hashtags)).toBe(true);
    expect(Object.isFrozen(config.channels[0]!.auth)).toBe(true);
    expect(Object.isFrozen(config.adminIds)).toBe(true);
    expect(() => {
      (config.settings.retry as { maxAttempts: number }).maxAttempts = 99;
    }).toThrow(TypeError);
    expect(() => {
      (config.channels as unknown as unknown[]).push({});
    }).toThrow(TypeError);
  });
});
