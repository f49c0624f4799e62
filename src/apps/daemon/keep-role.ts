import type { Logger } from '../../ports/logger.js';
import type { PostStore } from '../../ports/post-store.js';
import type { Heartbeat, SlotTask } from './create-daemon.js';

export interface RoleOptions {
  readonly store: Pick<PostStore, 'shared' | 'claimRole' | 'releaseRole'>;
  /** `admin-bot` (Telegram allows one poller per token) or `feeds` (one poller per feed). */
  readonly role: string;
  readonly now: () => Date;
  readonly heartbeat: Heartbeat;
  readonly logger: Logger;
  /** This daemon now plays the role: start it. A failure is logged and tried again at the next beat. */
  readonly onGained: () => Promise<void>;
  /** Another daemon took it over (this one stopped heartbeating for a lease): stop playing it. */
  readonly onLost: () => Promise<void>;
}

/**
 * Plays a role only while this daemon holds it. On SQLite the one daemon always does, so it starts
 * at once. On a shared store every daemon asks at each heartbeat; the holder keeps it by asking, and
 * when it dies a survivor gets it once the holder's lease has run out, and starts it.
 */
export async function keepRole(options: RoleOptions): Promise<SlotTask & { holds(): boolean }> {
  const { store, role, logger } = options;
  let holding = false;
  let stopped = false;
  const check = async () => {
    if (stopped) return;
    const granted = await store.claimRole(role, options.now()).catch((error: unknown) => {
      logger.warn('could not ask for a role', { role, error: (error as Error).message });
      return holding;
    });
    if (stopped) return;
    if (granted && !holding) {
      holding = true;
      if (store.shared) logger.info('this daemon takes the role', { role });
      await options.onGained().catch((error: unknown) => {
        holding = false;
        logger.error('could not start the role', { role, error: (error as Error).message });
      });
    } else if (!granted && holding) {
      holding = false;
      logger.warn('another daemon took the role over; stopping it here', { role });
      await options.onLost().catch(() => undefined);
    }
  };
  await check();
  const task = store.shared ? options.heartbeat(check) : undefined;
  return {
    holds: () => holding,
    stop() {
      stopped = true;
      task?.stop();
      if (holding) void store.releaseRole(role).catch(() => undefined);
    },
  };
}
