/** Coins of a block (wallet role): GET /v1/blocks/{height}/additions and /removals. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AdditionsResponse, RemovalsResponse } from '../../schemas/coins.js';
import { HeightParams, IntsQuery, ref } from '../../schemas/common.js';
import { NOT_MODIFIED, chainOk, problemResponses } from '../responses.js';
import { serveCoinList } from '../../src/chain/coin-lists.js';
import { plainDigits } from '../../src/http/plain-digits.js';

const ERRORS = problemResponses(400, 404, 406, 429, 502, 503, 504);

export default async function coinRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  for (const field of ['additions', 'removals'] as const) {
    app.get(`/blocks/:height/${field}`, {
      schema: {
        operationId: field === 'additions' ? 'getAdditions' : 'getRemovals',
        tags: ['coins'],
        summary: field === 'additions' ? 'Coins a block created' : 'Coins a block spent',
        description:
          (field === 'additions'
            ? 'Every coin created at `height` (rewards and transaction outputs), via request_additions over a wallet link. '
            : 'Every coin spent at `height`, via request_removals over a wallet link. ') +
          'The block is resolved to its header hash first (cache or request_block_headers); a non-transaction block has none. ' +
          'A peer that declines the coin request answers 502 `COINS_REFUSED`: nodes refuse the additions of a block that created ' +
          'coins for more than 100 distinct puzzle hashes, and any coin request while their wallet-sync queue is full.',
        params: HeightParams,
        querystring: IntsQuery,
        response: {
          ...chainOk(ref(field === 'additions' ? AdditionsResponse : RemovalsResponse), `The ${field} of the block`),
          ...NOT_MODIFIED,
          ...ERRORS,
        },
      },
      preValidation: plainDigits('height'),
      handler: (request, reply) => serveCoinList(app, field, request.params.height, request, reply),
    });
  }
}
