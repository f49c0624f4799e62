import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { isInternalAddress } from './internal-address.js';

/** Turns a host name into its addresses; `dns.lookup(host, { all: true })` unless a test injects one. */
export type ResolveHost = (hostname: string) => Promise<readonly LookupAddress[]>;

export const resolveWithDns: ResolveHost = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses)));
  });

/** Raised by the checked lookup when a name resolves to an internal address; no socket was opened. */
export class InternalAddressError extends Error {
  override readonly name = 'InternalAddressError';
  constructor(
    readonly hostname: string,
    readonly addresses: readonly string[],
  ) {
    super(`${hostname} resolves to an internal address`);
  }
}

export interface CheckedLookupOptions {
  readonly resolve: ResolveHost;
  /** The host was named in `input.allowInternalHosts`: it may resolve to an internal address. */
  readonly allowInternal: boolean;
}

/**
 * A `lookup` for `net.connect` (through the `http`/`https` request options) that checks what it
 * resolved and hands the socket exactly those addresses. Check and connection share one DNS answer,
 * so a name that answers "public" to a check and "127.0.0.1" to the connection (DNS rebinding) has
 * no second answer to give. One internal address among several refuses the host: a socket that
 * falls back from one address to the next (happy eyeballs) must not reach it either.
 */
export function createCheckedLookup(options: CheckedLookupOptions): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    options.resolve(hostname).then(
      (answer) => {
        if (!options.allowInternal && answer.some((a) => isInternalAddress(a.address))) {
          const refused = new InternalAddressError(
            hostname,
            answer.map((a) => a.address),
          );
          callback(refused, '', 0);
          return;
        }
        const wanted = lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : 0;
        const addresses = answer.filter((a) => wanted === 0 || a.family === wanted);
        const first = addresses[0];
        if (!first) {
          const error: NodeJS.ErrnoException = new Error(`${hostname}: no address`);
          error.code = 'ENOTFOUND';
          callback(error, '', 0);
        } else if (lookupOptions.all) {
          // net.connect asks for every address when it may try them in turn (autoSelectFamily).
          callback(null, addresses);
        } else {
          callback(null, first.address, first.family);
        }
      },
      (error: unknown) => callback(error as NodeJS.ErrnoException, '', 0),
    );
  };
}
