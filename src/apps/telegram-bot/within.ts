import { setTimeout as sleep } from 'node:timers/promises';

/** Waits for `promise` until `deadline` (epoch ms); true if it settled. The timer never outlives it. */
export async function within(promise: Promise<unknown>, deadline: number): Promise<boolean> {
  const timer = new AbortController();
  const settled = promise.then(
    () => true,
    () => true,
  );
  const timedOut = sleep(Math.max(0, deadline - Date.now()), false, { signal: timer.signal }).catch(
    () => false,
  );
  try {
    return await Promise.race([settled, timedOut]);
  } finally {
    timer.abort();
  }
}
