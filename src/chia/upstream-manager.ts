/**
 * The pool of upstream links (implements `Upstream`): config.linksPerRole links per role, each role
 * with its own TLS identity, never two of one role to one node; peers from the config or the DNS
 * seeders; capped backoff with jitter (longer for peers that refused us); requests routed to the least
 * busy ready link of the right role, retried once on another peer when theirs dies, answers wrongly, or
 * lags behind the height asked for, and coalesced when identical; the best peak tracked across links;
 * blocks checked against the announcing peer's header hashes; a new peer's first peak related to the
 * best through its parent hash (peak-parents.ts).
 */
import { EventEmitter } from 'node:events';
import type { GatewayConfig } from '../config.js';
import { exponentialBackoff, type BackoffStrategy } from './backoff.js';
import { MessageType, payloadType, toHex, types, type MessageName } from './codec/index.js';
import { UpstreamError } from './errors.js';
import { LinkSlot } from './link-slot.js';
import { NodeType } from './message-rules.js';
import { SILENT_LOGGER, type Logger } from './logger.js';
import { parentRequest, PerKeyQueue, PARENT_TIMEOUT_MS } from './peak-parents.js';
import { PeakTracker, type PeakAnnouncement } from './peak-tracker.js';
import { dnsResolver, formatAddress, resolveSeeders, type HostResolver } from './peer-discovery.js';
import { PeerLink, type PeerLinkOptions } from './peer-link.js';
import { networkInfo } from './networks.js';
import { SingleFlight } from './single-flight.js';
import { loadChiaCa, loadOrCreateIdentity } from './tls-identity.js';
import type { FullBlock, HeaderBlock, RespondAdditions, RespondRemovals } from './codec/index.js';
import { announcedParent, checkBlocks, decodeReply, isInvalidReply, rejectError, type BlockOf, type BlockReplyKind, type PeerReply } from './upstream-replies.js';
import type { FetchedBlock, LinkStatus, Peak, PeerAddress, RequestOutcome, Role, Upstream, UpstreamEvents, UpstreamStatus } from './upstream-api.js';

/** request_blocks spans at most 32 heights, i.e. 33 blocks (PROTOCOL.md §e.5). */
export const MAX_BLOCKS_PER_REQUEST = 33;
/** request_block_headers spans at most 128 heights, i.e. 129 headers (§e.5). */
export const MAX_HEADERS_PER_REQUEST = 129;
/** A link whose peak is this many blocks behind the best is used only when no other is ready. */
export const LAGGING_BLOCKS = 10;
/** A peer that sent an invalid reply is, for this long, used only when no other link is ready. */
export const DEMOTED_MS = 5 * 60_000;
/** #pickLink's minPeak when any peer will do. */
const ANY_PEAK = -1;
/** DNS seeders are asked again at most this often when no peer is usable. */
export const RESEED_INTERVAL_MS = 60_000;

export type UpstreamManagerConfig = Pick<
  GatewayConfig,
  'network' | 'peers' | 'roles' | 'dataDir' | 'identities' | 'pacingShare' | 'requestTimeoutMs' | 'linksPerRole' | 'pacingQueueSize'
>;

export interface UpstreamManagerOptions {
  config: UpstreamManagerConfig;
  logger?: Logger;
  /** DNS lookup for the seeders (tests inject one). */
  resolver?: HostResolver;
  backoff?: BackoffStrategy;
  /** Pre-made identities per role instead of loading them from config/dataDir. */
  identities?: Partial<Record<Role, { cert: string; key: string }>>;
  /** CA certificate that node certificates must chain to; the bundled Chia CA by default. */
  ca?: string;
  /** Pacing window (60 s against real nodes; tests scale it like the fake node). */
  pacingWindowMs?: number;
  /** Pacing guard against latency jitter (default a tenth of the window, see rate-limiter.ts). */
  pacingGuardMs?: number;
  /** Extra PeerLink settings (timers) for tests. */
  link?: Partial<Pick<PeerLinkOptions, 'handshakeTimeoutMs' | 'pingIntervalMs' | 'keepAliveIdleMs'>>;
}

