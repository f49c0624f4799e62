// Bundles the CLI into dist/quotecast.mjs for the long-running daemon (`npm start`). The daemon then
// runs as plain JavaScript: no TypeScript loader in memory (tsx costs about 50 MB of RSS). Packages
// stay external and load from node_modules as usual. `npm run quotecast` needs no build: it uses tsx.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/apps/cli/main.ts'],
  outfile: 'dist/quotecast.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
