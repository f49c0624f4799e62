import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { POST_STATES } from '../../ports/post-store.js';
import type { DaemonHealth } from '../daemon/create-daemon.js';
import type { Runtime } from '../runtime/build-runtime.js';

/**
 * Everything /metrics shows: the runtime's publish telemetry (latency, outcomes, rate limits,
 * pacing), the store's counts read at scrape time, the scheduler's last tick and Node's process
 * metrics (RSS, CPU, event loop lag, heap). A registry of its own per daemon, never prom-client's
 * global one.
 */
export function createOpsMetrics(runtime: Runtime, daemon: () => DaemonHealth): Registry {
  const registry = new Registry();
  const { store, clock } = runtime;
  const channels = runtime.config.channels.map((c) => c.id);
  const registers = [registry];

  // A store that cannot be read (closed, damaged) leaves these without samples; /healthz says why.
  const fromStore = async (gauge: Gauge, read: () => Promise<void>) => {
    gauge.reset();
    try {
      await read();
    } catch {
      gauge.reset();
    }
  };
  new Gauge({
    name: 'quotecast_posts',
    help: 'Posts in the store by channel and state (queued, sending, sent, failed, unknown, skipped)',
    labelNames: ['channel', 'state'],
    registers,
    async collect() {
      await fromStore(this, async () => {
        for (const channel of channels) {
          const counts = await store.countsByState(channel);
          for (const state of POST_STATES) this.labels(channel, state).set(counts[state]);
        }
      });
    },
  });
  new Gauge({
    name: 'quotecast_queue_depth',
    help: 'Posts that could go out now (queued, approved, due): the backlog the next slots work through',
    labelNames: ['channel'],
    registers,
    async collect() {
      await fromStore(this, async () => {
        const now = clock.now();
        for (const channel of channels) this.labels(channel).set(await store.countDue(channel, now));
      });
    },
  });
  new Gauge({
    name: 'quotecast_unknown_posts',
    help: 'Posts whose outcome is unknown after a crash or a lost answer, waiting for an admin',
    registers,
    async collect() {
      await fromStore(this, async () => this.set((await store.countsByState()).unknown));
    },
  });
  new Gauge({
    name: 'quotecast_alerts_pending',
    help: 'Admin alerts stored but not yet delivered to every admin chat',
    registers,
    async collect() {
      await fromStore(this, async () => this.set(await store.countPendingAlerts()));
    },
  });
  new Gauge({
    name: 'quotecast_last_tick_timestamp_seconds',
    help: "When the scheduler last ticked (heartbeat or slot), on the daemon's clock",
    registers,
    collect() {
      const { lastTick } = daemon();
      this.reset();
      if (lastTick) this.set(lastTick.getTime() / 1000);
    },
  });
  collectDefaultMetrics({ register: registry });
  return Registry.merge([runtime.telemetry.registry, registry]);
}
