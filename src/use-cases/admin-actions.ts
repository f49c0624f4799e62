import type { Platform } from '../domain/article.js';
import { rulesFor } from '../domain/platform-rules.js';
import { samePostText } from '../domain/same-post-text.js';
import type { PostStore, StoredPost } from '../ports/post-store.js';
import type { RemotePost } from '../ports/publisher.js';
import type { PublishDeps } from './publish-deps.js';

/** What an admin command did, in words fit for a Telegram reply or a terminal. */
export type AdminResult =
  | { readonly ok: true; readonly message: string }
  | {
      readonly ok: false;
      readonly message: string;
      /** The request itself was wrong or incomplete (a missing or malformed id): exit 2 on the CLI. */
      readonly badInput?: boolean;
    };

const ok = (message: string): AdminResult => ({ ok: true, message });
const no = (message: string): AdminResult => ({ ok: false, message });
const badInput = (message: string): AdminResult => ({ ok: false, message, badInput: true });

export function parsePostId(raw: string | undefined): number | undefined {
  if (!raw || !/^#?\d{1,12}$/.test(raw.trim())) return undefined;
  return Number(raw.trim().replace('#', ''));
}

/**
 * failed / unknown / skipped -> queued, due now. A thread part held its later parts (a thread never
 * goes on without its head): requeued at its place in the thread, it goes out at the next slot and
 * the later parts follow it in order, each replying to the one before.
 */
export async function retryPost(store: PostStore, id: number, now: Date): Promise<AdminResult> {
  const post = await store.getPost(id);
  if (!post) return no(`There is no post #${id}.`);
  if (post.state === 'queued') return no(`Post #${id} is already queued.`);
  if (post.state === 'sent') return no(`Post #${id} was already sent; it will not be sent twice.`);
  if (post.state === 'sending') return no(`Post #${id} is being sent right now.`);
  // A kill dropped it on purpose: the store would refuse to requeue it, so say why up front (when and
  // by whom: `quotecast article` / /article; importing kill-article's wording here would close a cycle).
  if ((await store.articleTrail(post.articleId))?.killed)
    return no(`Post #${id} belongs to article a${post.articleId}, which was pulled; it will not be sent.`);
  if (!(await store.requeue(id, now))) return no(`Post #${id} could not be requeued (it is ${post.state}).`);
  const later = (await laterParts(store, post)).filter((p) => p.state === 'queued');
  const resumes =
    later.length === 0
      ? ''
      : `; the thread resumes with part ${post.seq}/${post.total} at the next slot and ${partsLabel(later)} follow${later.length === 1 ? 's' : ''} in order`;
  return ok(`Post #${id} is queued again for ${post.channelId}${resumes}.`);
}

/**
 * An unsent post is dropped for good. A thread goes on without the part: the next part replies to
 * the last part sent before it, or, when none was (the head is skipped), starts the thread itself;
 * a reply to a message that does not exist is not possible, and a second chain would split the
 * thread.
 */
export async function skipPost(store: PostStore, id: number): Promise<AdminResult> {
  const post = await store.getPost(id);
  if (!post) return no(`There is no post #${id}.`);
  if (post.state === 'sent' || post.state === 'sending')
    return no(`Post #${id} is ${post.state}; only unsent posts can be skipped.`);
  if (post.state === 'skipped') return no(`Post #${id} is already skipped.`);
  if (!(await store.skip(id))) return no(`Post #${id} could not be skipped (it is ${post.state}).`);
  const next = (await laterParts(store, post))[0];
  if (!next) return ok(`Post #${id} will not be published.`);
  const before = (await store.postsOfArticle(post.articleId, post.channelId))
    .filter((p) => p.seq < post.seq && p.state === 'sent')
    .at(-1);
  const goesOn = before
    ? `part ${next.seq} replies to part ${before.seq}`
    : `part ${next.seq} starts the thread${post.seq === 1 ? ' (part 1 carried the headline)' : ''}`;
  return ok(`Post #${id} will not be published; the thread goes on without it: ${goesOn}.`);
}

/**
 * For the alert about a thread part that failed for good: what it means for the rest of the thread
 * and how to resume or skip it, e.g. "Parts 2–8 of this thread are held: they do not go out without
 * it. /retry 42 resumes the thread in order from part 1; /skip 42 lets it go on without that part
 * (part 2 then starts the thread)." Empty when no later part waits (a quote, a thread's last part).
 * Read after the post is marked failed.
 */
export async function threadHeldNote(store: PostStore, post: StoredPost): Promise<string> {
  const later = (await laterParts(store, post)).filter((p) => p.state === 'queued');
  if (later.length === 0) return '';
  const before = (await store.postsOfArticle(post.articleId, post.channelId))
    .filter((p) => p.seq < post.seq && p.state === 'sent')
    .at(-1);
  const next = later[0]!;
  const onSkip = before
    ? `part ${next.seq} then replies to part ${before.seq}`
    : `part ${next.seq} then starts the thread`;
  const held = partsLabel(later);
  return `${held.charAt(0).toUpperCase()}${held.slice(1)} of this thread ${later.length === 1 ? 'is' : 'are'} held: ${later.length === 1 ? 'it does' : 'they do'} not go out without it. /retry ${post.id} resumes the thread in order from part ${post.seq}; /skip ${post.id} lets it go on without that part (${onSkip}).`;
}

/** The parts of `post`'s thread after it that are still to go out (not sent, not skipped). */
async function laterParts(store: PostStore, post: StoredPost): Promise<StoredPost[]> {
  if (post.mode !== 'thread') return [];
  return (await store.postsOfArticle(post.articleId, post.channelId)).filter(
    (p) => p.seq > post.seq && p.state !== 'sent' && p.state !== 'skipped',
  );
}

function partsLabel(parts: readonly StoredPost[]): string {
  const first = parts[0]!;
  const last = parts.at(-1)!;
  return first === last ? `part ${first.seq}` : `parts ${first.seq}–${last.seq}`;
}

/** How the admin answers us: the bot's commands or the CLI's, for the exact command a reply names. */
export type AdminVia = 'telegram' | 'cli';

/** What resolving needs to know of the post's channel; `chat` only for Telegram. */
export interface ResolveChannel {
  readonly platform: Platform;
  readonly chat?: string;
}

export interface ResolveOptions {
  /** The message or tweet id the admin found: digits, or the link copied from the post. */
  readonly remoteId?: string;
  /** The post's channel, to check the id and say where to find it; without it both platforms are explained. */
  readonly channel?: ResolveChannel;
  /** Whose commands a refusal names; without it, both the bot's and the CLI's. */
  readonly via?: AdminVia;
}

/**
 * An `unknown` post (crash mid-send): the admin checked the channel and says whether it arrived.
 *
 * A thread part whose next part is still to go out cannot be marked as sent without its remote id:
 * the next part replies to the stored id of the last part sent, and a part with none would leave it
 * replying to the part before, or to nothing. Such a request is refused with where to find the id
 * and the command that gives it; a quotes post or a thread's last part may be resolved without one.
 */
export async function resolveUnknown(
  store: PostStore,
  id: number,
  decision: 'sent' | 'resend',
  now: Date,
  options: ResolveOptions = {},
): Promise<AdminResult> {
  const post = await store.getPost(id);
  if (!post) return no(`There is no post #${id}.`);
  if (post.state !== 'unknown')
    return no(`Post #${id} is ${post.state}, not of unknown outcome; nothing to decide.`);
  if (decision === 'resend') {
    if (options.remoteId !== undefined)
      return badInput(`A remote id goes with "sent" (the post arrived and has that id), not with "resend".`);
    return (await store.requeue(id, now))
      ? ok(`Post #${id} will be sent again at the next slot of ${post.channelId}.`)
      : no(`Post #${id} could not be requeued.`);
  }
  if (options.remoteId === undefined) {
    const next = await partWaitingFor(store, post);
    if (next) return badInput(await askForRemoteId(store, post, next, options));
    await store.resolveUnknownAsSent(id, { remoteId: null, publishedAt: now });
    return ok(`Post #${id} is marked as sent.`);
  }
  const parsed = parseRemoteId(options.remoteId, options.channel);
  if (!parsed.ok) return badInput(`Post #${id}: ${parsed.message}`);
  return await markSentWithId(store, post, parsed, now, options.channel);
}

/** Either settled at once, or a look on the platform first (X lets us read the account's tweets). */
export type ResolveStep =
  | { readonly kind: 'done'; readonly result: AdminResult }
  | { readonly kind: 'look-up'; readonly what: string; run(): Promise<AdminResult> };

/**
 * resolveUnknown for a caller that has the publishers (CLI, bot): the channel comes from the config,
 * and where the platform lets us read our recent posts (X), a thread part marked as sent without an
 * id is first looked for by its text, the way crash recovery reconciles, and stored with the id found.
 */
export async function resolveUnknownPost(
  deps: Pick<PublishDeps, 'store' | 'channels' | 'publishers' | 'clock' | 'logger'>,
  id: number,
  decision: 'sent' | 'resend',
  options: Omit<ResolveOptions, 'channel'> = {},
): Promise<ResolveStep> {
  const { store, clock } = deps;
  const post = await store.getPost(id);
  const config = post && deps.channels.find((c) => c.id === post.channelId);
  const channel: ResolveChannel | undefined = config && {
    platform: config.platform,
    ...(config.platform === 'telegram' ? { chat: config.chat } : {}),
  };
  const withChannel: ResolveOptions = { ...options, ...(channel ? { channel } : {}) };
  const publisher = post && deps.publishers.get(post.channelId);
  const next = post && (await partWaitingFor(store, post));
  if (
    !post ||
    !next ||
    post.state !== 'unknown' ||
    decision !== 'sent' ||
    options.remoteId !== undefined ||
    !publisher?.recentPosts
  )
    return { kind: 'done', result: await resolveUnknown(store, id, decision, clock.now(), withChannel) };
  const recentPosts = publisher.recentPosts.bind(publisher);
  return {
    kind: 'look-up',
    what: `Looking for post #${id} among the recent posts of ${post.channelId}…`,
    async run() {
      const since = await sendStartedAt(store, post);
      let found: readonly RemotePost[];
      try {
        const known = new Set(
          (await store.postsOfArticle(post.articleId, post.channelId)).map((p) => p.remoteId),
        );
        found = (await recentPosts(since)).filter(
          (r) => samePostText(post.text, r.text) && !known.has(r.remoteId),
        );
      } catch (error) {
        deps.logger.warn('could not read recent posts to resolve a post', {
          post: id,
          channel: post.channelId,
          error: (error as Error).message,
        });
        return badInput(
          `Could not read the recent posts of ${post.channelId} to find post #${id} (${(error as Error).message}). ${await askForRemoteId(store, post, next, withChannel)}`,
        );
      }
      const current = await store.getPost(id);
      if (current?.state !== 'unknown')
        return no(
          `Post #${id} is ${current?.state ?? 'gone'} now, not of unknown outcome; nothing to decide.`,
        );
      if (found.length === 1) {
        const match = found[0]!;
        const result = await markSentWithId(
          store,
          post,
          { id: match.remoteId, ...(match.url ? { url: match.url } : {}) },
          match.publishedAt ?? clock.now(),
          channel,
        );
        return result.ok ? ok(`Found it on ${post.channelId}: ${result.message}`) : result;
      }
      const why =
        found.length === 0
          ? `Post #${id} is not among the posts of ${post.channelId} since ${since.toISOString()}.`
          : `${found.length} posts of ${post.channelId} have the text of post #${id} (ids ${found.map((r) => r.remoteId).join(', ')}).`;
      return badInput(`${why} ${await askForRemoteId(store, post, next, withChannel)}`);
    },
  };
}

/** The later part of the same thread on the same channel that will reply to `post`, if any. */
async function partWaitingFor(store: PostStore, post: StoredPost): Promise<StoredPost | undefined> {
  if (post.mode !== 'thread') return undefined;
  return (await store.postsOfArticle(post.articleId, post.channelId)).find(
    (p) => p.seq > post.seq && p.state !== 'sent',
  );
}

/** When the first send of this post started (a minute early, for clocks), else when it was queued. */
async function sendStartedAt(store: PostStore, post: StoredPost): Promise<Date> {
  const starts = (await store.attempts(post.id)).map((a) => a.startedAt.getTime());
  return new Date((starts.length > 0 ? Math.min(...starts) : post.createdAt.getTime()) - 60_000);
}

async function markSentWithId(
  store: PostStore,
  post: StoredPost,
  remote: { readonly id: string; readonly url?: string },
  publishedAt: Date,
  channel: ResolveChannel | undefined,
): Promise<AdminResult> {
  const clash = await outOfPlace(store, post, remote.id);
  if (clash) return badInput(clash);
  const url = remote.url ?? (channel ? remoteUrl(channel, remote.id) : undefined);
  await store.resolveUnknownAsSent(post.id, { remoteId: remote.id, ...(url ? { url } : {}), publishedAt });
  const next = await partWaitingFor(store, post);
  const label = channel ? idNoun(channel.platform) : 'remote id';
  return ok(
    `Post #${post.id} is marked as sent (${label} ${remote.id})${next ? `; part ${next.seq} will reply to it` : ''}.`,
  );
}

/**
 * A wrong id (the link of another part, of another day's post) would break the chain as surely as
 * none. Telegram message ids in one chat and X's tweet ids both grow with time, so a part's id must
 * lie between those of the thread's parts sent before and after it.
 */
async function outOfPlace(store: PostStore, post: StoredPost, remoteId: string): Promise<string | undefined> {
  if (post.mode !== 'thread' || !/^\d+$/.test(remoteId)) return undefined;
  const mine = BigInt(remoteId);
  for (const other of await store.postsOfArticle(post.articleId, post.channelId)) {
    if (other.id === post.id || other.state !== 'sent' || !other.remoteId || !/^\d+$/.test(other.remoteId))
      continue;
    const theirs = BigInt(other.remoteId);
    const part = `part ${other.seq} (#${other.id})`;
    const check = `check the link of part ${post.seq}`;
    if (mine === theirs) return `Post #${post.id}: ${remoteId} is the id of ${part}; ${check}.`;
    if (other.seq < post.seq && mine < theirs)
      return `Post #${post.id}: ${remoteId} is older than ${part}, ${other.remoteId}, which part ${post.seq} follows; ${check}.`;
    if (other.seq > post.seq && mine > theirs)
      return `Post #${post.id}: ${remoteId} is newer than ${part}, ${other.remoteId}, which replies to part ${post.seq}; ${check}.`;
  }
  return undefined;
}

/** The refusal: why the id is needed, where to find it, and the exact command that gives it. */
async function askForRemoteId(
  store: PostStore,
  post: StoredPost,
  next: StoredPost,
  options: ResolveOptions,
): Promise<string> {
  const platform = options.channel?.platform;
  const previous = (await store.postsOfArticle(post.articleId, post.channelId))
    .filter((p) => p.seq < post.seq && p.state === 'sent' && p.remoteId)
    .at(-1);
  const after = previous
    ? ` (it comes right after part ${previous.seq}, ${previous.remoteUrl ?? previous.remoteId})`
    : '';
  const example = platform === 'twitter' ? '1234567890123456789' : '123';
  const where =
    platform === 'telegram'
      ? `Open ${options.channel?.chat ?? 'the channel'}, find the message${after} and copy its link (${telegramLinkExample(options.channel?.chat)}): the number at the end is the id.`
      : platform === 'twitter'
        ? `Find the tweet on the account's profile${after}: the tweet's link ends in its id (x.com/account/status/${example}).`
        : `Find it in the channel${after} and copy its link: on Telegram the number at the end of t.me/channel/123 is the id; on X the tweet's link ends in its id (x.com/account/status/1234567890123456789).`;
  const cli = `quotecast resolve ${post.id} --sent --remote-id ${example}`;
  const bot = `/resolve ${post.id} sent ${example}`;
  const give =
    options.via === 'cli'
      ? `Then run: ${cli}`
      : options.via === 'telegram'
        ? `Then send: ${bot}`
        : `Then send ${bot} (or run ${cli}).`;
  const resend =
    options.via === 'cli'
      ? `quotecast resolve ${post.id} --resend`
      : options.via === 'telegram'
        ? `/resolve ${post.id} resend`
        : `/resolve ${post.id} resend (quotecast resolve ${post.id} --resend)`;
  const noun = platform ? idNoun(platform) : 'message or tweet id';
  const sentences = [
    `Post #${post.id} is part ${post.seq}/${post.total} of a thread on ${post.channelId} and part ${next.seq} will reply to it, so it cannot be marked as sent without its ${noun}.`,
    where,
    give,
    `If it did not arrive: ${resend}.`,
  ];
  return sentences.join(options.via === 'cli' ? ' ' : '\n');
}

function idNoun(platform: Platform): string {
  return platform === 'telegram' ? 'message id' : 'tweet id';
}

function telegramLinkExample(chat: string | undefined): string {
  if (chat?.startsWith('@')) return `t.me/${chat.slice(1)}/123`;
  if (chat?.startsWith('-100')) return `t.me/c/${chat.slice(4)}/123`;
  return 't.me/channel/123';
}

function remoteUrl(channel: ResolveChannel, id: string): string | undefined {
  // As the publishers build them: only a public Telegram channel has a link every reader can open;
  // X needs the account's handle, which only a pasted link gives.
  return channel.platform === 'telegram' && channel.chat?.startsWith('@')
    ? `https://t.me/${channel.chat.slice(1)}/${id}`
    : undefined;
}

export type ParsedRemoteId =
  | { readonly ok: true; readonly id: string; readonly url?: string }
  | { readonly ok: false; readonly message: string };

const DIGITS = /^\d{1,19}$/;
/** t.me/name/123, t.me/c/1234567890/123, t.me/s/name/123, with a topic id before the message id. */
const TELEGRAM_LINK =
  /^(?:https?:\/\/)?(?:www\.)?(?:t\.me|telegram\.me|telegram\.dog)\/(?:s\/)?(?:c\/(\d+)|([A-Za-z]\w{3,31}))(?:\/\d+)?\/(\d{1,19})\/?(?:[?#]\S*)?$/i;
/** x.com/handle/status/123 (twitter.com, mobile., /i/web/status/, /photo/1 and queries too). */
const X_LINK =
  /^(?:https?:\/\/)?(?:www\.|mobile\.)?(?:x|twitter)\.com\/(?:i\/web|i|(\w{1,15}))\/status(?:es)?\/(\d{1,19})(?:[/?#]\S*)?$/i;

/**
 * The remote id an admin typed or pasted: digits (Telegram message ids and X tweet ids are both
 * numbers), or the post's link, from which the number is taken. A link to the other platform, or to
 * another Telegram channel than the post's, is refused naming the form expected.
 */
export function parseRemoteId(raw: string, channel?: ResolveChannel): ParsedRemoteId {
  const text = raw.trim();
  const platform = channel?.platform;
  const expected =
    platform === 'telegram'
      ? `a Telegram message id is a number such as 123, or the message's link (${telegramLinkExample(channel?.chat)})`
      : platform === 'twitter'
        ? "a tweet id is a number such as 1234567890123456789, or the tweet's link (x.com/account/status/1234567890123456789)"
        : 'a message or tweet id is a number such as 123, or the link of the message (t.me/channel/123) or tweet (x.com/account/status/123)';
  const refuse = (why: string): ParsedRemoteId => ({ ok: false, message: `${why}; ${expected}.` });
  if (DIGITS.test(text)) return positive(text) ?? refuse(`"${text}" is not an id`);
  const telegram = TELEGRAM_LINK.exec(text);
  if (telegram) {
    if (platform === 'twitter') return refuse(`"${text}" is a Telegram link, but the post is on X`);
    const [, internal, name, id = ''] = telegram;
    const chat = channel?.chat;
    if (chat && name && chat.startsWith('@') && chat.slice(1).toLowerCase() !== name.toLowerCase())
      return refuse(`"${text}" is a message in @${name}, but the post went to ${chat}`);
    if (chat && internal && chat.startsWith('-100') && chat.slice(4) !== internal)
      return refuse(`"${text}" is a message in another chat than ${chat}`);
    return positive(id) ?? refuse(`"${text}" has no message id`);
  }
  const tweet = X_LINK.exec(text);
  if (tweet) {
    if (platform === 'telegram') return refuse(`"${text}" is a link to a tweet, but the post is on Telegram`);
    const [, handle, id = ''] = tweet;
    const found = positive(id);
    if (!found) return refuse(`"${text}" has no tweet id`);
    return handle ? { ...found, url: `https://x.com/${handle}/status/${found.id}` } : found;
  }
  return refuse(`"${text}" is not an id`);
}

/** Digits that are a positive id, without leading zeros (the stored id must match the platform's). */
function positive(digits: string): { readonly ok: true; readonly id: string } | undefined {
  const id = digits.replace(/^0+/, '');
  return id === '' ? undefined : { ok: true, id };
}

/** Replaces the text of an unsent post; refused with the count when it is too long. */
export async function editPost(
  deps: Pick<PublishDeps, 'store' | 'channels'>,
  id: number,
  text: string,
): Promise<AdminResult> {
  const post = await deps.store.getPost(id);
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
  return (await deps.store.editText(id, trimmed, length))
    ? ok(`Post #${id} now reads (${length}/${limit}):\n${trimmed}`)
    : no(`Post #${id} could not be edited.`);
}

export async function deleteArticle(store: PostStore, articleId: number): Promise<AdminResult> {
  const article = await store.getArticle(articleId);
  if (!article) return no(`There is no article #${articleId}.`);
  const removed = await store.deleteUnsent(articleId);
  return ok(
    `Removed ${removed} unsent post(s) of article #${articleId} "${article.title}"; published posts stay.`,
  );
}

export async function pauseChannel(
  deps: Pick<PublishDeps, 'store' | 'channels'>,
  channelId: string,
  by: string,
): Promise<AdminResult> {
  if (!deps.channels.some((c) => c.id === channelId)) return no(unknownChannel(deps, channelId));
  await deps.store.pauseChannel(channelId, `paused by ${by}`, null);
  return ok(`${channelId} is paused; nothing goes out until /resume ${channelId}.`);
}

export async function resumeChannel(
  deps: Pick<PublishDeps, 'store' | 'channels'>,
  channelId: string,
): Promise<AdminResult> {
  if (!deps.channels.some((c) => c.id === channelId)) return no(unknownChannel(deps, channelId));
  const state = await deps.store.channelState(channelId);
  if (!state.paused) return no(`${channelId} is not paused.`);
  await deps.store.resumeChannel(channelId);
  return ok(`${channelId} is running again.`);
}

export function unknownChannel(deps: Pick<PublishDeps, 'channels'>, channelId: string): string {
  return `Unknown channel "${channelId}"; channels: ${deps.channels.map((c) => c.id).join(', ')}.`;
}
