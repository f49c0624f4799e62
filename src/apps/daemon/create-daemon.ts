import { Cron } from 'croner';
import { isStoreError } from '../../adapters/sqlite/store-error.js';
import type { ResolvedChannel } from '../../config/load-config.js';
import { CRON_OPTIONS, formatInZone, nextSlots, previousSlot } from '../../domain/schedule.js';
import type { PublishDeps } from '../../use-cases/publish-deps.js';
import {
  type RecoveryReport,
  recoverInterrupted,
  settleDeferred,
} from '../../use-cases/recover-interrupted.js';
import { runChannelSlot, type SlotResult } from '../../use-cases/run-channel-slot.js';

/** A scheduled trigger; croner in production, something faster in tests. */
export interface SlotTask {
  stop(): void;
}
export type ScheduleTask = (channel: ResolvedChannel, onTick: () => Promise<void>) => SlotTask;

/**
 * Ticks with croner, the same library and options as `nextSlots`, so the daemon fires exactly at the
 * slots that `schedule`, `status` and the start-up log announce. node-cron 4 (no longer used) disagreed with them on
 * daylight-saving nights: it drops a slot that falls in the spring-forward gap (a daily 01:30
 * Europe/London post silently skips a day) and runs a repeated hour's slot at its second occurrence.
 */
export const scheduleWithCroner: ScheduleTask = (channel, onTick) => {
  // protect: a tick that comes while the previous one still runs is skipped, not queued.
  const job = new Cron(channel.schedule, { timezone: channel.zone, protect: true, ...CRON_OPTIONS }, onTick);
  return { stop: () => job.stop() };
};

/** How often the daemon's heartbeat ticks, whatever the channels' schedules (they may be hours apart). */
export const HEARTBEAT_SECONDS = 30;

/** Calls `onBeat` every HEARTBEAT_SECONDS; croner in production, the test's hand in tests. */
export type Heartbeat = (onBeat: () => void | Promise<void>) => SlotTask;

/**
 * Ticks with croner, like the channels' slots: a heartbeat that stops arriving means the daemon's
 * timers stopped firing, which a health check can see (`Daemon.health().lastTick`). A shared store
 * beats faster (a third of its lease, see `heartbeatEvery`).
 */
export const heartbeatWithCroner: Heartbeat = (onBeat) => heartbeatEvery(HEARTBEAT_SECONDS)(onBeat);

export function heartbeatEvery(seconds: number): Heartbeat {
  const every = Math.min(HEARTBEAT_SECONDS, Math.max(1, Math.floor(seconds)));
  // Not protected: a beat still busy (a slow take-over) must not stop the next one from renewing
  // the lease, or the others would count a live daemon dead. Each beat guards its own slow part.
  return (onBeat) => {
    const job = new Cron(`*/${every} * * * * *`, { protect: false }, onBeat);
    return { stop: () => job.stop() };
  };
}

/**
 * The slot a tick belongs to: the last scheduled time at or before it (croner fires on time, never
 * early; a few ms of leeway). Two daemons firing for one slot name the same slot however late one
 * of them fires (a stalled process), so the store grants it once (`claimSlot`); a tick so late that
 * a later slot has come names that one, and the slot it missed is not run twice either.
 */
const SLOT_LEEWAY_MS = 20;

export function slotOf(channel: Pick<ResolvedChannel, 'schedule' | 'zone'>, now: Date): Date {
  return previousSlot(channel.schedule, channel.zone, new Date(now.getTime() + SLOT_LEEWAY_MS)) ?? now;
}

export interface DaemonOptions {
  readonly deps: PublishDeps;
  readonly channels: readonly ResolvedChannel[];
  readonly schedule?: ScheduleTask;
  readonly heartbeat?: Heartbeat;
  /** With a shared store: the default heartbeat's period (a third of store.leaseSeconds). */
  readonly heartbeatSeconds?: number;
  /** Called after every slot, for the console view and tests. */
  readonly onSlot?: (channel: ResolvedChannel, result: SlotResult) => void | Promise<void>;
}

