import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/apps/cli/cli-context.js';
import { runCli } from '../../src/apps/cli/main.js';
import { resolveButton, resolveCommand } from '../../src/apps/telegram-bot/commands/post-commands.js';
import type { StoredPost } from '../../src/ports/post-store.js';
import type { Receipt } from '../../src/ports/publisher.js';
import { parseRemoteId, resolveUnknown } from '../../src/use-cases/admin-actions.js';
import { publishPost } from '../../src/use-cases/publish-post.js';
import { recoverInterrupted } from '../../src/use-cases/recover-interrupted.js';
import { runChannelSlot } from '../../src/use-cases/run-channel-slot.js';
import { makeArticle } from '../helpers/articles.js';
import { createWorld, queued, TG_QUOTES, TG_THREAD, type World, X_THREAD } from '../helpers/world.js';

/**
 * `resolve ID --sent` on a thread part of unknown outcome (issue 10, finding 3): the next part must
 * reply to the part's remote id, so the id is asked for (or, on X, looked up) instead of storing
 * none. End to end: the real SQLite store, the real publishers against the loopback fakes, and the
 * real CLI (`runCli`, in this process, on the world's configuration).
 */

let world: World | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function setUp(channels: readonly Record<string, unknown>[]): Promise<World> {
  world = await createWorld({ start: '2026-03-10T12:00:00Z', channels });
  return world;
}

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `quotecast <args>` on the world's store and fakes, as an admin would run it beside the daemon. */
async function quotecast(w: World, ...args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void) =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        append(chunk.toString());
        done();
      },
    });
  const ctx: CliContext = {
    stdout: sink((t) => {
      stdout += t;
    }),
    stderr: sink((t) => {
      stderr += t;
    }),
    stdin: process.stdin,
    cwd: w.dir.path,
    config: () => ({ ...w.config, logLevel: 'error' }),
  };
  const code = await runCli(args, ctx);
  return { code, stdout, stderr };
}

/** Exit 2, one line on standard error naming every fragment, nothing on standard output. */
function refused(result: CliResult, ...fragments: string[]): void {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  for (const fragment of fragments) expect(result.stderr).toContain(fragment);
}

/**
 * The request for `post` leaves and the platform keeps it, then the process dies before recording
 * `sent`; quotecast starts again (recovery included). Returns what the platform answered.
 */
async function deliverThenCrash(w: World, post: StoredPost, replyTo?: string): Promise<Receipt> {
  await w.runtime.store.lease(post.id, w.clock.now());
  const receipt = await w.runtime.deps.publishers
    .get(post.channelId)!
    .publish({ text: post.text, postId: String(post.id) }, replyTo ? { replyTo } : {});
  await w.restart();
  await recoverInterrupted(w.runtime.deps);
  return receipt;
}

/** The same, but the process died before the request left: nothing arrived. */
async function crashBeforeSending(w: World, post: StoredPost): Promise<void> {
  await w.runtime.store.lease(post.id, w.clock.now());
  await w.restart();
  await recoverInterrupted(w.runtime.deps);
}

const timeline = {
  match: (r: { method: string; path: string }) => /^\/2\/users\/[^/]+\/tweets$/.test(r.path),
};
const tweetPosts = (w: World) => w.x.requests.filter((r) => r.method === 'POST' && r.path === '/2/tweets');

