import { describe, expect, it } from 'vitest';
import type { PacedSend, PostStore } from '../../../src/ports/post-store.js';
import { article, at, batch, enqueue, T0, useStoreAdapters } from '../../helpers/store-adapters.js';

/**
 * Several daemons on one store. On PostgreSQL they share it: a channel's slot runs once, a role has
 * one holder, pacing is shared per account, and a daemon takes over the `sending` posts of a dead one
 * (its heartbeat older than its lease) but never a live one's. On SQLite one daemon holds the file:
 * every claim is granted (`shared` is false), which the same tests check as such.
 *
 * Times here are milliseconds after T0; every instance registers at T0 (its clock) with a 1 s lease.
 */

const adapters = useStoreAdapters();
const postgres = adapters.filter((adapter) => adapter.name === 'postgres');

const ms = (n: number) => new Date(T0.getTime() + n);
const LEASE = { leaseMs: 1000 };

/** A `wait` for reserveSend that records what it was shown and answers `waitMs`. */
function pacer(waitMs: number) {
  const seen: PacedSend[][] = [];
  const wait = (sends: readonly PacedSend[]): number => {
    seen.push([...sends]);
    return waitMs;
  };
  return { seen, wait };
}

function sendIdOf(reserved: { sendId: number } | { waitMs: number }): number {
  if (!('sendId' in reserved)) throw new Error(`expected a send, got a wait of ${reserved.waitMs} ms`);
  return reserved.sendId;
}

