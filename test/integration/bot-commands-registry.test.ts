import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FAKE_ADMIN, type FakeSentMessage } from '../fakes/fake-telegram-api.js';
import { type AdminBotWorld, startAdminBotWorld } from '../helpers/admin-bot-world.js';

/**
 * The admin bot's command list exists once: what the bot registers with Telegram (setMyCommands), what
 * /help lists and what the router answers are the same list. Read from the outside only: the calls
 * the loopback fake Bot API received and the messages the bot sent there.
 */

const WAIT_MS = 3000;

let world: AdminBotWorld;

beforeAll(async () => {
  world = await startAdminBotWorld({
    settings: {
      channels: [
        { id: 'x-main', platform: 'twitter', schedule: '0 9 * * *' },
        { id: 'tg-news', platform: 'telegram', chat: '@quotecast_news', schedule: '30 8 * * *' },
      ],
    },
  });
});

afterAll(() => world.stop());

/** The admin sends `text` in a private chat; resolves with the bot's first answer to it. */
async function ask(text: string): Promise<FakeSentMessage> {
  const before = new Set(world.fake.sentMessages);
  world.fake.pushMessage({ text });
  return world.fake.waitFor((m) => !before.has(m) && m.chatId === String(DEFAULT_FAKE_ADMIN.id), WAIT_MS);
}

function registered(): { command: string; description: string }[] {
  const calls = world.fake.calls.filter((c) => c.method === 'setMyCommands');
  expect(calls).toHaveLength(1);
  return calls[0]!.params['commands'] as { command: string; description: string }[];
}

/** `/name args — description` lines of /help, in order. */
function helpEntries(help: string): { command: string; description: string }[] {
  return [...help.matchAll(/^\/([a-z0-9_]+)\b.*? — (.+)$/gm)].map((m) => ({
    command: m[1]!,
    description: m[2]!,
  }));
}

describe('the admin bot has one command list', () => {
  it('registers with setMyCommands exactly what /help lists, in the same order', async () => {
    const menu = registered();
    expect(menu.length).toBeGreaterThanOrEqual(15);
    for (const { command, description } of menu) {
      // Telegram's rules for a menu entry.
      expect(command).toMatch(/^[a-z0-9_]{1,32}$/);
      expect(description.length).toBeGreaterThanOrEqual(3);
      expect(description.length).toBeLessThanOrEqual(256);
    }
    expect(new Set(menu.map((c) => c.command)).size).toBe(menu.length);
    const help = await ask('/help');
    expect(helpEntries(help.shownText)).toEqual(menu);
    // /start (sent when a chat with the bot opens) is /help under another name, not a second list.
    expect((await ask('/start')).shownText).toBe(help.shownText);
  });

  it('answers every registered command, and only those', async () => {
    for (const { command } of registered()) {
      const reply = await ask(`/${command}`);
      expect(reply.shownText, `/${command}`).not.toContain('Unknown command');
      expect(reply.shownText, `/${command}`).not.toContain('Something went wrong');
    }
    for (const name of ['frobnicate', 'stat', 'helpme', 'startup']) {
      const reply = await ask(`/${name}`);
      expect(reply.shownText).toBe(`⚠️ Unknown command /${name}. /help lists the commands.`);
    }
  });
});

describe('a command that fails', () => {
  it('answers "Something went wrong", logs why, and the chat goes on', async () => {
    // Another process holds the store's write lock past the busy timeout: /pause cannot write.
    const other = new Database(world.dir.file('quotecast.db'));
    try {
      other.exec('BEGIN IMMEDIATE');
      expect((await ask('/pause x-main')).shownText).toBe(
        '⚠️ Something went wrong while handling /pause; the log has the details.',
      );
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    const failed = world.logs.filter((l) => l.startsWith('error Telegram admin bot: command failed'));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toContain('"command":"pause"');
    expect(failed[0]).toMatch(/StoreError|busy/);
    expect((await ask('/pause x-main')).shownText).toContain('x-main is paused');
  });
});
