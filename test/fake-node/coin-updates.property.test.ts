import { describe, expect, it } from 'vitest';
import { coinId, sha256, types, type CoinState } from '../../src/chia/codec/index.js';
import { NodeType } from '../../src/chia/protocol/message-rules.js';
import { startFakeNode } from '../../fake-node/index.js';
import { connectRaw } from '../../fake-node/raw-client.js';

/** A small deterministic PRNG (mulberry32), so a failing sequence can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const STEPS = 40;
const SEEDS = [1, 2, 3];

describe('fake node: coin_state_update property', () => {
  it.each(SEEDS)('a subscriber that applies every update ends with exactly the chain’s coin states (seed %i)', async (seed) => {
    const random = prng(seed);
    const node = await startFakeNode({ chainLength: 12 });
    const c = await connectRaw(node.url);
    try {
      const chain = node.chain;
      const watched = sha256(Buffer.from(`watched ${seed}`));
      await c.handshake(NodeType.WALLET);
      await c.nextNamed('new_peak_wallet');
      c.send('register_for_ph_updates', { puzzle_hashes: [watched], min_height: 0 }, 1);
      await c.nextNamed('respond_to_ph_updates', 1);
      for (let step = 0; step < STEPS; step++) {
        const r = random();
        if (r < 0.3) chain.addCoin({ puzzle_hash: random() < 0.5 ? watched : sha256(Buffer.from(`other ${step}`)), amount: BigInt(step + 1), hint: random() < 0.5 ? watched : null });
        const unspent = chain.coins.unspentOf(watched).filter((rec) => !chain.mempool.spends(rec.id));
        if (r >= 0.3 && r < 0.5 && unspent.length > 0) chain.spendCoin(unspent[0]!.id, [{ puzzle_hash: watched, amount: 1n }]);
        const peak = r > 0.85 && chain.height > 4 ? chain.reorg(1 + Math.floor(random() * 3)) : random() < 0.5 ? chain.addBlock() : chain.addTransactionBlock();
        await c.next((m) => m.name === 'new_peak_wallet' && types.NewPeakWallet.decode(m.data).height === peak.height && hex(types.NewPeakWallet.decode(m.data).header_hash) === hex(peak.header_hash));
      }
      // Replay the updates: a state without a created height is a coin a reorg removed.
      const seen = new Map<string, CoinState>();
      for (const m of c.received.filter((x) => x.name === 'coin_state_update')) {
        for (const s of types.CoinStateUpdate.decode(m.data).items) {
          if (s.created_height === null) seen.delete(hex(coinId(s.coin)));
          else seen.set(hex(coinId(s.coin)), s);
        }
      }
      const truth = chain.coins.statesByPuzzleHashes([watched], 0, true, Number.MAX_SAFE_INTEGER);
      expect(truth.length).toBeGreaterThan(0);
      expect(c.received.some((m) => m.name === 'coin_state_update' && types.CoinStateUpdate.decode(m.data).items.some((s) => s.created_height === null))).toBe(true);
      expect(new Map(truth.map((s) => [hex(coinId(s.coin)), s]))).toEqual(seen);
      expect(node.violations).toEqual([]);
    } finally {
      c.close();
      await node.close();
    }
  });
});