describe('Telegram: a thread part is resolved as sent only with its message id', () => {
  it('refuses --sent without an id, explaining where to find it; with the link, the thread replies to that message', async () => {
    const w = await setUp([TG_THREAD]);
    const { articleId } = queued(await w.enqueue(makeArticle(1, { paragraphs: 3 })));
    const thread = await w.posts(articleId, 'tg-thread');
    expect(thread).toHaveLength(3);
    const [p1, p2, p3] = thread;

    const arrived = await deliverThenCrash(w, p1!);
    expect((await w.runtime.store.getPost(p1!.id))!.state).toBe('unknown');
    expect(w.alerts.map((a) => [a.kind, a.postId])).toEqual([['unknown', p1!.id]]);
    // The thread waits for the decision.
    await runChannelSlot(w.runtime.deps, 'tg-thread');
    expect(w.telegram.sentMessages).toHaveLength(1);

    refused(
      await quotecast(w, 'resolve', String(p1!.id), '--sent'),
      `Post #${p1!.id} is part 1/3 of a thread on tg-thread and part 2 will reply to it`,
      'cannot be marked as sent without its message id',
      'Open @quotecast_thread, find the message and copy its link (t.me/quotecast_thread/123): the number at the end is the id.',
      `Then run: quotecast resolve ${p1!.id} --sent --remote-id 123`,
      `If it did not arrive: quotecast resolve ${p1!.id} --resend.`,
    );
    refused(
      await quotecast(w, 'resolve', String(p1!.id), '--sent', '--remote-id', 'message-one'),
      '"message-one" is not an id; a Telegram message id is a number such as 123, or the message\'s link (t.me/quotecast_thread/123)',
    );
    refused(
      await quotecast(
        w,
        'resolve',
        String(p1!.id),
        '--sent',
        '--remote-id',
        'https://x.com/desk/status/1900',
      ),
      'is a link to a tweet, but the post is on Telegram',
    );
    refused(
      await quotecast(w, 'resolve', String(p1!.id), '--sent', '--remote-id', 't.me/other_news/1'),
      '"t.me/other_news/1" is a message in @other_news, but the post went to @quotecast_thread',
    );
    refused(
      await quotecast(w, 'resolve', String(p1!.id), '--resend', '--remote-id', '1'),
      '--remote-id goes with --sent',
    );
    expect(await w.runtime.store.getPost(p1!.id)).toMatchObject({ state: 'unknown', remoteId: null });

    const link = `https://t.me/quotecast_thread/${arrived.remoteId}?single`;
    const resolved = await quotecast(w, 'resolve', String(p1!.id), '--sent', '--remote-id', link);
    expect(resolved.code, resolved.stderr).toBe(0);
    expect(resolved.stdout).toBe(
      `Post #${p1!.id} is marked as sent (message id ${arrived.remoteId}); part 2 will reply to it.\n`,
    );
    expect(await w.runtime.store.getPost(p1!.id)).toMatchObject({
      state: 'sent',
      remoteId: arrived.remoteId,
      remoteUrl: `https://t.me/quotecast_thread/${arrived.remoteId}`,
    });

    await runChannelSlot(w.runtime.deps, 'tg-thread');
    const sent = w.telegram.sentMessages;
    expect(sent.map((m) => m.shownText)).toEqual([p1!.text, p2!.text, p3!.text]);
    expect(sent[1]!.replyTo).toBe(Number(arrived.remoteId));
    expect(sent[2]!.replyTo).toBe(sent[1]!.messageId);
    const sends = w.telegram.calls.filter((c) => c.method === 'sendMessage');
    expect((sends[1]!.params['reply_parameters'] as { message_id: number }).message_id).toBe(
      Number(arrived.remoteId),
    );
  });

  it('a quotes post, and the last part of a thread, are resolved as sent without an id', async () => {
    const w = await setUp([TG_THREAD, TG_QUOTES]);
    const thread = await w.posts(
      queued(await w.enqueue(makeArticle(2, { paragraphs: 3 }), { channels: ['tg-thread'] })).articleId,
      'tg-thread',
    );
    const quote = (
      await w.posts(
        queued(await w.enqueue(makeArticle(3), { channels: ['tg-quotes'] })).articleId,
        'tg-quotes',
      )
    )[0]!;
    for (const part of thread.slice(0, -1))
      expect(await publishPost(w.runtime.deps, part.id)).toMatchObject({ kind: 'sent' });
    const last = thread.at(-1)!;
    await deliverThenCrash(w, last, (await w.runtime.store.getPost(thread.at(-2)!.id))!.remoteId!);
    await deliverThenCrash(w, quote);
    expect(
      (await Promise.all([last, quote].map((p) => w.runtime.store.getPost(p.id)))).map((p) => p!.state),
    ).toEqual(['unknown', 'unknown']);

    for (const post of [last, quote]) {
      const result = await quotecast(w, 'resolve', String(post.id), '--sent');
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe(`Post #${post.id} is marked as sent.\n`);
      expect(await w.runtime.store.getPost(post.id)).toMatchObject({ state: 'sent', remoteId: null });
    }
  });

  it("refuses an id that cannot be the part: another part's, or one older than the part before it", async () => {
    const w = await setUp([TG_THREAD]);
    const earlier = queued(await w.enqueue(makeArticle(4, { paragraphs: 2 })));
    await runChannelSlot(w.runtime.deps, 'tg-thread');
    const older = w.telegram.sentMessages.at(-1)!.messageId;
    const [p1, p2] = await w.posts(
      queued(await w.enqueue(makeArticle(5, { paragraphs: 3 }))).articleId,
      'tg-thread',
    );
    expect((await w.posts(earlier.articleId, 'tg-thread')).every((p) => p.state === 'sent')).toBe(true);
    expect(await publishPost(w.runtime.deps, p1!.id)).toMatchObject({ kind: 'sent' });
    const first = (await w.runtime.store.getPost(p1!.id))!.remoteId!;
    const arrived = await deliverThenCrash(w, p2!, first);

    refused(
      await quotecast(w, 'resolve', String(p2!.id), '--sent'),
      `find the message (it comes right after part 1, https://t.me/quotecast_thread/${first})`,
    );
    refused(
      await quotecast(w, 'resolve', String(p2!.id), '--sent', '--remote-id', first),
      `Post #${p2!.id}: ${first} is the id of part 1 (#${p1!.id}); check the link of part 2.`,
    );
    refused(
      await quotecast(w, 'resolve', String(p2!.id), '--sent', '--remote-id', String(older)),
      `${older} is older than part 1 (#${p1!.id}), ${first}, which part 2 follows`,
    );
    const ok = await quotecast(w, 'resolve', `#${p2!.id}`, '--sent', '--remote-id', arrived.remoteId);
    expect(ok.code, ok.stderr).toBe(0);
    await runChannelSlot(w.runtime.deps, 'tg-thread');
    expect(w.telegram.sentMessages.at(-1)!.replyTo).toBe(Number(arrived.remoteId));
  });
});

