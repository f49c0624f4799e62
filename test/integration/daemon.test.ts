import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDaemon, type Daemon, type ScheduleTask } from '../../src/apps/daemon/create-daemon.js';
import { nextSlots } from '../../src/domain/schedule.js';
import type { SlotResult } from '../../src/use-cases/run-channel-slot.js';
import { makeArticle } from '../helpers/articles.js';
import { waitUntil } from '../helpers/quotecast-process.js';
import { createWorld, queued, TG_QUOTES, type World, X_QUOTES, X_THREAD } from '../helpers/world.js';

/** A schedule that ticks only when the test says so. */
function manualSchedule() {
  const ticks = new Map<string, () => Promise<void>>();
  const stopped: string[] = [];
  const schedule: ScheduleTask = (channel, onTick) => {
    ticks.set(channel.id, onTick);
    return { stop: () => stopped.push(channel.id) };
  };
  const tick = (id: string) => {
    const run = ticks.get(id);
    if (!run) throw new Error(`channel ${id} was not scheduled`);
    return run();
  };
  return { schedule, tick, ticks, stopped };
}

let world: World | undefined;
let daemon: Daemon | undefined;

afterEach(async () => {
  vi.useRealTimers();
  await daemon?.stop();
  daemon = undefined;
  await world?.close();
  world = undefined;
});

