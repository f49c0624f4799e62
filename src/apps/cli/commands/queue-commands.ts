import { hideUrlSecrets } from '../../../adapters/http/hide-url-secrets.js';
import { checkStoreFile, type StoreCheck } from '../../../adapters/sqlite/check-store-file.js';
import { isStoreError } from '../../../adapters/sqlite/store-error.js';
import { tokenStorageWarning } from '../../../adapters/twitter/stored-oauth2-tokens.js';
import { formatInZone, nextSlots } from '../../../domain/schedule.js';
import { POST_STATES, type PostState, type StoredPost } from '../../../ports/post-store.js';
import { type FeedHealth, feedHealth } from '../../../use-cases/feed-actions.js';
import { shortTime } from '../../../use-cases/kill-article.js';
import { planSlots } from '../../../use-cases/plan-slots.js';
import {
  activeState,
  blockerReason,
  dailyCapLeft,
  describeHeldThread,
  type HeldThread,
  heldThreads,
  threadCapWait,
} from '../../../use-cases/run-channel-slot.js';
import type { Runtime } from '../../runtime/build-runtime.js';
import { oneOf, parseCommandArgs } from '../args.js';
import type { CliContext } from '../cli-context.js';
import { CliError, EXIT_FAILURE } from '../cli-error.js';
import { openRuntime } from '../open-runtime.js';
import { selectChannels } from './add-command.js';

async function withRuntime<T>(ctx: CliContext, work: (runtime: Runtime) => Promise<T>): Promise<T> {
  const runtime = openRuntime(ctx, { exclusive: false });
  try {
    return await work(runtime);
  } finally {
    await runtime.close();
  }
}

export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** A feed failing this many polls in a row is flagged (the admins were alerted at the third). */
export const FEED_FAILURES_FLAGGED = 3;

/** A feed's health as `status` shows it (and `--format json` prints it). */
export interface FeedStatus {
  readonly id: string;
  readonly enabled: boolean;
  readonly paused: boolean;
  /** ok | paused | failing | new (never polled) | disabled. */
  readonly state: FeedHealth['condition'];
  readonly lastPollAt: string | null;
  readonly lastSuccessAt: string | null;
  /** One line, at most 160 characters, with URL credentials and query strings hidden. */
  readonly lastError: string | null;
  /** Failed polls in a row (0 after a poll that worked). */
  readonly failures: number;
  /** Failing FEED_FAILURES_FLAGGED or more polls in a row: someone should look. */
  readonly flagged: boolean;
  /** The first tick of its schedule after any backoff; null when paused or disabled. */
  readonly nextPollAt: string | null;
  /** Feed items queued as articles, and held for a correction decision. */
  readonly queued: number;
  readonly held: number;
}

/** The feed's next poll by the daemon: its next cron tick at or after the end of any backoff. */
function nextFeedPoll(h: FeedHealth, zone: string, now: Date): Date | null {
  if (!h.feed.enabled || h.state.paused) return null;
  const after = h.state.nextPollAfter && h.state.nextPollAfter > now ? h.state.nextPollAfter : now;
  // A tick exactly at the end of the backoff polls (pollFeed waits only while nextPollAfter > now).
  return nextSlots(h.feed.schedule, zone, new Date(after.getTime() - 1), 1)[0] ?? null;
}

export async function feedStatuses(runtime: Runtime, now: Date): Promise<FeedStatus[]> {
  const { settings } = runtime.config;
  // The daemon's feed crons run in settings.timezone, else the machine's zone (croner's default).
  const zone = settings.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  return (await feedHealth(runtime.store, settings.feeds)).map((h) => ({
    id: h.feed.id,
    enabled: h.feed.enabled,
    paused: h.state.paused,
    state: h.condition,
    lastPollAt: h.state.lastPollAt?.toISOString() ?? null,
    lastSuccessAt: h.state.lastSuccessAt?.toISOString() ?? null,
    lastError: h.state.lastError ? oneLine(hideUrlSecrets(h.state.lastError), 160) : null,
    failures: h.state.failures,
    flagged: h.state.failures >= FEED_FAILURES_FLAGGED,
    nextPollAt: nextFeedPoll(h, zone, now)?.toISOString() ?? null,
    queued: h.queued,
    held: h.held,
  }));
}

