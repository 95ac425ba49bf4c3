/** GET /v1/status: links per role and peer, their states and peaks, pacing queues, cache stats. */
import type { FastifyInstance } from 'fastify';
import { ref } from '../../schemas/common.js';
import { problemResponses } from '../../schemas/responses.js';
import { StatusResponse, type StatusBody } from '../../schemas/status.js';
import { ADMIN_ONLY_NOTE } from '../../src/plugins/observability.js';

export default async function statusRoutes(app: FastifyInstance): Promise<void> {
  app.get('/status', {
    schema: {
      operationId: 'getStatus',
      tags: ['gateway'],
      summary: 'Upstream links and cache',
      description:
        'Every upstream link (role, peer, state, last peak, in-flight and queued requests), the best peak, ' +
        `readiness per role and block cache statistics. Weights are decimal strings. ${ADMIN_ONLY_NOTE}`,
      response: {
        200: { description: 'Gateway status', content: { 'application/json': { schema: ref(StatusResponse) } } },
        ...problemResponses(429),
      },
    },
    handler: async (_request, reply) => {
      const status = app.upstream.status();
      const body: StatusBody = {
        network: status.network,
        roles: status.roles,
        peak: status.peak === null ? null : { ...status.peak, weight: status.peak.weight.toString() },
        links: status.links,
        ready: { full_node: app.upstream.isReady('full_node'), wallet: app.upstream.isReady('wallet') },
        cache: app.blockCache.stats(),
      };
      // Serialised through the response schema, which whitelists the fields.
      return reply.header('cache-control', 'no-cache').send(body);
    },
  });
}
