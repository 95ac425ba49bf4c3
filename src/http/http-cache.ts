/**
 * HTTP caching of chain data: blocks buried at least `config.confirmations` below the peak never
 * change, so they are served as immutable for a year; blocks nearer the tip may be replaced by a reorg
 * and get a short max-age. Validators are header hashes, so If-None-Match costs no upstream request.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** About half the mean block interval (18.75 s, PROTOCOL.md §i.2): tip data is soon stale. */
export const TIP_MAX_AGE_SECONDS = 10;
export const TIP_CACHE_CONTROL = `public, max-age=${TIP_MAX_AGE_SECONDS}`;

/** True when `height` is at least `confirmations` below the peak, so a reorg can no longer replace it. */
export function isImmutable(height: number, peakHeight: number, confirmations: number): boolean {
  return peakHeight - height >= confirmations;
}

function matches(ifNoneMatch: string, etag: string): boolean {
  if (ifNoneMatch.trim() === '*') return true;
  // Weak comparison (RFC 9110 §13.1.2): W/ prefixes are ignored.
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/**
 * Sets ETag, Cache-Control and Vary; answers 304 and returns true when If-None-Match matches.
 * `tag` is the opaque validator without quotes.
 */
export function applyValidators(request: FastifyRequest, reply: FastifyReply, tag: string, immutable: boolean): boolean {
  const etag = `"${tag}"`;
  reply.header('etag', etag);
  reply.header('cache-control', immutable ? IMMUTABLE_CACHE_CONTROL : TIP_CACHE_CONTROL);
  reply.header('vary', 'Accept');
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch === undefined || !matches(ifNoneMatch, etag)) return false;
  reply.code(304).send();
  return true;
}
