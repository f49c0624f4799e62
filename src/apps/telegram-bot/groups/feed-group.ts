import { deleteArticle } from '../../../use-cases/admin-actions.js';
import { approveArticle } from '../../../use-cases/approve-article.js';
import { decideHeldItem, type FeedActionResult, setFeedPaused } from '../../../use-cases/feed-actions.js';
import { killLine } from '../../../use-cases/kill-article.js';
import type { BotContext, ButtonPress } from '../bot-context.js';
import type { BotServices, Reply } from '../bot-types.js';
import { feedsReply, heldPage } from '../commands/feed-commands.js';
import { killCommand } from '../commands/kill-commands.js';
import { bold, escClipped } from '../format-html.js';
import { defineCommandGroup, onAction } from './define-command-group.js';

/**
 * Feeds and what they bring to the admins: /feeds (state, Pause / Resume), /held (corrections
 * waiting for a decision), and the buttons on the feed alerts: a held correction (re-split and
 * re-queue / keep as queued / drop), a feed article waiting for approval (approve / delete), an item
 * gone from its feed (kill it, through /kill's confirmation / keep).
 */
export const feedGroup = defineCommandGroup(
  'feeds',
  [
    {
      name: 'feeds',
      args: '',
      description: "Each feed's state, last and next poll, last error, with Pause / Resume buttons",
      run: (s) => feedsReply(s),
    },
    {
      name: 'held',
      args: '',
      description: 'Corrections waiting for a decision: what changed, re-split and re-queue, keep or drop',
      run: (s) => heldPage(s, 0),
    },
  ],
  [
    onAction('held', async (ctx, press) => {
      const { services } = ctx.tools;
      const { action } = press;
      // The store says whether the item is still held (a re-held item is decided again); the
      // memory only names who decided when it is not.
      const outcome = await decide(
        services,
        `held:${action.itemId}`,
        press,
        'after',
        async () =>
          await decideHeldItem(
            {
              store: services.deps.store,
              clock: services.clock,
              channels: services.deps.channels,
              settings: services.settings,
            },
            action.itemId,
            action.decision,
          ),
      );
      services.logger.info('held correction decided from Telegram', {
        item: action.itemId,
        decision: action.decision,
        by: press.admin.label,
        ok: outcome.ok,
      });
      await finish(ctx, press, outcome, (note) =>
        action.page === undefined ? undefined : heldPage(services, action.page, note),
      );
    }),
    onAction('held-page', async (ctx, { action, message, answer }) => {
      const { services, edit, describe } = ctx.tools;
      await answer('');
      await edit(message.chat.id, message.message_id, await heldPage(services, action.page)).catch(
        (error: unknown) => services.logger.debug('held page not edited', { error: describe(error) }),
      );
    }),
    onAction('feed-approval', async (ctx, press) => {
      const { services } = ctx.tools;
      const { action } = press;
      const { store } = services.deps;
      // Asked first: a "Delete" pressed on another admin's copy after "Approve" must not delete.
      const outcome = await decide(services, `article:${action.articleId}`, press, 'before', async () => {
        if (action.decision === 'approve')
          return await approveArticle(store, services.settings.feeds, action.articleId);
        const posts = await store.postsOfArticle(action.articleId);
        if (posts.some((p) => p.state === 'queued') && posts.every((p) => p.approved))
          return {
            ok: false,
            message: `Article ${action.articleId} was approved meanwhile; /delete ${action.articleId} removes its unsent posts if you mean it.`,
          };
        return await deleteArticle(store, action.articleId);
      });
      services.logger.info('feed article decided from Telegram', {
        article: action.articleId,
        decision: action.decision,
        by: press.admin.label,
        ok: outcome.ok,
      });
      await finish(ctx, press, outcome);
    }),
    onAction('vanished', async (ctx, press) => {
      const { services, edit, describe } = ctx.tools;
      const { action, message, answer } = press;
      const subject = `vanished:${action.itemId}`;
      const killed = (await services.deps.store.articleTrail(action.articleId))?.killed;
      const earlier = services.decisions.get(subject);
      if (action.decision === 'kill' && !earlier) {
        // The same confirmation /kill shows (with its own "Kill it" / "Cancel"); nothing changes yet.
        await answer('');
        await edit(
          message.chat.id,
          message.message_id,
          await killCommand(services, String(action.articleId)),
        ).catch((error: unknown) =>
          services.logger.debug('kill confirmation not shown', { error: describe(error) }),
        );
        return;
      }
      const outcome = await decide(services, subject, press, 'before', () =>
        killed
          ? { ok: false, message: `Article ${action.articleId} was already ${killLine(killed)}.` }
          : { ok: true, message: `Kept article ${action.articleId} as it is; nothing was done.` },
      );
      await finish(ctx, press, outcome);
    }),
    onAction('feed-pause', async (ctx, { action, message, admin, answer }) => {
      const { services, edit, describe } = ctx.tools;
      const result = await setFeedPaused(
        services.deps.store,
        services.settings.feeds,
        action.feedId,
        action.paused,
      );
      services.logger.info(`feed ${action.paused ? 'paused' : 'resumed'} from Telegram`, {
        feed: action.feedId,
        by: admin.label,
        ok: result.ok,
      });
      await answer(result.message, !result.ok);
      const verdict = result.ok ? `✅ ${result.message} (${admin.label})` : `⚠️ ${result.message}`;
      await edit(message.chat.id, message.message_id, await feedsReply(services, bold(verdict))).catch(
        (error: unknown) => services.logger.debug('feeds not redrawn', { error: describe(error) }),
      );
    }),
  ],
);

interface Outcome {
  readonly ok: boolean;
  /** What the message says under the alert: the verdict and who, or who decided before. */
  readonly verdict: string;
  readonly toast: string;
}

/**
 * Runs an alert's decision once. `memory: 'before'`: an earlier decision on `subject` (another
 * admin's copy) answers without acting; `'after'`: the use case decides whether it can act, and the
 * earlier decision only names who decided when it cannot.
 */
async function decide(
  s: BotServices,
  subject: string,
  press: ButtonPress,
  memory: 'before' | 'after',
  act: () => FeedActionResult | Promise<FeedActionResult>,
): Promise<Outcome> {
  const earlier = s.decisions.get(subject);
  const already = earlier && {
    ok: false,
    verdict: `Already decided by ${earlier.by}: ${earlier.verdict}`,
    toast: `Already decided by ${earlier.by}.`,
  };
  if (memory === 'before' && already) return already;
  const result = await act();
  if (result.ok) {
    s.decisions.record(subject, { verdict: result.message, by: press.admin.label });
    return { ok: true, verdict: `✅ ${result.message} (${press.admin.label})`, toast: result.message };
  }
  return already ?? { ok: false, verdict: `⚠️ ${result.message}`, toast: result.message };
}

/**
 * Answers the press and edits the message: the alert's text with the verdict under it and no buttons,
 * or what `redraw` makes of it (a /held page drawn again with the verdict on top).
 */
async function finish(
  ctx: BotContext,
  press: ButtonPress,
  outcome: Outcome,
  redraw: (note: string) => Promise<Reply> | undefined = () => undefined,
) {
  const { services, edit, describe } = ctx.tools;
  const { message, answer } = press;
  await answer(outcome.toast, !outcome.ok);
  const note = bold(outcome.verdict);
  const reply = (await redraw(note)) ?? { html: `${escClipped(message.text ?? '', 3500)}\n\n${note}` };
  await edit(message.chat.id, message.message_id, reply).catch((error: unknown) =>
    services.logger.debug('alert not edited', { error: describe(error) }),
  );
}
