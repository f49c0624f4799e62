import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createCliContext } from '../../src/apps/cli/cli-context.js';
import { queueCommand, statusCommand } from '../../src/apps/cli/commands/queue-commands.js';
import type { BotServices } from '../../src/apps/telegram-bot/bot-types.js';
import { queueCommand as botQueue } from '../../src/apps/telegram-bot/commands/queue-command.js';
import { statusCommand as botStatus } from '../../src/apps/telegram-bot/commands/status-command.js';
import type { StoredPost } from '../../src/ports/post-store.js';
import { retryPost, skipPost, threadHeldNote } from '../../src/use-cases/admin-actions.js';
import { planSlots } from '../../src/use-cases/plan-slots.js';
import { heldThreads, runChannelSlot, type SlotResult } from '../../src/use-cases/run-channel-slot.js';
import { makeArticle } from '../helpers/articles.js';
import { createWorld, queued, TG_THREAD, type World, X_THREAD } from '../helpers/world.js';

/**
 * Issue 10, finding 1: a thread part that fails for good (retry.maxAttempts 5xx answers) holds every
 * later part of its thread on that channel. Real SQLite store, the real publishers against the
 * loopback fakes of X and Telegram, a fake clock; the CLI's status and queue and the bot's /status
 * and /queue are the real commands reading the same store.
 */

let world: World | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

const MAX_ATTEMPTS = 5;

interface Platform {
  readonly name: string;
  readonly channel: typeof X_THREAD | typeof TG_THREAD;
  /** Makes the platform answer the next `times` sends of `text` with a 5xx. */
  failSends(w: World, text: string, times: number): void;
  /** What the platform received: text, own id and the id it replies to, in order. */
  received(w: World): { text: string; id: string; replyTo: string | undefined }[];
}

const X: Platform = {
  name: 'X',
  channel: X_THREAD,
  failSends(w, text, times) {
    w.x.failNext({
      match: (r) => r.path === '/2/tweets' && (r.body as { text?: string }).text === text,
      times,
      fault: { kind: 'server-error', status: 503 },
    });
  },
  received: (w) => w.x.tweets.map((t) => ({ text: t.text, id: t.id, replyTo: t.replyTo })),
};

const TELEGRAM: Platform = {
  name: 'Telegram',
  channel: TG_THREAD,
  failSends(w, text, times) {
    w.telegram.failNext({
      match: (call) =>
        call.method === 'sendMessage' &&
        typeof call.params['text'] === 'string' &&
        sameText(call.params['text'], text),
      times,
      fault: { kind: 'server-error', status: 502 },
    });
  },
  received: (w) =>
    w.telegram.sentMessages.map((m) => ({
      text: m.shownText,
      id: String(m.messageId),
      replyTo: m.replyTo === undefined ? undefined : String(m.replyTo),
    })),
};

/** Telegram gets the post as HTML; the first 40 characters of the plain text identify it. */
function sameText(sent: string, text: string): boolean {
  const plain = sent
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
  return plain.slice(0, 40) === text.slice(0, 40);
}

async function setUp(platform: Platform): Promise<World> {
  world = await createWorld({
    start: '2026-03-10T12:00:00Z',
    channels: [platform.channel],
    settings: { retry: { maxAttempts: MAX_ATTEMPTS, baseDelaySeconds: 60, maxDelaySeconds: 600 } },
  });
  return world;
}

const slot = async (w: World, channelId: string): Promise<SlotResult> =>
  await runChannelSlot(w.runtime.deps, channelId);

/** Runs slots until part 1 has been tried `MAX_ATTEMPTS` times, moving the clock to each retry. */
async function failForGood(w: World, channelId: string, head: StoredPost): Promise<void> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const result = await slot(w, channelId);
    expect(result.kind).toBe('published');
    const post = (await w.runtime.store.getPost(head.id))!;
    if (attempt < MAX_ATTEMPTS) {
      expect(post.state).toBe('queued');
      w.clock.set(post.nextAttemptAt!);
    } else expect(post.state).toBe('failed');
  }
}

/** `quotecast <command>` in this process, on the world's config and store. */
async function cli(
  w: World,
  command: typeof statusCommand,
  args: readonly string[] = [],
): Promise<{ code: number; out: string }> {
  let out = '';
  const stdout = new Writable({
    write(chunk, _encoding, done) {
      out += String(chunk);
      done();
    },
  });
  const base = createCliContext({ stdout, stderr: stdout, stdin: process.stdin, cwd: w.dir.path });
  const code = await command({ ...base, config: () => w.config }, args);
  return { code, out };
}

