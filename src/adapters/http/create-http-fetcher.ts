import type { IncomingMessage } from 'node:http';
import { type ArticleFetcher, FetchError, type FetchedArticle } from '../../ports/article-fetcher.js';
import {
  createCheckedLookup,
  InternalAddressError,
  type ResolveHost,
  resolveWithDns,
} from './checked-lookup.js';
import { hostKey, httpGet, isInternalLiteral } from './http-get.js';
import { readBody } from './read-body.js';

export type { ResolveHost } from './checked-lookup.js';

export interface HttpFetcherOptions {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  /**
   * Host names (exact, case-insensitive: `settings.input.allowInternalHosts`) that may resolve to
   * internal addresses, for a newsroom whose CMS is on the intranet. Every other host that is, or
   * resolves to, a loopback, private, link-local or other special address is refused before any
   * connection is made. Empty by default.
   */
  readonly allowInternalHosts?: readonly string[];
  /**
   * How host names become addresses: `dns.lookup(host, { all: true })` by default. Tests give a
   * made-up name (`news.example`) an address here; whatever it answers still goes through the
   * same check, and the socket connects to exactly the addresses that were checked.
   */
  readonly resolveHost?: ResolveHost;
}

/** A page may redirect this many times; the sixth Location is not followed. */
export const MAX_REDIRECTS = 5;

const ACCEPTED = /^(text\/(html|plain|markdown)|application\/xhtml\+xml)/i;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const HEADERS = {
  accept: 'text/html, text/plain;q=0.9, */*;q=0.1',
  'accept-encoding': 'gzip, deflate, br',
  'user-agent': 'quotecast (article fetcher)',
};

function isWebUrl(url: URL): boolean {
  return url.protocol === 'http:' || url.protocol === 'https:';
}

/**
 * Fetches a page with a deadline and a size limit; never reads more than `maxBytes` + one chunk.
 * Follows redirects itself (at most MAX_REDIRECTS), and every hop is checked: http or https only,
 * and an address that is not internal, unless the hop's host is allowed by name. What goes wrong on
 * the network is one message, "could not fetch", so that nobody can tell an open port from a closed
 * one, or a slow one, by fetching through us.
 */
export function createHttpFetcher(options: HttpFetcherOptions): ArticleFetcher {
  const allowed = new Set((options.allowInternalHosts ?? []).map(hostKey));
  const resolve = options.resolveHost ?? resolveWithDns;
  const limit = options.maxBytes;

  return {
    async fetch(url, signal): Promise<FetchedArticle> {
      let current: URL;
      try {
        current = new URL(url);
      } catch {
        throw new FetchError(`"${url}" is not a URL`);
      }
      if (!isWebUrl(current)) throw new FetchError(`${url}: only http and https URLs can be fetched`);
      const timeout = AbortSignal.timeout(options.timeoutMs);
      const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
      const unreachable = () =>
        new FetchError(
          `could not fetch ${url}: the site did not answer in full; try again later, or save the page and add the file`,
        );
      const refused = (hop: URL, hops: number) =>
        new FetchError(
          hops === 0
            ? `refused: internal address (${hop.hostname})`
            : `refused: internal address (${hop.hostname}, where ${url} redirects)`,
        );

      for (let hops = 0; ; hops += 1) {
        const allowInternal = allowed.has(hostKey(current.hostname));
        if (!allowInternal && isInternalLiteral(current.hostname)) throw refused(current, hops);
        let response: IncomingMessage;
        try {
          response = await httpGet(
            current,
            HEADERS,
            combined,
            createCheckedLookup({ resolve, allowInternal }),
          );
        } catch (error) {
          if (error instanceof InternalAddressError) throw refused(current, hops);
          throw unreachable();
        }
        const status = response.statusCode ?? 0;
        if (REDIRECTS.has(status)) {
          const location = response.headers.location;
          response.destroy();
          if (!location)
            throw new FetchError(`${url}: the server answered ${status} but named no new address`);
          if (hops === MAX_REDIRECTS) throw new FetchError(`${url}: more than ${MAX_REDIRECTS} redirects`);
          let next: URL;
          try {
            next = new URL(location, current);
          } catch {
            throw new FetchError(`${url}: redirects to "${location.slice(0, 200)}", which is not a URL`);
          }
          if (!isWebUrl(next))
            throw new FetchError(
              `${url}: redirects to a ${next.protocol} URL; only http and https URLs can be fetched`,
            );
          current = next;
          continue;
        }
        if (status < 200 || status > 299) {
          response.destroy();
          throw new FetchError(
            `${url}: the server answered ${status} ${response.statusMessage ?? ''}`.trim(),
          );
        }
        const contentType = response.headers['content-type'] ?? '';
        if (contentType && !ACCEPTED.test(contentType)) {
          response.destroy();
          throw new FetchError(`${url}: is ${contentType.split(';')[0]}, not an HTML or text page`);
        }
        const declared = Number(response.headers['content-length'] ?? 0);
        if (declared > limit) {
          response.destroy();
          throw new FetchError(`${url}: the page is ${declared} bytes, over the ${limit}-byte limit`);
        }
        // A body that ends early, a reset or the deadline are all "could not fetch": after the head
        // has arrived they say nothing a caller needs to tell apart.
        const body = await readBody(response, limit, combined);
        if (body.kind === 'too-large')
          throw new FetchError(`${url}: the page is over the ${limit}-byte limit`);
        if (body.kind === 'cut') throw unreachable();
        return { bytes: body.bytes, url: current.href, contentType };
      }
    },
  };
}
