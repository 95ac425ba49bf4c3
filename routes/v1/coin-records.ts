/**
 * Coins over wallet links: GET /v1/coins/{coin_id}, POST /v1/coins/query, GET /v1/coins/{coin_id}/children,
 * GET /v1/coins/{coin_id}/spend (src/coins/coin-reads.ts). The coin set changes with every block, so
 * answers are never cached (Cache-Control: no-cache); each names the block it was read at.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  CoinChildrenResponse,
  CoinIdParams,
  CoinQuery,
  CoinQueryResponse,
  CoinRecordResponse,
  CoinSpendResponse,
} from '../../schemas/coin-records.js';
import { IntsQuery, ref } from '../../schemas/common.js';
import { problemResponses } from '../responses.js';
import { childrenText, coinIdParam, coinRecordText, queryText, spendText } from '../../src/coins/coin-reads.js';
import { MAX_QUERY_BODY_BYTES, MAX_QUERY_KEYS } from '../../src/http/errors.js';
import { JSON_TYPE, negotiate } from '../../src/http/representation.js';
import type { JsonMode } from '../../src/chia/index.js';

const ERRORS = problemResponses(400, 404, 406, 429, 502, 503, 504);
const READ_NOTE =
  ' Records are the node RPC\'s (coin, coinbase, confirmed_block_index, spent, spent_block_index, timestamp) with `coin_id` and `address`; ' +
  'amounts and timestamps are strings by default, numbers with `ints=number`. `peak` is the block the answer was read at.';

/** A 200 sent as pre-rendered JSON text: documented, never re-serialised. */
export function jsonOk(schema: unknown, description: string): Record<number, unknown> {
  return { 200: { description, content: { 'application/json': { schema } } } };
}

/** Sends JSON text rendered in the negotiated int mode, uncached. */
export async function sendJson(
  request: FastifyRequest,
  reply: FastifyReply,
  render: (mode: JsonMode) => Promise<string>,
): Promise<void> {
  const representation = negotiate(request, false);
  const text = await render(representation.kind === 'json' ? representation.mode : 'safe');
  await reply.header('cache-control', 'no-cache').type(JSON_TYPE).send(text);
}

export default async function coinRecordRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/coins/:coin_id', {
    schema: {
      operationId: 'getCoinRecord',
      tags: ['coins'],
      summary: 'A coin record by coin id',
      description: 'The coin\'s state via request_coin_state over a wallet link; 404 `COIN_NOT_FOUND` when the peer knows no such coin.' + READ_NOTE,
      params: CoinIdParams,
      querystring: IntsQuery,
      response: { ...jsonOk(ref(CoinRecordResponse), 'The coin record'), ...ERRORS },
    },
    handler: (request, reply) =>
      sendJson(request, reply, (mode) => coinRecordText(app, coinIdParam(request.params.coin_id), mode, request)),
  });

  app.post('/coins/query', {
    bodyLimit: MAX_QUERY_BODY_BYTES,
    schema: {
      operationId: 'queryCoinRecords',
      tags: ['coins'],
      summary: 'Coin records by coin ids, puzzle hashes, addresses and hints',
      description:
        `Up to ${MAX_QUERY_KEYS} keys (coin_ids, puzzle_hashes and hints together). Filters as the node's: include_spent, include_unspent, ` +
        'include_hinted, min_amount, and start_height ≤ confirmed height < end_height. Coin ids are read on the first page (request_coin_state); ' +
        'puzzle hashes and hints are walked with request_puzzle_state, one node page per call: pass `next_cursor` back as `cursor` until it is null. ' +
        'A page may be empty while the walk goes on. A cursor whose block left the chain (a reorg) answers 409 `CURSOR_REORGED`.' +
        READ_NOTE,
      querystring: IntsQuery,
      body: ref(CoinQuery),
      response: { ...jsonOk(ref(CoinQueryResponse), 'One page of coin records'), ...problemResponses(409), ...ERRORS },
    },
    handler: (request, reply) => sendJson(request, reply, (mode) => queryText(app, request.body, mode, request)),
  });

  app.get('/coins/:coin_id/children', {
    schema: {
      operationId: 'getCoinChildren',
      tags: ['coins'],
      summary: 'The coins a coin\'s spend created',
      description: 'Via request_children; empty while the coin is unspent (or unknown).' + READ_NOTE,
      params: CoinIdParams,
      querystring: IntsQuery,
      response: { ...jsonOk(ref(CoinChildrenResponse), 'The children'), ...ERRORS },
    },
    handler: (request, reply) =>
      sendJson(request, reply, (mode) => childrenText(app, coinIdParam(request.params.coin_id), mode, request)),
  });

  app.get('/coins/:coin_id/spend', {
    schema: {
      operationId: 'getCoinSpend',
      tags: ['coins'],
      summary: 'The puzzle reveal and solution of a spent coin',
      description:
        'Via request_coin_state (for the spent height) and request_puzzle_solution, rendered as the node RPC\'s get_puzzle_and_solution. ' +
        '404 `COIN_NOT_FOUND` for an unknown coin, `COIN_NOT_SPENT` for an unspent one.',
      params: CoinIdParams,
      querystring: IntsQuery,
      response: { ...jsonOk(ref(CoinSpendResponse), 'The spend'), ...ERRORS },
    },
    handler: (request, reply) =>
      sendJson(request, reply, (mode) => spendText(app, coinIdParam(request.params.coin_id), mode, request)),
  });
}
