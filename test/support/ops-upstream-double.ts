/**
 * An in-memory Upstream for operations tests: links are flipped between states by hand, peaks and
 * request outcomes are emitted on demand, and data calls fail like a gateway with no ready link.
 */
import { EventEmitter } from 'node:events';
import type { FullBlock, HeaderBlock, RespondAdditions, RespondRemovals } from '../../src/chia/codec/index.js';
import { UpstreamError } from '../../src/chia/errors.js';
import { peakChange } from '../../src/chia/peaks/reorg.js';
import type {
  FetchedBlock,
  LinkState,
  LinkStatus,
  Peak,
  RequestOutcome,
  Role,
  Upstream,
  UpstreamEvents,
  UpstreamStatus,
} from '../../src/chia/upstream-api.js';

export class OpsUpstreamDouble implements Upstream {
  readonly links = new Map<string, LinkStatus>();
  private currentPeak: Peak | null = null;
  private readonly events = new EventEmitter();
  started = false;
  closed = false;

  constructor(
    readonly network = 'mainnet',
    readonly roles: Role[] = ['full_node', 'wallet'],
  ) {}

  /** Sets (or creates) link `id` and emits a `link` event, as the manager does on each transition. */
  setLink(id: string, role: Role, state: LinkState, extra: Partial<LinkStatus> = {}): LinkStatus {
    const previous = this.links.get(id);
    const status: LinkStatus = {
      id,
      role,
      peer: '127.0.0.1:8444',
      peer_id: null,
      peak: null,
      last_error: null,
      in_flight: 0,
      queued: 0,
      rate_limits: null,
      reconnects: 0,
      retry: null,
      ...previous,
      ...extra,
      state,
      since: Date.now(),
    };
    this.links.set(id, status);
    this.events.emit('link', status);
    return status;
  }

  /** Makes one link per role ready and sets a peak received now. */
  makeReady(height = 100): void {
    for (const role of this.roles) this.setLink(`${role}#1`, role, 'ready');
    this.setPeak(height);
  }

  setPeak(height: number, receivedAt = Date.now()): Peak {
    const previous = this.currentPeak;
    const peak: Peak = {
      height,
      header_hash: `0x${height.toString(16).padStart(64, '0')}`,
      weight: BigInt(height) * 1000n,
      fork_point_with_previous_peak: Math.max(0, height - 1),
      peers: ['127.0.0.1:8444'],
      received_at: receivedAt,
    };
    this.currentPeak = peak;
    this.events.emit('peak', peakChange(peak, previous));
    return peak;
  }

  emitRequest(outcome: Partial<RequestOutcome> = {}): void {
    this.events.emit('request', {
      role: 'full_node',
      message: 'request_blocks',
      outcome: 'ok',
      duration_ms: 12,
      peer: '127.0.0.1:8444',
      ...outcome,
    } satisfies RequestOutcome);
  }

  listenerCount(event: keyof UpstreamEvents): number {
    return this.events.listenerCount(event);
  }

  async start(): Promise<void> {
    this.started = true;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const link of this.links.values()) this.setLink(link.id, link.role, 'closed');
  }

  private fail(role: Role): Promise<never> {
    return Promise.reject(new UpstreamError('NO_READY_LINK', `no ready ${role} link`));
  }

  getBlocks(): Promise<FetchedBlock<FullBlock>[]> {
    return this.fail('full_node');
  }

  getHeaderBlocks(): Promise<FetchedBlock<HeaderBlock>[]> {
    return this.fail('wallet');
  }

  getAdditions(): Promise<RespondAdditions> {
    return this.fail('wallet');
  }

  getRemovals(): Promise<RespondRemovals> {
    return this.fail('wallet');
  }

  peak(): Peak | null {
    return this.currentPeak;
  }

  status(): UpstreamStatus {
    return { network: this.network, roles: this.roles, links: [...this.links.values()], peak: this.currentPeak };
  }

  isReady(role: Role): boolean {
    return [...this.links.values()].some((l) => l.role === role && l.state === 'ready');
  }

  on<E extends keyof UpstreamEvents>(event: E, listener: UpstreamEvents[E]): void {
    this.events.on(event, listener);
  }

  off<E extends keyof UpstreamEvents>(event: E, listener: UpstreamEvents[E]): void {
    this.events.off(event, listener);
  }
}
