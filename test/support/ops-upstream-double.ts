/**
 * An in-memory upstream for operations tests (an UpstreamMonitor): links are flipped between states
 * by hand, peaks and request outcomes are emitted on demand; everything else is the shared double's
 * (data calls fail like a gateway with no ready link).
 */
import type { LinkState, LinkStatus, Peak, RequestOutcome, Role, UpstreamMonitor } from '../../src/chia/index.js';
import { DOUBLE_PEER, UpstreamDouble } from '../../fake-node/in-memory/upstream-double.js';

export class OpsUpstreamDouble extends UpstreamDouble implements UpstreamMonitor {
  readonly links = new Map<string, LinkStatus>();

  /** Sets (or creates) link `id` and emits a `link` event, as the manager does on each transition. */
  setLink(id: string, role: Role, state: LinkState, extra: Partial<LinkStatus> = {}): LinkStatus {
    const previous = this.links.get(id);
    const status: LinkStatus = {
      id,
      role,
      peer: DOUBLE_PEER,
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
    const peak: Peak = {
      height,
      header_hash: `0x${height.toString(16).padStart(64, '0')}`,
      weight: BigInt(height) * 1000n,
      fork_point_with_previous_peak: Math.max(0, height - 1),
      peers: [DOUBLE_PEER],
      received_at: receivedAt,
    };
    this.makeBest(peak);
    return peak;
  }

  emitRequest(outcome: Partial<RequestOutcome> = {}): void {
    this.events.emit('request', {
      role: 'full_node',
      message: 'request_blocks',
      outcome: 'ok',
      duration_ms: 12,
      peer: DOUBLE_PEER,
      ...outcome,
    } satisfies RequestOutcome);
  }

  override async close(): Promise<void> {
    for (const link of this.links.values()) this.setLink(link.id, link.role, 'closed');
  }

  protected override linkStatuses(): LinkStatus[] {
    return [...this.links.values()];
  }
}
