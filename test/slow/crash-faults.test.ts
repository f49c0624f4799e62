import { describe, expect, it } from 'vitest';
import { runCrashScenario } from '../helpers/crash-scenario.js';

/**
 * CRASH TEST with faults, slow tier (`npm run test:slow`; CI runs it after `npm test`): the real
 * daemon on four channels, 50 SIGKILLs over 200+ posts, while both fakes misbehave before each start
 * (runs of 5xx, connections dropped after the post was made, answers that never come), then the
 * admins decide every post of unknown outcome as a person would and the daemon finishes the threads
 * they held. Every post must have arrived exactly once, with every thread's reply chain intact.
 */
const KILLS = 50;
const BUDGET_MS = 240_000;

describe('crash safety under faults', () => {
  it(`CRASH TEST: ${KILLS} SIGKILLs with faults on X and Telegram; nothing twice, nothing lost, chains intact`, {
    timeout: BUDGET_MS + 420_000,
  }, async () => {
    const result = await runCrashScenario({
      seed: 20_261_203,
      kills: KILLS,
      articles: 14,
      budgetMs: BUDGET_MS,
      faults: true,
      resolveUnknowns: true,
    });
    console.log(result.figures);
    const { report } = result;
    expect(report.total).toBeGreaterThanOrEqual(200);
    expect(result.kills).toBeGreaterThanOrEqual(KILLS);
    expect(result.faults).toBeGreaterThan(20);
    expect(report.duplicates).toBe(0);
    expect(report.brokenChains).toBe(0);
    expect(report.problems).toEqual([]);
    // After the admins' decisions nothing is left unknown or held: every post went out once.
    expect(report.sent).toBe(report.total);
  });
});
