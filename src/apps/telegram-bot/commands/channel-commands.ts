import { formatInZone } from '../../../domain/schedule.js';
import { pauseChannel, resumeChannel } from '../../../use-cases/admin-actions.js';
import { planSlots } from '../../../use-cases/plan-slots.js';
import type { PublishOutcome } from '../../../use-cases/publish-post.js';
import type { SlotResult } from '../../../use-cases/run-channel-slot.js';
import type { Admin, BotServices, CommandResult, Reply } from '../bot-types.js';
import { bold, esc, excerpt, paginate, shortTime } from '../format-html.js';
import { type Channel, findChannel, fromResult, isReply, text, words } from './shared.js';

/** `[channel]`: the named channel, every channel when none is named, or a reply saying what is wrong. */
function channelsArg(s: BotServices, command: string, args: string): Channel[] | Reply {
  const parts = words(args);
  if (parts.length === 0) return [...s.deps.channels];
  if (parts.length > 1)
    return text(`⚠️ /${command} takes one channel id, e.g. /${command} ${esc(parts[0] ?? '')}.`);
  const found = findChannel(s, parts[0] ?? '');
  return isReply(found) ? found : [found];
}

/** `/next [channel]`: one slot of the channel now, through the daemon (same path as a scheduled tick). */
export function nextCommand(s: BotServices, args: string): CommandResult {
  const picked = channelsArg(s, 'next', args);
  if (isReply(picked)) return picked;
  // With no channel named, /next needs the choice to be obvious: publishing everywhere at once is
  // rarely what an editor means.
  const candidates = picked.length === 1 ? picked : picked.filter((c) => c.enabled);
  const channel = candidates[0];
  if (!channel || candidates.length > 1)
    return text(
      `⚠️ Which channel? ${candidates.map((c) => `/next ${esc(c.id)}`).join(' or ') || 'No channel is enabled.'}`,
    );
  if (!channel.enabled)
    return text(`⚠️ ${esc(channel.id)} is disabled in the config; nothing is published there.`);
  return {
    working: `⏳ Publishing the next post of ${esc(channel.id)}…`,
    finish: async () => ({ html: describeSlot(channel, await s.daemon.runNow(channel.id)) }),
  };
}

function describeSlot(channel: Channel, result: SlotResult): string {
  const id = esc(channel.id);
  if (result.kind === 'published') return result.outcomes.map((o) => describeOutcome(channel, o)).join('\n');
  const detail = result.detail ? ` (${esc(result.detail)})` : '';
  switch (result.why) {
    case 'nothing-due':
      return `Nothing to publish on ${id} now${detail}: the queue is empty, waiting for /approve, or waiting for retries. See /queue ${id}.`;
    case 'paused':
      return `⏸ ${id} is paused${detail}; /resume ${id} first.`;
    case 'quiet-hours':
      return `🌙 ${id} is in its quiet hours; nothing goes out until they end.`;
    case 'daily-cap':
      return `🧢 ${id} reached its daily cap${detail}; it publishes again tomorrow (in ${esc(channel.zone)}).`;
    default:
      return `⚠️ ${id} is disabled${detail}.`;
  }
}

function describeOutcome(channel: Channel, outcome: PublishOutcome): string {
  if (outcome.kind === 'not-queued' && outcome.heldBack)
    return `Post #${outcome.postId} was not sent: it waits for an approval (/approve) or a correction decision (/held). It is still queued.`;
  if (outcome.kind === 'not-queued')
    return `Post #${outcome.postId} was taken by another publisher meanwhile.`;
  if (outcome.kind === 'stopped')
    return `Post #${outcome.postId} was not sent: stopping. It is still queued.`;
  const post = outcome.post;
  const what = `#${post.id} (a${post.articleId} ${post.seq}/${post.total})`;
  switch (outcome.kind) {
    case 'sent':
      return `✅ Published ${what} on ${esc(channel.id)}${outcome.url ? `: ${esc(outcome.url)}` : ''}\n${excerpt(post.text, 200)}`;
    case 'duplicate':
      return `✅ ${what} was already on ${esc(channel.id)}; counted as sent.`;
    case 'retry':
      return `⏳ ${what} did not go out (${esc(outcome.reason)}: ${excerpt(outcome.detail, 300)}); it is tried again at ${esc(formatInZone(outcome.at, channel.zone))}.`;
    case 'unknown':
      return `❓ ${what} may or may not have arrived (${excerpt(outcome.detail, 300)}); check ${esc(channel.id)} and answer the alert's buttons.`;
    default:
      return `❌ ${what} failed (${esc(outcome.reason)}): ${excerpt(outcome.detail, 500)}`;
  }
}

