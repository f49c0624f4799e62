import { describe, type ExpectStatic, it } from 'vitest';
import { createFakeClock, type FakeClock } from '../helpers/fake-clock.js';
import {
  LONG_ARTICLE,
  lines,
  readStore,
  TELEGRAM_CHAT,
  transcript,
  type World,
  withWorld,
  X_HANDLE,
} from '../helpers/publish-world.js';
import { REPO_ROOT, waitUntil } from '../helpers/quotecast-process.js';
import { type CliResult, type CliRunOptions, startCliInProcess } from '../helpers/run-cli.js';

/**
 * `quotecast kill` and `quotecast article` end to end: the real runtime on SQLite, the real
 * twitter-api-v2 and telegraf clients against both loopback fakes, through `runCli` in this process.
 * Assertions look at what the fakes hold (deleted tweets and messages), what the store holds and what
 * an editor reads.
 */

const TEST_TIMEOUT_MS = 60_000;
const GROUP_CHAT = '-4001';
const HOUR = 3_600_000;

/** X thread, Telegram quotes in a channel and in a group, and a channel the article is only queued on. */
const CHANNELS = [
  { id: 'x-main', platform: 'twitter', handle: `@${X_HANDLE}`, mode: 'thread' },
  { id: 'tg-main', platform: 'telegram', chat: TELEGRAM_CHAT, mode: 'quotes', quotesPerArticle: 3 },
  { id: 'tg-group', platform: 'telegram', chat: GROUP_CHAT, mode: 'quotes', quotesPerArticle: 2 },
  { id: 'tg-later', platform: 'telegram', chat: '@gazette_later', mode: 'quotes', quotesPerArticle: 2 },
];

type ClockWorld = World & { readonly clock: FakeClock };

/** Both fakes and the CLI on one fake clock that moves on whenever everything waits (pacing). */
function withKillWorld(body: (world: ClockWorld) => Promise<void>): Promise<void> {
  const clock = createFakeClock(new Date('2026-03-10T12:00:00Z'), { advanceWhenIdle: true });
  const now = () => clock.now();
  return withWorld(
    { x: { now }, telegram: { now }, settings: { channels: CHANNELS } },
    async (world) => await body({ ...world, clock }),
  );
}

function cli(world: ClockWorld, argv: readonly string[], extra: Partial<CliRunOptions> = {}) {
  return startCliInProcess(argv, { env: world.env, cwd: REPO_ROOT, clock: world.clock, ...extra });
}

const run = (world: ClockWorld, argv: readonly string[]): Promise<CliResult> => cli(world, argv).done;

/** Publishes LONG_ARTICLE on X (thread) and both Telegram chats, then queues it on tg-later. */
async function publishAndQueue(expect: ExpectStatic, world: ClockWorld) {
  const published = await run(world, ['publish', LONG_ARTICLE, '--to', 'x-main,tg-main,tg-group', '--yes']);
  expect(published.code, transcript(published)).toBe(0);
  const queued = await run(world, ['add', LONG_ARTICLE, '--channels', 'tg-later']);
  expect(queued.code, transcript(queued)).toBe(0);
  const store = await readStore(world);
  expect(store.articles).toHaveLength(1);
  return { articleId: store.articles[0]!.id, posts: store.posts };
}

const isDelete = (r: { method: string }) => r.method === 'DELETE';
const deleteCalls = (world: World) => world.telegram.calls.filter((c) => c.method === 'deleteMessage');

