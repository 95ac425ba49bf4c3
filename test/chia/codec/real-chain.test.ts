/** Real blocks from mainnet and testnet10 (fixtures/real): hashes, byte round trips, node JSON. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { coinId, headerHash, parseJson, toHex, types, type FullBlock } from '../../../src/chia/codec/index.js';
import { fixtureFile } from '../../../fixtures/files.js';
import { jsonDiff, realBytes, realJson } from './corpus.js';

const MAINNET_HEIGHTS = Array.from({ length: 64 }, (_, h) => h);
const pad = (h: number): string => String(h).padStart(6, '0');
const TESTNET10: Record<number, string> = {
  149988: '9c8c068b019238c3965680b0cf36b25138c3900aa2a27d67e3c3fb3f1ead14af',
  300000: '766e3289339ce55e566819a265cc18ba21e43e8c631e1376090a16984452ef6e',
  392111: 'd331c6ddd3c89ab015cc4164df6f15b0abc57d23c6025e8be75430c877483032',
  396963: 'db5c59d6c6b1537239ecf03e6de1e8dc76ad2ef7b2d64b6910a0ff18335db650',
  442734: '24997b2b52edceb75bbe184050bf49bc26f2635f7a8aa72632c590562a79c70e',
  466212: 'd3658fc788580ebb3e50df7d2105ab3e7554cd5afed7ec42f1748d0e50d5eda6',
  1315537: '9176b82be44373def796f7a6d414e9f870d11caa0ad2ff80a8aee479c9043d34',
  1315544: 'ca400d260cac79a75b378c2a1d73b0d277a50f4df01339339f6c59953d76468b',
  1315630: 'e61f0331135b329834d4c66eb8cd47768beee84873aaba51f4a428ad49071dc5',
};

interface IndexRow {
  header_hash: string;
  prev_hash: string;
  is_transaction_block: string;
  transactions_filter_hex: string;
}

function loadIndex(): IndexRow[] {
  const [head, ...rows] = readFileSync(fixtureFile('real', 'mainnet', 'index.tsv'), 'utf8').trim().split('\n');
  const cols = head!.split('\t');
  return rows.map((r) => Object.fromEntries(r.split('\t').map((v, i) => [cols[i], v])) as unknown as IndexRow);
}

/** Decodes, checks the byte round trip and returns the block. */
function roundTrip(bytes: Uint8Array): FullBlock {
  const block = types.FullBlock.decode(bytes);
  expect(toHex(types.FullBlock.encode(block))).toBe(toHex(bytes));
  return block;
}

function nodeJsonCheck(block: FullBlock, node: unknown): void {
  expect(jsonDiff(parseJson(types.FullBlock.toJsonText(block, 'chia')), node)).toEqual([]);
  // The node's (older) JSON must also encode back to the same block.
  expect(toHex(types.FullBlock.encode(types.FullBlock.fromJson(node)))).toBe(toHex(types.FullBlock.encode(block)));
}

describe('mainnet heights 0-63', () => {
  const index = loadIndex();

  it.each(MAINNET_HEIGHTS)('full block %i: header hash, bytes, node JSON', (h) => {
    const block = roundTrip(realBytes('mainnet', 'full', `${pad(h)}.bin`));
    const row = index[h]!;
    expect(toHex(headerHash(block))).toBe('0x' + row.header_hash);
    expect(toHex(block.foliage.prev_block_hash)).toBe('0x' + row.prev_hash);
    expect(block.reward_chain_block.height).toBe(h);
    expect(String(block.reward_chain_block.is_transaction_block)).toBe(row.is_transaction_block === 'True' ? 'true' : 'false');
    expect(block.version).toBe(0);
    expect(block.reward_chain_block.proof_of_space.version).toBe(0);
    nodeJsonCheck(block, realJson('mainnet', 'full-json', `${pad(h)}.json`));
  });

  it.each(MAINNET_HEIGHTS)('header block %i: same hash as the full block, filter, bytes', (h) => {
    const bytes = realBytes('mainnet', 'header', `${pad(h)}.bin`);
    const hb = types.HeaderBlock.decode(bytes);
    expect(toHex(types.HeaderBlock.encode(hb))).toBe(toHex(bytes));
    expect(toHex(headerHash(hb))).toBe('0x' + index[h]!.header_hash);
    expect(toHex(hb.transactions_filter)).toBe('0x' + index[h]!.transactions_filter_hex);
  });

  it('links every height to the previous header hash; genesis links to the genesis challenge', () => {
    const facts = realJson('mainnet', 'facts.json') as { genesis_challenge: { value: string } };
    let prev = '0x' + facts.genesis_challenge.value;
    for (const h of MAINNET_HEIGHTS) {
      const block = types.FullBlock.decode(realBytes('mainnet', 'full', `${pad(h)}.bin`));
      expect(toHex(block.foliage.prev_block_hash)).toBe(prev);
      prev = toHex(headerHash(block));
    }
    expect(prev).toBe('0x4080ba33d1520269e0d012ddb40e93a33b2c11158254e4b9fc168de53bdc49cc');
  });

  it('agrees with the header hashes recorded in facts.json', () => {
    const facts = realJson('mainnet', 'facts.json') as { blocks: { height: number; header_hash: string }[] };
    const known = facts.blocks.filter((b) => b.height < 64);
    expect(known.length).toBeGreaterThan(0);
    for (const b of known) {
      expect(toHex(headerHash(types.FullBlock.decode(realBytes('mainnet', 'full', `${pad(b.height)}.bin`))))).toBe('0x' + b.header_hash);
    }
  });

  it('computes the recorded coin ids (incl. the > 2^63 prefarm amount)', () => {
    const { coin_records } = realJson('mainnet', 'coin_records_0_63.json') as { coin_records: { coin: unknown; _coin_id: string }[] };
    expect(coin_records.length).toBe(124);
    for (const rec of coin_records) expect(toHex(coinId(types.Coin.fromJson(rec.coin)))).toBe(rec._coin_id);
  });
});

