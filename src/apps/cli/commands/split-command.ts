import type { Writable } from 'node:stream';
import { createHttpFetcher } from '../../../adapters/http/create-http-fetcher.js';
import { createWorkerParser } from '../../../adapters/parse-worker/create-worker-parser.js';
import { PLATFORMS, type Platform, type PostingMode } from '../../../domain/article.js';
import { INPUT_FORMATS, type InputFormat } from '../../../domain/ingest-input.js';
import type { ArticleMetadata } from '../../../domain/ingest-text.js';
import { liveMentionWarning } from '../../../domain/mentions.js';
import { rulesFor } from '../../../domain/platform-rules.js';
import {
  MODES,
  postLiveMentions,
  type SplitPost,
  type SplitSettings,
  splitArticle,
} from '../../../domain/split-article.js';
import { FetchError } from '../../../ports/article-fetcher.js';
import { isUrl, loadArticleFromUrl } from '../../../use-cases/load-article.js';
import {
  channelSplitSettings,
  defaultSplitSettings,
  parseWithSettings,
} from '../../../use-cases/prepare-article.js';
import { oneOf, parseCommandArgs } from '../args.js';
import type { CliContext } from '../cli-context.js';
import { CliError, EXIT_FAILURE } from '../cli-error.js';
import { readInput } from '../read-input.js';
import { SPLIT_USAGE } from '../usage.js';

const INPUT_OPTIONS = {
  format: { type: 'string' },
  'input-format': { type: 'string' },
  url: { type: 'string' },
  author: { type: 'string' },
  publication: { type: 'string' },
  title: { type: 'string' },
} as const;

/** Reads and ingests the article named by the command line (FILE, - or a URL); shared by `split`, `sentences`, `add` and `publish`. */
export async function readArticle(
  ctx: CliContext,
  positionals: readonly string[],
  values: Record<string, unknown>,
) {
  if (positionals.length > 1)
    throw new CliError(`expected one FILE, got ${positionals.length}: ${positionals.join(' ')}`);
  const { settings } = ctx.config();
  const inputFormat = oneOf<InputFormat | 'auto'>(
    '--input-format',
    values['input-format'] as string | undefined,
    ['auto', ...INPUT_FORMATS],
    'auto',
  );
  const metadata: ArticleMetadata = {
    ...(values.url ? { url: checkUrl(values.url as string) } : {}),
    ...(values.author ? { byline: values.author as string } : {}),
    ...(values.publication ? { publication: values.publication as string } : {}),
    ...(values.title ? { title: values.title as string } : {}),
  };
  const source = positionals[0];
  // HTML and Markdown (and big text) are parsed in a worker under a time and memory budget: a page
  // nested thousands deep is one clear error, not a hung command.
  const parser = ctx.parser ?? createWorkerParser();
  try {
    if (source && isUrl(source)) {
      // The same fetch as `add URL`: timeouts, size limit, the page's own title, author and link.
      const fetcher = createHttpFetcher({
        timeoutMs: settings.input.fetchTimeoutMs,
        maxBytes: settings.input.maxBytes,
        allowInternalHosts: settings.input.allowInternalHosts,
      });
      try {
        const outcome = await loadArticleFromUrl(fetcher, parser, source, settings, metadata);
        if (!outcome.ok) throw new CliError(outcome.problem.message);
        return outcome;
      } catch (error) {
        if (error instanceof FetchError) throw new CliError(error.message, EXIT_FAILURE);
        throw error;
      }
    }
    const { bytes, source: name } = await readInput(source, settings.input.maxBytes, ctx.stdin);
    const outcome = await parseWithSettings(
      parser,
      { bytes, source: name, format: inputFormat, metadata },
      settings,
    );
    if (!outcome.ok) throw new CliError(outcome.problem.message);
    return outcome;
  } finally {
    if (parser !== ctx.parser) await parser.close();
  }
}

export async function splitCommand(ctx: CliContext, args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('split', args, {
    ...INPUT_OPTIONS,
    platform: { type: 'string' },
    mode: { type: 'string' },
    channel: { type: 'string' },
    target: { type: 'string' },
  });
  const format = oneOf('--format', values.format, ['text', 'json'] as const, 'text');
  const config = ctx.config();
  const channel = values.channel ? config.channels.find((c) => c.id === values.channel) : undefined;
  if (values.channel && !channel) {
    throw new CliError(
      `unknown channel "${values.channel}"; configured: ${config.channels.map((c) => c.id).join(', ')}`,
    );
  }
  if (!values.platform && !channel)
    throw new CliError(`split needs --platform twitter|telegram (or --channel ID); usage: ${SPLIT_USAGE}`);
  const platform = oneOf<Platform>('--platform', values.platform, PLATFORMS, channel?.platform ?? 'twitter');
  if (channel && channel.platform !== platform)
    throw new CliError(`channel ${channel.id} is a ${channel.platform} channel, not ${platform}`);
  const mode = oneOf<PostingMode>('--mode', values.mode, MODES, channel?.mode ?? 'quotes');
  const rules = rulesFor(platform);
  let settings = channel ? channelSplitSettings(channel, mode) : defaultSplitSettings(platform, mode);
  if (values.target !== undefined) {
    const target = Number(values.target);
    if (!Number.isInteger(target) || target < 20 || target > rules.maxLength) {
      throw new CliError(
        `--target must be a whole number from 20 to ${rules.maxLength} (the ${platform} limit)`,
      );
    }
    settings = { ...settings, targetLength: target };
  }

  const outcome = await readArticle(ctx, positionals, values);
  let result: ReturnType<typeof splitArticle>;
  try {
    result = splitArticle(outcome.article, settings, rules);
  } catch (error) {
    // "the quote template needs 57 of 60 … raise the length target to at least 77": name the flag.
    if (error instanceof RangeError)
      throw new CliError(
        values.target === undefined
          ? error.message
          : `--target ${values.target} is too small: ${error.message}`,
      );
    throw error;
  }
  if (format === 'json') {
    const article = {
      title: outcome.article.title,
      ...(outcome.article.byline ? { author: outcome.article.byline } : {}),
      dropped: outcome.removed.map((r) => ({ kind: r.kind, reason: r.reason, text: r.text })),
    };
    const posts = mapLazily(result.posts, (post, i) => {
      const live = postLiveMentions(post.text, settings, platform);
      return {
        ...toJson(post, i, platform, mode, Math.min(settings.targetLength, rules.maxLength), rules.maxLength),
        ...(live.length > 0 ? { liveMentions: live } : {}),
        article,
      };
    });
    await writeStreamed(ctx.stdout, jsonArray(posts));
    return 0;
  }
  await writeStreamed(
    ctx.stdout,
    renderText(result.posts, settings, {
      platform,
      mode,
      target: settings.targetLength,
      limit: rules.maxLength,
      unit: rules.unit,
      title: outcome.article.title,
    }),
  );
  for (const removed of outcome.removed)
    ctx.stderr.write(`note: dropped ${removed.reason}: ${shorten(removed.text, 70)}\n`);
  for (const warning of result.warnings) ctx.stderr.write(`warning: ${warning}\n`);
  return 0;
}