/** `/pause [channel]`: every channel not yet paused when none is named (an emergency brake). */
export async function pauseCommand(s: BotServices, args: string, admin: Admin): Promise<Reply> {
  const picked = channelsArg(s, 'pause', args);
  if (isReply(picked)) return picked;
  if (picked.length === 1) return fromResult(await pauseChannel(s.deps, picked[0]!.id, admin.label));
  const running = await channelsWhere(s, picked, false);
  if (running.length === 0) return text('Every channel is already paused; /resume starts them again.');
  for (const c of running) await pauseChannel(s.deps, c.id, admin.label);
  s.logger.info('channels paused from Telegram', { by: admin.label, channels: running.map((c) => c.id) });
  return text(
    `✅ Paused ${running.map((c) => esc(c.id)).join(', ')}; nothing goes out until /resume (all) or /resume CHANNEL.`,
  );
}

/** `/resume [channel]`: every paused channel when none is named. */
export async function resumeCommand(s: BotServices, args: string, admin: Admin): Promise<Reply> {
  const picked = channelsArg(s, 'resume', args);
  if (isReply(picked)) return picked;
  if (picked.length === 1) return fromResult(await resumeChannel(s.deps, picked[0]!.id));
  const paused = await channelsWhere(s, picked, true);
  if (paused.length === 0) return text('No channel is paused.');
  for (const c of paused) await resumeChannel(s.deps, c.id);
  s.logger.info('channels resumed from Telegram', { by: admin.label, channels: paused.map((c) => c.id) });
  return text(`✅ Resumed ${paused.map((c) => esc(c.id)).join(', ')}.`);
}

export const SCHEDULE_SLOTS = 10;

/** `/schedule [channel]`: the next 10 slot times per channel and the post planned for each. */
export async function scheduleCommand(s: BotServices, args: string): Promise<Reply> {
  const picked = channelsArg(s, 'schedule', args);
  if (isReply(picked)) return picked;
  const lines: string[] = [bold('Schedule')];
  for (const channel of picked) {
    lines.push('', `${bold(channel.id)} (${esc(channel.schedule)}, times in ${esc(channel.zone)})`);
    if (!channel.enabled) {
      lines.push('disabled in the config');
      continue;
    }
    const queue = await s.deps.store.upcoming(channel.id, 200);
    const plan = await planSlots(s.deps, channel, queue, { minSlots: SCHEDULE_SLOTS });
    if (plan.pausedIndefinitely) {
      lines.push(`⏸ paused (${esc(plan.pauseReason ?? '')}); /resume ${esc(channel.id)} to plan slots again`);
      continue;
    }
    for (const slot of plan.slots.slice(0, SCHEDULE_SLOTS)) {
      const what = slot.blocked
        ? `— ${esc(slot.reason ?? slot.blocked)}`
        : slot.posts.length === 0
          ? '— nothing queued'
          : `— ${slot.posts.map((p) => `#${p.id}`).join(' ')} ${excerpt(slot.posts[0]?.text ?? '', 60)}`;
      lines.push(`${esc(shortTime(slot.at, channel.zone))} ${what}`);
    }
  }
  return { html: paginate(lines)[0] ?? '' };
}

/** The picked channels that are (or are not) paused now, in the order given. */
async function channelsWhere<C extends { readonly id: string }>(
  s: BotServices,
  picked: readonly C[],
  paused: boolean,
): Promise<C[]> {
  const matching: C[] = [];
  for (const channel of picked)
    if ((await s.deps.store.channelState(channel.id)).paused === paused) matching.push(channel);
  return matching;
}
