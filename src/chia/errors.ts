/**
 * Typed errors raised by the framework-free protocol core: it throws nothing else. Every error
 * carries a stable `code`, one per condition, that the HTTP layer maps to a status (src/http/errors.ts,
 * given below) and that callers can switch on; an error caused by another (a codec error, a socket
 * error, the invalid reply that closed a link) carries it as `cause`.
 */

/** Codes of errors raised by upstream links and the upstream manager. */
export type UpstreamErrorCode =
  // A request that got no answer from a peer.
  | 'NO_READY_LINK' // no link of the needed role is ready (HTTP 503)
  | 'UPSTREAM_TIMEOUT' // the peer did not answer before the deadline (HTTP 504)
  | 'LINK_CLOSED' // the link closed while the request was pending (HTTP 502)
  | 'CLOSED' // the manager is shutting down (HTTP 503)
  // A peer's answer.
  | 'UPSTREAM_REJECTED' // the peer answered with a reject_* message (HTTP 404 for block lookups)
  | 'STATE_REORG' // reject_puzzle_state / reject_coin_state REORG: the start point left the node's chain (PROTOCOL.md §e.5)
  | 'SUBSCRIPTION_LIMIT' // reject_*_state EXCEEDED_SUBSCRIPTION_LIMIT: the node holds its cap of subscriptions for this peer (§e.5)
  | 'UPSTREAM_INVALID_REPLY' // undecodable reply, wrong reply type, wrong height, header hash, prev link or block body (HTTP 502)
  // A request never sent, to keep within the node's limits; the link is busy, not faulty (HTTP 503 with Retry-After).
  | 'PACING_QUEUE_FULL' // the per-link pacing queue, or the client's share of it, is full; fail fast instead of breaking rate limits
  | 'PACING_TIMEOUT' // still waiting in the pacing queue at its deadline: no peer was asked
  | 'TOO_MANY_IN_FLIGHT' // the link already has its cap of requests awaiting a reply
  // A request the gateway should never have made: a bug, not a client or peer fault (HTTP 500).
  | 'ROLE_FORBIDDEN' // the message may not be sent by this link's node type: the node would ban us (PROTOCOL.md §d)
  | 'MESSAGE_TOO_LARGE' // the message exceeds the node's max_size for its type: the node would ban us (§h.1)
  | 'INVALID_REQUEST' // no request can express it: a height range longer than the request allows (§e.5), a malformed header hash
  // A link that could not be opened (reported in the link's status and logs).
  | 'HANDSHAKE_FAILED' // bad or missing handshake reply
  | 'WRONG_NETWORK' // the peer's network_id differs from ours
  | 'WRONG_NODE_TYPE' // the peer is not a full node
  | 'TLS_FAILED' // TLS or certificate problem
  | 'PEER_REFUSED'; // HTTP 403 on upgrade (our IP is banned there) or a close right after the handshake

export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  constructor(
    readonly code: UpstreamErrorCode,
    message: string,
    options?: { cause?: unknown; peer?: string; retryAfterMs?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.peer = options?.peer;
    this.retryAfterMs = options?.retryAfterMs;
  }
  readonly peer: string | undefined;
  /** For the pacing errors: how long until the link's rate-limit window has room for the request again. */
  readonly retryAfterMs: number | undefined;
}
