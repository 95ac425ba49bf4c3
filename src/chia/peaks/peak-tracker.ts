/**
 * The best peak across links (highest weight, deduplicated by header hash) and, per link, the header
 * hashes it announced by height on its current chain, so a block it later serves can be checked
 * against its own announcement (PROTOCOL.md §g.3). Each best it returns carries a fork point relative
 * to the gateway's previous best (src/chia/peaks/reorg.ts), not to the announcing node's own previous peak.
 */
import { forkCeiling, peakChange, sharedForkPoint, type HashAt } from './reorg.js';
import type { Peak, PeakChange } from '../upstream-api.js';

/** Announced hashes kept per link: a few hours of blocks, enough for recent fetches and reorgs. */
export const ANNOUNCED_HEIGHTS_KEPT = 1_000;

export interface PeakAnnouncement {
  header_hash: string;
  height: number;
  weight: bigint;
  fork_point_with_previous_peak: number;
}

export type { PeakChange };

export interface PeakTrackerOptions {
  /**
   * How deep a fork is assumed when the gateway knows no block the new best shares with the previous
   * one (typically a new link whose first peak is heavier, when its parent could not be fetched, see
   * needsParent, or lies on another branch): the configured confirmations. Blocks that deep are
   * served as immutable, so a shallower guess could let a replaced block be served as immutable,
   * while a deeper one would report rolling back blocks the gateway itself calls final.
   */
  unverifiedForkDepth: number;
}

export class PeakTracker {
  /**
   * The best (what consumers saw), null before the first announcement. When every peer that holds it
   * is gone it stays (peers: []), so cached blocks stay servable through a reconnect, but any peer's
   * next announcement replaces it, whatever its weight: a vanished peer cannot pin it.
   */
  #best: Peak | null = null;
  /** Hashes on the chain of the gateway's best, by height, pruned at each fork like a peer's. */
  readonly #chain = new Map<number, string>();
  readonly #announced = new Map<string, Map<number, string>>();
  readonly #latest = new Map<string, { peak: PeakAnnouncement; at: number }>();
  readonly #unverifiedForkDepth: number;

  constructor(options: PeakTrackerOptions) {
    this.#unverifiedForkDepth = options.unverifiedForkDepth;
  }

