import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { isStoreError } from '../../../adapters/sqlite/store-error.js';
import type { Config } from '../../../config/load-config.js';
import type { PostingMode } from '../../../domain/article.js';
import { liveMentionWarning } from '../../../domain/mentions.js';
import { MODES, postLiveMentions } from '../../../domain/split-article.js';
import {
  articleHash,
  enqueueArticle,
  threadOverCapMessage,
  threadsOverCap,
} from '../../../use-cases/enqueue-article.js';
import {
  type ChannelSplit,
  channelSplitSettings,
  splitForChannels,
} from '../../../use-cases/prepare-article.js';
import {
  type ChannelReport,
  findArticleToResume,
  type PublishNowEvent,
  publishArticleNow,
} from '../../../use-cases/publish-now.js';
import { recoverInterrupted } from '../../../use-cases/recover-interrupted.js';
import { buildRuntime, type Runtime } from '../../runtime/build-runtime.js';
import { oneOf, parseCommandArgs } from '../args.js';
import type { CliContext } from '../cli-context.js';
import { CliError, EXIT_FAILURE } from '../cli-error.js';
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
    // Nothing is written before the user says yes: a "no" (or Ctrl-C) at the question must leave the
    // queue exactly as it was, including other channels' posts of the same article.
    const hash = articleHash(outcome.article);
    const force = values.force ?? false;
    /** Which stored copy of the article each channel already has (the one to finish, if any). */
    const existing = new Map<string, number>();
    if (!force) {
      for (const c of channels) {
        const articleId = findArticleToResume(runtime.store, hash, c.id);
        if (articleId !== undefined) existing.set(c.id, articleId);
      }
    }
    if (existing.size > 0 && !values.resume) throw duplicateError(outcome.article.title, existing);
    const fresh = channels.filter((c) => !existing.has(c.id));
    const splits = splitForChannels(outcome.article, fresh, mode);
    // Refused before the preview and the question: such a thread could never go out whole.
    const overCap = threadsOverCap(splits, mode);
    if (overCap.length > 0) throw new CliError(threadOverCapMessage(overCap));
    if (existing.size > 0) {
      out(
        `resuming article ${[...new Set(existing.values())].map((id) => `#${id}`).join(', ')} "${outcome.article.title}" on ${[...existing.keys()].join(', ')}: posts already sent are skipped`,
      );
      if (fresh.length > 0)
        out(`${fresh.map((c) => c.id).join(', ')}: not published there before; queued as new`);
    }

    out(preview(runtime, existing, splits, dryRun));
    if (!values.yes && !dryRun && !(await confirm(ctx, 'Publish now? [y/N] ', stop.signal))) {
      out('cancelled; nothing was published or queued');
      return EXIT_FAILURE;
    }
    const articleOf = new Map(existing);
    if (fresh.length > 0) {
      const { result } = enqueueArticle(runtime.store, {
        article: outcome.article,
        channels: fresh,
        ...(mode ? { mode } : {}),
        approved: true,
        force,
        now: runtime.clock.now(),
      });
      if (result.kind === 'thread-over-cap') throw new CliError(result.message);
      // Queued meanwhile by someone else (the daemon's Telegram /add), or matched by URL only.
      if (result.kind === 'duplicate') {
        throw duplicateError(
          outcome.article.title,
          new Map(result.channelIds.map((id) => [id, result.articleId])),
        );
      }
      for (const c of fresh) articleOf.set(c.id, result.articleId);
    }
    const tty = Boolean((ctx.stdout as { isTTY?: boolean }).isTTY);
    // Posts the platform already had (X refuses the same text twice): counted as sent, but the user
    // must not read "published" as "posted again".
    const alreadyThere = new Map<string, number>();
    const onEvent = (event: PublishNowEvent) => {
      if (event.kind === 'sent' && event.duplicate)
        alreadyThere.set(event.channelId, (alreadyThere.get(event.channelId) ?? 0) + 1);
      progress(ctx, event, tty, dryRun);
    };
    const channelsOf = new Map<number, string[]>();
    for (const c of channels) {
      const articleId = articleOf.get(c.id)!;
      channelsOf.set(articleId, [...(channelsOf.get(articleId) ?? []), c.id]);
    }
    const reports = (
      await Promise.all(
        [...channelsOf].map(([articleId, channelIds]) =>
          publishArticleNow(runtime.deps, {
            articleId,
            channelIds,
            maxWaitMs: maxWaitSeconds * 1000,
            signal: stop.signal,
            onEvent,
          }),
        ),
      )
    ).flat();
    const position = (id: string) => channels.findIndex((c) => c.id === id);
    reports.sort((a, b) => position(a.channelId) - position(b.channelId));
    return summarise(out, reports, dryRun, alreadyThere);
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
  // Progress lines already say what happens; the log keeps to warnings unless asked for more.
  const logLevel = config.logLevel === 'debug' ? 'debug' : config.logLevel === 'error' ? 'error' : 'warn';
  const options = { dryRun, logLevel, write: (text: string) => ctx.stdout.write(text) } as const;
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

/** Per channel: how many posts, each with its length against the channel's target, and what is left. */
function preview(
  runtime: Runtime,
  existing: ReadonlyMap<string, number>,
  splits: readonly ChannelSplit[],
  dryRun: boolean,
): string {
  /** `done` is set for posts that will not be sent: `sent`, or `skipped` by an admin. */
  const rows = new Map<string, { text: string; length: number; done?: 'sent' | 'skipped' }[]>();
  for (const [channelId, articleId] of existing) {
    const posts = runtime.store.postsOfArticle(articleId, channelId);
    rows.set(
      channelId,
      posts.map((p) => ({
        text: p.text,
        length: p.length,
        ...(p.state === 'sent' || p.state === 'skipped' ? { done: p.state } : {}),
      })),
    );
  }
  for (const { channel, result } of splits) {
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

/** A "no" for anything but y/yes, and for Ctrl-C, end of input or an interrupt at the prompt. */
async function confirm(ctx: CliContext, question: string, signal: AbortSignal): Promise<boolean> {
  const rl = createInterface({ input: ctx.stdin, output: ctx.stderr });
  try {
    const answer = await rl.question(question, { signal });
    return /^y(es)?$/i.test(answer.trim());
  } catch {
    ctx.stderr.write('\n');
    return false;
  } finally {
    rl.close();
  }
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

function summarise(
  out: (line: string) => void,
  reports: readonly ChannelReport[],
  dryRun: boolean,
  alreadyThere: ReadonlyMap<string, number>,
): number {
  let ok = true;
  out('');
  for (const r of reports) {
    const done = r.notSent.length === 0;
    ok &&= done;
    const there = alreadyThere.get(r.channelId) ?? 0;
    const note = there === 0 ? '' : ` (${there} already on the platform, not posted again)`;
    out(
      `${r.channelId}: ${r.sent} of ${r.total} ${dryRun ? 'printed' : 'published'}${note}${done ? '' : `; not sent: ${r.notSent.map((p) => `#${p.id} (${p.seq}/${p.total}, ${p.state})`).join(', ')}${r.stoppedBecause ? ` — ${r.stoppedBecause}` : ''}`}`,
    );
  }
  if (!ok) out('Run the same command with --resume to finish; nothing already sent is sent again.');
  return ok ? 0 : EXIT_FAILURE;
}
