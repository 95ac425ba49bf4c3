/**
 * The pool of upstream links (implements `Upstream`): config.linksPerRole links per role, each role
 * with its own TLS identity, never two of one role to one node; peers from the config or the DNS
 * seeders; capped backoff with jitter per link, bans honoured per peer; requests routed to the least
 * busy ready link of the right role, retried once on another peer when theirs dies, answers wrongly, or
 * lags behind the height asked for, and paced fairly between the clients they serve; the best peak
 * followed across links (src/chia/peaks/peak-follower.ts); blocks checked against the announcing
 * peer's header hashes. The peers live in peer-pool.ts, the routing of requests in request-router.ts,
 * the peaks in the follower; this class wires them to the link slots.
 */
import { EventEmitter } from 'node:events';
import { exponentialBackoff, type BackoffStrategy } from './backoff.js';
import { fromHex, MessageType, payloadCodec, spendBundleName, toHex } from '../codec/index.js';
import { CoinUpdateGate } from '../coins/coin-update-gate.js';
import { CoinWatcher, type CoinWatcherDeps } from '../coins/coin-watcher.js';
import { UpstreamError } from '../errors.js';
import { MAX_BLOCK_SPAN, MAX_COIN_STATE_IDS, MAX_HEADER_SPAN, MAX_HEIGHT, MAX_PUZZLE_STATE_HASHES, TRANSACTION_ACK_WAIT_MS } from '../protocol/limits.js';
import { networkInfo } from '../protocol/networks.js';
import { rateLimitOf } from '../protocol/rate-limits.js';
import { LinkSlot } from './link-slot.js';
import { SILENT_LOGGER, type Logger } from '../logger.js';
import { PeakFollower } from '../peaks/peak-follower.js';
import { PARENT_TIMEOUT_MS } from '../peaks/peak-parents.js';
import { formatPeer } from '../protocol/peer-address.js';
import type { HostResolver } from './peer-discovery.js';
import { PeerLink, type PeerLinkOptions } from '../link/peer-link.js';
import { PeerPool } from './peer-pool.js';
import { RIDE_THROUGH_MS, RequestRouter } from './request-router.js';
import { loadOrCreateIdentity, type IdentityNames, type PemPair } from '../link/tls-identity.js';
import type { CoinState, CoinStateFilters, FeeEstimateGroup, FullBlock, HeaderBlock, PuzzleSolutionResponse, RespondAdditions, RespondRemovals, SpendBundle } from '../codec/index.js';
import { decodeReply, type PeerReply } from '../link/peer-reply.js';
import { checkBlocks, type BlockOf, type BlockReplyKind } from './upstream-replies.js';
import {
  checkChildren,
  checkCoinStates,
  checkFeeEstimates,
  checkPuzzleSolution,
  checkPuzzleState,
  checkTransactionAck,
  coinStateRequest,
  feeEstimatesRequest,
  hashBytes,
  keyList,
  pointStart,
  puzzleStateRequest,
  type StateStart,
} from './wallet-replies.js';
import type {
  ChainPoint,
  CoinWatchKeys,
  CoinWatchStatus,
  CoinStatesRead,
  FetchedBlock,
  LinkStatus,
  Peak,
  PeakChange,
  PeerAddress,
  PuzzleStatePage,
  RequestOutcome,
  Role,
  TransactionAckFrom,
  TransactionSent,
  Upstream,
  UpstreamEvents,
  UpstreamRequestOptions,
  UpstreamStatus,
} from '../upstream-api.js';

/** Puzzle-state walks whose next page the manager sends to the peer of the previous one (oldest forgotten first). */
const WALKS_KEPT = 10_000;
/** Time a transaction ack may take beyond the node's own wait for its mempool: the round trip and the node's queueing. */
const ACK_MARGIN_MS = 5_000;
/** Deadline of a send_transaction, whatever the shorter request timeout: a slow ack is still an answer. */
const TRANSACTION_TIMEOUT_MS = TRANSACTION_ACK_WAIT_MS + ACK_MARGIN_MS;


