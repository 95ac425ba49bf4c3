/** GET /v1/peak: the best peak across all upstream links. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { IntsQuery, ref } from '../../schemas/common.js';
import { PeakResponse } from '../../schemas/peak.js';
import { problemResponses } from '../responses.js';
import { peakText } from '../../src/chain/peak-json.js';
import { ApiError, retryAfter } from '../../src/http/errors.js';
import { JSON_TYPE, negotiate } from '../../src/http/representation.js';

/**
 * Sent pre-serialised (peakText, which renders the weight in both int modes), so untyped here: the
 * schema documents the body and a test checks the body against it.
 */
const RESPONSES: Record<number, unknown> = {
  200: {
    description: 'The current peak',
    headers: { 'Cache-Control': { description: 'no-cache: the peak changes every ~19 s', type: 'string' } },
    content: { 'application/json': { schema: ref(PeakResponse) } },
  },
  ...problemResponses(406, 429, 503),
};

export default async function peakRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/peak', {
    schema: {
      operationId: 'getPeak',
      tags: ['chain'],
      summary: 'The current peak',
      description:
        'The best peak reported by the upstream links (new_peak / new_peak_wallet), with the links that reported it.',
      querystring: IntsQuery,
      response: RESPONSES,
    },
    handler: async (request, reply) => {
      const representation = negotiate(request, false);
      const peak = app.upstream.peak();
      if (peak === null) throw new ApiError('NO_PEAK', {}, { headers: retryAfter() });
      const mode = representation.kind === 'json' ? representation.mode : 'safe';
      return reply.header('cache-control', 'no-cache').header('vary', 'Accept').type(JSON_TYPE).send(peakText(peak, mode));
    },
  });
}
