/** GET /v1/status: links per role and peer, their states and peaks, pacing queues, cache stats. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ref } from '../../schemas/common.js';
import { ADMIN_ONLY_NOTE, problemResponses } from '../responses.js';
import { StatusResponse } from '../../schemas/status.js';
import { peakJson } from '../../src/chain/peak-json.js';

export default async function statusRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
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
      const body = {
        network: status.network,
        roles: status.roles,
        peak: status.peak === null ? null : peakJson(status.peak),
        links: status.links,
        ready: { full_node: app.upstream.isReady('full_node'), wallet: app.upstream.isReady('wallet') },
        cache: app.blockCache.stats(),
      };
      // Serialised through the response schema, which whitelists the fields.
      return reply.header('cache-control', 'no-cache').send(body);
    },
  });
}
