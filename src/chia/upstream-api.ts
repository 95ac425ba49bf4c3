/**
 * The contract between the protocol core (src/chia/pool/upstream-manager.ts implements it) and the
 * HTTP/WebSocket layers. Consumers depend on this interface only, so routes can be tested against an
 * in-memory implementation and run in production against real peers.
 */
import type {
  CoinState,
  CoinStateFilters,
  FeeEstimateGroup,
  FullBlock,
  HeaderBlock,
  PuzzleSolutionResponse,
  RespondAdditions,
  RespondRemovals,
  SpendBundle,
} from './codec/index.js';

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
  /** Coin states of watched keys changed (see CoinWatch): emitted after the peak event of their block. */
  coins: (update: CoinUpdate) => void;
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

/** A block of the chain a state read was made at, or continues from: its height and 0x header hash. */
export interface ChainPoint {
  height: number;
  header_hash: string;
}

/** Coin states read at one block (respond_coin_state). */
export interface CoinStatesRead {
  coin_states: CoinState[];
  /** The peak of the link that answered, when it answered: the block the states are as of. */
  at: ChainPoint;
  peer: string;
}

/**
 * One page of a puzzle-hash walk (respond_puzzle_state, PROTOCOL.md §e.4): the states with a created or
 * spent height above the page's start, up to `next` (the node's `height`/`header_hash`), which is where
 * the following page starts while `is_finished` is false.
 */
export interface PuzzleStatePage {
  coin_states: CoinState[];
  next: ChainPoint;
  is_finished: boolean;
  peer: string;
}

/** One peer's answer to send_transaction (transaction_ack). */
export interface TransactionAckFrom {
  peer: string;
  status: 'SUCCESS' | 'PENDING' | 'FAILED';
  /**
   * The node's reason when it gives one: an Err name when FAILED (e.g. `DOUBLE_SPEND`) or PENDING
   * (e.g. `MEMPOOL_CONFLICT`), or a text such as `Transaction queue full` (PROTOCOL.md §e.5); else null.
   */
  error: string | null;
}

/** A transaction sent to several wallet peers at once: its id and every peer's ack (or failure). */
export interface TransactionSent {
  /** 0x spend bundle name (sha256 of its streamable bytes). */
  txid: string;
  /** The ack of every peer that answered (at least one); a peer that did not is logged and reported as a request outcome. */
  acks: TransactionAckFrom[];
}

/**
 * The coin set over wallet links (PROTOCOL.md §e.4). Hashes and ids in and out of these calls are
 * 0x-prefixed lowercase hex where they are strings. A `reject_puzzle_state`/`reject_coin_state` with
 * reason REORG rejects with code STATE_REORG (the start point left the node's chain: start again from a
 * fresh point), EXCEEDED_SUBSCRIPTION_LIMIT with SUBSCRIPTION_LIMIT.
 */
export interface WalletSource {
  /** request_coin_state without a subscription: the states of up to MAX_COIN_STATE_IDS coins (unknown ids are absent). */
  getCoinStates(coinIds: string[], options?: UpstreamRequestOptions): Promise<CoinStatesRead>;
  /**
   * request_puzzle_state without a subscription: one page of the states of coins with one of
   * `puzzleHashes` (up to MAX_PUZZLE_STATE_HASHES), filtered as the node filters, after `from` (null:
   * from genesis). Every page is read from the same peer as `from` when it is still connected (the
   * manager remembers which peer served the page that ended at `from`); another peer whose chain
   * lacks `from` rejects with STATE_REORG.
   */
  getPuzzleStatePage(
    puzzleHashes: string[],
    filters: CoinStateFilters,
    from: ChainPoint | null,
    options?: UpstreamRequestOptions,
  ): Promise<PuzzleStatePage>;
  /** request_children: the states of the coins `coinId` created when spent (empty when unspent or unknown). */
  getChildren(coinId: string, options?: UpstreamRequestOptions): Promise<CoinState[]>;
  /** request_puzzle_solution: the puzzle reveal and solution of `coinId`, spent at `height`. */
  getPuzzleSolution(coinId: string, height: number, options?: UpstreamRequestOptions): Promise<PuzzleSolutionResponse>;
  /**
   * send_transaction over up to `peers` (default: every) ready wallet links to different nodes at
   * once, waiting for every one (an ack may take the node's 45 s mempool wait, whatever the request
   * timeout); rejects with the first peer's failure when none answered, TRANSACTION_TOO_LARGE for a
   * bundle over the node's 1 MiB send_transaction limit.
   */
  sendTransaction(bundle: SpendBundle, options?: UpstreamRequestOptions & { peers?: number }): Promise<TransactionSent>;
  /** request_fee_estimates for 1 to MAX_FEE_ESTIMATE_TARGETS targets (unix times in seconds); more is INVALID_REQUEST. */
  getFeeEstimates(targetTimes: number[], options?: UpstreamRequestOptions): Promise<FeeEstimateGroup>;
}

