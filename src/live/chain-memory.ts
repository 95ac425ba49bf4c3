/**
 * What the live layer remembers of the chain, to resume coin subscriptions across reorgs: the header
 * hashes of the recent main chain (from the peaks it saw) and, for blocks a reorg rolled back, how
 * deep the chain has forked since. A client whose cursor block left the chain gets the states from
 * that fork on. Bounded by `capacity` heights and rolled-back blocks (the replay size).
 */
import type { ChainPoint, PeakChange } from '../chia/index.js';

export class ChainMemory {
  /** Header hash by height, on the main chain as last seen. */
  readonly #main = new Map<number, string>();
  /** Rolled-back header hash → index in #forks of the reorg that rolled it back. */
  readonly #rolledBack = new Map<string, number>();
  /** Fork point of every reorg, oldest first (#forkBase is the index of the first kept). */
  readonly #forks: number[] = [];
  #forkBase = 0;

  constructor(readonly capacity: number) {}

  /** Follows a change of the best peak. */
  record({ peak, forkPoint }: PeakChange): void {
    if (forkPoint !== null) {
      const index = this.#forkBase + this.#forks.length;
      this.#forks.push(forkPoint);
      for (const [height, hash] of this.#main) {
        if (height <= forkPoint) continue;
        this.#main.delete(height);
        this.#rolledBack.set(hash, index);
      }
    }
    this.#main.set(peak.height, peak.header_hash);
    this.#trim();
  }

  #trim(): void {
    while (this.#main.size > this.capacity) {
      const oldest = Math.min(...this.#main.keys());
      this.#main.delete(oldest);
    }
    for (const [hash] of this.#rolledBack) {
      if (this.#rolledBack.size <= this.capacity) break;
      this.#rolledBack.delete(hash);
    }
    const oldestUsed = Math.min(this.#forkBase + this.#forks.length, ...this.#rolledBack.values());
    while (this.#forkBase < oldestUsed) {
      this.#forks.shift();
      this.#forkBase++;
    }
  }

  /**
   * The last height `point`'s chain shares with the main chain, when `point` is a block some reorg
   * rolled back (the lowest fork since then); null when it is not known to have left the chain.
   */
  forkOf(point: ChainPoint): number | null {
    const index = this.#rolledBack.get(point.header_hash);
    if (index === undefined) return null;
    return Math.min(point.height, ...this.#forks.slice(index - this.#forkBase));
  }

  /** The newest main-chain block known at or below `height`, or null. */
  pointAtOrBelow(height: number): ChainPoint | null {
    let best: ChainPoint | null = null;
    for (const [h, hash] of this.#main) {
      if (h <= height && (best === null || h > best.height)) best = { height: h, header_hash: hash };
    }
    return best;
  }
}
