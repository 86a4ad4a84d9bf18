/**
 * Network rules for calls the platform makes on a merchant's behalf (Result URLs and the like): never to
 * loopback, private, link-local or CGNAT addresses, in any spelling (IPv6, IPv4-mapped IPv6, trailing dot).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { Readable } from 'node:stream';

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

/**
 * A fetch for calls to merchants' servers that checks every address at connection time, after the DNS
 * lookup the connection itself uses. Checking a name beforehand is not enough: its DNS answer can change
 * between the check and the connection (DNS rebinding) and send the call into the private network.
 * It covers what the platform's calls use: method, headers, a string body, a signal; redirects are
 * never followed (the answer is returned as is).
 */
export function createPublicOnlyFetch(isRefused: (address: string) => boolean = isPrivateHost): typeof fetch {
  const checkedLookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const refused = addresses.find((entry) => isRefused(entry.address));
      if (refused !== undefined || addresses.length === 0) {
        const reason = refused ? `resolves to the private address ${refused.address}` : 'has no addresses';
        return callback(new Error(`refused: ${hostname} ${reason}`), '', 0);
      }
      if (options.all) return (callback as AllAddressesCallback)(null, addresses);
      const [first] = addresses as [LookupAddress];
      return callback(null, first.address, first.family);
    });
  };
  return async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // Connections to an address literal skip the lookup, so literals are checked here.
    if (isIP(host) !== 0 && isRefused(host)) throw new Error(`refused: ${host} is a private address`);
    return sendRequest(url, init, checkedLookup);
  };
}

type AllAddressesCallback = (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void;

function sendRequest(url: URL, init: RequestInit, lookup: LookupFunction): Promise<Response> {
  const transport = url.protocol === 'https:' ? https : http;
  const headers = Object.fromEntries(new Headers(init.headers).entries());
  return new Promise<Response>((resolve, reject) => {
    const request = transport.request(
      url,
      { method: init.method ?? 'GET', headers, lookup, agent: false, signal: init.signal ?? undefined },
      (incoming) => {
        const responseHeaders = new Headers();
        for (let index = 0; index + 1 < incoming.rawHeaders.length; index += 2) {
          responseHeaders.append(incoming.rawHeaders[index] ?? '', incoming.rawHeaders[index + 1] ?? '');
        }
        const status = incoming.statusCode ?? 502;
        const hasBody = status !== 204 && status !== 304 && init.method !== 'HEAD';
        const body = hasBody ? (Readable.toWeb(incoming) as ReadableStream<Uint8Array>) : null;
        if (!hasBody) incoming.resume();
        resolve(new Response(body, { status, headers: responseHeaders }));
      },
    );
    request.on('error', reject);
    if (init.body !== undefined && init.body !== null && typeof init.body !== 'string') {
      request.destroy();
      return reject(new TypeError('the public-only fetch sends string bodies only'));
    }
    request.end(init.body ?? undefined);
  });
}