/** Two lines per feed: its state and times, then the last error when the last poll failed. */
function feedStatusLines(feed: FeedStatus): string[] {
  const when = (iso: string | null) => (iso ? shortTime(new Date(iso)) : 'never');
  const state = feed.flagged
    ? `FAILING (${feed.failures} polls in a row)`
    : feed.state === 'failing'
      ? `failing (${feed.failures} poll${feed.failures === 1 ? '' : 's'} in a row)`
      : feed.state === 'disabled'
        ? 'disabled in the settings'
        : feed.state;
  const lines = [
    `  ${feed.id}: ${state}; last poll ${when(feed.lastPollAt)}, last success ${when(feed.lastSuccessAt)}` +
      `${feed.nextPollAt ? `, next poll ${when(feed.nextPollAt)}` : ''}; items queued ${feed.queued}` +
      `${feed.held > 0 ? `, held ${feed.held} (decide with /held in Telegram)` : ''}`,
  ];
  if (feed.lastError) lines.push(`    last error: ${feed.lastError}`);
  return lines;
}

/**
 * `quotecast status`: per channel, counts by state, next slot, cap left, paused, recent failures;
 * per feed, its health (see FeedStatus).
 * `--check` first runs SQLite's full integrity check on the store file: a damaged store prints what
 * SQLite found and exits 1 (without opening it as a store, which would be refused); a sound one
 * prints "store: integrity ok (N pages)" and the usual status.
 */
export async function statusCommand(ctx: CliContext, args: readonly string[]): Promise<number> {
  const { values } = parseCommandArgs('status', args, {
    format: { type: 'string' },
    check: { type: 'boolean' },
  });
  const format = oneOf('--format', values.format, ['text', 'json'] as const, 'text');
  let check: StoreCheck | undefined;
  if (values.check && ctx.config().settings.store.url)
    throw new CliError(
      "status --check checks a SQLite store file; this store is PostgreSQL: check it with the server's own tools (pg_amcheck, or the status of your managed database)",
    );
  if (values.check) {
    try {
      check = checkStoreFile(ctx.config().settings.store.path);
    } catch (error) {
      // Not the file's health but the machine's (a full disk, no permission): one line, exit 1.
      if (isStoreError(error)) throw new CliError(error.message, EXIT_FAILURE);
      throw error;
    }
    if (check.kind === 'damaged') {
      ctx.stdout.write(
        format === 'json'
          ? `${JSON.stringify({ store: { path: check.path, integrity: 'damaged', problems: check.problems } }, null, 2)}\n`
          : `${damagedReport(check.path, check.problems)}\n`,
      );
      return EXIT_FAILURE;
    }
  }
  return await withRuntime(ctx, async (runtime) => {
    const now = runtime.clock.now();
    const rows = await Promise.all(
      runtime.config.channels.map(async (channel) => {
        const state = await activeState(runtime.deps, channel.id, now);
        const [next] = nextSlots(channel.schedule, channel.zone, now, 1);
        const held = await heldThreads(runtime.deps, channel.id);
        return {
          channel: channel.id,
          platform: channel.platform,
          publisher: runtime.deps.publishers.get(channel.id)?.kind ?? 'none',
          mode: channel.mode,
          counts: await runtime.store.countsByState(channel.id),
          nextSlot: next?.toISOString() ?? null,
          nextSlotLocal: next ? formatInZone(next, channel.zone) : null,
          capLeft: await dailyCapLeft(runtime.deps, channel.id),
          dailyCap: channel.dailyCap,
          /** Why the next thread waits, e.g. "thread of 21 parts waits: 7 left of the daily cap of 17". */
          waiting: (await threadCapWait(runtime.deps, channel.id)) ?? null,
          paused: state.paused,
          pauseReason: state.pauseReason,
          pausedUntil: state.pausedUntil?.toISOString() ?? null,
          /** Threads held for an admin: a part failed for good or of unknown outcome, later parts wait. */
          held: held.map((h) => ({
            articleId: h.articleId,
            postId: h.blocker.id,
            part: h.blocker.seq,
            total: h.blocker.total,
            state: h.blocker.state,
            reason: h.blocker.lastError,
            waiting: h.held.map((p) => p.id),
          })),
          heldText: held.map((h) => describeHeldThread(h, 'cli')),
        };
      }),
    );
    const failures = (await runtime.store.postsInState('failed', 5)).map((p) => ({
      id: p.id,
      channel: p.channelId,
      error: p.lastError,
    }));
    const feeds = await feedStatuses(runtime, now);
    const unknown = (await runtime.store.postsInState('unknown', 20)).map((p) => ({
      id: p.id,
      channel: p.channelId,
    }));
    const store =
      check?.kind === 'ok'
        ? { store: { path: check.path, integrity: 'ok', pages: check.pages } }
        : check?.kind === 'missing'
          ? { store: { path: check.path, integrity: 'new' } }
          : {};
    /** Admin alerts stored and not yet in every admin chat (the admin bot delivers them). */
    const alertsWaiting = await runtime.store.countPendingAlerts();
    const oauth2Channels = runtime.config.channels
      .filter((channel) => channel.auth.kind === 'twitter-oauth2')
      .map((channel) => channel.id);
    /** X OAuth 2.0 tokens stored (or to be stored) in clear: QUOTECAST_SECRET_KEY is not set. */
    const tokenWarning =
      (await tokenStorageWarning(runtime.store, oauth2Channels, runtime.config.secretKey !== undefined)) ??
      null;
    if (format === 'json') {
      const channels = rows.map(({ heldText: _, ...row }) => row);
      ctx.stdout.write(
        `${JSON.stringify({ ...store, channels, feeds, recentFailures: failures, unknown, alertsWaiting, tokenWarning }, null, 2)}\n`,
      );
      return 0;
    }
    const lines: string[] = [];
    if (check?.kind === 'ok') lines.push(`store: integrity ok (${check.pages} pages)`, '');
    // Nothing was there to check: opening the store for this status just created it.
    if (check?.kind === 'missing') lines.push(`store: ${check.path} is new (nothing to check yet)`, '');
    for (const row of rows) {
      const counts =
        POST_STATES.filter((s) => row.counts[s] > 0)
          .map((s) => `${s} ${row.counts[s]}`)
          .join(', ') || 'empty';
      lines.push(
        `${row.channel} (${row.platform} via ${row.publisher}, ${row.mode})${row.paused ? `  PAUSED: ${row.pauseReason ?? ''}` : ''}`,
      );
      lines.push(`  queue: ${counts}`);
      lines.push(
        `  next slot: ${row.nextSlotLocal ?? 'never'}; ${row.capLeft} of ${row.dailyCap} left today${row.waiting ? `; ${row.waiting}` : ''}`,
      );
      for (const line of row.heldText) lines.push(`  ${line}`);
    }
    if (feeds.length > 0) lines.push('', 'feeds:', ...feeds.flatMap(feedStatusLines));
    if (unknown.length > 0)
      lines.push(
        '',
        `posts of unknown outcome (crash mid-send; decide with "quotecast resolve ID --sent|--resend"): ${unknown.map((u) => `#${u.id}`).join(' ')}`,
      );
    if (failures.length > 0)
      lines.push(
        '',
        'recent failures:',
        ...failures.map((f) => `  #${f.id} ${f.channel}: ${oneLine(f.error ?? '', 120)}`),
      );
    if (alertsWaiting > 0)
      lines.push(
        '',
        `admin alerts waiting for Telegram: ${alertsWaiting} (the admin bot of "quotecast start" delivers them; the log has each one)`,
      );
    if (tokenWarning) lines.push('', `warning: ${tokenWarning}`);
    ctx.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  });
}