describe('createDaemon', () => {
  it('on start reconciles posts a crash left mid-send: X by its timeline, Telegram by asking an admin', async () => {
    const w = await createWorld({ start: '2026-03-10T12:00:00Z', channels: [X_QUOTES, TG_QUOTES] });
    world = w;
    const { articleId } = queued(await w.enqueue(makeArticle(1)));
    const [x1, x2, x3] = await w.posts(articleId, 'x-quotes');
    const [tg1, tg2] = await w.posts(articleId, 'tg-quotes');
    // The previous process leased these (state `sending`) and died: x1 reached X, x2 never did.
    for (const post of [x1!, x2!, tg1!])
      expect(await w.runtime.store.lease(post.id, w.clock.now())).toBeDefined();
    const arrived = w.x.addTweet(x1!.text);
    await w.restart();

    const manual = manualSchedule();
    const slots: [string, SlotResult][] = [];
    daemon = createDaemon({
      deps: w.runtime.deps,
      channels: w.config.channels,
      schedule: manual.schedule,
      onSlot: (channel, result) => {
        slots.push([channel.id, result]);
      },
    });
    await daemon.start();

    const store = w.runtime.store;
    expect(await store.getPost(x1!.id)).toMatchObject({ state: 'sent', remoteId: arrived.id });
    // x2 is not on the timeline yet, but its request left moments ago and may still land: it is
    // looked for again once retry.settleSeconds (60 s) have passed, and only then queued again.
    expect((await store.getPost(x2!.id))!.state).toBe('unknown');
    w.clock.advance(60_000);
    await waitUntil(
      async () => (await store.getPost(x2!.id))!.state === 'queued',
      'x2 to be looked for again and queued',
    );
    expect((await store.getPost(tg1!.id))!.state).toBe('unknown');
    expect(w.alerts).toEqual([
      expect.objectContaining({ kind: 'unknown', postId: tg1!.id, channelId: 'tg-quotes' }),
    ]);
    // Reconciling only reads: nothing was posted while starting.
    expect(w.x.tweets).toHaveLength(1);
    expect(w.x.requests.some((r) => r.method === 'GET' && r.path.endsWith('/tweets'))).toBe(true);
    expect(w.telegram.calls.filter((c) => c.method === 'sendMessage')).toHaveLength(0);
    expect([...manual.ticks.keys()]).toEqual(['x-quotes', 'tg-quotes']);

    await manual.tick('x-quotes');
    await manual.tick('tg-quotes');
    expect(w.x.tweets.map((t) => t.text)).toEqual([x1!.text, x2!.text]);
    expect(w.telegram.sentMessages.map((m) => m.shownText)).toEqual([tg2!.text]);
    expect((await store.getPost(tg1!.id))!.state).toBe('unknown');
    expect((await store.getPost(x3!.id))!.state).toBe('queued');
    expect(slots.map(([id, r]) => [id, r.kind])).toEqual([
      ['x-quotes', 'published'],
      ['tg-quotes', 'published'],
    ]);

    await daemon.stop();
    expect(manual.stopped.sort()).toEqual(['tg-quotes', 'x-quotes']);
  });

  it('stop() waits for the send in flight, then takes no new work', async () => {
    const w = await createWorld({
      start: '2026-03-10T12:00:00Z',
      channels: [X_THREAD, TG_QUOTES],
      xLatencyMs: 400,
    });
    world = w;
    const { articleId } = queued(
      await w.enqueue(makeArticle(2, { paragraphs: 4 }), { channels: ['x-thread'] }),
    );
    queued(await w.enqueue(makeArticle(3), { channels: ['tg-quotes'] }));
    const manual = manualSchedule();
    daemon = createDaemon({ deps: w.runtime.deps, channels: w.config.channels, schedule: manual.schedule });
    await daemon.start();

    const slot = manual.tick('x-thread');
    await waitUntil(() => w.x.requests.some((r) => r.path === '/2/tweets'), 'the first part to reach X');
    // What the store says about the part in flight at the moment stop() resolves: stop waited for
    // the send to finish and be recorded.
    const stopping = daemon.stop().then(async () => (await w.posts(articleId, 'x-thread'))[0]!.state);
    expect(await stopping).toBe('sent');
    await slot;

    // The part in flight finished and was recorded; the rest of the thread waits for the next start.
    const thread = await w.posts(articleId, 'x-thread');
    expect(thread.map((p) => p.state)).toEqual(['sent', ...thread.slice(1).map(() => 'queued')]);
    expect(thread[0]!.remoteId).toBe(w.x.tweets[0]!.id);
    expect(w.x.tweets).toHaveLength(1);

    // Ticks and /next after stop do nothing: once they have returned, no post was taken (a send
    // takes its post, `sending`, before the request leaves), so none can reach a platform later.
    await manual.tick('tg-quotes');
    expect(await daemon.runNow('x-thread')).toMatchObject({ kind: 'idle' });
    expect(await w.runtime.store.countsByState()).toMatchObject({ sending: 0, sent: 1 });
    expect(w.x.requests.filter((r) => r.path === '/2/tweets')).toHaveLength(1);
    expect(w.telegram.calls.filter((c) => c.method === 'sendMessage')).toHaveLength(0);
  });

  it('its own scheduler ticks exactly at the slots nextSlots announces on DST nights', async () => {
    const w = await createWorld({
      start: '2026-03-01T12:00:00Z',
      channels: [
        { ...X_QUOTES, schedule: '30 1,13 * * *', timezone: 'Europe/London' },
        { ...TG_QUOTES, schedule: '30 1,2 * * *', timezone: 'America/New_York' },
      ],
    });
    world = w;
    // Each window holds a slot in a spring-forward gap or in a repeated fall-back hour.
    const windows = [
      ['2026-03-28T23:40:00Z', ['x-quotes 2026-03-29T01:00']],
      ['2026-03-08T06:00:00Z', ['tg-quotes 2026-03-08T06:30', 'tg-quotes 2026-03-08T07:00']],
      ['2026-10-24T23:40:00Z', ['x-quotes 2026-10-25T00:30']],
      ['2026-11-01T05:00:00Z', ['tg-quotes 2026-11-01T05:30', 'tg-quotes 2026-11-01T07:30']],
    ] as const;
    for (const [from, expected] of windows) {
      vi.useFakeTimers({
        now: new Date(from),
        toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
      });
      const ticks: string[] = [];
      const running = createDaemon({
        deps: w.runtime.deps,
        channels: w.config.channels,
        onSlot: (channel) => {
          ticks.push(`${channel.id} ${new Date().toISOString().slice(0, 16)}`);
        },
      });
      await running.start();
      await vi.advanceTimersByTimeAsync(3 * 3_600_000);
      await running.stop();
      vi.useRealTimers();

      expect(ticks.sort()).toEqual([...expected]);
      // The same instants the schedule preview shows.
      const until = new Date(from).getTime() + 3 * 3_600_000;
      const previewed = w.config.channels.flatMap((c) =>
        nextSlots(c.schedule, c.zone, new Date(from), 4)
          .filter((d) => d.getTime() <= until)
          .map((d) => `${c.id} ${d.toISOString().slice(0, 16)}`),
      );
      expect(previewed.sort()).toEqual(ticks);
    }
  });
});
