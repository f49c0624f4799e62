import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ARTICLE_FIXTURES,
  articlePath,
  hasLoneSurrogate,
  platformLength,
  repoRoot,
  samplePath,
  tweetIsValid,
} from '../fixtures/fixtures.js';
import { dryRunEnv } from '../helpers/quotecast-process.js';
import { type CliResult, runCliInProcess } from '../helpers/run-cli.js';

/**
 * The CLI contract, checked through `runCli` in this process (cwd = repository root) with the
 * environment a child would get. The same contract through a real process (`npm run --silent
 * quotecast`, a piped standard input, exit codes) is in test/contract/cli-process.test.ts.
 */

const TEST_TIMEOUT_MS = 30_000;
const tmp = mkdtempSync(path.join(tmpdir(), 'quotecast-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A file in the temp dir with the given content. */
function tempFile(name: string, content: string | Uint8Array): string {
  const file = path.join(tmp, name);
  writeFileSync(file, content);
  return file;
}

type Run = CliResult;

function run(
  args: readonly string[],
  options: { input?: string | Uint8Array; env?: Record<string, string> } = {},
): Promise<Run> {
  return runCliInProcess(args, {
    cwd: repoRoot,
    env: dryRunEnv(options.env),
    ...(options.input === undefined ? {} : { stdin: options.input }),
  });
}

interface JsonPost {
  readonly text: string;
  readonly length: number;
  readonly score?: number;
  readonly chosen?: boolean;
  readonly attribution?: string;
  readonly speaker?: string;
}

/** Standard output must be exactly one JSON array (JSON.parse refuses anything around it). */
function parsePosts(result: Run): JsonPost[] {
  expect(result.code, result.stderr).toBe(0);
  const posts: unknown = JSON.parse(result.stdout);
  expect(Array.isArray(posts)).toBe(true);
  return posts as JsonPost[];
}

function expectRefused(result: Run, message: RegExp) {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.split('\n').filter(Boolean);
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(message);
}

/** Runs shared by several tests (the sample article's splits) start once. */
const shared = new Map<string, Promise<Run>>();
function runOnce(args: readonly string[]): Promise<Run> {
  const key = args.join('\u0000');
  let result = shared.get(key);
  if (!result) {
    result = run(args);
    shared.set(key, result);
  }
  return result;
}

const sampleSplit = (platform: string, mode: string) =>
  ['split', samplePath, '--platform', platform, '--mode', mode, '--format', 'json'] as const;

describe.concurrent('split --format json on the sample article', { timeout: TEST_TIMEOUT_MS }, () => {
  it.each([
    ['twitter', 'quotes'],
    ['twitter', 'thread'],
    ['telegram', 'quotes'],
    ['telegram', 'thread'],
  ] as const)(
    '%s %s: valid posts, lengths as the platform counts, no boilerplate',
    async (platform, mode) => {
      const posts = parsePosts(await runOnce(sampleSplit(platform, mode)));
      expect(posts.length).toBeGreaterThan(3);
      for (const post of posts) {
        expect(typeof post.text).toBe('string');
        expect(post.length).toBe(platformLength(platform, post.text));
        if (platform === 'twitter') {
          expect(post.length).toBeLessThanOrEqual(280);
          expect(tweetIsValid(post.text), post.text).toBe(true);
        } else {
          expect(post.length).toBeLessThanOrEqual(4096);
        }
        expect(hasLoneSurrogate(post.text)).toBe(false);
        expect(post.text).not.toMatch(/sign up|subscribe|sent directly to you/i);
        expect(post.text).not.toMatch(/^“?Dmitry Babich”?( — .*)?( \d+\/\d+)?$/);
        if (mode === 'quotes') {
          expect(typeof post.score).toBe('number');
          expect(typeof post.chosen).toBe('boolean');
        }
      }
      // The schema's default for a channel: five quotes an article.
      if (mode === 'quotes') expect(posts.filter((p) => p.chosen)).toHaveLength(5);
      if (mode === 'thread') {
        posts.forEach((post, i) => {
          expect(post.text.endsWith(`\n\n${i + 1}/${posts.length}`)).toBe(true);
        });
        // The first post opens with the headline.
        expect(posts[0]!.text.startsWith('From January to July: Kazakhstan Meets Challenges')).toBe(true);
      } else {
        // A quotation is credited to its speaker, never to the columnist who quoted it.
        const quoted = posts.filter((p) => p.text.includes('a peaceful way to solve problems'));
        expect(quoted.length).toBeGreaterThan(0);
        for (const post of quoted) expect(post.text).not.toContain('Dmitry Babich');
      }
    },
  );

  it('reads standard input when FILE is omitted or "-", with the same result as the file', async () => {
    const input = readFileSync(samplePath);
    const args = sampleSplit('twitter', 'thread').filter((a) => a !== samplePath);
    const [fromFile, omitted, dash] = await Promise.all([
      runOnce(sampleSplit('twitter', 'thread')),
      run(args, { input }),
      run(['split', '-', ...args.slice(1)], { input }),
    ]);
    const expected = parsePosts(fromFile);
    expect(parsePosts(omitted)).toEqual(expected);
    expect(parsePosts(dash)).toEqual(expected);
  });
});

describe.concurrent('other articles and flags', { timeout: TEST_TIMEOUT_MS }, () => {
  it('an HTML page: posts from the article only, attributed from the page metadata', async () => {
    const posts = parsePosts(
      await run(['split', articlePath(ARTICLE_FIXTURES.html), '--platform', 'twitter', '--format', 'json']),
    );
    expect(posts.map((p) => p.text).join('\n')).not.toMatch(
      /Zephyr|LinguaFast|Most read|newsletter|reserved/,
    );
    const chosen = posts.filter((p) => p.chosen);
    expect(chosen.length).toBeGreaterThan(0);
    for (const post of chosen) {
      expect(post.text.endsWith(' https://courier.example.net/city/library-reopens')).toBe(true);
      // The reporter signs her own sentences only; quotations carry their speaker or nobody.
      if (post.attribution === 'author') expect(post.text).toContain('” — Priya Natarajan https://');
      else expect(post.text).not.toContain('Priya Natarajan');
    }
  });

  it('--url and --author are used when the article has none', async () => {
    const input =
      'Ferry Times Change\n\nThe first ferry will leave at six in the morning from next Monday, the port said.\n';
    const posts = parsePosts(
      await run(
        [
          'split',
          '--platform',
          'twitter',
          '--format',
          'json',
          '--url',
          'https://c.example/ferry',
          '--author',
          'Port Desk',
        ],
        { input },
      ),
    );
    expect(posts.map((p) => p.text)).toEqual([
      '“The first ferry will leave at six in the morning from next Monday, the port said.” — Port Desk https://c.example/ferry',
    ]);
    expect(posts[0]!.length).toBe(platformLength('twitter', posts[0]!.text));
  });

  it('emoji, CJK, Arabic, Hebrew and URLs: lengths as X counts them, at a small target', async () => {
    const file = articlePath(ARTICLE_FIXTURES.multilingual);
    const args = [
      'split',
      file,
      '--platform',
      'twitter',
      '--mode',
      'thread',
      '--target',
      '100',
      '--format',
      'json',
    ];
    for (const post of parsePosts(await run(args))) {
      expect(post.length).toBe(platformLength('twitter', post.text));
      expect(post.length).toBeLessThanOrEqual(100);
      expect(hasLoneSurrogate(post.text)).toBe(false);
    }
  });

  it('split takes a URL like add: the page is fetched, its title, author and link are used', async () => {
    const page = `<!doctype html><html><head><title>Ferry Times Change</title>
<meta name="author" content="Ana Lima"><link rel="canonical" href="https://courier.example/ferry"></head>
<body><article><h1>Ferry Times Change</h1>
<p>The first ferry will leave at six in the morning from next Monday, the port authority said on its website today.</p>
<p>“We listened to the people who cross every day, and this is what they asked for,” said harbour master Lena Ode.</p>
</article></body></html>`;
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(page));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const args = ['split', `http://127.0.0.1:${port}/ferry`, '--platform', 'telegram', '--mode', 'thread'];
      // By default an internal address is refused before any connection is made.
      const refused = await run(args);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('refused: internal address (127.0.0.1)');
      expect(refused.stdout).toBe('');
      // A newsroom whose CMS is on the intranet names it in the settings.
      const allowLoopback = tempFile(
        'allow-loopback.yaml',
        "input:\n  allowInternalHosts: ['127.0.0.1']\nchannels:\n  - id: x-demo\n    platform: twitter\n",
      );
      const posts = parsePosts(
        await run([...args, '--format', 'json'], { env: { QUOTECAST_CONFIG: allowLoopback } }),
      );
      expect(posts).toHaveLength(1);
      expect(posts[0]!.text.startsWith('Ferry Times Change\n\nThe first ferry will leave')).toBe(true);
      expect(posts[0]!.text).toContain('said harbour master Lena Ode.');
      expect(posts[0]!.text.endsWith('https://courier.example/ferry')).toBe(true);
    } finally {
      server.close();
    }
  });

  it('sentences --format json prints one JSON array of strings, the body as the splitter sees it', async () => {
    const result = await run(['sentences', '-', '--format', 'json'], {
      input: readFileSync(articlePath(ARTICLE_FIXTURES.text)),
    });
    expect(result.code, result.stderr).toBe(0);
    const sentences: unknown = JSON.parse(result.stdout);
    expect(Array.isArray(sentences) && sentences.every((s) => typeof s === 'string')).toBe(true);
    expect(sentences).toContain(
      '“We promised a line that works in every weather. Did we deliver? Ask us in February!” she said, laughing.',
    );
    expect(sentences).toContain(
      'The line links the old port with the U.S. consulate district and the university.',
    );
    expect(sentences).not.toContain('By Ana Lima');
  });
});

