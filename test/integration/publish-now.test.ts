import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { createWorkerParser } from '../../src/adapters/parse-worker/create-worker-parser.js';
import { createFakeClock, type FakeClock } from '../helpers/fake-clock.js';
import {
  expectEachOnce,
  expectReplyChain,
  expectThreadOnX,
  FIXTURES,
  isSend,
  isTweetPost,
  LONG_ARTICLE,
  lines,
  nth,
  readStore,
  SHORT_ARTICLE,
  TELEGRAM_CHAT,
  transcript,
  type World,
  withWorld,
  X_HANDLE,
} from '../helpers/publish-world.js';
import { REPO_ROOT, waitUntil } from '../helpers/quotecast-process.js';
import { type CliResult, type RunningCli, startCliInProcess } from '../helpers/run-cli.js';

/**
 * `quotecast publish` end to end, through `runCli` in this process against the loopback fakes, with
 * its own settings file, store and outbox in a temp dir. Assertions look at what the fakes received,
 * what the store holds and what a user would read. What only a real process shows (`npm run
 * publish-now`, SIGKILL mid-thread, signals on a real terminal) is in
 * test/contract/publish-process.test.ts.
 *
 * Every run is on a fake clock that jumps to the next wait once everything else has run: the
 * Telegram pacer's second between sends, rate-limit waits and their countdowns take no real time,
 * and the fakes stamp what they receive with the same clock, so spacing is checked on it.
 */

const TEST_TIMEOUT_MS = 30_000;

/** One worker reads the Markdown article for every run (the CLI would start one per run). */
const parser = createWorkerParser();
afterAll(() => parser.close());

/** A world whose runs and fakes share one fake clock, starting now (the fakes' tweets are dated). */
type ClockWorld = World & { readonly clock: FakeClock };

function withClockWorld(
  options: Parameters<typeof withWorld>[0],
  body: (world: ClockWorld) => Promise<void>,
): Promise<void> {
  const clock = createFakeClock(new Date(), { advanceWhenIdle: true });
  const now = () => clock.now();
  return withWorld(
    { ...options, x: { ...options.x, now }, telegram: { ...options.telegram, now } },
    async (world) => await body({ ...world, clock }),
  );
}

/** Starts `quotecast publish ARGS` with standard input a closed pipe (not a terminal). */
function startPublish(world: ClockWorld, args: readonly string[]): RunningCli {
  return startCliInProcess(['publish', ...args], {
    env: world.env,
    cwd: REPO_ROOT,
    clock: world.clock,
    parser,
  });
}

/** Runs `quotecast publish ARGS` with standard input a closed pipe (not a terminal). */
function publish(world: ClockWorld, args: readonly string[]): Promise<CliResult> {
  return startPublish(world, args).done;
}

/** Runs `quotecast publish ARGS` on a (fake) terminal; standard output and error arrive together. */
function startOnTerminal(world: ClockWorld, args: readonly string[]): RunningCli {
  return startCliInProcess(['publish', ...args], {
    env: world.env,
    cwd: REPO_ROOT,
    clock: world.clock,
    parser,
    terminal: true,
  });
}

/** The scratch folders dry runs make (and must remove) in the system temp dir. */
const dryRunScratch = () => readdirSync(tmpdir()).filter((name) => name.startsWith('quotecast-dry-run-'));

