// Bundles the CLI into dist/quotecast.mjs for the long-running daemon (`npm start`). The daemon then
// runs as plain JavaScript: no TypeScript loader in memory (tsx costs about 50 MB of RSS). Packages
// stay external and load from node_modules as usual. `npm run quotecast` needs no build: it uses tsx.
// The document parser's worker thread is a second entry, dist/parse-worker.mjs, which the bundle
// starts from beside itself. `--outdir DIR` builds elsewhere (the tests build into a temp folder).
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const { values } = parseArgs({ options: { outdir: { type: 'string', default: 'dist' } } });

await build({
  entryPoints: {
    quotecast: 'src/apps/cli/main.ts',
    'parse-worker': 'src/adapters/parse-worker/parse-worker-main.ts',
  },
  outdir: values.outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
