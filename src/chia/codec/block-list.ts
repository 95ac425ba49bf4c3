/** Block-list responses decoded block by block, keeping each block's exact bytes (for hashing/caching). */
import { FullBlock, HeaderBlock } from './blocks.js';
import type { Codec } from './codec.js';
import { CodecError } from './errors.js';
import { Reader } from './reader.js';

export type BlockListKind = 'RespondBlocks' | 'RespondBlockHeaders' | 'RespondHeaderBlocks';

export interface BlockList<B> {
  start_height: number;
  end_height: number;
  blocks: { value: B; bytes: Uint8Array }[];
}

/** The blocks of a respond_blocks / respond_block_headers / respond_header_blocks payload. */
export function decodeBlockList(kind: 'RespondBlocks', payload: Uint8Array): BlockList<FullBlock>;
export function decodeBlockList(kind: 'RespondBlockHeaders' | 'RespondHeaderBlocks', payload: Uint8Array): BlockList<HeaderBlock>;
export function decodeBlockList(kind: BlockListKind, payload: Uint8Array): BlockList<FullBlock | HeaderBlock>;
export function decodeBlockList(kind: BlockListKind, payload: Uint8Array): BlockList<FullBlock | HeaderBlock> {
  const codec: Codec<FullBlock | HeaderBlock> = kind === 'RespondBlocks' ? FullBlock : HeaderBlock;
  const field = kind === 'RespondBlocks' ? 'blocks' : 'header_blocks';
  const r = new Reader(payload);
  let path = '.start_height';
  try {
    const start_height = r.u32();
    path = '.end_height';
    const end_height = r.u32();
    path = `.${field}`;
    const countAt = r.pos;
    const n = r.u32();
    if (n * codec.minSize > r.remaining()) throw r.fail(`block count ${n} cannot fit in the ${r.remaining()} bytes left`, countAt);
    const blocks: { value: FullBlock | HeaderBlock; bytes: Uint8Array }[] = [];
    for (let i = 0; i < n; i++) {
      path = `.${field}[${i}]`;
      const from = r.pos;
      const value = codec.read(r);
      blocks.push({ value, bytes: payload.subarray(from, r.pos) });
    }
    path = '';
    if (r.pos !== payload.length) throw r.fail(`${payload.length - r.pos} trailing bytes`);
    return { start_height, end_height, blocks };
  } catch (e) {
    if (e instanceof CodecError) e.prefix(kind + path);
    throw e;
  }
}
