import { defineConfig } from 'vitest/config';

// The slow tier: long crash runs against the loopback fakes (see test/slow). `npm run test:slow`.
export default defineConfig({
  test: {
    include: ['test/slow/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
