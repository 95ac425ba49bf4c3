/**
 * Where links connect: the configured peers, or else the network's DNS seeders (PROTOCOL.md §i.1),
 * whose A and AAAA records list full nodes listening on the network's default port.
 */
import { promises as dns } from 'node:dns';
import type { PeerAddress } from '../upstream-api.js';

/** Resolves a host name to IP addresses (A and AAAA); injectable for tests. */
export type HostResolver = (hostname: string) => Promise<string[]>;

/** node:dns resolver: A and AAAA records, a failure of one family is not an error. */
export const dnsResolver: HostResolver = async (hostname) => {
  const [v4, v6] = await Promise.allSettled([dns.resolve4(hostname), dns.resolve6(hostname)]);
  const found = [...(v4.status === 'fulfilled' ? v4.value : []), ...(v6.status === 'fulfilled' ? v6.value : [])];
  if (found.length === 0 && v4.status === 'rejected') throw v4.reason;
  return found;
};

/** Every address the seeders return, with `port`, deduplicated, and the seeders that failed (`name: error`). */
export async function resolveSeeders(seeders: readonly string[], port: number, resolver: HostResolver): Promise<{ peers: PeerAddress[]; failures: string[] }> {
  const results = await Promise.allSettled(seeders.map((seeder) => resolver(seeder)));
  const hosts = new Set<string>();
  const failures: string[] = [];
  results.forEach((result, i) => {
    if (result.status === 'fulfilled') for (const host of result.value) hosts.add(host);
    else failures.push(`${seeders[i]}: ${result.reason instanceof Error ? result.reason.message : String(result.reason)}`);
  });
  return { peers: [...hosts].map((host) => ({ host, port })), failures };
}