function damagedReport(path: string, problems: readonly string[]): string {
  const shown = problems.slice(0, 20);
  return [
    `store: ${path} FAILED the integrity check (${problems.length === 1 ? '1 finding' : `${problems.length} findings`}):`,
    ...shown.map((problem) => `  ${problem}`),
    ...(problems.length > shown.length ? [`  … and ${problems.length - shown.length} more`] : []),
    'quotecast refuses to publish from it: a damaged store can send posts again or lose track of them.',
    `Stop the daemon, restore ${path} from a backup, and run "quotecast status --check" again.`,
  ].join('\n');
}

/** `quotecast queue`: the posts per channel, in publishing order, optionally of one state. */
export async function queueCommand(ctx: CliContext, args: readonly string[]): Promise<number> {
  const { values } = parseCommandArgs('queue', args, {
    channel: { type: 'string' },
    state: { type: 'string' },
    limit: { type: 'string' },
    format: { type: 'string' },
  });
  const format = oneOf('--format', values.format, ['text', 'json'] as const, 'text');
  const state = values.state ? oneOf<PostState>('--state', values.state, POST_STATES, 'queued') : undefined;
  const limit = values.limit ? Number(values.limit) : 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new CliError('--limit must be a whole number from 1 to 1000');
  return await withRuntime(ctx, async (runtime) => {
    const channels = selectChannels(runtime.config, values.channel);
    const result: Record<string, StoredPost[]> = {};
    /** Queued parts held behind a part that needs an admin, by post id. */
    const heldBy = new Map<number, HeldThread>();
    for (const channel of channels) {
      result[channel.id] = [
        ...(state && state !== 'queued'
          ? await runtime.store.postsInState(state, limit, channel.id)
          : await runtime.store.upcoming(channel.id, limit)),
      ];
      for (const thread of await heldThreads(runtime.deps, channel.id))
        for (const part of thread.held) heldBy.set(part.id, thread);
    }
    if (format === 'json') {
      const marked = Object.fromEntries(
        Object.entries(result).map(([channelId, posts]) => [
          channelId,
          posts.map((p) => {
            const thread = heldBy.get(p.id);
            return thread
              ? { ...p, held: { by: thread.blocker.id, reason: blockerReason(thread.blocker) } }
              : p;
          }),
        ]),
      );
      ctx.stdout.write(`${JSON.stringify(marked, null, 2)}\n`);
      return 0;
    }
    const lines: string[] = [];
    for (const [channelId, posts] of Object.entries(result)) {
      lines.push(`${channelId}: ${posts.length === 0 ? 'nothing ' : ''}${state ?? 'queued'}`);
      const told = new Set<number>();
      for (const p of posts) {
        const thread = heldBy.get(p.id);
        if (thread && !told.has(thread.articleId)) {
          told.add(thread.articleId);
          lines.push(`  ${describeHeldThread(thread, 'cli')}:`);
        }
        const when = p.nextAttemptAt ? ` retry ${p.nextAttemptAt.toISOString()}` : '';
        const shown = thread
          ? `held (part ${thread.blocker.seq} #${thread.blocker.id} ${thread.blocker.state === 'unknown' ? 'of unknown outcome' : thread.blocker.state})`
          : p.state;
        lines.push(
          `  #${p.id} art ${p.articleId} ${p.seq}/${p.total} ${shown}${p.approved ? '' : ' (awaiting approval)'}${when}  ${oneLine(p.text, 70)}`,
        );
      }
    }
    ctx.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  });
}

