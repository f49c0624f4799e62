import { BlockList, isIP } from 'node:net';

/**
 * IPv4 ranges a fetch must never reach unless an admin allowed the host by name: loopback, private,
 * CGNAT, link-local (cloud metadata at 169.254.169.254), "this network", multicast, reserved and
 * broadcast, and the IETF, documentation and benchmarking blocks (IANA special-purpose registry).
 */
const INTERNAL_V4: readonly (readonly [string, number])[] = [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches the local host on Linux
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // TEST-NET-1
  ['192.88.99.0', 24], // deprecated 6to4 relay anycast
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // TEST-NET-2
  ['203.0.113.0', 24], // TEST-NET-3
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and 255.255.255.255 broadcast
];

/**
 * IPv6 is checked the other way round: only global unicast (2000::/3) and the forms that carry an
 * IPv4 address the same checks apply to are accepted at all. That refuses ::, ::1, the deprecated
 * IPv4-compatible ::/96, ULA fc00::/7, link-local fe80::/10, site-local fec0::/10, multicast ff00::/8,
 * discard 100::/64, local-use NAT64 64:ff9b:1::/48 and whatever IANA has not handed out yet.
 */
const ACCEPTED_V6: readonly (readonly [string, number])[] = [
  ['2000::', 3],
  ['::ffff:0:0', 96], // IPv4-mapped: the IPv4 address inside is checked
  ['64:ff9b::', 96], // well-known NAT64 prefix: likewise
];

/** Blocks inside the accepted IPv6 space that are still not the open internet. */
const INTERNAL_V6: readonly (readonly [string, number])[] = [
  ['2001::', 23], // IETF protocol assignments: Teredo, benchmarking 2001:2::/48, ORCHID
  ['2001:db8::', 32], // documentation
  ['3fff::', 20], // documentation
];

function buildLists(): { accepted: BlockList; internal: BlockList } {
  const accepted = new BlockList();
  for (const [prefix, bits] of ACCEPTED_V6) accepted.addSubnet(prefix, bits, 'ipv6');
  const internal = new BlockList();
  for (const [prefix, bits] of INTERNAL_V6) internal.addSubnet(prefix, bits, 'ipv6');
  for (const [v4, bits] of INTERNAL_V4) {
    internal.addSubnet(v4, bits, 'ipv4');
    // The same IPv4 block wherever IPv6 carries it: mapped, NAT64 and 6to4 (2002:AABB:CCDD::/48).
    internal.addSubnet(`::ffff:${v4}`, 96 + bits, 'ipv6');
    internal.addSubnet(`64:ff9b::${v4}`, 96 + bits, 'ipv6');
    const [a = 0, b = 0, c = 0, d = 0] = v4.split('.').map(Number);
    const hex = (high: number, low: number) => ((high << 8) | low).toString(16);
    internal.addSubnet(`2002:${hex(a, b)}:${hex(c, d)}::`, 16 + bits, 'ipv6');
  }
  return { accepted, internal };
}

// A table of constants, built once: it holds no state, no connection and reads no environment.
const LISTS = buildLists();

/**
 * Whether an IP address (as DNS or `new URL(...).hostname` gives it, brackets allowed) must not be
 * fetched. Anything that is not an IP address at all counts as internal: the check fails closed.
 */
export function isInternalAddress(address: string): boolean {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  // A zone index (fe80::1%eth0) only exists on link-local and site-scoped addresses.
  if (bare.includes('%')) return true;
  const family = isIP(bare);
  if (family === 4) return LISTS.internal.check(bare, 'ipv4');
  if (family === 6) return !LISTS.accepted.check(bare, 'ipv6') || LISTS.internal.check(bare, 'ipv6');
  return true;
}
