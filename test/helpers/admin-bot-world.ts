import { createDaemon, type Daemon } from '../../src/apps/daemon/create-daemon.js';
import { buildRuntime, type Runtime } from '../../src/apps/runtime/build-runtime.js';
import { adminBotForRuntime } from '../../src/apps/telegram-bot/admin-bot-for-runtime.js';
import type { AdminBot } from '../../src/apps/telegram-bot/create-admin-bot.js';
import { loadConfig } from '../../src/config/load-config.js';
import {
  createFakeTelegramApi,
  DEFAULT_FAKE_ADMIN,
  DEFAULT_FAKE_TELEGRAM_TOKEN,
  type FakeTelegramApi,
} from '../fakes/fake-telegram-api.js';
import { collectingLogger, stopBotAndDaemon } from './bot-run.js';
import { createTempDir, type TempDir } from './temp-dir.js';

export interface AdminBotWorld {
  readonly fake: FakeTelegramApi;
  readonly dir: TempDir;
  readonly runtime: Runtime;
  readonly daemon: Daemon;
  readonly bot: AdminBot;
  /** Every log line, as collectingLogger writes them. */
  readonly logs: string[];
  /** Stops the bot and daemon (checking the token reached no chat and no log), then the fake. */
  stop(): Promise<void>;
}

export interface AdminBotWorldOptions {
  /** Default: DEFAULT_FAKE_ADMIN only. */
  readonly adminIds?: readonly number[];
  /** Merged over a store and an outbox in the temp dir and one X channel (console publisher). */
  readonly settings?: Record<string, unknown>;
}

/**
 * The admin bot wired as `quotecast start` wires it: the loopback fake Bot API, config through
 * loadConfig, the runtime with a real SQLite store in a temp dir, a daemon without cron ticks (slots
 * run only when a command asks), and the bot started against the fake.
 */
export async function startAdminBotWorld(options: AdminBotWorldOptions = {}): Promise<AdminBotWorld> {
  const fake = createFakeTelegramApi();
  await fake.start();
  const dir = createTempDir('quotecast-bot-world-');
  const outcome = loadConfig({
    cwd: dir.path,
    env: {
      TELEGRAM_BOT_TOKEN: DEFAULT_FAKE_TELEGRAM_TOKEN,
      TELEGRAM_ADMIN_IDS: (options.adminIds ?? [DEFAULT_FAKE_ADMIN.id]).join(', '),
      TELEGRAM_API_ROOT: fake.url,
    },
    settings: {
      timezone: 'UTC',
      store: { path: dir.file('quotecast.db') },
      outbox: { path: dir.file('outbox.jsonl') },
      channels: [{ id: 'x-main', platform: 'twitter', schedule: '0 9 * * *' }],
      ...options.settings,
    },
  });
  if (!outcome.ok) throw new Error(outcome.problems.join('\n'));
  const logs: string[] = [];
  const runtime = buildRuntime(outcome.config, {
    exclusive: true,
    logger: collectingLogger(logs),
    write: () => {},
    pacing: { perChatIntervalMs: 0, perChatPerMinute: 1000, overallPerSecond: 1000 },
    random: () => 0.5,
  });
  const daemon = createDaemon({
    deps: runtime.deps,
    channels: outcome.config.channels,
    schedule: () => ({ stop() {} }),
  });
  const bot = adminBotForRuntime(runtime, daemon);
  if (!bot) throw new Error('the bot should be configured');
  runtime.setNotifier(bot.notifier);
  await daemon.start();
  await bot.start();
  return {
    fake,
    dir,
    runtime,
    daemon,
    bot,
    logs,
    async stop() {
      try {
        await stopBotAndDaemon({ bot, daemon, runtime, logs, token: DEFAULT_FAKE_TELEGRAM_TOKEN, fake });
      } finally {
        await fake.close();
        dir.remove();
      }
    },
  };
}
