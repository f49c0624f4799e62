import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createWorkerParser } from '../src/adapters/parse-worker/create-worker-parser.js';
import { DEFAULT_BOILERPLATE_RULES } from '../src/domain/boilerplate.js';
import { REPO_ROOT } from '../test/helpers/quotecast-process.js';
import { createTempDir } from '../test/helpers/temp-dir.js';

/**
 * Hostile input (issue 11, finding 1), as figures:
 * 1. how long a page nested 1,500 / 10,000 / 100,000 (1.1 MB) levels deep takes to be refused, by
 *    the parser (median of 5) and by `quotecast split` from the bundle (whole process, median of 3,
 *    beside the same command on a one-paragraph article: the start-up floor);
 * 2. peak RSS of `quotecast split` (the bundle, `--format json` to /dev/null) on the largest
 *    accepted input, 5 MB on one line: prose (71,000 sentences) and one 5 MB sentence, for each
 *    platform and mode; `--bundle PATH` measures another build (an older commit's) the same way;
 * 3. peak RSS of what the bot's /add does with it (parse in the worker, split for the default
 *    config's two channels), in a child process from the sources;
 * 4. the property tests (test/unit/ingest-properties.test.ts) with a larger budget.
 * Figures only, no assertions: machines differ.
 *
 * Run: `npm run bench -- hostile`, or `npx tsx bench/hostile-input-bench.ts [--bundle PATH]
 * [--runs N]` (N property cases each; 0 skips them).
 */

const SENTENCES = [
  'After eleven years behind fences, the old harbour opened to the public on Sunday.',
  'By noon more than 3,000 people had walked its quay, said Diane Okafor, who runs the port authority.',
  '“We waited a long time for this,” said one of them.',
  'The city plans a tram line along the water by 2027.',
];
const MAX_BYTES = 5 * 1024 * 1024;

export interface HostileBenchOptions {
  /** A built quotecast.mjs to measure instead of building the current sources. */
  readonly bundle?: string;
  /** Property-test cases per property; 0 skips them. */
  readonly propertyRuns?: number;
  readonly print?: (line: string) => void;
}

/** A page nested `levels` deep around one paragraph. */
export function nestedPage(levels: number): string {
  return `<!doctype html><html><head><title>Deep</title></head><body>${'<div>'.repeat(levels)}<p>${SENTENCES[0]}</p>${'</div>'.repeat(levels)}</body></html>`;
}

/** Prose on one line, just under `bytes` of UTF-8: whole sentences, figures varied. */
export function proseOnOneLine(bytes: number): string {
  const parts: string[] = [];
  let size = 1;
  for (let i = 0; ; i++) {
    const sentence = `${SENTENCES[i % SENTENCES.length]!.replace(/\d[\d,]*/, String(i))} `;
    const length = Buffer.byteLength(sentence);
    if (size + length > bytes) break;
    parts.push(sentence);
    size += length;
  }
  return `${parts.join('').trimEnd()}\n`;
}