describe('X: a thread part is looked up on the timeline, or resolved with its tweet id', () => {
  it('finds the tweet by its text when no id is given; the next part replies to it', async () => {
    const w = await setUp([X_THREAD]);
    const [p1, p2, p3] = await w.posts(
      queued(await w.enqueue(makeArticle(6, { paragraphs: 3 }))).articleId,
      'x-thread',
    );
    expect(p3).toBeDefined();
    // The timeline cannot be read while quotecast restarts, so recovery asks an admin.
    w.x.failNext({ ...timeline, fault: { kind: 'server-error', status: 503 } });
    const arrived = await deliverThenCrash(w, p1!);
    expect((await w.runtime.store.getPost(p1!.id))!.state).toBe('unknown');

    const resolved = await quotecast(w, 'resolve', String(p1!.id), '--sent');
    expect(resolved.code, resolved.stderr).toBe(0);
    expect(resolved.stdout).toBe(
      `Found it on x-thread: Post #${p1!.id} is marked as sent (tweet id ${arrived.remoteId}); part 2 will reply to it.\n`,
    );
    expect(await w.runtime.store.getPost(p1!.id)).toMatchObject({
      state: 'sent',
      remoteId: arrived.remoteId,
    });

    await runChannelSlot(w.runtime.deps, 'x-thread');
    expect(w.x.tweets.map((t) => t.text)).toEqual([p1!.text, p2!.text, p3!.text]);
    const replies = tweetPosts(w)
      .slice(1)
      .map((r) => (r.body as { reply?: { in_reply_to_tweet_id?: string } }).reply?.in_reply_to_tweet_id);
    expect(replies).toEqual([arrived.remoteId, w.x.tweets[1]!.id]);
  });

  it('when the timeline cannot be read, refuses --sent with how to find the id; the tweet link resumes the thread', async () => {
    const w = await setUp([X_THREAD]);
    const [p1, p2] = await w.posts(
      queued(await w.enqueue(makeArticle(7, { paragraphs: 3 }))).articleId,
      'x-thread',
    );
    w.x.failNext({ ...timeline, fault: { kind: 'server-error', status: 503 } });
    const arrived = await deliverThenCrash(w, p1!);

    w.x.failNext({ ...timeline, fault: { kind: 'server-error', status: 503 } });
    refused(
      await quotecast(w, 'resolve', String(p1!.id), '--sent'),
      `Could not read the recent posts of x-thread to find post #${p1!.id}`,
      'cannot be marked as sent without its tweet id',
      "the tweet's link ends in its id (x.com/account/status/1234567890123456789)",
      `Then run: quotecast resolve ${p1!.id} --sent --remote-id 1234567890123456789`,
    );
    refused(
      await quotecast(
        w,
        'resolve',
        String(p1!.id),
        '--sent',
        '--remote-id',
        `https://t.me/desk/${arrived.remoteId}`,
      ),
      'is a Telegram link, but the post is on X',
      "a tweet id is a number such as 1234567890123456789, or the tweet's link",
    );
    expect((await w.runtime.store.getPost(p1!.id))!.state).toBe('unknown');

    const link = `https://twitter.com/quotecast_desk/status/${arrived.remoteId}?s=20`;
    const resolved = await quotecast(w, 'resolve', String(p1!.id), '--sent', '--remote-id', link);
    expect(resolved.code, resolved.stderr).toBe(0);
    expect(await w.runtime.store.getPost(p1!.id)).toMatchObject({
      state: 'sent',
      remoteId: arrived.remoteId,
      remoteUrl: `https://x.com/quotecast_desk/status/${arrived.remoteId}`,
    });
    await runChannelSlot(w.runtime.deps, 'x-thread');
    const second = tweetPosts(w).find((r) => (r.body as { text: string }).text === p2!.text)!;
    expect((second.body as { reply: { in_reply_to_tweet_id: string } }).reply.in_reply_to_tweet_id).toBe(
      arrived.remoteId,
    );
  });

  it('a part that never arrived is not found, so --sent is refused, and --resend sends it', async () => {
    const w = await setUp([X_THREAD]);
    const [p1, p2] = await w.posts(
      queued(await w.enqueue(makeArticle(8, { paragraphs: 3 }))).articleId,
      'x-thread',
    );
    w.x.failNext({ ...timeline, fault: { kind: 'server-error', status: 503 } });
    await crashBeforeSending(w, p1!);
    expect((await w.runtime.store.getPost(p1!.id))!.state).toBe('unknown');

    refused(
      await quotecast(w, 'resolve', String(p1!.id), '--sent'),
      `Post #${p1!.id} is not among the posts of x-thread since`,
      `--remote-id`,
    );
    const resent = await quotecast(w, 'resolve', String(p1!.id), '--resend');
    expect(resent.code, resent.stderr).toBe(0);
    await runChannelSlot(w.runtime.deps, 'x-thread');
    expect(w.x.tweets[0]!.text).toBe(p1!.text);
    expect(w.x.tweets[0]!.replyTo).toBeUndefined();
    expect(w.x.tweets[1]).toMatchObject({ text: p2!.text, replyTo: w.x.tweets[0]!.id });
  });
});

