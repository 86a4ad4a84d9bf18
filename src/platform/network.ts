/**
 * Network rules for calls the platform makes on a merchant's behalf (Result URLs and the like): never to
 * loopback, private, link-local or CGNAT addresses, in any spelling (IPv6, IPv4-mapped IPv6, trailing dot).
 */
import { BlockList, isIP } from 'node:net';

/** Addresses the platform must never call on a merchant's behalf: loopback, private, link-local, CGNAT. */
const PRIVATE_ADDRESSES = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  PRIVATE_ADDRESSES.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const) {
  PRIVATE_ADDRESSES.addSubnet(network, prefix, 'ipv6');
}

/** IPv4-mapped IPv6 (::ffff:7f00:1) is the IPv4 address in disguise. */
function unmapIpv4(address: string): string {
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!mapped?.[1] || !mapped[2]) return address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
  const high = parseInt(mapped[1], 16);
  const low = parseInt(mapped[2], 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

export function isPrivateHost(hostname: string): boolean {
  const host = hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const address = unmapIpv4(host);
  const family = isIP(address);
  if (family === 0) return false;
  return PRIVATE_ADDRESSES.check(address, family === 4 ? 'ipv4' : 'ipv6');
}
