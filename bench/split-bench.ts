import { pathToFileURL } from 'node:url';
import twitterText from 'twitter-text';
import type { Article, Platform, PostingMode } from '../src/domain/article.js';
import { rulesFor } from '../src/domain/platform-rules.js';
import { splitArticle } from '../src/domain/split-article.js';
import { defaultSplitSettings } from '../src/use-cases/prepare-article.js';
import { ARTICLE_FIXTURES, articlePath, ingestFile } from '../test/fixtures/fixtures.js';

/**
 * Split throughput on a large article built from the test fixtures, for each platform and mode:
 * MB/s at 64 KB, 256 KB and 1 MB (16x the input should take well under 20x the time), and the cost
 * relative to one bare twitter-text `parseTweet` pass over the same paragraphs, timed in the same
 * runs (target: split at most 3x that). Figures only, no assertions: machines differ.
 *
 * Run: `npm run bench` (this and the store bench) or `npx tsx bench/split-bench.ts`.
 */

const { parseTweet } = twitterText;

const SIZES = [64 * 1024, 256 * 1024, 1024 * 1024] as const;
const MODES: readonly PostingMode[] = ['thread', 'quotes'];
const PLATFORMS: readonly Platform[] = ['twitter', 'telegram'];

export interface SplitBenchRow {
  readonly platform: Platform;
  readonly mode: PostingMode;
  readonly bytes: number;
  readonly ms: number;
  readonly mbPerSecond: number;
  readonly posts: number;
  /** The bare parseTweet pass timed alongside this row's runs. */
  readonly parseTweetMs: number;
}

export interface SplitBenchResult {
  readonly rows: readonly SplitBenchRow[];
  /** Median time of one parseTweet pass over each size's paragraphs. */
  readonly parseTweetMs: Readonly<Record<number, number>>;
}

/** Paragraphs of every fixture article, the seed of the large article. */
function seedParagraphs(): string[] {
  return Object.values(ARTICLE_FIXTURES).flatMap((name) => [
    ...ingestFile(articlePath(name)).article.paragraphs,
  ]);
}

const NAMES = [
  'Okafor',
  'Lima',
  'Reyes',
  'Natarajan',
  'Whitaker',
  'Quintas',
  'Duarte',
  'Ortega',
  'Park',
  'Osei',
];
const PLACES = ['harbour', 'quay', 'old port', 'terminus', 'river bank', 'archive', 'market', 'station'];

/**
 * Copy `copy` of a paragraph: figures shifted, names and places rotated, so no two copies' sentences
 * are the same (no cache or duplicate can flatter the figures).
 */
function vary(paragraph: string, copy: number): string {
  return paragraph
    .replace(/\d+/g, (digits) => String(Number(digits) + copy))
    .replace(
      new RegExp(`\\b(${NAMES.join('|')})\\b`, 'g'),
      (name) => NAMES[(NAMES.indexOf(name) + copy) % NAMES.length]!,
    )
    .replace(
      new RegExp(`\\b(${PLACES.join('|')})\\b`, 'g'),
      (place) => PLACES[(PLACES.indexOf(place) + copy) % PLACES.length]!,
    );
}

