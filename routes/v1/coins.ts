/** Coins of a block (wallet role): GET /v1/blocks/{height}/additions and /removals. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CachedBlock, CoinListJson, CoinListKind } from '../../src/chain/block-cache.js';
import { type ClientKey, type Peak, UpstreamError } from '../../src/chia/index.js';
import { AdditionsResponse, RemovalsResponse } from '../../schemas/coins.js';
import { HeightParams, IntsQuery, ref } from '../../schemas/common.js';
import { NOT_MODIFIED, chainOk, problemResponses } from '../../schemas/responses.js';
import { ApiError, fromUpstream } from '../../src/http/errors.js';
import { HEADER_HASH_HEADER } from '../../src/chain/block-reply.js';
import { clientOf, lookupBlock, plainDigits, requireAtMostPeak, requirePeak } from '../../src/chain/chain-lookup.js';
import { coinListText, fetchCoinList } from '../../src/chain/coin-lists.js';
import { applyValidators, isImmutable } from '../../src/http/http-cache.js';
import { JSON_TYPE, negotiate, variantSuffix } from '../../src/http/representation.js';

const ERRORS = problemResponses(400, 404, 406, 429, 502, 503, 504);

export default async function coinRoutes(app: FastifyInstance): Promise<void> {
  /** The block whose coins are asked for: any cached kind, else its header block (wallet role). */
  async function resolveBlock(height: number, peak: Peak, client: ClientKey): Promise<CachedBlock> {
    return app.blockCache.peek('header', height) ?? app.blockCache.peek('full', height)
      ?? lookupBlock(app.blockCache, 'header', height, peak, client);
  }

  /**
   * The coin list of a transaction block from the block cache, else fetched over a wallet link (once
   * for concurrent requests) and cached. Lists are keyed by header hash as well as height, and dropped
   * with their block on a reorg, so tip lists are cached too without ever serving a replaced block's.
   */
  async function coinList(field: CoinListKind, block: CachedBlock, client: ClientKey): Promise<CoinListJson> {
    const { height, headerHash } = block;
    const hit = app.blockCache.hitCoinList(field, height, headerHash);
    if (hit !== undefined) return hit.json;
    try {
      const loaded = await app.blockCache.loadCoinList(
        field,
        height,
        headerHash,
        (onBehalfOf) => fetchCoinList(app.upstream, field, height, headerHash, onBehalfOf),
        client,
      );
      return loaded.json;
    } catch (error) {
      // The block is known (just resolved): a reject here is the peer declining, not a missing block.
      if (error instanceof UpstreamError && error.code === 'UPSTREAM_REJECTED') {
        throw new ApiError('COINS_REFUSED', { field, height, header_hash: headerHash }, { cause: error });
      }
      throw fromUpstream(error, { role: 'wallet', height });
    }
  }

  function handler(field: CoinListKind) {
    return async (request: FastifyRequest<{ Params: { height: number } }>, reply: FastifyReply) => {
      const representation = negotiate(request, false);
      const mode = representation.kind === 'json' ? representation.mode : 'safe';
      const { height } = request.params;
      const peak = requirePeak(app, 'wallet');
      requireAtMostPeak(height, peak);
      const client = clientOf(request);
      const block = await resolveBlock(height, peak, client);
      reply.header(HEADER_HASH_HEADER, block.headerHash);
      const immutable = isImmutable(height, peak.height, app.config.confirmations);
      const tag = `${block.headerHash}:${field}${variantSuffix(representation)}`;
      if (applyValidators(request, reply, tag, immutable)) return reply;
      // The node rejects coin requests for non-transaction blocks (PROTOCOL.md §e.5): they have no coins.
      if (!block.isTransactionBlock) {
        return reply.type(JSON_TYPE).send(coinListText(field, height, block.headerHash, [], mode));
      }
      return reply.type(JSON_TYPE).send((await coinList(field, block, client))[mode]);
    };
  }

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
      handler: handler(field),
    });
  }
}
