/**
 * THE error catalogue of the HTTP API: every error a client can see has a stable `code` (one of
 * ERROR_CODES in schemas/common.ts, which types this table), an HTTP status and a message template
 * here. src/http/problem.ts renders them as RFC 9457 problem+json. Upstream (src/chia/errors.ts),
 * codec and Fastify errors are mapped to entries of this table.
 */
import type { FastifyError, FastifyRequest } from 'fastify';
import { MAX_COINS_MAP_SIZE, MAX_FEE_ESTIMATE_TARGETS, UpstreamError, type UpstreamErrorCode, CodecError } from '../chia/index.js';
import { envName } from '../config/options.js';
import { validationDetail } from './validation-detail.js';
import { pathOf } from './url-path.js';
import type { ErrorCode } from '../../schemas/common.js';

/** Most blocks one range request may return (like the node RPC's get_blocks page). */
export const MAX_RANGE_BLOCKS = 100;
/**
 * Most keys (coin ids, puzzle hashes and hints together) of one POST /v1/coins/query: the puzzle hashes
 * and hints always fit one request_puzzle_state (MAX_PUZZLE_STATE_HASHES, PROTOCOL.md §e.5), and the
 * body stays small (MAX_QUERY_BODY_BYTES).
 */
export const MAX_QUERY_KEYS = 500;
/** Largest body of POST /v1/coins/query: MAX_QUERY_KEYS addresses of 63 characters, quoted, with room for the filters. */
export const MAX_QUERY_BODY_BYTES = 64 * 1024;
/** Longest path parameter the router accepts (Fastify's maxParamLength); a height needs 10. */
export const MAX_PARAM_LENGTH = 100;

interface CatalogueEntry {
  status: number;
  title: string;
  /** `{name}` placeholders are filled from the error's params. */
  template: string;
}

