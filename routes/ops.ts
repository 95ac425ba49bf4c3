/**
 * Operations endpoints: `/healthz` (the process serves HTTP), `/readyz` (a ready link per configured
 * role and a fresh peak, else 503 problem+json naming what is missing) and `/metrics` (Prometheus
 * text, `app.metricsText` of src/plugins/upstream-metrics.ts). `/metrics` is left out (option
 * `metrics: false`) on the public port when the admin listener serves it.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { HealthResponse, MetricsText, NotReadyProblem, ReadyResponse } from '../schemas/ops.js';
import { ADMIN_ONLY_NOTE, problemResponses } from './responses.js';
import { ApiError } from '../src/http/errors.js';
import { PROBLEM_CONTENT_TYPE, problemHeaders, problemOf } from '../src/http/problem.js';
import { notReadyReason, readinessOf } from '../src/metrics/readiness.js';
import { envName } from '../src/config/options.js';

const OPS_TAG = 'gateway';

export interface OpsRoutesOptions {
  /** Serve /metrics (needs src/plugins/upstream-metrics.ts registered). */
  metrics: boolean;
}

export default async function opsRoutes(fastify: FastifyInstance, options: OpsRoutesOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { config } = app;

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
          `within the configured peak max age (${envName('peakMaxAgeMs')}); otherwise 503 problem+json naming ` +
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
      return problemHeaders(reply, error)
        .code(503)
        .type(PROBLEM_CONTENT_TYPE)
        .send({ ...problemOf(error, request), checks });
    },
  );

  if (!options.metrics) return;

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
    async (_request, reply) => reply.type(app.metrics.registry.contentType).send(await app.metricsText()),
  );
}