export interface Daemon {
  /** Reconciles interrupted posts, then starts every channel's schedule. */
  start(): Promise<void>;
  /** Stops taking new work and waits for the send in flight. */
  stop(): Promise<void>;
  /** Runs one slot of a channel now (the admin's /next). */
  runNow(channelId: string): Promise<SlotResult>;
  /** What a health check needs to tell a stalled daemon from an idle one. */
  health(): DaemonHealth;
}

export interface DaemonHealth {
  /** When start() finished scheduling; undefined before (reconciling) and after stop(). */
  readonly startedAt: Date | undefined;
  /** The last heartbeat or slot, on the daemon's clock; start() counts as the first. */
  readonly lastTick: Date | undefined;
  /** Why publishing is paused on every channel (the store cannot record what is sent), if it is. */
  readonly storeFailure: string | undefined;
  /** Slots publishing now (after their random delay), with when they began. */
  readonly slotsRunning: readonly { readonly channelId: string; readonly since: Date }[];
  /**
   * With a shared store: whether this daemon's heartbeats are getting through. When they are not,
   * it publishes nothing (the others may count it dead) although its timers still tick.
   */
  readonly sharedStoreBeat?: { readonly last: Date | undefined; readonly fresh: boolean };
}

/** The small write that tells whether the store can record again (a setting, overwritten each time). */
const PROBE_KEY = 'daemon.store-write-probe';

