/**
 * The contract between the protocol core (src/chia/pool/upstream-manager.ts implements it) and the
 * HTTP/WebSocket layers. Consumers depend on this interface only, so routes can be tested against an
 * in-memory implementation and run in production against real peers.
 */
import type { FullBlock, HeaderBlock, RespondAdditions, RespondRemovals } from './codec/index.js';

import type { OnBehalfOf } from './link/on-behalf-of.js';

/** Link roles (PROTOCOL.md §0.1): each role is a separate connection with its own certificate. */
export type Role = 'full_node' | 'wallet';
export const ROLES: readonly Role[] = ['full_node', 'wallet'];

export interface PeerAddress {
  host: string;
  port: number;
}

/**
 * Lifecycle of one upstream link (an explicit status machine, logged and emitted on each change):
 * `reconnecting` waits after a failure or for a banned peer; `idle` waits for a peer no other link
 * of its role holds (none known, or every one taken), which is not a failure.
 */
export type LinkState = 'connecting' | 'handshaking' | 'ready' | 'reconnecting' | 'idle' | 'closed';
export const LINK_STATES: readonly LinkState[] = ['connecting', 'handshaking', 'ready', 'reconnecting', 'idle', 'closed'];

/**
 * Why a link waits before its next attempt: the node banned our IP (`banned`: an HTTP 403, or a close
 * code that implies a ban, PROTOCOL.md §i.4), it refused us without a ban (`refused`: a close right
 * after the handshake, e.g. full inbound slots, §a.5), the connection failed or dropped (`failed`),
 * or no peer is free for it (`no_peer`, the `idle` state).
 */
export type RetryCause = 'banned' | 'refused' | 'failed' | 'no_peer';
export const RETRY_CAUSES: readonly RetryCause[] = ['banned', 'refused', 'failed', 'no_peer'];

/** The best peak across all links, deduplicated by header hash. */
export interface Peak {
  height: number;
  /** 0x-prefixed lowercase hex. */
  header_hash: string;
  weight: bigint;
  fork_point_with_previous_peak: number;
  /** `host:port` of every link that reported this peak. */
  peers: string[];
  /** Epoch milliseconds when the gateway first saw this peak. */
  received_at: number;
}

/**
 * A change of the best peak, as the upstream emits it. `forkPoint` is computed once, by the upstream
 * (src/chia/peaks/reorg.ts, with the configured guess depth), and every consumer (block cache, live events)
 * uses it as is: the height of the last block the new peak shares with `previous` when blocks of the
 * previous chain were rolled back, null when the new peak extends `previous` (or is the first).
 */
export interface PeakChange {
  peak: Peak;
  /** The best peak before this one (null for the first). */
  previous: Peak | null;
  forkPoint: number | null;
}

/** A block as fetched from a peer: the exact bytes the node sent, their decoding and its header hash. */
export interface FetchedBlock<T> {
  height: number;
  /** 0x-prefixed lowercase hex, sha256 of the serialized foliage (PROTOCOL.md §g.2). */
  header_hash: string;
  /** The streamable bytes exactly as received (a view into the received frame). */
  bytes: Uint8Array;
  /** The decoded value: a codec FullBlock or HeaderBlock (src/chia/codec). */
  value: T;
  /** `host:port` of the peer that served it. */
  peer: string;
}

export interface LinkStatus {
  /** Stable id of the link, e.g. `full_node#1`. */
  id: string;
  role: Role;
  /** `host:port`. */
  peer: string;
  state: LinkState;
  /** The peer id (sha256 of its certificate, hex) once connected. */
  peer_id: string | null;
  /** The last peak this link reported. */
  peak: { height: number; header_hash: string; weight: string } | null;
  /** Epoch ms of the last state change. */
  since: number;
  last_error: string | null;
  in_flight: number;
  queued: number;
  /**
   * The rate-limit table the link paces by (PROTOCOL.md §h.1): `v2` when both sides advertise
   * RATE_LIMITS_V2, else the node enforces the stricter `v1`; null before the handshake.
   */
  rate_limits: 'v1' | 'v2' | null;
  reconnects: number;
  /** While the link waits (states `reconnecting`, `idle`): why, and when it tries again. */
  retry: LinkRetry | null;
}

