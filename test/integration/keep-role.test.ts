import { describe, expect, it } from 'vitest';
import type { Heartbeat } from '../../src/apps/daemon/create-daemon.js';
import { keepRole } from '../../src/apps/daemon/keep-role.js';
import { createSilentLogger } from '../../src/ports/logger.js';
import { T0, useStoreAdapters } from '../helpers/store-adapters.js';

const adapters = useStoreAdapters();
const sqlite = adapters.find((a) => a.name === 'sqlite')!;
const postgres = adapters.find((a) => a.name === 'postgres')!;

/** A heartbeat the test drives: `beat()` runs the role check once, as a croner tick would. */
function handHeartbeat() {
  let onBeat: (() => void | Promise<void>) | undefined;
  const heartbeat: Heartbeat = (fn) => {
    onBeat = fn;
    return { stop: () => (onBeat = undefined) };
  };
  return { heartbeat, beat: async () => await onBeat?.() };
}

/** A daemon's admin bot as keepRole sees it: started and stopped, with a record of both. */
function player(name: string, log: string[]) {
  return {
    onGained: async () => void log.push(`${name} starts`),
    onLost: async () => void log.push(`${name} stops`),
  };
}

describe('a role played by one daemon at a time (the admin bot, feed polling)', () => {
  it('on SQLite starts at once in the one daemon, and asks no more', async () => {
    const store = await sqlite.open();
    const log: string[] = [];
    const hand = handHeartbeat();
    const role = await keepRole({
      store,
      role: 'admin-bot',
      now: () => T0,
      heartbeat: hand.heartbeat,
      leaseMs: 90_000,
      logger: createSilentLogger(),
      ...player('only', log),
    });
    expect(role.holds()).toBe(true);
    await hand.beat(); // no task was scheduled: nothing to ask
    expect(log).toEqual(['only starts']);
    await role.stop();
  });

  it('on PostgreSQL starts in one daemon; when it dies another starts it after the lease, once', async () => {
    let now = T0.getTime();
    const clock = () => new Date(now);
    const log: string[] = [];
    const [storeA, storeB] = [
      await postgres.open({ instanceId: 'daemon-a', leaseMs: 3000, now: clock }),
      await postgres.open({ instanceId: 'daemon-b', leaseMs: 3000, now: clock }),
    ];
    await storeA.heartbeat(clock());
    await storeB.heartbeat(clock());
    const [handA, handB] = [handHeartbeat(), handHeartbeat()];
    const common = { role: 'admin-bot', now: clock, leaseMs: 3000, logger: createSilentLogger() };
    const a = await keepRole({ ...common, store: storeA, heartbeat: handA.heartbeat, ...player('a', log) });
    const b = await keepRole({ ...common, store: storeB, heartbeat: handB.heartbeat, ...player('b', log) });
    expect([a.holds(), b.holds()]).toEqual([true, false]);

    // Both beat: a keeps it, b waits.
    now += 1000;
    for (const [store, hand] of [
      [storeA, handA],
      [storeB, handB],
    ] as const) {
      await store.heartbeat(clock());
      await hand.beat();
    }
    expect([a.holds(), b.holds()]).toEqual([true, false]);

    // a is SIGKILLed (no more heartbeats, no release). Within its lease b still waits…
    now += 2500;
    await storeB.heartbeat(clock());
    await handB.beat();
    expect(b.holds()).toBe(false);
    // …and takes the role once the lease has run out.
    now += 1000;
    await storeB.heartbeat(clock());
    await handB.beat();
    expect(b.holds()).toBe(true);
    await handB.beat();
    expect(log).toEqual(['a starts', 'b starts']);

    // a comes back to life (a stalled process): at its next beat it finds the role gone and stops.
    await handA.beat();
    expect(a.holds()).toBe(false);
    expect(log).toEqual(['a starts', 'b starts', 'a stops']);
    await a.stop();
    // Stopping gives the role back at once: the next daemon to ask gets it without waiting a lease.
    await b.stop();
    const c = await keepRole({
      ...common,
      store: storeA,
      heartbeat: handHeartbeat().heartbeat,
      ...player('c', log),
    });
    expect(c.holds()).toBe(true);
    await c.stop();
  });

  it('on PostgreSQL stops playing it when the store cannot confirm it for two thirds of the lease', async () => {
    let now = T0.getTime();
    const clock = () => new Date(now);
    const log: string[] = [];
    const store = await postgres.open({ instanceId: 'daemon-a', leaseMs: 3000, now: clock });
    await store.heartbeat(clock());
    let reachable = true;
    // The same store, cut off from the server when the test says (the network, not the code).
    const cutOff = new Proxy(store, {
      get(target, key) {
        const value = Reflect.get(target, key, target) as unknown;
        if (key !== 'claimRole' || typeof value !== 'function') return value;
        return async (...args: [string, Date]) => {
          if (!reachable) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
          return await target.claimRole(...args);
        };
      },
    });
    const hand = handHeartbeat();
    const role = await keepRole({
      store: cutOff,
      role: 'feeds',
      now: clock,
      heartbeat: hand.heartbeat,
      leaseMs: 3000,
      logger: createSilentLogger(),
      ...player('a', log),
    });
    expect(role.holds()).toBe(true);
    reachable = false;
    now += 1000;
    await hand.beat();
    expect(role.holds()).toBe(true); // a short blip: still its own
    now += 1000;
    await hand.beat();
    expect(role.holds()).toBe(false); // 2 s of 3 unconfirmed: another daemon may take it soon
    expect(log).toEqual(['a starts', 'a stops']);
    await role.stop();
  });
});
