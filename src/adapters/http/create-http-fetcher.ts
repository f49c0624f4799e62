import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { type ArticleFetcher, FetchError, type FetchedArticle } from '../../ports/article-fetcher.js';
import {
  createCheckedLookup,
  InternalAddressError,
  type ResolveHost,
  resolveWithDns,
} from './checked-lookup.js';
import { isInternalAddress } from './internal-address.js';

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

/** `News.Example.` and `news.example` are one host. */
function hostKey(hostname: string): string {
  return hostname.toLowerCase().replace(/\.$/, '');
}

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
        const literal = current.hostname.replace(/^\[|\]$/g, '');
        if (!allowInternal && isIP(literal) !== 0 && isInternalAddress(literal)) throw refused(current, hops);
        let response: IncomingMessage;
        try {
          response = await get(current, combined, createCheckedLookup({ resolve, allowInternal }));
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
        const bytes = await readBody(response, limit, combined, url, unreachable);
        return { bytes, url: current.href, contentType };
      }
    },
  };
}

/** One GET, no redirects followed; resolves with the response head, rejects on any network failure. */
function get(
  url: URL,
  signal: AbortSignal,
  lookup: ReturnType<typeof createCheckedLookup>,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    // agent: false: no pooled socket outlives the fetch or skips the checked lookup of the next one.
    const req = send(url, { method: 'GET', headers: HEADERS, agent: false, lookup, signal }, resolve);
    req.on('error', reject);
    req.end();
  });
}

/**
 * Reads the (decoded) body up to `limit` bytes. A body that ends early, a reset or the deadline are
 * all "could not fetch": after the head has arrived they say nothing a caller needs to tell apart.
 */
async function readBody(
  response: IncomingMessage,
  limit: number,
  signal: AbortSignal,
  url: string,
  unreachable: () => FetchError,
): Promise<Uint8Array> {
  const onAbort = () => response.destroy(new Error('aborted'));
  signal.addEventListener('abort', onAbort, { once: true });
  const decoder = decoderFor(response.headers['content-encoding']);
  const body: Readable = decoder ? response.pipe(decoder) : response;
  if (decoder) response.on('error', (error) => decoder.destroy(error));
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) {
        response.destroy();
        decoder?.destroy();
        throw new FetchError(`${url}: the page is over the ${limit}-byte limit`);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof FetchError) throw error;
    throw unreachable();
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  // A connection closed mid-body can end the stream without an error: only a complete message counts.
  if (!response.complete || signal.aborted) throw unreachable();
  return Buffer.concat(chunks);
}

function decoderFor(encoding: string | undefined) {
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return undefined;
  }
}
