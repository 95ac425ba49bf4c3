/**
 * The peers links may connect to, for the upstream manager: the configured peers or, with none, those
 * of the network's DNS seeders (asked again at most every RESEED_INTERVAL_MS when no peer is usable,
 * saying once per round when they give none); per address, until when the node bans our IP (a ban
 * concerns every link to it, whatever its role, PROTOCOL.md §i.4) and the node last reached there,
 * so two addresses of one node never hold two links of one role (§a.5). Transient failures are not
 * recorded here: each link backs off on its own (link-slot.ts). It knows nothing of slots beyond the
 * live links of a slot's siblings, given by the `otherLinks` callback.
 */
import type { LinkSlot } from './link-slot.js';
import type { Logger } from '../logger.js';
import { networkInfo } from '../protocol/networks.js';
import { formatPeer } from '../protocol/peer-address.js';
import { dnsResolver, resolveSeeders, type HostResolver } from './peer-discovery.js';
import type { PeerLink } from '../link/peer-link.js';
import type { PeerAddress } from '../upstream-api.js';

/** DNS seeders are asked again at most this often when no peer is usable. */
export const RESEED_INTERVAL_MS = 60_000;
/** How often a link with no free peer looks again (new seeds, a sibling's peer freed). */
export const IDLE_POLL_MS = RESEED_INTERVAL_MS / 4;

interface PeerRecord {
  peer: PeerAddress;
  /** Epoch ms until which the node bans our IP (0: no ban known). */
  bannedUntil: number;
  /** The error that told of the ban. */
  banReason: string;
  /** Epoch ms when a link was last sent here: the next link tries the others first. */
  lastChosen: number;
  /** The peer id (§a.4) of the node last reached at this address, once TLS showed it. */
  nodeId: string | null;
}

/** A peer to connect to, or when to look again and why none is free now (see LinkSlot). */
export type PeerChoice = PeerAddress | { retryAt: number; cause: 'banned' | 'no_peer'; reason: string };

export interface PeerPoolDeps {
  /** Chia network id, for its DNS seeders. */
  network: string;
  /** Explicit peers; with none, the DNS seeders are used. */
  peers: readonly PeerAddress[];
  /** DNS lookup for the seeders (tests inject one). */
  resolver?: HostResolver;
  /** How long a ban of unsaid length (HTTP 403) keeps a peer out. */
  banBackoffMs: number;
  /** How an operator gives peers (the option's name), for the message when there are none. */
  peersOption: string;
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
  /** Why the last seeding round left the pool empty (null: it did not). */
  #seedProblem: string | null = null;

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
   * see dropIfDuplicate), nor one that bans us; of the rest, the one handed out least recently. With
   * none, when to look again: at the end of the soonest ban (`banned`), or after IDLE_POLL_MS when no
   * free peer is known at all (`no_peer`: the slot is idle, not failing).
   */
  choosePeer(slot: LinkSlot): PeerChoice {
    const others = this.#deps.otherLinks(slot);
    const busyAddresses = new Set(others.map((link) => link.address));
    const busyNodes = new Set(others.map((link) => link.peerId));
    const now = Date.now();
    let best: PeerRecord | undefined;
    let soonestBan: PeerRecord | undefined;
    for (const record of this.#peers.values()) {
      if (busyAddresses.has(formatPeer(record.peer)) || (record.nodeId !== null && busyNodes.has(record.nodeId))) continue;
      if (record.bannedUntil > now) {
        if (!soonestBan || record.bannedUntil < soonestBan.bannedUntil) soonestBan = record;
      } else if (!best || record.lastChosen < best.lastChosen) best = record;
    }
    if (best) {
      best.lastChosen = now;
      return best.peer;
    }
    void this.reseed();
    if (soonestBan) return { retryAt: soonestBan.bannedUntil, cause: 'banned', reason: soonestBan.banReason };
    return { retryAt: now + IDLE_POLL_MS, cause: 'no_peer', reason: this.#noPeerReason(slot) };
  }

  /**
   * Records that `peer`'s node banned our IP, for `banMs` (null: it did not say, so the configured ban
   * backoff): no link of any role connects there before it ends, as it would only earn a 403.
   */
  ban(peer: PeerAddress, banMs: number | null, reason: string): void {
    const record = this.#peers.get(formatPeer(peer));
    if (!record) return;
    record.bannedUntil = Math.max(record.bannedUntil, Date.now() + (banMs ?? this.#deps.banBackoffMs));
    record.banReason = reason;
  }

  /**
   * Asks the DNS seeders for peers, unless peers are configured or they were asked recently. A round
   * that leaves no peer known says so once, with the fix.
   */
  reseed(): Promise<void> {
    if (this.#deps.peers.length > 0 || this.#seeding || Date.now() - this.#lastSeed < RESEED_INTERVAL_MS) return this.#seeding ?? Promise.resolve();
    this.#lastSeed = Date.now();
    const info = networkInfo(this.#deps.network);
    if (info.dnsSeeders.length === 0) {
      this.#seedProblem = `no peers: network ${info.id} has no DNS seeders; set ${this.#deps.peersOption}`;
      this.#deps.logger.error({ network: info.id }, this.#seedProblem);
      return Promise.resolve();
    }
    this.#seeding = resolveSeeders(info.dnsSeeders, info.defaultPort, this.#deps.resolver ?? dnsResolver)
      .then(({ peers, failures }) => {
        for (const peer of peers) this.#addPeer(peer);
        this.#seedProblem = null;
        if (this.#peers.size > 0) {
          this.#deps.logger.info({ found: peers.length, known: this.#peers.size, failures }, 'peers from DNS seeders');
          return;
        }
        const cause = failures.length === info.dnsSeeders.length ? 'DNS seeders unreachable' : 'the DNS seeders returned no addresses';
        this.#seedProblem = `no peers: ${cause}; set ${this.#deps.peersOption}`;
        this.#deps.logger.warn({ seeders: info.dnsSeeders, failures, retryInMs: RESEED_INTERVAL_MS }, this.#seedProblem);
      })
      .finally(() => (this.#seeding = null));
    return this.#seeding;
  }

  /** Why no peer is free for `slot`: none known (and why), or every one held by its siblings. */
  #noPeerReason(slot: LinkSlot): string {
    if (this.#peers.size === 0) return this.#seedProblem ?? 'no peers yet: asking the DNS seeders';
    const count = this.#peers.size === 1 ? 'the only known peer is' : `all ${this.#peers.size} known peers are`;
    return `waiting for a peer: ${count} held by another ${slot.deps.role} link`;
  }

  #addPeer(peer: PeerAddress): void {
    const key = formatPeer(peer);
    if (!this.#peers.has(key)) this.#peers.set(key, { peer, bannedUntil: 0, banReason: '', lastChosen: 0, nodeId: null });
  }
}
