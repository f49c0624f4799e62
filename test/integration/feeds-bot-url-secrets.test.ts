import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_FAKE_ADMIN } from '../fakes/fake-telegram-api.js';
import { type AdminBotWorld, startAdminBotWorld } from '../helpers/admin-bot-world.js';

/**
 * /feeds names each feed's URL, and a private feed's URL carries its key (user:password before the
 * host, a token in the query): the admins' chat sees the host and path only, as `status` does.
 */

const WAIT_MS = 15_000;
let world: AdminBotWorld | undefined;

afterEach(async () => {
  await world?.stop();
  world = undefined;
});

describe('/feeds hides the secrets in a feed URL', () => {
  it('shows host and path, not the credentials or the query', async () => {
    world = await startAdminBotWorld({
      settings: {
        channels: [{ id: 'x-main', platform: 'twitter', schedule: '0 9 * * *', dailyCap: 100 }],
        feeds: [
          {
            id: 'wire',
            url: 'https://desk:hunter2-pass@wire.example.org/private/feed.xml?token=s3cr3t-feed-key',
            channels: ['x-main'],
            approval: 'auto',
          },
        ],
      },
    });
    const w = world;
    const before = new Set(w.fake.sentMessages);
    w.fake.pushMessage({ text: '/feeds', from: DEFAULT_FAKE_ADMIN });
    const reply = await w.fake.waitFor(
      (m) => !before.has(m) && m.chatId === String(DEFAULT_FAKE_ADMIN.id),
      WAIT_MS,
    );
    expect(reply.shownText).toContain('wire');
    expect(reply.shownText).toContain('https://wire.example.org/private/feed.xml?…');
    expect(reply.shownText).not.toContain('hunter2-pass');
    expect(reply.shownText).not.toContain('desk:');
    expect(reply.shownText).not.toContain('s3cr3t-feed-key');
  });
});
