/**
 * The peers links may connect to, for the upstream manager: the configured peers or, with none, those
 * of the network's DNS seeders (asked again at most every RESEED_INTERVAL_MS when no peer is usable);
 * per address, when it may be tried again (capped backoff, longer for a peer that refused us) and the
 * node last reached there, so two addresses of one node never hold two links of one role (§a.5). It
 * knows nothing of slots beyond the live links of a slot's siblings, given by the `otherLinks` callback.
 */
import type { BackoffStrategy } from './backoff.js';
import type { LinkSlot } from './link-slot.js';
import type { Logger } from './logger.js';
import { networkInfo } from './networks.js';
import { dnsResolver, formatAddress, resolveSeeders, type HostResolver } from './peer-discovery.js';
import type { PeerLink } from './peer-link.js';
import type { PeerAddress } from './upstream-api.js';

/** DNS seeders are asked again at most this often when no peer is usable. */
export const RESEED_INTERVAL_MS = 60_000;

interface PeerRecord {
  peer: PeerAddress;
  availableAt: number;
  /** The peer id (§a.4) of the node last reached at this address, once TLS showed it. */
  nodeId: string | null;
}

export interface PeerPoolDeps {
  /** Chia network id, for its DNS seeders. */
  network: string;
  /** Explicit peers; with none, the DNS seeders are used. */
  peers: readonly PeerAddress[];
  /** DNS lookup for the seeders (tests inject one). */
  resolver?: HostResolver;
  backoff: BackoffStrategy;
  logger: Logger;
  /** The live links of the other slots of `slot`'s role. */
  otherLinks: (slot: LinkSlot) => PeerLink[];
}

export class PeerPool {
  readonly #deps: PeerPoolDeps;
  readonly #peers = new Map<string, PeerRecord>();
  /** `address peerId` pairs already logged as a second address of a held node (see dropIfDuplicate). */
  readonly #reportedDuplicates = new Set<string>();
  #lastSeed = 0;
  #seeding: Promise<void> | null = null;

  constructor(deps: PeerPoolDeps) {
    this.#deps = deps;
    for (const peer of deps.peers) this.#addPeer(peer);
  }

  /** How many peer addresses are known. */
  get size(): number {
    return this.#peers.size;
  }

  /**
   * One node may be reachable under several addresses (its IPv4 and IPv6 address from the seeders, two
   * DNS names). Two links of one role to it would present the same client certificate, and the node
   * keeps only the newer connection per peer id (§a.5): the two would kick each other out forever.
   * So, as soon as TLS shows a link's node (peer id, §a.4), and before our handshake goes out (the
   * node registers a connection only after the handshake, §c.2, so the held link is not disturbed), a
   * link to a node that another live link of its role already holds is closed. Its slot backs off as
   * after any close (the holder is not penalised), and choosePeer skips the addresses known to lead
   * to a held node. Only other slots' live links count, so a slot reconnecting to the node it just
   * lost is no duplicate; links of different roles to one node use different certificates and are fine.
   */
  dropIfDuplicate(slot: LinkSlot): void {
    const link = slot.link;
    const nodeId = link?.peerId;
    if (!link || !nodeId || link.state === 'closed') return;
    const record = this.#peers.get(link.address);
    if (record) record.nodeId = nodeId;
    const holder = this.#deps.otherLinks(slot).find((other) => other.peerId === nodeId);
    if (!holder) return;
    const key = `${link.address} ${nodeId}`;
    if (!this.#reportedDuplicates.has(key)) {
      this.#reportedDuplicates.add(key);
      this.#deps.logger.warn({ role: slot.deps.role, peer: link.address, sameNodeAs: holder.address, peerId: nodeId }, 'two peer addresses lead to one node: the second is not used while the first is connected');
    }
    link.close(`closed: it leads to the node ${nodeId} already linked through ${holder.address}`);
  }

  /**
   * A peer for `slot`: never one another slot of the same role uses, by address or by node (one
   * certificate per role, and a node closes the older of two connections with the same peer id, §a.5,
   * see dropIfDuplicate), the one available soonest.
   */
  choosePeer(slot: LinkSlot): PeerAddress | { retryAt: number } {
    const others = this.#deps.otherLinks(slot);
    const busyAddresses = new Set(others.map((link) => link.address));
    const busyNodes = new Set(others.map((link) => link.peerId));
    const now = Date.now();
    let best: PeerRecord | undefined;
    for (const record of this.#peers.values()) {
      if (busyAddresses.has(formatAddress(record.peer)) || (record.nodeId !== null && busyNodes.has(record.nodeId))) continue;
      if (!best || record.availableAt < best.availableAt) best = record;
    }
    if (!best || (best.availableAt > now && this.#deps.peers.length === 0)) void this.reseed();
    if (!best) return { retryAt: now + RESEED_INTERVAL_MS / 4 };
    if (best.availableAt > now) return { retryAt: best.availableAt };
    // Spread load: a peer just handed out is tried last by the next slot.
    best.availableAt = now + 1;
    return best.peer;
  }

  /** Marks a peer that refused or banned us (or failed), so every slot avoids it for a backoff. */
  penalise(peer: PeerAddress, refused: boolean): void {
    const record = this.#peers.get(formatAddress(peer));
    if (record) record.availableAt = Date.now() + this.#deps.backoff(1, refused);
  }

  /** Asks the DNS seeders for peers, unless peers are configured or they were asked recently. */
  reseed(): Promise<void> {
    if (this.#deps.peers.length > 0 || this.#seeding || Date.now() - this.#lastSeed < RESEED_INTERVAL_MS) return this.#seeding ?? Promise.resolve();
    this.#lastSeed = Date.now();
    const info = networkInfo(this.#deps.network);
    if (info.dnsSeeders.length === 0) {
      this.#deps.logger.error({ network: info.id }, 'no peers configured and the network has no DNS seeders: set peers');
      return Promise.resolve();
    }
    this.#seeding = resolveSeeders(info.dnsSeeders, info.defaultPort, this.#deps.resolver ?? dnsResolver, this.#deps.logger)
      .then((peers) => {
        for (const peer of peers) this.#addPeer(peer);
        this.#deps.logger.info({ found: peers.length, known: this.#peers.size }, 'peers from DNS seeders');
      })
      .finally(() => (this.#seeding = null));
    return this.#seeding;
  }

  #addPeer(peer: PeerAddress): void {
    const key = formatAddress(peer);
    if (!this.#peers.has(key)) this.#peers.set(key, { peer, availableAt: 0, nodeId: null });
  }
}
