import {
  articleTrailLines,
  type KillPreview,
  killArticle,
  killLine,
  killReportLines,
  parseArticleId,
  previewKill,
  whereIs,
} from '../../../use-cases/kill-article.js';
import type { Runtime } from '../../runtime/build-runtime.js';
import { oneOf, parseCommandArgs } from '../args.js';
import { abortOnStop, type CliContext } from '../cli-context.js';
import { CliError, EXIT_FAILURE } from '../cli-error.js';
import { canAsk, confirm } from '../confirm.js';
import { openRuntime } from '../open-runtime.js';
import { ARTICLE_USAGE, KILL_USAGE } from '../usage.js';

function articleIdArg(command: string, positionals: readonly string[], usage: string): number {
  const id = parseArticleId(positionals[0]);
  if (id === undefined || positionals.length > 1)
    throw new CliError(
      `${command} needs one article id (as "quotecast queue" or /articles show it): ${usage}`,
    );
  return id;
}

/**
 * `quotecast kill ARTICLE [--yes]`: the newsroom pulled a story. Shows what will happen and asks (on
 * a terminal), then drops the article's queued posts and deletes its published ones. Exit 0 when
 * everything is down, 1 with the list of what a human must finish. Works while the daemon runs: the
 * store's guarded updates decide which of them gets each post.
 */
export async function killCommand(ctx: CliContext, args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('kill', args, { yes: { type: 'boolean', short: 'y' } });
  const id = articleIdArg('kill', positionals, KILL_USAGE);
  if (!values.yes && !canAsk(ctx))
    throw new CliError(
      'standard input is not a terminal, so there is no one to confirm; add --yes to kill without asking',
    );
  const out = (line: string) => ctx.stdout.write(`${line}\n`);
  const runtime = openRuntime(ctx, { exclusive: false });
  const stop = abortOnStop(ctx, () =>
    out('interrupted: finishing the deletion in flight; run the kill again for the rest'),
  );
  try {
    const preview = await previewKill(runtime.deps, id);
    if (!preview) throw new CliError(`there is no article ${id} ("quotecast queue" shows article ids)`);
    for (const line of previewLines(runtime, preview)) out(line);
    if (!values.yes && !(await confirm(ctx, 'Kill it? [y/N] ', stop.signal))) {
      out('cancelled; nothing was changed');
      return EXIT_FAILURE;
    }
    const outcome = await killArticle(runtime.deps, {
      articleId: id,
      by: 'the command line',
      again: `"quotecast kill ${id} --yes"`,
      signal: stop.signal,
    });
    if (outcome.kind === 'no-such-article') throw new CliError(`there is no article ${id}`);
    for (const line of killReportLines(outcome.report)) out(line);
    return outcome.report.notDeleted.length === 0 ? 0 : EXIT_FAILURE;
  } finally {
    stop.dispose();
    await runtime.close();
  }
}

function previewLines(runtime: Runtime, preview: KillPreview): string[] {
  const { article } = preview;
  const lines = [`article ${article.id} "${article.title}"`];
  if (preview.killed)
    lines.push(`already ${killLine(preview.killed)}; killing it again retries only what is left`);
  lines.push(`  drops ${preview.toDrop.length} queued post(s)`);
  lines.push(`  deletes ${preview.toDelete.length} published post(s)`);
  for (const post of preview.toDelete)
    lines.push(`    ${post.channelId} ${post.seq}/${post.total} ${whereIs(runtime.deps, post)}`);
  if (preview.unsettled.length > 0)
    lines.push(
      `  ${preview.unsettled.length} post(s) in flight or of unknown outcome: looked for and settled where the platform allows`,
    );
  return lines;
}

/**
 * `quotecast article ID [--format json|text]`: the article and, per channel, each post's state, link,
 * sent time, and whether it was taken down; an editor's view of where a story went.
 */
export async function articleCommand(ctx: CliContext, args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('article', args, { format: { type: 'string' } });
  const format = oneOf('--format', values.format, ['text', 'json'] as const, 'text');
  const id = articleIdArg('article', positionals, ARTICLE_USAGE);
  const runtime = openRuntime(ctx, { exclusive: false });
  try {
    const trail = await runtime.store.articleTrail(id);
    if (!trail) throw new CliError(`there is no article ${id} ("quotecast queue" shows article ids)`);
    const { article, killed } = trail;
    const channels = [...new Set(trail.posts.map((p) => p.channelId))];
    if (format === 'json') {
      const json = {
        article: {
          id: article.id,
          title: article.title,
          url: article.url,
          byline: article.byline,
          createdAt: article.createdAt.toISOString(),
          killedAt: killed?.at.toISOString() ?? null,
          killedBy: killed?.by ?? null,
        },
        channels: channels.map((channelId) => ({
          channel: channelId,
          platform: runtime.config.channels.find((c) => c.id === channelId)?.platform ?? null,
          posts: trail.posts
            .filter((p) => p.channelId === channelId)
            .map((p) => ({
              id: p.id,
              seq: p.seq,
              total: p.total,
              state: p.state,
              remoteId: p.remoteId,
              link: p.remoteUrl,
              sentAt: p.sentAt?.toISOString() ?? null,
              deletedAt: p.deletedAt?.toISOString() ?? null,
              deleteError: p.deleteError,
            })),
        })),
      };
      ctx.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
      return 0;
    }
    const lines = await articleTrailLines(runtime.deps, trail);
    ctx.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    await runtime.close();
  }
}
