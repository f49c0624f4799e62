import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * `npm run bench -- cli`: `quotecast split` on the sample article through the two ways a user runs the
 * CLI, side by side in one run: the development path (`npm run quotecast`, i.e. tsx compiling the
 * TypeScript sources on every start) and the installed one (the `quotecast` bin, i.e. the esbuild
 * bundle dist/quotecast.mjs under plain node). Each run is a fresh process timed by GNU time, which
 * counts the CPU of the process and every child it waited for (tsx starts a second node). The runs
 * alternate, so a noisy neighbour hits both alike. Medians; figures only, no assertions. The issue's
 * target: the installed CLI at most half the CPU time of the tsx path.
 */

const ROUNDS = 7;
const root = path.resolve(import.meta.dirname, '..');
const SEED = path.resolve(root, '../shared/seed/000_2d6e0c6b88b7ca38.txt');

interface Run {
  readonly cpuSeconds: number;
  readonly wallSeconds: number;
  readonly maxRssMb: number;
}

export function runCliStartupBench(print: (line: string) => void): void {
  const bundle = path.join(root, 'dist/quotecast.mjs');
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0 || !existsSync(bundle)) throw new Error(`build failed: ${build.stderr}`);
  if (!existsSync(SEED)) throw new Error(`the sample article is missing: ${SEED}`);
  const tsx = path.join(root, 'node_modules/tsx/dist/cli.mjs');
  const paths = {
    'tsx (npm run quotecast)': [process.execPath, tsx, 'src/apps/cli/main.ts'],
    'bundle (installed quotecast)': [process.execPath, bundle],
  } as const;
  const runs = new Map<string, Run[]>(Object.keys(paths).map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, command] of Object.entries(paths)) {
      runs.get(name)!.push(timed([...command, 'split', SEED, '--platform', 'twitter']));
    }
  }
  print(`quotecast split on the seed article, ${ROUNDS} runs each, medians (node ${process.version}):`);
  const medians = new Map<string, Run>();
  for (const [name, list] of runs) {
    const m = {
      cpuSeconds: median(list.map((r) => r.cpuSeconds)),
      wallSeconds: median(list.map((r) => r.wallSeconds)),
      maxRssMb: median(list.map((r) => r.maxRssMb)),
    };
    medians.set(name, m);
    print(
      `  ${name.padEnd(30)} CPU ${m.cpuSeconds.toFixed(2)} s   wall ${m.wallSeconds.toFixed(2)} s   peak RSS ${m.maxRssMb.toFixed(0)} MB`,
    );
  }
  const [dev, installed] = [...medians.values()] as [Run, Run];
  print(
    `  installed / tsx: CPU ${(installed.cpuSeconds / dev.cpuSeconds).toFixed(2)}x (target <= 0.50), wall ${(installed.wallSeconds / dev.wallSeconds).toFixed(2)}x, peak RSS ${(installed.maxRssMb / dev.maxRssMb).toFixed(2)}x`,
  );
}

/** One run under GNU time: user+system CPU of the process tree, wall time, peak RSS of the largest process. */
function timed(command: readonly string[]): Run {
  const result = spawnSync('/usr/bin/time', ['-f', 'QCTIME %U %S %e %M', ...command], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  if (result.status !== 0) throw new Error(`${command.join(' ')} failed: ${result.stderr}`);
  const line = result.stderr.split('\n').find((l) => l.startsWith('QCTIME '));
  if (!line) throw new Error(`no timing from /usr/bin/time: ${result.stderr}`);
  const [user = 0, system = 0, wall = 0, rssKb = 0] = line.split(' ').slice(1).map(Number);
  if (!result.stdout.trim()) throw new Error(`${command.join(' ')} printed no posts`);
  return { cpuSeconds: user + system, wallSeconds: wall, maxRssMb: rssKb / 1024 };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