export interface LinkRetry {
  cause: RetryCause;
  /** Epoch ms of the next attempt. */
  at: number;
  /** Milliseconds left until then, when the status was taken. */
  in_ms: number;
  /** What the link waits for, in words (the ban, the backoff, or why no peer is free). */
  reason: string;
}

export interface UpstreamStatus {
  network: string;
  roles: Role[];
  links: LinkStatus[];
  peak: Peak | null;
}

/** Emitted after every upstream request settles, for metrics. */
export interface RequestOutcome {
  role: Role;
  /** Request message name, e.g. `request_blocks`. */
  message: string;
  /**
   * `busy`: refused by the link's pacing queue (full, or its deadline came while it waited), so no
   * peer was asked; `error`: any other failure (the link closed, an invalid reply).
   */
  outcome: 'ok' | 'reject' | 'timeout' | 'busy' | 'error';
  /** From the call to its outcome, pacing wait included. */
  duration_ms: number;
  peer: string;
}

export interface UpstreamEvents {
  /** A new best peak, with the one before it and the fork point between them. */
  peak: (change: PeakChange) => void;
  /** A link changed state. */
  link: (status: LinkStatus) => void;
  /** An upstream request settled. */
  request: (outcome: RequestOutcome) => void;
}

/** How one upstream call is made. */
export interface UpstreamRequestOptions {
  /**
   * The clients the call serves (the REST layer names them by IP). The pacing queue of the link that
   * sends it shares the link's budget fairly between clients (rate-limiter.ts); without it the call is
   * the gateway's own.
   */
  onBehalfOf?: OnBehalfOf;
}

/** Listening to some of the upstream's events. */
export interface UpstreamEventSource<E extends keyof UpstreamEvents> {
  on<K extends E>(event: K, listener: UpstreamEvents[K]): void;
  off<K extends E>(event: K, listener: UpstreamEvents[K]): void;
}

/**
 * Blocks by height range, what the block cache fetches through. Like every upstream method, these
 * reject only with an {@link UpstreamError} (codes in src/chia/errors.ts); nothing else escapes.
 */
export interface BlockSource {
  /** FullBlocks of heights start..end inclusive (end − start ≤ MAX_BLOCK_SPAN), full_node role, request_blocks. */
  getBlocks(start: number, end: number, options?: UpstreamRequestOptions): Promise<FetchedBlock<FullBlock>[]>;
  /** HeaderBlocks of heights start..end inclusive (end − start ≤ MAX_HEADER_SPAN), wallet role, request_block_headers with filters. */
  getHeaderBlocks(start: number, end: number, options?: UpstreamRequestOptions): Promise<FetchedBlock<HeaderBlock>[]>;
}

/** The coins a block created and spent, what the coin lists are read through. */
export interface CoinSource {
  /** respond_additions payload (decoded) for a block; headerHash null lets the node pick its main-chain block. */
  getAdditions(height: number, headerHash: string | null, options?: UpstreamRequestOptions): Promise<RespondAdditions>;
  /** respond_removals payload (decoded) for a block. */
  getRemovals(height: number, headerHash: string, options?: UpstreamRequestOptions): Promise<RespondRemovals>;
}

/** The best peak and its changes, what the live hub and the block cache's reorg handling follow. */
export interface PeakFeed extends UpstreamEventSource<'peak'> {
  peak(): Peak | null;
}

/** Link states, the best peak and request outcomes, what readiness and the metrics read. */
export interface UpstreamMonitor extends UpstreamEventSource<'link' | 'request'> {
  peak(): Peak | null;
  status(): UpstreamStatus;
  /** True when at least one link of `role` is ready. */
  isReady(role: Role): boolean;
}

/** What the gateway needs from its upstream: every narrower face above, and the links' lifecycle. */
export interface Upstream extends BlockSource, CoinSource, PeakFeed, UpstreamMonitor {
  /** Connect the configured links; resolves once connecting has started (not when ready). */
  start(): Promise<void>;
  /** Close every link and settle every pending request with LINK_CLOSED / CLOSED. Idempotent. */
  close(): Promise<void>;

  on<E extends keyof UpstreamEvents>(event: E, listener: UpstreamEvents[E]): void;
  off<E extends keyof UpstreamEvents>(event: E, listener: UpstreamEvents[E]): void;
}

