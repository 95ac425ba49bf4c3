/** decodeBlockList: block-list payloads decoded block by block with each block's exact bytes. */
import { describe, expect, it } from 'vitest';
import { decodeBlockList, fromHex, headerHash, toHex, types } from '../../../src/chia/codec/index.js';
import { catchCodec } from './catch-codec.js';
import { loadVectors, realBytes } from './corpus.js';

const vector = (cls: string): Uint8Array => fromHex(loadVectors().find((v) => v.class === cls)!.hex);

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
const u32 = (n: number): Uint8Array => fromHex(n.toString(16).padStart(8, '0'));

describe('decodeBlockList', () => {
  it('splits respond_blocks of real mainnet blocks into exact byte slices', () => {
    const blocks = [10, 11, 12].map((h) => realBytes('mainnet', 'full', `${String(h).padStart(6, '0')}.bin`));
    const payload = concat(u32(10), u32(12), u32(3), ...blocks);
    const list = decodeBlockList('RespondBlocks', payload);
    expect([list.start_height, list.end_height]).toEqual([10, 12]);
    expect(list.blocks.map((b) => toHex(b.bytes))).toEqual(blocks.map(toHex));
    expect(list.blocks.map((b) => (b.value as { reward_chain_block: { height: number } }).reward_chain_block.height)).toEqual([10, 11, 12]);
    expect(list.blocks[1]!.bytes.buffer).toBe(payload.buffer); // a view, not a copy
    expect(toHex(headerHash(list.blocks[1]!.value))).toBe(toHex(headerHash(types.FullBlock.decode(blocks[1]!))));
  });

  it('agrees with the generic decoders on the corpus vectors', () => {
    for (const kind of ['RespondBlocks', 'RespondBlockHeaders', 'RespondHeaderBlocks'] as const) {
      const payload = vector(kind);
      const list = decodeBlockList(kind, payload);
      const generic = types[kind].decode(payload) as { blocks?: unknown[]; header_blocks?: unknown[] };
      expect(list.blocks.map((b) => b.value)).toEqual(generic.blocks ?? generic.header_blocks);
    }
  });

  it('reports errors with the block index and rejects trailing bytes', () => {
    const block = realBytes('mainnet', 'full', '000001.bin');
    const truncated = concat(u32(1), u32(2), u32(2), block, block.subarray(0, 100));
    const err = catchCodec(() => decodeBlockList('RespondBlocks', truncated));
    expect(err.path).toMatch(/^RespondBlocks\.blocks\[1\]\.[a-z_]+/);
    expect(() => decodeBlockList('RespondBlocks', concat(u32(1), u32(1), u32(1), block, new Uint8Array(1)))).toThrow(/trailing/);
    expect(catchCodec(() => decodeBlockList('RespondHeaderBlocks', concat(u32(1), u32(1), u32(100_000)))).path).toBe(
      'RespondHeaderBlocks.header_blocks',
    );
  });
});