interface PeerRecord {
  peer: PeerAddress;
  availableAt: number;
  /** The peer id (§a.4) of the node last reached at this address, once TLS showed it. */
  nodeId: string | null;
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
  readonly #peers = new Map<string, PeerRecord>();
  readonly #peaks = new PeakTracker();
  /** Per peer address: its announcements, kept in order behind a parent request (see #announce). */
  readonly #announcing = new PerKeyQueue((err) => this.#log.error({ err: (err as Error).message }, 'peak announcement failed'));
  /** Shared results of identical requests; each key's value has the type its caller's `accept` returns. */
  readonly #flight = new SingleFlight<unknown>();
  /** Peer address → epoch ms until which its links are deprioritised (see #demote). */
  readonly #demotedUntil = new Map<string, number>();
  /** `address peerId` pairs already logged as a second address of a held node (see #dropIfDuplicate). */
  readonly #reportedDuplicates = new Set<string>();
  readonly #backoff: BackoffStrategy;
  #identities: Partial<Record<Role, { cert: string; key: string }>> = {};
  #ca = '';
  #lastSeed = 0;
  #seeding: Promise<void> | null = null;
  #state: 'idle' | 'started' | 'closed' = 'idle';

  constructor(options: UpstreamManagerOptions) {
    this.#options = options;
    this.#config = options.config;
    this.#log = options.logger ?? SILENT_LOGGER;
    this.#backoff = options.backoff ?? exponentialBackoff();
    for (const peer of options.config.peers) this.#addPeer(peer);
  }

