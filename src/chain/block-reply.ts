/**
 * Sends cached blocks in the negotiated representation. JSON text comes from the codec (toJsonText)
 * once per block and rendering, is kept in the cache, and is sent pre-serialised: Fastify never
 * re-serialises a block. Bytes are the node's streamable bytes, untouched.
 */
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { types } from '../chia/index.js';
import type { BlockCache, CachedBlock } from './block-cache.js';
import { applyValidators, isImmutable } from '../http/http-cache.js';
import { BYTES_TYPE, JSON_TYPE, variantSuffix, type Representation } from '../http/representation.js';

/** The header hash a single-block response resolved. */
export const HEADER_HASH_HEADER = 'x-chia-header-hash';
/**
 * A range names its first and last header hashes, not all of them: 100 hashes would make a ~7 KB
 * header line, beyond what common proxies accept (nginx's default buffer is 4 KB, some 8 KB in all).
 * The full list is in the body; the last hash commits to every block before it.
 */
export const FIRST_HEADER_HASH_HEADER = 'x-chia-first-header-hash';
export const LAST_HEADER_HASH_HEADER = 'x-chia-last-header-hash';
/** Every header-hash response header: exposed to cross-origin scripts, dropped from errors. */
export const HEADER_HASH_HEADERS = [HEADER_HASH_HEADER, FIRST_HEADER_HASH_HEADER, LAST_HEADER_HASH_HEADER] as const;
/** u32 element count of a streamable List (PROTOCOL.md §f.1). */
const LIST_COUNT_BYTES = 4;
const COMMA = Buffer.from(',');
const CLOSE_RANGE = Buffer.from(']}');
/** Range bodies above this are streamed from their parts rather than joined (see joined()). */
export const STREAM_ABOVE_BYTES = 1024 * 1024;

/** The response JSON of one block, `{"height":…,"header_hash":…,"block":…}`, rendered once per mode. */
export function blockJson(cache: BlockCache, entry: CachedBlock, mode: 'safe' | 'chia'): Buffer {
  const cached = entry.json.get(mode);
  if (cached !== undefined) return cached;
  let block: string;
  try {
    block =
      entry.kind === 'full'
        ? types.FullBlock.toJsonText(types.FullBlock.decode(entry.bytes), mode)
        : types.HeaderBlock.toJsonText(types.HeaderBlock.decode(entry.bytes), mode);
  } catch (error) {
    // Undecodable bytes came from a peer (the error handler answers 502): do not keep serving them.
    cache.drop(entry);
    throw error;
  }
  const json = Buffer.from(`{"height":${entry.height},"header_hash":"${entry.headerHash}","block":${block}}`);
  cache.setJson(entry, mode, json);
  return json;
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export interface BlockReplyContext {
  cache: BlockCache;
  representation: Representation;
  peakHeight: number;
  confirmations: number;
}

/** Sends one block with its header hash, validators and caching headers (304 on a matching If-None-Match). */
export function sendBlock(request: FastifyRequest, reply: FastifyReply, entry: CachedBlock, context: BlockReplyContext) {
  const { representation } = context;
  reply.header(HEADER_HASH_HEADER, entry.headerHash);
  const immutable = isImmutable(entry.height, context.peakHeight, context.confirmations);
  if (applyValidators(request, reply, entry.headerHash + variantSuffix(representation), immutable)) return reply;
  if (representation.kind === 'bytes') return reply.type(BYTES_TYPE).send(toBuffer(entry.bytes));
  return reply.type(JSON_TYPE).send(blockJson(context.cache, entry, representation.mode));
}

/**
 * Sends blocks start ≤ h < end. JSON: `{"start":…,"end":…,"blocks":[…]}`. Bytes: a streamable
 * List (u32 count, then each block's bytes as the node sent them). X-Chia-First-Header-Hash and
 * X-Chia-Last-Header-Hash name the ends; the ETag is the last block's hash, which commits to all its ancestors.
 */
export function sendBlockRange(
  request: FastifyRequest,
  reply: FastifyReply,
  range: { start: number; end: number; blocks: CachedBlock[] },
  context: BlockReplyContext,
) {
  const { representation, cache } = context;
  const { blocks, start, end } = range;
  const first = blocks[0];
  const last = blocks[blocks.length - 1];
  if (first !== undefined && last !== undefined) {
    reply.header(FIRST_HEADER_HASH_HEADER, first.headerHash);
    reply.header(LAST_HEADER_HASH_HEADER, last.headerHash);
  }
  const tag = `${start}-${end}:${last?.headerHash ?? 'empty'}${variantSuffix(representation)}`;
  const immutable = isImmutable(end - 1, context.peakHeight, context.confirmations);
  if (applyValidators(request, reply, tag, immutable)) return reply;
  if (representation.kind === 'bytes') {
    const count = Buffer.alloc(LIST_COUNT_BYTES);
    count.writeUInt32BE(blocks.length);
    return reply.type(BYTES_TYPE).send(joined([count, ...blocks.map((b) => b.bytes)]));
  }
  // Every block is rendered before anything is sent, so a block that fails to render is still a 502.
  const parts: Uint8Array[] = [Buffer.from(`{"start":${start},"end":${end},"blocks":[`)];
  blocks.forEach((b, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(blockJson(cache, b, representation.mode));
  });
  parts.push(CLOSE_RANGE);
  return reply.type(JSON_TYPE).send(joined(parts));
}

/**
 * One buffer (sent with a Content-Length) for a small body; a stream over the parts for a large one,
 * which are mostly the cache's own per-block buffers: up to 100 full blocks would otherwise be copied
 * into one more transient buffer per concurrent request.
 */
export function joined(parts: Uint8Array[]): Buffer | Readable {
  const size = parts.reduce((n, p) => n + p.byteLength, 0);
  return size <= STREAM_ABOVE_BYTES ? Buffer.concat(parts, size) : Readable.from(parts);
}
