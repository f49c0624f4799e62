// Bundles the CLI into dist/quotecast.mjs, the file `npm start`, the `quotecast` bin and the deploy/
// recipes run. The daemon then runs as plain JavaScript: no TypeScript loader in memory (tsx costs
// about 50 MB of RSS and a second of start-up). Packages stay external and load from node_modules as
// usual. `npm run quotecast` needs no build: it uses tsx.
// The document parser's worker thread is a second entry, dist/parse-worker.mjs, which the bundle
// starts from beside itself. `--outdir DIR` builds elsewhere (the tests build into a temp folder).
//
// `--if-possible` (what `prestart` runs): builds when esbuild is installed; on a production install
// (`npm prune --omit=dev` or `npm ci --omit=dev`, no esbuild) it keeps the prebuilt bundle, warns
// when src/ is newer than it, and fails with the fix when there is no bundle at all.
import { chmodSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { outdir: { type: 'string', default: 'dist' }, 'if-possible': { type: 'boolean' } },
});

let esbuild;
try {
  esbuild = await import('esbuild');
} catch (error) {
  if (!values['if-possible'] || error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
}

if (esbuild === undefined) {
  const bundle = path.join(values.outdir, 'quotecast.mjs');
  if (!existsSync(bundle)) {
    console.error(
      `quotecast: ${bundle} is missing and esbuild is not installed (a production install leaves dev dependencies out). ` +
        'Build before pruning: npm ci && npm run build && npm prune --omit=dev (see "Running in production" in the README).',
    );
    process.exit(1);
  }
  const built = statSync(bundle).mtimeMs;
  const newer = newestFile('src');
  if (newer && newer.mtimeMs > built) {
    console.error(
      `quotecast: note: ${newer.file} changed after ${bundle} was built; running the older bundle. Rebuild with a full install (npm ci && npm run build) to include the change.`,
    );
  }
  process.exit(0);
}

// Chunk names carry a hash: without this, every build would leave the previous ones behind (and
// `npm pack` would ship them). A daemon running from dist/ loads all its chunks at start, and parse
// workers start from dist/parse-worker.mjs, which the build rewrites with the new chunks' names.
rmSync(path.join(values.outdir, 'chunks'), { recursive: true, force: true });
await esbuild.build({
  entryPoints: {
    quotecast: 'src/apps/cli/main.ts',
    'parse-worker': 'src/adapters/parse-worker/parse-worker-main.ts',
  },
  outdir: values.outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  // Each command's code (and the packages only it uses: telegraf, SQLite, the HTML parser…) goes to
  // its own chunk, loaded when the command runs: without splitting, every package loads at every
  // start (`quotecast help` cost 0.4 s of CPU).
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
  // The bundle is the package's `bin`: an installed `quotecast` runs it directly.
  banner: { js: '#!/usr/bin/env node' },
});
chmodSync(path.join(values.outdir, 'quotecast.mjs'), 0o755);

/** The most recently changed file under `dir` (undefined when there is none). */
function newestFile(dir) {
  let newest;
  if (!existsSync(dir)) return undefined;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    // parentPath is Node 20.12+; `path` is its name on 20.10 and 20.11 (engines allow them).
    const file = path.join(entry.parentPath ?? entry.path, entry.name);
    const { mtimeMs } = statSync(file);
    if (!newest || mtimeMs > newest.mtimeMs) newest = { file, mtimeMs };
  }
  return newest;
}
