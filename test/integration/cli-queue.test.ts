import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/adapters/sqlite/create-sqlite-store.js';
import { localParts, nextSlots } from '../../src/domain/schedule.js';
import type { PostStore, StoredPost } from '../../src/ports/post-store.js';
import { articleMarkdown, makeArticle } from '../helpers/articles.js';
import { childEnv, writeSettings } from '../helpers/quotecast-process.js';
import { type CliResult, runCliInProcess } from '../helpers/run-cli.js';
import { createTempDir, type TempDir } from '../helpers/temp-dir.js';

/**
 * The queue commands of the CLI, each run through `runCli` in this process (as `quotecast …` would)
 * in a temp directory with its own settings and no credentials (every channel prints to the console).
 * The tests run in order on one store: add, then look, then change.
 */

const COMMAND_TIMEOUT = 30_000;

let dir: TempDir;
let env: Record<string, string>;
let storePath: string;
const files: Record<string, string> = {};

beforeAll(() => {
  dir = createTempDir('quotecast-cli-queue-');
  storePath = dir.file('data/queue.db');
  const configPath = writeSettings(dir.path, {
    timezone: 'Europe/London',
    store: { path: storePath },
    outbox: { path: dir.file('data/outbox.jsonl') },
    channels: [
      {
        id: 'x-main',
        platform: 'twitter',
        mode: 'quotes',
        schedule: '0 9,13,17 * * *',
        dailyCap: 2,
        quotesPerArticle: 3,
      },
      {
        id: 'tg-main',
        platform: 'telegram',
        chat: '@qc_main',
        mode: 'thread',
        schedule: '30 8 * * *',
        timezone: 'America/New_York',
        targetLength: 300,
      },
      {
        id: 'tg-night',
        platform: 'telegram',
        chat: '@qc_night',
        mode: 'quotes',
        schedule: '0 */6 * * *',
        quotesPerArticle: 4,
        quietHours: { start: '22:00', end: '07:00' },
      },
    ],
  });
  env = childEnv({ QUOTECAST_CONFIG: configPath });
  for (const [name, n] of [
    ['a', 1],
    ['b', 2],
  ] as const) {
    files[name] = dir.file(`${name}.md`);
    writeFileSync(files[name], articleMarkdown(makeArticle(n, { paragraphs: 4 })));
  }
});

afterAll(() => {
  dir?.remove();
});

const quotecast = (...args: string[]) => runCliInProcess(args, { env, cwd: dir.path });

/** Runs several commands at once, as several shells would. */
function all(...commands: string[][]): Promise<CliResult[]> {
  return Promise.all(commands.map((c) => quotecast(...c)));
}