/** The bot's commands here need only the deps, the settings and the clock of the services. */
const bot = (w: World) =>
  ({ deps: w.runtime.deps, settings: w.runtime.config.settings, clock: w.clock }) as unknown as BotServices;

const plain = (html: string) => html.replace(/<[^>]+>/g, '').replace(/&amp;/g, '&');

function expectChain(received: ReturnType<Platform['received']>, texts: readonly string[]): void {
  expect(received.map((r) => r.text)).toEqual([...texts]);
  expect(received[0]!.replyTo).toBeUndefined();
  for (let i = 1; i < received.length; i++) expect(received[i]!.replyTo).toBe(received[i - 1]!.id);
}

describe.each([X, TELEGRAM])('a thread part that fails for good on $name', (platform) => {
  const channelId = platform.channel.id;

  it('holds the later parts, says so everywhere, and a retry sends the whole thread in order', async () => {
    const w = await setUp(platform);
    const { articleId } = queued(await w.enqueue(makeArticle(12, { paragraphs: 5 })));
    const thread = await w.posts(articleId, channelId);
    expect(thread.length).toBeGreaterThanOrEqual(4);
    const head = thread[0]!;
    platform.failSends(w, head.text, MAX_ATTEMPTS);

    await failForGood(w, channelId, head);
    // Nothing of the thread went out, and the later parts are still queued, held.
    expect(platform.received(w)).toEqual([]);
    expect((await w.posts(articleId, channelId)).map((p) => p.state)).toEqual(
      thread.map((_, i) => (i === 0 ? 'failed' : 'queued')),
    );
    w.clock.advance(3_600_000);
    expect(await slot(w, channelId)).toEqual({ kind: 'idle', why: 'nothing-due' });
    expect(platform.received(w)).toEqual([]);

    const [held] = await heldThreads(w.runtime.deps, channelId);
    expect(held?.blocker.id).toBe(head.id);
    expect(held?.held.map((p) => p.id)).toEqual(thread.slice(1).map((p) => p.id));

    // The admins heard of the failure; the note for that alert says the rest is held and what to do.
    expect(w.alerts.map((a) => [a.kind, a.postId])).toEqual([['failed', head.id]]);
    expect(await threadHeldNote(w.runtime.store, (await w.runtime.store.getPost(head.id))!)).toBe(
      `Parts 2–${thread.length} of this thread are held: they do not go out without it. /retry ${head.id} resumes the thread in order from part 1; /skip ${head.id} lets it go on without that part (part 2 then starts the thread).`,
    );
    expect(w.alerts[0]!.text).toContain(
      await threadHeldNote(w.runtime.store, (await w.runtime.store.getPost(head.id))!),
    );

    // quotecast status and queue.
    const status = await cli(w, statusCommand);
    expect(status.code).toBe(0);
    expect(status.out).toContain(
      `thread a${articleId} held at part 1/${thread.length} (#${head.id}), ${thread.length - 1} parts wait: failed (unavailable: gave up after ${MAX_ATTEMPTS} attempts`,
    );
    expect(status.out).toContain(
      `— quotecast retry ${head.id} resumes it, quotecast skip ${head.id} goes on without it`,
    );
    const json = JSON.parse((await cli(w, statusCommand, ['--format', 'json'])).out);
    expect(json.channels[0].held).toEqual([
      expect.objectContaining({ articleId, postId: head.id, part: 1, total: thread.length, state: 'failed' }),
    ]);
    const queue = (await cli(w, queueCommand)).out;
    for (const part of thread.slice(1))
      expect(queue).toMatch(new RegExp(`#${part.id} art ${articleId} ${part.seq}/${part.total} held`));
    expect(queue).toContain(`thread a${articleId} held at part 1/${thread.length}`);
    const queueJson = JSON.parse((await cli(w, queueCommand, ['--format', 'json'])).out);
    expect(queueJson[channelId][0].held).toMatchObject({ by: head.id });

    // The bot's /status and /queue.
    const botStatusText = plain((await botStatus(bot(w))).html);
    expect(botStatusText).toContain(`thread a${articleId} held at part 1/${thread.length}`);
    expect(botStatusText).toContain(`/retry ${head.id} resumes it, /skip ${head.id} goes on without it`);
    const botQueueText = plain(((await botQueue(bot(w), '')) as { html: string }).html);
    expect(botQueueText).toContain(
      `#${thread[1]!.id} · held: part 1 failed — /retry ${head.id} or /skip ${head.id}`,
    );

    // The schedule preview gives the thread no time either.
    const plan = await planSlots(
      w.runtime.deps,
      w.config.channels[0]!,
      await w.runtime.store.upcoming(channelId, 100),
      {
        minSlots: 0,
      },
    );
    expect(plan.held.map((h) => h.articleId)).toEqual([articleId]);

    // The admin retries part 1: the whole thread goes out at the next slot, in order, as one chain.
    const retried = await retryPost(w.runtime.store, head.id, w.clock.now());
    expect(retried.ok).toBe(true);
    expect(retried.message).toContain(`parts 2–${thread.length} follow in order`);
    w.clock.advance(3_600_000);
    const result = await slot(w, channelId);
    expect(result.kind === 'published' && result.outcomes.map((o) => o.kind)).toEqual(
      thread.map(() => 'sent'),
    );
    expectChain(
      platform.received(w),
      thread.map((p) => p.text),
    );
    expect((await w.posts(articleId, channelId)).map((p) => p.remoteId)).toEqual(
      platform.received(w).map((r) => r.id),
    );
    expect(await heldThreads(w.runtime.deps, channelId)).toEqual([]);
    expect((await cli(w, statusCommand)).out).not.toContain('held');
  });

  it('a skip lets the thread go on without the part: the next part starts the chain', async () => {
    const w = await setUp(platform);
    const { articleId } = queued(await w.enqueue(makeArticle(13, { paragraphs: 5 })));
    const other = queued(await w.enqueue(makeArticle(14, { paragraphs: 2 })));
    const thread = await w.posts(articleId, channelId);
    const head = thread[0]!;
    platform.failSends(w, head.text, MAX_ATTEMPTS);
    await failForGood(w, channelId, head);
    expect(platform.received(w)).toEqual([]);

    // Meanwhile the channel goes on with the next article, as its own thread.
    w.clock.advance(3_600_000);
    await slot(w, channelId);
    const otherTexts = (await w.posts(other.articleId, channelId)).map((p) => p.text);
    expectChain(platform.received(w), otherTexts);

    const skipped = await skipPost(w.runtime.store, head.id);
    expect(skipped.ok).toBe(true);
    expect(skipped.message).toContain('part 2 starts the thread');
    w.clock.advance(3_600_000);
    await slot(w, channelId);
    expectChain(
      platform.received(w).slice(otherTexts.length),
      thread.slice(1).map((p) => p.text),
    );
    expect((await w.posts(articleId, channelId)).map((p) => p.state)).toEqual(
      thread.map((_, i) => (i === 0 ? 'skipped' : 'sent')),
    );
  });

  it('a middle part that fails for good holds the rest; skipped, the next part replies to the part before it', async () => {
    const w = await setUp(platform);
    const { articleId } = queued(await w.enqueue(makeArticle(15, { paragraphs: 5 })));
    const thread = await w.posts(articleId, channelId);
    expect(thread.length).toBeGreaterThanOrEqual(4);
    const third = thread[2]!;
    platform.failSends(w, third.text, MAX_ATTEMPTS);

    await failForGood(w, channelId, third);
    expect(platform.received(w).map((r) => r.text)).toEqual([thread[0]!.text, thread[1]!.text]);
    expect(await threadHeldNote(w.runtime.store, (await w.runtime.store.getPost(third.id))!)).toContain(
      'part 4 then replies to part 2',
    );
    // The thread's last part holds nothing: no note.
    expect(await threadHeldNote(w.runtime.store, thread.at(-1)!)).toBe('');
    w.clock.advance(3_600_000);
    expect(await slot(w, channelId)).toEqual({ kind: 'idle', why: 'nothing-due' });

    expect((await skipPost(w.runtime.store, third.id)).message).toContain('part 4 replies to part 2');
    w.clock.advance(3_600_000);
    await slot(w, channelId);
    const received = platform.received(w);
    expect(received.map((r) => r.text)).toEqual(thread.filter((p) => p.id !== third.id).map((p) => p.text));
    expect(received[2]!.replyTo).toBe(received[1]!.id);
    for (let i = 1; i < received.length; i++) expect(received[i]!.replyTo).toBe(received[i - 1]!.id);
  });
});
