/**
 * Feeds the upstream metrics from the Upstream's events: link gauges (per role and state) and pacing
 * queue depth from `status()` on every `link` event and before each scrape, request counters and
 * latency (of the requests a peer was asked) from `request` events. The only writer of these metrics, so nothing is counted twice.
 */
import { LINK_STATES, type RequestOutcome, type Role, type UpstreamMonitor } from '../chia/index.js';
import type { Metrics } from './metrics.js';

const MS_PER_SECOND = 1000;

export interface UpstreamMetricsBinding {
  /** Re-reads link states and queue depths from `upstream.status()`. */
  sync(): void;
  /** Stops listening to the upstream. */
  unbind(): void;
}

/** Subscribes the metrics to an upstream's events. */
export function bindUpstreamMetrics(upstream: UpstreamMonitor, metrics: Metrics): UpstreamMetricsBinding {
  const sync = (): void => {
    const status = upstream.status();
    const roles = new Set<Role>(status.roles);
    for (const link of status.links) roles.add(link.role);
    for (const role of roles) {
      const links = status.links.filter((l) => l.role === role);
      // Every state gets a sample, zeros included, so a dashboard sees "0 ready" rather than no data.
      for (const state of LINK_STATES) metrics.linkState.set({ role, state }, links.filter((l) => l.state === state).length);
      metrics.pacingQueueDepth.set({ role }, links.reduce((sum, l) => sum + l.queued, 0));
    }
  };
  const onRequest = (o: RequestOutcome): void => {
    metrics.upstreamRequests.inc({ role: o.role, message: o.message, outcome: o.outcome });
    // A busy request never reached a peer: its wait in the pacing queue says nothing of upstream latency.
    if (o.outcome !== 'busy') metrics.upstreamLatency.observe({ role: o.role, message: o.message }, o.duration_ms / MS_PER_SECOND);
  };
  upstream.on('link', sync);
  upstream.on('request', onRequest);
  sync();
  return {
    sync,
    unbind() {
      upstream.off('link', sync);
      upstream.off('request', onRequest);
    },
  };
}
