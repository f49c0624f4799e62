import { createHttpFetcher } from '../../../adapters/http/create-http-fetcher.js';
import type { Config, ResolvedChannel } from '../../../config/load-config.js';
import type { PostingMode } from '../../../domain/article.js';
import type { IngestOutcome } from '../../../domain/ingest-article.js';
import { MODES } from '../../../domain/split-article.js';
import { FetchError } from '../../../ports/article-fetcher.js';
import { enqueueArticle } from '../../../use-cases/enqueue-article.js';
import { isUrl, loadArticleFromUrl } from '../../../use-cases/load-article.js';
import { oneOf, parseCommandArgs } from '../args.js';
import type { CliContext } from '../cli-context.js';
import { CliError, EXIT_FAILURE } from '../cli-error.js';
import { openRuntime } from '../open-runtime.js';
import { ADD_USAGE } from '../usage.js';
import { INPUT_OPTIONS, readArticle } from './split-command.js';

/** Picks channels by `--channels a,b` (default: every enabled channel); unknown ids are errors. */
export function selectChannels(config: Config, list: string | undefined): ResolvedChannel[] {
  if (!list) return config.channels.filter((c) => c.enabled);
  const ids = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = ids.filter((id) => !config.channels.some((c) => c.id === id));
  if (unknown.length > 0) {
    throw new CliError(
      `unknown channel${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; configured: ${config.channels.map((c) => c.id).join(', ')}`,
    );
  }
  return config.channels.filter((c) => ids.includes(c.id));
}

/** Reads FILE, stdin or a URL into an article; shared by `add` and `publish`. */
export async function loadArticleArg(
  ctx: CliContext,
  positionals: readonly string[],
  values: Record<string, unknown>,
): Promise<Extract<IngestOutcome, { ok: true }>> {
  const source = positionals[0];
  if (source && isUrl(source)) {
    const { settings } = ctx.config();
    const fetcher = createHttpFetcher({
      timeoutMs: settings.input.fetchTimeoutMs,
      maxBytes: settings.input.maxBytes,
    });
    try {
      const outcome = await loadArticleFromUrl(fetcher, source, settings, {
        ...(values.author ? { byline: values.author as string } : {}),
      });
      if (!outcome.ok) throw new CliError(outcome.problem.message);
      return outcome;
    } catch (error) {
      if (error instanceof FetchError) throw new CliError(error.message, EXIT_FAILURE);
      throw error;
    }
  }
  return readArticle(ctx, positionals, values);
}

/** `quotecast add`: ingest, split per channel and queue in one transaction. */
export async function addCommand(ctx: CliContext, args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('add', args, {
    ...INPUT_OPTIONS,
    channels: { type: 'string' },
    mode: { type: 'string' },
    force: { type: 'boolean' },
  });
  if (positionals.length === 0) throw new CliError(`add needs an article: ${ADD_USAGE}`);
  const config = ctx.config();
  const channels = selectChannels(config, values.channels);
  const mode = values.mode ? oneOf<PostingMode>('--mode', values.mode, MODES, 'quotes') : undefined;
  const outcome = await loadArticleArg(ctx, positionals, values);
  const runtime = openRuntime(ctx, { exclusive: false });
  try {
    const { result, splits } = enqueueArticle(runtime.store, {
      article: outcome.article,
      channels,
      ...(mode ? { mode } : {}),
      approved: true,
      force: values.force ?? false,
      now: runtime.clock.now(),
    });
    if (result.kind === 'thread-over-cap') throw new CliError(result.message);
    if (result.kind === 'duplicate') {
      throw new CliError(
        `"${outcome.article.title}" is already queued or published (article #${result.articleId}) on ${result.channelIds.join(', ')}; use --force to queue it again`,
      );
    }
    ctx.stdout.write(`queued article #${result.articleId} "${outcome.article.title}"\n`);
    for (const { channel, result: split } of splits) {
      ctx.stdout.write(
        `  ${channel.id} (${channel.platform}, ${mode ?? channel.mode}): ${split.selected.length} post(s)\n`,
      );
    }
    return 0;
  } finally {
    runtime.close();
  }
}
