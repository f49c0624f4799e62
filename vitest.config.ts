import { defineConfig } from 'vitest/config';

// `npm test`: every tier but the slow one (test/slow: long crash runs), which `npm run test:slow`
// runs with vitest.slow.config.ts. CI runs both.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/slow/**', '**/node_modules/**'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});
