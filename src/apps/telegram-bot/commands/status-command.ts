import { hideUrlSecrets } from '../../../adapters/http/hide-url-secrets.js';
import { formatInZone, nextSlots } from '../../../domain/schedule.js';
import { type FeedHealth, feedHealth } from '../../../use-cases/feed-actions.js';
import {
  activeState,
  dailyCapLeft,
  describeHeldThread,
  heldThreads,
  threadCapWait,
} from '../../../use-cases/run-channel-slot.js';
import type { BotServices, Reply } from '../bot-types.js';
import { bold, esc, excerpt, paginate } from '../format-html.js';

/** Like `quotecast status`: per channel counts, next slot in its zone, daily cap left, paused or not. */
export async function statusCommand(s: BotServices): Promise<Reply> {
  const { store } = s.deps;
  const now = s.clock.now();
  const lines: string[] = [bold('Status')];
  for (const channel of s.deps.channels) {
    const counts = await store.countsByState(channel.id);
    const state = await activeState(s.deps, channel.id, now);
    const [next] = nextSlots(channel.schedule, channel.zone, now, 1);
    const awaiting = (await store.upcoming(channel.id, 10_000)).filter((p) => !p.approved).length;
    const publisher = s.deps.publishers.get(channel.id)?.kind ?? 'none';
    const waiting = await threadCapWait(s.deps, channel.id);
    const extra = (['sending', 'unknown', 'skipped'] as const)
      .filter((k) => counts[k] > 0)
      .map((k) => ` · ${k} ${counts[k]}`)
      .join('');
    lines.push(
      '',
      `${bold(channel.id)} (${esc(`${channel.platform} via ${publisher}, ${channel.mode}`)})${channel.enabled ? '' : ' — disabled in config'}`,
      `queued ${counts.queued}${awaiting > 0 ? ` (${awaiting} awaiting /approve)` : ''} · sent ${counts.sent} · failed ${counts.failed}${extra}`,
      `next slot: ${esc(next ? formatInZone(next, channel.zone) : 'never')}`,
      `daily cap: ${await dailyCapLeft(s.deps, channel.id)} of ${channel.dailyCap} left today${waiting ? esc(`; ${waiting}`) : ''}`,
      state.paused
        ? `⏸ ${bold('paused')}: ${esc(state.pauseReason ?? '')}${state.pausedUntil ? esc(` (until ${formatInZone(state.pausedUntil, channel.zone)})`) : ` — /resume ${esc(channel.id)}`}`
        : '▶️ running',
      ...(await heldThreads(s.deps, channel.id)).map((h) => `⛔ ${esc(describeHeldThread(h, 'telegram'))}`),
    );
  }
  const feeds = (await feedHealth(store, s.settings.feeds)).flatMap((h) =>
    feedTrouble(h, s.settings.timezone),
  );
  if (feeds.length > 0) lines.push('', ...feeds);
  const unknown = await store.postsInState('unknown', 20);
  if (unknown.length > 0)
    lines.push(
      '',
      `❓ ${unknown.length} post(s) of unknown outcome after a crash: ${unknown.map((p) => `#${p.id}`).join(' ')}. Check the channel, then press the buttons in the alert, or /skip or /retry.`,
    );
  const failed = await store.postsInState('failed', 5);
  if (failed.length > 0)
    lines.push(
      '',
      'Recent failures (/retry ID):',
      ...failed.map((p) => `#${p.id} ${esc(p.channelId)}: ${excerpt(p.lastError ?? '', 150)}`),
    );
  // Status is short; with dozens of channels keep the first page rather than fail.
  return { html: paginate(lines)[0] ?? '' };
}

/**
 * One line for a feed in trouble (its last poll failed, or corrections wait for a decision), none for
 * a healthy, new, paused or disabled one: /status stays short, /feeds has the rest.
 */
function feedTrouble(h: FeedHealth, zone = 'UTC'): string[] {
  const problems: string[] = [];
  if (h.condition === 'failing') {
    const error = excerpt(hideUrlSecrets(h.state.lastError ?? ''), 150);
    const next = h.state.nextPollAfter ? `; next try after ${formatInZone(h.state.nextPollAfter, zone)}` : '';
    problems.push(`${bold('failing')}, ${h.state.failures} poll(s) in a row: ${error}${esc(next)}`);
  }
  if (h.held > 0) problems.push(`${h.held} correction(s) held for a decision: /held`);
  return problems.length === 0 ? [] : [`⚠️ feed ${bold(h.feed.id)}: ${problems.join('; ')}`];
}
