/** Transactions and fees over wallet links: POST /v1/transactions, GET /v1/fees (src/coins/). */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { FeesQuery, FeesResponse, TransactionRequest, TransactionResponse } from '../../schemas/coin-records.js';
import { ref } from '../../schemas/common.js';
import { problemResponses } from '../responses.js';
import { jsonOk, sendJson } from './coin-records.js';
import { MAX_TRANSACTION_BODY_BYTES, pushTransaction } from '../../src/coins/transactions.js';
import { feesText } from '../../src/coins/fee-estimates.js';
import { BYTES_TYPE } from '../../src/http/representation.js';
import { MAX_FEE_ESTIMATE_TARGETS } from '../../src/chia/index.js';

const ERRORS = problemResponses(400, 406, 429, 502, 503, 504);

export default async function transactionRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addContentTypeParser(BYTES_TYPE, { parseAs: 'buffer', bodyLimit: MAX_TRANSACTION_BODY_BYTES }, (_request, body, done) => {
    done(null, body);
  });

  app.post('/transactions', {
    bodyLimit: MAX_TRANSACTION_BODY_BYTES,
    schema: {
      operationId: 'pushTransaction',
      tags: ['transactions'],
      summary: 'Send a spend bundle to several nodes',
      description:
        'Takes `{"spend_bundle": …}` as the node RPC push_tx does, or the SpendBundle\'s streamable bytes as application/octet-stream, ' +
        'and sends it with send_transaction over every ready wallet link (different nodes) at once. 200 with the txid and each peer\'s ' +
        'transaction_ack when any peer answered SUCCESS or PENDING. When every peer FAILED it: 503 `TRANSACTION_NOT_TAKEN_NOW` with ' +
        'Retry-After when each node only could not take it now (syncing, mempool or queue full: send it again later), else 400 ' +
        '`TRANSACTION_REJECTED` naming each node\'s error. Sending the same bundle again is harmless (a node answers SUCCESS for a bundle in its mempool).',
      body: {
        content: {
          'application/json': { schema: ref(TransactionRequest) },
          // No type: the parsed body is a Buffer, which a JSON Schema string would refuse.
          [BYTES_TYPE]: { schema: { description: 'SpendBundle streamable bytes' } },
        },
      },
      response: { ...jsonOk(ref(TransactionResponse), 'At least one peer accepted the transaction'), ...ERRORS },
    },
    handler: (request, reply) => sendJson(request, reply, () => pushTransaction(app, request.body, request)),
  });

  app.get('/fees', {
    schema: {
      operationId: 'getFeeEstimates',
      tags: ['transactions'],
      summary: 'Fee-rate estimates for inclusion within given times',
      description:
        `request_fee_estimates for up to ${MAX_FEE_ESTIMATE_TARGETS} targets given in seconds from now (the node takes unix times; ` +
        'the gateway adds `current_time`). Rates are mojo per CLVM cost.',
      querystring: FeesQuery,
      response: { ...jsonOk(ref(FeesResponse), 'The estimates'), ...ERRORS },
    },
    handler: (request, reply) => sendJson(request, reply, (mode) => feesText(app, request.query.target_times, mode, request)),
  });
}
