/**
 * The best peak across links (highest weight, deduplicated by header hash) and, per link, the header
 * hashes it announced by height, so a block it later serves can be checked against its own
 * announcement (PROTOCOL.md §g.3).
 */
import type { Peak } from './upstream-api.js';

/** Announced hashes kept per link: a few hours of blocks, enough for recent fetches and reorgs. */
export const ANNOUNCED_HEIGHTS_KEPT = 1_000;

export interface PeakAnnouncement {
  header_hash: string;
  height: number;
  weight: bigint;
  fork_point_with_previous_peak: number;
}

export class PeakTracker {
  #best: Peak | null = null;
  readonly #announced = new Map<string, Map<number, string>>();
  readonly #latest = new Map<string, PeakAnnouncement>();

  /** Records `peer`'s announcement; returns the new best peak and the previous one when the best changed. */
  announce(peer: string, peak: PeakAnnouncement, now = Date.now()): { peak: Peak; previous: Peak | null } | null {
    this.#latest.set(peer, peak);
    let heights = this.#announced.get(peer);
    if (!heights) this.#announced.set(peer, (heights = new Map()));
    heights.delete(peak.height);
    heights.set(peak.height, peak.header_hash);
    if (heights.size > ANNOUNCED_HEIGHTS_KEPT) heights.delete(heights.keys().next().value as number);

    const best = this.#best;
    if (best && best.header_hash === peak.header_hash) {
      if (!best.peers.includes(peer)) best.peers.push(peer);
      return null;
    }
    if (best && peak.weight <= best.weight) return null;
    this.#best = {
      height: peak.height,
      header_hash: peak.header_hash,
      weight: peak.weight,
      fork_point_with_previous_peak: peak.fork_point_with_previous_peak,
      peers: [peer],
      received_at: now,
    };
    return { peak: this.#best, previous: best };
  }

  /** The header hash `peer` announced at `height`, if it did recently. */
  announcedHash(peer: string, height: number): string | undefined {
    return this.#announced.get(peer)?.get(height);
  }

  /** The last peak `peer` announced. */
  latest(peer: string): PeakAnnouncement | undefined {
    return this.#latest.get(peer);
  }

  /** Blocks `peer`'s peak lies behind the best (0 when unknown: a silent peer is not penalised). */
  lag(peer: string): number {
    const latest = this.#latest.get(peer);
    return latest && this.#best ? Math.max(0, this.#best.height - latest.height) : 0;
  }

  /** Forgets a peer's announcements (its link closed). */
  forget(peer: string): void {
    this.#announced.delete(peer);
    this.#latest.delete(peer);
    if (this.#best) this.#best.peers = this.#best.peers.filter((p) => p !== peer);
  }

  get best(): Peak | null {
    return this.#best;
  }
}
