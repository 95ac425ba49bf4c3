/**
 * The metrics scrape of the listener that serves GET /metrics (the public one, or the admin listener
 * when one is configured): binds the upstream metrics (src/metrics/upstream-metrics.ts, their single
 * writer) to `app.metrics` once the app is ready, and decorates `app.metricsText`, the Prometheus text
 * of `app.metrics.registry` with the upstream gauges brought up to date. HTTP latency by route is
 * recorded by src/plugins/http-latency.ts.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { bindUpstreamMetrics, type UpstreamMetricsBinding } from '../metrics/upstream-metrics.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The Prometheus text exposition of every metric, current as of the call. */
    metricsText(): Promise<string>;
  }
}

async function upstreamMetrics(app: FastifyInstance): Promise<void> {
  const { metrics } = app;
  let binding: UpstreamMetricsBinding | undefined;
  // The upstream may be decorated after this plugin registers: bind once all are loaded.
  app.addHook('onReady', async () => {
    binding = bindUpstreamMetrics(app.upstream, metrics);
  });
  app.addHook('onClose', async () => binding?.unbind());
  app.decorate('metricsText', async () => {
    binding?.sync();
    return metrics.registry.metrics();
  });
}

export default fp(upstreamMetrics, { name: 'upstream-metrics', fastify: '5.x', decorators: { fastify: ['metrics'] } });