  async start(): Promise<void> {
    if (this.#state !== 'idle') return;
    this.#state = 'started';
    this.#ca = this.#options.ca ?? loadChiaCa().cert;
    for (const role of this.#config.roles) {
      const given = this.#options.identities?.[role];
      const paths = this.#config.identities[role];
      this.#identities[role] = given ?? (await loadOrCreateIdentity({ dataDir: this.#config.dataDir, role, certPath: paths?.certPath, keyPath: paths?.keyPath }));
    }
    if (this.#state !== 'started') return;
    if (this.#peers.size === 0) await this.#reseed();
    for (const role of this.#config.roles) {
      for (let i = 1; i <= this.#config.linksPerRole; i++) {
        const slot = new LinkSlot({
          role,
          id: `${role}#${i}`,
          choosePeer: (s) => this.#choosePeer(s),
          penalise: (peer, refused) => this.#penalise(peer, refused),
          createLink: (peer, r) => this.#createLink(peer, r),
          backoff: this.#backoff,
          logger: this.#log,
        });
        slot.on('state', (state) => {
          if (state === 'reconnecting') this.#forgetIfGone(slot);
          this.#events.emit('link', this.#slotStatus(slot));
          if (state === 'handshaking') this.#dropIfDuplicate(slot);
        });
        slot.on('notification', (frame, link) => this.#onNotification(frame.type, frame.data, link));
        this.#slots.push(slot);
      }
    }
    for (const slot of this.#slots) slot.start();
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    for (const slot of this.#slots) slot.stop();
  }

  async getBlocks(start: number, end: number): Promise<FetchedBlock<FullBlock>[]> {
    checkRange(start, end, MAX_BLOCKS_PER_REQUEST);
    const payload = { start_height: start, end_height: end, include_transaction_block: true };
    return this.#request('full_node', 'request_blocks', payload, end, (reply) => this.#checkBlocks(reply, 'RespondBlocks', start, end));
  }

  async getHeaderBlocks(start: number, end: number): Promise<FetchedBlock<HeaderBlock>[]> {
    checkRange(start, end, MAX_HEADERS_PER_REQUEST);
    const payload = { start_height: start, end_height: end, return_filter: true };
    return this.#request('wallet', 'request_block_headers', payload, end, (reply) => this.#checkBlocks(reply, 'RespondBlockHeaders', start, end));
  }

  async getAdditions(height: number, headerHash: string | null): Promise<RespondAdditions> {
    checkRange(height, height, 1);
    const payload = { height, header_hash: headerHash === null ? null : hashBytes(headerHash), puzzle_hashes: null };
    return this.#request('wallet', 'request_additions', payload, height, (reply) => decodeReply(reply, types.RespondAdditions));
  }

  async getRemovals(height: number, headerHash: string): Promise<RespondRemovals> {
    checkRange(height, height, 1);
    const payload = { height, header_hash: hashBytes(headerHash), coin_names: null };
    return this.#request('wallet', 'request_removals', payload, height, (reply) => decodeReply(reply, types.RespondRemovals));
  }

  peak(): Peak | null {
    return this.#peaks.best;
  }

  status(): UpstreamStatus {
    return { network: this.#config.network, roles: [...this.#config.roles], links: this.#slots.map((s) => this.#slotStatus(s)), peak: this.#peaks.best };
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
    return checkBlocks(reply, kind, start, end, (height) => this.#peaks.announcedHash(reply.peer, height));
  }

  /**
   * Sends `message` on a ready link of `role` and turns the reply into a value with `accept`, which
   * throws UPSTREAM_INVALID_REPLY for a bad one; identical requests share one result. `height` is the
   * highest height the request needs (a reject from a peer below it may be retried, see #retryFloor).
   */
  async #request<T>(role: Role, message: MessageName, payload: unknown, height: number, accept: (reply: PeerReply) => T): Promise<T> {
    if (this.#state === 'closed') throw new UpstreamError('CLOSED', 'the upstream manager is closed');
    const key = `${role}:${message}:${toHex(encodePayload(message, payload))}`;
    // The key fixes message and payload, hence `accept`: every sharer expects the same T.
    return (await this.#flight.run(key, () => this.#attempt(role, message, payload, height, accept))) as T;
  }

  /**
   * Tries one link, then at most one other peer (a single retry budget per request, so a bad pool
   * cannot multiply traffic). When the retry also fails, or finds no link, the first error is kept
   * unless the retry produced its own.
   */
  async #attempt<T>(role: Role, message: MessageName, payload: unknown, height: number, accept: (reply: PeerReply) => T): Promise<T> {
    const tried = new Set<string>();
    let minPeak = ANY_PEAK;
    let firstError: unknown;
    for (;;) {
      const link = this.#pickLink(role, tried, minPeak);
      if (!link) {
        if (this.#state === 'closed') throw new UpstreamError('CLOSED', 'the upstream manager is closed');
        // The retry found no other link: report why the first attempt failed.
        if (firstError !== undefined) throw firstError;
        throw new UpstreamError('NO_READY_LINK', `no ${role} link is ready${this.#config.roles.includes(role) ? '' : ` (add ${role} to roles)`}`);
      }
      tried.add(link.address);
      try {
        return await this.#exchange(link, role, message, payload, accept);
      } catch (error) {
        if (this.#state === 'closed') throw new UpstreamError('CLOSED', 'the upstream manager is closed', { cause: error });
        if (isInvalidReply(error)) this.#demote(link.address, message, (error as Error).message);
        const floor = firstError === undefined ? this.#retryFloor(error, link.address, height) : undefined;
        if (floor === undefined) throw error;
        firstError = error;
        minPeak = floor;
        this.#log.debug({ peer: link.address, message, err: (error as Error).message }, 'trying once on another peer');
      }
    }
  }

  /** One request on one link, reported as a RequestOutcome; a reject or an unaccepted reply throws. */
  async #exchange<T>(link: PeerLink, role: Role, message: MessageName, payload: unknown, accept: (reply: PeerReply) => T, timeoutMs?: number): Promise<T> {
    const started = Date.now();
    let outcome: RequestOutcome['outcome'] = 'error';
    try {
      const reply: PeerReply = { ...(await link.request(message, payload, timeoutMs)), peer: link.address };
      if (reply.kind === 'reject') {
        outcome = 'reject';
        throw rejectError(reply, message);
      }
      const value = accept(reply);
      outcome = 'ok';
      return value;
    } catch (error) {
      if (error instanceof UpstreamError && error.code === 'UPSTREAM_TIMEOUT') outcome = 'timeout';
      throw error;
    } finally {
      this.#report({ role, message, outcome, duration_ms: Date.now() - started, peer: link.address });
    }
  }

  /**
   * Whether a failed request deserves its one retry on another peer, and the lowest announced peak
   * that peer needs (ANY_PEAK: none); undefined for no retry.
   * - The link died, or the peer answered wrongly (undecodable, wrong type, wrong height, header hash
   *   other than it announced, §g.3): any other peer may answer right.
   * - A reject is the peer's answer that it lacks the block. Asked of another peer at random it would
   *   mostly spend that peer's rate-limit budget (§h) on the same reject, so it is retried only when
   *   the rejecting peer announced a peak below `height`, and only on a peer that announced one at or
   *   above it (the least busy link is not always the most up to date); with none, no request is sent.
   * - A timeout is not retried: the node stays silent on purpose in several cases (§e.8), and a second
   *   full timeout would double the caller's wait.
   */
  #retryFloor(error: unknown, peer: string, height: number): number | undefined {
    if (!(error instanceof UpstreamError)) return undefined;
    if (error.code === 'LINK_CLOSED' || isInvalidReply(error)) return ANY_PEAK;
    if (error.code !== 'UPSTREAM_REJECTED') return undefined;
    const own = this.#peaks.latest(peer)?.height;
    return own !== undefined && own < height ? height : undefined;
  }

  /**
   * Deprioritises a peer that sent an invalid reply: for DEMOTED_MS its links are picked only when no
   * other link is ready, as for a lagging peer, so the next requests go elsewhere while a pool of one
   * keeps working (every reply is still checked). The link is kept, not recycled: reconnecting would
   * mostly reach the same peer again (explicit peers), and PeerLink already closes a link whose frames
   * are undecodable or of the wrong type.
   */
  #demote(peer: string, message: MessageName, reason: string): void {
    this.#demotedUntil.set(peer, Date.now() + DEMOTED_MS);
    this.#log.warn({ peer, message, err: reason, demotedForMs: DEMOTED_MS }, 'peer sent an invalid reply; deprioritised');
  }

  #isDemoted(peer: string): boolean {
    const until = this.#demotedUntil.get(peer);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.#demotedUntil.delete(peer);
    return false;
  }

  /**
   * Least busy ready link of `role` whose peer is not in `exclude` and announced a peak of at least
   * `minPeak`, preferring peers that are neither far behind the best peak nor demoted.
   */
  #pickLink(role: Role, exclude: Set<string>, minPeak: number): PeerLink | undefined {
    let best: { link: PeerLink; score: number } | undefined;
    for (const slot of this.#slots) {
      const link = slot.link;
      if (slot.deps.role !== role || !link || link.state !== 'ready' || exclude.has(link.address)) continue;
      if (minPeak !== ANY_PEAK && (this.#peaks.latest(link.address)?.height ?? -1) < minPeak) continue;
      const penalty = this.#peaks.lag(link.address) > LAGGING_BLOCKS || this.#isDemoted(link.address) ? 1e9 : 0;
      const score = penalty + link.inFlight + link.queued;
      if (!best || score < best.score) best = { link, score };
    }
    return best?.link;
  }

  #onNotification(type: number, data: Uint8Array, link: PeerLink): void {
    let announced;
    try {
      const isWallet = type === MessageType.new_peak_wallet;
      const value = isWallet ? types.NewPeakWallet.decode(data) : types.NewPeak.decode(data);
      announced = { header_hash: toHex(value.header_hash), height: value.height, weight: value.weight, fork_point_with_previous_peak: value.fork_point_with_previous_peak };
    } catch (err) {
      this.#log.warn({ peer: link.address, err: (err as Error).message }, 'undecodable peak announcement ignored');
      return;
    }
    const receivedAt = Date.now();
    this.#announcing.run(link.address, () => this.#announce(link, announced, receivedAt));
  }

  /**
   * Records an announcement, first asking its link for the announced block's parent hash when the
   * tracker could otherwise only guess its fork point (PeakTracker.needsParent: a peer's first peak
   * after a (re)connect, heavier than the best). Any failure of that request just leaves the guess:
   * the peak is never lost. An announcement whose link closed meanwhile is dropped, as its peer was
   * forgotten (#forgetIfGone) and must not pin the best.
   */
  #announce(link: PeerLink, announced: PeakAnnouncement, receivedAt: number): Promise<void> | undefined {
    if (link.state === 'closed' || this.#state === 'closed') return undefined;
    if (!this.#peaks.needsParent(link.address, announced)) {
      this.#record(link, announced, receivedAt);
      return undefined;
    }
    return this.#parentOf(link, announced).then((parent) => {
      if (link.state !== 'closed' && this.#state !== 'closed') this.#record(link, announced, receivedAt, parent);
    });
  }

  /** The announced block's checked parent hash from its own link, or undefined on any failure. */
  async #parentOf(link: PeerLink, announced: PeakAnnouncement): Promise<string | undefined> {
    const { message, payload } = parentRequest(link.nodeType, announced.height);
    const role: Role = link.nodeType === NodeType.WALLET ? 'wallet' : 'full_node';
    const timeoutMs = Math.min(PARENT_TIMEOUT_MS, this.#config.requestTimeoutMs);
    try {
      return await this.#exchange(link, role, message, payload, (reply) => announcedParent(reply, announced.height, announced.header_hash), timeoutMs);
    } catch (err) {
      this.#log.info({ peer: link.address, height: announced.height, err: (err as Error).message }, "a new peak's parent is unknown: its fork point is a bounded guess");
      return undefined;
    }
  }

  /** Hands an announcement to the tracker and emits the link's new status and any change of the best. */
  #record(link: PeerLink, announced: PeakAnnouncement, receivedAt: number, parentHash?: string): void {
    const change = this.#peaks.announce(link.address, announced, receivedAt, parentHash);
    for (const slot of this.#slots) if (slot.link === link) this.#events.emit('link', this.#slotStatus(slot));
    if (change) {
      this.#log.info({ height: change.peak.height, header_hash: change.peak.header_hash, peer: link.address }, 'new best peak');
      this.#events.emit('peak', change.peak, change.previous);
    }
  }

  /** Drops a closed link's peer from the peak bookkeeping unless another link still talks to it. */
  #forgetIfGone(slot: LinkSlot): void {
    const address = slot.link?.address;
    if (address === undefined) return;
    if (this.#slots.some((s) => s !== slot && s.link?.address === address && s.link.state !== 'closed')) return;
    // The best peak may have been this peer's alone: the tracker falls back to the remaining peers' best.
    const change = this.#peaks.forget(address);
    if (change) {
      this.#log.info({ height: change.peak.height, header_hash: change.peak.header_hash, peer: address }, 'best peak recomputed: its peer is gone');
      this.#events.emit('peak', change.peak, change.previous);
    }
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
      ca: this.#ca,
      requestTimeoutMs: this.#config.requestTimeoutMs,
      pacing: {
        share: this.#config.pacingShare,
        queueSize: this.#config.pacingQueueSize,
        windowMs: this.#options.pacingWindowMs,
        guardMs: this.#options.pacingGuardMs,
      },
      logger: this.#log,
      ...this.#options.link,
    });
  }

  /**
   * One node may be reachable under several addresses (its IPv4 and IPv6 address from the seeders, two
   * DNS names). Two links of one role to it would present the same client certificate, and the node
   * keeps only the newer connection per peer id (§a.5): the two would kick each other out forever.
   * So, as soon as TLS shows a link's node (peer id, §a.4), and before our handshake goes out (the
   * node registers a connection only after the handshake, §c.2, so the held link is not disturbed), a
   * link to a node that another live link of its role already holds is closed. Its slot backs off as
   * after any close (the holder is not penalised), and #choosePeer skips the addresses known to lead
   * to a held node. Only other slots' live links count, so a slot reconnecting to the node it just
   * lost is no duplicate; links of different roles to one node use different certificates and are fine.
   */
  #dropIfDuplicate(slot: LinkSlot): void {
    const link = slot.link;
    const nodeId = link?.peerId;
    if (!link || !nodeId || link.state === 'closed') return;
    const record = this.#peers.get(link.address);
    if (record) record.nodeId = nodeId;
    const holder = this.#otherLinks(slot).find((other) => other.peerId === nodeId);
    if (!holder) return;
    const key = `${link.address} ${nodeId}`;
    if (!this.#reportedDuplicates.has(key)) {
      this.#reportedDuplicates.add(key);
      this.#log.warn({ role: slot.deps.role, peer: link.address, sameNodeAs: holder.address, peerId: nodeId }, 'two peer addresses lead to one node: the second is not used while the first is connected');
    }
    link.close(`closed: it leads to the node ${nodeId} already linked through ${holder.address}`);
  }

  /** The live links of the other slots of `slot`'s role. */
  #otherLinks(slot: LinkSlot): PeerLink[] {
    const links: PeerLink[] = [];
    for (const s of this.#slots) if (s !== slot && s.deps.role === slot.deps.role && s.link && s.link.state !== 'closed') links.push(s.link);
    return links;
  }

  /**
   * A peer for `slot`: never one another slot of the same role uses, by address or by node (one
   * certificate per role, and a node closes the older of two connections with the same peer id, §a.5,
   * see #dropIfDuplicate), the one available soonest.
   */
  #choosePeer(slot: LinkSlot): PeerAddress | { retryAt: number } {
    const others = this.#otherLinks(slot);
    const busyAddresses = new Set(others.map((link) => link.address));
    const busyNodes = new Set(others.map((link) => link.peerId));
    const now = Date.now();
    let best: PeerRecord | undefined;
    for (const record of this.#peers.values()) {
      if (busyAddresses.has(formatAddress(record.peer)) || (record.nodeId !== null && busyNodes.has(record.nodeId))) continue;
      if (!best || record.availableAt < best.availableAt) best = record;
    }
    if (!best || (best.availableAt > now && this.#config.peers.length === 0)) void this.#reseed();
    if (!best) return { retryAt: now + RESEED_INTERVAL_MS / 4 };
    if (best.availableAt > now) return { retryAt: best.availableAt };
    // Spread load: a peer just handed out is tried last by the next slot.
    best.availableAt = now + 1;
    return best.peer;
  }

  #penalise(peer: PeerAddress, refused: boolean): void {
    const record = this.#peers.get(formatAddress(peer));
    if (record) record.availableAt = Date.now() + this.#backoff(1, refused);
  }

  #addPeer(peer: PeerAddress): void {
    const key = formatAddress(peer);
    if (!this.#peers.has(key)) this.#peers.set(key, { peer, availableAt: 0, nodeId: null });
  }

  #reseed(): Promise<void> {
    if (this.#config.peers.length > 0 || this.#seeding || Date.now() - this.#lastSeed < RESEED_INTERVAL_MS) return this.#seeding ?? Promise.resolve();
    this.#lastSeed = Date.now();
    const info = networkInfo(this.#config.network);
    if (info.dnsSeeders.length === 0) {
      this.#log.error({ network: info.id }, 'no peers configured and the network has no DNS seeders: set peers');
      return Promise.resolve();
    }
    this.#seeding = resolveSeeders(info.dnsSeeders, info.defaultPort, this.#options.resolver ?? dnsResolver, this.#log)
      .then((peers) => {
        for (const peer of peers) this.#addPeer(peer);
        this.#log.info({ found: peers.length, known: this.#peers.size }, 'peers from DNS seeders');
      })
      .finally(() => (this.#seeding = null));
    return this.#seeding;
  }

  #slotStatus(slot: LinkSlot): LinkStatus {
    const link = slot.link;
    const peer = link?.address ?? (slot.peer ? formatAddress(slot.peer) : '');
    const latest = link ? this.#peaks.latest(link.address) : undefined;
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
    };
  }
}

/** Checks an inclusive height range against a per-request maximum (a caller bug otherwise). */
function checkRange(start: number, end: number, maxCount: number): void {
  const u32 = (n: number) => Number.isInteger(n) && n >= 0 && n <= 0xffff_ffff;
  if (!u32(start) || !u32(end) || end < start || end - start + 1 > maxCount) {
    throw new RangeError(`invalid height range ${start}..${end} (at most ${maxCount} heights)`);
  }
}

function hashBytes(hex: string): Uint8Array {
  const clean = hex.startsWith('0x') ? hex.slice(2) : hex;
  if (!/^[0-9a-fA-F]{64}$/.test(clean)) throw new RangeError(`invalid header hash ${hex}`);
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

/** The payload bytes, which make requests identical for single-flight. */
function encodePayload(message: MessageName, payload: unknown): Uint8Array {
  return payloadType(MessageType[message])?.encode(payload) ?? new Uint8Array();
}
