import type { IncomingMessage } from 'node:http';
import type { FeedFetcher, FeedFetchRequest, FeedFetchResult } from '../../ports/feed-fetcher.js';
import {
  createCheckedLookup,
  InternalAddressError,
  type ResolveHost,
  resolveWithDns,
} from '../http/checked-lookup.js';
import { MAX_REDIRECTS } from '../http/create-http-fetcher.js';
import { hideUrlSecrets } from '../http/hide-url-secrets.js';
import { hostKey, httpGet, isInternalLiteral } from '../http/http-get.js';
import { readBody } from '../http/read-body.js';
import { decodeFeed, FeedParseError, parseFeedItems } from './parse-feed.js';

export interface FeedFetcherOptions {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  /** "quotecast/<version> (+feed reader)": a feed's owner can see who polls and how often. */
  readonly userAgent: string;
  /** As for the article fetcher (settings.input.allowInternalHosts): internal hosts allowed by name. */
  readonly allowInternalHosts?: readonly string[];
  readonly resolveHost?: ResolveHost;
  /** Reads Retry-After dates and seconds against this (the runtime's clock). */
  readonly now: () => Date;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const ACCEPT =
  'application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.1';

/**
 * Fetches a feed the way a polite reader does: conditional GET (If-None-Match / If-Modified-Since,
 * 304 is "nothing new"), a User-Agent naming the bot, a deadline and a size limit, redirects followed
 * with every hop's address checked like the article fetcher's (SSRF guard), and Retry-After read on
 * 429 and 503. Every failure is a `kind: 'error'` result with one line saying what happened.
 */
export function createFeedFetcher(options: FeedFetcherOptions): FeedFetcher {
  const allowed = new Set((options.allowInternalHosts ?? []).map(hostKey));
  const resolve = options.resolveHost ?? resolveWithDns;
  // The message is stored, logged and shown in status and Telegram: no key from the feed's URL.
  const fail = (message: string, retryAfter?: Date): FeedFetchResult => ({
    kind: 'error',
    message: hideUrlSecrets(message),
    ...(retryAfter ? { retryAfter } : {}),
  });

  return {
    async fetch(request: FeedFetchRequest): Promise<FeedFetchResult> {
      const { url } = request;
      let current: URL;
      try {
        current = new URL(url);
      } catch {
        return fail(`"${url}" is not a URL`);
      }
      const timeout = AbortSignal.timeout(options.timeoutMs);
      const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
      const headers: Record<string, string> = {
        accept: ACCEPT,
        'accept-encoding': 'gzip, deflate, br',
        'user-agent': options.userAgent,
        ...(request.etag ? { 'if-none-match': request.etag } : {}),
        ...(request.lastModified ? { 'if-modified-since': request.lastModified } : {}),
      };
      for (let hops = 0; ; hops += 1) {
        if (current.protocol !== 'http:' && current.protocol !== 'https:')
          return fail(`${url}: only http and https feeds can be read (got ${current.protocol})`);
        const allowInternal = allowed.has(hostKey(current.hostname));
        if (!allowInternal && isInternalLiteral(current.hostname))
          return fail(`refused: internal address (${current.hostname})`);
        let response: IncomingMessage;
        try {
          response = await httpGet(current, headers, signal, createCheckedLookup({ resolve, allowInternal }));
        } catch (error) {
          if (error instanceof InternalAddressError)
            return fail(`refused: internal address (${current.hostname})`);
          return fail(
            timeout.aborted
              ? `${url}: no answer within ${options.timeoutMs} ms`
              : `could not fetch ${url}: the site did not answer`,
          );
        }
        const status = response.statusCode ?? 0;
        if (REDIRECTS.has(status)) {
          const location = response.headers.location;
          response.destroy();
          if (!location) return fail(`${url}: answered ${status} but named no new address`);
          if (hops === MAX_REDIRECTS) return fail(`${url}: more than ${MAX_REDIRECTS} redirects`);
          try {
            current = new URL(location, current);
          } catch {
            return fail(`${url}: redirects to "${location.slice(0, 200)}", which is not a URL`);
          }
          continue;
        }
        if (status === 304) {
          response.destroy();
          return { kind: 'not-modified' };
        }
        if (status < 200 || status > 299) {
          response.destroy();
          const retryAfter =
            status === 429 || status === 503
              ? readRetryAfter(response.headers['retry-after'], options.now())
              : undefined;
          return fail(
            `${url}: the server answered ${status} ${response.statusMessage ?? ''}`.trim(),
            retryAfter,
          );
        }
        const declared = Number(response.headers['content-length'] ?? 0);
        if (declared > options.maxBytes) {
          response.destroy();
          return fail(`${url}: the feed is ${declared} bytes, over the ${options.maxBytes}-byte limit`);
        }
        const body = await readBody(response, options.maxBytes, signal);
        if (body.kind === 'too-large')
          return fail(`${url}: the feed is over the ${options.maxBytes}-byte limit (input.maxBytes)`);
        if (body.kind === 'cut') return fail(`could not fetch ${url}: the answer was cut off`);
        const contentType = response.headers['content-type'] ?? '';
        try {
          const items = parseFeedItems(decodeFeed(body.bytes, contentType), current.href);
          const etag = response.headers.etag;
          const lastModified = response.headers['last-modified'];
          return {
            kind: 'ok',
            items,
            url: current.href,
            ...(etag ? { etag } : {}),
            ...(lastModified ? { lastModified } : {}),
          };
        } catch (error) {
          if (error instanceof FeedParseError) return fail(`${url}: ${error.message}`);
          throw error;
        }
      }
    },
  };
}

/** Retry-After in seconds or as an HTTP date; nothing usable: undefined. */
export function readRetryAfter(value: string | undefined, now: Date): Date | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d{1,9}$/.test(trimmed)) return new Date(now.getTime() + Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : new Date(at);
}
