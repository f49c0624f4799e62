import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createDaemon, type Daemon, type ScheduleTask } from '../../src/apps/daemon/create-daemon.js';
import { makeArticle } from '../helpers/articles.js';
import { mountSmallDisk, type SmallDisk } from '../helpers/small-disk.js';
import { createWorld, queued, TG_QUOTES, type World, X_QUOTES } from '../helpers/world.js';

/**
 * A disk that fills while the daemon runs: the store cannot record what is sent, so publishing must
 * stop on every channel (a send it cannot record would be re-checked at the next start, but dozens
 * of them are dozens of unknowns), the admins hear it once, and publishing resumes by itself when
 * the disk has room again. The store lives on a real 1 MB tmpfs (the test runs as root, as CI does).
 */

function manualSchedule() {
  const ticks = new Map<string, () => Promise<void>>();
  const schedule: ScheduleTask = (channel, onTick) => {
    ticks.set(channel.id, onTick);
    return { stop: () => {} };
  };
  return { schedule, tick: (id: string) => ticks.get(id)!() };
}

let disk: SmallDisk | undefined;
let world: World | undefined;
let daemon: Daemon | undefined;

afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
  await world?.close();
  world = undefined;
  disk?.unmount();
  disk = undefined;
});

describe('a store that cannot be written while the daemon runs', () => {
  it('pauses publishing on every channel, alerts the admins once, and resumes when there is room', async () => {
    disk = mountSmallDisk('quotecast-full-disk-');
    const storePath = disk.file('queue.db');
    const w = await createWorld({
      start: '2026-03-10T12:00:00Z',
      channels: [X_QUOTES, TG_QUOTES],
      settings: { store: { path: storePath } },
    });
    world = w;
    const { articleId } = queued(await w.enqueue(makeArticle(1)));
    const manual = manualSchedule();
    daemon = createDaemon({ deps: w.runtime.deps, channels: w.config.channels, schedule: manual.schedule });
    await daemon.start();

    // Empty the write-ahead log, so the next write has to grow a file, then fill the disk.
    const checkpoint = new Database(storePath);
    checkpoint.pragma('wal_checkpoint(TRUNCATE)');
    checkpoint.close();
    const filler = disk.fill('filler');

    await manual.tick('x-quotes');
    await manual.tick('tg-quotes');
    await manual.tick('x-quotes');
    expect(w.x.tweets).toHaveLength(0);
    expect(w.telegram.sentMessages).toHaveLength(0);
    expect(w.alerts.map((a) => a.kind)).toEqual(['info']);
    expect(w.alerts[0]!.text).toMatch(/Publishing is paused on every channel: the store cannot record/);
    expect(w.alerts[0]!.text).toMatch(/no space left on the disk/);

    // Room again: the next slot finds the store writable, says so once, and publishes.
    rmSync(filler);
    await manual.tick('x-quotes');
    await manual.tick('tg-quotes');
    expect(w.alerts.map((a) => a.text)).toEqual([
      expect.stringMatching(/paused on every channel/),
      'The store can be written again: publishing resumes on every channel.',
    ]);
    expect(w.x.tweets).toHaveLength(1);
    expect(w.telegram.sentMessages).toHaveLength(1);
    const states = [
      ...(await w.posts(articleId, 'x-quotes')),
      ...(await w.posts(articleId, 'tg-quotes')),
    ].map((p) => p.state);
    expect(states.filter((s) => s === 'sent')).toHaveLength(2);
    expect(states.filter((s) => s === 'sending' || s === 'unknown')).toHaveLength(0);
  });
});
