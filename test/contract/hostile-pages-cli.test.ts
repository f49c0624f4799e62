import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTICLE_FIXTURES, articlePath } from '../fixtures/fixtures.js';
import { DEPTH_MESSAGE, nested } from '../helpers/hostile-html.js';
import { childEnv, REPO_ROOT, runQuotecast } from '../helpers/quotecast-process.js';
import { createTempDir, type TempDir } from '../helpers/temp-dir.js';

/**
 * Hostile pages (issue 11, finding 1) through the CLI as a process: from its sources (tsx) and from
 * the esbuild bundle `npm start` runs, where the parse worker must find its script. The worker and
 * the admin bot are checked in process in test/integration/hostile-pages.test.ts.
 */

describe('the CLI refuses nested pages with one line and exit 2', () => {
  let dir: TempDir;
  let bundle: string;
  const env = () =>
    childEnv({ QUOTECAST_CONFIG: path.join(REPO_ROOT, 'config/default.yaml'), QUOTECAST_DRY_RUN: '1' });

  beforeAll(() => {
    dir = createTempDir('quotecast-hostile-');
    writeFileSync(dir.file('deep-1500.html'), nested(1500));
    writeFileSync(dir.file('deep-10000.html'), nested(10_000));
    // The bundle is built where its packages resolve (they stay external): inside node_modules.
    const out = path.join(REPO_ROOT, 'node_modules/.cache', `quotecast-bundle-${process.pid}`);
    const build = spawnSync(process.execPath, ['scripts/build.mjs', '--outdir', out], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    if (build.status !== 0) throw new Error(`the bundle did not build: ${build.stderr}`);
    bundle = path.join(out, 'quotecast.mjs');
  }, 60_000);
  afterAll(() => {
    dir.remove();
    rmSync(path.dirname(bundle), { recursive: true, force: true });
  });

  it.each([['from the TypeScript sources (tsx)'], ['from the bundle npm start runs']])(
    '%s',
    async (how) => {
      const runs = how.includes('bundle') ? { bundle } : {};
      for (const name of ['deep-1500.html', 'deep-10000.html']) {
        const run = await runQuotecast(
          ['split', dir.file(name), '--platform', 'twitter', '--format', 'json'],
          {
            env: env(),
            cwd: dir.path,
            ...runs,
          },
        );
        expect(run.code).toBe(2);
        expect(run.stdout).toBe('');
        expect(run.stderr).toBe(
          `quotecast split: ${DEPTH_MESSAGE} in ${dir.file(name)} (a news page nests 30 to 60 deep); nothing was read\n`,
        );
      }
      // The worker itself works there: HTML and Markdown are read through it.
      for (const name of [ARTICLE_FIXTURES.html, ARTICLE_FIXTURES.markdown]) {
        const run = await runQuotecast(
          ['split', articlePath(name), '--platform', 'telegram', '--format', 'json'],
          {
            env: env(),
            cwd: dir.path,
            ...runs,
          },
        );
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        expect(JSON.parse(run.stdout).length).toBeGreaterThan(0);
      }
    },
    120_000,
  );
});
