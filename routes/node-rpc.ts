/**
 * The node-RPC-compatible face (src/rpc/): POST /<method> and POST /rpc/<method> with the full node
 * RPC's bodies and envelopes, so an existing node-RPC client works with only the gateway's URL.
 * The OpenAPI document describes each answered method once, at its root path (tag node-rpc).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ref } from '../schemas/common.js';
import { RpcFailure } from '../schemas/node-rpc.js';
import { answerRpc } from '../src/rpc/answer.js';
import { RPC_METHODS, UNSUPPORTED_METHODS } from '../src/rpc/methods.js';
import type { RpcMethod } from '../src/rpc/rpc-method.js';

/** Largest request body: a push_tx spend bundle as JSON (twice its bytes in hex), with room. */
export const MAX_RPC_BODY_BYTES = 5 * 1024 * 1024;
const PREFIXES = ['', '/rpc'];
const FAILURE = { 'application/json': { schema: ref(RpcFailure) } };

/** The OpenAPI operation of a method: its body, its answer or the node's failure, and the gateway's own conditions. */
function documented(method: RpcMethod): FastifySchema {
  const differences = method.differences === '' ? '' : `\n\nDifferences from a node: ${method.differences}`;
  return {
    operationId: method.name,
    tags: ['node-rpc'],
    summary: `The full node RPC's ${method.name}`,
    description: `Answered from: ${method.answeredBy}${differences}\n\nAlso at POST /rpc/${method.name}.`,
    body: method.params,
    response: {
      200: {
        description: 'The answer (`success: true`), or the node\'s failure (`success: false`, HTTP 200 as the node answers)',
        content: { 'application/json': { schema: Type.Union([ref(method.answer), ref(RpcFailure)]) } },
      },
      429: { description: 'Too many requests from this client (`code`, see Retry-After)', content: FAILURE },
      502: { description: 'A peer sent an invalid reply, or the link failed mid-request (`code`)', content: FAILURE },
      503: { description: 'No ready link of the needed role, no peak yet, or the links are busy (`code`, see Retry-After)', content: FAILURE },
      504: { description: 'No peer answered before the deadline (`code`)', content: FAILURE },
    },
  };
}

export default async function nodeRpcRoutes(app: FastifyInstance): Promise<void> {
  // The node reads every body as JSON whatever its content type (curl -d sends a form type).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: MAX_RPC_BODY_BYTES }, (_request, body, done) => {
    done(null, body);
  });
  const answer = async (name: string, request: FastifyRequest<{ Body: string | undefined }>, reply: FastifyReply) => {
    const answer = await answerRpc(app, name, request.body, request);
    return reply.code(answer.status).headers(answer.headers).header('cache-control', 'no-store').type('application/json').send(answer.text);
  };
  // Any body: answerRpc reads it as JSON, as the node does; the schemas only describe it.
  const hidden = { hide: true, body: {} };
  const unchecked = { validatorCompiler: () => () => true };
  const routes: [string, FastifySchema][] = [
    ...RPC_METHODS.map((method): [string, FastifySchema] => [method.name, documented(method)]),
    ...UNSUPPORTED_METHODS.map((method): [string, FastifySchema] => [method.name, hidden]),
  ];
  for (const prefix of PREFIXES) {
    for (const [name, schema] of routes) {
      app.post<{ Body: string | undefined }>(`${prefix}/${name}`, {
        schema: prefix === '' ? schema : { ...schema, hide: true },
        ...unchecked,
        bodyLimit: MAX_RPC_BODY_BYTES,
        handler: (request, reply) => answer(name, request, reply),
      });
    }
    // Names the gateway does not know: POST answers in the node's envelope; other methods stay 404.
    app.post<{ Params: { method: string }; Body: string | undefined }>(`${prefix}/:method`, {
      schema: hidden,
      ...unchecked,
      bodyLimit: MAX_RPC_BODY_BYTES,
      config: { unlisted: true },
      handler: (request, reply) => answer(request.params.method, request, reply),
    });
  }
}