describe.concurrent('quotecast kill and quotecast article', () => {
  it(
    'drops queued posts, deletes published ones on X and Telegram, reports the two it could not delete, and finishes on a second run',
    async ({ expect }) => {
      await withKillWorld(async (world) => {
        const { articleId, posts } = await publishAndQueue(expect, world);
        const thread = posts('x-main');
        const group = posts('tg-group');
        expect(thread.length).toBeGreaterThan(2);
        expect(group).toHaveLength(2);
        expect(posts('tg-later').every((p) => p.state === 'queued')).toBe(true);

        // One group message is older than Telegram's 48 hours; X rate-limits the delete of the head.
        const old = group[0]!;
        world.telegram.ageMessage(GROUP_CHAT, Number(old.remoteId), 49 * HOUR);
        const head = thread[0]!;
        const reset = Math.floor(world.clock.now().getTime() / 1000) + 15 * 60;
        world.x.failNext({
          match: (r) => isDelete(r) && r.path === `/2/tweets/${head.remoteId}`,
          fault: { kind: 'rate-limit', reset },
        });

        const first = await run(world, ['kill', String(articleId), '--yes']);
        expect(first.code, transcript(first)).toBe(1);

        // X: every tweet but the head is gone, last reply first.
        expect(world.x.deletions.map((d) => d.id)).toEqual(
          thread
            .slice(1)
            .reverse()
            .map((p) => p.remoteId),
        );
        // Telegram: every message but the old one in the group is deleted.
        const stillUp = world.telegram.sentMessages.filter((m) => !m.deleted);
        expect(stillUp.map((m) => [m.chatId, String(m.messageId)])).toEqual([[GROUP_CHAT, old.remoteId]]);

        const store = await readStore(world);
        expect(store.posts('tg-later').map((p) => p.state)).toEqual(['skipped', 'skipped']);
        expect(first.stdout).toContain(
          `Dropped 2 queued post(s); deleted ${thread.length - 1 + 3 + 1} published post(s); could not delete 2.`,
        );
        const problems = lines(first.stdout.slice(first.stdout.indexOf('Not deleted')));
        expect(problems).toHaveLength(3);
        const onX = problems.find((line) => line.includes('x-main'));
        expect(onX).toContain(`x-main #${head.id} (1/${thread.length}) ${head.remoteUrl}`);
        expect(onX).toMatch(/X rate limit: run "quotecast kill \d+ --yes" again after Tue 10 Mar 12:1\d/);
        const onTelegram = problems.find((line) => line.includes('tg-group'));
        expect(onTelegram).toContain(
          `tg-group #${old.id} (1/2) message ${old.remoteId} in tg-group (${GROUP_CHAT})`,
        );
        expect(onTelegram).toMatch(/within 48 hours.*Delete it by hand in the Telegram app/);

        // Once X's window has reset, a second kill asks X for the head only, and Telegram nothing.
        world.clock.advance(16 * 60_000);
        const xDeletesBefore = world.x.requests.filter(isDelete).length;
        const telegramDeletesBefore = deleteCalls(world).length;
        const second = await run(world, ['kill', String(articleId), '--yes']);
        expect(second.code, transcript(second)).toBe(1);
        expect(
          world.x.requests
            .filter(isDelete)
            .slice(xDeletesBefore)
            .map((r) => r.path),
        ).toEqual([`/2/tweets/${head.remoteId}`]);
        expect(world.x.deletions).toHaveLength(thread.length);
        expect(deleteCalls(world)).toHaveLength(telegramDeletesBefore);
        expect(second.stdout).toContain(
          'Dropped 0 queued post(s); deleted 1 published post(s); could not delete 1.',
        );

        // The listing: where the story went, what is down and what is not.
        const listing = await run(world, ['article', String(articleId), '--format', 'json']);
        expect(listing.code, transcript(listing)).toBe(0);
        const json = JSON.parse(listing.stdout) as {
          article: { id: number; killedAt: string | null; killedBy: string };
          channels: {
            channel: string;
            posts: {
              id: number;
              state: string;
              link: string | null;
              deletedAt: string | null;
              deleteError: string | null;
            }[];
          }[];
        };
        expect(json.article.killedAt).not.toBeNull();
        expect(json.article.killedBy).toBe('the command line');
        const byChannel = new Map(json.channels.map((c) => [c.channel, c.posts]));
        expect(byChannel.get('x-main')?.every((p) => p.deletedAt !== null && p.link !== null)).toBe(true);
        expect(byChannel.get('tg-main')?.every((p) => p.deletedAt !== null)).toBe(true);
        expect(byChannel.get('tg-group')?.map((p) => [p.id, p.deletedAt === null])).toEqual([
          [old.id, true],
          [group[1]!.id, false],
        ]);
        expect(byChannel.get('tg-group')?.[0]?.deleteError).toMatch(/^rejected: .*can't be deleted/);
        expect(byChannel.get('tg-later')?.map((p) => p.state)).toEqual(['skipped', 'skipped']);

        const text = await run(world, ['article', String(articleId)]);
        expect(text.code, transcript(text)).toBe(0);
        expect(text.stdout).toMatch(/killed 2026-03-10 \d\d:\d\dZ by the command line/);
        expect(text.stdout).toContain(`#${old.id} 1/2  sent `);
        expect(text.stdout).toMatch(new RegExp(`#${old.id} 1/2 .*NOT deleted: rejected`));
        expect(text.stdout).toContain(head.remoteUrl!);

        // A killed article is not queued again without --force, on any channel.
        const again = await run(world, ['add', LONG_ARTICLE, '--channels', 'tg-main']);
        expect(again.code, transcript(again)).toBe(2);
        expect(again.stderr).toContain(`was pulled (article #${articleId}, killed `);
        expect(again.stderr).toContain('--force to queue it again as a new article');
        expect((await readStore(world)).articles).toHaveLength(1);
        const forced = await run(world, ['add', LONG_ARTICLE, '--channels', 'tg-main', '--force']);
        expect(forced.code, transcript(forced)).toBe(0);
        expect((await readStore(world)).articles).toHaveLength(2);
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'asks on a terminal (no changes on "n"), refuses without --yes when no one can answer, and names a missing article',
    async ({ expect }) => {
      await withKillWorld(async (world) => {
        const { articleId } = await publishAndQueue(expect, world);

        const piped = await run(world, ['kill', String(articleId)]);
        expect(piped.code, transcript(piped)).toBe(2);
        expect(piped.stderr).toContain('add --yes');

        const terminal = cli(world, ['kill', `a${articleId}`], { terminal: true });
        await waitUntil(() => terminal.stdout().includes('Kill it? [y/N]'), 'the confirmation prompt');
        expect(terminal.stdout()).toContain('drops 2 queued post(s)');
        expect(terminal.stdout()).toMatch(/deletes \d+ published post\(s\)/);
        expect(terminal.stdout()).toContain(`https://x.com/${X_HANDLE}/status/`);
        terminal.keyboard?.write('n\r');
        const answered = await terminal.done;
        expect(answered.code, transcript(answered)).toBe(1);
        expect(answered.stdout).toContain('cancelled; nothing was changed');
        expect(world.x.deletions).toHaveLength(0);
        expect(deleteCalls(world)).toHaveLength(0);
        expect((await readStore(world)).posts('tg-later').every((p) => p.state === 'queued')).toBe(true);

        const missing = await run(world, ['kill', '999', '--yes']);
        expect(missing.code, transcript(missing)).toBe(2);
        expect(missing.stderr).toContain('there is no article 999');
        const bad = await run(world, ['article', 'twelve']);
        expect(bad.code, transcript(bad)).toBe(2);

        // All down: exit 0, and the listing says so.
        const killed = await run(world, ['kill', String(articleId), '--yes']);
        expect(killed.code, transcript(killed)).toBe(0);
        expect(killed.stdout).toContain('could not delete 0.');
        expect(world.telegram.sentMessages.every((m) => m.deleted)).toBe(true);
      });
    },
    TEST_TIMEOUT_MS,
  );
});
