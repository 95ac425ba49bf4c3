/**
 * Content negotiation for the REST API: JSON in the safe rendering (u64/u128 as decimal strings) by
 * default, the node-RPC-exact rendering with `?ints=number` or `Accept: application/json; ints=number`,
 * and the node's exact streamable bytes with `Accept: application/octet-stream`.
 */
import type { FastifyRequest } from 'fastify';
import type { JsonMode } from '../chia/index.js';
import { ApiError } from './errors.js';

export type Representation = { kind: 'json'; mode: JsonMode } | { kind: 'bytes' };

export const JSON_TYPE = 'application/json; charset=utf-8';
export const BYTES_TYPE = 'application/octet-stream';

const SAFE: Representation = { kind: 'json', mode: 'safe' };
const CHIA: Representation = { kind: 'json', mode: 'chia' };
const BYTES: Representation = { kind: 'bytes' };

interface MediaRange {
  type: string;
  q: number;
  ints: string | undefined;
  order: number;
}

function parseAccept(header: string): MediaRange[] {
  return header.split(',').map((part, order) => {
    const [type = '', ...params] = part.split(';').map((s) => s.trim());
    let q = 1;
    let ints: string | undefined;
    for (const param of params) {
      const [name = '', value = ''] = param.split('=').map((s) => s.trim().replace(/^"|"$/g, ''));
      if (name.toLowerCase() === 'q') q = Number.isFinite(Number(value)) ? Number(value) : 0;
      else if (name.toLowerCase() === 'ints') ints = value.toLowerCase();
    }
    return { type: type.toLowerCase(), q, ints, order };
  });
}

/** How specific a supported media range is (higher wins a tie in q), or -1 when it is not supported. */
function specificity(type: string, allowBytes: boolean): number {
  if (type === 'application/json') return 2;
  if (type === BYTES_TYPE) return allowBytes ? 2 : -1;
  if (type === 'application/*' || type === '*/*') return 1;
  return -1;
}

/**
 * Picks the representation of a response. `ints` from the query string wins over the media-type
 * parameter. Throws NOT_ACCEPTABLE when the Accept header admits nothing this resource offers.
 */
export function negotiate(request: FastifyRequest, allowBytes: boolean): Representation {
  const queryInts = (request.query as { ints?: string } | undefined)?.ints;
  const accept = request.headers.accept;
  // Fast path: most clients send no Accept header, or a plain one.
  if (accept === undefined || accept === '*/*' || accept === 'application/json') {
    return queryInts === 'number' ? CHIA : SAFE;
  }
  let best: MediaRange | undefined;
  let bestRank = -1;
  for (const range of parseAccept(accept)) {
    const rank = specificity(range.type, allowBytes);
    if (rank < 0 || range.q <= 0) continue;
    if (best === undefined || range.q > best.q || (range.q === best.q && rank > bestRank)) {
      best = range;
      bestRank = rank;
    }
  }
  if (best === undefined) {
    const available = allowBytes ? `application/json or ${BYTES_TYPE}` : 'application/json';
    throw new ApiError('NOT_ACCEPTABLE', { available });
  }
  if (best.type === BYTES_TYPE) return BYTES;
  const ints = queryInts ?? best.ints;
  return ints === 'number' ? CHIA : SAFE;
}

/** The ETag suffix that tells the renderings of one resource apart (strong validators must differ). */
export function variantSuffix(representation: Representation): string {
  if (representation.kind === 'bytes') return ';bytes';
  return representation.mode === 'chia' ? ';ints=number' : '';
}
