/**
 * Response maps for route schemas: problem+json errors, the 304 of conditional requests, caching
 * and header-hash response headers, and the JSON / octet-stream alternatives of block resources.
 * They feed both Fastify (which never re-serialises our pre-rendered bodies) and openapi.yaml; typed
 * ones type the route's reply through the TypeBox type provider.
 */
import { type TSchema } from '@sinclair/typebox';
import { Problem, ref } from '../schemas/common.js';
import { envName } from '../src/config/options.js';
import { DEFAULTS } from '../src/config/config.js';

/** Where /v1/status and /metrics are served when an admin listener is configured, for route descriptions. */
export const ADMIN_ONLY_NOTE =
  `With an admin listener configured (${envName('adminPort')}) this endpoint is served there, and no longer on the public port.`;

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid parameter (not a decimal integer, negative, beyond u32, start ≥ end, range over 100 blocks)',
  404: 'Height above the peak, or rejected by every peer',
  406: 'The Accept header admits no representation of this resource',
  429: 'Too many requests from this client (only when the gateway enables its HTTP rate limit; see Retry-After)',
  502: 'A peer sent an invalid reply, or the link failed mid-request',
  503: 'No upstream link of the needed role is ready, no peak yet, or the links are at their rate limit (see Retry-After)',
  504: 'No peer answered before the deadline',
};

const PROBLEM_CONTENT = { 'application/problem+json': { schema: ref(Problem) } };

/** problem+json responses for the given statuses (typed: a route's reply is checked against them). */
export function problemResponses<const S extends number>(...statuses: S[]): Record<S, { description: string; content: typeof PROBLEM_CONTENT }> {
  const responses = {} as Record<S, { description: string; content: typeof PROBLEM_CONTENT }>;
  for (const status of statuses) {
    responses[status] = { description: ERROR_DESCRIPTIONS[status] ?? 'Error', content: PROBLEM_CONTENT };
  }
  return responses;
}

const headerHashHeader = {
  'X-Chia-Header-Hash': {
    description: 'The header hash the response resolved; compare across calls to detect a reorg',
    type: 'string',
  },
};
/** Ranges name their ends only, so the header line stays short (the full list is in the body). */
const rangeHashHeaders = {
  'X-Chia-First-Header-Hash': {
    description: 'The header hash of the first block of the range (the full list is in the body)',
    type: 'string',
  },
  'X-Chia-Last-Header-Hash': {
    description:
      'The header hash of the last block of the range, which commits to every block before it; compare across calls to detect a reorg',
    type: 'string',
  },
};
const cachingHeaders = {
  ETag: {
    description:
      'The header hash (of the last block for a range), suffixed by the representation; send it back in If-None-Match',
    type: 'string',
  },
  'Cache-Control': {
    description:
      `public, max-age=31536000, immutable for blocks at least ${envName('confirmations')} (default ${DEFAULTS.confirmations}) ` +
      'below the peak; public, max-age=10 nearer the tip',
    type: 'string',
  },
};

export const NOT_MODIFIED = {
  304: { description: 'Not modified: If-None-Match matched the ETag', type: 'null' },
};

/**
 * 200 of a chain resource: JSON (both int renderings) and, when `bytes` is given, octet-stream; `range`
 * for a list of blocks (first and last header hash instead of the one). These bodies are sent
 * pre-serialised (the codec's JSON text, the node's bytes), so the map is untyped for the route:
 * test/schemas/response-bodies.test.ts checks every body against it instead.
 */
export function chainOk(json: TSchema, description: string, bytes?: string, range = false): Record<number, unknown> {
  const content: Record<string, unknown> = { 'application/json': { schema: json } };
  if (bytes !== undefined) content['application/octet-stream'] = { schema: { type: 'string', format: 'binary', description: bytes } };
  const hashHeaders = range ? rangeHashHeaders : headerHashHeader;
  return { 200: { description, headers: { ...hashHeaders, ...cachingHeaders }, content } };
}
