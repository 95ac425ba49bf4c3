import { describe, expect, it } from 'vitest';
import { resolveSeeders } from '../../../src/chia/pool/peer-discovery.js';
import { formatPeer } from '../../../src/chia/protocol/peer-address.js';
import { NETWORKS, networkInfo } from '../../../src/chia/protocol/networks.js';

describe('peer discovery', () => {
  it('combines every seeder answer with the default port, deduplicated, and names the failed seeders', async () => {
    const resolver = async (name: string) => {
      if (name === 'bad') throw new Error('ENOTFOUND');
      return name === 'one' ? ['10.0.0.1', '2001:db8::1'] : ['10.0.0.1', '10.0.0.2'];
    };
    const { peers, failures } = await resolveSeeders(['one', 'bad', 'two'], 8444, resolver);
    expect(peers).toEqual([
      { host: '10.0.0.1', port: 8444 },
      { host: '2001:db8::1', port: 8444 },
      { host: '10.0.0.2', port: 8444 },
    ]);
    expect(failures).toEqual(['bad: ENOTFOUND']);
  });

  it('formats IPv6 addresses with brackets', () => {
    expect(formatPeer({ host: '2001:db8::1', port: 8444 })).toBe('[2001:db8::1]:8444');
    expect(formatPeer({ host: 'node.example', port: 58444 })).toBe('node.example:58444');
  });

  it('knows mainnet and testnet11 (PROTOCOL.md §i.1) and has no seeders for a private network', () => {
    expect(NETWORKS.mainnet?.defaultPort).toBe(8444);
    expect(NETWORKS.mainnet?.dnsSeeders).toContain('dns-introducer.chia.net');
    expect(networkInfo('testnet11').defaultPort).toBe(58444);
    expect(networkInfo('private1')).toMatchObject({ id: 'private1', dnsSeeders: [] });
  });
});
