/**
 * CHIA_GATEWAY_TRUST_PROXY: which peers may report the client address in X-Forwarded-For, in explicit
 * forms of Fastify's `trustProxy` option (https://fastify.dev/docs/latest/Reference/Server/#trustproxy):
 * true (every hop), a hop count, or a list of proxy addresses and CIDRs. Names like `loopback` and
 * netmask notation are refused so that what is trusted stays visible in the value itself.
 */
import { isIP } from 'node:net';
import type { ConfigIssue } from './config-error.js';

/**
 * Peers trusted to report the client address in X-Forwarded-For (Fastify's `trustProxy`): false
 * (none: the socket's peer is the client), true (every hop), a hop count, or proxy addresses/CIDRs.
 */
export type TrustProxy = boolean | number | string[];

/** More hops than any real chain of proxies: a larger count is a mistake. */
export const MAX_PROXY_HOPS = 32;
const DIGITS = /^\d+$/;
const IPV4_BITS = 32;
const IPV6_BITS = 128;

/** What the option accepts, as error messages word it. */
export const TRUST_PROXY_EXPECTED =
  `true, false, a hop count from 1 to ${MAX_PROXY_HOPS}, or a comma-separated list of proxy IP addresses or CIDRs (e.g. 127.0.0.1,10.0.0.0/8)`;

/** Whether text is an IPv4 or IPv6 address, optionally with a prefix length that fits it (10.0.0.0/8, fd00::/8). */
export function isAddressOrCidr(text: string): boolean {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  // A zone id (fe80::1%eth0) passes isIP but not the proxy-address matcher Fastify uses.
  const family = address.includes('%') ? 0 : isIP(address);
  if (family === 0) return false;
  if (slash < 0) return true;
  const bits = text.slice(slash + 1);
  return DIGITS.test(bits) && Number(bits) <= (family === 4 ? IPV4_BITS : IPV6_BITS);
}

/** Fastify's trust function of a hop count: the nearest `hops` peers are proxies, whatever their address. */
function trustHops(hops: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < hops;
}

/**
 * The `trustProxy` option Fastify gets. Fastify 5.12 treats a bare number as "trust nothing" (a hop
 * count cannot tell a proxy from a client that connects directly), so a hop count becomes the trust
 * function proxy-addr used to build from it; like `true`, it is only safe when the proxy is the one
 * way in, as the README says.
 */
export function fastifyTrustProxy(value: TrustProxy): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof value === 'number' ? trustHops(value) : value;
}

/** Parses the option's text; a bad value becomes an issue naming `name`, and trusts no proxy. */
export function parseTrustProxy(text: string, name: string, issues: ConfigIssue[]): TrustProxy {
  const value = text.trim();
  const keyword = value.toLowerCase();
  if (keyword === 'true') return true;
  if (keyword === 'false') return false;
  const bad = (why: string): false => {
    issues.push({ name, message: `expected ${TRUST_PROXY_EXPECTED}, got "${text}"${why}` });
    return false;
  };
  if (DIGITS.test(value)) {
    const hops = Number(value);
    return hops >= 1 && hops <= MAX_PROXY_HOPS ? hops : bad(`: a hop count must be from 1 to ${MAX_PROXY_HOPS}`);
  }
  const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) return bad('');
  const invalid = items.filter((item) => !isAddressOrCidr(item));
  if (invalid.length > 0) return bad(`: ${invalid.map((i) => `"${i}"`).join(', ')} ${invalid.length === 1 ? 'is not an IP address or CIDR' : 'are not IP addresses or CIDRs'}`);
  return items;
}
