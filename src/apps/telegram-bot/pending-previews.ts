import { randomBytes } from 'node:crypto';
import type { Article } from '../../domain/article.js';
import type { PostStore, StoredPreview } from '../../ports/post-store.js';

/** An article an admin sent with /add, previewed and waiting for "queue", "queue and approve" or "discard". */
export interface PendingPreview {
  readonly id: string;
  readonly article: Article;
  readonly channelIds: readonly string[];
  readonly createdAt: Date;
  readonly by: number;
}

export interface PendingPreviews {
  add(preview: Omit<PendingPreview, 'id'>): Promise<PendingPreview>;
  /** The preview if it exists and has not expired. */
  get(id: string, now: Date): Promise<PendingPreview | undefined>;
  /** Removes and returns it: a button press acts once, even if pressed twice quickly. */
  take(id: string, now: Date): Promise<PendingPreview | undefined>;
}

interface Payload {
  readonly article: Article;
  readonly channelIds: readonly string[];
}

/**
 * Previews live in the store, not in the daemon's memory: a 5 MB article waiting for its button
 * costs disk, and a restart keeps the buttons working. They expire after `ttlMs`, and at most `max`
 * are kept (oldest dropped first), so forgotten previews cannot pile up.
 */
export function createPendingPreviews(
  store: PostStore,
  options: { readonly ttlMs: number; readonly max: number },
): PendingPreviews {
  const expired = (preview: StoredPreview, now: Date) =>
    now.getTime() - preview.createdAt.getTime() > options.ttlMs;
  const read = (stored: StoredPreview): PendingPreview => {
    const payload = JSON.parse(stored.payload) as Payload;
    return {
      id: stored.id,
      article: payload.article,
      channelIds: payload.channelIds,
      createdAt: stored.createdAt,
      by: stored.createdBy,
    };
  };
  return {
    async add(input) {
      const payload = JSON.stringify({
        article: input.article,
        channelIds: input.channelIds,
      } satisfies Payload);
      const expireBefore = new Date(input.createdAt.getTime() - options.ttlMs);
      for (;;) {
        const id = randomBytes(4).toString('hex');
        const saved = await store.savePreview(
          { id, payload, createdBy: input.by, createdAt: input.createdAt },
          { expireBefore, keep: options.max },
        );
        if (saved) return { ...input, id };
      }
    },
    async get(id, now) {
      const stored = await store.getPreview(id);
      return stored && !expired(stored, now) ? read(stored) : undefined;
    },
    async take(id, now) {
      const stored = await store.takePreview(id);
      return stored && !expired(stored, now) ? read(stored) : undefined;
    },
  };
}