/** The keys of one watch: puzzle hashes (a puzzle-hash key also matches coins hinted to it) and coin ids, 0x hex. */
export interface CoinWatchKeys {
  puzzle_hashes?: readonly string[];
  coin_ids?: readonly string[];
}

/**
 * Coin states of watched keys at one block, pushed by a node (coin_state_update) or read while catching
 * up after a link loss (request_puzzle_state / request_coin_state): each state once, and never before the
 * upstream's `peak` event for `header_hash` (and its reorg), so a consumer always sees the block first.
 */
export interface CoinUpdate {
  height: number;
  /** 0x header hash of the block the states are as of. */
  header_hash: string;
  /** The height the node's chain forked at, when this change rolled blocks back; null otherwise. */
  fork_height: number | null;
  coin_states: CoinState[];
  /**
   * 0x coin id → the 0x watched puzzle hash the coin is hinted to, for the states that matched no
   * watched coin id or puzzle hash (the node pushed them for their hint without saying which; the
   * upstream resolves it with a few puzzle-state reads, src/chia/coins/hint-resolver.ts). A state absent
   * here matched by its coin id or puzzle hash, or its hint could not be resolved.
   */
  hints: ReadonlyMap<string, string>;
  /** `host:port` of the node that sent them. */
  peer: string;
  /**
   * Coins that went out earlier, matched by their own puzzle hash or coin id, found since to be hinted
   * to another watched puzzle hash (`hints`): for the clients of that hint who do not watch them otherwise.
   */
  late?: boolean;
}

/** What the coin watch holds: distinct keys, and the node registrations per wallet link. */
export interface CoinWatchStatus {
  puzzle_hashes: number;
  coin_ids: number;
  /** Keys waiting for a ready wallet link with room (none ready, all at their subscription cap). */
  pending: number;
  links: { peer: string; puzzle_hashes: number; coin_ids: number }[];
  /** Messages sent so far, by message name (register_for_*, request_*_state, request_remove_*). */
  messages: Record<string, number>;
}

/**
 * Live coin changes over wallet links. Interests are reference-counted across callers: each distinct key
 * is registered with one node once (spread across ready wallet links within each node's SUBSCRIPTION_LIMIT,
 * many keys per message), removed a few seconds after its last caller released it, and moved to another
 * link when its link is lost, catching up from the last block delivered so no change is missed. Changes
 * arrive as `coins` events.
 */
export interface CoinWatch extends UpstreamEventSource<'coins'> {
  /**
   * Watches `keys` (invalid hex throws INVALID_REQUEST) until the returned function is called (once is
   * enough). Every change after `since` (a block on the best chain, by default the best peak now) is
   * delivered: a key registered after a later peak first reads what came between.
   */
  watch(keys: CoinWatchKeys, since?: ChainPoint): () => void;
  coinWatchStatus(): CoinWatchStatus;
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
export interface Upstream extends BlockSource, CoinSource, WalletSource, CoinWatch, PeakFeed, UpstreamMonitor {
  /** Connect the configured links; resolves once connecting has started (not when ready). */
  start(): Promise<void>;
  /** Close every link and settle every pending request with LINK_CLOSED / CLOSED. Idempotent. */
  close(): Promise<void>;

  on<E extends keyof UpstreamEvents>(event: E, listener: UpstreamEvents[E]): void;
  off<E extends keyof UpstreamEvents>(event: E, listener: UpstreamEvents[E]): void;
}

