/**
 * Telling a wrong answer from a peer (isInvalidReply), and turning block-list replies into
 * FetchedBlocks whose heights, header hashes, prev-hash links and bodies are checked (PROTOCOL.md §g.3).
 */
import { decodeBlockList, headerHash, toHex, type BlockList } from '../codec/index.js';
import type { FullBlock, HeaderBlock } from '../codec/index.js';
import { bodyMismatch } from '../protocol/block-integrity.js';
import { UpstreamError } from '../errors.js';
import type { PeerReply } from '../link/peer-reply.js';
import type { FetchedBlock } from '../upstream-api.js';

/**
 * Whether `error` means the peer answered wrongly: UPSTREAM_INVALID_REPLY itself, or LINK_CLOSED
 * caused by one (PeerLink drops a link that sends an invalid frame; requests still waiting for pacing
 * there fail this way, those in flight as invalid replies).
 */
export function isInvalidReply(error: unknown): boolean {
  if (!(error instanceof UpstreamError)) return false;
  if (error.code === 'UPSTREAM_INVALID_REPLY') return true;
  return error.code === 'LINK_CLOSED' && error.cause instanceof UpstreamError && error.cause.code === 'UPSTREAM_INVALID_REPLY';
}

/** The block-list replies the manager asks for. */
export type BlockReplyKind = 'RespondBlocks' | 'RespondBlockHeaders';
/** The block type a block-list reply carries. */
export type BlockOf<K extends BlockReplyKind> = K extends 'RespondBlocks' ? FullBlock : HeaderBlock;

/**
 * The blocks of a respond_blocks / respond_block_headers reply, checked: exactly start..end in order,
 * each header hash equal to what this peer announced for that height (when it announced one), each
 * block linked to the one before it, and each body bound to its foliage (block-integrity.ts).
 */
export function checkBlocks<K extends BlockReplyKind>(
  reply: Pick<PeerReply, 'data' | 'peer'>,
  kind: K,
  start: number,
  end: number,
  announcedHash: (height: number) => string | undefined,
): FetchedBlock<BlockOf<K>>[] {
  const invalid = (message: string, cause?: unknown) =>
    new UpstreamError('UPSTREAM_INVALID_REPLY', `${reply.peer}: ${message}`, { cause, peer: reply.peer });
  let list: BlockList<BlockOf<K>>;
  try {
    // decodeBlockList decodes FullBlocks for RespondBlocks and HeaderBlocks otherwise: exactly BlockOf<K>.
    list = decodeBlockList(kind, reply.data) as BlockList<BlockOf<K>>;
  } catch (cause) {
    throw invalid(`undecodable ${kind}`, cause);
  }
  if (list.start_height !== start || list.end_height !== end || list.blocks.length !== end - start + 1) {
    throw invalid(`asked for heights ${start}..${end}, got ${list.blocks.length} blocks for ${list.start_height}..${list.end_height}`);
  }
  let prevHash: string | undefined;
  return list.blocks.map(({ value, bytes }, i) => {
    const height = value.reward_chain_block.height;
    if (height !== start + i) throw invalid(`block ${i} of ${start}..${end} has height ${height}`);
    const hash = toHex(headerHash(value));
    const expected = announcedHash(height);
    if (expected !== undefined && expected !== hash) throw invalid(`block at height ${height} has header hash ${hash}, but the peer announced ${expected}`);
    // Consecutive blocks must chain (§g.2), so the whole batch is bound to any one trusted hash in it.
    const prev = toHex(value.foliage.prev_block_hash);
    if (prevHash !== undefined && prev !== prevHash) {
      throw invalid(`block at height ${height} has foliage.prev_block_hash ${prev}, but block ${height - 1} has header hash ${prevHash}`);
    }
    prevHash = hash;
    const mismatch = bodyMismatch(value);
    if (mismatch !== undefined) throw invalid(`block at height ${height}: ${mismatch}`);
    return { height, header_hash: hash, bytes, value, peer: reply.peer };
  });
}
