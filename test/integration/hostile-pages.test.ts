import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ingestDocument as ingestArticle } from '../../src/adapters/document/document-readers.js';
import { createWorkerParser } from '../../src/adapters/parse-worker/create-worker-parser.js';
import { createDaemon, type Daemon } from '../../src/apps/daemon/create-daemon.js';
import { buildRuntime, type Runtime } from '../../src/apps/runtime/build-runtime.js';
import { adminBotForRuntime } from '../../src/apps/telegram-bot/admin-bot-for-runtime.js';
import type { AdminBot } from '../../src/apps/telegram-bot/create-admin-bot.js';
import { loadConfig } from '../../src/config/load-config.js';
import { DEFAULT_BOILERPLATE_RULES } from '../../src/domain/boilerplate.js';
import type { IngestOutcome } from '../../src/domain/ingest-input.js';
import type { DocumentParser, ParseRequest } from '../../src/ports/document-parser.js';
import {
  createFakeTelegramApi,
  DEFAULT_FAKE_ADMIN,
  DEFAULT_FAKE_TELEGRAM_TOKEN,
  type FakeSentMessage,
  type FakeTelegramApi,
  type FakeUser,
} from '../fakes/fake-telegram-api.js';
import { ARTICLE_FIXTURES, articlePath, defaultRules } from '../fixtures/fixtures.js';
import { collectingLogger, stopBotAndDaemon } from '../helpers/bot-run.js';
import { DEPTH_MESSAGE, nested, PARAGRAPH, wide } from '../helpers/hostile-html.js';
import { waitUntil } from '../helpers/quotecast-process.js';
import { createTempDir, type TempDir } from '../helpers/temp-dir.js';

/**
 * Hostile pages (issue 11, finding 1): a page nested thousands deep, or one built to be slow or to
 * eat memory, costs one clear error and never stalls the process. Checked through the worker parser
 * itself and the admin bot; the CLI from its sources (tsx) and the esbuild bundle `npm start` runs
 * are checked as processes in test/contract/hostile-pages-cli.test.ts.
 */

const request = (text: string, source: string, maxBytes = 8 * 1024 * 1024): ParseRequest => ({
  bytes: Buffer.from(text),
  source,
  format: 'auto',
  metadata: {},
  maxBytes,
  boilerplate: DEFAULT_BOILERPLATE_RULES,
});

/** Polls on a real interval (the test may have faked setTimeout); the test's timeout ends a hang. */
const until = (condition: () => boolean) =>
  new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (!condition()) return;
      clearInterval(poll);
      resolve();
    }, 2);
  });

function problemOf(outcome: IngestOutcome) {
  if (outcome.ok) throw new Error('expected the page to be refused');
  return outcome.problem;
}