interface PreviewRow {
  readonly at: string;
  readonly local: string;
  readonly posts: number[];
  /** Present (true) on slots that fall in the channel's quiet hours. */
  readonly quietHours?: true;
  /** Present (true) on slots left empty by the daily cap while posts wait. */
  readonly dailyCapReached?: true;
  /** Present (true) on slots inside a timed pause (a rate limit) while posts wait. */
  readonly paused?: true;
  /** Why, where there is more to say: "thread of 21 parts waits: 7 left of the daily cap of 17". */
  readonly reason?: string;
}

/**
 * `quotecast schedule`: the next slots per channel and which post goes in each. A preview: it assumes
 * every post goes out at its slot and honours the daily cap and quiet hours, not retries or pauses.
 */
export async function scheduleCommand(ctx: CliContext, args: readonly string[]): Promise<number> {
  const { values } = parseCommandArgs('schedule', args, {
    days: { type: 'string' },
    channel: { type: 'string' },
    format: { type: 'string' },
  });
  const days = values.days ? Number(values.days) : 1;
  if (!Number.isFinite(days) || days <= 0 || days > 31)
    throw new CliError('--days must be a number from 1 to 31');
  const format = oneOf('--format', values.format, ['text', 'json'] as const, 'text');
  return await withRuntime(ctx, async (runtime) => {
    const now = runtime.clock.now();
    const until = now.getTime() + days * 86_400_000;
    const preview: Record<string, PreviewRow[]> = {};
    for (const channel of selectChannels(runtime.config, values.channel)) {
      const slotCount = nextSlots(channel.schedule, channel.zone, now, 500).filter(
        (d) => d.getTime() <= until,
      ).length;
      // The same plan the Telegram bot's /schedule shows: caps, quiet hours, pauses, retries.
      const plan = await planSlots(runtime.deps, channel, await runtime.store.upcoming(channel.id, 2000), {
        minSlots: slotCount,
      });
      const rows: PreviewRow[] = plan.slots
        .filter((slot) => slot.at.getTime() <= until)
        .map((slot) => ({
          at: slot.at.toISOString(),
          local: formatInZone(slot.at, channel.zone),
          posts: slot.posts.map((p) => p.id),
          ...(slot.blocked === 'quiet hours' ? { quietHours: true as const } : {}),
          ...(slot.blocked === 'daily cap reached' ? { dailyCapReached: true as const } : {}),
          ...(slot.blocked === 'paused' ? { paused: true as const } : {}),
          ...(slot.reason ? { reason: slot.reason } : {}),
        }));
      if (plan.pausedIndefinitely) rows.length = 0;
      preview[channel.id] = rows;
    }
    if (format === 'json') {
      ctx.stdout.write(`${JSON.stringify(preview, null, 2)}\n`);
      return 0;
    }
    const lines: string[] = [];
    for (const [channelId, rows] of Object.entries(preview)) {
      lines.push(`${channelId}:`);
      for (const row of rows.slice(0, 50))
        lines.push(
          `  ${row.local}  ${row.posts.length ? row.posts.map((p) => `#${p}`).join(' ') : row.reason ? `(${row.reason})` : row.quietHours ? '(quiet hours)' : row.paused ? '(paused)' : row.dailyCapReached ? '(daily cap reached)' : '(nothing queued)'}`,
        );
      if (rows.length > 50) lines.push(`  … ${rows.length - 50} more slots`);
    }
    ctx.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  });
}
