import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { createCheckedLookup, InternalAddressError } from '../../src/adapters/http/checked-lookup.js';
import { isInternalAddress } from '../../src/adapters/http/internal-address.js';

/** The host part `new URL()` makes of a URL: the spelling a fetch actually checks. */
const hostOf = (url: string) => new URL(url).hostname;

describe('isInternalAddress', () => {
  it.each([
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'this network'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.255', 'carrier-grade NAT'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['192.0.0.8', 'IETF protocol assignments'],
    ['192.0.2.10', 'TEST-NET-1'],
    ['198.51.100.7', 'TEST-NET-2'],
    ['203.0.113.9', 'TEST-NET-3'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['192.88.99.1', '6to4 relay anycast'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['::', 'IPv6 unspecified'],
    ['::1', 'IPv6 loopback'],
    ['[::1]', 'IPv6 loopback in brackets'],
    ['fe80::1', 'IPv6 link-local'],
    ['fe80::1%eth0', 'IPv6 link-local with a zone'],
    ['febf::1', 'IPv6 link-local, top of fe80::/10'],
    ['fec0::1', 'IPv6 site-local'],
    ['fc00::1', 'IPv6 unique local'],
    ['fd12:3456::1', 'IPv6 unique local'],
    ['ff02::1', 'IPv6 multicast'],
    ['100::1', 'IPv6 discard'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, hex'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped metadata address'],
    ['::ffff:10.1.2.3', 'IPv4-mapped private'],
    ['::127.0.0.1', 'IPv4-compatible loopback'],
    ['::ffff:0:127.0.0.1', 'IPv4-translated loopback'],
    ['64:ff9b::7f00:1', 'NAT64 of loopback'],
    ['64:ff9b::192.168.0.1', 'NAT64 of a private address'],
    ['64:ff9b:1::1', 'local-use NAT64'],
    ['2002:7f00:1::1', '6to4 of loopback'],
    ['2002:c0a8:101::1', '6to4 of 192.168.1.1'],
    ['2001:db8::1', 'IPv6 documentation'],
    ['3fff::1', 'IPv6 documentation'],
    ['2001::1', 'Teredo'],
    ['2001:2::1', 'IPv6 benchmarking'],
    ['localhost', 'not an address at all (fails closed)'],
    ['', 'empty (fails closed)'],
  ])('%s is internal (%s)', (address) => {
    expect(isInternalAddress(address)).toBe(true);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.215.14',
    '100.63.255.255', // just below CGNAT
    '100.128.0.0', // just above CGNAT
    '172.15.255.255', // just below 172.16/12
    '172.32.0.0', // just above
    '192.169.0.1',
    '198.20.0.1', // just above benchmarking
    '223.255.255.255', // just below multicast
    '2606:4700:4700::1111',
    '2a00:1450:4001:80b::200e',
    '::ffff:8.8.8.8', // mapped, but the IPv4 inside is public
    '64:ff9b::808:808', // NAT64 of 8.8.8.8
    '2002:808:808::1', // 6to4 of 8.8.8.8
    '2001:200::1', // just above 2001::/23
  ])('%s is public', (address) => {
    expect(isInternalAddress(address)).toBe(false);
  });

  it.each([
    ['http://2130706433/', 'decimal'],
    ['http://0x7f000001/', 'hex'],
    ['http://0177.0.0.1/', 'octal'],
    ['http://017700000001/', 'octal, one number'],
    ['http://0x7f.1/', 'hex, short form'],
    ['http://127.1/', 'short form'],
    ['http://127.0.0.1./', 'trailing dot'],
    ['http://[::1]/', 'IPv6 brackets'],
    ['http://[0:0:0:0:0:0:0:1]/', 'IPv6 written out'],
    ['http://[::ffff:127.0.0.1]/', 'IPv4-mapped, dotted'],
    ['http://[::ffff:7f00:1]/', 'IPv4-mapped, hex'],
    ['http://[0:0:0:0:0:ffff:7f00:1]/', 'IPv4-mapped, written out'],
    ['http://0251.0376.0251.0376/', 'octal metadata address'],
    ['http://0xa9fea9fe/', 'hex metadata address'],
    ['http://2852039166/', 'decimal metadata address'],
    ['http://0/', 'a lone zero'],
    ['http://[fe80::1]/', 'IPv6 link-local'],
  ])('%s (%s) is internal once the URL parser has read it', (url) => {
    expect(isInternalAddress(hostOf(url))).toBe(true);
  });
});

/** Calls a lookup as net.connect does and returns what it handed the socket. */
function callLookup(
  answer: readonly LookupAddress[],
  options: { allowInternal?: boolean; all?: boolean; family?: number } = {},
): Promise<{ error: Error | null; address: string | LookupAddress[]; calls: number }> {
  let calls = 0;
  const lookup = createCheckedLookup({
    resolve: async () => {
      calls += 1;
      return answer;
    },
    allowInternal: options.allowInternal ?? false,
  });
  return new Promise((resolve) => {
    lookup('news.example', { all: options.all ?? false, family: options.family ?? 0 }, (error, address) =>
      resolve({ error, address, calls }),
    );
  });
}

describe('createCheckedLookup', () => {
  it('hands the socket exactly the addresses it checked, from one DNS answer', async () => {
    const answer = [
      { address: '93.184.215.14', family: 4 },
      { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
    ];
    expect(await callLookup(answer, { all: true })).toEqual({ error: null, address: answer, calls: 1 });
    expect(await callLookup(answer)).toEqual({ error: null, address: '93.184.215.14', calls: 1 });
    expect((await callLookup(answer, { family: 6 })).address).toBe('2606:2800:21f:cb07:6820:80da:af6b:8b2c');
  });

  it('refuses the host when any address is internal, even one the socket would try second', async () => {
    const mixed = [
      { address: '93.184.215.14', family: 4 },
      { address: '127.0.0.1', family: 4 },
    ];
    for (const options of [{ all: true }, { all: false }, { family: 6 }]) {
      const outcome = await callLookup(mixed, options);
      expect(outcome.error).toBeInstanceOf(InternalAddressError);
      expect(outcome.calls).toBe(1);
    }
    const v6 = await callLookup([{ address: '::ffff:169.254.169.254', family: 6 }]);
    expect(v6.error).toBeInstanceOf(InternalAddressError);
  });

  it('lets an allowed host resolve to an internal address', async () => {
    const answer = [{ address: '10.1.2.3', family: 4 }];
    expect(await callLookup(answer, { allowInternal: true, all: true })).toEqual({
      error: null,
      address: answer,
      calls: 1,
    });
  });

  it('answers ENOTFOUND for an empty answer rather than connecting anywhere', async () => {
    const outcome = await callLookup([]);
    expect((outcome.error as NodeJS.ErrnoException | null)?.code).toBe('ENOTFOUND');
  });
});
