/** Fetches an article page by URL (the bot's /add and `quotecast add URL`). */
export interface FetchedArticle {
  readonly bytes: Uint8Array;
  /** The final URL after redirects: the article's canonical URL unless the page says otherwise. */
  readonly url: string;
  readonly contentType: string;
}

export class FetchError extends Error {
  override readonly name = 'FetchError';
}

export interface ArticleFetcher {
  fetch(url: string, signal?: AbortSignal): Promise<FetchedArticle>;
}
