/** Full blocks (full_node role): GET /v1/blocks/{height} and GET /v1/blocks?start=&end=. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { FullBlockRange, FullBlockResponse } from '../../schemas/block.js';
import { HeightParams, IntsQuery, RangeQuery, ref } from '../../schemas/common.js';
import { NOT_MODIFIED, chainOk, problemResponses } from '../responses.js';
import { serveBlock, serveBlockRange } from '../../src/chain/block-reply.js';
import { plainDigits } from '../../src/http/plain-digits.js';

const ERRORS = problemResponses(400, 404, 406, 429, 502, 503, 504);

export default async function blockRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/blocks/:height', {
    schema: {
      operationId: 'getBlock',
      tags: ['blocks'],
      summary: 'A full block by height',
      description:
        'The main-chain FullBlock at `height`, fetched over a full_node link (request_blocks, in aligned batches of 32) ' +
        'and cached. JSON by default; `Accept: application/octet-stream` returns the streamable bytes exactly as the node sent them.',
      params: HeightParams,
      querystring: IntsQuery,
      response: {
        ...chainOk(ref(FullBlockResponse), 'The block and its header hash', 'FullBlock streamable bytes'),
        ...NOT_MODIFIED,
        ...ERRORS,
      },
    },
    preValidation: plainDigits('height'),
    handler: (request, reply) => serveBlock(app, 'full', request.params.height, request, reply),
  });

  app.get('/blocks', {
    schema: {
      operationId: 'getBlocks',
      tags: ['blocks'],
      summary: 'Full blocks by height range',
      description:
        'FullBlocks with start ≤ height < end (end exclusive, as in the node RPC), at most 100 per call; ' +
        'end is clipped to the peak + 1. `Accept: application/octet-stream` returns a streamable List[FullBlock] ' +
        '(u32 count, then each block as the node sent it).',
      querystring: RangeQuery,
      response: {
        ...chainOk(ref(FullBlockRange), 'The blocks in height order', 'Streamable List[FullBlock]', true),
        ...NOT_MODIFIED,
        ...ERRORS,
      },
    },
    preValidation: plainDigits('start', 'end'),
    handler: (request, reply) => serveBlockRange(app, 'full', request.query, request, reply),
  });
}
