import { writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import twitterText from 'twitter-text';
import { afterEach, describe, expect, it } from 'vitest';
import { createCliContext } from '../../src/apps/cli/cli-context.js';
import { splitCommand } from '../../src/apps/cli/commands/split-command.js';
import type { Article } from '../../src/domain/article.js';
import { runChannelSlot } from '../../src/use-cases/run-channel-slot.js';
import { createWorld, queued, type World, X_THREAD } from '../helpers/world.js';

/**
 * The mentions policy as the newsroom meets it: channel settings parsed from the YAML shape, the
 * article queued with the real use case and published by the real X publisher to the loopback fake.
 * What the fake received is read with twitter-text, X's own parser.
 */

let world: World | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

const ARTICLE: Article = {
  title: 'Ferry strike ends after talks at the harbour',
  byline: 'Test Desk',
  paragraphs: [
    'The ferry strike ended on Tuesday after eleven hours of talks, @harbourunion said in a statement to members.',
    '“We got what the crews asked for, and the boats run again tomorrow morning,” said union chair Rosa Lind, who thanked @PortAuthority for staying at the table.',
    'Tickets bought for the cancelled crossings will be refunded, the operator said; questions go to press@ferry.example. #ferrystrike',
  ],
};

async function publishAll(w: World, channelId: string) {
  for (let i = 0; i < 20 && (await w.runtime.store.nextDue(channelId, w.clock.now())); i++)
    await runChannelSlot(w.runtime.deps, channelId);
}

describe('mentions policy on an X channel', () => {
  it('by default nobody is notified: the names stay readable, X finds no mention, the e-mail is intact', async () => {
    world = await createWorld({ channels: [X_THREAD], start: '2026-03-02T09:00:00Z' });
    const { postIds } = queued(await world.enqueue(ARTICLE));
    await publishAll(world, X_THREAD.id);
    const tweets = world.x.tweets.map((t) => t.text);
    expect(tweets.length).toBe(postIds.length);
    const all = tweets.join('\n');
    for (const text of tweets) expect(twitterText.extractMentions(text)).toEqual([]);
    // Readable: the names are there, only an invisible joiner follows each sign.
    expect(all.replace(/\u2060/g, '')).toContain('@harbourunion said');
    expect(all.replace(/\u2060/g, '')).toContain('@PortAuthority');
    expect(all).toContain('press@ferry.example');
    // Hashtags from the article are kept by default (they notify nobody).
    expect(tweets.some((t) => twitterText.extractHashtags(t).includes('ferrystrike'))).toBe(true);
    // What the store calls sent is what X shows: crash reconciliation still recognises it.
    for (const id of postIds) expect((await world.runtime.store.getPost(id))?.state).toBe('sent');
  });

  it('keep leaves live mentions, as a newsroom may choose; drop removes asides and keeps names the sentence needs', async () => {
    world = await createWorld({
      channels: [
        { ...X_THREAD, mentions: 'keep' },
        { ...X_THREAD, id: 'x-drop', credentials: 'X_THREAD', mentions: 'drop', textTags: 'drop' },
      ],
      start: '2026-03-02T09:00:00Z',
    });
    queued(await world.enqueue(ARTICLE));
    await publishAll(world, X_THREAD.id);
    const kept = world.x.tweets.map((t) => t.text);
    expect(kept.flatMap((t) => twitterText.extractMentions(t)).sort()).toEqual([
      'PortAuthority',
      'harbourunion',
    ]);
    const before = world.x.tweets.length;
    await publishAll(world, 'x-drop');
    const dropped = world.x.tweets.slice(before).map((t) => t.text);
    expect(dropped.length).toBeGreaterThan(0);
    for (const text of dropped) {
      expect(twitterText.extractMentions(text)).toEqual([]);
      expect(twitterText.extractHashtags(text)).toEqual([]);
    }
    const all = dropped.join('\n');
    expect(all).toContain('harbourunion said');
    expect(all).toContain('press@ferry.example');
  });
});

describe('the split preview', () => {
  it('points out each mention that stays live under keep, and none under the default', async () => {
    world = await createWorld({
      channels: [
        { ...X_THREAD, mentions: 'keep' },
        { ...X_THREAD, id: 'x-default', credentials: 'X_THREAD' },
      ],
      start: '2026-03-02T09:00:00Z',
    });
    const file = world.dir.file('ferry.txt');
    writeFileSync(file, [ARTICLE.title, '', ...ARTICLE.paragraphs].join('\n\n'));
    const split = async (channel: string) => {
      let out = '';
      const sink = new Writable({
        write(chunk, _encoding, done) {
          out += String(chunk);
          done();
        },
      });
      const base = createCliContext({
        stdout: sink,
        stderr: sink,
        stdin: process.stdin,
        cwd: world!.dir.path,
      });
      const code = await splitCommand({ ...base, config: () => world!.config }, [file, '--channel', channel]);
      return { code, out };
    };
    const kept = await split(X_THREAD.id);
    expect(kept.code).toBe(0);
    expect(kept.out).toContain('⚠ live mention: @harbourunion — X will notify them');
    expect(kept.out).toContain('⚠ live mention: @PortAuthority — X will notify them');
    const neutral = await split('x-default');
    expect(neutral.code).toBe(0);
    expect(neutral.out).not.toContain('live mention');
  });
});
