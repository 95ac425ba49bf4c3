/**
 * Every Prometheus metric the gateway exports, defined once. Each app gets its own registry (so tests
 * can build several apps in one process); plugins reach the metrics through `app.metrics`.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { HttpLatencyHistogram } from './latency-histogram.js';
import { BoundCounter } from './bound-counter.js';

export function createMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'chia_gateway_' });
  const registers = [registry];

  return {
    registry,
    linkState: new Gauge({
      name: 'chia_gateway_upstream_links',
      help: 'Upstream links by role and state',
      labelNames: ['role', 'state'] as const,
      registers,
    }),
    upstreamRequests: new Counter({
      name: 'chia_gateway_upstream_requests_total',
      help: 'Upstream requests by message type and outcome (ok, reject, timeout, busy: refused by the pacing queue, error)',
      labelNames: ['role', 'message', 'outcome'] as const,
      registers,
    }),
    upstreamLatency: new Histogram({
      name: 'chia_gateway_upstream_request_seconds',
      help: 'Upstream request latency by message type (pacing wait included; requests refused by the pacing queue are not observed)',
      labelNames: ['role', 'message'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    pacingQueueDepth: new Gauge({
      name: 'chia_gateway_pacing_queue_depth',
      help: 'Requests waiting for rate-limit pacing, summed over the links of a role',
      labelNames: ['role'] as const,
      registers,
    }),
    // Counted once per cached block served: without per-lookup label hashing (src/metrics/bound-counter.ts).
    cacheRequests: new BoundCounter({
      name: 'chia_gateway_cache_requests_total',
      help: 'Block cache lookups by entry kind (full, header, additions, removals) and result (hit, miss)',
      labelNames: ['kind', 'result'] as const,
      registers,
    }),
    cacheBytes: new Gauge({
      name: 'chia_gateway_cache_bytes',
      help: 'Bytes held by the block cache',
      registers,
    }),
    sharedCacheUp: new Gauge({
      name: 'chia_gateway_shared_cache_up',
      help: 'Whether the Redis shared cache (CHIA_GATEWAY_REDIS_URL) is usable: 1 up, 0 down (unreachable, slow or failing; requests go on from memory and the peers); absent without one',
      registers,
    }),
    sharedCacheRequests: new Counter({
      name: 'chia_gateway_shared_cache_requests_total',
      help: 'Redis shared cache lookups of buried batches and coin lists by result (hit, miss), and failed or timed-out commands (error)',
      labelNames: ['result'] as const,
      registers,
    }),
    // A Histogram subclass recorded without per-request label hashing (src/metrics/latency-histogram.ts).
    httpLatency: new HttpLatencyHistogram({
      name: 'chia_gateway_http_request_seconds',
      help: 'HTTP request latency by route and status code',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    }),
    httpConnectionsDropped: new Counter({
      name: 'chia_gateway_http_connections_dropped_total',
      help: 'Connections closed as they were accepted because the listener held its maximum (public, admin)',
      labelNames: ['listener'] as const,
      registers,
    }),
    liveClients: new Gauge({
      name: 'chia_gateway_live_clients',
      help: 'Connected live subscribers by transport (ws, sse)',
      labelNames: ['transport'] as const,
      registers,
    }),
    liveEventsSent: new Counter({
      name: 'chia_gateway_live_events_sent_total',
      help: 'Live events delivered to subscribers, by transport and event type',
      labelNames: ['transport', 'type'] as const,
      registers,
    }),
    liveRefused: new Counter({
      name: 'chia_gateway_live_refused_total',
      help: 'Live connections refused before the stream started, by reason (origin, max_clients, max_clients_per_ip)',
      labelNames: ['reason'] as const,
      registers,
    }),
    liveSlowClientsTerminated: new Counter({
      name: 'chia_gateway_live_slow_clients_terminated_total',
      help: 'Subscribers terminated by the gateway, by reason: send_buffer (slow consumer), heartbeat (missed), message_rate (over the inbound message budget)',
      labelNames: ['transport', 'reason'] as const,
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Metrics;
  }
}