describe('the worker parser', () => {
  let parser: DocumentParser | undefined;
  afterEach(async () => {
    await parser?.close();
    parser = undefined;
  });

  it.each([
    ['1,500 levels (17 KB)', 1500],
    ['10,000 levels', 10_000],
    ['100,000 levels (1.1 MB)', 100_000],
  ])('refuses a page nested %s with one clear error', async (_, levels) => {
    parser = createWorkerParser();
    const problem = problemOf(await parser.parse(request(nested(levels), 'deep.html')));
    expect(problem.code).toBe('too-complex');
    expect(problem.message).toContain(DEPTH_MESSAGE);
  });

  it('stops a parse over its time limit while the event loop keeps ticking, then parses the next page', async () => {
    // The parser's time limit is a timer of this thread: faked here, it fires when the test says so.
    // The runaway parse is stopped at its limit, and the next page, on the replacement worker, has
    // all the time it needs (a cold worker's first page is no test of the limit).
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    parser = createWorkerParser({ timeoutMs: 300 });
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    const answered: string[] = [];
    try {
      const slow = parser.parse(request(wide(7000), 'wide.html')).then((outcome) => {
        answered.push('wide.html');
        return outcome;
      });
      // A small text article asked for meanwhile is read on this thread and answered first.
      const small = parser.parse(request(`Harbour opens\n\n${PARAGRAPH}`, 'small.txt')).then((outcome) => {
        answered.push('small.txt');
        return outcome;
      });
      expect((await small).ok).toBe(true);
      // The worker has the page (its time limit is set); this thread goes on ticking meanwhile.
      await until(() => vi.getTimerCount() === 1);
      const ticksAtStart = ticks;
      await until(() => ticks >= ticksAtStart + 10);
      expect(answered).toEqual(['small.txt']);
      vi.advanceTimersByTime(300);
      const problem = problemOf(await slow);
      expect(problem).toEqual({
        code: 'too-complex',
        message: 'page too complex: parsing wide.html took longer than 0.3 s; nothing was read',
      });
      expect(answered).toEqual(['small.txt', 'wide.html']);
      // The stuck worker was replaced: the next page is read.
      const next = await parser.parse(
        request(readFileSync(articlePath(ARTICLE_FIXTURES.html), 'utf8'), 'library.html'),
      );
      expect(next.ok).toBe(true);
    } finally {
      clearInterval(ticker);
      vi.useRealTimers();
    }
  });

  it('answers a parse over its memory limit with one clear error, then parses the next page', async () => {
    // 32 MB reads an article; a page of 27,000 elements (inside the caps) needs about twice that.
    parser = createWorkerParser({ maxHeapMb: 32 });
    const problem = problemOf(await parser.parse(request(wide(9000), 'heavy.html')));
    expect(problem).toEqual({
      code: 'too-complex',
      message: 'page too complex: parsing heavy.html needed more than 32 MB of memory; nothing was read',
    });
    const next = await parser.parse(
      request(readFileSync(articlePath(ARTICLE_FIXTURES.markdown), 'utf8'), 'festival.md'),
    );
    expect(next.ok).toBe(true);
  });

  it('reads HTML, Markdown and text exactly as ingestion on this thread does', async () => {
    parser = createWorkerParser();
    const longText = `Harbour report\n\n${Array.from({ length: 3000 }, (_, i) => PARAGRAPH.replace('3,000', String(i))).join('\n\n')}\n`;
    const inputs: [string, string][] = [
      ...Object.values(ARTICLE_FIXTURES).map((name): [string, string] => [
        name,
        readFileSync(articlePath(name), 'utf8'),
      ]),
      // Over the in-process size: read in the worker.
      ['long.txt', longText],
    ];
    expect(Buffer.byteLength(longText)).toBeGreaterThan(256 * 1024);
    for (const [name, text] of inputs) {
      const viaWorker = await parser.parse(request(text, name));
      const here = ingestArticle(Buffer.from(text), {
        rules: defaultRules,
        maxBytes: 8 * 1024 * 1024,
        source: name,
      });
      expect(viaWorker.ok).toBe(true);
      expect(viaWorker).toEqual(here);
    }
  });

  it('close() ends a parse in progress', async () => {
    parser = createWorkerParser();
    const stopped = expect(parser.parse(request(wide(3000), 'wide.html'))).rejects.toThrow(
      'the document parser was closed',
    );
    await parser.close();
    await stopped;
  });
});

