import { type ArticleFetcher, FetchError, type FetchedArticle } from '../../ports/article-fetcher.js';

export interface HttpFetcherOptions {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  /** Injected for tests; Node's global fetch by default. */
  readonly fetch?: typeof fetch;
}

const ACCEPTED = /^(text\/(html|plain|markdown)|application\/xhtml\+xml)/i;

/** Fetches a page with a deadline and a size limit; never reads more than `maxBytes` + one chunk. */
export function createHttpFetcher(options: HttpFetcherOptions): ArticleFetcher {
  const doFetch = options.fetch ?? fetch;
  return {
    async fetch(url, signal): Promise<FetchedArticle> {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw new FetchError(`"${url}" is not a URL`);
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
        throw new FetchError(`${url}: only http and https URLs can be fetched`);
      const timeout = AbortSignal.timeout(options.timeoutMs);
      const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
      let response: Response;
      try {
        response = await doFetch(parsed, {
          signal: combined,
          redirect: 'follow',
          headers: { accept: 'text/html, text/plain;q=0.9, */*;q=0.1' },
        });
      } catch (error) {
        if (timeout.aborted)
          throw new FetchError(
            `${url}: no answer within ${options.timeoutMs / 1000} s; try again or save the page and add the file`,
          );
        throw new FetchError(
          `${url}: could not connect (${(error as Error).cause ? String(((error as Error).cause as Error).message ?? '') : (error as Error).message})`,
        );
      }
      if (!response.ok)
        throw new FetchError(`${url}: the server answered ${response.status} ${response.statusText}`.trim());
      const contentType = response.headers.get('content-type') ?? '';
      if (contentType && !ACCEPTED.test(contentType)) {
        await response.body?.cancel();
        throw new FetchError(`${url}: is ${contentType.split(';')[0]}, not an HTML or text page`);
      }
      const declared = Number(response.headers.get('content-length') ?? 0);
      if (declared > options.maxBytes) {
        await response.body?.cancel();
        throw new FetchError(
          `${url}: the page is ${declared} bytes, over the ${options.maxBytes}-byte limit`,
        );
      }
      const chunks: Uint8Array[] = [];
      let size = 0;
      try {
        for await (const chunk of response.body ?? []) {
          size += chunk.length;
          if (size > options.maxBytes) {
            await response.body?.cancel().catch(() => {});
            throw new FetchError(`${url}: the page is over the ${options.maxBytes}-byte limit`);
          }
          chunks.push(chunk);
        }
      } catch (error) {
        if (error instanceof FetchError) throw error;
        throw new FetchError(
          timeout.aborted
            ? `${url}: the page did not finish within ${options.timeoutMs / 1000} s`
            : `${url}: the download broke off`,
        );
      }
      return { bytes: Buffer.concat(chunks), url: response.url || parsed.href, contentType };
    },
  };
}
