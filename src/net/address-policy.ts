import { isIP } from 'node:net';
import { cidrContains, ipToBigInt, parseCidr, type Cidr } from '../config/cidr.ts';

/**
 * Which addresses the outbound guard refuses (RELIABILITY decision 6, SSRF-01..04). IPv4 blocks
 * are the IANA special-purpose registry entries that are not globally reachable, plus multicast
 * and the reserved 240/4. IPv6 is refused outside global unicast (2000::/3) and in the special
 * blocks inside it; addresses that embed an IPv4 address (mapped, NAT64, 6to4, ISATAP) are judged
 * by the embedded address, because that is where the packets end up.
 */
const blockedV4: readonly (readonly [string, string])[] = [
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'cgnat'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'ietf-protocol'],
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', '6to4-relay'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmark'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
];

const blockedV6InGlobal: readonly (readonly [string, string])[] = [
  // 2001::/23 holds Teredo (2001::/32), benchmarking (2001:2::/48), ORCHID and other protocol
  // assignments; none is a sensible webhook target and Teredo hides an IPv4 address.
  ['2001::/23', 'ietf-protocol'],
  ['2001:db8::/32', 'documentation'],
  ['3fff::/20', 'documentation'],
];

const v4Blocks = blockedV4.map(([text, name]) => ({ cidr: parseCidr(text), name }));
const v6Blocks = blockedV6InGlobal.map(([text, name]) => ({ cidr: parseCidr(text), name }));

function v4Text(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => ((value >> shift) & 0xffn).toString()).join('.');
}

function blockedV4Range(address: string): string | undefined {
  return v4Blocks.find((b) => cidrContains(b.cidr, address))?.name;
}

/**
 * The name of the blocked range an IP address falls in, or `undefined` for a public address.
 * Throws on a string that is not an IP address.
 *
 * @example
 *   blockedRangeOf('169.254.169.254'); // 'link-local'
 *   blockedRangeOf('::ffff:7f00:1');    // 'loopback (embedded in ipv4-mapped)'
 *   blockedRangeOf('93.184.216.34');    // undefined
 */
export function blockedRangeOf(address: string): string | undefined {
  const { family, value } = ipToBigInt(address);
  if (family === 4) return blockedV4Range(address);

  const embedded = (kind: string, v4: bigint): string | undefined => {
    const range = blockedV4Range(v4Text(v4));
    return range === undefined ? undefined : `${range} (embedded in ${kind})`;
  };
  const low32 = value & 0xffffffffn;
  const top96 = value >> 32n;
  if (top96 === 0xffffn) return embedded('ipv4-mapped', low32);
  // ::ffff:0:a.b.c.d, the SIIT "IPv4-translated" form.
  if (top96 === 0xffff0000n) return embedded('ipv4-translated', low32);
  // ::/96 holds ::, ::1 and the deprecated IPv4-compatible form: nothing here is a public host.
  if (top96 === 0n) return value === 0n ? 'unspecified' : value === 1n ? 'loopback' : 'ipv4-compatible';
  if (top96 === 0x0064ff9b0000000000000000n) return embedded('nat64', low32);
  if (value >> 125n !== 1n) {
    const first16 = value >> 112n;
    if (first16 >= 0xfe80n && first16 <= 0xfebfn) return 'link-local';
    if (first16 >= 0xfec0n && first16 <= 0xfeffn) return 'site-local';
    if (first16 >> 9n === 0x7en) return 'unique-local';
    if (first16 >> 8n === 0xffn) return 'multicast';
    return 'reserved';
  }
  const special = v6Blocks.find((b) => cidrContains(b.cidr, address));
  if (special) return special.name;
  if (value >> 112n === 0x2002n) return embedded('6to4', (value >> 80n) & 0xffffffffn);
  const isatapMarker = (value >> 32n) & 0xffffffffn;
  if (isatapMarker === 0x00005efen || isatapMarker === 0x02005efen) return embedded('isatap', low32);
  return undefined;
}

/** Why an address may or may not be reached: `allowed` with the allowlist entry that permits it. */
export type AddressDecision =
  | { readonly allowed: true; readonly via: 'public' | string }
  | { readonly allowed: false; readonly range: string };

/**
 * Decides one resolved or literal address: public addresses pass, blocked ones pass only when an
 * entry of `TOUCHPOINT_ALLOW_TARGETS` contains them.
 *
 * @example
 *   decideAddress('127.0.0.1', [parseCidr('127.0.0.1/32')]); // { allowed: true, via: '127.0.0.1/32' }
 */
export function decideAddress(address: string, allowTargets: readonly Cidr[]): AddressDecision {
  if (isIP(address) === 0) return { allowed: false, range: 'not-an-ip' };
  const range = blockedRangeOf(address);
  if (range === undefined) return { allowed: true, via: 'public' };
  const entry = allowTargets.find((cidr) => cidrContains(cidr, address));
  if (entry) return { allowed: true, via: entry.text };
  return { allowed: false, range };
}
