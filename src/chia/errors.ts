/**
 * Typed errors raised by the framework-free protocol core. Every error carries a stable `code`
 * that the HTTP layer maps to a status (see src/http/errors.ts) and that callers can switch on.
 */

/** Codes of errors raised by upstream links and the upstream manager. */
export type UpstreamErrorCode =
  | 'NO_READY_LINK' // no link of the needed role is ready (HTTP 503)
  | 'UPSTREAM_TIMEOUT' // the peer did not answer before the deadline (HTTP 504)
  | 'UPSTREAM_REJECTED' // the peer answered with a reject_* message (HTTP 404 for block lookups)
  | 'UPSTREAM_INVALID_REPLY' // undecodable reply, wrong reply type, wrong height, header hash, prev link or block body (HTTP 502)
  | 'PACING_QUEUE_FULL' // the per-link pacing queue, or the client's share of it, is full; fail fast instead of breaking rate limits (HTTP 503)
  | 'PACING_TIMEOUT' // still waiting in the pacing queue at its deadline: no peer was asked (HTTP 503)
  | 'LINK_CLOSED' // the link closed while the request was pending
  | 'ROLE_FORBIDDEN' // the message may not be sent by this link's node type (PROTOCOL.md §d)
  | 'HANDSHAKE_FAILED' // bad or missing handshake reply
  | 'WRONG_NETWORK' // the peer's network_id differs from ours
  | 'WRONG_NODE_TYPE' // the peer is not a full node
  | 'TLS_FAILED' // TLS or certificate problem
  | 'PEER_REFUSED' // HTTP 403 on upgrade (our IP is banned there) or a close right after the handshake
  | 'CLOSED'; // the manager is shutting down

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
