import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'vitest';
import {
  expectEachOnce,
  expectReplyChain,
  expectThreadOnX,
  isTweetPost,
  LONG_ARTICLE,
  readStore,
  SEED_ARTICLE,
  SHORT_ARTICLE,
  transcript,
  type World,
  withWorld,
} from '../helpers/publish-world.js';
import { REPO_ROOT as ROOT, waitUntil } from '../helpers/quotecast-process.js';

/**
 * `quotecast publish` as a real process, for what only a process shows: `npm run publish-now`, a
 * SIGINT mid-thread (the handler finishes the post in flight), a SIGKILL mid-send (the store says
 * "sending" and the next run settles it) and Ctrl-C on a real pseudo-terminal. Everything else about
 * publish runs in process, in test/integration/publish-now.test.ts.
 */

const MAIN = 'src/apps/cli/main.ts';
/** Longest any single CLI run may take before the test kills it and fails. */
const RUN_TIMEOUT_MS = 30_000;
const TEST_TIMEOUT_MS = 50_000;

interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

interface Running {
  readonly child: ChildProcess;
  stdout(): string;
  readonly done: Promise<RunResult>;
}

/**
 * Runs `quotecast publish ARGS` with standard input a closed pipe (not a terminal), or `npm run
 * --silent publish-now -- ARGS` when `npm` is set. Killed after RUN_TIMEOUT_MS.
 */
function startPublish(world: World, args: readonly string[], options: { npm?: boolean } = {}): Running {
  const child = options.npm
    ? spawn('npm', ['run', '--silent', 'publish-now', '--', ...args], { cwd: ROOT, env: world.env })
    : spawn(process.execPath, ['--import', 'tsx', MAIN, 'publish', ...args], { cwd: ROOT, env: world.env });
  return watch(child, `publish ${args.join(' ')}`);
}

function watch(child: ChildProcess, what: string, options: { keepStdin?: boolean } = {}): Running {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  if (!options.keepStdin) child.stdin?.end();
  const done = new Promise<RunResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what}: still running after ${RUN_TIMEOUT_MS} ms\n${stdout}\n${stderr}`));
    }, RUN_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, stdout: () => stdout, done };
}

/** `script` (util-linux) runs the CLI on a pseudo-terminal, as a person at a keyboard would. */
const HAS_SCRIPT = spawnSync('script', ['--version']).status === 0;

/** Runs `quotecast publish ARGS` on a terminal; standard output and error arrive together. */
function startOnTerminal(world: World, args: readonly string[]): Running {
  const command = [process.execPath, '--import', 'tsx', MAIN, 'publish', ...args]
    .map((word) => `'${word.replaceAll("'", `'\\''`)}'`)
    .join(' ');
  const child = spawn('script', ['--quiet', '--return', '--command', command, '/dev/null'], {
    cwd: ROOT,
    env: { ...world.env, TERM: 'xterm' },
  });
  return watch(child, `publish on a terminal ${args.join(' ')}`, { keepStdin: true });
}

/** Any other quotecast command, e.g. `add`. */
function quotecast(world: World, args: readonly string[]): Promise<RunResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, env: world.env });
  return watch(child, args.join(' ')).done;
}

function publish(world: World, args: readonly string[], options: { npm?: boolean } = {}): Promise<RunResult> {
  return startPublish(world, args, options).done;
}

