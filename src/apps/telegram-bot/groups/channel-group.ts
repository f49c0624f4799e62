import { nextCommand, pauseCommand, resumeCommand, scheduleCommand } from '../commands/channel-commands.js';
import { defineCommandGroup } from './define-command-group.js';

/** What a channel does now and next: publish at once, pause, resume, see the coming slots. */
export const channelGroup = defineCommandGroup('channels', [
  {
    name: 'next',
    args: '[channel]',
    description: "Publish a channel's next post now",
    run: (s, req) => nextCommand(s, req.args),
  },
  {
    name: 'pause',
    args: '[channel]',
    description: 'Stop publishing (every channel when none is named)',
    run: async (s, req) => await pauseCommand(s, req.args, req.admin),
  },
  {
    name: 'resume',
    args: '[channel]',
    description: 'Publish again (every paused channel when none is named)',
    run: async (s, req) => await resumeCommand(s, req.args, req.admin),
  },
  {
    name: 'schedule',
    args: '[channel]',
    description: 'The next 10 slot times and what goes out at each',
    run: async (s, req) => await scheduleCommand(s, req.args),
  },
]);
