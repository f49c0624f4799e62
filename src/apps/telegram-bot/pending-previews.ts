import { randomBytes } from 'node:crypto';
import type { Article } from '../../domain/article.js';

/** An article an admin sent with /add, previewed and waiting for "queue", "queue and approve" or "discard". */
export interface PendingPreview {
  readonly id: string;
  readonly article: Article;
  readonly channelIds: readonly string[];
  readonly createdAt: Date;
  readonly by: number;
}

export interface PendingPreviews {
  add(preview: Omit<PendingPreview, 'id'>): PendingPreview;
  /** The preview if it exists and has not expired. */
  get(id: string, now: Date): PendingPreview | undefined;
  /** Removes and returns it: a button press acts once, even if pressed twice quickly. */
  take(id: string, now: Date): PendingPreview | undefined;
  readonly size: number;
}

/**
 * Previews live in memory: a restart forgets them, and pressing an old button then gets a clear
 * "send /add again". They expire after `ttlMs`, and at most `max` are kept (oldest dropped first), so
 * a forgotten preview cannot pile up.
 */
export function createPendingPreviews(options: { ttlMs: number; max: number }): PendingPreviews {
  const previews = new Map<string, PendingPreview>();
  const expired = (preview: PendingPreview, now: Date) =>
    now.getTime() - preview.createdAt.getTime() > options.ttlMs;
  const prune = (now: Date) => {
    for (const [id, preview] of previews) if (expired(preview, now)) previews.delete(id);
    while (previews.size >= options.max) {
      const oldest = previews.keys().next();
      if (oldest.done) break;
      previews.delete(oldest.value);
    }
  };
  return {
    add(input) {
      prune(input.createdAt);
      let id = randomBytes(4).toString('hex');
      while (previews.has(id)) id = randomBytes(4).toString('hex');
      const preview = { ...input, id };
      previews.set(id, preview);
      return preview;
    },
    get(id, now) {
      const preview = previews.get(id);
      if (!preview) return undefined;
      if (expired(preview, now)) {
        previews.delete(id);
        return undefined;
      }
      return preview;
    },
    take(id, now) {
      const preview = this.get(id, now);
      if (preview) previews.delete(id);
      return preview;
    },
    get size() {
      return previews.size;
    },
  };
}
