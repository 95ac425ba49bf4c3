/**
 * The pool of upstream links (implements `Upstream`): config.linksPerRole links per role, each role
 * with its own TLS identity; peers from the config or the DNS seeders; capped backoff with jitter
 * (longer for peers that refused us); requests routed to the least busy ready link of the right role,
 * retried once on another link when theirs dies, and coalesced when identical; the best peak tracked
 * across links; blocks checked against the announcing peer's header hashes.
 */
import { EventEmitter } from 'node:events';
import type { GatewayConfig } from '../config.js';
import { exponentialBackoff, type BackoffStrategy } from './backoff.js';
import { MessageType, payloadType, toHex, types, type MessageName } from './codec/index.js';
import { UpstreamError } from './errors.js';
import { LinkSlot } from './link-slot.js';
import { SILENT_LOGGER, type Logger } from './logger.js';
import { PeakTracker } from './peak-tracker.js';
import { dnsResolver, formatAddress, resolveSeeders, type HostResolver } from './peer-discovery.js';
import { PeerLink, type PeerLinkOptions } from './peer-link.js';
import { networkInfo } from './networks.js';
import type { Reply } from './request-map.js';
import { SingleFlight } from './single-flight.js';
import { loadChiaCa, loadOrCreateIdentity } from './tls-identity.js';
import type { FullBlock, HeaderBlock, RespondAdditions, RespondRemovals } from './codec/index.js';
import { checkBlocks, decodeReply, rejectError, type BlockOf, type BlockReplyKind } from './upstream-replies.js';
import type { FetchedBlock, LinkStatus, Peak, PeerAddress, RequestOutcome, Role, Upstream, UpstreamEvents, UpstreamStatus } from './upstream-api.js';

/** request_blocks spans at most 32 heights, i.e. 33 blocks (PROTOCOL.md §e.5). */
export const MAX_BLOCKS_PER_REQUEST = 33;
/** request_block_headers spans at most 128 heights, i.e. 129 headers (§e.5). */
export const MAX_HEADERS_PER_REQUEST = 129;
/** A link whose peak is this many blocks behind the best is used only when no other is ready. */
export const LAGGING_BLOCKS = 10;
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
  readonly #flight = new SingleFlight<Reply & { peer: string }>();
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
    return this.#fetchBlocks('full_node', 'request_blocks', { start_height: start, end_height: end, include_transaction_block: true }, 'RespondBlocks', start, end);
  }

  async getHeaderBlocks(start: number, end: number): Promise<FetchedBlock<HeaderBlock>[]> {
    checkRange(start, end, MAX_HEADERS_PER_REQUEST);
    return this.#fetchBlocks('wallet', 'request_block_headers', { start_height: start, end_height: end, return_filter: true }, 'RespondBlockHeaders', start, end);
  }

  async getAdditions(height: number, headerHash: string | null): Promise<RespondAdditions> {
    checkRange(height, height, 1);
    const payload = { height, header_hash: headerHash === null ? null : hashBytes(headerHash), puzzle_hashes: null };
    const reply = await this.#request('wallet', 'request_additions', payload);
    return decodeReply(reply, types.RespondAdditions);
  }

  async getRemovals(height: number, headerHash: string): Promise<RespondRemovals> {
    checkRange(height, height, 1);
    const reply = await this.#request('wallet', 'request_removals', { height, header_hash: hashBytes(headerHash), coin_names: null });
    return decodeReply(reply, types.RespondRemovals);
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

  async #fetchBlocks<K extends BlockReplyKind>(
    role: Role,
    message: MessageName,
    payload: unknown,
    kind: K,
    start: number,
    end: number,
  ): Promise<FetchedBlock<BlockOf<K>>[]> {
    const reply = await this.#request(role, message, payload);
    try {
      return checkBlocks(reply, kind, start, end, (height) => this.#peaks.announcedHash(reply.peer, height));
    } catch (error) {
      this.#log.warn({ peer: reply.peer, message, start, end, err: (error as Error).message }, 'peer served blocks that do not match');
      throw error;
    }
  }

  /** Sends `message` on a ready link of `role`: coalesced with identical requests, retried once if the link dies. */
  async #request(role: Role, message: MessageName, payload: unknown): Promise<Reply & { peer: string }> {
    if (this.#state === 'closed') throw new UpstreamError('CLOSED', 'the upstream manager is closed');
    const key = `${role}:${message}:${toHex(encodePayload(message, payload))}`;
    const reply = await this.#flight.run(key, () => this.#attempt(role, message, payload));
    if (reply.kind === 'reject') throw rejectError(reply, message);
    return reply;
  }

  async #attempt(role: Role, message: MessageName, payload: unknown): Promise<Reply & { peer: string }> {
    const tried = new Set<PeerLink>();
    let lastError: unknown;
    for (let attempt = 0; ; attempt++) {
      const link = this.#pickLink(role, tried);
      if (!link) {
        if (this.#state === 'closed') throw new UpstreamError('CLOSED', 'the upstream manager is closed');
        // The retry found no other link: report why the first attempt failed.
        if (lastError !== undefined) throw lastError;
        throw new UpstreamError('NO_READY_LINK', `no ${role} link is ready${this.#config.roles.includes(role) ? '' : ` (add ${role} to roles)`}`);
      }
      tried.add(link);
      const started = Date.now();
      try {
        const reply = await link.request(message, payload);
        this.#report({ role, message, outcome: reply.kind === 'ok' ? 'ok' : 'reject', duration_ms: Date.now() - started, peer: link.address });
        return { ...reply, peer: link.address };
      } catch (error) {
        const code = error instanceof UpstreamError ? error.code : 'UPSTREAM_INVALID_REPLY';
        this.#report({ role, message, outcome: code === 'UPSTREAM_TIMEOUT' ? 'timeout' : 'error', duration_ms: Date.now() - started, peer: link.address });
        if (this.#state === 'closed') throw new UpstreamError('CLOSED', 'the upstream manager is closed', { cause: error });
        if (code !== 'LINK_CLOSED' || attempt >= 1) throw error;
        lastError = error;
        this.#log.debug({ peer: link.address, message }, 'link died under a request; retrying once on another link');
      }
    }
  }

  /** Least busy ready link of `role`, preferring links whose peak is not far behind the best. */
  #pickLink(role: Role, exclude: Set<PeerLink>): PeerLink | undefined {
    let best: { link: PeerLink; score: number } | undefined;
    for (const slot of this.#slots) {
      const link = slot.link;
      if (slot.deps.role !== role || !link || link.state !== 'ready' || exclude.has(link)) continue;
      const lagging = this.#peaks.lag(link.address) > LAGGING_BLOCKS ? 1e9 : 0;
      const score = lagging + link.inFlight + link.queued;
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
    const change = this.#peaks.announce(link.address, announced);
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
    if (!this.#slots.some((s) => s !== slot && s.link?.address === address && s.link.state !== 'closed')) this.#peaks.forget(address);
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
   * A peer for `slot`: never one another slot of the same role uses (one certificate per role, and a
   * node closes the older of two connections with the same peer id, §a.5), the one available soonest.
   */
  #choosePeer(slot: LinkSlot): PeerAddress | { retryAt: number } {
    const busy = new Set(this.#slots.filter((s) => s !== slot && s.deps.role === slot.deps.role && s.link && s.link.state !== 'closed').map((s) => s.link?.address));
    const now = Date.now();
    let best: PeerRecord | undefined;
    for (const record of this.#peers.values()) {
      if (busy.has(formatAddress(record.peer))) continue;
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
    if (!this.#peers.has(key)) this.#peers.set(key, { peer, availableAt: 0 });
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
