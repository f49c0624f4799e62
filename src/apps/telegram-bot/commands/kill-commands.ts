import {
  articleTrailLines,
  type KillReport,
  killArticle,
  killLine,
  killReportLines,
  previewKill,
  whereIs,
} from '../../../use-cases/kill-article.js';
import type { BotContext, ButtonPress } from '../bot-context.js';
import type { Admin, BotServices, Reply } from '../bot-types.js';
import { type CallbackAction, encodeCallback } from '../callback-data.js';
import { bold, esc, escClipped, paginate } from '../format-html.js';
import { commandFailed } from '../middleware/command-errors.js';
import { articleIdArg, isReply, text } from './shared.js';

/** `/article 12`: the article and, per channel, each post's state, link and whether it was taken down. */
export async function articleCommand(s: BotServices, args: string): Promise<Reply> {
  const id = articleIdArg('article', args);
  if (isReply(id)) return id;
  const trail = await s.deps.store.articleTrail(id);
  if (!trail) return text(`⚠️ There is no article a${id}. Ids are in /articles.`);
  const [title, ...rest] = await articleTrailLines(s.deps, trail);
  return { html: paginate([bold(title ?? ''), ...rest.map(esc)])[0] ?? '' };
}

/** `/kill 12`: what a kill will do now, with "Kill it" / "Cancel" buttons; nothing changes yet. */
export async function killCommand(s: BotServices, args: string): Promise<Reply> {
  const id = articleIdArg('kill', args);
  if (isReply(id)) return id;
  const preview = await previewKill(s.deps, id);
  if (!preview) return text(`⚠️ There is no article a${id}. Ids are in /articles.`);
  const lines = [bold(`Kill article a${id}?`), escClipped(preview.article.title, 300), ''];
  if (preview.killed)
    lines.push(esc(`Already ${killLine(preview.killed)}; killing it again retries only what is left.`));
  lines.push(esc(`Drops ${preview.toDrop.length} queued post(s).`));
  lines.push(
    esc(`Deletes ${preview.toDelete.length} published post(s)${preview.toDelete.length ? ':' : '.'}`),
  );
  for (const post of preview.toDelete)
    lines.push(esc(`• ${post.channelId} ${post.seq}/${post.total} ${whereIs(s.deps, post)}`));
  if (preview.unsettled.length > 0)
    lines.push(
      esc(`${preview.unsettled.length} post(s) in flight or of unknown outcome: settled where possible.`),
    );
  const button = (label: string, decision: 'kill' | 'cancel') => ({
    text: label,
    callback_data: encodeCallback({ kind: 'kill', decision, articleId: id }),
  });
  return {
    html: paginate(lines)[0] ?? '',
    keyboard: [[button('🗑 Kill it', 'kill'), button('Cancel', 'cancel')]],
  };
}

/** The kill's report: ✅ when everything is down, ⚠️ with what a human must finish otherwise. */
export function killReportReply(report: KillReport): Reply {
  const [first, ...rest] = killReportLines(report);
  const mark = report.notDeleted.length === 0 ? '✅' : '⚠️';
  return { html: paginate([`${mark} ${bold(first ?? '')}`, ...rest.map(esc)])[0] ?? '' };
}

async function runKill(s: BotServices, articleId: number, admin: Admin): Promise<Reply> {
  const outcome = await killArticle(s.deps, { articleId, by: admin.label, again: `/kill ${articleId}` });
  if (outcome.kind === 'no-such-article') return text(`⚠️ There is no article a${articleId} any more.`);
  return killReportReply(outcome.report);
}

/**
 * The confirmation's buttons. "Kill it" answers at once, turns the message into "working…" (its
 * buttons go, so it cannot be pressed twice) and runs the kill outside the chat's queue: deleting a
 * long thread takes a while, and the bot keeps answering meanwhile. The report replaces the message.
 */
export async function killButton(
  ctx: BotContext,
  press: ButtonPress<Extract<CallbackAction, { kind: 'kill' }>>,
) {
  const { services, edit, send, describe, track } = ctx.tools;
  const { action, message, admin, answer } = press;
  const chatId = message.chat.id;
  const id = action.articleId;
  const editOrSend = (reply: Reply) =>
    edit(chatId, message.message_id, reply).catch(() => send(chatId, reply));
  if (action.decision === 'cancel') {
    await answer('Cancelled; nothing changed.');
    await editOrSend(text(`${bold(`Kill of a${id} cancelled`)} by ${esc(admin.label)}; nothing changed.`));
    return;
  }
  await answer(`Killing a${id}…`);
  services.logger.info('article kill confirmed from Telegram', { article: id, by: admin.label });
  await editOrSend(text(`⏳ Killing a${id}: dropping its queued posts and deleting its published ones…`));
  void track(
    (async () => {
      let reply: Reply;
      try {
        reply = await runKill(services, id, admin);
      } catch (error) {
        reply = commandFailed(ctx.tools, 'kill', error);
      }
      await editOrSend(reply);
    })().catch((error: unknown) =>
      services.logger.error('Telegram admin bot: could not deliver a kill report', {
        error: describe(error),
      }),
    ),
  );
}
