/**
 * An in-memory upstream for the live layer (its tests and bench:fanout): it only makes peaks (a
 * PeakFeed). `advance()` extends the chain by one block, `reorg(depth)` replaces the top `depth`
 * blocks with a heavier branch; everything else is the shared double's (no ready link).
 */
import { createHash } from 'node:crypto';
import type { Peak, PeakFeed, Role } from '../../src/chia/index.js';
import { DOUBLE_PEER, UpstreamDouble } from './upstream-double.js';

/** Weight added per block (any positive constant; a reorg branch adds a little more). */
export const WEIGHT_STEP = 1_000_000_000_000n;

/** A deterministic 0x hash for (branch, height). */
export function hashOf(branch: number, height: number): string {
  return `0x${createHash('sha256').update(`${branch}:${height}`).digest('hex')}`;
}

export class PeakSource extends UpstreamDouble implements PeakFeed {
  protected branch = 0;
  /** Every peak emitted, in order. */
  readonly history: Peak[] = [];

  constructor(startHeight: number | null = 100) {
    super('mainnet', ['wallet']);
    if (startHeight !== null) this.makeBest(this.make(startHeight, startHeight, WEIGHT_STEP * BigInt(startHeight + 1)));
  }

  protected make(height: number, forkPoint: number, weight: bigint): Peak {
    return {
      height,
      header_hash: hashOf(this.branch, height),
      weight,
      fork_point_with_previous_peak: forkPoint,
      peers: [DOUBLE_PEER],
      received_at: Date.now(),
    };
  }

  /** Emits a peak as the upstream manager would. */
  emit(peak: Peak): Peak {
    this.history.push(peak);
    this.makeBest(peak);
    return peak;
  }

  /** The next block on the current branch. */
  advance(): Peak {
    const prev = this.peak();
    const height = prev === null ? 0 : prev.height + 1;
    const weight = (prev?.weight ?? 0n) + WEIGHT_STEP;
    return this.emit(this.make(height, prev?.height ?? 0, weight));
  }

  /** A heavier branch forking `depth` blocks below the peak, one block longer than the old chain. */
  reorg(depth: number): Peak {
    const prev = this.peak();
    if (prev === null || depth < 1 || depth > prev.height) throw new RangeError('reorg needs a peak deeper than depth');
    this.branch++;
    const forkPoint = prev.height - depth;
    return this.emit(this.make(prev.height + 1, forkPoint, prev.weight + WEIGHT_STEP * 2n));
  }

  /** Ready whenever it has a peak: it has no links to tell otherwise. */
  override isReady(_role: Role): boolean {
    return this.peak() !== null;
  }
}
