import { rulesFor } from '../../../domain/platform-rules.js';
import type { StoredPost } from '../../../ports/post-store.js';
import {
  type AdminResult,
  deleteArticle,
  editPost,
  parsePostId,
  resolveUnknownPost,
  retryPost,
  skipPost,
} from '../../../use-cases/admin-actions.js';
import { approveArticle } from '../../../use-cases/approve-article.js';
import type { BotServices, CommandResult, Reply } from '../bot-types.js';
import { bold, code, esc, escClipped, excerpt, paginate, plural } from '../format-html.js';
import { articleIdArg, fromResult, isReply, postIdArg, text, words } from './shared.js';

export async function skipCommand(s: BotServices, args: string): Promise<Reply> {
  const id = postIdArg('skip', args);
  return isReply(id) ? id : fromResult(await skipPost(s.deps.store, id));
}

export async function retryCommand(s: BotServices, args: string): Promise<Reply> {
  const id = postIdArg('retry', args);
  return isReply(id) ? id : fromResult(await retryPost(s.deps.store, id, s.clock.now()));
}

const RESOLVE_USAGE = `${code('/resolve 42 sent 123')} (it arrived; 123 is its message or tweet id, or paste its link) or ${code('/resolve 42 resend')}`;

/**
 * `/resolve <post> sent [id|link]` or `/resolve <post> resend`: decides a post of unknown outcome. A
 * thread part needs the id of the message that arrived (the next part replies to it); on X it is
 * looked for first, which answers "working…" and edits the reply when done.
 */
export async function resolveCommand(s: Pick<BotServices, 'deps'>, args: string): Promise<CommandResult> {
  const [first, decisionWord, remoteId, ...rest] = words(args);
  if (!first || !decisionWord) return text(`⚠️ /resolve needs a post id and what happened: ${RESOLVE_USAGE}.`);
  const id = parsePostId(first);
  if (id === undefined)
    return text(
      `⚠️ "${esc(first)}" is not a post id; post ids are numbers such as ${code('42')} (see /status).`,
    );
  const decision = /^(?:sent|arrived)$/i.test(decisionWord)
    ? 'sent'
    : /^(?:resend|again)$/i.test(decisionWord)
      ? 'resend'
      : undefined;
  if (!decision || rest.length > 0 || (decision === 'resend' && remoteId !== undefined))
    return text(`⚠️ Usage: ${RESOLVE_USAGE}; got "${esc(args.trim())}".`);
  const step = await resolveUnknownPost(s.deps, id, decision, {
    ...(remoteId === undefined ? {} : { remoteId }),
    via: 'telegram',
  });
  if (step.kind === 'done') return fromResult(step.result);
  return { working: `⏳ ${esc(step.what)}`, finish: async () => fromResult(await step.run()) };
}

/**
 * The alert's "✅ It arrived: mark as sent" / "🔁 Send again" buttons: the same decision as /resolve
 * without an id, so a thread part is not marked as sent but answered with how to give its id.
 */
export async function resolveButton(
  s: Pick<BotServices, 'deps'>,
  postId: number,
  decision: 'sent' | 'resend',
): Promise<AdminResult> {
  const step = await resolveUnknownPost(s.deps, postId, decision, { via: 'telegram' });
  return step.kind === 'done' ? step.result : step.run();
}

export async function deleteCommand(s: BotServices, args: string): Promise<Reply> {
  const id = articleIdArg('delete', args);
  return isReply(id) ? id : fromResult(await deleteArticle(s.deps.store, id));
}

export async function approveCommand(s: BotServices, args: string): Promise<Reply> {
  const id = articleIdArg('approve', args);
  return isReply(id) ? id : fromResult(await approveArticle(s.deps.store, s.settings.feeds, id));
}

/** `/edit <post> <new text>`: the text may span lines; editPost checks it against the channel's limit. */
export async function editCommand(s: BotServices, args: string): Promise<Reply> {
  const match = /^(\S+)(?:\s+([\s\S]*))?$/.exec(args.trim());
  const usage = `e.g. ${code('/edit 42 The new text of the post')}`;
  if (!match) return text(`⚠️ /edit needs a post id and the new text, ${usage}.`);
  const id = parsePostId(match[1]);
  if (id === undefined) return text(`⚠️ "${esc(match[1] ?? '')}" is not a post id; ${usage}.`);
  if (!match[2]?.trim()) return text(`⚠️ /edit needs the new text after the post id, ${usage}.`);
  return fromResult(await editPost(s.deps, id, match[2]));
}

