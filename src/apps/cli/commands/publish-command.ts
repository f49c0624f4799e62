import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { isStoreError } from '../../../adapters/sqlite/store-error.js';
import type { Config } from '../../../config/load-config.js';
import type { PostingMode } from '../../../domain/article.js';
import { MODES } from '../../../domain/split-article.js';
import { enqueueArticle } from '../../../use-cases/enqueue-article.js';
import {
  type ChannelReport,
  type PublishNowEvent,
  publishArticleNow,
} from '../../../use-cases/publish-now.js';
import { recoverInterrupted } from '../../../use-cases/recover-interrupted.js';
import { buildRuntime, type Runtime } from '../../runtime/build-runtime.js';
import { oneOf, parseCommandArgs } from '../args.js';
import type { CliContext } from '../cli-context.js';
import { CliError, EXIT_FAILURE } from '../cli-error.js';
import { loadArticleArg, selectChannels } from './add-command.js';
import { oneLine } from './queue-commands.js';
import { INPUT_OPTIONS } from './split-command.js';

export const PUBLISH_USAGE =
  'publish FILE|URL|- [--to a,b] [--mode quotes|thread] [--dry-run] [--yes] [--resume] [--force] [--max-wait SECONDS]';

/**
 * `quotecast publish` (also `npm run publish-now`): one article, now, through the same store, state
 * machine and publishers as the daemon. Shows a preview, asks before publishing, waits out short
 * rate limits with a countdown, and can be resumed after an interruption without re-sending.
 */