describe.each(adapters)('$name store: several daemons', (adapter) => {
  const daemons = async (): Promise<[PostStore, PostStore]> => [
    await adapter.open({ instanceId: 'daemon-a', ...LEASE }),
    await adapter.open({ instanceId: 'daemon-b', ...LEASE }),
  ];

  it('says whether the store is shared, and names its instance', async () => {
    const [a, b] = await daemons();
    expect(a.shared).toBe(adapter.name === 'postgres');
    expect(a.instanceId).not.toBe('');
    if (a.shared) expect([a.instanceId, b.instanceId]).toEqual(['daemon-a', 'daemon-b']);
  });

  it("runs a channel's slot once, waits for a slot still running, and takes over a dead holder's", async () => {
    const [a, b] = await daemons();
    const alone = !a.shared; // SQLite: one daemon per file, every claim is granted
    expect(await a.claimSlot('x', at(10), ms(0))).toBe(true);
    expect(await b.claimSlot('x', at(10), ms(10))).toBe(alone); // the same slot runs once
    expect(await a.claimSlot('x', at(10), ms(20))).toBe(alone); // not even twice by its runner
    expect(await b.claimSlot('tg', at(10), ms(20))).toBe(true); // another channel, another schedule

    // a's slot is still running: b's next slot waits for it.
    expect(await b.claimSlot('x', at(20), ms(30))).toBe(alone);
    await a.releaseSlot('x');
    expect(await b.claimSlot('x', at(20), ms(40))).toBe(true);
    expect(await a.claimSlot('x', at(20), ms(50))).toBe(alone);
    expect(await a.claimSlot('x', at(15), ms(50))).toBe(alone); // an earlier slot, after a later one ran
    await a.releaseSlot('x'); // not a's: b still holds it
    expect(await a.claimSlot('x', at(30), ms(900))).toBe(alone);

    // b dies holding it (no heartbeat since T0): a lease later, a takes the channel over.
    await a.heartbeat(ms(1500));
    expect(await a.claimSlot('x', at(30), ms(1500))).toBe(true);
    // Its own slot still running does not stop the holder's next one.
    expect(await a.claimSlot('x', at(40), ms(1600))).toBe(true);
  });

  it('gives a role to one daemon at a time: kept by its holder, free once released or its holder dead', async () => {
    const [a, b] = await daemons();
    const alone = !a.shared;
    expect(await a.claimRole('admin-bot', ms(0))).toBe(true);
    expect(await a.claimRole('admin-bot', ms(100))).toBe(true); // kept by calling again
    expect(await b.claimRole('admin-bot', ms(200))).toBe(alone);
    expect(await b.claimRole('feeds', ms(200))).toBe(true); // another role
    await b.releaseRole('admin-bot'); // not b's to release
    expect(await b.claimRole('admin-bot', ms(300))).toBe(alone);
    await a.releaseRole('admin-bot');
    expect(await b.claimRole('admin-bot', ms(400))).toBe(true);
    expect(await a.claimRole('admin-bot', ms(500))).toBe(alone);

    // b stops heartbeating: alive until T0 + 1 s, then a takes both roles.
    await a.heartbeat(ms(900));
    expect(await a.claimRole('admin-bot', ms(900))).toBe(alone);
    await a.heartbeat(ms(1500));
    expect(await a.claimRole('admin-bot', ms(1500))).toBe(true);
    expect(await a.claimRole('feeds', ms(1500))).toBe(true);
    // b, back (heartbeating again), finds them taken.
    await b.heartbeat(ms(1600));
    expect(await b.claimRole('feeds', ms(1600))).toBe(alone);
  });

  it('paces an account: shows the wait function its sends of the window, records a send only when it may go', async () => {
    const store = await adapter.open();
    const go = pacer(0);
    const first = sendIdOf(await store.reserveSend('tg-bot', '@a', ms(0), 60_000, go.wait));
    const second = sendIdOf(await store.reserveSend('tg-bot', '@b', ms(10), 60_000, go.wait));
    expect(second).not.toBe(first);
    expect(go.seen).toEqual([[], [{ chat: '@a', startedAt: ms(0), doneAt: undefined }]]);

    await store.finishSend(first, ms(500));
    await store.finishSend(first, ms(900)); // over once: the first end stands
    const hold = pacer(400);
    expect(await store.reserveSend('tg-bot', '@a', ms(600), 60_000, hold.wait)).toEqual({ waitMs: 400 });
    expect(hold.seen).toEqual([
      [
        { chat: '@a', startedAt: ms(0), doneAt: ms(500) },
        { chat: '@b', startedAt: ms(10), doneAt: undefined },
      ],
    ]);
    // The send told to wait was not recorded.
    const third = sendIdOf(await store.reserveSend('tg-bot', '@c', ms(700), 60_000, go.wait));
    expect(go.seen[2]).toHaveLength(2);
    // Another account is paced on its own.
    sendIdOf(await store.reserveSend('x-main', '@a', ms(700), 60_000, go.wait));
    expect(go.seen[3]).toEqual([]);

    // A send over longer than the window ago is forgotten; sends in flight stay (this daemon lives).
    await store.heartbeat(ms(61_000));
    sendIdOf(await store.reserveSend('tg-bot', '@d', ms(61_000), 60_000, go.wait));
    expect(go.seen[4]).toEqual([
      { chat: '@b', startedAt: ms(10), doneAt: undefined },
      { chat: '@c', startedAt: ms(700), doneAt: undefined },
    ]);
    await store.finishSend(third, ms(61_500));
    await store.finishSend(123_456, ms(61_500)); // no such send: nothing to do
  });

  it('leases each post once when two stores race for the same posts', async () => {
    const [a, b] = await daemons();
    const { postIds } = await enqueue(a, 1, [batch('x', 50)]);
    const leased = await Promise.all(postIds.flatMap((id) => [a.lease(id, ms(100)), b.lease(id, ms(100))]));
    const won = leased.filter((post) => post !== undefined);
    expect(won.map((post) => post.id).sort((x, y) => x - y)).toEqual(postIds);
    expect(await a.countsByState('x')).toMatchObject({ queued: 0, sending: 50 });
    expect(await adapter.countRows('attempts')).toBe(50);
  });

  it('queues an article once when two stores enqueue it at the same moment', async () => {
    const [a, b] = await daemons();
    const results = await Promise.all(
      [a, b, a, b].map((store) =>
        store.enqueueArticle(article(1), [batch('x', 3)], { now: at(0), approved: true }),
      ),
    );
    const queued = results.filter((result) => result.kind === 'queued');
    expect(queued).toHaveLength(1);
    for (const result of results) expect(result.articleId).toBe(queued[0]!.articleId);
    expect(await adapter.countRows('articles')).toBe(1);
    expect(await adapter.countRows('posts')).toBe(3);
  });
});