async function withStore<T>(work: (store: PostStore) => Promise<T>): Promise<T> {
  const store = createSqliteStore({ path: storePath });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** One line on standard error, nothing on standard output, this exit code. */
function refused(result: CliResult, code: number, ...fragments: string[]): void {
  expect(result.code, result.stderr).toBe(code);
  expect(result.stdout).toBe('');
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  for (const fragment of fragments) expect(result.stderr).toContain(fragment);
}

let firstArticle: number;
/** Posts put into particular states for the later tests. */
const marked: { failed?: StoredPost; sent?: StoredPost; unknown?: StoredPost; toSkip?: StoredPost } = {};

describe('quotecast add', { timeout: COMMAND_TIMEOUT }, () => {
  it('queues an article on every channel; refuses it again (exit 2, naming --force) unless forced', async () => {
    const added = await quotecast('add', files['a']!);
    expect(added.code, added.stderr).toBe(0);
    const id = /^queued article #(\d+) "Story number 1"$/m.exec(added.stdout);
    expect(id).not.toBeNull();
    firstArticle = Number(id![1]);
    expect(added.stdout).toContain('x-main (twitter, quotes): 3 post(s)');
    expect(added.stdout).toMatch(/tg-main \(telegram, thread\): \d+ post\(s\)/);
    expect(added.stdout).toContain('tg-night (telegram, quotes): 4 post(s)');

    const [again, forced, unknownChannel, onlyX] = await all(
      ['add', files['a']!],
      ['add', files['a']!, '--force'],
      ['add', files['b']!, '--channels', 'x-main,nope'],
      ['add', files['b']!, '--channels', 'x-main'],
    );
    refused(
      again!,
      2,
      `"Story number 1" is already queued or published (article #${firstArticle}) on x-main, tg-main, tg-night`,
      'use --force to queue it again',
    );
    expect(forced!.code, forced!.stderr).toBe(0);
    expect(forced!.stdout).toMatch(/^queued article #(\d+) "Story number 1"/);
    expect(forced!.stdout).not.toContain(`#${firstArticle} `);
    refused(unknownChannel!, 2, 'unknown channel nope; configured: x-main, tg-main, tg-night');
    expect(onlyX!.code, onlyX!.stderr).toBe(0);
    expect(onlyX!.stdout).toContain('x-main (twitter, quotes): 3 post(s)');
    expect(onlyX!.stdout).not.toContain('tg-main');

    await withStore(async (store) => {
      expect(await store.listArticles(10)).toHaveLength(3);
      expect((await store.countsByState('x-main')).queued).toBe(9);
    });
  });
});

describe('quotecast status and queue', { timeout: COMMAND_TIMEOUT }, () => {
  beforeAll(async () => {
    // What a day of publishing leaves behind: one post sent, one rejected, one of unknown outcome.
    await withStore(async (store) => {
      const now = new Date();
      const [x1, x2, x3] = await store.postsOfArticle(firstArticle, 'x-main');
      await store.lease(x1!.id, now);
      await store.markSent(x1!.id, { remoteId: '1900000000000000001', publishedAt: now });
      await store.lease(x2!.id, now);
      await store.markFailed(x2!.id, 'rejected', 'X said the text is too long', now);
      const night = (await store.postsOfArticle(firstArticle, 'tg-night'))[0]!;
      await store.lease(night.id, now);
      await store.markInterruptedAsUnknown(now);
      marked.sent = (await store.getPost(x1!.id))!;
      marked.failed = (await store.getPost(x2!.id))!;
      marked.unknown = (await store.getPost(night.id))!;
      marked.toSkip = (await store.getPost(x3!.id))!;
    });
  });

  it('status: counts per channel, next slot, cap left, unknown and failed posts, as text and JSON', async () => {
    const [text, json] = await all(['status'], ['status', '--format', 'json']);
    expect(text!.code, text!.stderr).toBe(0);
    const lines = text!.stdout;
    expect(lines).toContain('x-main (twitter via console, quotes)');
    expect(lines).toContain('  queue: queued 7, sent 1, failed 1');
    expect(lines).toMatch(
      / {2}next slot: \w{3} \d{2} \w{3} (09|13|17):00:00 \(Europe\/London\); 1 of 2 left today/,
    );
    expect(lines).toContain('tg-main (telegram via console, thread)');
    expect(lines).toMatch(/next slot: \w{3} \d{2} \w{3} 08:30:00 \(America\/New_York\); 50 of 50 left today/);
    expect(lines).toContain(`quotecast resolve ID --sent|--resend"): #${marked.unknown!.id}`);
    expect(lines).toContain(`#${marked.failed!.id} x-main: rejected: X said the text is too long`);

    expect(json!.code, json!.stderr).toBe(0);
    const status = JSON.parse(json!.stdout) as {
      channels: { channel: string; counts: Record<string, number>; capLeft: number; paused: boolean }[];
      unknown: { id: number; channel: string }[];
      recentFailures: { id: number; channel: string; error: string }[];
    };
    expect(status.channels.map((c) => c.channel)).toEqual(['x-main', 'tg-main', 'tg-night']);
    expect(status.channels[0]).toMatchObject({
      counts: { queued: 7, sending: 0, sent: 1, failed: 1, unknown: 0, skipped: 0 },
      capLeft: 1,
      paused: false,
    });
    expect(status.channels[2]!.counts).toMatchObject({ queued: 7, unknown: 1 });
    expect(status.unknown).toEqual([{ id: marked.unknown!.id, channel: 'tg-night' }]);
    expect(status.recentFailures).toEqual([
      { id: marked.failed!.id, channel: 'x-main', error: 'rejected: X said the text is too long' },
    ]);
  });

  it('queue: posts in publishing order, by --state and --channel', async () => {
    const [failed, onX] = await all(
      ['queue', '--state', 'failed'],
      ['queue', '--channel', 'x-main', '--format', 'json'],
    );
    expect(failed!.code, failed!.stderr).toBe(0);
    const failedLines = failed!.stdout.trimEnd().split('\n');
    expect(failedLines[0]).toBe('x-main: failed');
    expect(failedLines[1]).toMatch(
      new RegExp(`^ {2}#${marked.failed!.id} art ${firstArticle} 2/3 failed {2}“We counted`),
    );
    expect(failedLines.slice(2)).toEqual(['tg-main: nothing failed', 'tg-night: nothing failed']);

    expect(onX!.code, onX!.stderr).toBe(0);
    const queue = JSON.parse(onX!.stdout) as Record<string, { id: number; articleId: number; seq: number }[]>;
    expect(Object.keys(queue)).toEqual(['x-main']);
    const posts = queue['x-main']!;
    expect(posts).toHaveLength(7);
    expect(posts[0]!.id).toBe(marked.toSkip!.id);
    const order = posts.map((p) => [p.articleId, p.seq]);
    expect(order).toEqual([...order].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!));
  });
});

describe('quotecast schedule', { timeout: COMMAND_TIMEOUT }, () => {
  it('--days 2 shows which post goes in which slot, with the daily cap and quiet hours', async () => {
    const [json, text] = await all(
      ['schedule', '--days', '2', '--format', 'json'],
      ['schedule', '--days', '2'],
    );
    expect(json!.code, json!.stderr).toBe(0);
    type Row = { at: string; local: string; posts: number[]; quietHours?: true; dailyCapReached?: true };
    const preview = JSON.parse(json!.stdout) as Record<string, Row[]>;
    const queued = await withStore(async (store) => ({
      x: (await store.upcoming('x-main', 100)).map((p) => p.id),
      tg: await store.upcoming('tg-main', 100),
      night: (await store.upcoming('tg-night', 100)).map((p) => p.id),
    }));

    // X: the channel's own slots, one post each, at most two a London day (one went out today).
    const x = preview['x-main']!;
    const first = new Date(new Date(x[0]!.at).getTime() - 1);
    expect(x.map((r) => r.at)).toEqual(
      nextSlots('0 9,13,17 * * *', 'Europe/London', first, x.length).map((d) => d.toISOString()),
    );
    expect(x.length).toBeGreaterThanOrEqual(6);
    expect(x.every((r) => r.posts.length <= 1)).toBe(true);
    expect(x.flatMap((r) => r.posts)).toEqual(queued.x.slice(0, x.flatMap((r) => r.posts).length));
    const perDay = new Map<string, number>();
    for (const row of x) {
      const { day } = localParts(new Date(row.at), 'Europe/London');
      perDay.set(String(day), (perDay.get(String(day)) ?? 0) + row.posts.length);
    }
    const today = String(localParts(new Date(), 'Europe/London').day);
    for (const [day, count] of perDay) expect(count).toBeLessThanOrEqual(day === today ? 1 : 2);
    expect(x.some((r) => r.dailyCapReached && r.posts.length === 0)).toBe(true);

    // Telegram thread: a whole article at one slot.
    const tg = preview['tg-main']!.filter((r) => r.posts.length > 0);
    const articleOf = new Map(queued.tg.map((p) => [p.id, p.articleId]));
    expect(tg[0]!.posts).toEqual(
      queued.tg.filter((p) => p.articleId === queued.tg[0]!.articleId).map((p) => p.id),
    );
    for (const row of tg) expect(new Set(row.posts.map((id) => articleOf.get(id))).size).toBe(1);

    // Quiet hours (22:00-07:00): the 00:00 and 06:00 slots stay empty.
    const night = preview['tg-night']!;
    for (const row of night) {
      const { hour } = localParts(new Date(row.at), 'Europe/London');
      if (hour === 0 || hour === 6) expect(row).toMatchObject({ posts: [], quietHours: true });
      else expect(row.quietHours).toBeUndefined();
    }
    expect(night.flatMap((r) => r.posts)).toEqual(
      queued.night.slice(0, night.flatMap((r) => r.posts).length),
    );

    expect(text!.code, text!.stderr).toBe(0);
    expect(text!.stdout).toMatch(
      /^x-main:\n {2}\w{3} \d{2} \w{3} (09|13|17):00:00 \(Europe\/London\) {2}#\d+\n/,
    );
    expect(text!.stdout).toContain('(daily cap reached)');
    expect(text!.stdout).toContain('00:00:00 (Europe/London)  (quiet hours)');
  });
});

describe('retry, skip, resolve, pause, resume', { timeout: COMMAND_TIMEOUT }, () => {
  it('refuse bad ids with one clear line: exit 2 for what does not exist, 1 for what cannot change', async () => {
    const [noPost, alreadySent, notAnId, noDecision, pauseNothing, notPaused] = await all(
      ['retry', '999999'],
      ['retry', String(marked.sent!.id)],
      ['skip', 'abc'],
      ['resolve', String(marked.unknown!.id)],
      ['pause', 'nope'],
      ['resume', 'x-main'],
    );
    refused(noPost!, 2, 'There is no post #999999.');
    refused(alreadySent!, 1, `Post #${marked.sent!.id} was already sent; it will not be sent twice.`);
    refused(notAnId!, 2, 'skip needs a post id, e.g. quotecast skip 42');
    refused(noDecision!, 2, 'resolve needs exactly one of --sent (it arrived) or --resend (send it again)');
    refused(pauseNothing!, 2, 'Unknown channel "nope"; channels: x-main, tg-main, tg-night.');
    refused(notPaused!, 1, 'x-main is not paused.');
  });

  it('act on good ids, and the store shows it', async () => {
    const [retried, skipped, resolved, paused] = await all(
      ['retry', String(marked.failed!.id)],
      ['skip', `#${marked.toSkip!.id}`],
      ['resolve', String(marked.unknown!.id), '--resend'],
      ['pause', 'tg-main'],
    );
    expect(retried!.stdout).toBe(`Post #${marked.failed!.id} is queued again for x-main.\n`);
    expect(skipped!.stdout).toBe(`Post #${marked.toSkip!.id} will not be published.\n`);
    expect(resolved!.stdout).toBe(
      `Post #${marked.unknown!.id} will be sent again at the next slot of tg-night.\n`,
    );
    expect(paused!.stdout).toBe('tg-main is paused; nothing goes out until /resume tg-main.\n');
    for (const result of [retried, skipped, resolved, paused]) expect(result!.code, result!.stderr).toBe(0);
    await withStore(async (store) => {
      expect(await store.getPost(marked.failed!.id)).toMatchObject({ state: 'queued', nextAttemptAt: null });
      expect((await store.getPost(marked.toSkip!.id))!.state).toBe('skipped');
      expect((await store.getPost(marked.unknown!.id))!.state).toBe('queued');
      expect(await store.channelState('tg-main')).toMatchObject({
        paused: true,
        pausedUntil: null,
        pauseReason: 'paused by the command line',
      });
    });

    const resumed = await quotecast('resume', 'tg-main');
    expect(resumed).toMatchObject({ code: 0, stdout: 'tg-main is running again.\n' });
    await withStore(async (store) => expect((await store.channelState('tg-main')).paused).toBe(false));
  });

  it('resolve --sent on a thread part wants the message id (exit 2 without one), and stores it from a link', async () => {
    // quotecast died while sending part 1 of the tg-main thread: parts 2… will reply to it.
    const part = await withStore(async (store) => {
      const [first] = await store.postsOfArticle(firstArticle, 'tg-main');
      await store.lease(first!.id, new Date());
      await store.markInterruptedAsUnknown(new Date());
      return (await store.getPost(first!.id))!;
    });
    expect(part).toMatchObject({ state: 'unknown', mode: 'thread', seq: 1 });
    const id = String(part.id);
    const [bare, badId, tweetLink] = await all(
      ['resolve', id, '--sent'],
      ['resolve', id, '--sent', '--remote-id', 'last-one'],
      ['resolve', id, '--sent', '--remote-id', 'https://x.com/qc/status/1900000000000000001'],
    );
    refused(
      bare!,
      2,
      `Post #${id} is part 1/${part.total} of a thread on tg-main and part 2 will reply to it, so it cannot be marked as sent without its message id.`,
      'Open @qc_main, find the message and copy its link (t.me/qc_main/123): the number at the end is the id.',
      `Then run: quotecast resolve ${id} --sent --remote-id 123`,
    );
    refused(badId!, 2, '"last-one" is not an id; a Telegram message id is a number such as 123');
    refused(tweetLink!, 2, 'is a link to a tweet, but the post is on Telegram');
    await withStore(async (store) =>
      expect(await store.getPost(part.id)).toMatchObject({ state: 'unknown', remoteId: null }),
    );

    const resolved = await quotecast('resolve', id, '--sent', '--remote-id', 'https://t.me/qc_main/4321');
    expect(resolved.code, resolved.stderr).toBe(0);
    expect(resolved.stdout).toBe(
      `Post #${id} is marked as sent (message id 4321); part 2 will reply to it.\n`,
    );
    await withStore(async (store) =>
      expect(await store.getPost(part.id)).toMatchObject({
        state: 'sent',
        remoteId: '4321',
        remoteUrl: 'https://t.me/qc_main/4321',
      }),
    );
  });
});
