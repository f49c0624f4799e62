import type { AdminAlert, AlertAction } from '../../ports/notifier.js';
import type { PostStore, StoredPost } from '../../ports/post-store.js';
import type { HeldDecision } from '../../use-cases/feed-actions.js';
import type { InlineButton, Reply } from './bot-types.js';
import { type CallbackAction, encodeCallback } from './callback-data.js';
import { bold, esc, escClipped, excerpt, PAGE_BUDGET, pageOf, paginate, plural } from './format-html.js';

type AlertContent = Pick<AdminAlert, 'kind' | 'text' | 'action'> & { readonly postId?: number | null };

const HEADINGS: Readonly<Record<AdminAlert['kind'], string>> = {
  auth: '🔑 Credentials or permissions problem: channel paused',
  failed: '❌ A post failed for good',
  unknown: '❓ Did this post arrive?',
  'rate-limited': '⏳ Channel rate limited for more than an hour',
  info: 'ℹ️ quotecast',
};

/** Posts per page of the unknown-outcome summary (each with its two buttons). */
export const UNKNOWN_PAGE_SIZE = 5;

/**
 * One alert as one message. An `unknown` post (the process died while sending it) comes with
 * "mark as sent" / "send again" buttons that resolve it; an alert with an action (a held correction,
 * a feed article to approve, an item gone from its feed) with the buttons that decide it.
 */
export async function formatAlert(alert: AlertContent, store: PostStore): Promise<Reply> {
  const lines = [bold(HEADINGS[alert.kind]), '', esc(alert.text)];
  if (alert.action) return { html: lines.join('\n'), keyboard: actionButtons(alert.action) };
  if (alert.kind !== 'unknown' || alert.postId == null) return { html: lines.join('\n') };
  const post = await store.getPost(alert.postId);
  if (post) lines.push('', bold('The post:'), escClipped(post.text, 2500));
  return {
    html: lines.join('\n'),
    keyboard: [
      [
        {
          text: '✅ It arrived: mark as sent',
          callback_data: encodeCallback({ kind: 'unknown-post', decision: 'sent', postId: alert.postId }),
        },
        {
          text: '🔁 Send again',
          callback_data: encodeCallback({ kind: 'unknown-post', decision: 'resend', postId: alert.postId }),
        },
      ],
    ],
  };
}

/** The buttons of an alert that asks for a decision (feed-group.ts handles the presses). */
export function actionButtons(action: AlertAction, page?: number): InlineButton[][] {
  const at = page === undefined ? {} : { page };
  switch (action.kind) {
    case 'held-correction': {
      const held = (text: string, decision: HeldDecision) => ({
        text,
        callback_data: encodeCallback({ kind: 'held', decision, itemId: action.feedItemId, ...at }),
      });
      return [
        [held('🔁 Re-split and re-queue', 'requeue')],
        [held('Keep as queued', 'keep'), held('🗑 Drop', 'drop')],
      ];
    }
    case 'feed-approval': {
      const choose = (text: string, decision: 'approve' | 'delete') => ({
        text,
        callback_data: encodeCallback({ kind: 'feed-approval', decision, articleId: action.articleId }),
      });
      return [[choose('✅ Approve', 'approve'), choose('🗑 Delete', 'delete')]];
    }
    case 'vanished-item': {
      const choose = (text: string, decision: 'kill' | 'keep') => ({
        text,
        callback_data: encodeCallback({
          kind: 'vanished',
          decision,
          itemId: action.feedItemId,
          articleId: action.articleId,
        }),
      });
      return [[choose('🗑 Kill it…', 'kill'), choose('Keep', 'keep')]];
    }
  }
}

/**
 * Several alerts that arrived together, as few messages as fit: one alert alone reads as before;
 * more are listed under one heading, each with its own, cut into pages that never split an alert.
 */
export function formatDigest(alerts: readonly AlertContent[]): Reply[] {
  if (alerts.length === 1)
    return [{ html: [bold(HEADINGS[alerts[0]!.kind]), '', esc(alerts[0]!.text)].join('\n') }];
  const blocks = alerts.map((a) => `${bold(HEADINGS[a.kind])}\n${escClipped(a.text, 1500)}\n`);
  const pages = paginate(blocks, PAGE_BUDGET - 100);
  return pages.map((page, i) => ({
    html: `${bold(`🔔 ${plural(alerts.length, 'alert')}${pages.length > 1 ? ` (${i + 1}/${pages.length})` : ''}`)}\n\n${page}`,
  }));
}

/**
 * One page of every post now of unknown outcome, each with its buttons, and page buttons: the summary
 * the admins get after a restart, what /unknown shows, and what a button press redraws. Built from
 * the store each time, so a post someone else settled meanwhile is gone from it. `note` goes on top
 * (the verdict of the button just pressed).
 */
export async function unknownPage(store: PostStore, page: number, note?: string): Promise<Reply> {
  const all = await store.postsInState('unknown', 10_000);
  const top = note ? `${note}\n\n` : '';
  if (all.length === 0) return { html: `${top}${bold('✅ No post is of unknown outcome.')}` };
  const { pages, current, shown } = pageOf(all, page, UNKNOWN_PAGE_SIZE);
  const lines = [
    `${top}${bold(`❓ ${plural(all.length, 'post')} of unknown outcome`)}`,
    esc(
      'quotecast stopped or lost the connection while sending these: each may or may not have arrived. Check the channel, then press ✅ for a post that is there or 🔁 to send it again.',
    ),
    '',
    ...shown.map(describe),
  ];
  if (pages > 1) lines.push(esc(`Page ${current + 1} of ${pages}.`));
  const keyboard: InlineButton[][] = shown.map((post) => [
    {
      text: `✅ #${post.id} arrived`,
      callback_data: encodeCallback({
        kind: 'unknown-post',
        decision: 'sent',
        postId: post.id,
        page: current,
      }),
    },
    {
      text: `🔁 #${post.id} again`,
      callback_data: encodeCallback({
        kind: 'unknown-post',
        decision: 'resend',
        postId: post.id,
        page: current,
      }),
    },
  ]);
  const nav = pageButtons(current, pages, (p) => ({ kind: 'unknown-page', page: p }));
  if (nav.length > 0) keyboard.push(nav);
  return { html: lines.join('\n'), keyboard };
}

/** "◀ Previous" / "Next ▶" for a paginated summary (none when it has one page). */
export function pageButtons(
  current: number,
  pages: number,
  action: (page: number) => CallbackAction,
): InlineButton[] {
  const nav: InlineButton[] = [];
  if (current > 0) nav.push({ text: '◀ Previous', callback_data: encodeCallback(action(current - 1)) });
  if (current < pages - 1) nav.push({ text: 'Next ▶', callback_data: encodeCallback(action(current + 1)) });
  return nav;
}

function describe(post: StoredPost): string {
  const where =
    post.total > 1
      ? `${post.channelId}, ${post.mode === 'thread' ? 'thread part' : 'post'} ${post.seq}/${post.total}`
      : post.channelId;
  return `${bold(`#${post.id}`)} ${esc(`(${where})`)}\n${excerpt(post.text, 300)}\n`;
}
