import { randomUUID } from 'node:crypto';
import { isStoreError } from '../../adapters/sqlite/store-error.js';
import type { DaemonHealth } from '../daemon/create-daemon.js';
import type { Runtime } from '../runtime/build-runtime.js';
import type { PublishProblem } from './publish-telemetry.js';

/**
 * The scheduler counts as stalled when nothing ticked for this long: ten heartbeats
 * (HEARTBEAT_SECONDS) in a row missed, which a busy machine or a long GC pause never comes near.
 */
export const STALE_TICK_MS = 5 * 60_000;

/**
 * A slot that has published for this long is stuck (a request or a wait that never ends), and its
 * channel with it. The longest honest slot is a thread at Telegram's pacing (20 parts a minute): a
 * daily cap's worth of 50 parts takes under 3 minutes; a send that times out ends the slot.
 */
export const STUCK_SLOT_MS = 15 * 60_000;

/** The settings key the store check overwrites (a real write, as small as a write can be). */
const PROBE_KEY = 'ops.health-probe';

export interface HealthReport {
  readonly status: 'ok' | 'unhealthy';
  readonly checkedAt: string;
  /** Why it is unhealthy, in words; empty when healthy. */
  readonly problems: readonly string[];
  readonly store: { readonly writable: boolean; readonly problem?: string };
  readonly scheduler: {
    readonly ticking: boolean;
    readonly lastTick: string | null;
    readonly secondsSinceLastTick: number | null;
    readonly staleAfterSeconds: number;
    readonly publishingPausedForStore: string | null;
    readonly slotsRunning: readonly {
      readonly channel: string;
      readonly since: string;
      readonly seconds: number;
    }[];
  };
  readonly channels: readonly ChannelHealth[];
  /** Each platform's latest success and error over its channels. */
  readonly platforms: Readonly<Record<string, PlatformHealth>>;
}

export interface PlatformHealth {
  readonly lastSuccess: string | null;
  readonly lastError: { readonly at: string; readonly channel: string; readonly text: string } | null;
}

export interface ChannelHealth {
  readonly id: string;
  readonly platform: string;
  /** Where its posts go: the platform, or `console` (no credentials, or a dry run). */
  readonly via: string;
  readonly enabled: boolean;
  /** Paused channels are shown here; a pause is an admin's or a platform's decision, not ill health. */
  readonly paused: boolean;
  readonly pauseReason: string | null;
  readonly pausedUntil: string | null;
  readonly lastSuccess: string | null;
  readonly lastError: { readonly at: string; readonly reason: string; readonly text: string } | null;
}

/**
 * Healthy means the daemon can do its work: the store takes a write and the scheduler ticks (no slot
 * stuck). A platform's errors are shown, not judged: a restart would not mend an X outage or revoked
 * keys, and the admins are told of those already.
 */
export async function checkHealth(runtime: Runtime, daemon: DaemonHealth): Promise<HealthReport> {
  const now = runtime.clock.now();
  const problems: string[] = [];

  const store = await probeStore(runtime);
  if (!store.writable) problems.push(`store cannot be written: ${store.problem}`);

  const age = daemon.lastTick ? now.getTime() - daemon.lastTick.getTime() : null;
  const slotsRunning = daemon.slotsRunning.map((slot) => ({
    channel: slot.channelId,
    since: slot.since.toISOString(),
    seconds: Math.round((now.getTime() - slot.since.getTime()) / 1000),
  }));
  const stuck = slotsRunning.filter((slot) => slot.seconds * 1000 > STUCK_SLOT_MS);
  if (!daemon.startedAt) problems.push('scheduler not running (starting up or stopping)');
  if (daemon.sharedStoreBeat && !daemon.sharedStoreBeat.fresh)
    problems.push(
      `heartbeats to the shared store are not getting through (last ${daemon.sharedStoreBeat.last?.toISOString() ?? 'never'}): publishing nothing until one does`,
    );
  else if (age === null || age > STALE_TICK_MS)
    problems.push(`scheduler stalled: no tick for ${Math.round((age ?? 0) / 1000)} s`);
  for (const slot of stuck)
    problems.push(`slot of channel ${slot.channel} stuck: publishing for ${slot.seconds} s`);

  const channels = await Promise.all(
    runtime.config.channels.map(async (channel): Promise<ChannelHealth> => {
      const outcomes = runtime.telemetry.outcomes(channel.id);
      const stored = await safely(() => runtime.store.channelState(channel.id));
      // A pause whose end has passed lifts at the channel's next slot: it is over already.
      const state = stored?.pausedUntil && stored.pausedUntil <= now ? undefined : stored;
      return {
        id: channel.id,
        platform: channel.platform,
        via: runtime.deps.publishers.get(channel.id)?.kind ?? channel.platform,
        enabled: channel.enabled,
        paused: state?.paused ?? false,
        pauseReason: state?.pauseReason ?? null,
        pausedUntil: state?.pausedUntil?.toISOString() ?? null,
        lastSuccess: outcomes.lastSuccess?.toISOString() ?? null,
        lastError: outcomes.lastError ? shownProblem(outcomes.lastError) : null,
      };
    }),
  );

  return {
    status: problems.length === 0 ? 'ok' : 'unhealthy',
    checkedAt: now.toISOString(),
    problems,
    store,
    scheduler: {
      ticking: daemon.startedAt !== undefined && age !== null && age <= STALE_TICK_MS && stuck.length === 0,
      lastTick: daemon.lastTick?.toISOString() ?? null,
      secondsSinceLastTick: age === null ? null : Math.round(age / 1000),
      staleAfterSeconds: STALE_TICK_MS / 1000,
      publishingPausedForStore: daemon.storeFailure ?? null,
      slotsRunning,
    },
    channels,
    platforms: byPlatform(channels),
  };
}

/**
 * One small real write: a full disk, a read-only or closed store, or a lock held too long shows here.
 * The value differs every time: SQLite skips writing a row that would not change (two probes in the
 * same millisecond), and a probe that writes nothing proves nothing.
 */
async function probeStore(runtime: Runtime): Promise<HealthReport['store']> {
  try {
    await runtime.store.setSetting(PROBE_KEY, `${runtime.clock.now().toISOString()} ${randomUUID()}`);
    return { writable: true };
  } catch (error) {
    const problem = isStoreError(error) ? error.message : `${(error as Error)?.message ?? String(error)}`;
    return { writable: false, problem };
  }
}

function shownProblem(problem: PublishProblem) {
  return { at: problem.at.toISOString(), reason: problem.reason, text: problem.text };
}

function byPlatform(channels: readonly ChannelHealth[]): Record<string, PlatformHealth> {
  const platforms: Record<string, PlatformHealth> = {};
  for (const channel of channels) {
    const seen = platforms[channel.platform] ?? { lastSuccess: null, lastError: null };
    const success =
      channel.lastSuccess && (!seen.lastSuccess || channel.lastSuccess > seen.lastSuccess)
        ? channel.lastSuccess
        : seen.lastSuccess;
    const error =
      channel.lastError && (!seen.lastError || channel.lastError.at > seen.lastError.at)
        ? { at: channel.lastError.at, channel: channel.id, text: channel.lastError.text }
        : seen.lastError;
    platforms[channel.platform] = { lastSuccess: success, lastError: error };
  }
  return platforms;
}

async function safely<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch {
    return undefined;
  }
}
