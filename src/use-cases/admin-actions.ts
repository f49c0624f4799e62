import { rulesFor } from '../domain/platform-rules.js';
import type { PostStore } from '../ports/post-store.js';
import type { PublishDeps } from './publish-deps.js';

/** What an admin command did, in words fit for a Telegram reply or a terminal. */
export type AdminResult =
  | { readonly ok: true; readonly message: string }
  | { readonly ok: false; readonly message: string };

const ok = (message: string): AdminResult => ({ ok: true, message });
const no = (message: string): AdminResult => ({ ok: false, message });

export function parsePostId(raw: string | undefined): number | undefined {
  if (!raw || !/^#?\d{1,12}$/.test(raw.trim())) return undefined;
  return Number(raw.trim().replace('#', ''));
}

/** failed / unknown / skipped -> queued, due now. */
export function retryPost(store: PostStore, id: number, now: Date): AdminResult {
  const post = store.getPost(id);
  if (!post) return no(`There is no post #${id}.`);
  if (post.state === 'queued') return no(`Post #${id} is already queued.`);
  if (post.state === 'sent') return no(`Post #${id} was already sent; it will not be sent twice.`);
  if (post.state === 'sending') return no(`Post #${id} is being sent right now.`);
  return store.requeue(id, now)
    ? ok(`Post #${id} is queued again for ${post.channelId}.`)
    : no(`Post #${id} could not be requeued (it is ${post.state}).`);
}

export function skipPost(store: PostStore, id: number): AdminResult {
  const post = store.getPost(id);
  if (!post) return no(`There is no post #${id}.`);
  if (post.state === 'sent' || post.state === 'sending')
    return no(`Post #${id} is ${post.state}; only unsent posts can be skipped.`);
  if (post.state === 'skipped') return no(`Post #${id} is already skipped.`);
  return store.skip(id)
    ? ok(`Post #${id} will not be published.`)
    : no(`Post #${id} could not be skipped (it is ${post.state}).`);
}

/** An `unknown` post (crash mid-send): the admin checked the channel and says whether it arrived. */
export function resolveUnknown(
  store: PostStore,
  id: number,
  decision: 'sent' | 'resend',
  now: Date,
): AdminResult {
  const post = store.getPost(id);
  if (!post) return no(`There is no post #${id}.`);
  if (post.state !== 'unknown')
    return no(`Post #${id} is ${post.state}, not of unknown outcome; nothing to decide.`);
  if (decision === 'sent') {
    store.resolveUnknownAsSent(id, { remoteId: null, publishedAt: now });
    return ok(`Post #${id} is marked as sent.`);
  }
  return store.requeue(id, now)
    ? ok(`Post #${id} will be sent again at the next slot of ${post.channelId}.`)
    : no(`Post #${id} could not be requeued.`);
}

/** Replaces the text of an unsent post; refused with the count when it is too long. */
export function editPost(
  deps: Pick<PublishDeps, 'store' | 'channels'>,
  id: number,
  text: string,
): AdminResult {
  const post = deps.store.getPost(id);
  if (!post) return no(`There is no post #${id}.`);
  if (post.state === 'sent' || post.state === 'sending')
    return no(`Post #${id} is ${post.state}; a published post cannot be edited here.`);
  const trimmed = text.trim();
  if (!trimmed) return no('The new text is empty.');
  const channel = deps.channels.find((c) => c.id === post.channelId);
  const rules = rulesFor(channel?.platform ?? 'twitter');
  const limit = Math.min(channel?.targetLength ?? rules.maxLength, rules.maxLength);
  const length = rules.measure(trimmed);
  if (length > limit)
    return no(`Too long by ${length - limit}: ${length} of ${limit} ${rules.unit} for ${post.channelId}.`);
  return deps.store.editText(id, trimmed, length)
    ? ok(`Post #${id} now reads (${length}/${limit}):\n${trimmed}`)
    : no(`Post #${id} could not be edited.`);
}

export function deleteArticle(store: PostStore, articleId: number): AdminResult {
  const article = store.getArticle(articleId);
  if (!article) return no(`There is no article #${articleId}.`);
  const removed = store.deleteUnsent(articleId);
  return ok(
    `Removed ${removed} unsent post(s) of article #${articleId} "${article.title}"; published posts stay.`,
  );
}

export function pauseChannel(
  deps: Pick<PublishDeps, 'store' | 'channels'>,
  channelId: string,
  by: string,
): AdminResult {
  if (!deps.channels.some((c) => c.id === channelId)) return no(unknownChannel(deps, channelId));
  deps.store.pauseChannel(channelId, `paused by ${by}`, null);
  return ok(`${channelId} is paused; nothing goes out until /resume ${channelId}.`);
}

export function resumeChannel(deps: Pick<PublishDeps, 'store' | 'channels'>, channelId: string): AdminResult {
  if (!deps.channels.some((c) => c.id === channelId)) return no(unknownChannel(deps, channelId));
  const state = deps.store.channelState(channelId);
  if (!state.paused) return no(`${channelId} is not paused.`);
  deps.store.resumeChannel(channelId);
  return ok(`${channelId} is running again.`);
}

export function unknownChannel(deps: Pick<PublishDeps, 'channels'>, channelId: string): string {
  return `Unknown channel "${channelId}"; channels: ${deps.channels.map((c) => c.id).join(', ')}.`;
}