export const ERRORS = {
  INVALID_PARAMETER: { status: 400, title: 'Invalid parameter', template: '{detail}' },
  INVALID_RANGE: {
    status: 400,
    title: 'Invalid range',
    template: 'start ({start}) must be lower than end ({end}); end is exclusive',
  },
  RANGE_TOO_LARGE: {
    status: 400,
    title: 'Range too large',
    template: `at most ${MAX_RANGE_BLOCKS} blocks per call: end − start is {count}`,
  },
  BLOCK_NOT_FOUND: {
    status: 404,
    title: 'Block not found',
    template: 'no block at height {height} is known to any ready peer',
  },
  ABOVE_PEAK: {
    status: 404,
    title: 'Height above the peak',
    template: 'height {height} is above the current peak ({peak})',
  },
  INVALID_URL: {
    status: 400,
    title: 'Invalid URL',
    template: 'the path {path} is not valid percent-encoded UTF-8',
  },
  MALFORMED_REQUEST: { status: 400, title: 'Malformed request', template: 'the request is not valid HTTP/1.1: {reason}' },
  ROUTE_NOT_FOUND: { status: 404, title: 'Not found', template: 'no route {method} {url}' },
  METHOD_NOT_ALLOWED: {
    status: 405,
    title: 'Method not allowed',
    template: '{method} is not allowed on {url}; allowed: {allow}',
  },
  NOT_ACCEPTABLE: {
    status: 406,
    title: 'Not acceptable',
    template: 'this resource is available as {available}',
  },
  REQUEST_TIMEOUT: {
    status: 408,
    title: 'Request timeout',
    template: 'the request headers and body did not arrive within {ms} ms (CHIA_GATEWAY_HTTP_REQUEST_TIMEOUT_MS)',
  },
  BODY_NOT_ALLOWED: { status: 413, title: 'Request body not allowed', template: '{method} {url} takes no request body' },
  PATH_PARAMETER_TOO_LONG: {
    status: 414,
    title: 'URI too long',
    template: 'a path parameter is longer than {max} characters',
  },
  RATE_LIMITED: { status: 429, title: 'Too many requests', template: '{detail}' },
  HEADERS_TOO_LARGE: {
    status: 431,
    title: 'Request headers too large',
    template: 'the request line and headers exceed {max} bytes',
  },
  CLIENT_ERROR: { status: 400, title: 'Client error', template: '{detail}' },
  INTERNAL_ERROR: { status: 500, title: 'Internal error', template: 'an internal error occurred' },
  UPSTREAM_INVALID_REPLY: {
    status: 502,
    title: 'Invalid upstream reply',
    template: 'a peer sent an invalid reply',
  },
  UPSTREAM_FAILED: { status: 502, title: 'Upstream failure', template: 'the upstream link failed: {reason}' },
  COINS_REFUSED: {
    status: 502,
    title: 'Coin list refused',
    // The reject carries no reason (PROTOCOL.md §e.5): name the node's known causes.
    template:
      'the peer refused to list the {field} of block {height} ({header_hash}); a node refuses the additions of a ' +
      `block that created coins for more than ${MAX_COINS_MAP_SIZE} distinct puzzle hashes, any coin request while its wallet-sync ` +
      'queue is full, and a block that left its main chain',
  },
  NO_PEAK: {
    status: 503,
    title: 'No peak yet',
    template: 'no upstream link has reported a peak yet',
  },
  NO_READY_LINK: {
    status: 503,
    title: 'No ready upstream link',
    template: 'no {role} link to a full node is ready',
  },
  ROLE_NOT_CONFIGURED: {
    status: 503,
    title: 'Role not configured',
    template: 'this gateway opens no {role} links (CHIA_GATEWAY_ROLES), which this resource needs',
  },
  UPSTREAM_BUSY: {
    status: 503,
    title: 'Upstream busy',
    template: 'the upstream links are at their rate limit; retry shortly',
  },
  SHUTTING_DOWN: { status: 503, title: 'Shutting down', template: 'the gateway is shutting down' },
  // Live stream (GET /v1/ws, /v1/events): refused before the upgrade or the first byte.
  LIVE_ORIGIN_FORBIDDEN: {
    status: 403,
    title: 'Origin not allowed',
    template: `origin {origin} is not in the live-stream allowlist (${envName('wsAllowedOrigins')})`,
  },
  LIVE_UPGRADE_REQUIRED: {
    status: 426,
    title: 'Upgrade required',
    template: 'this endpoint speaks WebSocket only; connect with an Upgrade: websocket request',
  },
  LIVE_WEBSOCKET_VERSION_UNSUPPORTED: {
    status: 426,
    title: 'WebSocket version not supported',
    template: 'Sec-WebSocket-Version {version} is not supported; this gateway speaks version {supported} (RFC 6455)',
  },
  LIVE_HANDSHAKE_INVALID: {
    status: 400,
    title: 'Invalid WebSocket handshake',
    template: 'the WebSocket handshake is invalid: {detail}',
  },
  LIVE_TOO_MANY_CLIENTS: {
    status: 503,
    title: 'Too many live clients',
    template: `the gateway serves at most {max} live clients (${envName('wsMaxClients')}); retry later`,
  },
  LIVE_TOO_MANY_CLIENTS_FROM_IP: {
    status: 429,
    title: 'Too many live clients from one address',
    template:
      `client address {ip} already holds {max} live connections, the most one address may hold (${envName('wsMaxClientsPerIp')}); close one before opening another`,
  },
  NOT_READY: { status: 503, title: 'Not ready', template: 'not ready: {reason}' },
  UPSTREAM_TIMEOUT: {
    status: 504,
    title: 'Upstream timeout',
    template: 'no peer answered before the deadline',
  },
  STATE_REORG: {
    status: 409,
    title: 'Chain changed',
    template: 'the chain changed while the request was read (its start block left the main chain of the peer): retry',
  },
  SUBSCRIPTION_LIMIT: {
    status: 503,
    title: 'Subscription limit reached',
    template: 'the peer holds as many coin subscriptions of this gateway as it allows; retry later',
  },
  TRANSACTION_TOO_LARGE: {
    status: 413,
    title: 'Transaction too large',
    template: '{detail}',
  },
  // Coins, transactions and fees.
  COIN_NOT_FOUND: {
    status: 404,
    title: 'Coin not found',
    template: 'no coin {coin_id} is on the chain of the peer asked (never created, or created in blocks since rolled back)',
  },
  COIN_NOT_SPENT: {
    status: 404,
    title: 'Coin not spent',
    template: 'coin {coin_id} is not spent on the chain of the peer asked, so it has no puzzle reveal and solution',
  },
  ADDRESS_INVALID: {
    status: 400,
    title: 'Invalid puzzle hash or address',
    template: '{value} is neither a puzzle hash (32 bytes of hex) nor a bech32m address: {reason}',
  },
  ADDRESS_WRONG_NETWORK: {
    status: 400,
    title: 'Address of another network',
    template: 'address {address} has the prefix {prefix}; this gateway serves a network whose addresses start with {expected}1',
  },
  QUERY_NO_KEYS: {
    status: 400,
    title: 'No keys',
    template: 'give at least one of coin_ids, puzzle_hashes and hints',
  },
  QUERY_TOO_MANY_KEYS: {
    status: 400,
    title: 'Too many keys',
    template: `at most ${MAX_QUERY_KEYS} keys per query (coin_ids, puzzle_hashes and hints together), got {count}`,
  },
  QUERY_FILTERS_CONFLICT: { status: 400, title: 'Conflicting filters', template: '{detail}' },
  CURSOR_INVALID: {
    status: 400,
    title: 'Invalid cursor',
    template: 'cursor {cursor} is not a next_cursor this API returned',
  },
  CURSOR_REORGED: {
    status: 409,
    title: 'Cursor on a rolled-back block',
    template:
      'the cursor continues from block {header_hash} at height {height}, which is no longer on the chain (a reorg): ' +
      'start the query again without a cursor, or from a lower start_height',
  },
  TRANSACTION_INVALID: {
    status: 400,
    title: 'Invalid spend bundle',
    template: 'the spend bundle does not decode: {reason}',
  },
  TRANSACTION_REJECTED: {
    status: 400,
    title: 'Transaction rejected',
    template: 'every peer refused transaction {txid}: {errors}',
  },
  TRANSACTION_NOT_TAKEN_NOW: {
    status: 503,
    title: 'Transaction not taken now',
    template:
      'no peer could take transaction {txid} now and none found it invalid: {errors}; send it again later ' +
      '(a full mempool also takes a higher fee)',
  },
  FEE_TOO_MANY_TARGETS: {
    status: 400,
    title: 'Too many fee targets',
    template: `at most ${MAX_FEE_ESTIMATE_TARGETS} target times per call (a node answers no more, PROTOCOL.md §e.5), got {count}`,
  },
} as const satisfies Record<ErrorCode, CatalogueEntry>;

