import { BlockList, isIP } from 'node:net';
import { floodGroup } from './guest-input.js';

/** What the spam pipeline knows about whoever sent a request. */
export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
  referrer: string | null;
}

/**
 * The client's IP: the socket's peer, unless that peer is a trusted proxy, in which case
 * X-Forwarded-For is read from the right, skipping trusted proxies, and the first other address
 * is the client (a hop written with a port counts as its address). Without trusted proxies the
 * header is ignored: anyone can write it.
 */
export function clientIpResolver(trustedProxies: readonly string[]) {
  const trusted = new BlockList();
  for (const entry of trustedProxies) {
    const [address, bits] = entry.split('/') as [string, string | undefined];
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) trusted.addAddress(address, type);
    else trusted.addSubnet(address, Number(bits), type);
  }
  const isTrusted = (ip: string) => {
    const family = isIP(ip);
    return family !== 0 && trusted.check(ip, family === 6 ? 'ipv6' : 'ipv4');
  };
  return (peer: string | null | undefined, forwardedFor: string | null): string | null => {
    let ip = normalize(peer);
    if (!ip || !isTrusted(ip) || !forwardedFor) return ip;
    const hops = forwardedFor.split(',').map((hop) => normalize(hop.trim()));
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i];
      if (!hop) break;
      ip = hop;
      if (!isTrusted(hop)) break;
    }
    return ip;
  };
}

/**
 * The bare address: without the port some proxies append (`1.2.3.4:5678`, `[2001:db8::1]:443`),
 * and without the IPv4-mapped IPv6 prefix Node reports for IPv4 peers on dual-stack sockets.
 * Null for anything that is not an address.
 */
function normalize(ip: string | null | undefined): string | null {
  if (!ip) return null;
  const withoutPort = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(ip)?.[1] ?? /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(ip)?.[1] ?? ip;
  const plain = withoutPort.toLowerCase().startsWith('::ffff:') && isIP(withoutPort.slice(7)) === 4 ? withoutPort.slice(7) : withoutPort;
  return isIP(plain) ? plain : null;
}

/**
 * The client as every per-client limit counts it (flood control, the blocklist, the subscription
 * cap): an IPv4 address itself; an IPv6 address by its /64 (floodGroup: one customer's network,
 * where a host picks any address at will, so that counting addresses apart gives one customer
 * 2^64 clients); an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, `::ffff:c000:201`, however
 * written) as the IPv4 address it is. Null for no address.
 */
export function clientGroup(ip: string | null): string | null {
  if (!ip) return null;
  const address = ip.replace(/%.*$/, ''); // a zone index (fe80::1%eth0) names an interface, not a host
  if (isIP(address) === 6) {
    // The URL parser writes an IPv6 address one way (lower case, zeros compressed): a mapped one as `::ffff:hhhh:hhhh`.
    const mapped = /^\[::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/.exec(new URL(`http://[${address}]/`).hostname);
    if (mapped) {
      const [high, low] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)];
      return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
    }
  }
  return floodGroup(address);
}
