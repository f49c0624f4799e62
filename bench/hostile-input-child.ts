/**
 * What the bot's /add does with an article file, in a process of its own so its peak RSS is its own:
 * parse through the worker parser, split for every channel of config/default.yaml. Prints peak RSS
 * before and after, and RSS once the parser is closed and the splits dropped. Run by
 * hostile-input-bench.ts as `node --expose-gc --import tsx bench/hostile-input-child.ts FILE`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createWorkerParser } from '../src/adapters/parse-worker/create-worker-parser.js';
import { loadConfig } from '../src/config/load-config.js';
import { parseWithSettings, splitForChannels } from '../src/use-cases/prepare-article.js';

const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
const file = process.argv[2];
if (!file) throw new Error('usage: hostile-input-child.ts FILE');
const root = path.resolve(import.meta.dirname, '..');
const loaded = loadConfig({ cwd: root, env: { QUOTECAST_CONFIG: 'config/default.yaml' } });
if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
const { settings, channels } = loaded.config;

const before = process.resourceUsage().maxRSS;
const started = performance.now();
const parser = createWorkerParser();
const outcome = await parseWithSettings(parser, { bytes: readFileSync(file), source: file }, settings);
if (!outcome.ok) throw new Error(outcome.problem.message);
const parsed = performance.now();
let splits: ReturnType<typeof splitForChannels> | undefined = splitForChannels(outcome.article, channels);
const counts = splits
  .map((s) => `${s.channel.id} ${s.result.posts.length.toLocaleString('en')} posts`)
  .join(', ');
const peak = process.resourceUsage().maxRSS;
const split = performance.now();
await parser.close();
splits = undefined;
(globalThis as { gc?: () => void }).gc?.();
const { rss, heapUsed } = process.memoryUsage();
process.stdout.write(
  `loaded ${mb(before)}; peak ${mb(peak)} (+${mb(peak - before)}); parse ${(parsed - started).toFixed(0)} ms, split ${(split - parsed).toFixed(0)} ms (${counts}); after, parser closed: RSS ${mb(rss / 1024)}, heap in use ${mb(heapUsed / 1024)}\n`,
);