/** An article of about `bytes` UTF-8 bytes of body text. */
export function buildArticle(bytes: number, seed: readonly string[] = seedParagraphs()): Article {
  const paragraphs: string[] = [];
  let size = 0;
  for (let copy = 0; size < bytes; copy++) {
    for (const paragraph of seed) {
      const varied = vary(paragraph, copy);
      paragraphs.push(varied);
      size += Buffer.byteLength(varied) + 2;
      if (size >= bytes) break;
    }
  }
  return {
    title: 'Benchmark article',
    byline: 'Bench Writer',
    url: 'https://courier.example.net/bench/a-long-article',
    publication: 'The Coastal Courier',
    paragraphs,
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Milliseconds of CPU (user + system) that `fn` takes. On a shared machine CPU time varies far less
 * than wall time, which also counts the time spent waiting for a core.
 */
function cpuMs(fn: () => void): number {
  const before = process.cpuUsage();
  fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

function parseTweetPass(article: Article): void {
  for (const paragraph of article.paragraphs) parseTweet(paragraph);
}

export function runSplitBench(
  print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): SplitBenchResult {
  const seed = seedParagraphs();
  const articles = SIZES.map((bytes) => ({ bytes, article: buildArticle(bytes, seed) }));
  const runsFor = (bytes: number) => (bytes >= 1024 * 1024 ? 5 : 7);

  // Warm-up: every code path once, on the smallest article.
  const small = articles[0]!.article;
  parseTweetPass(small);
  for (const platform of PLATFORMS) {
    for (const mode of MODES) splitArticle(small, defaultSplitSettings(platform, mode), rulesFor(platform));
  }

  const rows: SplitBenchRow[] = [];
  const parseSamples: Record<number, number[]> = {};
  print(
    'split benchmark: CPU ms per split, median of 7 samples (5 at 1 MB) after a warm-up, each sample about 1 MB of input; each split sample is paired with a bare parseTweet pass over the same paragraphs',
  );
  print(
    `${'platform'.padEnd(9)}${'mode'.padEnd(8)}${'size'.padStart(8)}${'posts'.padStart(8)}${'split ms'.padStart(10)}${'MB/s'.padStart(8)}${'parse ms'.padStart(10)}${'ratio'.padStart(7)}`,
  );
  for (const platform of PLATFORMS) {
    const rules = rulesFor(platform);
    for (const mode of MODES) {
      const settings = defaultSplitSettings(platform, mode);
      for (const { bytes, article } of articles) {
        let posts = 0;
        const splitTimes: number[] = [];
        const parseTimes: number[] = [];
        // Every sample covers about 1 MB of input (a 64 KB article is split 16 times), so small
        // sizes are not lost in timer and GC noise; times are per single split.
        const reps = Math.max(1, Math.round(SIZES.at(-1)! / bytes));
        for (let run = 0; run < runsFor(bytes); run++) {
          parseTimes.push(
            cpuMs(() => {
              for (let r = 0; r < reps; r++) parseTweetPass(article);
            }) / reps,
          );
          splitTimes.push(
            cpuMs(() => {
              for (let r = 0; r < reps; r++) posts = splitArticle(article, settings, rules).posts.length;
            }) / reps,
          );
        }
        const ms = median(splitTimes);
        const parseMs = median(parseTimes);
        parseSamples[bytes] = [...(parseSamples[bytes] ?? []), ...parseTimes];
        const row: SplitBenchRow = {
          platform,
          mode,
          bytes,
          ms,
          mbPerSecond: bytes / 1024 / 1024 / (ms / 1000),
          posts,
          parseTweetMs: parseMs,
        };
        rows.push(row);
        print(
          `${platform.padEnd(9)}${mode.padEnd(8)}${`${bytes / 1024} KB`.padStart(8)}${String(posts).padStart(8)}${ms.toFixed(0).padStart(10)}${row.mbPerSecond.toFixed(2).padStart(8)}${parseMs.toFixed(0).padStart(10)}${(ms / parseMs).toFixed(2).padStart(7)}`,
        );
      }
      const first = rows.find((r) => r.platform === platform && r.mode === mode && r.bytes === SIZES[0])!;
      const last = rows.find((r) => r.platform === platform && r.mode === mode && r.bytes === SIZES.at(-1))!;
      const scaling = last.ms / first.ms;
      const ratio = last.ms / last.parseTweetMs;
      print(
        `  ${platform} ${mode}: 16x the input took ${scaling.toFixed(1)}x the time (target <= 20x: ${scaling <= 20 ? 'met' : 'MISSED'}); at 1 MB ${ratio.toFixed(2)}x one parseTweet pass (target <= 3x: ${ratio <= 3 ? 'met' : 'MISSED'})`,
      );
    }
  }
  const parseTweetMs = Object.fromEntries(SIZES.map((b) => [b, median(parseSamples[b]!)]));
  print(
    `parseTweet pass alone, paragraph by paragraph (median): ${SIZES.map((b) => `${b / 1024} KB ${parseTweetMs[b]!.toFixed(0)} ms`).join(', ')}`,
  );
  return { rows, parseTweetMs };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runSplitBench();
}
