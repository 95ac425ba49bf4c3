/** GET /v1/peak: the best peak across all upstream links. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Peak } from '../../src/chia/index.js';
import { IntsQuery, ref } from '../../schemas/common.js';
import { PeakResponse } from '../../schemas/peak.js';
import { problemResponses } from '../../schemas/responses.js';
import { ApiError } from '../../src/http/errors.js';
import { JSON_TYPE, negotiate } from '../../src/http/representation.js';

/** The peak as JSON text; the u128 weight is a decimal string, or an exact number in chia mode. */
export function peakText(peak: Peak, mode: 'safe' | 'chia'): string {
  const weight = mode === 'chia' ? peak.weight.toString() : `"${peak.weight}"`;
  return (
    `{"height":${peak.height},"header_hash":${JSON.stringify(peak.header_hash)},"weight":${weight},` +
    `"fork_point_with_previous_peak":${peak.fork_point_with_previous_peak},"peers":${JSON.stringify(peak.peers)},` +
    `"received_at":${peak.received_at}}`
  );
}

export default async function peakRoutes(app: FastifyInstance): Promise<void> {
  app.get('/peak', {
    schema: {
      operationId: 'getPeak',
      tags: ['chain'],
      summary: 'The current peak',
      description:
        'The best peak reported by the upstream links (new_peak / new_peak_wallet), with the links that reported it.',
      querystring: IntsQuery,
      response: {
        200: {
          description: 'The current peak',
          headers: { 'Cache-Control': { description: 'no-cache: the peak changes every ~19 s', type: 'string' } },
          content: { 'application/json': { schema: ref(PeakResponse) } },
        },
        ...problemResponses(406, 429, 503),
      },
    },
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      const representation = negotiate(request, false);
      const peak = app.upstream.peak();
      if (peak === null) throw new ApiError('NO_PEAK', {}, { headers: { 'retry-after': '1' } });
      const mode = representation.kind === 'json' ? representation.mode : 'safe';
      return reply.header('cache-control', 'no-cache').header('vary', 'Accept').type(JSON_TYPE).send(peakText(peak, mode));
    },
  });
}
