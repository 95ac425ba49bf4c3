/**
 * An in-memory Upstream for the live layer's tests: it only makes peaks. `advance()` extends the
 * chain by one block, `reorg(depth)` replaces the top `depth` blocks with a heavier branch; data
 * calls fail like a gateway with no ready link.
 */
import { EventEmitter } from 'node:events';
import { createHash } from 'node:crypto';
import type { FullBlock, HeaderBlock, RespondAdditions, RespondRemovals } from '../../src/chia/codec/index.js';
import { UpstreamError } from '../../src/chia/errors.js';
import { peakChange } from '../../src/chia/peaks/reorg.js';
import type { FetchedBlock, Peak, Role, Upstream, UpstreamEvents, UpstreamStatus } from '../../src/chia/upstream-api.js';

/** Weight added per block (any positive constant; a reorg branch adds a little more). */
const WEIGHT_STEP = 1_000_000_000_000n;
const PEER = '127.0.0.1:8444';

/** A deterministic 0x hash for (branch, height). */
export function hashOf(branch: number, height: number): string {
  return `0x${createHash('sha256').update(`${branch}:${height}`).digest('hex')}`;
}

export class PeakSource implements Upstream {
  private readonly events = new EventEmitter();
  private current: Peak | null = null;
  private branch = 0;
  /** Every peak emitted, in order. */
  readonly history: Peak[] = [];

  constructor(startHeight: number | null = 100) {
    if (startHeight !== null) this.current = this.make(startHeight, startHeight, WEIGHT_STEP * BigInt(startHeight + 1));
  }

  private make(height: number, forkPoint: number, weight: bigint): Peak {
    return {
      height,
      header_hash: hashOf(this.branch, height),
      weight,
      fork_point_with_previous_peak: forkPoint,
      peers: [PEER],
      received_at: Date.now(),
    };
  }

  /** Emits a peak as the upstream manager would. */
  emit(peak: Peak): Peak {
    const previous = this.current;
    this.current = peak;
    this.history.push(peak);
    this.events.emit('peak', peakChange(peak, previous));
    return peak;
  }

  /** The next block on the current branch. */
  advance(): Peak {
    const prev = this.current;
    const height = prev === null ? 0 : prev.height + 1;
    const weight = (prev?.weight ?? 0n) + WEIGHT_STEP;
    return this.emit(this.make(height, prev?.height ?? 0, weight));
  }

  /** A heavier branch forking `depth` blocks below the peak, one block longer than the old chain. */
  reorg(depth: number): Peak {
    const prev = this.current;
    if (prev === null || depth < 1 || depth > prev.height) throw new RangeError('reorg needs a peak deeper than depth');
    this.branch++;
    const forkPoint = prev.height - depth;
    return this.emit(this.make(prev.height + 1, forkPoint, prev.weight + WEIGHT_STEP * 2n));
  }

  listenerCount(): number {
    return this.events.listenerCount('peak');
  }

  async start(): Promise<void> {}
  async close(): Promise<void> {}
  private noLink(): Promise<never> {
    return Promise.reject(new UpstreamError('NO_READY_LINK', 'in-memory peak source serves no data'));
  }
  getBlocks(): Promise<FetchedBlock<FullBlock>[]> {
    return this.noLink();
  }
  getHeaderBlocks(): Promise<FetchedBlock<HeaderBlock>[]> {
    return this.noLink();
  }
  getAdditions(): Promise<RespondAdditions> {
    return this.noLink();
  }
  getRemovals(): Promise<RespondRemovals> {
    return this.noLink();
  }
  peak(): Peak | null {
    return this.current;
  }
  status(): UpstreamStatus {
    return { network: 'mainnet', roles: ['wallet'], links: [], peak: this.current };
  }
  isReady(_role: Role): boolean {
    return this.current !== null;
  }
  on<E extends keyof UpstreamEvents>(event: E, listener: UpstreamEvents[E]): void {
    this.events.on(event, listener);
  }
  off<E extends keyof UpstreamEvents>(event: E, listener: UpstreamEvents[E]): void {
    this.events.off(event, listener);
  }
}
