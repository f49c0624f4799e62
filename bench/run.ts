import { runCliStartupBench } from './cli-startup-bench.js';
import { runDaemonMemoryBench } from './daemon-memory-bench.js';
import { runHostileInputBench } from './hostile-input-bench.js';
import { runPacingBench } from './pacing-bench.js';
import { runSharedQueueBench } from './shared-queue-bench.js';
import { runSplitBench } from './split-bench.js';
import { runStoreBench } from './store-bench.js';

/**
 * `npm run bench`: every benchmark in turn. Each prints figures, as ratios against a baseline measured
 * in the same run where there is one; none asserts on time (the machines are shared and noisy).
 * `npm run bench -- split` (or store, pacing, memory, hostile, cli, shared) runs one. `shared` (several
 * daemons on one PostgreSQL queue) runs only when named: it needs PostgreSQL and takes about 2 minutes.
 */
const print = (line: string) => process.stdout.write(`${line}\n`);
const benches: Record<string, () => unknown> = {
  split: () => runSplitBench(print),
  store: runStoreBench,
  pacing: runPacingBench,
  memory: runDaemonMemoryBench,
  hostile: () => runHostileInputBench({ print }),
  cli: () => runCliStartupBench(print),
  shared: runSharedQueueBench,
};

const chosen = process.argv.slice(2);
const unknown = chosen.filter((name) => !(name in benches));
if (unknown.length > 0) {
  print(`unknown bench ${unknown.join(', ')}; choose from ${Object.keys(benches).join(', ')}`);
  process.exit(2);
}
const onlyWhenNamed = new Set(['shared']);
for (const name of chosen.length > 0 ? chosen : Object.keys(benches).filter((n) => !onlyWhenNamed.has(n))) {
  print(`\n=== ${name} ===`);
  await benches[name]!();
}
