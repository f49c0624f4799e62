import { createServer } from 'node:net';
import { expect } from 'vitest';
import type { Daemon } from '../../src/apps/daemon/create-daemon.js';
import type { Runtime } from '../../src/apps/runtime/build-runtime.js';
import type { AdminBot } from '../../src/apps/telegram-bot/create-admin-bot.js';
import type { Logger } from '../../src/ports/logger.js';
import {
  DEFAULT_FAKE_ADMIN,
  type FakeSentMessage,
  type FakeTelegramApi,
} from '../fakes/fake-telegram-api.js';

/** A logger that keeps every line as `level message {fields}`, for assertions on what was logged. */
export function collectingLogger(lines: string[]): Logger {
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  return { info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug') };
}

/**
 * Stops a bot and daemon as SIGTERM does in `quotecast start` (the bot, then the daemon), checks
 * that the token never reached a chat or the log, and closes the store whatever happened.
 */
export async function stopBotAndDaemon(parts: {
  readonly bot: AdminBot | undefined;
  readonly daemon: Daemon;
  readonly runtime: Runtime;
  readonly logs: readonly string[];
  readonly token: string;
  readonly fake?: FakeTelegramApi;
}): Promise<void> {
  try {
    await parts.bot?.stop();
    await parts.daemon.stop();
    for (const message of parts.fake?.sentMessages ?? []) expect(message.text).not.toContain(parts.token);
    for (const line of parts.logs) expect(line).not.toContain(parts.token);
  } finally {
    await parts.runtime.close();
  }
}

/** A loopback port nothing listens on (yet): connecting to it is refused, as when Telegram is down. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Asks the bot for /status as the default admin; its answer, or a failure after `timeoutMs`. */
export async function statusReply(fake: FakeTelegramApi, timeoutMs = 15_000): Promise<FakeSentMessage> {
  const before = new Set(fake.sentMessages);
  fake.pushMessage({ text: '/status' });
  return fake.waitFor(
    (m) => !before.has(m) && m.chatId === String(DEFAULT_FAKE_ADMIN.id) && m.shownText.startsWith('Status'),
    timeoutMs,
  );
}
