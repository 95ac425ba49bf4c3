/**
 * Peer addresses (PROTOCOL.md §a.1): parsed as written in configuration (`host:port`, `host`,
 * `[ipv6]:port`, `[ipv6]`), and the one `host:port` rendering of logs, link ids and URLs. IPv6
 * literals need brackets, otherwise `::1:8444` would be ambiguous.
 */
import { isIP, isIPv4, isIPv6 } from 'node:net';
import type { PeerAddress } from '../upstream-api.js';

const MAX_PORT = 65_535;
/** RFC 1123 host names: dot-separated labels of letters, digits and inner hyphens. */
const HOSTNAME = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

export type PeerParse = { ok: true; peer: PeerAddress } | { ok: false; error: string };

function parsePort(text: string): number | null {
  if (!/^\d{1,5}$/.test(text)) return null;
  const port = Number(text);
  return port >= 1 && port <= MAX_PORT ? port : null;
}

/** Whether the text is an IP address (IPv6 without brackets) or a host name: what a listen address may be. */
export function isHostOrAddress(text: string): boolean {
  return isIP(text) !== 0 || HOSTNAME.test(text);
}

/** One peer; `defaultPort` applies when the port is omitted. IPv6 hosts are returned without brackets. */
export function parsePeer(input: string, defaultPort: number): PeerParse {
  const text = input.trim();
  let host: string;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(text);
  if (bracketed) {
    host = bracketed[1] ?? '';
    portText = bracketed[2];
    if (!isIPv6(host)) return { ok: false, error: `"${input}": [${host}] is not an IPv6 address` };
  } else {
    const parts = text.split(':');
    if (parts.length > 2) return { ok: false, error: `"${input}": IPv6 addresses must be in brackets, e.g. [${text}]:8444` };
    host = parts[0] ?? '';
    portText = parts[1];
    if (!isIPv4(host) && !HOSTNAME.test(host)) return { ok: false, error: `"${input}": "${host}" is not a host name or IP address` };
  }
  if (portText === undefined) return { ok: true, peer: { host, port: defaultPort } };
  const port = parsePort(portText);
  if (port === null) return { ok: false, error: `"${input}": port must be an integer from 1 to ${MAX_PORT}` };
  return { ok: true, peer: { host, port } };
}

/** `host:port` with IPv6 hosts in brackets: the one rendering of an address (logs, link ids, peer keys, URLs). */
export function formatPeer(peer: PeerAddress): string {
  return isIPv6(peer.host) ? `[${peer.host}]:${peer.port}` : `${peer.host}:${peer.port}`;
}