describe.concurrent('quotecast publish (one-off publish script)', () => {
  it(
    'publishes an X thread as a reply chain and Telegram quotes, printing each link, exit 0',
    async ({ expect }) => {
      await withClockWorld({}, async (world) => {
        const run = await publish(world, [LONG_ARTICLE, '--yes']);
        expect(run.stderr).not.toMatch(/ERROR|unexpected/);
        expect(run.code, transcript(run)).toBe(0);

        const { articles, posts } = await readStore(world);
        expect(articles).toHaveLength(1);
        const thread = posts('x-main');
        const quotes = posts('tg-main');
        expect(thread.every((p) => p.state === 'sent')).toBe(true);
        expect(quotes.every((p) => p.state === 'sent')).toBe(true);

        // X: the whole article as a numbered reply chain, in order, each tweet once.
        expectEachOnce(
          expect,
          world.x.tweets.map((t) => t.text),
          thread,
        );
        expectReplyChain(expect, world.x);
        thread.forEach((p, i) => {
          expect(p.text.endsWith(`${i + 1}/${thread.length}`)).toBe(true);
          expect(p.remoteId).toBe(world.x.tweets[i]?.id);
        });
        // Telegram: the chosen quotes, as readers see them, none as a reply, paced a second apart.
        expectEachOnce(
          expect,
          world.telegram.sentMessages.map((m) => m.shownText),
          quotes,
        );
        expect(world.telegram.sentMessages.every((m) => m.chatId === TELEGRAM_CHAT && !m.replyTo)).toBe(true);
        // The pacer spaces sends a second apart, counted from the end of the one before (the fake
        // stamps each message on the run's clock when it arrives).
        const times = world.telegram.sentMessages.map((m) => m.at.getTime());
        for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000);

        // The preview, then one progress line with the link per post, then the summary.
        const out = run.stdout;
        expect(out).toContain(`x-main → twitter: ${thread.length} post(s), ${thread.length} to send`);
        expect(out).toContain(`tg-main → telegram: ${quotes.length} post(s), ${quotes.length} to send`);
        for (const p of thread) expect(out).toContain(`  ${p.seq}/${p.total}  ${p.length}/280  `);
        for (const p of quotes) expect(out).toContain(`  ${p.seq}/${p.total}  ${p.length}/600  `);
        for (const [i, tweet] of world.x.tweets.entries()) {
          expect(out).toContain(
            `x-main: ${i + 1}/${thread.length} sent https://x.com/${X_HANDLE}/status/${tweet.id}\n`,
          );
        }
        for (const [i, message] of world.telegram.sentMessages.entries()) {
          expect(out).toContain(
            `tg-main: ${i + 1}/${quotes.length} sent https://t.me/${TELEGRAM_CHAT.slice(1)}/${message.messageId}\n`,
          );
        }
        expect(out).toContain(`x-main: ${thread.length} of ${thread.length} published\n`);
        expect(out).toContain(`tg-main: ${quotes.length} of ${quotes.length} published\n`);
        // Not a terminal: plain lines, no carriage returns or escape codes.
        expect(out.includes('\r') || out.includes('\x1b')).toBe(false);
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a dry run prints every post, touches neither account nor the real queue, and needs no --yes',
    async ({ expect }) => {
      await withClockWorld({}, async (world) => {
        const scratchBefore = dryRunScratch();
        const dry = await publish(world, [SHORT_ARTICLE, '--dry-run']);
        expect(dry.code, transcript(dry)).toBe(0);
        expect(world.x.requests).toHaveLength(0);
        expect(world.telegram.calls).toHaveLength(0);
        expect(dry.stdout).toContain('x-main → console (dry run, no account touched)');
        expect(dry.stdout).toContain('tg-main → console (dry run, no account touched)');
        expect(dry.stdout).toMatch(/^x-main: 1\/\d+ printed$/m);
        expect(dry.stdout).toMatch(/^x-main: (\d+) of \1 printed$/m);
        expect(dry.stdout).toMatch(/^tg-main: (\d+) of \1 printed$/m);
        // The real store has no trace of the article, and the scratch store is gone.
        expect((await readStore(world)).articles).toHaveLength(0);
        expect(dryRunScratch().filter((name) => !scratchBefore.includes(name))).toEqual([]);
        const rehearsed = readFileSync(world.outboxPath, 'utf8')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as { channelId: string; text: string });

        // The real publish afterwards is not refused as a duplicate and sends what was rehearsed.
        const real = await publish(world, [SHORT_ARTICLE, '--yes']);
        expect(real.stderr).not.toContain('already');
        expect(real.code, transcript(real)).toBe(0);
        const rehearsedOn = (channel: string) =>
          rehearsed.filter((entry) => entry.channelId === channel).map((entry) => entry.text);
        expect(world.x.tweets.map((t) => t.text)).toEqual(rehearsedOn('x-main'));
        expect(world.telegram.sentMessages.map((m) => m.shownText)).toEqual(rehearsedOn('tg-main'));
        expect((await readStore(world)).articles).toHaveLength(1);
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses without --yes when standard input is not a terminal: exit 2, names --yes, sends nothing',
    async ({ expect }) => {
      await withClockWorld({}, async (world) => {
        const run = await publish(world, [SHORT_ARTICLE]);
        expect(run.code, transcript(run)).toBe(2);
        expect(lines(run.stderr)).toHaveLength(1);
        expect(run.stderr).toContain('--yes');
        expect(run.stderr).toMatch(/not a terminal/);
        expect(run.stdout).toBe('');
        expect(world.x.requests).toHaveLength(0);
        expect(world.telegram.calls).toHaveLength(0);
        expect((await readStore(world)).articles).toHaveLength(0);
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'on a terminal: asks before publishing, then shows each post in place with its link',
    async ({ expect }) => {
      await withClockWorld({}, async (world) => {
        const run = startOnTerminal(world, [SHORT_ARTICLE, '--to', 'x-main']);
        await waitUntil(() => run.stdout().includes('Publish now? [y/N]'), 'the confirmation prompt');
        expect(run.stdout()).toMatch(/x-main → twitter: \d+ post\(s\)/);
        expect(world.x.requests).toHaveLength(0);
        run.keyboard?.write('y\r');
        const result = await run.done;
        expect(result.code, transcript(result)).toBe(0);
        const thread = await expectThreadOnX(expect, world);
        // Each progress line clears the line it is written on (where a countdown may have been).
        for (const [i, tweet] of world.x.tweets.entries()) {
          expect(result.stdout).toContain(
            `\r\x1b[2Kx-main: ${i + 1}/${thread.length} sent https://x.com/${X_HANDLE}/status/${tweet.id}`,
          );
        }
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a stop (Ctrl-C) at the question cancels cleanly: exit 1, nothing sent or queued',
    async ({ expect }) => {
      await withClockWorld({}, async (world) => {
        const run = startOnTerminal(world, [SHORT_ARTICLE]);
        await waitUntil(() => run.stdout().includes('Publish now? [y/N]'), 'the confirmation prompt');
        run.stop('SIGINT');
        const result = await run.done;
        expect(result.code, transcript(result)).toBe(1);
        expect(result.stdout).toContain('cancelled; nothing was published or queued');
        expect(result.stdout).not.toContain('unexpected error');
        expect(world.x.requests).toHaveLength(0);
        expect(world.telegram.calls).toHaveLength(0);
        expect((await readStore(world)).articles).toHaveLength(0);
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a stop mid-thread finishes the tweet in flight and sends no more; --resume sends the rest once, replying to the last',
    async ({ expect }) => {
      await withClockWorld({}, async (world) => {
        const run = startPublish(world, [LONG_ARTICLE, '--yes']);
        // SIGTERM while X is receiving the third tweet: that request has left and is recorded.
        const unsubscribe = world.x.onTweet(() => {
          if (world.x.tweets.length !== 3) return;
          unsubscribe();
          run.stop('SIGTERM');
        });
        const interrupted = await run.done;
        expect(interrupted.code, transcript(interrupted)).toBe(1);
        expect(interrupted.stdout).toContain(
          'interrupted: finishing the post in flight; continue later with --resume',
        );
        const thread = (await readStore(world)).posts('x-main');
        expect(world.x.tweets).toHaveLength(3);
        expect(thread.map((p) => p.state)).toEqual([
          'sent',
          'sent',
          'sent',
          ...thread.slice(3).map(() => 'queued'),
        ]);
        expect(interrupted.stdout).toContain(`x-main: 3 of ${thread.length} published; not sent: `);
        expect(interrupted.stdout).toContain('Run the same command with --resume to finish');

        const resumed = await publish(world, [LONG_ARTICLE, '--resume', '--yes']);
        expect(resumed.code, transcript(resumed)).toBe(0);
        expect(resumed.stdout).toContain('resuming article');
        expect(resumed.stdout).toContain('(sent)');
        expect(resumed.stdout).not.toContain('x-main: 1/');
        expect(world.x.tweets[3]?.replyTo).toBe(world.x.tweets[2]?.id);
        await expectThreadOnX(expect, world);
        expectEachOnce(
          expect,
          world.telegram.sentMessages.map((m) => m.shownText),
          (await readStore(world)).posts('tg-main'),
        );
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'waits out a short rate limit on both platforms with a countdown, then sends everything once',
    async ({ expect }) => {
      await withClockWorld({}, async (world) => {
        // Once the second tweet is in, X refuses the next one until a reset eight or nine seconds
        // away (a whole epoch second; the Telegram channel's waits, at most five seconds, go on on
        // the same clock meanwhile); Telegram refuses the second message for two seconds.
        const unsubscribe = world.x.onTweet(() => {
          if (world.x.tweets.length !== 2) return;
          unsubscribe();
          world.x.failNext({
            match: isTweetPost,
            fault: { kind: 'rate-limit', reset: Math.floor(world.clock.now().getTime() / 1000) + 9 },
          });
        });
        world.telegram.failNext({ match: nth(2, isSend), fault: { kind: 'rate-limit', retryAfter: 2 } });

        const run = await publish(world, [LONG_ARTICLE, '--yes']);
        expect(run.code, transcript(run)).toBe(0);
        // Plain lines counting down, one a second for the last three.
        const countdown = (channel: string) =>
          [...run.stdout.matchAll(new RegExp(`^${channel}: rate-limited, retrying in (\\d+) s$`, 'gm'))].map(
            (m) => Number(m[1]),
          );
        // Off a terminal a wait under ten seconds is counted down in its last three, a line a second.
        expect(countdown('x-main')).toEqual([3, 2, 1]);
        expect(countdown('tg-main')).toEqual([2, 1]);

        const { posts } = await readStore(world);
        expectEachOnce(
          expect,
          world.x.tweets.map((t) => t.text),
          posts('x-main'),
        );
        expectReplyChain(expect, world.x);
        expect(world.x.requests.filter(isTweetPost)).toHaveLength(posts('x-main').length + 1);
        expectEachOnce(
          expect,
          world.telegram.sentMessages.map((m) => m.shownText),
          posts('tg-main'),
        );
        expect(world.telegram.rateLimitedCount).toBe(1);
        expect(run.stdout).toMatch(/x-main: (\d+) of \1 published/);
        expect(run.stdout).toMatch(/tg-main: (\d+) of \1 published/);
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'stops with a clear message when the rate limit lifts hours away: exit 1, summary, the rest stays queued',
    async ({ expect }) => {
      await withClockWorld({}, async (world) => {
        const now = Math.floor(world.clock.now().getTime() / 1000);
        const dayReset = now + 3 * 3600;
        // The 24-hour cap of the account is used up on the third tweet (X sends both windows' headers).
        world.x.failNext({
          match: nth(3, isTweetPost),
          fault: {
            kind: 'rate-limit',
            reset: now + 600,
            userDay: { limit: 17, remaining: 0, reset: dayReset },
          },
        });
        const run = await publish(world, [LONG_ARTICLE, '--yes']);
        expect(run.code, transcript(run)).toBe(1);

        const { posts } = await readStore(world);
        const thread = posts('x-main');
        const resetAt = new Date(dayReset * 1000).toISOString();
        expect(run.stdout).toContain(`x-main: stopped: `);
        expect(run.stdout).toContain(`the platform allows more at ${resetAt}`);
        expect(run.stdout).toContain('The rest stays queued');
        // No countdown for a wait that long.
        expect(run.stdout).not.toMatch(/x-main: rate-limited, retrying in/);
        // Summary: what was sent, what was not and why, and how to finish.
        const notSent = thread.slice(2).map((p) => `#${p.id} (${p.seq}/${p.total}, queued)`);
        expect(run.stdout).toContain(
          `x-main: 2 of ${thread.length} published; not sent: ${notSent.join(', ')} — rate-limited until ${resetAt}`,
        );
        expect(run.stdout).toMatch(/tg-main: (\d+) of \1 published/);
        expect(run.stdout).toContain('--resume');

        expect(world.x.tweets).toHaveLength(2);
        expect(thread.map((p) => p.state)).toEqual(['sent', 'sent', ...thread.slice(2).map(() => 'queued')]);
        expect(thread[2]?.nextAttemptAt?.toISOString()).toBe(resetAt);
        expect((await readStore(world)).posts('tg-main').every((p) => p.state === 'sent')).toBe(true);
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses an article already on a channel (exit 2, names --force and --resume); --resume then publishes it only where it is new',
    async ({ expect }) => {
      await withClockWorld({}, async (world) => {
        const onX = await publish(world, [SHORT_ARTICLE, '--to', 'x-main', '--yes']);
        expect(onX.code, transcript(onX)).toBe(0);
        const tweets = world.x.tweets.length;

        // Refused as a whole, naming the channel it is already on and both ways forward.
        const again = await publish(world, [SHORT_ARTICLE, '--yes']);
        expect(again.code, transcript(again)).toBe(2);
        expect(lines(again.stderr)).toHaveLength(1);
        expect(again.stderr).toContain('already queued or published (article #1) on x-main;');
        expect(again.stderr).toContain('--force');
        expect(again.stderr).toContain('--resume');
        expect(world.x.requests.filter(isTweetPost)).toHaveLength(tweets);
        expect(world.telegram.calls).toHaveLength(0);

        // --resume: nothing again on X, and the article goes out on Telegram, where it is new.
        const resumed = await publish(world, [SHORT_ARTICLE, '--yes', '--resume']);
        expect(resumed.code, transcript(resumed)).toBe(0);
        expect(resumed.stdout).toContain('tg-main: not published there before; queued as new');
        expect(world.x.requests.filter(isTweetPost)).toHaveLength(tweets);
        const quotes = (await readStore(world)).posts('tg-main');
        expectEachOnce(
          expect,
          world.telegram.sentMessages.map((m) => m.shownText),
          quotes,
        );
        expect(resumed.stdout).toContain(`x-main: ${tweets} of ${tweets} published\n`);
        expect(resumed.stdout).toContain(`tg-main: ${quotes.length} of ${quotes.length} published\n`);
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    '--force publishes again (X answers "already there" for the same text), and --resume finishes that copy, not the first',
    async ({ expect }) => {
      await withClockWorld({}, async (world) => {
        const first = await publish(world, [SHORT_ARTICLE, '--yes']);
        expect(first.code, transcript(first)).toBe(0);
        const tweets = world.x.tweets.length;
        const texts = (await readStore(world)).posts('tg-main').map((p) => p.text);

        // Telegram takes the same text again, until a rate limit hours away stops the copy half-way.
        // X refuses duplicate text: the user reads that the tweets were already there, not that they
        // were published a second time.
        world.telegram.failNext({
          match: nth(2, isSend),
          fault: { kind: 'rate-limit', retryAfter: 5 * 3600 },
        });
        const forced = await publish(world, [SHORT_ARTICLE, '--yes', '--force']);
        expect(forced.code, transcript(forced)).toBe(1);
        expect(world.x.tweets).toHaveLength(tweets);
        expect(forced.stdout).toContain(`x-main: 1/${tweets} was already there (counted as sent)`);
        expect(forced.stdout).toContain(
          `x-main: ${tweets} of ${tweets} published (${tweets} already on the platform, not posted again)`,
        );
        expect(forced.stdout).toMatch(
          new RegExp(`^tg-main: 1 of ${texts.length} published; not sent: `, 'm'),
        );
        expect(world.telegram.sentMessages).toHaveLength(texts.length + 1);

        const finished = await publish(world, [SHORT_ARTICLE, '--yes', '--resume']);
        expect(finished.code, transcript(finished)).toBe(0);
        expect(finished.stdout).toMatch(/^resuming article #2 "/m);
        expect(world.telegram.sentMessages.map((m) => m.shownText)).toEqual([...texts, ...texts]);
        expect(world.x.tweets).toHaveLength(tweets);
        expect((await readStore(world)).articles).toHaveLength(2);
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'bad input exits 2 with one line on standard error and sends nothing',
    async ({ expect }) => {
      await withClockWorld({}, async (world) => {
        const cases: [string[], RegExp][] = [
          [[path.join(FIXTURES, 'no-such-article.txt'), '--yes'], /no-such-article\.txt: no such file/],
          [[path.join(FIXTURES, 'empty.txt'), '--yes'], /empty\.txt is empty/],
          [
            [SHORT_ARTICLE, '--to', 'x-main,mastodon', '--yes'],
            /unknown channel mastodon; configured: x-main, tg-main/,
          ],
          [[SHORT_ARTICLE, '--mode', 'poems', '--yes'], /unknown --mode "poems"; use one of: quotes, thread/],
        ];
        const runs = await Promise.all(cases.map(([args]) => publish(world, args)));
        runs.forEach((run, i) => {
          const [, message] = cases[i]!;
          expect(run.code, message.source).toBe(2);
          expect(lines(run.stderr)).toHaveLength(1);
          expect(run.stderr).toMatch(message);
          expect(run.stdout).toBe('');
        });
        expect(world.x.requests).toHaveLength(0);
        expect(world.telegram.calls).toHaveLength(0);
        expect((await readStore(world)).articles).toHaveLength(0);
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'bad configuration exits 2 and names the setting',
    async ({ expect }) => {
      await withClockWorld({}, async (world) => {
        const run = await publish({ ...world, env: { ...world.env, TELEGRAM_BOT_TOKEN: 'not-a-token' } }, [
          SHORT_ARTICLE,
          '--yes',
        ]);
        expect(run.code, transcript(run)).toBe(2);
        expect(run.stderr).toContain('TELEGRAM_BOT_TOKEN');
        expect(run.stderr).not.toContain('not-a-token');
        expect(world.x.requests).toHaveLength(0);
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a server error that persists: exit 1 with the failure in the summary; --resume finishes later',
    async ({ expect }) => {
      const retry = { maxAttempts: 3, baseDelaySeconds: 0.2, maxDelaySeconds: 1 };
      await withClockWorld({ settings: { retry } }, async (world) => {
        world.x.failNext({ match: isTweetPost, times: retry.maxAttempts, fault: { kind: 'server-error' } });
        const run = await publish(world, [SHORT_ARTICLE, '--yes']);
        expect(run.code, transcript(run)).toBe(1);
        expect(world.x.tweets).toHaveLength(0);
        expect(world.x.requests.filter(isTweetPost)).toHaveLength(retry.maxAttempts);
        const thread = (await readStore(world)).posts('x-main');
        expect(thread.map((p) => p.state)).toEqual(['failed', ...thread.slice(1).map(() => 'queued')]);
        expect(run.stdout).toMatch(/^x-main: unavailable, retrying in 1 s$/m);
        expect(run.stdout).toMatch(/^x-main: post 1\/\d+ failed: X: could not post a tweet: HTTP 500/m);
        expect(run.stdout).toMatch(
          new RegExp(
            `^x-main: 0 of ${thread.length} published; not sent: #${thread[0]?.id} \\(1/${thread.length}, failed\\), .* — X: could not post a tweet: HTTP 500`,
            'm',
          ),
        );
        // The other channel is not held up by this one.
        expect(run.stdout).toMatch(/^tg-main: (\d+) of \1 published$/m);
        expect(run.stdout).toContain('--resume');

        const resumed = await publish(world, [SHORT_ARTICLE, '--resume', '--yes']);
        expect(resumed.code, transcript(resumed)).toBe(0);
        expectEachOnce(
          expect,
          world.x.tweets.map((t) => t.text),
          (await readStore(world)).posts('x-main'),
        );
        expectReplyChain(expect, world.x);
        expect(world.telegram.sentMessages).toHaveLength((await readStore(world)).posts('tg-main').length);
      });
    },
    TEST_TIMEOUT_MS,
  );
});
