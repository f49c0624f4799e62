import { hideUrlSecrets } from '../../../adapters/http/hide-url-secrets.js';
import { createWorkerParser } from '../../../adapters/parse-worker/create-worker-parser.js';
import { type FeedHealth, feedHealth } from '../../../use-cases/feed-actions.js';
import { pollFeed } from '../../../use-cases/poll-feed.js';
import { buildFeedDeps } from '../../daemon/feed-polling.js';
import { oneOf, parseCommandArgs } from '../args.js';
import type { CliContext } from '../cli-context.js';
import { CliError, EXIT_FAILURE } from '../cli-error.js';
import { openRuntime } from '../open-runtime.js';
import { FEEDS_USAGE } from '../usage.js';

/** One line per feed: id, state, last poll, last error, items seen/queued/held. */
export function describeFeedHealth(h: FeedHealth): string {
  const when = (d: Date | null) => (d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : 'never');
  const parts = [
    `${h.feed.id}: ${h.condition}`,
    `last poll ${when(h.state.lastPollAt)}`,
    `last success ${when(h.state.lastSuccessAt)}`,
    `${h.seen} item(s) seen, ${h.queued} queued${h.held > 0 ? `, ${h.held} held for a decision` : ''}`,
  ];
  if (h.state.lastError) parts.push(`last error: ${hideUrlSecrets(h.state.lastError)}`);
  if (h.state.nextPollAfter) parts.push(`backing off until ${when(h.state.nextPollAfter)}`);
  return `${parts.join('; ')}\n  ${hideUrlSecrets(h.feed.url)}`;
}

/** `quotecast feeds list` and `quotecast feeds poll [ID] [--dry-run]`. */
export async function feedsCommand(ctx: CliContext, args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('feeds', args, {
    'dry-run': { type: 'boolean' },
    format: { type: 'string' },
  });
  const [sub, id, ...rest] = positionals;
  if ((sub !== 'list' && sub !== 'poll') || rest.length > 0 || (sub === 'list' && id))
    throw new CliError(`usage: quotecast ${FEEDS_USAGE}`);
  const format = oneOf('--format', values.format, ['text', 'json'] as const, 'text');
  const config = ctx.config();
  // Without an id: the enabled feeds, as the daemon polls them; a disabled one only when named.
  const feeds = id
    ? config.settings.feeds.filter((f) => f.id === id)
    : config.settings.feeds.filter((f) => sub === 'list' || f.enabled);
  if (id && feeds.length === 0)
    throw new CliError(
      `no feed "${id}"; configured: ${config.settings.feeds.map((f) => f.id).join(', ') || '(none)'}`,
    );
  const runtime = openRuntime(ctx, { exclusive: false });
  try {
    if (sub === 'list') {
      const health = await feedHealth(runtime.store, feeds);
      if (format === 'json') ctx.stdout.write(`${JSON.stringify(health.map(toJson))}\n`);
      else if (health.length === 0) ctx.stdout.write('no feeds configured (feeds: in the settings)\n');
      else for (const h of health) ctx.stdout.write(`${describeFeedHealth(h)}\n`);
      return 0;
    }
    const parser = ctx.parser ?? createWorkerParser();
    try {
      const deps = buildFeedDeps(runtime, parser);
      let failed = false;
      const reports = [];
      for (const feed of feeds) {
        const report = await pollFeed(deps, feed, {
          dryRun: values['dry-run'] ?? false,
          ignoreBackoff: true,
        });
        reports.push(report);
        failed ||= report.outcome === 'error';
        if (format === 'json') continue;
        const verb = values['dry-run'] ? 'would queue' : 'queued';
        ctx.stdout.write(
          `${feed.id}: ${report.outcome}${report.detail ? ` (${report.detail})` : ''}; ${verb} ${report.queued.length}, marked ${report.markedSeen} seen${report.held ? `, held ${report.held}` : ''}${report.gone ? `, asked about ${report.gone} gone` : ''}\n`,
        );
        for (const item of report.queued)
          ctx.stdout.write(
            `  ${item.articleId === undefined ? '-' : `#${item.articleId}`} ${item.title}${item.url ? ` ${item.url}` : ''}\n`,
          );
      }
      if (format === 'json') ctx.stdout.write(`${JSON.stringify(reports)}\n`);
      return failed ? EXIT_FAILURE : 0;
    } finally {
      if (!ctx.parser) await parser.close();
    }
  } finally {
    await runtime.close();
  }
}

function toJson(h: FeedHealth) {
  return {
    id: h.feed.id,
    url: hideUrlSecrets(h.feed.url),
    state: h.condition,
    lastPollAt: h.state.lastPollAt,
    lastSuccessAt: h.state.lastSuccessAt,
    lastError: h.state.lastError === null ? null : hideUrlSecrets(h.state.lastError),
    failures: h.state.failures,
    nextPollAfter: h.state.nextPollAfter,
    seen: h.seen,
    queued: h.queued,
    held: h.held,
  };
}
