import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isStoreError } from '../../../adapters/sqlite/store-error.js';
import type { Config } from '../../../config/load-config.js';
import type { PostingMode } from '../../../domain/article.js';
import { liveMentionWarning } from '../../../domain/mentions.js';
import { MODES, postLiveMentions } from '../../../domain/split-article.js';
import { killLine } from '../../../use-cases/kill-article.js';
import {
  executePublishNow,
  type PublishNowKilled,
  type PublishNowReady,
  planPublishNow,
} from '../../../use-cases/plan-publish-now.js';
import { channelSplitSettings } from '../../../use-cases/prepare-article.js';
import {
  type ChannelReport,
  HELD_FOR_CORRECTION,
  type PublishNowEvent,
} from '../../../use-cases/publish-now.js';
import { buildRuntime, type Runtime } from '../../runtime/build-runtime.js';
import { oneOf, parseCommandArgs } from '../args.js';
import { abortOnStop, type CliContext, runtimeSeams } from '../cli-context.js';
import { CliError, EXIT_FAILURE } from '../cli-error.js';
import { confirm } from '../confirm.js';
import { PUBLISH_USAGE } from '../usage.js';
import { selectChannels } from './add-command.js';
import { oneLine } from './queue-commands.js';
import { INPUT_OPTIONS, readArticle } from './split-command.js';

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
  const outcome = await readArticle(ctx, positionals, values);
  const out = (line: string) => ctx.stdout.write(`${line}\n`);

  // A dry run rehearses in a throwaway SQLite store (even when the real one is PostgreSQL): it must
  // not make the real publish a "duplicate".
  const scratch = dryRun ? mkdtempSync(path.join(tmpdir(), 'quotecast-dry-run-')) : undefined;
  const runConfig: Config = scratch
    ? {
        ...config,
        settings: { ...config.settings, store: { path: path.join(scratch, 'dry-run.db'), leaseSeconds: 90 } },
      }
    : config;
  const runtime = openPublishRuntime(ctx, runConfig, dryRun, out);
  const stop = abortOnStop(ctx, () =>
    out('interrupted: finishing the post in flight; continue later with --resume'),
  );
  const alive = heartbeatWhileRunning(runtime, runConfig.settings.store.leaseSeconds);
  try {
    const plan = await planPublishNow(runtime.deps, {
      article: outcome.article,
      channels,
      ...(mode ? { mode } : {}),
      force: values.force ?? false,
      resume: values.resume ?? false,
      recoverInterrupted: runtime.exclusive,
    });
    const settled = plan.recovered ? plan.recovered.reconciled.length + plan.recovered.requeued.length : 0;
    if (plan.recovered && settled > 0) {
      out(
        `settled ${settled} post(s) interrupted earlier (found on X: ${plan.recovered.reconciled.length}, to send again: ${plan.recovered.requeued.length})`,
      );
    }
    // Refused before the preview and the question; nothing was written.
    if (plan.kind === 'duplicate') throw duplicateError(outcome.article.title, plan.existing);
    if (plan.kind === 'killed') throw killedError(outcome.article.title, plan);
    if (plan.kind === 'held')
      throw new CliError(`"${outcome.article.title}" (article #${plan.articleId}) is ${HELD_FOR_CORRECTION}`);
    if (plan.kind === 'thread-over-cap') throw new CliError(plan.message);
    if (plan.existing.size > 0) {
      const articles = [...new Set([...plan.existing.values()].map((c) => c.articleId))];
      out(
        `resuming article ${articles.map((id) => `#${id}`).join(', ')} "${outcome.article.title}" on ${[...plan.existing.keys()].join(', ')}: posts already sent are skipped`,
      );
      if (plan.fresh.length > 0)
        out(`${plan.fresh.map((c) => c.id).join(', ')}: not published there before; queued as new`);
    }

    out(preview(runtime, plan, dryRun));
    if (!values.yes && !dryRun && !(await confirm(ctx, 'Publish now? [y/N] ', stop.signal))) {
      out('cancelled; nothing was published or queued');
      return EXIT_FAILURE;
    }
    const tty = Boolean((ctx.stdout as { isTTY?: boolean }).isTTY);
    const result = await executePublishNow(runtime.deps, plan, {
      maxWaitMs: maxWaitSeconds * 1000,
      signal: stop.signal,
      onEvent: (event) => progress(ctx, event, tty, dryRun),
    });
    if (result.kind === 'thread-over-cap') throw new CliError(result.message);
    // Queued meanwhile by someone else (the daemon's Telegram /add), or matched by URL only.
    if (result.kind === 'duplicate') throw duplicateError(outcome.article.title, result.existing);
    if (result.kind === 'killed') throw killedError(outcome.article.title, result);
    return summarise(out, result.reports, dryRun);
  } finally {
    alive.stop();
    stop.dispose();
    await runtime.close();
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
  // Progress lines already say what happens; the log keeps to warnings unless asked for more.
  const logLevel = config.logLevel === 'debug' ? 'debug' : config.logLevel === 'error' ? 'error' : 'warn';
  const options = {
    ...runtimeSeams(ctx),
    dryRun,
    logLevel,
    write: (text: string) => ctx.stdout.write(text),
  } as const;
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

function duplicateError(title: string, existing: ReadonlyMap<string, number>): CliError {
  const articles = [...new Set(existing.values())].map((id) => `#${id}`).join(', ');
  return new CliError(
    `"${title}" is already queued or published (article ${articles}) on ${[...existing.keys()].join(', ')}; use --resume to finish sending it, or --force to publish it again`,
  );
}

/** A pulled article is not sent again, resumed or not: only --force publishes it, as a new article. */
function killedError(title: string, pulled: PublishNowKilled): CliError {
  return new CliError(
    `"${title}" was pulled (article #${pulled.articleId}, ${killLine(pulled.killed)}); use --force to publish it again as a new article`,
  );
}

/** Per channel: how many posts, each with its length against the channel's target, and what is left. */
function preview(runtime: Runtime, plan: PublishNowReady, dryRun: boolean): string {
  /** `done` is set for posts that will not be sent: `sent`, or `skipped` by an admin. */
  const rows = new Map<string, { text: string; length: number; done?: 'sent' | 'skipped' }[]>();
  for (const [channelId, copy] of plan.existing) {
    rows.set(
      channelId,
      copy.posts.map((p) => ({
        text: p.text,
        length: p.length,
        ...(p.state === 'sent' || p.state === 'skipped' ? { done: p.state } : {}),
      })),
    );
  }
  for (const { channel, result } of plan.splits) {
    rows.set(
      channel.id,
      result.selected.map((p) => ({ text: p.text, length: p.length })),
    );
  }
  const lines: string[] = [];
  for (const channel of runtime.config.channels) {
    const posts = rows.get(channel.id);
    if (!posts) continue;
    const via =
      runtime.deps.publishers.get(channel.id)?.kind === 'console'
        ? 'console (dry run, no account touched)'
        : channel.platform;
    const left = posts.filter((p) => !p.done).length;
    lines.push(`${channel.id} → ${via}: ${posts.length} post(s), ${left} to send`);
    posts.forEach((p, i) => {
      lines.push(
        `  ${i + 1}/${posts.length}  ${p.length}/${channel.targetLength}  ${p.done ? `(${p.done}) ` : ''}${oneLine(p.text, 90)}`,
      );
      if (!p.done)
        for (const m of postLiveMentions(p.text, channelSplitSettings(channel), channel.platform))
          lines.push(`      ⚠ ${liveMentionWarning(m)}`);
    });
  }
  if (dryRun) lines.push('dry run: posts are printed, not published; the real queue is not touched');
  return lines.join('\n');
}

function progress(ctx: CliContext, event: PublishNowEvent, tty: boolean, dryRun: boolean): void {
  const line = (text: string) => ctx.stdout.write(`${tty ? '\r\x1b[2K' : ''}${text}\n`);
  switch (event.kind) {
    case 'sent':
      line(
        `${event.channelId}: ${event.index}/${event.total} ${event.duplicate ? 'was already there (counted as sent)' : dryRun ? 'printed' : 'sent'}${event.url ? ` ${event.url}` : ''}`,
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
    const note = r.alreadyThere === 0 ? '' : ` (${r.alreadyThere} already on the platform, not posted again)`;
    out(
      `${r.channelId}: ${r.sent} of ${r.total} ${dryRun ? 'printed' : 'published'}${note}${done ? '' : `; not sent: ${r.notSent.map((p) => `#${p.id} (${p.seq}/${p.total}, ${p.state})`).join(', ')}${r.stoppedBecause ? ` — ${r.stoppedBecause}` : ''}`}`,
    );
  }
  if (!ok) out('Run the same command with --resume to finish; nothing already sent is sent again.');
  return ok ? 0 : EXIT_FAILURE;
}

/**
 * On a shared store the daemons take over the posts of a process that stopped heartbeating: a
 * publish run (a long thread waits for Telegram's pacing between parts) beats like a daemon, every
 * third of the lease, so what it is sending stays its own.
 */
function heartbeatWhileRunning(runtime: Runtime, leaseSeconds: number): { stop(): void } {
  if (!runtime.store.shared) return { stop() {} };
  const beat = () =>
    void runtime.store
      .heartbeat(runtime.clock.now())
      .catch((error: unknown) =>
        runtime.logger.warn('heartbeat failed', { error: (error as Error).message }),
      );
  beat();
  const timer = setInterval(beat, (leaseSeconds * 1000) / 3);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
