import { queueCommand, queuePage } from '../commands/queue-command.js';
import { statusCommand } from '../commands/status-command.js';
import { defineCommandGroup, onAction } from './define-command-group.js';

/** What is queued and when it goes out: /status, /queue and the queue's page buttons. */
export const queueGroup = defineCommandGroup(
  'status and queue',
  [
    {
      name: 'status',
      args: '',
      description: 'Queue counts, next slot, daily cap left and pause state per channel',
      run: async (s) => await statusCommand(s),
    },
    {
      name: 'queue',
      args: '[channel] [n]',
      description: 'The next n posts (default 10) with ids and slot times',
      run: async (s, req) => await queueCommand(s, req.args),
    },
  ],
  [
    onAction('queue-page', async (ctx, { action, message, answer }) => {
      const { services, edit, describe } = ctx.tools;
      await answer('');
      await edit(
        message.chat.id,
        message.message_id,
        await queuePage(services, action.channel, action.n, action.page),
      ).catch((error: unknown) => services.logger.debug('queue page not edited', { error: describe(error) }));
    }),
  ],
);
