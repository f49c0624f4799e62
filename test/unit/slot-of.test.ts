import { describe, expect, it } from 'vitest';
import { slotOf } from '../../src/apps/daemon/create-daemon.js';

const at = (iso: string) => new Date(iso);

describe('the slot a tick belongs to', () => {
  it('is the last scheduled time at or before the tick, for two daemons firing milliseconds apart', () => {
    const channel = { schedule: '0 9,13,17 * * *', zone: 'Europe/London' };
    expect(slotOf(channel, at('2026-03-02T13:00:00.004Z'))).toEqual(at('2026-03-02T13:00:00.000Z'));
    expect(slotOf(channel, at('2026-03-02T13:00:00.130Z'))).toEqual(at('2026-03-02T13:00:00.000Z'));
  });

  it('names each second of an every-second schedule apart, and a tick a hair early as its own slot', () => {
    const channel = { schedule: '* * * * * *', zone: 'UTC' };
    expect(slotOf(channel, at('2026-03-02T13:00:05.002Z'))).toEqual(at('2026-03-02T13:00:05.000Z'));
    expect(slotOf(channel, at('2026-03-02T13:00:06.001Z'))).toEqual(at('2026-03-02T13:00:06.000Z'));
    expect(slotOf(channel, at('2026-03-02T13:00:05.990Z'))).toEqual(at('2026-03-02T13:00:06.000Z'));
  });

  it('names the slot a stalled tick was for however late it fires, so a second daemon cannot run it again', async () => {
    const channel = { schedule: '0 9,13 * * *', zone: 'UTC' };
    expect(slotOf(channel, at('2026-03-02T13:00:31.000Z'))).toEqual(at('2026-03-02T13:00:00.000Z'));
    expect(slotOf(channel, at('2026-03-02T12:59:00.000Z'))).toEqual(at('2026-03-02T09:00:00.000Z'));
  });
});
