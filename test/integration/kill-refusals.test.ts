import { describe, it } from 'vitest';
import { createFakeClock, type FakeClock } from '../helpers/fake-clock.js';
import {
  LONG_ARTICLE,
  readStore,
  TELEGRAM_CHAT,
  transcript,
  type World,
  withWorld,
} from '../helpers/publish-world.js';
import { REPO_ROOT } from '../helpers/quotecast-process.js';
import { type CliResult, startCliInProcess } from '../helpers/run-cli.js';

/**
 * After a kill, the article stays pulled: `quotecast publish` (fresh or `--resume`) refuses it with
 * the kill's time and author and exits 2, `--force` publishes it again as a new article, and
 * `quotecast retry` of one of its dropped posts says why it will not be sent. The real runtime on
 * SQLite and telegraf against the fake Telegram, through the CLI in this process.
 */

const TEST_TIMEOUT_MS = 60_000;
const CHANNELS = [
  { id: 'tg-main', platform: 'telegram', chat: TELEGRAM_CHAT, mode: 'quotes', quotesPerArticle: 3 },
  { id: 'tg-later', platform: 'telegram', chat: '@gazette_later', mode: 'quotes', quotesPerArticle: 2 },
];

type ClockWorld = World & { readonly clock: FakeClock };

function withClockWorld(body: (world: ClockWorld) => Promise<void>): Promise<void> {
  const clock = createFakeClock(new Date('2026-03-10T12:00:00Z'), { advanceWhenIdle: true });
  const now = () => clock.now();
  return withWorld(
    { x: { now }, telegram: { now }, settings: { channels: CHANNELS } },
    async (world) => await body({ ...world, clock }),
  );
}

const run = (world: ClockWorld, argv: readonly string[]): Promise<CliResult> =>
  startCliInProcess(argv, { env: world.env, cwd: REPO_ROOT, clock: world.clock }).done;

const sends = (world: World) => world.telegram.sentMessages.length;

describe('a pulled article stays pulled', () => {
  it(
    'publish and publish --resume refuse it with exit 2, retry says why, --force publishes a new article',
    async ({ expect }) => {
      await withClockWorld(async (world) => {
        const published = await run(world, ['publish', LONG_ARTICLE, '--to', 'tg-main', '--yes']);
        expect(published.code, transcript(published)).toBe(0);
        const queued = await run(world, ['add', LONG_ARTICLE, '--channels', 'tg-later']);
        expect(queued.code, transcript(queued)).toBe(0);
        const [article] = (await readStore(world)).articles;
        const killed = await run(world, ['kill', String(article!.id), '--yes']);
        expect(killed.code, transcript(killed)).toBe(0);
        const sentBefore = sends(world);

        const refusal = `"${article!.title}" was pulled (article #${article!.id}, killed 2026-03-10 12:0`;
        for (const extra of [[], ['--resume']]) {
          const again = await run(world, ['publish', LONG_ARTICLE, '--to', 'tg-main', '--yes', ...extra]);
          expect(again.code, transcript(again)).toBe(2);
          expect(again.stderr).toContain(refusal);
          expect(again.stderr).toMatch(
            /Z by the command line\); use --force to publish it again as a new article/,
          );
          expect(again.stdout).not.toContain('resuming');
        }
        // A channel it never went to is refused too: the store would not queue a pulled article.
        const elsewhere = await run(world, ['publish', LONG_ARTICLE, '--to', 'tg-later', '--yes']);
        expect(elsewhere.code, transcript(elsewhere)).toBe(2);
        expect(elsewhere.stderr).toContain(refusal);
        expect(sends(world)).toBe(sentBefore);
        expect((await readStore(world)).articles).toHaveLength(1);

        // Its dropped posts are not retried, and the reply names the article and the kill.
        const dropped = (await readStore(world)).posts('tg-later')[0]!;
        expect(dropped.state).toBe('skipped');
        const retry = await run(world, ['retry', String(dropped.id)]);
        expect(retry.code, transcript(retry)).not.toBe(0);
        expect(`${retry.stdout}${retry.stderr}`).toMatch(
          new RegExp(
            `Post #${dropped.id} belongs to article a${article!.id}, which was pulled; it will not be sent\\.`,
          ),
        );
        expect((await readStore(world)).posts('tg-later')[0]!.state).toBe('skipped');

        const forced = await run(world, ['publish', LONG_ARTICLE, '--to', 'tg-main', '--yes', '--force']);
        expect(forced.code, transcript(forced)).toBe(0);
        const articles = (await readStore(world)).articles;
        expect(articles).toHaveLength(2);
        expect(sends(world)).toBe(
          sentBefore +
            (await readStore(world)).posts('tg-main').filter((p) => p.articleId === articles[1]!.id).length,
        );
      });
    },
    TEST_TIMEOUT_MS,
  );
});
