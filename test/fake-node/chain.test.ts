import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { headerHash, sha256, toHex, types, type FullBlock } from '../../src/chia/codec/index.js';
import { NETWORKS } from '../../src/chia/protocol/networks.js';
import { fixtureFile } from '../../fixtures/files.js';
import { TX_EVERY } from '../../fake-node/block-template.js';
import { FakeChain, type PeakInfo } from '../../fake-node/chain.js';
import { TEMPLATE_BLOCK_HEX } from '../../fake-node/fixture-block.js';

const GENESIS = NETWORKS.mainnet!.genesisChallenge;
const genesis = () => Uint8Array.from(Buffer.from(GENESIS.slice(2), 'hex'));

/** The §g.3 checks a careful client makes on a transaction block. */
function checkTransactionLinks(block: FullBlock): void {
  const ftb = block.foliage_transaction_block!;
  const ti = block.transactions_info!;
  expect(block.foliage.foliage_transaction_block_hash).toEqual(sha256(types.FoliageTransactionBlock.encode(ftb)));
  expect(ftb.transactions_info_hash).toEqual(sha256(types.TransactionsInfo.encode(ti)));
  expect(ti.generator_root).toEqual(sha256(block.transactions_generator!));
  expect(ti.generator_refs_root).toEqual(new Uint8Array(32).fill(1));
  expect(block.transactions_generator_ref_list).toEqual([]);
}

describe('fake chain', () => {
  it('uses the respond_block vector of the reference corpus as its template', () => {
    const vectors = JSON.parse(readFileSync(fixtureFile('vectors', 'vectors.json'), 'utf8')) as { name: string; hex: string }[];
    expect(vectors.find((v) => v.name === 'respond_block')?.hex).toBe(TEMPLATE_BLOCK_HEX);
  });

  it('links every block to its predecessor by header hash, from the genesis challenge', () => {
    const chain = new FakeChain(genesis(), 70);
    let prevTx: Uint8Array = genesis();
    for (let h = 0; h < 70; h++) {
      const block = types.FullBlock.decode(chain.fullBlockBytes(h));
      expect(toHex(headerHash(block))).toBe(toHex(chain.headerHash(h)));
      expect(toHex(block.foliage.prev_block_hash)).toBe(h === 0 ? GENESIS : toHex(chain.headerHash(h - 1)));
      expect(block.reward_chain_block.height).toBe(h);
      if (h > 0) {
        const prev = chain.block(h - 1);
        expect(block.reward_chain_block.weight > prev.reward_chain_block.weight).toBe(true);
        expect(block.reward_chain_block.total_iters > prev.reward_chain_block.total_iters).toBe(true);
      }
      const isTx = h % TX_EVERY === 0;
      expect(block.reward_chain_block.is_transaction_block).toBe(isTx);
      expect(block.foliage.foliage_transaction_block_hash !== null).toBe(isTx);
      if (isTx) {
        checkTransactionLinks(block);
        expect(block.foliage_transaction_block!.prev_transaction_block_hash).toEqual(prevTx);
        prevTx = chain.headerHash(h);
      } else {
        expect(block.transactions_info).toBeNull();
        expect(block.transactions_generator).toBeNull();
      }
    }
  });

  it('serves HeaderBlocks with the same header hash and, with a filter, a matching filter_hash', () => {
    const chain = new FakeChain(genesis(), 10);
    for (const h of [0, 1, 3]) {
      const withFilter = types.HeaderBlock.decode(chain.headerBlockBytes(h, true));
      const without = types.HeaderBlock.decode(chain.headerBlockBytes(h, false));
      expect(headerHash(withFilter)).toEqual(chain.headerHash(h));
      expect(without.transactions_filter).toEqual(Uint8Array.of(0));
      if (withFilter.foliage_transaction_block !== null) {
        expect(withFilter.foliage_transaction_block.filter_hash).toEqual(sha256(withFilter.transactions_filter));
      }
    }
  });

  it('strips only the generator when asked to (§e.5)', () => {
    const chain = new FakeChain(genesis(), 4);
    const stripped = types.FullBlock.decode(chain.fullBlockBytes(3, false));
    expect(stripped.transactions_generator).toBeNull();
    expect(stripped.transactions_info).not.toBeNull();
    expect(headerHash(stripped)).toEqual(chain.headerHash(3));
  });

  it('grows with addBlock and announces each peak with fork point height − 1', () => {
    const chain = new FakeChain(genesis(), 5);
    const peaks: PeakInfo[] = [];
    chain.on('peak', (p) => peaks.push(p));
    const peak = chain.addBlock();
    expect(peaks).toEqual([peak]);
    expect(peak).toMatchObject({ height: 5, fork_point_with_previous_peak: 4 });
    expect(chain.block(5).foliage.prev_block_hash).toEqual(chain.headerHash(4));
  });

  it('reorgs: replaces the top blocks with a heavier branch and reports the fork point', () => {
    const chain = new FakeChain(genesis(), 20);
    const before = Array.from({ length: 20 }, (_, h) => chain.headerHash(h));
    const peak = chain.reorg(3);
    expect(peak.height).toBe(20);
    expect(peak.fork_point_with_previous_peak).toBe(16);
    expect(peak.weight > chain.block(19).reward_chain_block.weight).toBe(true);
    for (let h = 0; h <= 16; h++) expect(chain.headerHash(h)).toEqual(before[h]);
    for (let h = 17; h < 20; h++) expect(chain.headerHash(h)).not.toEqual(before[h]);
    for (let h = 17; h <= 20; h++) {
      const block = types.FullBlock.decode(chain.fullBlockBytes(h));
      expect(headerHash(block)).toEqual(chain.headerHash(h));
      expect(block.foliage.prev_block_hash).toEqual(chain.headerHash(h - 1));
    }
    expect(chain.heightOf(before[18]!)).toBeUndefined();
    expect(chain.heightOf(chain.headerHash(18))).toBe(18);
    expect(() => chain.reorg(0)).toThrow(RangeError);
  });

  it('handles long chains lazily: the peak of 25,000 blocks, then blocks deep inside', () => {
    const chain = new FakeChain(genesis(), 25_000);
    expect(chain.peak.height).toBe(24_999);
    const block = types.FullBlock.decode(chain.fullBlockBytes(12_345));
    expect(headerHash(block)).toEqual(chain.headerHash(12_345));
    expect(block.foliage.prev_block_hash).toEqual(chain.headerHash(12_344));
  });

  it('is deterministic for a given genesis', () => {
    expect(new FakeChain(genesis(), 30).peak.header_hash).toEqual(new FakeChain(genesis(), 30).peak.header_hash);
  });
});
