import { addCommand, choosePreview } from '../commands/add-command.js';
import { defineCommandGroup, onAction } from './define-command-group.js';

/** /add and its preview's buttons ("Queue", "Queue and approve all", "Discard"). */
export const addGroup = defineCommandGroup(
  'add',
  [
    {
      name: 'add',
      args: '<text | URL>',
      description: 'Preview an article: text, a URL, a reply to a message, or a .txt/.md/.html file',
      run: async (s, req) => await addCommand(s, req),
    },
  ],
  [
    onAction('preview', async (ctx, { action, message, admin, answer }) => {
      const chatId = message.chat.id;
      const { toast, reply } = await choosePreview(
        ctx.tools.services,
        action.choice,
        action.previewId,
        admin,
      );
      await answer(toast, reply === undefined);
      if (reply) await ctx.tools.edit(chatId, message.message_id, reply);
      else
        await ctx.telegram
          .editMessageReplyMarkup(chatId, message.message_id, undefined, undefined)
          .catch(() => {});
    }),
  ],
);