/** A role's own client certificate and key files. */
export interface IdentityPaths {
  certPath: string;
  keyPath: string;
}

/** The settings of the pool (the app makes them from its configuration). */
export interface UpstreamManagerConfig {
  /** Chia network id sent in the handshake (`mainnet`, `testnet11`, or a private network's id). */
  network: string;
  /** Explicit peers; empty means "resolve the network's DNS seeders". */
  peers: PeerAddress[];
  roles: Role[];
  /** Where generated client certificates are kept (0600). */
  dataDir: string;
  /** User-supplied client certificates per role; a role without one gets a generated identity. */
  identities: Partial<Record<Role, IdentityPaths>>;
  /** Fraction of the node's v2 rate limits a link may use (PROTOCOL.md §h.1). */
  pacingShare: number;
  /** Deadline of one upstream request. */
  requestTimeoutMs: number;
  /** Healthy links kept per role. */
  linksPerRole: number;
  /** Pending requests a link may queue while pacing before failing fast. */
  pacingQueueSize: number;
  /** Fraction of each link's pacing allowance one client (its onBehalfOf key) may hold within a window. */
  pacingClientShare: number;
  /** Longest a request waits in a link's pacing queue before failing busy (bounded by requestTimeoutMs too). */
  pacingMaxWaitMs: number;
}

export interface UpstreamManagerOptions {
  config: UpstreamManagerConfig;
  /** The public Chia CA (PROTOCOL.md §a.2): signs generated identities; node certificates must chain to it. */
  ca: PemPair;
  /** How messages name the settings of a role's identity (default: the config's field names). */
  identityNames?: (role: Role) => IdentityNames;
  /**
   * How deep a fork is assumed when the gateway cannot relate a new best peak to the previous one
   * (see PeakTrackerOptions): the configured confirmations, so no guess leaves a replaced block to
   * become immutable.
   */
  unverifiedForkDepth: number;
  /**
   * How long every link keeps away from a peer that refused the upgrade with HTTP 403: our IP is
   * banned there, for a time the node does not say (PROTOCOL.md §a.5), config.banBackoffMs.
   */
  banBackoffMs: number;
  /** How an operator gives peers, named in the message when there are none (default `peers`). */
  peersOption?: string;
  logger?: Logger;
  /** DNS lookup for the seeders (tests inject one). */
  resolver?: HostResolver;
  /** Reconnect delays of one link (exponentialBackoff() by default). */
  backoff?: BackoffStrategy;
  /** Pre-made identities per role instead of loading them from config/dataDir. */
  identities?: Partial<Record<Role, { cert: string; key: string }>>;
  /** Pacing window (60 s against real nodes; tests scale it like the fake node). */
  pacingWindowMs?: number;
  /** Pacing guard against latency jitter (default a tenth of the window, see rate-limiter.ts). */
  pacingGuardMs?: number;
  /** Coin-watch timings and cap (tests shorten them). */
  coinWatch?: Partial<Pick<CoinWatcherDeps, 'lingerMs' | 'flushMs' | 'retryMs' | 'subscriptionLimit'>>;
  /** Extra PeerLink settings (timers) for tests. */
  link?: Partial<Pick<PeerLinkOptions, 'handshakeTimeoutMs' | 'pingIntervalMs' | 'keepAliveIdleMs'>>;
}

export function createUpstreamManager(options: UpstreamManagerOptions): UpstreamManager {
  return new UpstreamManager(options);
}