/** An error of the catalogue, carrying the params of its message and an optional cause. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly title: string;
  constructor(
    readonly code: ErrorCode,
    readonly params: Record<string, string | number> = {},
    options?: { cause?: unknown; headers?: Record<string, string>; status?: number },
  ) {
    const entry: CatalogueEntry = ERRORS[code];
    super(fill(entry.template, params), options?.cause === undefined ? undefined : { cause: options.cause });
    // Only CLIENT_ERROR takes a status from outside: Fastify's own 4xx errors keep theirs (413, 415…).
    this.status = options?.status ?? entry.status;
    this.title = entry.title;
    this.headers = options?.headers ?? {};
  }
  /** Extra response headers (e.g. Retry-After). */
  readonly headers: Record<string, string>;
}

function fill(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => String(params[name] ?? whole));
}

/** Seconds a client should wait before retrying a 503 caused by a missing link; the least for pacing. */
const RETRY_AFTER_SECONDS = 1;
const MS_PER_SECOND = 1_000;

const UPSTREAM_MAP: Record<UpstreamErrorCode, (error: UpstreamError, context: LookupContext) => ApiError> = {
  NO_READY_LINK: (e, c) => new ApiError('NO_READY_LINK', { role: c.role }, { cause: e, headers: retryAfter() }),
  UPSTREAM_TIMEOUT: (e) => new ApiError('UPSTREAM_TIMEOUT', {}, { cause: e }),
  // A reject_* reply means the peers do not have the block (PROTOCOL.md §e.5).
  UPSTREAM_REJECTED: (e, c) => new ApiError('BLOCK_NOT_FOUND', { height: c.height ?? '?' }, { cause: e }),
  UPSTREAM_INVALID_REPLY: (e) => new ApiError('UPSTREAM_INVALID_REPLY', {}, { cause: e }),
  // Both are answered by their callers (a resume starts again from the fork); reaching HTTP, the chain moved or the node is full.
  PACING_QUEUE_FULL: (e) => new ApiError('UPSTREAM_BUSY', {}, { cause: e, headers: retryAfter(e.retryAfterMs) }),
  // Never sent, so no peer failed to answer: the link is busy, not the upstream slow (no 504).
  PACING_TIMEOUT: (e) => new ApiError('UPSTREAM_BUSY', {}, { cause: e, headers: retryAfter(e.retryAfterMs) }),
  TOO_MANY_IN_FLIGHT: (e) => new ApiError('UPSTREAM_BUSY', {}, { cause: e, headers: retryAfter(e.retryAfterMs) }),
  LINK_CLOSED: (e) => new ApiError('UPSTREAM_FAILED', { reason: 'the link closed' }, { cause: e }),
  HANDSHAKE_FAILED: (e) => new ApiError('UPSTREAM_FAILED', { reason: 'handshake failed' }, { cause: e }),
  WRONG_NETWORK: (e) => new ApiError('UPSTREAM_FAILED', { reason: 'wrong network' }, { cause: e }),
  WRONG_NODE_TYPE: (e) => new ApiError('UPSTREAM_FAILED', { reason: 'wrong node type' }, { cause: e }),
  TLS_FAILED: (e) => new ApiError('UPSTREAM_FAILED', { reason: 'TLS failure' }, { cause: e }),
  PEER_REFUSED: (e) => new ApiError('UPSTREAM_FAILED', { reason: 'the peer refused us' }, { cause: e }),
  CLOSED: (e) => new ApiError('SHUTTING_DOWN', {}, { cause: e }),
  // A request the node would punish, or one no request can express, is a gateway bug, not a client or peer fault.
  ROLE_FORBIDDEN: (e) => new ApiError('INTERNAL_ERROR', {}, { cause: e }),
  MESSAGE_TOO_LARGE: (e) => new ApiError('INTERNAL_ERROR', {}, { cause: e }),
  INVALID_REQUEST: (e) => new ApiError('INTERNAL_ERROR', {}, { cause: e }),
  STATE_REORG: (e) => new ApiError('STATE_REORG', {}, { cause: e }),
  SUBSCRIPTION_LIMIT: (e) => new ApiError('SUBSCRIPTION_LIMIT', {}, { cause: e, headers: retryAfter() }),
  TRANSACTION_TOO_LARGE: (e) => new ApiError('TRANSACTION_TOO_LARGE', { detail: e.message }, { cause: e }),
};