describe('mainnet RPC captures', () => {
  it('get_blocks 100-101 matches fullblock_000100/101.bin', () => {
    const { blocks } = realJson('mainnet', 'rpc', 'docs2026_get_blocks_100_101.json') as { blocks: unknown[] };
    // Hash prefixes and suffixes as given in real/README.md.
    const hashes = [['0x9a6c8728', 'c6a7'], ['0x3723909a', 'f56c']] as const;
    for (const [i, h] of [100, 101].entries()) {
      const block = roundTrip(realBytes('mainnet', 'rpc', `fullblock_${pad(h)}.bin`));
      const hash = toHex(headerHash(block));
      expect([hash.slice(0, 10), hash.slice(-4)]).toEqual(hashes[i]);
      expect(block.reward_chain_block.height).toBe(h);
      nodeJsonCheck(block, blocks[i]);
    }
    expect(types.FullBlock.decode(realBytes('mainnet', 'rpc', 'fullblock_000101.bin')).foliage.prev_block_hash).toEqual(
      headerHash(types.FullBlock.decode(realBytes('mainnet', 'rpc', 'fullblock_000100.bin'))),
    );
  });

  it.each([
    ['docs2021_get_block_914661.json', 'fullblock_914661_uncompacted.bin'],
    ['docs2026_get_block_914661_compacted.json', 'fullblock_914661_compacted.bin'],
  ])('%s matches %s; both have the same header hash', (json, bin) => {
    const block = roundTrip(realBytes('mainnet', 'rpc', bin));
    nodeJsonCheck(block, (realJson('mainnet', 'rpc', json) as { block: unknown }).block);
    expect(toHex(headerHash(block)).slice(0, 10)).toBe('0xf42b4e77');
  });

  it('coin ids of a get_additions_and_removals capture link every addition to a removal', () => {
    const capture = realJson('mainnet', 'rpc', 'docs2026_get_additions_and_removals_3339504.json') as {
      additions: { coin: unknown; coinbase: boolean }[];
      removals: { coin: unknown }[];
    };
    expect(capture.additions.length).toBe(14);
    expect(capture.removals.length).toBe(6);
    // A non-coinbase coin is created by spending its parent in the same block.
    const removalIds = new Set(capture.removals.map((r) => toHex(coinId(types.Coin.fromJson(r.coin)))));
    const spent = capture.additions.filter((a) => !a.coinbase);
    expect(spent.length).toBe(8);
    for (const a of spent) expect(removalIds.has(toHex(types.Coin.fromJson(a.coin).parent_coin_info))).toBe(true);
  });
});

describe('testnet10 blocks (with generators)', () => {
  it.each(Object.entries(TESTNET10))('height %s: header hash, bytes, node JSON', (height, hash) => {
    const block = roundTrip(realBytes('testnet10', `fullblock_${height}.bin`));
    expect(toHex(headerHash(block))).toBe('0x' + hash);
    expect(block.reward_chain_block.height).toBe(Number(height));
    nodeJsonCheck(block, (realJson('testnet10', `get_block_${height}.json`) as { block: unknown }).block);
  });

  it('block 466212 carries a 110,913-byte generator referencing 442734', () => {
    const block = types.FullBlock.decode(realBytes('testnet10', 'fullblock_466212.bin'));
    expect(block.transactions_generator?.length).toBe(110_913);
    expect(block.transactions_generator_ref_list).toEqual([442734]);
  });

  it('header block 300000 has the full block header hash', () => {
    const bytes = realBytes('testnet10', 'headerblock_300000.bin');
    const hb = types.HeaderBlock.decode(bytes);
    expect(toHex(types.HeaderBlock.encode(hb))).toBe(toHex(bytes));
    expect(toHex(headerHash(hb))).toBe('0x' + TESTNET10[300000]);
  });
});
