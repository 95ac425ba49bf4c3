/**
 * Operations endpoints: `/healthz` (the process serves HTTP), `/readyz` (a ready link per configured
 * role and a fresh peak, else 503 problem+json naming what is missing) and `/metrics` (Prometheus text
 * from app.metrics.registry; HTTP latency by route is recorded by src/plugins/http-latency.ts).
 * `/metrics` is left out (option `metrics: false`) on the public port when the admin listener serves it
 * (src/plugins/admin-listener.ts).
 *
 * Registered before the upstream plugin: it reaches `app.upstream` only at request time and once the
 * app is ready (to subscribe the upstream metrics).
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ApiError } from '../http/errors.js';
import { notReadyReason, readinessOf } from '../metrics/readiness.js';
import { bindUpstreamMetrics, type UpstreamMetricsBinding } from '../metrics/upstream-metrics.js';
import { HealthResponse, MetricsText, NotReadyProblem, ReadyResponse } from '../../schemas/ops.js';
import { problemResponses } from '../../schemas/responses.js';
import { PROBLEM_CONTENT_TYPE, problemOf } from './error-handler.js';

const OPS_TAG = 'gateway';

export interface ObservabilityOptions {
  /** Serve /metrics (and keep the upstream metrics bound for it). */
  metrics: boolean;
}

/** Where /v1/status and /metrics are served when an admin listener is configured, for route descriptions. */
export const ADMIN_ONLY_NOTE =
  'With an admin listener configured (CHIA_GATEWAY_ADMIN_PORT) this endpoint is served there, and no longer on the public port.';

async function observability(fastify: FastifyInstance, options: ObservabilityOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { metrics, config } = app;

  // Probes come from the orchestrator, not clients: never rate limited (they are cheap).
  const opsRoute = { rateLimit: false } as const;

  app.get(
    '/healthz',
    {
      config: opsRoute,
      schema: {
        operationId: 'getHealth',
        tags: [OPS_TAG],
        summary: 'Liveness',
        description: 'Answers 200 while the process serves HTTP, whatever the state of the upstream links.',
        response: { 200: { description: 'The process is up', content: { 'application/json': { schema: HealthResponse } } } },
      },
    },
    async () => ({ status: 'ok' as const, uptime_s: process.uptime() }),
  );

  app.get(
    '/readyz',
    {
      config: opsRoute,
      schema: {
        operationId: 'getReadiness',
        tags: [OPS_TAG],
        summary: 'Readiness',
        description:
          'Ready when every configured link role has at least one ready link and the newest peak was received ' +
          'within the configured peak max age (CHIA_GATEWAY_PEAK_MAX_AGE_MS); otherwise 503 problem+json naming ' +
          'the missing role or the stale peak.',
        response: {
          200: { description: 'Ready', content: { 'application/json': { schema: ReadyResponse } } },
          503: { description: 'Not ready', content: { 'application/problem+json': { schema: NotReadyProblem } } },
        },
      },
    },
    async (request, reply) => {
      const { ready, ...checks } = readinessOf(app.upstream, config);
      if (ready) return { status: 'ready' as const, checks };
      const error = new ApiError('NOT_READY', { reason: notReadyReason({ ready, ...checks }, config) });
      // `checks` is a problem extension member (RFC 9457 §3.2), serialised by the 503 schema.
      return reply
        .code(503)
        .type(PROBLEM_CONTENT_TYPE)
        .header('cache-control', 'no-store')
        .send({ ...problemOf(error, request), checks });
    },
  );

  if (!options.metrics) return;

  let binding: UpstreamMetricsBinding | undefined;
  // The upstream plugin registers after this one: bind once all are loaded.
  app.addHook('onReady', async () => {
    binding = bindUpstreamMetrics(app.upstream, metrics);
  });
  app.addHook('onClose', async () => binding?.unbind());

  app.get(
    '/metrics',
    {
      schema: {
        operationId: 'getMetrics',
        tags: [OPS_TAG],
        summary: 'Prometheus metrics',
        description:
          'Upstream links by role and state, upstream requests and latency, pacing queues, cache, HTTP latency by route, ' +
          `live clients. Rate limited like every public route when the rate limit is on. ${ADMIN_ONLY_NOTE}`,
        response: {
          200: { description: 'Prometheus text format', content: { 'text/plain': { schema: MetricsText } } },
          ...problemResponses(429),
        },
      },
    },
    async (_request, reply) => {
      binding?.sync();
      const text = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(text);
    },
  );
}

export default fp(observability, { name: 'observability', fastify: '5.x', decorators: { fastify: ['config', 'metrics'] } });
