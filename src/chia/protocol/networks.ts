/**
 * Network facts the gateway needs to find and greet peers (PROTOCOL.md §i.1): the handshake
 * network_id, the default full-node port and the DNS seeders whose A/AAAA records list peers.
 */

export interface NetworkInfo {
  /** The `network_id` sent in the handshake. */
  id: string;
  /** Port a full node of this network listens on by default. */
  defaultPort: number;
  /** Seeders answering A and AAAA queries with full-node addresses (combine with defaultPort). */
  dnsSeeders: readonly string[];
  /** Genesis challenge, 0x-prefixed hex (the previous hash of block 0, §g.2). */
  genesisChallenge: string;
}

const MAINNET_PORT = 8444;
const TESTNET_PORT = 58444;

export const NETWORKS: Readonly<Record<string, NetworkInfo>> = {
  mainnet: {
    id: 'mainnet',
    defaultPort: MAINNET_PORT,
    dnsSeeders: [
      'dns-introducer.chia.net',
      'chia.ctrlaltdel.ch',
      'seeder.dexie.space',
      'chia.hoffmang.com',
      'seeder.xchpool.org',
      'seeder.xchseeder.com',
    ],
    genesisChallenge: '0xccd5bb71183532bff220ba46c268991a3ff07eb358e8255a65c30a2dce0e5fbb',
  },
  testnet11: {
    id: 'testnet11',
    defaultPort: TESTNET_PORT,
    dnsSeeders: ['dns-introducer-testnet11.chia.net'],
    genesisChallenge: '0x37a90eb5185a9c4439a91ddc98bbadce7b4feba060d50116a067de66bf236615',
  },
};

/** Facts for a network id; a private network gets the testnet port and no seeders (peers must be configured). */
export function networkInfo(id: string): NetworkInfo {
  return NETWORKS[id] ?? { id, defaultPort: TESTNET_PORT, dnsSeeders: [], genesisChallenge: '' };
}