export class UpstreamManager implements Upstream {
  readonly #options: UpstreamManagerOptions;
  readonly #config: UpstreamManagerConfig;
  readonly #log: Logger;
  readonly #events = new EventEmitter();
  readonly #slots: LinkSlot[] = [];
  readonly #peaks: PeakFollower;
  readonly #pool: PeerPool;
  readonly #router: RequestRouter;
  readonly #backoff: BackoffStrategy;
  readonly #coinGate: CoinUpdateGate;
  /** Best-peak changes not emitted yet (#queuePeak), and the last one emitted: what peak() answers. */
  readonly #peakChanges: PeakChange[] = [];
  #emittedPeak: Peak | null = null;
  readonly #coinWatch: CoinWatcher;
  #identities: Partial<Record<Role, { cert: string; key: string }>> = {};
  /** The genesis challenge of a network the gateway does not know, once learnt (see #genesisChallenge). */
  #genesis: Promise<Uint8Array> | undefined;
  /** Where recent puzzle-state pages ended (pointKey) → the peer that served them, so a walk stays on its peer. */
  readonly #walkPeers = new Map<string, string>();
  #state: 'idle' | 'started' | 'closed' = 'idle';

  constructor(options: UpstreamManagerOptions) {
    this.#options = options;
    this.#config = options.config;
    this.#log = options.logger ?? SILENT_LOGGER;
    this.#backoff = options.backoff ?? exponentialBackoff();
    const parentTimeoutMs = Math.min(PARENT_TIMEOUT_MS, this.#config.requestTimeoutMs);
    this.#peaks = new PeakFollower({
      unverifiedForkDepth: options.unverifiedForkDepth,
      exchange: (link, message, payload, accept) => this.#router.exchange(link, link.role, message, payload, accept, { timeoutMs: parentTimeoutMs }),
      isClosed: () => this.#state === 'closed',
      onChange: (change) => this.#queuePeak(change),
      onAnnounced: (link) => {
        for (const slot of this.#slots) if (slot.link === link) this.#events.emit('link', this.#slotStatus(slot));
        const latest = this.#peaks.tracker.latest(link.address);
        if (latest) this.#coinWatch.onAnnounced(link, { height: latest.height, header_hash: latest.header_hash });
      },
      logger: this.#log,
    });
    this.#pool = new PeerPool({
      network: this.#config.network,
      peers: this.#config.peers,
      resolver: options.resolver,
      banBackoffMs: options.banBackoffMs,
      peersOption: options.peersOption ?? 'peers',
      logger: this.#log,
      otherLinks: (slot) => this.#otherLinks(slot),
    });
    this.#router = new RequestRouter({
      slots: this.#slots,
      peaks: this.#peaks.tracker,
      roles: this.#config.roles,
      isClosed: () => this.#state === 'closed',
      report: (outcome) => this.#report(outcome),
      logger: this.#log,
      rideThroughMs: Math.min(RIDE_THROUGH_MS, this.#config.requestTimeoutMs),
    });
    this.#coinGate = new CoinUpdateGate({
      best: () => this.#peaks.best,
      peakPending: () => this.#peakChanges.length > 0,
      bestHashAt: (height) => this.#peaks.tracker.bestHashAt(height),
      emit: (update) => this.#events.emit('coins', update),
      logger: this.#log,
    });
    this.#coinWatch = new CoinWatcher({
      readyLinks: () => this.#slots.flatMap((s) => (s.deps.role === 'wallet' && s.link?.state === 'ready' ? [s.link] : [])),
      exchange: (link, message, payload, accept) => this.#router.exchange(link, 'wallet', message, payload, accept),
      best: () => this.#peaks.best,
      // The best chain's hash when the gateway knows it (a hint read's start, usually), else the node's header.
      hashAt: async (height) => this.#peaks.tracker.bestHashAt(height) ?? (await this.getHeaderBlocks(height, height))[0]!.header_hash,
      stateStart: (from) => this.#stateStart(from),
      deliver: (update) => this.#coinGate.push(update),
      logger: this.#log,
      ...options.coinWatch,
    });
  }

  /**
   * Emits a best-peak change once the event loop has read every connection that was ready with it. A
   * node pushes a block's coin_state_update on its wallet connections as it announces the block on the
   * others; read in the same turn, the update (held by the gate meanwhile) leaves right behind its peak,
   * in the same fan-out turn, instead of after a whole peak fan-out (measured with bench:coins).
   */
  #queuePeak(change: PeakChange): void {
    if (this.#peakChanges.push(change) > 1) return;
    setImmediate(() => {
      for (let next = this.#peakChanges.shift(); next !== undefined; next = this.#peakChanges.shift()) {
        if (this.#state === 'closed') continue;
        this.#emittedPeak = next.peak;
        try {
          this.#events.emit('peak', next);
        } catch (err) {
          // A listener's fault must not stop the peaks (and the coin updates held for them) that follow.
          this.#log.error({ err, height: next.peak.height }, 'a peak listener failed');
        }
        // Coin updates of this block were held for its peak (coin-update-gate.ts).
        this.#coinGate.onPeak(next);
        this.#coinWatch.onPeak();
      }
    });
  }

  async start(): Promise<void> {
    if (this.#state !== 'idle') return;
    this.#state = 'started';
    const { ca, identityNames } = this.#options;
    for (const role of this.#config.roles) {
      const given = this.#options.identities?.[role];
      const paths = this.#config.identities[role];
      this.#identities[role] =
        given ?? (await loadOrCreateIdentity({ dataDir: this.#config.dataDir, role, certPath: paths?.certPath, keyPath: paths?.keyPath, ca, names: identityNames?.(role), logger: this.#log }));
    }
    if (this.#state !== 'started') return;
    if (this.#pool.size === 0) await this.#pool.reseed();
    for (const role of this.#config.roles) {
      for (let i = 1; i <= this.#config.linksPerRole; i++) {
        const slot = new LinkSlot({
          role,
          id: `${role}#${i}`,
          choosePeer: (s) => this.#pool.choosePeer(s),
          ban: (peer, banMs, reason) => this.#pool.ban(peer, banMs, reason),
          createLink: (peer, r) => this.#createLink(peer, r),
          backoff: this.#backoff,
          logger: this.#log,
        });
        slot.on('state', (state) => {
          if (state === 'reconnecting') this.#forgetIfGone(slot);
          this.#events.emit('link', this.#slotStatus(slot));
          if (state === 'handshaking') this.#pool.dropIfDuplicate(slot);
          if (role === 'wallet' && slot.link) this.#coinWatch.onLink(slot.link);
        });
        slot.on('notification', (frame, link) => {
          if (frame.type === MessageType.coin_state_update) this.#coinWatch.onPush(frame, link);
          else this.#peaks.follow(frame, link);
        });
        this.#slots.push(slot);
      }
    }
    for (const slot of this.#slots) slot.start();
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#coinWatch.close();
    this.#coinGate.close();
    for (const slot of this.#slots) slot.stop();
  }

  async getBlocks(start: number, end: number, options: UpstreamRequestOptions = {}): Promise<FetchedBlock<FullBlock>[]> {
    checkRange(start, end, MAX_BLOCK_SPAN);
    const payload = { start_height: start, end_height: end, include_transaction_block: true };
    return this.#router.request('full_node', 'request_blocks', payload, end, (reply) => this.#checkBlocks(reply, 'RespondBlocks', start, end), options.onBehalfOf);
  }

  async getHeaderBlocks(start: number, end: number, options: UpstreamRequestOptions = {}): Promise<FetchedBlock<HeaderBlock>[]> {
    checkRange(start, end, MAX_HEADER_SPAN);
    const payload = { start_height: start, end_height: end, return_filter: true };
    return this.#router.request('wallet', 'request_block_headers', payload, end, (reply) => this.#checkBlocks(reply, 'RespondBlockHeaders', start, end), options.onBehalfOf);
  }

  async getAdditions(height: number, headerHash: string | null, options: UpstreamRequestOptions = {}): Promise<RespondAdditions> {
    checkRange(height, height, 0);
    const payload = { height, header_hash: headerHash === null ? null : hashBytes(headerHash), puzzle_hashes: null };
    return this.#router.request('wallet', 'request_additions', payload, height, (reply) => decodeReply(reply, 'respond_additions'), options.onBehalfOf);
  }

  async getRemovals(height: number, headerHash: string, options: UpstreamRequestOptions = {}): Promise<RespondRemovals> {
    checkRange(height, height, 0);
    const payload = { height, header_hash: hashBytes(headerHash), coin_names: null };
    return this.#router.request('wallet', 'request_removals', payload, height, (reply) => decodeReply(reply, 'respond_removals'), options.onBehalfOf);
  }

  async getCoinStates(coinIds: string[], options: UpstreamRequestOptions = {}): Promise<CoinStatesRead> {
    const ids = keyList(coinIds, MAX_COIN_STATE_IDS, 'coin id');
    const payload = coinStateRequest(ids, await this.#stateStart(null));
    return this.#router.request('wallet', 'request_coin_state', payload, 0, (reply) => ({ coin_states: checkCoinStates(reply, ids), at: this.#peakOf(reply.peer), peer: reply.peer }), options.onBehalfOf);
  }

  async getPuzzleStatePage(puzzleHashes: string[], filters: CoinStateFilters, from: ChainPoint | null, options: UpstreamRequestOptions = {}): Promise<PuzzleStatePage> {
    const hashes = keyList(puzzleHashes, MAX_PUZZLE_STATE_HASHES, 'puzzle hash');
    const start = await this.#stateStart(from);
    const payload = puzzleStateRequest(hashes, filters, start);
    const prefer = from === null ? undefined : this.#walkPeers.get(pointKey(from));
    const page = await this.#router.request(
      'wallet',
      'request_puzzle_state',
      payload,
      from?.height ?? 0,
      (reply) => ({ ...checkPuzzleState(reply, hashes, filters, start.previous_height, (h) => this.#peaks.tracker.announcedHash(reply.peer, h)), peer: reply.peer }),
      options.onBehalfOf,
      { prefer },
    );
    this.#rememberWalk(page.next, page.peer);
    return page;
  }

  async getChildren(coinId: string, options: UpstreamRequestOptions = {}): Promise<CoinState[]> {
    const parent = hashBytes(coinId, 'coin id');
    return this.#router.request('wallet', 'request_children', { coin_name: parent }, 0, (reply) => checkChildren(reply, parent), options.onBehalfOf);
  }

  async getPuzzleSolution(coinId: string, height: number, options: UpstreamRequestOptions = {}): Promise<PuzzleSolutionResponse> {
    checkRange(height, height, 0);
    const coin = hashBytes(coinId, 'coin id');
    return this.#router.request('wallet', 'request_puzzle_solution', { coin_name: coin, height }, height, (reply) => checkPuzzleSolution(reply, coin, height), options.onBehalfOf);
  }

  async sendTransaction(bundle: SpendBundle, options: UpstreamRequestOptions & { peers?: number } = {}): Promise<TransactionSent> {
    const peers = options.peers ?? Number.POSITIVE_INFINITY;
    if (!(peers >= 1) || (Number.isFinite(peers) && !Number.isInteger(peers))) throw new UpstreamError('INVALID_REQUEST', `peers must be a positive integer, not ${peers}`);
    let size: number;
    let txid: Uint8Array;
    try {
      size = payloadCodec('send_transaction').encode({ transaction: bundle }).length;
      txid = spendBundleName(bundle);
    } catch (cause) {
      throw new UpstreamError('INVALID_REQUEST', `the spend bundle cannot be encoded: ${(cause as Error).message}`, { cause });
    }
    const maxSize = rateLimitOf('send_transaction')?.maxSize ?? Number.POSITIVE_INFINITY;
    if (size > maxSize) throw new UpstreamError('TRANSACTION_TOO_LARGE', `the spend bundle is ${size} bytes; a node accepts at most ${maxSize}`);
    const results = await this.#router.requestEach('wallet', 'send_transaction', { transaction: bundle }, peers, (reply) => checkTransactionAck(reply, txid), options.onBehalfOf, {
      timeoutMs: Math.max(this.#config.requestTimeoutMs, TRANSACTION_TIMEOUT_MS),
    });
    const acks: TransactionAckFrom[] = [];
    for (const { peer, result } of results) {
      if (result.status === 'fulfilled') acks.push(result.value);
      else this.#log.warn({ peer, err: (result.reason as Error).message }, 'a peer did not ack a transaction');
    }
    // Every peer failed to answer: the first failure says why (a timeout, a dropped link, a bad ack).
    if (acks.length === 0) throw (results[0]!.result as PromiseRejectedResult).reason;
    return { txid: toHex(txid), acks };
  }

  async getFeeEstimates(targetTimes: number[], options: UpstreamRequestOptions = {}): Promise<FeeEstimateGroup> {
    const payload = feeEstimatesRequest(targetTimes);
    return this.#router.request('wallet', 'request_fee_estimates', payload, 0, (reply) => checkFeeEstimates(reply, payload.time_targets), options.onBehalfOf);
  }

  /** Where a state read after `from` starts, or from genesis (§e.5). */
  async #stateStart(from: ChainPoint | null): Promise<StateStart> {
    return from === null ? { previous_height: null, header_hash: await this.#genesisChallenge() } : pointStart(from);
  }

  /**
   * The network's genesis challenge, where a state read from genesis starts (§e.5): the known
   * network's, else learnt once from the wallet links' block 0, whose previous hash it is (§g.2).
   */
  #genesisChallenge(): Promise<Uint8Array> {
    const known = networkInfo(this.#config.network).genesisChallenge;
    if (known !== '') return Promise.resolve(fromHex(known));
    this.#genesis ??= this.getHeaderBlocks(0, 0).then(
      ([block]) => block!.value.foliage.prev_block_hash,
      (error: unknown) => {
        this.#genesis = undefined;
        throw error;
      },
    );
    return this.#genesis;
  }

  /** The last peak `peer` announced (the block a state read from it is as of), else the best peak. */
  #peakOf(peer: string): ChainPoint {
    const peak = this.#peaks.tracker.latest(peer) ?? this.#peaks.best;
    if (!peak) throw new UpstreamError('NO_READY_LINK', `${peer} answered before any peer announced a peak`, { peer });
    return { height: peak.height, header_hash: peak.header_hash };
  }

  /** Remembers which peer a walk's page ended on, so the next page asks it first (bounded: oldest first out). */
  #rememberWalk(point: ChainPoint, peer: string): void {
    const key = pointKey(point);
    this.#walkPeers.delete(key);
    this.#walkPeers.set(key, peer);
    if (this.#walkPeers.size > WALKS_KEPT) this.#walkPeers.delete(this.#walkPeers.keys().next().value!);
  }

  watch(keys: CoinWatchKeys, since?: ChainPoint): () => void {
    return this.#coinWatch.watch(keys, since);
  }

  coinWatchStatus(): CoinWatchStatus {
    return this.#coinWatch.status();
  }

  /** The best peak; while a change waits to be emitted (#queuePeak), the one last emitted, as consumers know it. */
  peak(): Peak | null {
    return this.#peakChanges.length > 0 ? this.#emittedPeak : this.#peaks.best;
  }

  status(): UpstreamStatus {
    return { network: this.#config.network, roles: [...this.#config.roles], links: this.#slots.map((s) => this.#slotStatus(s)), peak: this.peak() };
  }

  isReady(role: Role): boolean {
    return this.#slots.some((s) => s.deps.role === role && s.link?.state === 'ready');
  }

  on<E extends keyof UpstreamEvents>(event: E, listener: UpstreamEvents[E]): void {
    this.#events.on(event, listener);
  }

  off<E extends keyof UpstreamEvents>(event: E, listener: UpstreamEvents[E]): void {
    this.#events.off(event, listener);
  }

  /** The blocks of a block-list reply, checked against what the serving peer announced (§g.3). */
  #checkBlocks<K extends BlockReplyKind>(reply: PeerReply, kind: K, start: number, end: number): FetchedBlock<BlockOf<K>>[] {
    return checkBlocks(reply, kind, start, end, (height) => this.#peaks.tracker.announcedHash(reply.peer, height));
  }

  /** Drops a closed link's peer from the peak bookkeeping unless another link still talks to it. */
  #forgetIfGone(slot: LinkSlot): void {
    const address = slot.link?.address;
    if (address === undefined) return;
    if (this.#slots.some((s) => s !== slot && s.link?.address === address && s.link.state !== 'closed')) return;
    this.#peaks.forget(address);
  }

  #report(outcome: RequestOutcome): void {
    this.#events.emit('request', outcome);
  }

  #createLink(peer: PeerAddress, role: Role): PeerLink {
    const identity = this.#identities[role];
    if (!identity) throw new Error(`no identity for role ${role}`);
    return new PeerLink({
      host: peer.host,
      port: peer.port,
      role,
      network: this.#config.network,
      identity,
      ca: this.#options.ca.cert,
      requestTimeoutMs: this.#config.requestTimeoutMs,
      pacing: {
        share: this.#config.pacingShare,
        queueSize: this.#config.pacingQueueSize,
        clientShare: this.#config.pacingClientShare,
        maxWaitMs: this.#config.pacingMaxWaitMs,
        windowMs: this.#options.pacingWindowMs,
        guardMs: this.#options.pacingGuardMs,
      },
      logger: this.#log,
      ...this.#options.link,
    });
  }

  /** The live links of the other slots of `slot`'s role. */
  #otherLinks(slot: LinkSlot): PeerLink[] {
    const links: PeerLink[] = [];
    for (const s of this.#slots) if (s !== slot && s.deps.role === slot.deps.role && s.link && s.link.state !== 'closed') links.push(s.link);
    return links;
  }

  #slotStatus(slot: LinkSlot, now = Date.now()): LinkStatus {
    const link = slot.link;
    // An idle slot goes nowhere yet: the address of a link it held before is not its target.
    const peer = slot.state === 'idle' ? '' : (link?.address ?? (slot.peer ? formatPeer(slot.peer) : ''));
    const retry = slot.retry;
    const latest = link ? this.#peaks.tracker.latest(link.address) : undefined;
    return {
      id: slot.id,
      role: slot.deps.role,
      peer,
      state: slot.state,
      peer_id: link?.peerId ?? null,
      peak: latest ? { height: latest.height, header_hash: latest.header_hash, weight: latest.weight.toString() } : null,
      since: slot.since,
      last_error: slot.lastError?.message ?? null,
      in_flight: link?.state === 'ready' ? link.inFlight : 0,
      queued: link?.state === 'ready' ? link.queued : 0,
      rate_limits: link?.rateLimits ?? null,
      reconnects: slot.reconnects,
      retry: retry === null ? null : { cause: retry.cause, at: retry.at, in_ms: Math.max(0, retry.at - now), reason: retry.reason },
    };
  }
}

/** Checks an inclusive height range against a request's longest span (a caller bug otherwise). */
function checkRange(start: number, end: number, maxSpan: number): void {
  const u32 = (n: number) => Number.isInteger(n) && n >= 0 && n <= MAX_HEIGHT;
  if (!u32(start) || !u32(end) || end < start || end - start > maxSpan) {
    throw new UpstreamError('INVALID_REQUEST', `invalid height range ${start}..${end} (at most ${maxSpan + 1} heights)`);
  }
}

/** The key of a chain point in the walk memory. */
function pointKey(point: ChainPoint): string {
  return `${point.height}:${point.header_hash.toLowerCase()}`;
}