describe('the Telegram bot', () => {
  it('/resolve POST sent ID stores the id; the button refuses a thread part with the command to send', async () => {
    const w = await setUp([TG_THREAD]);
    const [p1, p2] = await w.posts(
      queued(await w.enqueue(makeArticle(9, { paragraphs: 3 }))).articleId,
      'tg-thread',
    );
    const arrived = await deliverThenCrash(w, p1!);
    const services = { deps: w.runtime.deps };

    const button = await resolveButton(services, p1!.id, 'sent');
    expect(button).toMatchObject({ ok: false });
    expect(button.message.split('\n')).toEqual([
      `Post #${p1!.id} is part 1/3 of a thread on tg-thread and part 2 will reply to it, so it cannot be marked as sent without its message id.`,
      'Open @quotecast_thread, find the message and copy its link (t.me/quotecast_thread/123): the number at the end is the id.',
      `Then send: /resolve ${p1!.id} sent 123`,
      `If it did not arrive: /resolve ${p1!.id} resend.`,
    ]);
    expect((await w.runtime.store.getPost(p1!.id))!.state).toBe('unknown');

    expect(await resolveCommand(services, `${p1!.id} sent`)).toEqual({
      html: expect.stringContaining(`Then send: /resolve ${p1!.id} sent 123`),
    });
    expect(await resolveCommand(services, `${p1!.id}`)).toEqual({
      html: expect.stringContaining('/resolve needs a post id and what happened'),
    });
    expect(await resolveCommand(services, `${p1!.id} resend 5`)).toEqual({
      html: expect.stringContaining('⚠️ Usage:'),
    });
    expect(
      await resolveCommand(services, `${p1!.id} sent t.me/quotecast_thread/${arrived.remoteId}`),
    ).toEqual({
      html: `✅ Post #${p1!.id} is marked as sent (message id ${arrived.remoteId}); part 2 will reply to it.`,
    });
    await runChannelSlot(w.runtime.deps, 'tg-thread');
    expect(w.telegram.sentMessages[1]).toMatchObject({
      shownText: p2!.text,
      replyTo: Number(arrived.remoteId),
    });
  });

  it('/resolve on X looks the tweet up first, answering "working…" then the result', async () => {
    const w = await setUp([X_THREAD]);
    const [p1] = await w.posts(
      queued(await w.enqueue(makeArticle(10, { paragraphs: 3 }))).articleId,
      'x-thread',
    );
    w.x.failNext({ ...timeline, fault: { kind: 'server-error', status: 503 } });
    const arrived = await deliverThenCrash(w, p1!);
    const reply = await resolveCommand({ deps: w.runtime.deps }, `${p1!.id} sent`);
    if (!('working' in reply)) throw new Error(`expected a look-up, got ${reply.html}`);
    expect(reply.working).toBe(`⏳ Looking for post #${p1!.id} among the recent posts of x-thread…`);
    expect((await reply.finish()).html).toBe(
      `✅ Found it on x-thread: Post #${p1!.id} is marked as sent (tweet id ${arrived.remoteId}); part 2 will reply to it.`,
    );
  });
});

