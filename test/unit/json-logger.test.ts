import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createConsoleLogger } from '../../src/adapters/log/console-logger.js';
import { createLogger } from '../../src/adapters/log/create-logger.js';
import { createJsonLogger } from '../../src/adapters/log/json-logger.js';
import { loadConfig } from '../../src/config/load-config.js';
import { formsOf, stringsIn } from '../helpers/secret-forms.js';
import { createTempDir } from '../helpers/temp-dir.js';

const NOW = new Date('2026-03-01T09:30:00.000Z');

function capture(options: { secrets?: string[]; level?: 'debug' | 'info' | 'warn' | 'error' } = {}) {
  const lines: string[] = [];
  const logger = createJsonLogger({
    secrets: options.secrets ?? [],
    ...(options.level ? { level: options.level } : {}),
    write: (line) => lines.push(line),
    now: () => NOW,
  });
  const parsed = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, parsed };
}

describe('JSON logger: one object per line', () => {
  it('writes time (ISO, from now), level as a word, msg and the fields at the top level', () => {
    const { logger, lines, parsed } = capture();
    logger.info('published', { post: 17, channel: 'x-main', remoteId: '1850', tags: ['a', 'b'] });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect(parsed()).toEqual([
      {
        level: 'info',
        time: '2026-03-01T09:30:00.000Z',
        msg: 'published',
        post: 17,
        channel: 'x-main',
        remoteId: '1850',
        tags: ['a', 'b'],
      },
    ]);
  });

  it('has written the line when the call returns (no worker, nothing buffered)', () => {
    const { logger, lines } = capture();
    logger.error('first');
    expect(lines).toHaveLength(1);
    logger.warn('second');
    expect(lines).toHaveLength(2);
  });

  it('keeps one line per entry whatever the message holds (newlines, quotes, emoji)', () => {
    const { logger, lines, parsed } = capture();
    const message = 'line one\nline "two"\r\n\ttab \\ back 👩🏽‍💻 \u2028 end';
    logger.warn(message, { body: 'a\nb' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/[\n\r]/);
    expect(parsed()[0]).toMatchObject({ msg: message, body: 'a\nb' });
  });

  it('filters by level: info drops debug; warn drops info; debug keeps all', () => {
    const levelsAt = (level: 'debug' | 'info' | 'warn' | 'error') => {
      const { logger, parsed } = capture({ level });
      logger.debug('d');
      logger.info('i');
      logger.warn('w');
      logger.error('e');
      return parsed().map((line) => line['level']);
    };
    expect(levelsAt('debug')).toEqual(['debug', 'info', 'warn', 'error']);
    expect(levelsAt('info')).toEqual(['info', 'warn', 'error']);
    expect(levelsAt('warn')).toEqual(['warn', 'error']);
    expect(levelsAt('error')).toEqual(['error']);
    const { logger, parsed } = capture();
    logger.debug('d');
    logger.info('i');
    expect(parsed().map((line) => line['msg'])).toEqual(['i']);
  });

  it('writes an Error as {type, message, stack, own codes, cause}, without the request it carries', () => {
    const { logger, parsed } = capture();
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), {
      code: 'ECONNREFUSED',
      errno: -111,
      syscall: 'connect',
    });
    const error = Object.assign(new TypeError('fetch failed', { cause }), {
      status: 503,
      request: { headers: { authorization: 'OAuth oauth_token="abc"' } },
    });
    logger.error('slot failed unexpectedly', { channel: 'x-main', error });
    const line = parsed()[0]!;
    expect(line).toMatchObject({
      msg: 'slot failed unexpectedly',
      channel: 'x-main',
      error: {
        type: 'TypeError',
        message: 'fetch failed',
        status: 503,
        cause: {
          type: 'Error',
          message: 'connect ECONNREFUSED 127.0.0.1:9',
          code: 'ECONNREFUSED',
          errno: -111,
        },
      },
    });
    const logged = line['error'] as Record<string, unknown>;
    expect(logged['stack']).toMatch(/^TypeError: fetch failed\n\s+at /);
    expect(logged).not.toHaveProperty('request');
  });

  it('turns values JSON cannot hold into readable ones: cycles, bigint, dates, URLs, maps, buffers', () => {
    const { logger, parsed } = capture();
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic['self'] = cyclic;
    const shared = { id: 1 };
    logger.info('odd values', {
      cyclic,
      twice: [shared, shared],
      big: 12345678901234567890n,
      at: NOW,
      url: new URL('https://example.org/a?b=c'),
      map: new Map([['k', 1]]),
      set: new Set(['s']),
      bytes: Buffer.from('hello'),
      nan: Number.NaN,
      skipped: undefined,
      fn: () => 1,
    });
    expect(parsed()[0]).toEqual({
      level: 'info',
      time: NOW.toISOString(),
      msg: 'odd values',
      cyclic: { name: 'loop', self: '[circular]' },
      twice: [{ id: 1 }, { id: 1 }],
      big: '12345678901234567890',
      at: NOW.toISOString(),
      url: 'https://example.org/a?b=c',
      map: { k: 1 },
      set: ['s'],
      bytes: '[5 bytes]',
      nan: 'NaN',
    });
  });

  it('does not let a field overwrite level, time or msg', () => {
    const { logger, lines, parsed } = capture();
    logger.warn('the real message', { msg: 'a field', level: 'fatal', time: 3 });
    expect(parsed()[0]).toEqual({
      level: 'warn',
      time: NOW.toISOString(),
      msg: 'the real message',
      _msg: 'a field',
      _level: 'fatal',
      _time: 3,
    });
    expect(lines[0]!.match(/"msg":/g)).toHaveLength(1);
  });
});