describe('the admin bot answers a hostile page with an error and keeps answering others', () => {
  const SECOND_ADMIN: FakeUser = { id: 1002, is_bot: false, first_name: 'Bea', username: 'bea_desk' };
  let fake: FakeTelegramApi;
  let dir: TempDir;
  let server: Server;
  let base: string;
  let runtime: Runtime;
  let daemon: Daemon;
  let bot: AdminBot;
  const logs: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const page = req.url === '/deep' ? nested(100_000) : req.url === '/wide' ? wide(7000) : undefined;
      if (page) res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    fake = createFakeTelegramApi();
    await fake.start();
    dir = createTempDir('quotecast-hostile-bot-');
    const outcome = loadConfig({
      cwd: dir.path,
      env: {
        TELEGRAM_BOT_TOKEN: DEFAULT_FAKE_TELEGRAM_TOKEN,
        TELEGRAM_ADMIN_IDS: `${DEFAULT_FAKE_ADMIN.id}, ${SECOND_ADMIN.id}`,
        TELEGRAM_API_ROOT: fake.url,
      },
      settings: {
        timezone: 'UTC',
        store: { path: dir.file('quotecast.db') },
        outbox: { path: dir.file('outbox.jsonl') },
        input: { maxBytes: 2 * 1024 * 1024, allowInternalHosts: ['127.0.0.1'] },
        channels: [{ id: 'x-main', platform: 'twitter', schedule: '0 9 * * *' }],
      },
    });
    if (!outcome.ok) throw new Error(outcome.problems.join('\n'));
    runtime = buildRuntime(outcome.config, {
      exclusive: true,
      logger: collectingLogger(logs),
      write: () => {},
      pacing: { perChatIntervalMs: 0, perChatPerMinute: 1000, overallPerSecond: 1000 },
      random: () => 0.5,
    });
    daemon = createDaemon({
      deps: runtime.deps,
      channels: outcome.config.channels,
      schedule: () => ({ stop() {} }),
    });
    const admin = adminBotForRuntime(runtime, daemon);
    if (!admin) throw new Error('the bot should be configured');
    bot = admin;
    runtime.setNotifier(bot.notifier);
    await daemon.start();
    await bot.start();
  }, 30_000);

  afterAll(async () => {
    try {
      await stopBotAndDaemon({ bot, daemon, runtime, logs, token: DEFAULT_FAKE_TELEGRAM_TOKEN, fake });
    } finally {
      await fake.close();
      await new Promise((resolve) => server.close(resolve));
      dir.remove();
    }
  });

  /**
   * The bot's answer in a chat: its first new message there (with `final`, once it was edited). The
   * timeout only fails a hung bot: what says the caps refused a page (rather than the 10 s parse
   * limit stopping it) is the answer's text.
   */
  async function answerIn(chat: number, before: Set<FakeSentMessage>, final = false, timeoutMs = 8000) {
    const started = Date.now();
    const message = await fake.waitFor((m) => !before.has(m) && m.chatId === String(chat), timeoutMs);
    if (final)
      await waitUntil(() => message.edits.length > 0, 'the final answer', {
        timeoutMs: timeoutMs - (Date.now() - started),
      });
    return message;
  }

  it('a nested page sent as a file: the caps refuse it before any parse, /help from another admin meanwhile', async () => {
    const before = new Set(fake.sentMessages);
    fake.pushMessage({
      document: { fileName: 'deep.html', mimeType: 'text/html', content: nested(1500) },
      caption: '/add',
    });
    fake.pushMessage({ from: SECOND_ADMIN, text: '/help' });
    const help = await answerIn(SECOND_ADMIN.id, before);
    expect(help.shownText).toContain('/add');
    const added = await answerIn(DEFAULT_FAKE_ADMIN.id, before, true);
    expect(added.shownText).toContain(DEPTH_MESSAGE);
    expect(added.shownText).toContain('deep.html');
  });

  it('a nested page by URL (1.1 MB): the caps refuse it before any parse', async () => {
    const before = new Set(fake.sentMessages);
    fake.pushMessage({ text: `/add ${base}/deep` });
    const added = await answerIn(DEFAULT_FAKE_ADMIN.id, before, true);
    expect(added.shownText).toBe(
      `⚠️ ${DEPTH_MESSAGE} in ${base}/deep (a news page nests 30 to 60 deep); nothing was read`,
    );
  });

  it('while a slow page is parsed, another admin’s /help is answered first', async () => {
    const before = new Set(fake.sentMessages);
    fake.pushMessage({ text: `/add ${base}/wide` });
    const working = await answerIn(DEFAULT_FAKE_ADMIN.id, before);
    expect(working.shownText).toMatch(/^⏳ Fetching/);
    fake.pushMessage({ from: SECOND_ADMIN, text: '/help' });
    const help = await answerIn(SECOND_ADMIN.id, before);
    expect(help.shownText).toContain('/add');
    // The page was still being read when /help was answered.
    expect(working.edits).toHaveLength(0);
    await waitUntil(() => working.edits.length > 0, 'the preview of the slow page', { timeoutMs: 20_000 });
  }, 30_000);
});