export async function publishCommand(ctx: CliContext, args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('publish', args, {
    ...INPUT_OPTIONS,
    to: { type: 'string' },
    mode: { type: 'string' },
    'dry-run': { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
    resume: { type: 'boolean' },
    force: { type: 'boolean' },
    'max-wait': { type: 'string' },
  });
  if (positionals.length === 0) throw new CliError(`publish needs an article: ${PUBLISH_USAGE}`);
  const maxWaitSeconds = values['max-wait'] === undefined ? 900 : Number(values['max-wait']);
  if (!Number.isFinite(maxWaitSeconds) || maxWaitSeconds < 0)
    throw new CliError('--max-wait must be a number of seconds (0 or more)');
  const config = ctx.config();
  const channels = selectChannels(config, values.to);
  if (channels.length === 0) throw new CliError('no enabled channels to publish to; name some with --to');
  const mode = values.mode ? oneOf<PostingMode>('--mode', values.mode, MODES, 'quotes') : undefined;
  const dryRun = values['dry-run'] ?? false;
  const interactive = Boolean((ctx.stdin as { isTTY?: boolean }).isTTY) && positionals[0] !== '-';
  if (!values.yes && !dryRun && !interactive) {
    throw new CliError(
      'standard input is not a terminal, so there is no one to confirm; add --yes to publish without asking',
    );
  }
  const outcome = await loadArticleArg(ctx, positionals, values);
  const out = (line: string) => ctx.stdout.write(`${line}\n`);

  // A dry run rehearses in a throwaway store: it must not make the real publish a "duplicate".
  const scratch = dryRun ? mkdtempSync(path.join(tmpdir(), 'quotecast-dry-run-')) : undefined;
  const runConfig: Config = scratch
    ? { ...config, settings: { ...config.settings, store: { path: path.join(scratch, 'dry-run.db') } } }
    : config;
  const runtime = openPublishRuntime(ctx, runConfig, dryRun, out);
  const stop = new AbortController();
  const onSignal = () => {
    out('interrupted: finishing the post in flight; continue later with --resume');
    stop.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (runtime.exclusive) {
      const recovered = await recoverInterrupted(runtime.deps);
      if (recovered.reconciled.length + recovered.requeued.length > 0) {
        out(
          `settled ${recovered.reconciled.length + recovered.requeued.length} post(s) interrupted earlier (found on X: ${recovered.reconciled.length}, to send again: ${recovered.requeued.length})`,
        );
      }
    }
    const enqueued = enqueueArticle(runtime.store, {
      article: outcome.article,
      channels,
      ...(mode ? { mode } : {}),
      approved: true,
      force: values.force ?? false,
      now: runtime.clock.now(),
    });
    let articleId: number;
    if (enqueued.result.kind === 'duplicate') {
      if (!values.resume) {
        throw new CliError(
          `"${outcome.article.title}" is already queued or published (article #${enqueued.result.articleId}) on ${enqueued.result.channelIds.join(', ')}; use --resume to finish sending it, or --force to publish it again`,
        );
      }
      articleId = enqueued.result.articleId;
      out(`resuming article #${articleId} "${outcome.article.title}": posts already sent are skipped`);
    } else {
      articleId = enqueued.result.articleId;
    }

    out(
      preview(
        runtime,
        articleId,
        channels.map((c) => c.id),
        dryRun,
      ),
    );
    if (!values.yes && !dryRun && !(await confirm(ctx, 'Publish now? [y/N] '))) {
      // Nothing was sent: take the fresh queue entries back out so the daemon does not post them.
      if (enqueued.result.kind === 'queued') runtime.store.deleteUnsent(articleId);
      out('cancelled; nothing was published');
      return EXIT_FAILURE;
    }
    const tty = Boolean((ctx.stdout as { isTTY?: boolean }).isTTY);
    const reports = await publishArticleNow(runtime.deps, {
      articleId,
      channelIds: channels.map((c) => c.id),
      maxWaitMs: maxWaitSeconds * 1000,
      signal: stop.signal,
      onEvent: (event) => progress(ctx, event, tty),
    });
    return summarise(out, reports, dryRun);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    runtime.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

/** Takes the store's lock when the daemon is not running (so interrupted posts can be settled). */
function openPublishRuntime(
  ctx: CliContext,
  config: Config,
  dryRun: boolean,
  out: (line: string) => void,
): Runtime & { exclusive: boolean } {
  const options = { dryRun, write: (text: string) => ctx.stdout.write(text) };
  try {
    return { ...buildRuntime(config, { ...options, exclusive: true }), exclusive: true };
  } catch (error) {
    if (!isStoreError(error)) throw error;
    if (error.code !== 'locked') throw new CliError(error.message, EXIT_FAILURE);
  }
  out(
    'note: the daemon is running on this store; publishing alongside it (each post is taken by one of them only)',
  );
  try {
    return { ...buildRuntime(config, { ...options, exclusive: false }), exclusive: false };
  } catch (error) {
    if (isStoreError(error)) throw new CliError(error.message, EXIT_FAILURE);
    throw error;
  }
}

function preview(
  runtime: Runtime,
  articleId: number,
  channelIds: readonly string[],
  dryRun: boolean,
): string {
  const lines: string[] = [];
  for (const channelId of channelIds) {
    const channel = runtime.config.channels.find((c) => c.id === channelId)!;
    const posts = runtime.store.postsOfArticle(articleId, channelId);
    const via =
      runtime.deps.publishers.get(channelId)?.kind === 'console'
        ? 'console (dry run, no account touched)'
        : channel.platform;
    const left = posts.filter((p) => p.state !== 'sent' && p.state !== 'skipped').length;
    lines.push(`${channelId} → ${via}: ${posts.length} post(s), ${left} to send`);
    for (const p of posts) {
      lines.push(
        `  ${p.seq}/${p.total}  ${p.length}/${channel.targetLength}  ${p.state === 'sent' ? '(sent) ' : ''}${oneLine(p.text, 90)}`,
      );
    }
  }
  if (dryRun) lines.push('dry run: posts are printed, not published; the real queue is not touched');
  return lines.join('\n');
}

async function confirm(ctx: CliContext, question: string): Promise<boolean> {
  const rl = createInterface({ input: ctx.stdin, output: ctx.stderr });
  try {
    const answer = await rl.question(question);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

function progress(ctx: CliContext, event: PublishNowEvent, tty: boolean): void {
  const line = (text: string) => ctx.stdout.write(`${tty ? '\r\x1b[2K' : ''}${text}\n`);
  switch (event.kind) {
    case 'sent':
      line(
        `${event.channelId}: ${event.index}/${event.total} ${event.duplicate ? 'was already there (counted as sent)' : 'sent'}${event.url ? ` ${event.url}` : ''}`,
      );
      break;
    case 'waiting':
      if (tty)
        ctx.stdout.write(`\r\x1b[2K${event.channelId}: ${event.reason}, retrying in ${event.secondsLeft} s…`);
      else if (event.secondsLeft % 10 === 0 || event.secondsLeft <= 3)
        line(`${event.channelId}: ${event.reason}, retrying in ${event.secondsLeft} s`);
      break;
    case 'gave-up':
      line(
        `${event.channelId}: stopped: ${event.detail}; the platform allows more at ${event.until.toISOString()}. The rest stays queued; the daemon sends it then, or run again with --resume.`,
      );
      break;
    case 'failed':
      line(`${event.channelId}: post ${event.post.seq}/${event.post.total} failed: ${event.detail}`);
      break;
    case 'skipped':
      line(`${event.channelId}: post #${event.post.id} ${event.why}`);
      break;
  }
}

function summarise(out: (line: string) => void, reports: readonly ChannelReport[], dryRun: boolean): number {
  let ok = true;
  out('');
  for (const r of reports) {
    const done = r.notSent.length === 0;
    ok &&= done;
    out(
      `${r.channelId}: ${r.sent} of ${r.total} ${dryRun ? 'printed' : 'published'}${done ? '' : `; not sent: ${r.notSent.map((p) => `#${p.id} (${p.seq}/${p.total}, ${p.state})`).join(', ')}${r.stoppedBecause ? ` — ${r.stoppedBecause}` : ''}`}`,
    );
  }
  if (!ok) out('Run the same command with --resume to finish; nothing already sent is sent again.');
  return ok ? 0 : EXIT_FAILURE;
}