/** One sentence of `bytes`: words, no sentence end until the last. */
export function oneSentence(bytes: number): string {
  const words = ['harbour', 'the', 'quay', 'reopened', 'and', 'people', 'walked', 'along', 'it', 'on'];
  const parts: string[] = [];
  let size = 2;
  for (let i = 0; size < bytes - 16; i++) {
    const word = words[i % words.length]!;
    parts.push(word);
    size += word.length + 1;
  }
  return `${parts.join(' ')}.\n`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface CliRun {
  readonly ms: number;
  readonly peakMb: number;
  /** The exit code, or "killed" when it ran past the time allowed. */
  readonly code: number | 'killed' | null;
}

/**
 * Runs the bundle's CLI; wall time and the process's peak RSS (reported by an exit hook). Killed
 * after `limitMs`: an old build spends more than ten minutes on the 1.1 MB nested page.
 */
function runCli(bundle: string, args: readonly string[], limitMs = 300_000): CliRun {
  const hook =
    'data:text/javascript,process.on("exit",()=>process.stderr.write("\\npeak-rss-kb "+process.resourceUsage().maxRSS+"\\n"))';
  const started = performance.now();
  const run = spawnSync(process.execPath, ['--import', hook, bundle, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    maxBuffer: 1024 * 1024 * 1024,
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: limitMs,
    killSignal: 'SIGKILL',
    env: {
      ...process.env,
      QUOTECAST_CONFIG: path.join(REPO_ROOT, 'config/default.yaml'),
      QUOTECAST_DRY_RUN: '1',
    },
  });
  const ms = performance.now() - started;
  const kb = Number(/peak-rss-kb (\d+)/.exec(run.stderr ?? '')?.[1] ?? Number.NaN);
  return { ms, peakMb: kb / 1024, code: run.signal === 'SIGKILL' ? 'killed' : run.status };
}

export async function runHostileInputBench(options: HostileBenchOptions = {}): Promise<void> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const dir = createTempDir('quotecast-hostile-bench-');
  try {
    let bundle = options.bundle;
    if (!bundle) {
      const built = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });
      if (built.status !== 0) throw new Error('npm run build failed');
      bundle = path.join(REPO_ROOT, 'dist/quotecast.mjs');
    }
    print(
      `hostile input bench: node ${process.version}, split from ${path.relative(REPO_ROOT, bundle)}; the parser and /add figures always come from the current sources`,
    );

    // 1. Nested pages.
    const small = dir.file('small.txt');
    writeFileSync(small, `Harbour opens\n\n${SENTENCES.join(' ')}\n`);
    const floor = median([0, 1, 2].map(() => runCli(bundle, ['split', small, '--platform', 'twitter']).ms));
    print(`  split of a one-paragraph article (the start-up floor): ${floor.toFixed(0)} ms`);
    const parser = createWorkerParser();
    try {
      for (const levels of [1500, 10_000, 100_000]) {
        const page = nestedPage(levels);
        const file = dir.file(`nested-${levels}.html`);
        writeFileSync(file, page);
        const times: number[] = [];
        let answer = '';
        for (let i = 0; i < 5; i++) {
          const started = performance.now();
          const outcome = await parser.parse({
            bytes: Buffer.from(page),
            source: file,
            format: 'auto',
            metadata: {},
            maxBytes: MAX_BYTES,
            boilerplate: DEFAULT_BOILERPLATE_RULES,
          });
          times.push(performance.now() - started);
          answer = outcome.ok ? 'ACCEPTED' : outcome.problem.code;
        }
        // Three runs, or one when it is slow (an old build takes minutes).
        const cli = [runCli(bundle, ['split', file, '--platform', 'twitter'], 120_000)];
        if (cli[0]!.ms < 10_000)
          cli.push(...[0, 1].map(() => runCli(bundle, ['split', file, '--platform', 'twitter'])));
        const outcome = cli[0]!.code === 'killed' ? 'was killed after' : `exits ${cli[0]!.code} in`;
        print(
          `  ${levels.toLocaleString('en')} levels (${(Buffer.byteLength(page) / 1024).toFixed(0)} KB): parser ${answer} in ${median(times).toFixed(1)} ms; split ${outcome} ${median(cli.map((c) => c.ms)).toFixed(0)} ms`,
        );
      }
    } finally {
      await parser.close();
    }

    // 2. 5 MB on one line through `split`.
    const inputs = [
      ['prose on one line', proseOnOneLine(MAX_BYTES)],
      ['one 5 MB sentence', oneSentence(MAX_BYTES)],
    ] as const;
    print('  peak RSS of `split FILE --format json > /dev/null` on 5 MB on one line:');
    for (const [name, text] of inputs) {
      const file = dir.file(`${name.replace(/\W+/g, '-')}.txt`);
      writeFileSync(file, text);
      const row: string[] = [];
      for (const platform of ['twitter', 'telegram']) {
        for (const mode of ['quotes', 'thread']) {
          const run = runCli(bundle, [
            'split',
            file,
            '--platform',
            platform,
            '--mode',
            mode,
            '--format',
            'json',
          ]);
          row.push(
            `${platform} ${mode} ${run.code === 0 ? '' : `(exit ${run.code}) `}${run.peakMb.toFixed(0)} MB, ${(run.ms / 1000).toFixed(1)} s`,
          );
        }
      }
      print(`    ${name} (${(Buffer.byteLength(text) / 1024 / 1024).toFixed(2)} MB): ${row.join('; ')}`);
    }

    // 3. The bot's /add path, from the sources.
    const prose = dir.file('prose.txt');
    writeFileSync(prose, proseOnOneLine(MAX_BYTES));
    const child = spawnSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', path.join(REPO_ROOT, 'bench/hostile-input-child.ts'), prose],
      { cwd: REPO_ROOT, encoding: 'utf8' },
    );
    print(`  /add of the same 5 MB (parse in the worker, split for x-demo and telegram-demo, under tsx):`);
    print(`    ${(child.stdout || child.stderr).trim()}`);

    // 4. Property tests, a larger budget.
    const runs = options.propertyRuns ?? 1000;
    if (runs > 0) {
      const started = performance.now();
      const vitest = spawnSync(
        process.execPath,
        ['node_modules/vitest/vitest.mjs', 'run', 'test/unit/ingest-properties.test.ts'],
        {
          cwd: REPO_ROOT,
          encoding: 'utf8',
          env: { ...process.env, QUOTECAST_PROPERTY_RUNS: String(runs) },
        },
      );
      const summary = /ingest properties: .*/.exec(vitest.stdout)?.[0] ?? 'no summary line';
      print(
        `  property tests at ${runs} cases each: ${vitest.status === 0 ? 'passed' : 'FAILED'} in ${((performance.now() - started) / 1000).toFixed(0)} s; ${summary}`,
      );
      if (vitest.status !== 0) print(vitest.stdout.slice(-3000));
    }
  } finally {
    dir.remove();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { bundle: { type: 'string' }, runs: { type: 'string' } } });
  await runHostileInputBench({
    ...(values.bundle ? { bundle: path.resolve(values.bundle) } : {}),
    ...(values.runs !== undefined ? { propertyRuns: Number(values.runs) } : {}),
  });
}
