/**
 * Block replies of the full-block and header-block routes: one height, or a range start ≤ h < end,
 * served from the block cache (which loads misses from the peers in aligned batches) in the
 * negotiated representation. JSON text comes from the codec (toJsonText) once per block and
 * rendering, is kept in the cache, and is sent pre-serialised: Fastify never re-serialises a block.
 * Bytes are the node's streamable bytes, untouched.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { types } from '../chia/index.js';
import type { BlockCache, BlockKind, CachedBlock } from './block-cache.js';
import { ROLE_OF, clientOf, clipRange, lookupBlock, lookupRange, requireAtMostPeak, requirePeak } from './chain-lookup.js';
import { applyValidators, isImmutable } from '../http/http-cache.js';
import { BYTES_TYPE, JSON_TYPE, negotiate, variantSuffix, type Representation } from '../http/representation.js';
import { FIRST_HEADER_HASH_HEADER, HEADER_HASH_HEADER, LAST_HEADER_HASH_HEADER } from '../http/resource-headers.js';

/** u32 element count of a streamable List (PROTOCOL.md §f.1). */
const LIST_COUNT_BYTES = 4;
const COMMA = Buffer.from(',');
const CLOSE_RANGE = Buffer.from(']}');
/** Range bodies above this are streamed from their parts rather than joined (see joined()). */
export const STREAM_ABOVE_BYTES = 1024 * 1024;

/** The response JSON of one block, `{"height":…,"header_hash":…,"block":…}`, rendered once per mode. */
function blockJson(cache: BlockCache, entry: CachedBlock, mode: 'safe' | 'chia'): Buffer {
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

/**
 * Serves the block of `kind` at `height`. A cache hit is answered synchronously (nothing is returned
 * after sending): no promise on the hot path; a miss returns the promise of its reply.
 */
export function serveBlock(
  app: FastifyInstance,
  kind: BlockKind,
  height: number,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> | undefined {
  const representation = negotiate(request, true);
  const peak = requirePeak(app, ROLE_OF[kind]);
  requireAtMostPeak(height, peak);
  const found = lookupBlock(app.blockCache, kind, height, peak, clientOf(request));
  const context = { cache: app.blockCache, representation, peakHeight: peak.height, confirmations: app.config.confirmations };
  if (found instanceof Promise) return found.then((entry) => sendBlock(request, reply, entry, context));
  sendBlock(request, reply, found, context);
  return undefined;
}

/** Serves the blocks of `kind` with heights start ≤ h < end (at most 100, clipped to the peak). */
export async function serveBlockRange(
  app: FastifyInstance,
  kind: BlockKind,
  asked: { start: number; end: number },
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const representation = negotiate(request, true);
  const peak = requirePeak(app, ROLE_OF[kind]);
  const range = clipRange(asked.start, asked.end, peak);
  const blocks = await lookupRange(app.blockCache, kind, range, peak, clientOf(request));
  const context = { cache: app.blockCache, representation, peakHeight: peak.height, confirmations: app.config.confirmations };
  return sendBlockRange(request, reply, { ...range, blocks }, context);
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

interface BlockReplyContext {
  cache: BlockCache;
  representation: Representation;
  peakHeight: number;
  confirmations: number;
}

/** Sends one block with its header hash, validators and caching headers (304 on a matching If-None-Match). */
function sendBlock(request: FastifyRequest, reply: FastifyReply, entry: CachedBlock, context: BlockReplyContext) {
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
function sendBlockRange(
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
