import { describe, expect, it } from 'vitest';
import { types } from '../../src/chia/codec/index.js';
import { NodeType } from '../../src/chia/protocol/message-rules.js';
import { startFakeNode } from '../../fake-node/index.js';
import { connectRaw } from '../../fake-node/raw-client.js';

describe('fake node: devnet mode', () => {
  it('produces blocks on its own and reorgs every reorgEvery blocks', async () => {
    const node = await startFakeNode({ network: 'testnet11', chainLength: 10, devnet: { blockIntervalMs: 60, reorgEvery: 3 } });
    const c = await connectRaw(node.url);
    try {
      await c.handshake(NodeType.WALLET, 'testnet11');
      const peaks = () => c.received.filter((m) => m.name === 'new_peak_wallet').map((m) => types.NewPeakWallet.decode(m.data));
      await c.next(() => peaks().length >= 7, 20_000);
      const seen = peaks().slice(1);
      expect(seen.some((p) => p.fork_point_with_previous_peak === p.height - 1)).toBe(true);
      expect(seen.some((p) => p.fork_point_with_previous_peak < p.height - 1)).toBe(true);
      for (let i = 1; i < seen.length; i++) expect(seen[i]!.weight > seen[i - 1]!.weight).toBe(true);
      expect(node.violations).toEqual([]);
    } finally {
      c.close();
      await node.close();
    }
  });
});

describe('fake node: gossip', () => {
  it('sends FULL_NODE peers signage points, unfinished blocks and transactions around each peak', async () => {
    const node = await startFakeNode({ chainLength: 10, gossip: true });
    const c = await connectRaw(node.url);
    try {
      await c.handshake(NodeType.FULL_NODE);
      await c.nextNamed('new_peak');
      node.chain.addBlock();
      await c.next(() => c.received.filter((m) => m.name === 'new_transaction').length === 2);
      expect(c.received.map((m) => m.name)).toEqual([
        'handshake',
        'request_mempool_transactions',
        'new_signage_point_or_end_of_sub_slot',
        'new_unfinished_block2',
        'new_peak',
        'new_transaction',
        'new_signage_point_or_end_of_sub_slot',
        'new_unfinished_block2',
        'new_peak',
        'new_transaction',
      ]);
      expect(c.received.every((m) => m.id === null)).toBe(true);
    } finally {
      c.close();
      await node.close();
    }
  });
});