describe('JSON logger: no secret in any form', () => {
  const BOT_TOKEN = '7012345678:AAF-secretBotToken_abcdefghijklmno';
  const QUOTED = 'pa"ss\\word"with\\quotes';
  const UNICODE = 'ключ-🔑-пароль-ü';
  const PLAIN = 'plain-App-Secret-9f8e7d';
  /** Contains PLAIN: the longer one must not be left half redacted. */
  const LONGER = `${PLAIN}-and-more`;
  const SPECIAL = "it's (a) *secret*!";
  const BASE64 = 'b64/Secret+Key==';
  const SECRETS = [BOT_TOKEN, QUOTED, UNICODE, PLAIN, LONGER, SPECIAL, BASE64];

  const lowerHex = (encoded: string) => encoded.replace(/%[0-9A-F]{2}/g, (byte) => byte.toLowerCase());

  function expectNoSecret(lines: readonly string[]) {
    for (const secret of SECRETS) {
      for (const form of formsOf(secret)) for (const line of lines) expect(line).not.toContain(form);
      for (const line of lines)
        for (const text of stringsIn(JSON.parse(line))) expect(text).not.toContain(secret);
    }
  }

  it('redacts secrets in the message, field names and values, nested objects, errors, stacks and URLs', () => {
    const { logger, lines, parsed } = capture({ secrets: SECRETS });
    const telegramError = new Error(`request to https://api.telegram.org/bot${BOT_TOKEN}/getMe failed`, {
      cause: new Error(`inner ${QUOTED}`),
    });
    logger.error(`could not log in with ${PLAIN} and ${LONGER}`, {
      error: telegramError,
      url: new URL(`https://api.telegram.org/bot${BOT_TOKEN}/sendMessage?key=${encodeURIComponent(SPECIAL)}`),
      nested: { deeper: { list: [`a ${UNICODE} b`, { [QUOTED]: SPECIAL }] } },
      responseBody: JSON.stringify({ error: `bad key ${QUOTED}`, user: UNICODE }),
      asciiBody: `{"key":"${formsOf(UNICODE).at(-1)}"}`,
      header: `OAuth oauth_consumer_key="${encodeURIComponent(PLAIN)}", oauth_token="${encodeURIComponent(SPECIAL)}"`,
      [`key-${PLAIN}`]: 'value',
      // Lower-case percent-encoding, and JSON that escapes slashes (PHP does).
      lower: `k=${lowerHex(encodeURIComponent(BASE64))}&u=${lowerHex(encodeURIComponent(UNICODE))}`,
      slashes: JSON.stringify({ k: BASE64 }).replaceAll('/', '\\/'),
    });
    expect(lines).toHaveLength(1);
    expectNoSecret(lines);
    const line = parsed()[0]!;
    expect(line['msg']).toBe('could not log in with [redacted] and [redacted]');
    const error = line['error'] as Record<string, Record<string, unknown>>;
    expect(error['message']).toBe('request to https://api.telegram.org/bot[redacted]/getMe failed');
    expect(error['stack']).toContain('bot[redacted]/getMe');
    expect(error['cause']?.['message']).toBe('inner [redacted]');
    expect(line['url']).toBe('https://api.telegram.org/bot[redacted]/sendMessage?key=[redacted]');
    expect(line['nested']).toEqual({ deeper: { list: ['a [redacted] b', { '[redacted]': '[redacted]' }] } });
    expect(JSON.parse(line['responseBody'] as string)).toEqual({
      error: 'bad key [redacted]',
      user: '[redacted]',
    });
    expect(line['asciiBody']).toBe('{"key":"[redacted]"}');
    expect(line['key-[redacted]']).toBe('value');
    expect(line['lower']).toBe('k=[redacted]&u=[redacted]');
    expect(line['slashes']).toBe('{"k":"[redacted]"}');
  });

  it('redacts at every level and in the text logger too (a quoted secret inside an object field)', () => {
    const { logger, lines } = capture({ secrets: SECRETS, level: 'debug' });
    for (const level of ['debug', 'info', 'warn', 'error'] as const) logger[level](`${level} ${QUOTED}`);
    expect(lines).toHaveLength(4);
    expectNoSecret(lines);

    const text: string[] = [];
    const console = createConsoleLogger({
      secrets: SECRETS,
      write: (line) => text.push(line),
      now: () => NOW,
    });
    console.warn(`message ${LONGER}`, {
      body: { key: QUOTED, user: UNICODE },
      url: `https://x?k=${encodeURIComponent(SPECIAL)}`,
    });
    expect(text).toHaveLength(1);
    for (const secret of SECRETS) for (const form of formsOf(secret)) expect(text[0]).not.toContain(form);
    expect(text[0]).toContain('message [redacted]');
  });

  it('redacts a secret added to the list after the logger was made (an OAuth 2.0 token refreshed at run time)', () => {
    const secrets = ['first-app-secret'];
    const json = capture({ secrets });
    const text: string[] = [];
    const console = createConsoleLogger({ secrets, write: (line) => text.push(line), now: () => NOW });
    json.logger.info('before', { token: 'refreshed-token-0042' });
    expect(json.lines[0]).toContain('refreshed-token-0042');
    secrets.push('refreshed-token-0042');
    json.logger.warn('after', { header: 'Bearer refreshed-token-0042' });
    console.warn('after', { header: 'Bearer refreshed-token-0042' });
    for (const line of [json.lines[1]!, text[0]!]) {
      expect(line).not.toContain('refreshed-token-0042');
      expect(line).toContain('Bearer [redacted]');
    }
  });
});

