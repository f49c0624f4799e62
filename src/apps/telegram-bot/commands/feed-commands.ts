import { hideUrlSecrets } from '../../../adapters/http/hide-url-secrets.js';
import { nextSlots } from '../../../domain/schedule.js';
import type { StoredFeedItem } from '../../../ports/post-store.js';
import { type FeedHealth, feedHealth, heldItemDiff, heldItems } from '../../../use-cases/feed-actions.js';
import { actionButtons, pageButtons } from '../alert-messages.js';
import type { BotServices, InlineButton, Reply } from '../bot-types.js';
import { encodeCallback } from '../callback-data.js';
import { bold, esc, escClipped, pageOf, paginate, plural, shortTime } from '../format-html.js';

/** Held corrections per page of /held (each with its diff and three buttons). */
export const HELD_PAGE_SIZE = 3;

/**
 * `/feeds`: each feed's state (enabled, paused, last poll, last success, last error, next poll, items
 * seen / queued / held) with a Pause or Resume button per feed. Built from the store each time, so a
 * button press redraws what is true now. `note` goes on top (the verdict of the button just pressed).
 */
export async function feedsReply(s: BotServices, note?: string): Promise<Reply> {
  const { feeds, timezone } = s.settings;
  const top = note ? `${note}\n\n` : '';
  if (feeds.length === 0)
    return { html: `${top}${esc('No feed is configured (feeds: in the settings file).')}` };
  const health = await feedHealth(s.deps.store, feeds);
  const blocks = health.map((h) => feedBlock(h, timezone, s.clock.now()));
  const html = `${top}${bold(`📰 ${plural(feeds.length, 'feed')}`)} ${esc(`(times in ${timezone})`)}\n\n${paginate(blocks)[0] ?? ''}`;
  const keyboard: InlineButton[][] = health
    .filter((h) => h.feed.enabled)
    .map((h) => [
      {
        text: h.state.paused ? `▶ Resume ${h.feed.id}` : `⏸ Pause ${h.feed.id}`,
        callback_data: encodeCallback({ kind: 'feed-pause', paused: !h.state.paused, feedId: h.feed.id }),
      },
    ]);
  return keyboard.length > 0 ? { html, keyboard } : { html };
}

function feedBlock(h: FeedHealth, zone: string, now: Date): string {
  const when = (d: Date | null) => (d ? shortTime(d, zone) : 'never');
  const { state } = h;
  const lines = [
    `${bold(h.feed.id)} · ${esc(h.condition)}`,
    esc(`last poll ${when(state.lastPollAt)} · last success ${when(state.lastSuccessAt)}`),
    esc(`next poll: ${nextPoll(h, zone, now)}`),
    esc(`${plural(h.seen, 'item')} seen, ${h.queued} queued, ${h.held} held${h.held > 0 ? ' (/held)' : ''}`),
  ];
  // A private feed's URL carries its key (credentials, a token in the query): host and path only.
  if (state.lastError) lines.push(`last error: ${escClipped(hideUrlSecrets(state.lastError), 300)}`);
  lines.push(escClipped(hideUrlSecrets(h.feed.url), 300));
  return `${lines.join('\n')}\n`;
}

/** The feed's next cron tick, or the end of its backoff when that is later. */
function nextPoll(h: FeedHealth, zone: string, now: Date): string {
  if (!h.feed.enabled) return 'never (disabled in the settings)';
  if (h.state.paused) return 'when resumed';
  const after = h.state.nextPollAfter && h.state.nextPollAfter > now ? h.state.nextPollAfter : now;
  const tick = nextSlots(h.feed.schedule, zone, after, 1)[0];
  const backoff = after === now ? '' : ` (backing off after errors until ${shortTime(after, zone)})`;
  return `${tick ? shortTime(tick, zone) : 'not scheduled'}${backoff}`;
}

/**
 * `/held`: one page of the held corrections, each with what changed and its three buttons (re-split
 * and re-queue, keep as queued, drop), and page buttons; what a press redraws, from the store as it is
 * now, with `note` (the verdict) on top.
 */
export async function heldPage(s: BotServices, page: number, note?: string): Promise<Reply> {
  const all = await heldItems(s.deps.store, s.settings.feeds);
  const top = note ? `${note}\n\n` : '';
  if (all.length === 0) return { html: `${top}${bold('✅ No correction is waiting for a decision.')}` };
  const { pages, current, shown } = pageOf(all, page, HELD_PAGE_SIZE);
  const lines = [
    `${top}${bold(`✋ ${plural(all.length, 'correction')} waiting for a decision`)}`,
    esc('Each item changed in its feed after it was queued; its queued posts are held until you choose.'),
    '',
    ...shown.map(heldBlock),
  ];
  if (pages > 1) lines.push(esc(`Page ${current + 1} of ${pages}.`));
  const keyboard: InlineButton[][] = shown.flatMap((item) =>
    actionButtons({ kind: 'held-correction', feedItemId: item.id }, current).map((row) =>
      row.map((b) => ({ ...b, text: `${b.text} (${item.articleId ?? '?'})` })),
    ),
  );
  const nav = pageButtons(current, pages, (p) => ({ kind: 'held-page', page: p }));
  if (nav.length > 0) keyboard.push(nav);
  return { html: paginate(lines)[0] ?? '', keyboard };
}

function heldBlock(item: StoredFeedItem): string {
  return [
    `${bold(`a${item.articleId ?? '?'}`)} ${escClipped(`"${item.title}" (feed ${item.feedId})`, 300)}`,
    escClipped(heldItemDiff(item), 1000),
    '',
  ].join('\n');
}
