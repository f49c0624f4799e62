import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { createCheckedLookup } from './checked-lookup.js';
import { isInternalAddress } from './internal-address.js';

/** `News.Example.` and `news.example` are one host (for settings.input.allowInternalHosts). */
export function hostKey(hostname: string): string {
  return hostname.toLowerCase().replace(/\.$/, '');
}

/** An IP literal (`127.0.0.1`, `[::1]`) in a special range: refused before any lookup or connection. */
export function isInternalLiteral(hostname: string): boolean {
  const literal = hostname.replace(/^\[|\]$/g, '');
  return isIP(literal) !== 0 && isInternalAddress(literal);
}

/**
 * One GET, no redirects followed: resolves with the response head, rejects on any network failure.
 * The socket connects only to addresses `lookup` checked; `agent: false`, so no pooled socket
 * outlives the fetch or skips the checked lookup of the next one.
 */
export function httpGet(
  url: URL,
  headers: Readonly<Record<string, string>>,
  signal: AbortSignal,
  lookup: ReturnType<typeof createCheckedLookup>,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'GET', headers, agent: false, lookup, signal }, resolve);
    req.on('error', reject);
    req.end();
  });
}