  /**
   * Records `peer`'s announcement; returns the new best and the previous one when the best changed.
   * `parentHash`, when given, is the header hash at height − 1 on the peer's chain (the announced
   * block's foliage.prev_block_hash, checked by the caller against the announced header hash).
   */
  announce(peer: string, peak: PeakAnnouncement, now = Date.now(), parentHash?: string): PeakChange | null {
    let heights = this.#announced.get(peer);
    if (!heights) this.#announced.set(peer, (heights = new Map()));
    const last = this.#best;
    const hadLast = last !== null && heights.get(last.height) === last.header_hash;
    // The peer's reorg replaced its blocks above the fork point (§e.4); a first message reports
    // fork point = height (§c.7), hence the min() with the parent's height.
    const fork = Math.min(peak.fork_point_with_previous_peak, peak.height - 1);
    // A given parent replaces whatever the peer announced at height − 1 before.
    keep(heights, parentHash === undefined ? fork : Math.min(fork, peak.height - 2), peak.height, peak.header_hash, parentHash);
    this.#latest.set(peer, { peak, at: now });

    if (!this.#becomesBest(peak)) {
      if (this.#best?.header_hash === peak.header_hash && !this.#best.peers.includes(peer)) this.#best.peers.push(peer);
      return null;
    }
    // The first best has nothing to fork from: its fork point is the node's, capped at its height.
    let bestFork = Math.min(peak.fork_point_with_previous_peak, peak.height);
    if (last !== null) {
      const ceiling = forkCeiling(peak.height, last.height);
      // The peer's own fork point is relative to its previous peak, which was on the previous best's chain.
      bestFork = hadLast ? Math.max(0, Math.min(bestFork, ceiling)) : this.#derivedFork(peak, last, ceiling);
    }
    return this.#setBest(peak, bestFork, [peer], now);
  }

  /**
   * Whether announce() would have to relate `peak` to the best through hashes it lacks: the peak would
   * become the best, `peer` did not announce the current best (else its own fork point holds), and
   * the peak's parent is unknown on `peer`'s chain (typically its first message after a (re)connect,
   * §c.7). Only then does the parent hash (passed to announce) turn the bounded guess into the true
   * fork point, so only then is it worth a request (§h).
   */
  needsParent(peer: string, peak: PeakAnnouncement): boolean {
    const best = this.#best;
    if (best === null || peak.height < 1 || !this.#becomesBest(peak)) return false;
    const heights = this.#announced.get(peer);
    if (heights?.get(best.height) === best.header_hash) return false;
    // A fork point below the parent means the peer replaced the parent it announced before (§e.4).
    return peak.fork_point_with_previous_peak < peak.height - 1 || heights?.get(peak.height - 1) === undefined;
  }

  /**
   * Forgets a peer's announcements (its link closed) and recomputes the best from the remaining
   * peers' latest peaks, so a vanished peer cannot pin it. Returns the change, which the caller must
   * emit like announce()'s; null when the best did not change or no remaining peer announced a peak
   * (the best is then kept without peers until the next announcement).
   */
  forget(peer: string): PeakChange | null {
    const remaining = [...this.#latest].filter(([p]) => p !== peer);
    const best = this.#best;
    let change: PeakChange | null = null;
    if (best && remaining.some(([, l]) => l.peak.header_hash === best.header_hash)) {
      best.peers = best.peers.filter((p) => p !== peer);
    } else if (best) {
      let top: (typeof remaining)[number] | undefined;
      for (const entry of remaining) if (top === undefined || entry[1].peak.weight > top[1].peak.weight) top = entry;
      if (top === undefined) best.peers = [];
      else {
        const next = top[1].peak;
        const holders = remaining.filter(([, l]) => l.peak.header_hash === next.header_hash);
        // Computed before the forgotten peer's hashes go: they may be all the gateway knows of the old chain.
        const fork = this.#derivedFork(next, best, forkCeiling(next.height, best.height));
        const at = Math.min(...holders.map(([, l]) => l.at));
        change = this.#setBest(next, fork, holders.map(([p]) => p), at);
      }
    }
    this.#announced.delete(peer);
    this.#latest.delete(peer);
    return change;
  }

  /** The header hash `peer` announced at `height`, if it did recently and has not reorged it away. */
  announcedHash(peer: string, height: number): string | undefined {
    return this.#announced.get(peer)?.get(height);
  }

  /** The header hash at `height` on the best's chain, as far as the gateway knows it. */
  bestHashAt(height: number): string | undefined {
    return this.#chain.get(height);
  }

  /** The last peak `peer` announced. */
  latest(peer: string): PeakAnnouncement | undefined {
    return this.#latest.get(peer)?.peak;
  }

  /** Blocks `peer`'s peak lies behind the best (0 when unknown: a silent peer is not penalised). */
  lag(peer: string): number {
    const latest = this.#latest.get(peer);
    return latest && this.#best ? Math.max(0, this.#best.height - latest.peak.height) : 0;
  }

  get best(): Peak | null {
    return this.#best;
  }

  /** True when `peak` would replace the best: a new hash, heavier, or any hash once the best's peers are gone. */
  #becomesBest(peak: PeakAnnouncement): boolean {
    const best = this.#best;
    if (best === null) return true;
    return best.header_hash !== peak.header_hash && (best.peers.length === 0 || peak.weight > best.weight);
  }

  #setBest(peak: PeakAnnouncement, fork: number, peers: string[], at: number): PeakChange {
    keep(this.#chain, fork, peak.height, peak.header_hash);
    // The blocks the new best's peers announced on its chain become the gateway's chain too.
    for (const heights of this.#holdersOf(peak)) {
      for (const [height, hash] of heights) if (height > fork && height < peak.height) this.#chain.set(height, hash);
    }
    bound(this.#chain);
    const previous = this.#best;
    const { header_hash, height, weight } = peak;
    this.#best = { height, header_hash, weight, fork_point_with_previous_peak: fork, peers, received_at: at };
    return peakChange(this.#best, previous);
  }

  /** Fork point of `peak` against `previous` from every hash announced on either chain (src/chia/peaks/reorg.ts). */
  #derivedFork(peak: PeakAnnouncement, previous: Peak, ceiling: number): number {
    const newChain = lookup(this.#holdersOf(peak));
    // Peers still on the previous chain first: the gateway's own record may hold guessed-over blocks.
    const previousChain = lookup([...this.#holdersOf(previous), this.#chain]);
    return sharedForkPoint(ceiling, newChain, previousChain, this.#unverifiedForkDepth);
  }

  /** Announced-hash maps of the peers whose current chain contains `peak`. */
  #holdersOf(peak: { height: number; header_hash: string }): Map<number, string>[] {
    return [...this.#announced.values()].filter((h) => h.get(peak.height) === peak.header_hash);
  }
}

/** Drops a chain's hashes above `fork`, records `parent` at height − 1 (if given) and `hash` at `height`, and bounds the map. */
function keep(heights: Map<number, string>, fork: number, height: number, hash: string, parent?: string): void {
  for (const h of heights.keys()) if (h > fork) heights.delete(h);
  heights.delete(height);
  if (parent !== undefined && height > 0) heights.set(height - 1, parent);
  heights.set(height, hash);
  bound(heights);
}

/** Keeps the newest ANNOUNCED_HEIGHTS_KEPT entries (maps are filled in rising height order). */
function bound(heights: Map<number, string>): void {
  for (const h of heights.keys()) {
    if (heights.size <= ANNOUNCED_HEIGHTS_KEPT) break;
    heights.delete(h);
  }
}

/** The first hash any of `maps` holds at a height (the maps describe one chain). */
function lookup(maps: Map<number, string>[]): HashAt {
  return (height) => {
    for (const m of maps) {
      const hash = m.get(height);
      if (hash !== undefined) return hash;
    }
    return undefined;
  };
}
