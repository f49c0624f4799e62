import type { Config, ResolvedChannel } from '../../../config/load-config.js';
import type { PostingMode } from '../../../domain/article.js';
import { MODES } from '../../../domain/split-article.js';
import { enqueueArticle } from '../../../use-cases/enqueue-article.js';
import { killLine } from '../../../use-cases/kill-article.js';
import { oneOf, parseCommandArgs } from '../args.js';
import type { CliContext } from '../cli-context.js';
import { CliError } from '../cli-error.js';
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
  const outcome = await readArticle(ctx, positionals, values);
  const runtime = openRuntime(ctx, { exclusive: false });
  try {
    const { result, splits } = await enqueueArticle(runtime.store, {
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
        result.killed
          ? `"${outcome.article.title}" was pulled (article #${result.articleId}, ${killLine(result.killed)}); use --force to queue it again as a new article`
          : `"${outcome.article.title}" is already queued or published (article #${result.articleId}) on ${result.channelIds.join(', ')}; use --force to queue it again`,
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
    await runtime.close();
  }
}
