/** The parse steps of options that hold addresses: peers, the listen host, allowed origins. */
import { type PeerAddress, formatPeer, isHostOrAddress, networkInfo, parsePeer } from '../chia/index.js';
import type { OptionContext } from './option-row.js';
import { quoteValue } from './secret-text.js';

/** Peers from `host[:port]` items, the port defaulting to the network's; each bad or repeated item is reported. */
export function parsePeers(list: readonly string[], network: string, ctx: OptionContext): PeerAddress[] {
  // An empty list (`,`) asks the DNS seeders, as no list does.
  const required = list.length === 0 ? peersRequired(network) : undefined;
  if (required !== undefined) ctx.issues.push({ name: ctx.name, message: required });
  const { defaultPort } = networkInfo(network);
  const peers: PeerAddress[] = [];
  const seen = new Set<string>();
  for (const item of list) {
    const parsed = parsePeer(item, defaultPort);
    if (!parsed.ok) {
      ctx.issues.push({ name: ctx.name, message: parsed.error });
      continue;
    }
    const id = formatPeer(parsed.peer).toLowerCase();
    if (seen.has(id)) ctx.issues.push({ name: ctx.name, message: `"${item}" is listed twice` });
    else peers.push(parsed.peer);
    seen.add(id);
  }
  return peers;
}

/** Why peers must be given on this network: it has no DNS seeders to ask. */
export function peersRequired(network: string): string | undefined {
  return networkInfo(network).dnsSeeders.length === 0 ? `required for network "${network}": no DNS seeders are known for it` : undefined;
}

/** The listen address as given; one that is neither an IP address nor a host name is reported. */
export function checkHost(host: string, ctx: OptionContext): string {
  if (!isHostOrAddress(host)) {
    ctx.issues.push({ name: ctx.name, message: `expected an IP address or a host name (127.0.0.1, 0.0.0.0, ::, localhost), got ${quoteValue(host)}` });
  }
  return host;
}

function isOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === text;
  } catch {
    return false;
  }
}

/** Origins (`*` for any, alone); each one that is not a bare origin is reported. */
export function parseOrigins(list: string[], ctx: OptionContext): string[] {
  for (const origin of list) {
    if (origin === '*') continue;
    if (!isOrigin(origin)) ctx.issues.push({ name: ctx.name, message: `"${origin}" is not an origin like https://example.com or http://localhost:3000 (no path, no trailing slash)` });
  }
  if (list.includes('*') && list.length > 1) ctx.issues.push({ name: ctx.name, message: '* allows any origin; do not combine it with others' });
  return list;
}
