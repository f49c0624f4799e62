import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createConsolePublisher,
  type OutboxEntry,
} from '../../src/adapters/console/create-console-publisher.js';
import type { Clock } from '../../src/ports/clock.js';

const NOW = new Date('2025-03-01T12:00:00Z');
const fixedClock: Clock = { now: () => new Date(NOW), sleep: async () => {} };

let dir: string;
let printed: string[];

async function outbox(path: string): Promise<OutboxEntry[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as OutboxEntry);
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'quotecast-outbox-'));
  printed = [];
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('console publisher', () => {
  it('prints the post as it would go out and appends it to the outbox, creating directories', async () => {
    const outboxPath = join(dir, 'nested', 'outbox', 'x-main.jsonl');
    const publisher = createConsolePublisher({
      platform: 'twitter',
      channelId: 'x-main',
      outboxPath,
      write: (text) => printed.push(text),
      clock: fixedClock,
    });
    const text = '“A quote”, she said — 汉字 😀 https://example.com/article';
    const receipt = await publisher.publish({ text, postId: '7' });

    expect(receipt).toEqual({ remoteId: 'console-1', publishedAt: NOW });
    expect(printed).toHaveLength(1);
    const block = printed[0]!;
    expect(block).toContain('channel x-main');
    expect(block).toContain('twitter');
    // twitter-text weighting: 22 for the Latin part (curly quotes and dash weigh 1), 2 per CJK
    // character and for the emoji, 23 for the URL, 2 spaces: 22 + 4 + 2 + 23 + 2 = 53.
    expect(block).toContain('53 weighted chars');
    expect(block).toContain(`\n${text}\n`);
    expect(await outbox(outboxPath)).toEqual([
      {
        channelId: 'x-main',
        platform: 'twitter',
        postId: '7',
        text,
        replyTo: null,
        publishedAt: NOW.toISOString(),
        remoteId: 'console-1',
      },
    ]);
  });

  it('records replies and counts Telegram length in UTF-16 units', async () => {
    const outboxPath = join(dir, 'tg.jsonl');
    const publisher = createConsolePublisher({
      platform: 'telegram',
      channelId: 'tg-news',
      outboxPath,
      write: (text) => printed.push(text),
      clock: fixedClock,
    });
    const first = await publisher.publish({ text: 'one 😀' });
    await publisher.publish({ text: 'two' }, { replyTo: first.remoteId });

    expect(printed[0]).toContain('6 UTF-16 units');
    expect(printed[1]).toContain('reply to console-1');
    const entries = await outbox(outboxPath);
    expect(entries.map((e) => [e.remoteId, e.replyTo, e.postId])).toEqual([
      ['console-1', null, null],
      ['console-2', 'console-1', null],
    ]);
  });

  it('numbers on from the lines already in the outbox', async () => {
    const outboxPath = join(dir, 'existing.jsonl');
    await writeFile(outboxPath, '{"remoteId":"console-1"}\n{"remoteId":"console-2"}\n', 'utf8');
    const publisher = createConsolePublisher({
      platform: 'telegram',
      channelId: 'tg',
      outboxPath,
      write: () => {},
      clock: fixedClock,
    });
    expect((await publisher.publish({ text: 'third' })).remoteId).toBe('console-3');
  });

  it('keeps ids unique and in call order under concurrent publishes', async () => {
    const outboxPath = join(dir, 'concurrent.jsonl');
    const publisher = createConsolePublisher({
      platform: 'twitter',
      channelId: 'x',
      outboxPath,
      write: () => {},
      clock: fixedClock,
    });
    const texts = Array.from({ length: 10 }, (_, i) => `post ${i}`);
    const receipts = await Promise.all(texts.map((text) => publisher.publish({ text })));
    expect(receipts.map((r) => r.remoteId)).toEqual(texts.map((_, i) => `console-${i + 1}`));
    expect((await outbox(outboxPath)).map((e) => e.text)).toEqual(texts);
  });

  it('works without an outbox file and declares itself a console publisher', async () => {
    const publisher = createConsolePublisher({
      platform: 'twitter',
      channelId: 'dry',
      write: (text) => printed.push(text),
      clock: fixedClock,
    });
    expect([publisher.platform, publisher.kind, publisher.supportsReplies]).toEqual([
      'twitter',
      'console',
      true,
    ]);
    expect((await publisher.publish({ text: 'only printed' })).remoteId).toBe('console-1');
    expect(printed).toHaveLength(1);
  });
});
