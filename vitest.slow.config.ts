import { defineConfig } from 'vitest/config';

// The slow tiers, `npm run test:slow` (CI runs them after `npm test`):
// - test/contract: the CLI as a real process, where the process is the point (exit codes through a
//   shell, SIGINT/SIGTERM, SIGKILL mid-send, stdin pipes, a pseudo-terminal, EPIPE, `npm run`, the
//   esbuild bundle);
// - test/slow: long crash runs against the loopback fakes, the failover run of three daemons on one
//   PostgreSQL, and the throwaway PostgreSQL harness's own test (servers started and killed).
export default defineConfig({
  test: {
    include: ['test/contract/**/*.test.ts', 'test/slow/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
