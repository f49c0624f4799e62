import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runSplitBench } from './split-bench.js';

/**
 * `npm run bench`: the split benchmark, then the store benchmark when bench/store-bench.ts exists and
 * exports `runStoreBench` (it is imported only then, so this runs without it).
 */

const print = (line: string) => process.stdout.write(`${line}\n`);

runSplitBench(print);

const storeBench = new URL('./store-bench.ts', import.meta.url);
if (existsSync(fileURLToPath(storeBench))) {
  // A computed specifier: neither tsc nor the loader needs the file unless it is there.
  const module: { runStoreBench?: unknown } = await import(storeBench.href);
  if (typeof module.runStoreBench === 'function') {
    print('');
    await (module.runStoreBench as () => unknown)();
  } else {
    print('bench/store-bench.ts exports no runStoreBench; skipped');
  }
}
