import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { recoverInterrupted } from '../../src/use-cases/recover-interrupted.js';
import { runChannelSlot } from '../../src/use-cases/run-channel-slot.js';
import { makeArticle } from '../helpers/articles.js';
import { runCrashScenario } from '../helpers/crash-scenario.js';
import { REPO_ROOT, waitUntil } from '../helpers/quotecast-process.js';
import { createWorld, queued } from '../helpers/world.js';

/**
 * CRASH TEST (slow tier, `npm run test:slow`): the real daemon SIGKILLed 20 times mid-publish on
 * four channels (see test/helpers/crash-scenario.ts). test/slow/crash-faults.test.ts adds faults on
 * both platforms, 50 kills over 200+ posts, and the admins' decisions on what is unknown.
 */
const KILLS = 20;
const BUDGET_MS = 110_000;

describe('crash safety', () => {
  it(`CRASH TEST: SIGKILL the daemon ${KILLS} times mid-publish; every post arrives exactly once`, {
    timeout: BUDGET_MS + 30_000,
  }, async () => {
    const result = await runCrashScenario({
      seed: 20_260_310,
      kills: KILLS,
      articles: 7,
      budgetMs: BUDGET_MS,
    });
    console.log(result.figures);
    const { report } = result;
    expect(report.total).toBeGreaterThanOrEqual(100);
    expect(result.kills).toBeGreaterThanOrEqual(KILLS);
    expect(report.duplicates).toBe(0);
    expect(report.problems).toEqual([]);
    expect(report.sent + report.unknown + report.heldBehindUnknown).toBe(report.total);
    expect(report.unknownOnX).toBe(0);
  });
});

describe('a store that fails right after a send', () => {
  it('leaves the published post for reconciliation: never failed, never sent twice', async () => {
    const w = await createWorld({
      start: '2026-03-10T12:00:00Z',
      channels: [{ id: 'x-quotes', platform: 'twitter', mode: 'quotes', schedule: '0 * * * *' }],
      xLatencyMs: 300,
    });
    const locker = spawn(
      process.execPath,
      [
        '-e',
        `const db = new (require('better-sqlite3'))(process.argv[1]);
         process.stdin.once('data', () => {
           db.exec('BEGIN IMMEDIATE');
           process.stdout.write('locked\\n');
           setTimeout(() => { db.exec('COMMIT'); db.close(); process.exit(0); }, 3000);
         });
         process.stdout.write('ready\\n');`,
        w.config.settings.store.path,
      ],
      { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
    );
    try {
      let said = '';
      locker.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        said += chunk;
      });
      const gone = new Promise((resolve) => locker.on('exit', resolve));
      await waitUntil(() => said.includes('ready'), 'the locker to start');
      const { articleId } = queued(await w.enqueue(makeArticle(1)));
      const post = (await w.posts(articleId, 'x-quotes'))[0]!;

      // Another process takes the write lock while the tweet is on its way, and keeps it past the
      // store's busy timeout: recording the receipt fails.
      const slot = runChannelSlot(w.runtime.deps, 'x-quotes');
      const settledSlot = slot.then(
        (result) => ({ ok: true as const, result }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      await waitUntil(() => w.x.requests.some((r) => r.path === '/2/tweets'), 'the tweet to reach X');
      locker.stdin.write('lock\n');
      await waitUntil(() => said.includes('locked'), 'the lock');
      const outcome = await settledSlot;
      await gone;

      expect(outcome.ok).toBe(false);
      expect(w.x.tweets).toHaveLength(1);
      expect((await w.runtime.store.getPost(post.id))!.state).toBe('sending');
      expect(w.alerts).toEqual([]);

      // The next start finds it on the timeline.
      await w.restart();
      const report = await recoverInterrupted(w.runtime.deps);
      expect(report.reconciled.map((p) => p.id)).toEqual([post.id]);
      expect(await w.runtime.store.getPost(post.id)).toMatchObject({
        state: 'sent',
        remoteId: w.x.tweets[0]!.id,
      });
      expect(w.x.tweets).toHaveLength(1);
      expect(w.alerts).toEqual([]);
    } finally {
      locker.kill('SIGKILL');
      await w.close();
    }
  });
});
