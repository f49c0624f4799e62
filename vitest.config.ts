import { defineConfig } from 'vitest/config';

// `npm test`: the fast tier, test/unit and test/integration (the CLI runs in process there, through
// test/helpers/run-cli.ts). `npm run test:slow` runs the slow tiers with vitest.slow.config.ts:
// test/contract (the CLI as a real process) and test/slow (long crash runs). CI runs both.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    // One throwaway PostgreSQL for the whole tier (the store contract runs on it as on SQLite).
    globalSetup: ['test/helpers/postgres-global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // vitest's default on 2 cores is one worker. Much of this tier waits on loopback servers and on
    // real pacing (a Telegram message a second), so three workers keep both cores busy: 100 s → 70 s
    // on the 2-core machine (see the issue 13 note).
    maxWorkers: 3,
  },
});