export function createDaemon(options: DaemonOptions): Daemon {
  // While the store cannot record what is sent (a full disk), nothing new is leased on any channel:
  // a slot already running cannot start its next send either.
  let storeFailure: string | undefined;
  const store = options.deps.store;
  // On a shared store a daemon whose heartbeats stopped getting through may soon count as dead to
  // the others, who take over what it sends: two beats missed (two thirds of the lease), it runs no
  // slot and leases nothing until a heartbeat lands, keeping a third of the lease for the send.
  let lastBeat: Date | undefined;
  const heartbeatSeconds = options.heartbeatSeconds ?? HEARTBEAT_SECONDS;
  const beatFresh = (now: Date) =>
    !store.shared || (lastBeat !== undefined && now.getTime() - lastBeat.getTime() < heartbeatSeconds * 2000);
  const gatedStore = new Proxy(store, {
    get(target, key) {
      if (key === 'lease')
        return async (postId: number, now: Date) =>
          storeFailure || !beatFresh(now) ? undefined : await target.lease(postId, now);
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  // Everything else is read through to the runtime's deps (its notifier is a getter that the admin
  // bot replaces once it starts: a copy would keep alerting the log only).
  const deps: PublishDeps = Object.create(options.deps, { store: { value: gatedStore, enumerable: true } });
  const schedule = options.schedule ?? scheduleWithCroner;
  const heartbeat =
    options.heartbeat ?? (store.shared ? heartbeatEvery(heartbeatSeconds) : heartbeatWithCroner);
  let startedAt: Date | undefined;
  let lastTick: Date | undefined;
  const slotsRunning = new Map<string, Date>();
  const tick = () => {
    if (startedAt) lastTick = deps.clock.now();
  };
  /**
   * With a shared store, each heartbeat keeps this daemon's leases alive and takes over what a
   * stopped daemon left `sending` once its lease ran out, with the rules of a restart: looked for on
   * the platform, sent again once the grace has passed, or put to an admin.
   */
  let takingOver = false;
  const beat = async () => {
    tick();
    if (!store.shared || stopping.signal.aborted) return;
    try {
      const now = deps.clock.now();
      await store.heartbeat(now);
      lastBeat = now;
    } catch (error) {
      deps.logger.error('heartbeat on the shared store failed', { error: (error as Error).message });
      return;
    }
    // A take-over reads the platforms and may take a while (X down): later beats only renew.
    if (takingOver) return;
    takingOver = true;
    try {
      await takeOverAbandoned();
    } catch (error) {
      deps.logger.error('taking over abandoned posts failed', { error: (error as Error).message });
    } finally {
      takingOver = false;
    }
  };
  const takeOverAbandoned = async () => {
    const abandoned = await store.markInterruptedAsUnknown(deps.clock.now());
    if (abandoned.length > 0) {
      deps.logger.warn('taking over posts a stopped daemon left sending', {
        posts: abandoned.map((post) => post.id),
      });
      settleLater(
        await settleDeferred(
          deps,
          abandoned.map((post) => post.id),
        ),
      );
    }
    await lookAgainForUnknown();
  };
  /**
   * A post of unknown outcome on a platform that can be asked (X) is looked for again by the daemon
   * that took it over once its request settled. If that daemon dies first, nobody would: so every
   * lease period each daemon looks for the ones still unknown (found: sent; still not there once
   * settled: queued again). Two daemons looking at once settle it once (the store's guards).
   */
  let lookedAt = Number.NEGATIVE_INFINITY;
  const lookAgainForUnknown = async () => {
    const now = deps.clock.now().getTime();
    if (now - lookedAt < heartbeatSeconds * 3000) return;
    lookedAt = now;
    const askable = (await store.postsInState('unknown', 1000)).filter(
      (post) => deps.publishers.get(post.channelId)?.recentPosts !== undefined,
    );
    if (askable.length > 0)
      settleLater(
        await settleDeferred(
          deps,
          askable.map((post) => post.id),
        ),
      );
  };
  const stopping = new AbortController();
  const tasks: SlotTask[] = [];
  const inFlight = new Set<Promise<unknown>>();
  // One slot at a time per channel: a slow thread must not overlap the next tick.
  const busy = new Set<string>();

  /** Publishing stops on every channel; the admins hear it once (and once more when it resumes). */
  const pauseForStore = async (error: Error) => {
    if (storeFailure) return;
    storeFailure = error.message;
    deps.logger.error('publishing paused on every channel: the store cannot record what is sent', {
      error: error.message,
    });
    await deps.notifier
      .alert({
        kind: 'info',
        text: `Publishing is paused on every channel: the store cannot record what is sent (${error.message}). It resumes by itself once the store can be written again; a post sent but not recorded stays "sending" and is checked at the next start.`,
      })
      .catch(() => undefined);
  };

  /** While paused, every slot first tries one small write; when it goes through, publishing resumes. */
  const storeWritable = async (): Promise<boolean> => {
    if (!storeFailure) return true;
    try {
      await store.setSetting(PROBE_KEY, deps.clock.now().toISOString());
    } catch (error) {
      if (isStoreError(error) && error.code === 'disk-full') return false;
      throw error;
    }
    storeFailure = undefined;
    deps.logger.info('the store can be written again; publishing resumes');
    await deps.notifier
      .alert({ kind: 'info', text: 'The store can be written again: publishing resumes on every channel.' })
      .catch(() => undefined);
    return true;
  };

  const runSlot = async (channel: ResolvedChannel, slotAt = deps.clock.now()): Promise<SlotResult> => {
    if (stopping.signal.aborted) return { kind: 'idle', why: 'paused', detail: 'shutting down' };
    tick();
    try {
      if (!(await storeWritable()))
        return { kind: 'idle', why: 'paused', detail: `store cannot record: ${storeFailure}` };
    } catch (error) {
      deps.logger.error('store write probe failed', { error: (error as Error).message });
      return { kind: 'idle', why: 'paused', detail: `store cannot record: ${storeFailure}` };
    }
    if (busy.has(channel.id))
      return { kind: 'idle', why: 'nothing-due', detail: 'previous slot still running' };
    // Not claimed while this daemon may count as dead to the others: one of them runs the slot.
    if (!beatFresh(deps.clock.now()))
      return { kind: 'idle', why: 'nothing-due', detail: 'no recent heartbeat on the shared store' };
    // Taken before the claim's round trip: a /next arriving meanwhile must not start a second slot.
    busy.add(channel.id);
    try {
      if (!(await store.claimSlot(channel.id, slotAt, deps.clock.now()))) {
        busy.delete(channel.id);
        return { kind: 'idle', why: 'nothing-due', detail: 'another daemon runs this slot' };
      }
      if (store.shared)
        deps.logger.debug('slot claimed', { channel: channel.id, slot: slotAt.toISOString() });
    } catch (error) {
      busy.delete(channel.id);
      deps.logger.error('could not claim the slot', { channel: channel.id, error: (error as Error).message });
      return { kind: 'idle', why: 'nothing-due', detail: 'error' };
    }
    const work = (async () => {
      if (channel.randomDelaySeconds > 0) {
        await deps.clock.sleep(deps.random() * channel.randomDelaySeconds * 1000, stopping.signal);
      }
      slotsRunning.set(channel.id, deps.clock.now());
      return await runChannelSlot(deps, channel.id, stopping.signal);
    })();
    inFlight.add(work);
    try {
      const result = await work;
      await options.onSlot?.(channel, result);
      return result;
    } catch (error) {
      if (isStoreError(error) && error.code === 'disk-full') {
        await pauseForStore(error);
        return { kind: 'idle', why: 'paused', detail: `store cannot record: ${error.message}` };
      }
      deps.logger.error('slot failed unexpectedly', {
        channel: channel.id,
        error: (error as Error).stack ?? String(error),
      });
      return { kind: 'idle', why: 'nothing-due', detail: 'error' };
    } finally {
      inFlight.delete(work);
      busy.delete(channel.id);
      slotsRunning.delete(channel.id);
      // Tracked like the send: stop() waits for it, so the store is not closed under it and the
      // next daemon does not wait a lease for a slot nobody holds.
      const released = store.releaseSlot(channel.id).catch((error: unknown) =>
        deps.logger.warn('could not release the slot', {
          channel: channel.id,
          error: (error as Error).message,
        }),
      );
      inFlight.add(released);
      await released;
      inFlight.delete(released);
    }
  };

  /**
   * Posts interrupted so recently that their request may still land are looked for again once it
   * has settled (`retry.settleSeconds`, on the daemon's clock), and only then sent again.
   */
  const settleLater = (report: RecoveryReport) => {
    if (report.deferred.length === 0 || stopping.signal.aborted) return;
    const at = Math.max(...report.deferred.map((d) => d.at.getTime()));
    const work = (async () => {
      await deps.clock.sleep(at - deps.clock.now().getTime(), stopping.signal);
      if (stopping.signal.aborted) return;
      settleLater(
        await settleDeferred(
          deps,
          report.deferred.map((d) => d.post.id),
        ),
      );
    })().catch((error: unknown) =>
      deps.logger.error('looking again for interrupted posts failed', {
        error: (error as Error).stack ?? String(error),
      }),
    );
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };

  return {
    async start() {
      // Registers this daemon first on a shared store: what it leases must belong to a live instance.
      if (store.shared) {
        const now = deps.clock.now();
        await store.heartbeat(now);
        lastBeat = now;
      }
      const report = await recoverInterrupted(deps);
      settleLater(report);
      if (report.askAdmin.length > 0) {
        deps.logger.warn(
          `${report.askAdmin.length} post(s) need an admin's decision after a crash (quotecast queue --state unknown)`,
        );
      }
      for (const channel of options.channels) {
        if (!channel.enabled) {
          deps.logger.info('channel disabled in config', { channel: channel.id });
          continue;
        }
        tasks.push(
          schedule(channel, async () => void (await runSlot(channel, slotOf(channel, deps.clock.now())))),
        );
        const [next] = nextSlots(channel.schedule, channel.zone, deps.clock.now(), 1);
        deps.logger.info('channel scheduled', {
          channel: channel.id,
          schedule: channel.schedule,
          next: next ? formatInZone(next, channel.zone) : 'never',
        });
      }
      if (stopping.signal.aborted) return;
      tasks.push(heartbeat(beat));
      startedAt = deps.clock.now();
      lastTick = startedAt;
    },
    async stop() {
      stopping.abort();
      startedAt = undefined;
      for (const task of tasks) task.stop();
      // What finishes may start a last write (a slot's release): wait until nothing is left.
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    health: () => ({
      startedAt,
      lastTick,
      storeFailure,
      slotsRunning: [...slotsRunning].map(([channelId, since]) => ({ channelId, since })),
      ...(store.shared ? { sharedStoreBeat: { last: lastBeat, fresh: beatFresh(deps.clock.now()) } } : {}),
    }),
    runNow(channelId) {
      const channel = options.channels.find((c) => c.id === channelId);
      if (!channel)
        return Promise.resolve({ kind: 'idle', why: 'disabled', detail: `unknown channel ${channelId}` });
      return runSlot(channel);
    },
  };
}
