/** Header blocks (wallet role): GET /v1/blocks/{height}/header and GET /v1/headers?start=&end=. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { HeaderBlockRange, HeaderBlockResponse } from '../../schemas/block.js';
import { HeightParams, IntsQuery, RangeQuery, ref } from '../../schemas/common.js';
import { NOT_MODIFIED, chainOk, problemResponses } from '../responses.js';
import { serveBlock, serveBlockRange } from '../../src/chain/block-reply.js';
import { plainDigits } from '../../src/http/plain-digits.js';

const ERRORS = problemResponses(400, 404, 406, 429, 502, 503, 504);

export default async function headerRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/blocks/:height/header', {
    schema: {
      operationId: 'getHeaderBlock',
      tags: ['headers'],
      summary: 'A header block by height',
      description:
        'The main-chain HeaderBlock at `height` (with its transactions filter), fetched over a wallet link ' +
        '(request_block_headers, in aligned batches of 32) and cached.',
      params: HeightParams,
      querystring: IntsQuery,
      response: {
        ...chainOk(ref(HeaderBlockResponse), 'The header block and its header hash', 'HeaderBlock streamable bytes'),
        ...NOT_MODIFIED,
        ...ERRORS,
      },
    },
    preValidation: plainDigits('height'),
    handler: (request, reply) => serveBlock(app, 'header', request.params.height, request, reply),
  });

  app.get('/headers', {
    schema: {
      operationId: 'getHeaderBlocks',
      tags: ['headers'],
      summary: 'Header blocks by height range',
      description:
        'HeaderBlocks with start ≤ height < end (end exclusive), at most 100 per call; end is clipped to the peak + 1. ' +
        '`Accept: application/octet-stream` returns a streamable List[HeaderBlock].',
      querystring: RangeQuery,
      response: {
        ...chainOk(ref(HeaderBlockRange), 'The header blocks in height order', 'Streamable List[HeaderBlock]', true),
        ...NOT_MODIFIED,
        ...ERRORS,
      },
    },
    preValidation: plainDigits('start', 'end'),
    handler: (request, reply) => serveBlockRange(app, 'header', request.query, request, reply),
  });
}
