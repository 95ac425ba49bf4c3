/**
 * The checks every chain route makes before touching the cache: a peak must be known, heights must
 * not exceed it, ranges must be well formed; upstream and codec failures become catalogue errors.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { BlockCache, BlockKind, CachedBlock } from './block-cache.js';
import { clientKey, type ClientKey, type Peak, type Role } from '../chia/index.js';
import { ApiError, MAX_RANGE_BLOCKS, fromUpstream, retryAfter } from '../http/errors.js';

export const ROLE_OF: Record<BlockKind, Role> = { full: 'full_node', header: 'wallet' };

/** The current peak, or 503: ROLE_NOT_CONFIGURED, NO_READY_LINK when no link of `role` is up, NO_PEAK while none reported one. */
export function requirePeak(app: FastifyInstance, role: Role): Peak {
  // A permanent configuration fact, not an outage: no Retry-After, and said before any peak check.
  if (!app.config.roles.includes(role)) throw new ApiError('ROLE_NOT_CONFIGURED', { role });
  const peak = app.upstream.peak();
  if (peak !== null) return peak;
  if (!app.upstream.isReady(role)) throw new ApiError('NO_READY_LINK', { role }, { headers: retryAfter() });
  throw new ApiError('NO_PEAK', {}, { headers: retryAfter() });
}

export function requireAtMostPeak(height: number, peak: Peak): void {
  if (height > peak.height) throw new ApiError('ABOVE_PEAK', { height, peak: peak.height });
}

/** Validates start ≤ h < end and clips end to the peak + 1; 404 when start is above the peak. */
export function clipRange(start: number, end: number, peak: Peak): { start: number; end: number } {
  if (start >= end) throw new ApiError('INVALID_RANGE', { start, end });
  if (end - start > MAX_RANGE_BLOCKS) throw new ApiError('RANGE_TOO_LARGE', { count: end - start });
  requireAtMostPeak(start, peak);
  return { start, end: Math.min(end, peak.height + 1) };
}

/**
 * Who a request's upstream loads are made for: its client IP (request.ip, which follows
 * CHIA_GATEWAY_TRUST_PROXY), so each link's pacing budget is shared fairly between clients.
 */
export function clientOf(request: FastifyRequest): ClientKey {
  return clientKey(request.ip);
}

/**
 * One block of `kind` from the cache or the peers (loaded on behalf of `client`), with upstream
 * failures mapped to the catalogue. A hit is returned synchronously: the hot path of a cached block
 * allocates no promise.
 */
export function lookupBlock(
  cache: BlockCache,
  kind: BlockKind,
  height: number,
  peak: Peak,
  client: ClientKey,
): CachedBlock | Promise<CachedBlock> {
  return cache.hit(kind, height, peak.height, client) ?? fetchBlock(cache, kind, height, peak, client);
}

async function fetchBlock(cache: BlockCache, kind: BlockKind, height: number, peak: Peak, client: ClientKey): Promise<CachedBlock> {
  try {
    return await cache.get(kind, height, peak.height, client);
  } catch (error) {
    throw fromUpstream(error, { role: ROLE_OF[kind], height });
  }
}

/** Blocks start ≤ h < end of `kind` (misses loaded on behalf of `client`), with upstream failures mapped to the catalogue. */
export async function lookupRange(
  cache: BlockCache,
  kind: BlockKind,
  range: { start: number; end: number },
  peak: Peak,
  client: ClientKey,
): Promise<CachedBlock[]> {
  try {
    return await cache.range(kind, range.start, range.end, peak.height, client);
  } catch (error) {
    throw fromUpstream(error, { role: ROLE_OF[kind], height: `${range.start}..${range.end - 1}` });
  }
}

/**
 * The main-chain block of `kind` whose header hash is `headerHash` (0x lowercase hex), found through
 * the header index (app.headerIndex): undefined when the gateway has not seen that hash (or forgot it),
 * or when a reorg replaced the block at its height. The peers serve blocks by height only.
 */
export async function lookupByHash(
  app: FastifyInstance,
  kind: BlockKind,
  headerHash: string,
  peak: Peak,
  client: ClientKey,
): Promise<CachedBlock | undefined> {
  const height = app.headerIndex.height(headerHash);
  if (height === undefined || height > peak.height) return undefined;
  const block = await lookupBlock(app.blockCache, kind, height, peak, client);
  return block.headerHash === headerHash ? block : undefined;
}
