import { unknownPage } from '../alert-messages.js';
import { articleCommand, killButton, killCommand } from '../commands/kill-commands.js';
import {
  approveCommand,
  articlesCommand,
  deleteCommand,
  editCommand,
  previewCommand,
  resolveButton,
  resolveCommand,
  retryCommand,
  skipCommand,
} from '../commands/post-commands.js';
import { bold, escClipped } from '../format-html.js';
import { defineCommandGroup, onAction } from './define-command-group.js';

/**
 * Articles and single posts: approve, look, skip, retry, edit, delete, and decide posts of unknown
 * outcome, with the alerts' "It arrived" / "Send again" buttons and the unknown-outcome summary pages;
 * where an article went (/article) and pulling it everywhere (/kill, with its confirmation buttons).
 */
export const postGroup = defineCommandGroup(
  'posts',
  [
    {
      name: 'approve',
      args: '<article>',
      description: 'Let an article queued with "Queue" go out at its slots',
      run: async (s, req) => await approveCommand(s, req.args),
    },
    {
      name: 'preview',
      args: '<post> | a<article>',
      description: 'A post exactly as it will be sent, or an article',
      run: async (s, req) => await previewCommand(s, req.args),
    },
    {
      name: 'articles',
      args: '[n]',
      description: 'The latest articles and the state of their posts',
      run: async (s, req) => await articlesCommand(s, req.args),
    },
    {
      name: 'article',
      args: '<article>',
      description: 'Where an article went: each post per channel, its link, and whether it was taken down',
      run: async (s, req) => await articleCommand(s, req.args),
    },
    {
      name: 'skip',
      args: '<post>',
      description: 'Never publish this post',
      run: async (s, req) => await skipCommand(s, req.args),
    },
    {
      name: 'retry',
      args: '<post>',
      description: 'Queue a failed, skipped or unknown post again',
      run: async (s, req) => await retryCommand(s, req.args),
    },
    {
      name: 'resolve',
      args: '<post> sent [id] | resend',
      description: 'Decide a post of unknown outcome; a thread part needs its message id',
      run: async (s, req) => await resolveCommand(s, req.args),
    },
    {
      name: 'unknown',
      args: '',
      description: 'Posts of unknown outcome, with buttons to mark each as sent or send it again',
      run: async (s) => await unknownPage(s.deps.store, 0),
    },
    {
      name: 'edit',
      args: '<post> <new text>',
      description: "Replace an unsent post's text (checked against the limit)",
      run: async (s, req) => await editCommand(s, req.args),
    },
    {
      name: 'delete',
      args: '<article>',
      description: "Remove an article's unsent posts; published ones stay",
      run: async (s, req) => await deleteCommand(s, req.args),
    },
    {
      name: 'kill',
      args: '<article>',
      description:
        'Pull an article everywhere: drop its queued posts, delete its published ones (asks first)',
      run: async (s, req) => await killCommand(s, req.args),
    },
  ],
  [
    onAction('kill', killButton),
    onAction('unknown-post', async (ctx, { action, message, admin, answer }) => {
      const { services, edit, describe } = ctx.tools;
      const result = await resolveButton(services, action.postId, action.decision);
      services.logger.info('unknown post resolved from Telegram', {
        post: action.postId,
        decision: action.decision,
        by: admin.label,
        ok: result.ok,
      });
      await answer(result.message, !result.ok);
      const verdict = result.ok ? `✅ ${result.message} (${admin.label})` : `⚠️ ${result.message}`;
      const redrawn =
        action.page === undefined
          ? { html: `${escClipped(message.text ?? '', 3500)}\n\n${bold(verdict)}` }
          : await unknownPage(services.deps.store, action.page, bold(verdict));
      await edit(message.chat.id, message.message_id, redrawn).catch((error: unknown) =>
        services.logger.debug('alert not edited', { error: describe(error) }),
      );
    }),
    onAction('unknown-page', async (ctx, { action, message, answer }) => {
      const { services, edit, describe } = ctx.tools;
      await answer('');
      await edit(
        message.chat.id,
        message.message_id,
        await unknownPage(services.deps.store, action.page),
      ).catch((error: unknown) =>
        services.logger.debug('unknown page not edited', { error: describe(error) }),
      );
    }),
  ],
);