describe.each(postgres)('$name store: daemons sharing it', (adapter) => {
  it("takes over a dead daemon's sending posts, a lease after its last heartbeat, and only then", async () => {
    const a = await adapter.open({ instanceId: 'daemon-a', ...LEASE });
    const b = await adapter.open({ instanceId: 'daemon-b', ...LEASE });
    const { postIds } = await enqueue(a, 1, [batch('x', 2)]);
    const [mine, other] = postIds as [number, number];
    await a.lease(mine, ms(100));

    await b.heartbeat(ms(500));
    expect(await b.markInterruptedAsUnknown(ms(500))).toEqual([]);
    expect((await b.getPost(mine))?.state).toBe('sending');

    // a never heartbeated after T0: its lease ended at T0 + 1 s.
    await b.heartbeat(ms(1500));
    await b.lease(other, ms(1500)); // b's own post, b alive: never its own to take over
    const taken = await b.markInterruptedAsUnknown(ms(1500));
    expect(taken.map((post) => [post.id, post.state])).toEqual([[mine, 'unknown']]);
    expect(await b.attempts(mine)).toEqual([
      {
        postId: mine,
        attempt: 1,
        startedAt: ms(100),
        finishedAt: ms(1500),
        outcome: 'unknown',
        detail: expect.stringContaining('interrupted'),
      },
    ]);
    expect((await b.getPost(other))?.state).toBe('sending');
    expect(await b.markInterruptedAsUnknown(ms(1600))).toEqual([]);
  });

  it("never takes a live daemon's sending post while a send may still be running", async () => {
    const a = await adapter.open({ instanceId: 'daemon-a', ...LEASE });
    const b = await adapter.open({ instanceId: 'daemon-b', ...LEASE });
    const { postIds } = await enqueue(a, 1, [batch('x', 1)]);
    await a.lease(postIds[0]!, ms(100));
    for (let t = 500; t <= 10_000; t += 500) {
      await a.heartbeat(ms(t));
      await b.heartbeat(ms(t + 250));
      expect(await b.markInterruptedAsUnknown(ms(t + 250))).toEqual([]);
    }
    expect((await b.getPost(postIds[0]!))?.state).toBe('sending');
    // a finishes: it is still its post to settle.
    await a.markSent(postIds[0]!, { remoteId: 'r', publishedAt: ms(10_100) });
    expect((await b.getPost(postIds[0]!))?.state).toBe('sent');
  });

  it("takes a live daemon's post once it has been sending longer than any send takes (its outcome was never recorded)", async () => {
    const a = await adapter.open({ instanceId: 'daemon-a', ...LEASE });
    const b = await adapter.open({ instanceId: 'daemon-b', ...LEASE });
    const { postIds } = await enqueue(a, 1, [batch('x', 1)]);
    await a.lease(postIds[0]!, ms(0)); // its attempt starts at the store's clock: T0
    const tenMinutes = 10 * 60_000;
    for (const t of [tenMinutes - 1000, tenMinutes + 1000]) {
      await a.heartbeat(ms(t));
      await b.heartbeat(ms(t));
    }
    expect(await b.markInterruptedAsUnknown(ms(tenMinutes - 1000))).toEqual([]);
    expect((await b.markInterruptedAsUnknown(ms(tenMinutes + 1000))).map((p) => p.id)).toEqual([postIds[0]]);
    expect((await b.getPost(postIds[0]!))?.state).toBe('unknown');
  });

  it("hands a dead daemon's post to exactly one survivor when two look at once", async () => {
    const dead = await adapter.open({ instanceId: 'daemon-dead', ...LEASE });
    const b = await adapter.open({ instanceId: 'daemon-b', ...LEASE });
    const c = await adapter.open({ instanceId: 'daemon-c', ...LEASE });
    const { postIds } = await enqueue(dead, 1, [batch('x', 5)]);
    for (const id of postIds) await dead.lease(id, ms(100));
    await b.heartbeat(ms(2000));
    await c.heartbeat(ms(2000));
    const [byB, byC] = await Promise.all([
      b.markInterruptedAsUnknown(ms(2000)),
      c.markInterruptedAsUnknown(ms(2000)),
    ]);
    expect([...byB!, ...byC!].map((post) => post.id).sort((x, y) => x - y)).toEqual(postIds);
    expect(await adapter.countRows('attempts')).toBe(5);
  });

  it('grants a slot and a role to one of two daemons claiming at once', async () => {
    const a = await adapter.open({ instanceId: 'daemon-a', ...LEASE });
    const b = await adapter.open({ instanceId: 'daemon-b', ...LEASE });
    for (let round = 1; round <= 10; round++) {
      const slots = await Promise.all([
        a.claimSlot('x', at(round), ms(round)),
        b.claimSlot('x', at(round), ms(round)),
      ]);
      expect(slots.filter(Boolean)).toHaveLength(1);
      await a.releaseSlot('x');
      await b.releaseSlot('x');
      const roles = await Promise.all([
        a.claimRole(`role-${round}`, ms(round)),
        b.claimRole(`role-${round}`, ms(round)),
      ]);
      expect(roles.filter(Boolean)).toHaveLength(1);
    }
  });

  it("paces an account across daemons; a dead one's send in flight counts as finished when found, for the window", async () => {
    const a = await adapter.open({ instanceId: 'daemon-a', ...LEASE });
    const b = await adapter.open({ instanceId: 'daemon-b', ...LEASE });
    const go = pacer(0);
    sendIdOf(await a.reserveSend('tg-bot', '@a', ms(100), 60_000, go.wait));
    const shown = pacer(250);
    expect(await b.reserveSend('tg-bot', '@a', ms(200), 60_000, shown.wait)).toEqual({ waitMs: 250 });
    expect(shown.seen).toEqual([[{ chat: '@a', startedAt: ms(100), doneAt: undefined }]]);

    // a dies mid-send: its send will never be finished by a, but it may have reached the chat, so
    // from the moment a is found dead it counts as a send finished then, for the whole window.
    await b.heartbeat(ms(1500));
    sendIdOf(await b.reserveSend('tg-bot', '@a', ms(1500), 60_000, go.wait));
    expect(go.seen[1]).toEqual([{ chat: '@a', startedAt: ms(100), doneAt: ms(1500) }]);
    // …and leaves the window a minute later.
    await b.heartbeat(ms(61_600));
    sendIdOf(await b.reserveSend('tg-bot', '@b', ms(61_600), 60_000, go.wait));
    expect(go.seen[2]?.map((send) => send.startedAt)).toEqual([ms(1500)]);
  });

  it('forgets instances silent for a week at the next heartbeat, and a forgotten one reads as dead', async () => {
    const old = await adapter.open({ instanceId: 'old-command', ...LEASE });
    await old.heartbeat(ms(0));
    expect(await old.claimRole('admin-bot', ms(0))).toBe(true);
    const live = await adapter.open({ instanceId: 'daemon-a', ...LEASE });
    await live.heartbeat(ms(7 * 86_400_000 - 1));
    expect(await adapter.countRows('instances')).toBe(2);
    await live.heartbeat(ms(7 * 86_400_000 + 1));
    expect(await adapter.countRows('instances')).toBe(1);
    // The role it held (its row gone) goes to the first daemon that asks.
    expect(await live.claimRole('admin-bot', ms(7 * 86_400_000 + 2))).toBe(true);
  });

  it('lets only one of two daemons reserve a send when the wait function allows one', async () => {
    const a = await adapter.open({ instanceId: 'daemon-a', ...LEASE });
    const b = await adapter.open({ instanceId: 'daemon-b', ...LEASE });
    const oneAtATime = (sends: readonly PacedSend[]) =>
      sends.some((s) => s.doneAt === undefined) ? 1000 : 0;
    const results = await Promise.all(
      [a, b, a, b].map((store) => store.reserveSend('tg-bot', '@a', ms(100), 60_000, oneAtATime)),
    );
    expect(results.filter((r) => 'sendId' in r)).toHaveLength(1);
    expect(await adapter.countRows('paced_sends')).toBe(1);
  });
});
