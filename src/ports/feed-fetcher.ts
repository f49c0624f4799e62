import type { FeedItem } from '../domain/feed-item.js';

/** What one poll of a feed URL brought back (see FeedFetcher). */
export type FeedFetchResult =
  | {
      readonly kind: 'ok';
      readonly items: readonly FeedItem[];
      /** The final URL after redirects: the base of relative links. */
      readonly url: string;
      readonly etag?: string;
      readonly lastModified?: string;
      /** Set when the document was broken and only part of it could be read. */
      readonly warning?: string;
    }
  | { readonly kind: 'not-modified' }
  /** A failure; `retryAfter` when the server named a time (429/503 with Retry-After). */
  | { readonly kind: 'error'; readonly message: string; readonly retryAfter?: Date };

export interface FeedFetchRequest {
  readonly url: string;
  readonly etag?: string;
  readonly lastModified?: string;
  readonly signal?: AbortSignal;
}

/** Fetches and parses one feed document, conditionally (the feed adapter implements it). */
export interface FeedFetcher {
  fetch(request: FeedFetchRequest): Promise<FeedFetchResult>;
}