/** `/preview 42` (or `post 42`) shows post #42; `/preview a12` (or `article 12`) shows article 12. */
export async function previewCommand(s: BotServices, args: string): Promise<Reply> {
  const usage = `${code('/preview 42')} for post #42, ${code('/preview a12')} for article 12`;
  const wanted = args.trim();
  if (!wanted) return text(`⚠️ /preview needs a post or article id: ${usage}.`);
  const article = /^(?:a|articles?\s+#?)(\d{1,12})$/i.exec(wanted);
  if (article) return await articlePreview(s, Number(article[1]));
  const post = /^(?:posts?\s+)?#?(\d{1,12})$/i.exec(wanted);
  if (post) return await postPreview(s, Number(post[1]));
  return text(`⚠️ "${esc(wanted)}" is neither a post nor an article id: ${usage}.`);
}

async function postPreview(s: BotServices, id: number): Promise<Reply> {
  const post = await s.deps.store.getPost(id);
  if (!post)
    return text(`⚠️ There is no post #${id}. Ids are in /queue; articles are previewed with /preview a12.`);
  const channel = s.deps.channels.find((c) => c.id === post.channelId);
  const rules = rulesFor(channel?.platform ?? 'twitter');
  const limit = Math.min(channel?.targetLength ?? rules.maxLength, rules.maxLength);
  const head = [
    `${bold(`Post #${post.id}`)} · ${esc(post.channelId)} · article a${post.articleId}, ${post.seq}/${post.total} (${esc(post.mode)})`,
    `${stateLine(post)} · ${post.length}/${limit} ${esc(rules.unit)}`,
    ...(post.lastError ? [`last error: ${excerpt(post.lastError, 300)}`] : []),
    ...(post.remoteUrl ? [`published: ${esc(post.remoteUrl)}`] : []),
    '',
  ].join('\n');
  // A Telegram post may itself be 4096 characters: the preview then shows as much as fits.
  const room = 3900 - head.length;
  const body = escClipped(post.text, room);
  const clipped =
    body.length < esc(post.text).length ? '\n(shortened here; the post itself is complete)' : '';
  return { html: `${head}${body}${esc(clipped)}` };
}

function stateLine(post: StoredPost): string {
  const state =
    post.state === 'queued' && !post.approved ? `queued, awaiting /approve ${post.articleId}` : post.state;
  const retry =
    post.state === 'queued' && post.nextAttemptAt ? `, retry after ${post.nextAttemptAt.toISOString()}` : '';
  return `${esc(state + retry)}${post.attempts > 0 ? ` · ${plural(post.attempts, 'attempt')}` : ''}`;
}

async function articlePreview(s: BotServices, id: number): Promise<Reply> {
  const { store } = s.deps;
  const article = await store.getArticle(id);
  if (!article) return text(`⚠️ There is no article ${id}. Ids are in /articles.`);
  const lines = [
    `${bold(`Article a${article.id}: ${article.title}`)}`,
    ...(article.byline ? [esc(article.byline)] : []),
    ...(article.url ? [esc(article.url)] : []),
    `added ${esc(article.createdAt.toISOString().slice(0, 16).replace('T', ' '))} UTC`,
  ];
  const posts = await store.postsOfArticle(id);
  if (posts.length === 0) lines.push('', 'No posts left (deleted, or never split into any).');
  for (const channelId of [...new Set(posts.map((p) => p.channelId))]) {
    const mine = posts.filter((p) => p.channelId === channelId);
    lines.push('', `${bold(channelId)} — ${plural(mine.length, 'post')}`);
    for (const p of mine)
      lines.push(
        `#${p.id} ${p.seq}/${p.total} ${esc(p.state)}${p.approved ? '' : ' (unapproved)'} — ${excerpt(p.text, 120)}`,
      );
  }
  const pages = paginate(lines);
  const more = pages.length > 1 ? `\n… more in /queue or /preview POST` : '';
  return { html: `${pages[0] ?? ''}${esc(more)}` };
}

/** `/articles [n]`: the latest articles, newest first, with their posts' states. */
export async function articlesCommand(s: BotServices, args: string): Promise<Reply> {
  const parts = words(args);
  const n = parts[0] === undefined ? 10 : Number(parts[0]);
  if (!Number.isInteger(n) || n < 1 || n > 50 || parts.length > 1)
    return text(`⚠️ Usage: /articles [n], n from 1 to 50; got "${esc(args)}".`);
  const { store } = s.deps;
  const articles = await store.listArticles(n);
  if (articles.length === 0) return text('No articles yet. Send one with /add.');
  const lines = [bold('Latest articles')];
  for (const article of articles) {
    const posts = await store.postsOfArticle(article.id);
    const counts = new Map<string, number>();
    for (const p of posts) {
      const key = p.state === 'queued' && !p.approved ? 'unapproved' : p.state;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const summary = [...counts].map(([state, count]) => `${count} ${state}`).join(', ') || 'no posts';
    lines.push(
      '',
      `${bold(`a${article.id}`)} ${excerpt(article.title, 100)}`,
      `    ${esc(article.createdAt.toISOString().slice(0, 10))} · ${esc(summary)}`,
    );
  }
  return { html: paginate(lines)[0] ?? '' };
}
