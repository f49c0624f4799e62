/**
 * The SQLite adapter runs on better-sqlite3, which is synchronous: each state change is one IMMEDIATE
 * transaction that finishes before the call returns. The port is asynchronous (a network database
 * cannot answer in the same tick), so the adapter is written against `Synchronous<PostStore>` and
 * handed out through `asynchronous`: the same transactions, each answered as a settled promise.
 */
export type Synchronous<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : T[K];
};

/** The port over a synchronous implementation: every method returns a promise, errors reject it. */
export function asynchronous<T extends object>(sync: Synchronous<T>): T {
  const port: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(sync)) {
    port[name] =
      typeof value === 'function'
        ? (...args: unknown[]) => {
            try {
              return Promise.resolve(value(...args));
            } catch (error) {
              return Promise.reject(error);
            }
          }
        : value;
  }
  return port as T;
}
