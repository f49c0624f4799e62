import type { HeldDecision } from '../../use-cases/feed-actions.js';

/**
 * What the inline buttons carry. Telegram allows at most 64 bytes of callback data, so each button
 * names an action and ids, never text: `q:<channel|*>:<n>:<page>`, `a:<q|a|d>:<preview id>`,
 * `u:<s|r>:<post id>[:<page>]` (the page when pressed on the unknown-outcome summary), `k:<page>`,
 * `x:<k|c>:<article id>` (a /kill confirmation: kill it, or cancel), `c:<r|k|d>:<feed item id>[:<page>]`
 * (a held correction: re-split and re-queue, keep, drop; the page when pressed on /held), `cp:<page>`,
 * `f:<a|d>:<article id>` (a feed article: approve, delete), `v:<k|p>:<feed item id>:<article id>` (an
 * item gone from its feed: kill it, keep it), `p:<p|r>:<feed id>` (pause or resume a feed).
 */
export type CallbackAction =
  | {
      readonly kind: 'queue-page';
      readonly channel: string | undefined;
      readonly n: number;
      readonly page: number;
    }
  | { readonly kind: 'preview'; readonly choice: PreviewChoice; readonly previewId: string }
  | {
      readonly kind: 'unknown-post';
      readonly decision: 'sent' | 'resend';
      readonly postId: number;
      /** Pressed on a page of the unknown-outcome summary: redraw that page. */
      readonly page?: number;
    }
  | { readonly kind: 'unknown-page'; readonly page: number }
  | { readonly kind: 'kill'; readonly decision: 'kill' | 'cancel'; readonly articleId: number }
  | {
      readonly kind: 'held';
      readonly decision: HeldDecision;
      readonly itemId: number;
      /** Pressed on a page of /held: redraw that page. */
      readonly page?: number;
    }
  | { readonly kind: 'held-page'; readonly page: number }
  | { readonly kind: 'feed-approval'; readonly decision: 'approve' | 'delete'; readonly articleId: number }
  | {
      readonly kind: 'vanished';
      readonly decision: 'kill' | 'keep';
      readonly itemId: number;
      readonly articleId: number;
    }
  | { readonly kind: 'feed-pause'; readonly paused: boolean; readonly feedId: string };

/** `queue`: stored unapproved (waits for /approve); `approve`: stored approved; `discard`: dropped. */
export type PreviewChoice = 'queue' | 'approve' | 'discard';

export const MAX_CALLBACK_BYTES = 64;

const CHOICES: Readonly<Record<string, PreviewChoice>> = { q: 'queue', a: 'approve', d: 'discard' };
const HELD: Readonly<Record<string, HeldDecision>> = { r: 'requeue', k: 'keep', d: 'drop' };
const page = (n: number | undefined) => (n === undefined ? '' : `:${n}`);

export function encodeCallback(action: CallbackAction): string {
  const data = encode(action);
  // Channel ids are at most 40 characters and preview ids 8, so this never fires with valid input;
  // it is here so a future button cannot silently exceed the limit.
  if (Buffer.byteLength(data) > MAX_CALLBACK_BYTES)
    throw new Error(`callback data over ${MAX_CALLBACK_BYTES} bytes: ${data}`);
  return data;
}

function encode(action: CallbackAction): string {
  switch (action.kind) {
    case 'queue-page':
      return `q:${action.channel ?? '*'}:${action.n}:${action.page}`;
    case 'preview':
      return `a:${action.choice[0]}:${action.previewId}`;
    case 'unknown-post':
      return `u:${action.decision === 'sent' ? 's' : 'r'}:${action.postId}${action.page === undefined ? '' : `:${action.page}`}`;
    case 'unknown-page':
      return `k:${action.page}`;
    case 'kill':
      return `x:${action.decision === 'kill' ? 'k' : 'c'}:${action.articleId}`;
    case 'held':
      return `c:${action.decision[0]}:${action.itemId}${page(action.page)}`;
    case 'held-page':
      return `cp:${action.page}`;
    case 'feed-approval':
      return `f:${action.decision[0]}:${action.articleId}`;
    case 'vanished':
      return `v:${action.decision === 'kill' ? 'k' : 'p'}:${action.itemId}:${action.articleId}`;
    case 'feed-pause':
      return `p:${action.paused ? 'p' : 'r'}:${action.feedId}`;
  }
}

export function decodeCallback(data: string): CallbackAction | undefined {
  const queue = /^q:([a-z0-9_*-]{1,40}):(\d{1,4}):(\d{1,4})$/.exec(data);
  if (queue)
    return {
      kind: 'queue-page',
      channel: queue[1] === '*' ? undefined : queue[1],
      n: Number(queue[2]),
      page: Number(queue[3]),
    };
  const preview = /^a:([qad]):([A-Za-z0-9]{1,16})$/.exec(data);
  if (preview) {
    const choice = CHOICES[preview[1] ?? ''];
    return choice ? { kind: 'preview', choice, previewId: preview[2] ?? '' } : undefined;
  }
  const unknown = /^u:([sr]):(\d{1,12})(?::(\d{1,4}))?$/.exec(data);
  if (unknown)
    return {
      kind: 'unknown-post',
      decision: unknown[1] === 's' ? 'sent' : 'resend',
      postId: Number(unknown[2]),
      ...(unknown[3] === undefined ? {} : { page: Number(unknown[3]) }),
    };
  const page = /^k:(\d{1,4})$/.exec(data);
  if (page) return { kind: 'unknown-page', page: Number(page[1]) };
  const kill = /^x:([kc]):(\d{1,12})$/.exec(data);
  if (kill)
    return { kind: 'kill', decision: kill[1] === 'k' ? 'kill' : 'cancel', articleId: Number(kill[2]) };
  return decodeFeedCallback(data);
}

/** The feed and correction buttons (feed-group.ts). */
function decodeFeedCallback(data: string): CallbackAction | undefined {
  const held = /^c:([rkd]):(\d{1,12})(?::(\d{1,4}))?$/.exec(data);
  const decision = HELD[held?.[1] ?? ''];
  if (held && decision)
    return {
      kind: 'held',
      decision,
      itemId: Number(held[2]),
      ...(held[3] === undefined ? {} : { page: Number(held[3]) }),
    };
  const heldPage = /^cp:(\d{1,4})$/.exec(data);
  if (heldPage) return { kind: 'held-page', page: Number(heldPage[1]) };
  const approval = /^f:([ad]):(\d{1,12})$/.exec(data);
  if (approval)
    return {
      kind: 'feed-approval',
      decision: approval[1] === 'a' ? 'approve' : 'delete',
      articleId: Number(approval[2]),
    };
  const vanished = /^v:([kp]):(\d{1,12}):(\d{1,12})$/.exec(data);
  if (vanished)
    return {
      kind: 'vanished',
      decision: vanished[1] === 'k' ? 'kill' : 'keep',
      itemId: Number(vanished[2]),
      articleId: Number(vanished[3]),
    };
  const pause = /^p:([pr]):([a-z0-9][a-z0-9_-]{0,39})$/.exec(data);
  if (pause) return { kind: 'feed-pause', paused: pause[1] === 'p', feedId: pause[2] ?? '' };
  return undefined;
}