describe('parseRemoteId', () => {
  const telegram = { platform: 'telegram', chat: '@gazette' } as const;
  const privateChat = { platform: 'telegram', chat: '-1001234567890' } as const;
  const x = { platform: 'twitter' } as const;
  const id = (raw: string, channel?: Parameters<typeof parseRemoteId>[1]) => {
    const parsed = parseRemoteId(raw, channel);
    return parsed.ok ? parsed.id : parsed.message;
  };

  it('takes digits, or the number from a message or tweet link', () => {
    expect(id(' 123 ', telegram)).toBe('123');
    expect(id('https://t.me/gazette/123', telegram)).toBe('123');
    expect(id('t.me/Gazette/77?single', telegram)).toBe('77');
    expect(id('https://t.me/s/gazette/78', telegram)).toBe('78');
    expect(id('https://t.me/c/1234567890/45', privateChat)).toBe('45');
    expect(id('https://t.me/c/1234567890/9/46', privateChat)).toBe('46');
    expect(id('1900000000000000001', x)).toBe('1900000000000000001');
    expect(id('https://x.com/desk/status/1900000000000000002', x)).toBe('1900000000000000002');
    expect(id('https://mobile.twitter.com/desk/status/1900000000000000003/photo/1', x)).toBe(
      '1900000000000000003',
    );
    expect(id('x.com/i/web/status/1900000000000000004', x)).toBe('1900000000000000004');
    expect(id('t.me/gazette/5')).toBe('5');
    expect(id('x.com/desk/status/6')).toBe('6');
  });

  it('refuses anything else, naming the form expected', () => {
    expect(id('0', telegram)).toContain('"0" is not an id; a Telegram message id is a number such as 123');
    expect(id('-5', telegram)).toContain('"-5" is not an id');
    expect(id('12a', x)).toContain("a tweet id is a number such as 1234567890123456789, or the tweet's link");
    expect(id('12345678901234567890', x)).toContain('is not an id');
    expect(id('https://t.me/c/999/45', privateChat)).toContain(
      'is a message in another chat than -1001234567890',
    );
    expect(id('https://example.com/status/1', x)).toContain('is not an id');
    expect(id('https://t.me/gazette', telegram)).toContain('is not an id');
    expect(id('abc')).toContain('a message or tweet id is a number such as 123');
  });

  it('the bare use case (the alert button today) explains both platforms and both commands', async () => {
    const w = await setUp([TG_THREAD]);
    const [p1] = await w.posts(
      queued(await w.enqueue(makeArticle(11, { paragraphs: 3 }))).articleId,
      'tg-thread',
    );
    await crashBeforeSending(w, p1!);
    const result = await resolveUnknown(w.runtime.store, p1!.id, 'sent', w.clock.now());
    expect(result).toMatchObject({ ok: false, badInput: true });
    expect(result.message).toContain('on Telegram the number at the end of t.me/channel/123 is the id');
    expect(result.message).toContain("on X the tweet's link ends in its id");
    expect(result.message).toContain(
      `Then send /resolve ${p1!.id} sent 123 (or run quotecast resolve ${p1!.id} --sent --remote-id 123).`,
    );
    expect((await w.runtime.store.getPost(p1!.id))!.state).toBe('unknown');
  });
});