/** Retry-After in whole seconds: `afterMs` rounded up (when the pacing window has room again), at least RETRY_AFTER_SECONDS. */
export function retryAfter(afterMs = 0): Record<string, string> {
  return { 'retry-after': String(Math.max(RETRY_AFTER_SECONDS, Math.ceil(afterMs / MS_PER_SECOND))) };
}

/** What a failed upstream call was about, to word the mapped error. */
export interface LookupContext {
  role: string;
  /** A height or a range such as `10..41`. */
  height?: number | string;
}

/** Maps an error thrown by the upstream or the codec to the catalogue; anything else is returned as is. */
export function fromUpstream(error: unknown, context: LookupContext): unknown {
  if (error instanceof ApiError) return error;
  if (error instanceof UpstreamError) return UPSTREAM_MAP[error.code](error, context);
  // Bytes that do not decode came from a peer: a bad upstream reply, never a client fault.
  if (error instanceof CodecError) return new ApiError('UPSTREAM_INVALID_REPLY', {}, { cause: error });
  return error;
}

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && typeof (error as Partial<FastifyError>).statusCode === 'number';
}

/** Fastify errors raised before routing, each with its own catalogue entry. */
const FRAMEWORK_ERRORS: Record<string, (request: FastifyRequest | undefined) => ApiError> = {
  FST_ERR_BAD_URL: (request) => new ApiError('INVALID_URL', { path: request === undefined ? '' : pathOf(request.url) }),
  FST_ERR_MAX_PARAM_LENGTH: () => new ApiError('PATH_PARAMETER_TOO_LONG', { max: MAX_PARAM_LENGTH }),
};

/**
 * Maps anything thrown in a request to a catalogue error. The request, when given, words validation
 * errors from the route's schema.
 */
export function toApiError(error: unknown, request?: FastifyRequest): ApiError {
  const mapped = fromUpstream(error, { role: 'upstream' });
  if (mapped instanceof ApiError) return mapped;
  if (isFastifyError(mapped)) {
    const framework = FRAMEWORK_ERRORS[mapped.code];
    if (framework !== undefined) return framework(request);
    const status = mapped.statusCode ?? 500;
    if (mapped.validation !== undefined) {
      const detail = request === undefined ? mapped.message : validationDetail(mapped, request);
      return new ApiError('INVALID_PARAMETER', { detail }, { cause: mapped });
    }
    if (status === 429) return new ApiError('RATE_LIMITED', { detail: mapped.message }, { cause: mapped });
    if (status >= 400 && status < 500) {
      return new ApiError('CLIENT_ERROR', { detail: mapped.message }, { cause: mapped, status });
    }
  }
  return new ApiError('INTERNAL_ERROR', {}, { cause: error });
}