describe.concurrent('bad input: exit 2, one line on standard error, nothing on standard output', {
  timeout: TEST_TIMEOUT_MS,
}, () => {
  const small = tempFile(
    'small-limit.yaml',
    'input:\n  maxBytes: 2048\nchannels:\n  - id: x-demo\n    platform: twitter\n',
  );
  const latin1 = Uint8Array.from([...Buffer.from('Title\n\nCaf'), 0xe9, 0x2e]);
  const binary = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2]);

  it.each([
    ['an empty file', () => ['split', tempFile('empty.txt', ''), '--platform', 'twitter'], /is empty/],
    [
      'a whitespace-only file',
      () => ['split', tempFile('blank.txt', ' \n\t\r\n  \n'), '--platform', 'twitter'],
      /is empty/,
    ],
    ['a binary file', () => ['split', tempFile('image.txt', binary), '--platform', 'twitter'], /binary/],
    [
      'invalid UTF-8',
      () => ['split', tempFile('latin1.txt', latin1), '--platform', 'twitter'],
      /not valid UTF-8/,
    ],
    [
      'a missing file',
      () => ['split', path.join(tmp, 'no-such-file.txt'), '--platform', 'twitter'],
      /no such file/,
    ],
    [
      'an unknown platform',
      () => ['split', samplePath, '--platform', 'mastodon'],
      /unknown --platform "mastodon"/,
    ],
    ['an unknown flag', () => ['split', samplePath, '--platform', 'twitter', '--colour'], /--colour/],
    [
      'a --target below what the template needs',
      () => ['split', samplePath, '--platform', 'twitter', '--target', '25'],
      /--target 25 is too small: the quote template needs \d+ of 25 weighted characters before any text; raise the length target to at least \d+/,
    ],
  ])('%s', async (_what, args, message) => {
    expectRefused(await run(args()), message);
  });

  it('a file larger than input.maxBytes (a small settings file), by path and on standard input', async () => {
    const env = { QUOTECAST_CONFIG: small };
    const [fromFile, fromStdin] = await Promise.all([
      run(['split', samplePath, '--platform', 'twitter'], { env }),
      run(['split', '--platform', 'twitter'], { env, input: readFileSync(samplePath) }),
    ]);
    expectRefused(fromFile, /over the 2\.0 KB limit/);
    expectRefused(fromStdin, /standard input is over the 2\.0 KB limit/);
  });

  it('a broken settings file: exit 2 and every problem at once, each with its key', async () => {
    const broken = tempFile(
      'broken.yaml',
      [
        'timezone: Mars/Olympus',
        'channels:',
        '  - id: x-main',
        '    platform: twitter',
        '    schedule: "every day at nine"',
        '    targetLength: 300',
        '  - id: x-main',
        '    platform: telegram',
        '    chat: "@coastal_news"',
        '',
      ].join('\n'),
    );
    const result = await run(['split', samplePath, '--platform', 'twitter', '--format', 'json'], {
      env: { QUOTECAST_CONFIG: broken },
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    for (const key of [
      'timezone:',
      'channels[0].schedule:',
      'channels[0].targetLength:',
      'channels[1].id:',
    ]) {
      expect(result.stderr).toContain(key);
    }
    expect(result.stderr).toMatch(/Mars\/Olympus|IANA time zone/);
    expect(result.stderr).toMatch(/300 is above the twitter limit of 280/);
    expect(result.stderr).toMatch(/duplicate channel id "x-main"/);
  });
});
