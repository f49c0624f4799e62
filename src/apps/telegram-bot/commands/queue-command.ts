import type { StoredPost } from '../../../ports/post-store.js';
import { planSlots } from '../../../use-cases/plan-slots.js';
import { type HeldThread, heldThreads } from '../../../use-cases/run-channel-slot.js';
import type { BotServices, InlineButton, Reply } from '../bot-types.js';
import { encodeCallback } from '../callback-data.js';
import { bold, esc, excerpt, PAGE_BUDGET, paginate, plural, shortTime } from '../format-html.js';
import { type Channel, findChannel, isReply, text, words } from './shared.js';

export const DEFAULT_QUEUE_SIZE = 10;
export const MAX_QUEUE_SIZE = 200;

/** `/queue [channel] [n]`, in either order. */
export async function queueCommand(s: BotServices, args: string): Promise<Reply> {
  let channel: Channel | undefined;
  let n = DEFAULT_QUEUE_SIZE;
  const parts = words(args);
  if (parts.length > 2) return text(`⚠️ Usage: /queue [channel] [n], e.g. /queue ${esc(example(s))} 20`);
  for (const part of parts) {
    if (/^\d+$/.test(part)) {
      n = Number(part);
      if (n < 1 || n > MAX_QUEUE_SIZE)
        return text(`⚠️ n must be a whole number from 1 to ${MAX_QUEUE_SIZE}; got ${esc(part)}.`);
      continue;
    }
    const found = findChannel(s, part);
    if (isReply(found)) return found;
    channel = found;
  }
  return await queuePage(s, channel?.id, n, 0);
}

/** One page of the queue listing; the "next page" buttons re-render it from the store as it is now. */
export async function queuePage(
  s: BotServices,
  channelId: string | undefined,
  n: number,
  page: number,
): Promise<Reply> {
  const channels = channelId ? s.deps.channels.filter((c) => c.id === channelId) : s.deps.channels;
  if (channels.length === 0) return text(`⚠️ The channel ${esc(channelId ?? '')} is no longer configured.`);
  const lines: string[] = [];
  for (const channel of channels) lines.push(...(await channelLines(s, channel, n)));
  const pages = paginate(lines, PAGE_BUDGET - 80);
  const index = Math.min(Math.max(page, 0), pages.length - 1);
  const header = bold(`Queue${pages.length > 1 ? ` (page ${index + 1} of ${pages.length})` : ''}`);
  const buttons: InlineButton[] = [];
  const to = (p: number, label: string) =>
    buttons.push({
      text: label,
      callback_data: encodeCallback({ kind: 'queue-page', channel: channelId, n, page: p }),
    });
  if (index > 0) to(index - 1, '◀ previous page');
  if (index < pages.length - 1) to(index + 1, 'next page ▶');
  return { html: `${header}\n${pages[index] ?? ''}`, ...(buttons.length ? { keyboard: [buttons] } : {}) };
}

async function channelLines(s: BotServices, channel: Channel, n: number): Promise<string[]> {
  const { store } = s.deps;
  const total = (await store.countsByState(channel.id)).queued;
  const posts = await store.upcoming(channel.id, n);
  const head = `\n${bold(channel.id)} — ${total === 0 ? 'nothing queued' : `next ${posts.length} of ${plural(total, 'queued post')}`} (times in ${esc(channel.zone)})`;
  if (posts.length === 0) return [head];
  const plan = await planSlots(s.deps, channel, posts, { minSlots: 0 });
  const heldBy = new Map<number, HeldThread>();
  for (const thread of await heldThreads(s.deps, channel.id))
    for (const part of thread.held) heldBy.set(part.id, thread);
  return [
    head,
    ...posts.map((p) =>
      postLine(p, channel, plan.timeOf.get(p.id), plan.pausedIndefinitely, heldBy.get(p.id)),
    ),
  ];
}

function postLine(
  post: StoredPost,
  channel: Channel,
  at: Date | undefined,
  paused: boolean,
  held: HeldThread | undefined,
): string {
  const when = held
    ? heldLine(held)
    : !post.approved
      ? `awaiting /approve ${post.articleId}`
      : paused
        ? 'paused'
        : at
          ? shortTime(at, channel.zone)
          : 'later';
  return `#${post.id} · ${esc(when)} · a${post.articleId} ${post.seq}/${post.total}\n    ${excerpt(post.text, 90)}`;
}

function example(s: BotServices): string {
  return s.deps.channels[0]?.id ?? 'channel';
}

/** "held: part 1 failed — /retry 42 or /skip 42": why the part waits and what lets it go. */
function heldLine(thread: HeldThread): string {
  const { blocker } = thread;
  return blocker.state === 'unknown'
    ? `held: part ${blocker.seq} of unknown outcome — /resolve ${blocker.id} sent|resend or /skip ${blocker.id}`
    : `held: part ${blocker.seq} ${blocker.state} — /retry ${blocker.id} or /skip ${blocker.id}`;
}