describe('createLogger and LOG_FORMAT', () => {
  const dir = createTempDir('quotecast-log-format-');
  afterAll(() => dir.remove());
  const load = (env: Record<string, string>) =>
    loadConfig({ env, cwd: dir.path, settings: { channels: [{ id: 'x-main', platform: 'twitter' }] } });

  it('writes text by default and JSON when asked', () => {
    const lines: string[] = [];
    const write = (line: string) => lines.push(line);
    createLogger({ secrets: [], write, now: () => NOW }).info('hello', { a: 1 });
    createLogger({ format: 'text', secrets: [], write, now: () => NOW }).info('hello', { a: 1 });
    createLogger({ format: 'json', secrets: [], write, now: () => NOW }).info('hello', { a: 1 });
    expect(lines[0]).toBe('2026-03-01T09:30:00.000Z INFO  hello a=1');
    expect(lines[1]).toBe(lines[0]);
    expect(JSON.parse(lines[2]!)).toEqual({ level: 'info', time: NOW.toISOString(), msg: 'hello', a: 1 });
  });

  it('LOG_FORMAT is text unless set to json (any case); another value is a problem reported with the rest', () => {
    const formatOf = (env: Record<string, string>) => {
      const outcome = load(env);
      if (!outcome.ok) throw new Error(outcome.problems.join('\n'));
      return outcome.config.logFormat;
    };
    expect(formatOf({})).toBe('text');
    expect(formatOf({ LOG_FORMAT: '' })).toBe('text');
    expect(formatOf({ LOG_FORMAT: 'json' })).toBe('json');
    expect(formatOf({ LOG_FORMAT: ' JSON ' })).toBe('json');
    expect(formatOf({ LOG_FORMAT: 'text' })).toBe('text');

    const outcome = load({ LOG_FORMAT: 'yaml', LOG_LEVEL: 'loud' });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.problems).toContain('LOG_FORMAT: "yaml" is not one of text (the default), json');
    expect(outcome.problems.some((p) => p.startsWith('LOG_LEVEL:'))).toBe(true);
  });
});

describe('Logging from a process', () => {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const module = pathToFileURL(
    fileURLToPath(new URL('../../src/adapters/log/create-logger.ts', import.meta.url)),
  ).href;

  it.each(['json', 'text'])(
    '%s: the last lines reach stderr when the process exits right after logging',
    (format) => {
      // 2,000 lines of 200 bytes fill the pipe; process.stderr.write would queue the rest and exit drop it.
      const script = [
        `const { createLogger } = await import(${JSON.stringify(module)});`,
        `const logger = createLogger({ format: '${format}', secrets: ['top-secret-value'] });`,
        `for (let i = 0; i < 2000; i++) logger.info('line', { i, padding: 'x'.repeat(200) });`,
        `process.stdout.write('stdout between\\n');`,
        `logger.error('last words top-secret-value');`,
        `process.exit(3);`,
      ].join('\n');
      const result = spawnSync(process.execPath, ['--import', tsx, '--input-type=module', '-e', script], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(result.status).toBe(3);
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(2001);
      expect(lines.at(-1)).toContain('last words [redacted]');
      if (format === 'json') {
        expect(lines.map((line) => (JSON.parse(line) as { level: string }).level).at(-1)).toBe('error');
      }
      expect(result.stderr).not.toContain('top-secret-value');
      expect(result.stdout).toBe('stdout between\n');
    },
  );
});