function toJson(
  post: SplitPost,
  index: number,
  platform: Platform,
  mode: PostingMode,
  target: number,
  limit: number,
) {
  return {
    index: index + 1,
    text: post.text,
    length: post.length,
    target,
    limit,
    platform,
    mode,
    forced: post.forced,
    ...(post.score !== undefined
      ? { score: post.score, chosen: post.chosen ?? false, reasons: post.reasons ?? [] }
      : {}),
    ...(post.attribution ? { attribution: post.attribution } : {}),
    ...(post.speaker ? { speaker: post.speaker } : {}),
    sentences: { first: post.units[0] + 1, last: post.units[1] + 1 },
  };
}

/** The text listing, a few lines at a time (see `writeStreamed`). */
function* renderText(
  posts: readonly SplitPost[],
  settings: SplitSettings,
  info: { platform: Platform; mode: PostingMode; target: number; limit: number; unit: string; title: string },
): Generator<string> {
  const chosen = posts.filter((p) => p.chosen).length;
  yield line(
    info.mode === 'quotes'
      ? `${info.title}\n${posts.length} candidate quotes for ${info.platform}, ${chosen} chosen (★), best first in article order; lengths in ${info.unit}, limit ${info.limit}`
      : `${info.title}\n${posts.length} thread posts for ${info.platform}; lengths in ${info.unit}, target ${info.target}, limit ${info.limit}`,
  );
  for (const [i, post] of posts.entries()) {
    const lines: string[] = [];
    const mark = info.mode === 'quotes' ? (post.chosen ? '★ ' : '  ') : '';
    const score = post.score !== undefined ? `  score ${post.score}` : '';
    const forced = post.forced ? '  (cut inside a word: a token longer than a post)' : '';
    lines.push('', `${mark}#${i + 1}  ${post.length}/${info.limit}${score}${forced}`);
    if (post.reasons?.length) lines.push(`   ${post.reasons.join('; ')}`);
    lines.push(...post.text.split('\n').map((l) => `   ${l}`));
    // Under `mentions: keep`, every name X will notify is pointed out.
    for (const m of postLiveMentions(post.text, settings, info.platform))
      lines.push(`   ⚠ ${liveMentionWarning(m)}`);
    yield line(lines.join('\n'));
  }
}

const line = (text: string) => `${text}\n`;

function* mapLazily<T, U>(items: readonly T[], map: (item: T, index: number) => U): Generator<U> {
  for (const [i, item] of items.entries()) yield map(item, i);
}

/** `JSON.stringify(items, null, 2)` and a newline, one item at a time. */
function* jsonArray(items: Iterable<unknown>): Generator<string> {
  let first = true;
  for (const item of items) {
    yield `${first ? '[\n' : ',\n'}${JSON.stringify(item, null, 2).replace(/^/gm, '  ')}`;
    first = false;
  }
  yield first ? '[]\n' : '\n]\n';
}

/**
 * Writes the pieces in chunks of about 64 KB, waiting whenever the reader is behind. A 5 MB article
 * has 140,000 candidate quotes, about 90 MB of JSON: built as one array and one string, the output
 * alone took some 500 MB; streamed, it takes the chunk being written.
 */
async function writeStreamed(stream: NodeJS.WritableStream, pieces: Iterable<string>): Promise<void> {
  let chunk = '';
  for (const piece of pieces) {
    chunk += piece;
    if (chunk.length < 64 * 1024) continue;
    await writeChunk(stream, chunk);
    chunk = '';
  }
  if (chunk) await writeChunk(stream, chunk);
}

function writeChunk(stream: NodeJS.WritableStream, chunk: string): Promise<void> {
  if (stream.write(chunk)) return Promise.resolve();
  // A reader that went away (`| head -1`) never drains: what it did not read is dropped.
  const { destroyed, writableEnded } = stream as Writable;
  if (destroyed || writableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
    stream.on('error', done);
  });
}

function checkUrl(value: string): string {
  if (!/^https?:\/\/\S+$/.test(value)) throw new CliError(`--url "${value}" is not an http(s) URL`);
  return value;
}

export function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export { INPUT_OPTIONS };
