/**
 * What every in-memory Upstream (of the tests and the benchmarks) shares, written once: the event emitter, the best peak
 * (each change emitted with its fork point, as the upstream manager emits it), and a gateway with no
 * ready link for everything else (no links, data calls failing NO_READY_LINK). Each double extends it
 * and writes only the narrow interface its users exercise (PeakFeed, UpstreamMonitor, BlockSource and
 * CoinSource), so the app can be built over any of them.
 */
import { EventEmitter } from 'node:events';
import {
  UpstreamError,
  type ChainPoint,
  type CoinState,
  type CoinStateFilters,
  type CoinStatesRead,
  type CoinWatchKeys,
  type CoinWatchStatus,
  type FeeEstimateGroup,
  type PuzzleSolutionResponse,
  type PuzzleStatePage,
  type SpendBundle,
  type TransactionSent,
  type FetchedBlock,
  type FullBlock,
  type HeaderBlock,
  type LinkStatus,
  type Peak,
  type RespondAdditions,
  type RespondRemovals,
  type Role,
  type Upstream,
  type UpstreamEvents,
  type UpstreamStatus,
} from '../../src/chia/index.js';
import { peakChange } from '../../src/chia/peaks/reorg.js';

/** The peer every double names. */
export const DOUBLE_PEER = '127.0.0.1:8444';

export class UpstreamDouble implements Upstream {
  protected readonly events = new EventEmitter();
  #best: Peak | null = null;

  constructor(
    readonly network = 'mainnet',
    readonly roles: Role[] = ['full_node', 'wallet'],
  ) {}

  /** Makes `peak` the best peak and emits the change (none for null), as the manager does on a new best. */
  protected makeBest(peak: Peak | null): void {
    const previous = this.#best;
    this.#best = peak;
    if (peak !== null) this.events.emit('peak', peakChange(peak, previous));
  }

  /** The links status() lists; none by default. */
  protected linkStatuses(): LinkStatus[] {
    return [];
  }

  /** Listeners of `event`, to check that consumers let go. */
  listenerCount(event: keyof UpstreamEvents = 'peak'): number {
    return this.events.listenerCount(event);
  }

  async start(): Promise<void> {}
  async close(): Promise<void> {}

  getBlocks(_start: number, _end: number): Promise<FetchedBlock<FullBlock>[]> {
    return this.noLink('full_node');
  }
  getHeaderBlocks(_start: number, _end: number): Promise<FetchedBlock<HeaderBlock>[]> {
    return this.noLink('wallet');
  }
  getAdditions(_height: number, _headerHash: string | null): Promise<RespondAdditions> {
    return this.noLink('wallet');
  }
  getRemovals(_height: number, _headerHash: string): Promise<RespondRemovals> {
    return this.noLink('wallet');
  }
  getCoinStates(_coinIds: string[]): Promise<CoinStatesRead> {
    return this.noLink('wallet');
  }
  getPuzzleStatePage(_puzzleHashes: string[], _filters: CoinStateFilters, _from: ChainPoint | null): Promise<PuzzleStatePage> {
    return this.noLink('wallet');
  }
  getChildren(_coinId: string): Promise<CoinState[]> {
    return this.noLink('wallet');
  }
  getPuzzleSolution(_coinId: string, _height: number): Promise<PuzzleSolutionResponse> {
    return this.noLink('wallet');
  }
  sendTransaction(_bundle: SpendBundle): Promise<TransactionSent> {
    return this.noLink('wallet');
  }
  getFeeEstimates(_targetTimes: number[]): Promise<FeeEstimateGroup> {
    return this.noLink('wallet');
  }

  /** Watches nothing: no wallet link to register keys with. */
  watch(_keys: CoinWatchKeys): () => void {
    return () => undefined;
  }
  coinWatchStatus(): CoinWatchStatus {
    return { puzzle_hashes: 0, coin_ids: 0, pending: 0, links: [], messages: {} };
  }

  peak(): Peak | null {
    return this.#best;
  }
  status(): UpstreamStatus {
    return { network: this.network, roles: this.roles, links: this.linkStatuses(), peak: this.#best };
  }
  isReady(role: Role): boolean {
    return this.linkStatuses().some((l) => l.role === role && l.state === 'ready');
  }

  on<E extends keyof UpstreamEvents>(event: E, listener: UpstreamEvents[E]): void {
    this.events.on(event, listener);
  }
  off<E extends keyof UpstreamEvents>(event: E, listener: UpstreamEvents[E]): void {
    this.events.off(event, listener);
  }

  /** The failure of a data call while no link of `role` is ready. */
  protected noLink(role: Role): Promise<never> {
    return Promise.reject(new UpstreamError('NO_READY_LINK', `no ready ${role} link`));
  }
}
