/**
 * Following the best peak across links: every new_peak / new_peak_wallet a link receives goes to the
 * tracker (peak-tracker.ts) in its peer's order; a freshly connected peer's first peak that the
 * tracker could only guess a fork point for is first related to the best through its parent hash
 * (peak-parents.ts); a peer whose last link closed is forgotten. Each change of the best leaves here
 * as one PeakChange, its fork point computed once (reorg.ts).
 */
import { MessageType, toHex, types, type PayloadOf } from '../codec/index.js';
import type { PeerAnswer } from '../link/peer-reply.js';
import type { IncomingFrame } from '../link/request-map.js';
import type { PeerLink } from '../link/peer-link.js';
import type { Logger } from '../logger.js';
import type { RequestName } from '../protocol/message-rules.js';
import type { Peak, PeakChange } from '../upstream-api.js';
import { announcedParent, parentRequest, PerKeyQueue } from './peak-parents.js';
import { PeakTracker, type PeakAnnouncement } from './peak-tracker.js';

/** Sends one request on `link` and turns its answer into a value (the router's exchange, which reports it). */
export type Exchange = <N extends RequestName, T>(link: PeerLink, message: N, payload: PayloadOf<N>, accept: (reply: PeerAnswer<N>) => T) => Promise<T>;

export interface PeakFollowerDeps {
  /** How deep a fork is guessed when nothing relates a new best to the previous one (PeakTrackerOptions). */
  unverifiedForkDepth: number;
  /** Sends a parent request (bounded by PARENT_TIMEOUT_MS). */
  exchange: Exchange;
  /** True once the upstream is closed: announcements still queued are dropped. */
  isClosed: () => boolean;
  /** The best peak changed. */
  onChange: (change: PeakChange) => void;
  /** `link` announced a peak (its status shows it). */
  onAnnounced: (link: PeerLink) => void;
  logger: Logger;
}

export class PeakFollower {
  /** Every peer's announcements and the best (read by the router, the status and block checks). */
  readonly tracker: PeakTracker;
  readonly #deps: PeakFollowerDeps;
  /** Per peer address: its announcements, kept in order behind a parent request (see #announce). */
  readonly #announcing: PerKeyQueue;

  constructor(deps: PeakFollowerDeps) {
    this.#deps = deps;
    this.tracker = new PeakTracker({ unverifiedForkDepth: deps.unverifiedForkDepth });
    this.#announcing = new PerKeyQueue((err) => deps.logger.error({ err: (err as Error).message }, 'peak announcement failed'));
  }

  get best(): Peak | null {
    return this.tracker.best;
  }

  /** Takes a peak announcement (new_peak or new_peak_wallet) that `link` received. */
  follow(frame: IncomingFrame, link: PeerLink): void {
    let announced: PeakAnnouncement;
    try {
      const value = frame.type === MessageType.new_peak_wallet ? types.NewPeakWallet.decode(frame.data) : types.NewPeak.decode(frame.data);
      announced = { header_hash: toHex(value.header_hash), height: value.height, weight: value.weight, fork_point_with_previous_peak: value.fork_point_with_previous_peak };
    } catch (err) {
      this.#deps.logger.warn({ peer: link.address, err: (err as Error).message }, 'undecodable peak announcement ignored');
      return;
    }
    const receivedAt = Date.now();
    this.#announcing.run(link.address, () => this.#announce(link, announced, receivedAt));
  }

  /**
   * Forgets `peer` (its last link closed): the best may have been its alone, so the tracker falls
   * back to the remaining peers' best, and that change is emitted.
   */
  forget(peer: string): void {
    const change = this.tracker.forget(peer);
    if (change) this.#emit(change, peer, 'best peak recomputed: its peer is gone');
  }

  /**
   * Records an announcement, first asking its link for the announced block's parent hash when the
   * tracker could otherwise only guess its fork point (PeakTracker.needsParent: a peer's first peak
   * after a (re)connect, heavier than the best). Any failure of that request just leaves the guess:
   * the peak is never lost. An announcement whose link closed meanwhile is dropped, as its peer was
   * forgotten and must not pin the best.
   */
  #announce(link: PeerLink, announced: PeakAnnouncement, receivedAt: number): Promise<void> | undefined {
    if (link.state === 'closed' || this.#deps.isClosed()) return undefined;
    if (!this.tracker.needsParent(link.address, announced)) {
      this.#record(link, announced, receivedAt);
      return undefined;
    }
    return this.#parentOf(link, announced).then((parent) => {
      if (link.state !== 'closed' && !this.#deps.isClosed()) this.#record(link, announced, receivedAt, parent);
    });
  }

  /** The announced block's checked parent hash from its own link, or undefined on any failure. */
  async #parentOf(link: PeerLink, announced: PeakAnnouncement): Promise<string | undefined> {
    const { message, payload } = parentRequest(link.nodeType, announced.height);
    try {
      return await this.#deps.exchange(link, message, payload, (reply) => announcedParent(reply, announced.height, announced.header_hash));
    } catch (err) {
      this.#deps.logger.info({ peer: link.address, height: announced.height, err: (err as Error).message }, "a new peak's parent is unknown: its fork point is a bounded guess");
      return undefined;
    }
  }

  /** Hands an announcement to the tracker and reports the link's new peak and any change of the best. */
  #record(link: PeerLink, announced: PeakAnnouncement, receivedAt: number, parentHash?: string): void {
    const change = this.tracker.announce(link.address, announced, receivedAt, parentHash);
    this.#deps.onAnnounced(link);
    if (change) this.#emit(change, link.address, 'new best peak');
  }

  #emit(change: PeakChange, peer: string, message: string): void {
    this.#deps.logger.info({ height: change.peak.height, header_hash: change.peak.header_hash, peer }, message);
    this.#deps.onChange(change);
  }
}