describe.concurrent('quotecast publish as a process', () => {
  it(
    'works as `npm run publish-now` (here: the seed article as standalone quotes on X with --mode)',
    async ({ expect }) => {
      await withWorld({}, async (world) => {
        const article = existsSync(SEED_ARTICLE) ? SEED_ARTICLE : LONG_ARTICLE;
        const run = await publish(world, [article, '--to', 'x-main', '--mode', 'quotes', '--yes'], {
          npm: true,
        });
        expect(run.code, transcript(run)).toBe(0);
        const quotes = (await readStore(world)).posts('x-main');
        expect(quotes.every((p) => p.mode === 'quotes' && p.state === 'sent')).toBe(true);
        expectEachOnce(
          expect,
          world.x.tweets.map((t) => t.text),
          quotes,
        );
        // Quotes stand alone (no reply chain) and nothing went to Telegram (not chosen with --to).
        expect(world.x.tweets.every((t) => t.replyTo === undefined)).toBe(true);
        expect(world.telegram.calls).toHaveLength(0);
        expect(run.stdout).toContain(`x-main: ${quotes.length} of ${quotes.length} published`);
        expect(run.stdout).not.toContain('tg-main');
      });
    },
    TEST_TIMEOUT_MS,
  );

  it.skipIf(!HAS_SCRIPT)(
    'on a terminal: Ctrl-C at the question cancels cleanly and leaves the queue as it was',
    async ({ expect }) => {
      await withWorld({}, async (world) => {
        // The daemon's queue already holds the article for X; publishing it to Telegram is cancelled.
        const added = await quotecast(world, ['add', SHORT_ARTICLE, '--channels', 'x-main']);
        expect(added.code, transcript(added)).toBe(0);
        const queued = (await readStore(world)).posts('x-main');
        expect(queued.length).toBeGreaterThan(1);

        const run = startOnTerminal(world, [SHORT_ARTICLE, '--to', 'tg-main']);
        await waitUntil(() => run.stdout().includes('Publish now? [y/N]'), 'the confirmation prompt', {
          timeoutMs: 20_000,
        });
        run.child.stdin?.write('\x03');
        const result = await run.done;
        expect(result.code, transcript(result)).toBe(1);
        expect(result.stdout).toContain('cancelled; nothing was published or queued');
        expect(result.stdout).not.toContain('unexpected error');
        expect(world.x.requests).toHaveLength(0);
        expect(world.telegram.calls).toHaveLength(0);
        // Nothing queued for Telegram (a later publish is not refused); X's posts are untouched.
        const { posts } = await readStore(world);
        expect(posts('tg-main')).toEqual([]);
        expect(posts('x-main')).toEqual(queued);
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'after Ctrl-C mid-thread, --resume sends the rest once, replying to the last published tweet',
    async ({ expect }) => {
      await withWorld({ x: { latencyMs: 200 } }, async (world) => {
        const first = startPublish(world, [LONG_ARTICLE, '--yes']);
        await world.x.waitForTweet(() => world.x.tweets.length >= 3, 15_000);
        first.child.kill('SIGINT');
        const interrupted = await first.done;
        expect(interrupted.code, transcript(interrupted)).toBe(1);
        expect(interrupted.stdout).toContain('interrupted');
        expect(interrupted.stdout).toContain('--resume');
        const before = await readStore(world);
        const sentBefore = before.posts('x-main').filter((p) => p.state === 'sent');
        expect(sentBefore.length).toBeLessThan(before.posts('x-main').length);
        expect(world.x.tweets).toHaveLength(sentBefore.length);
        const tweetsBefore = world.x.tweets.length;

        const resumed = await publish(world, [LONG_ARTICLE, '--resume', '--yes']);
        expect(resumed.code, transcript(resumed)).toBe(0);
        expect(resumed.stdout).toContain('resuming article');
        const { articles, posts } = await readStore(world);
        expect(articles).toHaveLength(1);
        expectEachOnce(
          expect,
          world.x.tweets.map((t) => t.text),
          posts('x-main'),
        );
        expectEachOnce(
          expect,
          world.telegram.sentMessages.map((m) => m.shownText),
          posts('tg-main'),
        );
        // The first tweet of the resumed run answers the last one of the interrupted run.
        expect(world.x.tweets[tweetsBefore]?.replyTo).toBe(world.x.tweets[tweetsBefore - 1]?.id);
        expectReplyChain(expect, world.x);
        // Already-sent posts are marked in the preview and are not announced again.
        expect(resumed.stdout).toContain('(sent)');
        expect(resumed.stdout).not.toContain(`x-main: 1/`);
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'after a crash mid-send, --resume finds the tweet that did arrive on X and goes on from it',
    async ({ expect }) => {
      await withWorld({}, async (world) => {
        const first = startPublish(world, [LONG_ARTICLE, '--to', 'x-main', '--yes']);
        // Killed the moment X stores the third tweet, before its answer leaves: the tweet is out,
        // and the store still says "sending".
        world.x.onTweet(() => {
          if (world.x.tweets.length === 3) first.child.kill('SIGKILL');
        });
        expect((await first.done).signal).toBe('SIGKILL');
        expect(world.x.tweets).toHaveLength(3);
        expect((await readStore(world)).posts('x-main')[2]?.state).toBe('sending');

        const resumed = await publish(world, [LONG_ARTICLE, '--to', 'x-main', '--resume', '--yes']);
        expect(resumed.code, transcript(resumed)).toBe(0);
        expect(resumed.stdout).toContain(
          'settled 1 post(s) interrupted earlier (found on X: 1, to send again: 0)',
        );
        const thread = await expectThreadOnX(expect, world);
        expect(world.x.requests.filter(isTweetPost)).toHaveLength(thread.length);
        expect(thread[2]?.remoteId).toBe(world.x.tweets[2]?.id);
      });
    },
    TEST_TIMEOUT_MS,
  );
});
