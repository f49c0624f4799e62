import type { PostStore } from '../../ports/post-store.js';
import {
  createPostgresStore,
  defaultInstanceId,
  type PostgresStoreOptions,
} from './create-postgres-store.js';

/**
 * The PostgreSQL store, opened in the background: the runtime is built synchronously (every command
 * builds one), while connecting and migrating take a round trip or more. Each call waits for the
 * opening; a failed opening (server down, wrong password, newer schema) rejects every call with its
 * StoreError, the first of which `start` makes at once (its heartbeat), so it still fails at start-up.
 */
export function openPostgresStore(options: PostgresStoreOptions): PostStore {
  const instanceId = options.instanceId ?? defaultInstanceId();
  const opening = createPostgresStore({ ...options, instanceId });
  // Rejections are handed to the callers; this one only keeps an unused failure from crashing Node.
  opening.catch(() => undefined);
  let closed = false;
  return new Proxy({} as PostStore, {
    get(_target, key) {
      if (key === 'instanceId') return instanceId;
      if (key === 'shared') return true;
      if (key === 'then') return undefined; // not a thenable: `await store` must not wait for it
      if (key === 'close')
        return async () => {
          if (closed) return;
          closed = true;
          const store = await opening.catch(() => undefined);
          await store?.close();
        };
      return async (...args: unknown[]) => {
        const store = await opening;
        const method = store[key as keyof PostStore] as unknown as (...a: unknown[]) => Promise<unknown>;
        return await method.apply(store, args);
      };
    },
  });
}
