import type { Logger } from '../../ports/logger.js';
import type { PostStore } from '../../ports/post-store.js';
import type { Heartbeat } from './create-daemon.js';

export interface RoleOptions {
  readonly store: Pick<PostStore, 'shared' | 'claimRole' | 'releaseRole'>;
  /** `admin-bot` (Telegram allows one poller per token) or `feeds` (one poller per feed). */
  readonly role: string;
  readonly now: () => Date;
  readonly heartbeat: Heartbeat;
  /**
   * The store's lease (store.leaseSeconds): a daemon that could not renew its claim for two thirds
   * of it stops playing the role, as the others may take it over once the lease has run out.
   */
  readonly leaseMs: number;
  readonly logger: Logger;
  /** This daemon now plays the role: start it. A failure is logged and tried again at the next beat. */
  readonly onGained: () => Promise<void>;
  /** Another daemon took it over (or may have: the store could not be asked): stop playing it. */
  readonly onLost: () => Promise<void>;
}

export interface HeldRole {
  holds(): boolean;
  /** Stops asking, stops playing, and gives the role back at once (another daemon takes it). */
  stop(): Promise<void>;
}

/**
 * Plays a role only while this daemon holds it. On SQLite the one daemon always does, so it starts
 * at once. On a shared store every daemon asks at each heartbeat; the holder keeps it by asking, and
 * when it dies a survivor gets it once the holder's lease has run out, and starts it.
 */
export async function keepRole(options: RoleOptions): Promise<HeldRole> {
  const { store, role, logger } = options;
  let holding = false;
  let grantedAt: number | undefined;
  let stopped = false;
  let checking: Promise<void> | undefined;

  const lose = async (why: string) => {
    holding = false;
    logger.warn(why, { role });
    await options.onLost().catch(() => undefined);
  };
  const ask = async () => {
    let granted: boolean;
    try {
      granted = await store.claimRole(role, options.now());
    } catch (error) {
      logger.warn('could not ask for a role', { role, error: (error as Error).message });
      // Unanswered for two thirds of the lease: the others may take it soon; stop before they do.
      if (
        holding &&
        grantedAt !== undefined &&
        options.now().getTime() - grantedAt >= (options.leaseMs * 2) / 3
      )
        await lose('the store has not confirmed the role for too long; stopping it here');
      return;
    }
    if (stopped) return;
    if (granted) grantedAt = options.now().getTime();
    if (granted && !holding) {
      holding = true;
      if (store.shared) logger.info('this daemon takes the role', { role });
      await options.onGained().catch((error: unknown) => {
        holding = false;
        logger.error('could not start the role', { role, error: (error as Error).message });
      });
    } else if (!granted && holding) {
      await lose('another daemon took the role over; stopping it here');
    }
  };
  // One check at a time: a slow start (the bot logging in) must not be started twice.
  const check = async () => {
    if (stopped || checking !== undefined) return;
    checking = ask().finally(() => {
      checking = undefined;
    });
    await checking;
  };

  await check();
  const task = store.shared ? options.heartbeat(check) : undefined;
  return {
    holds: () => holding,
    async stop() {
      stopped = true;
      task?.stop();
      await checking;
      if (holding) await store.releaseRole(role).catch(() => undefined);
    },
  };
}
