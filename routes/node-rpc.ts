/**
 * The node-RPC-compatible face (src/rpc/): POST /<method> and POST /rpc/<method> with the full node
 * RPC's bodies and envelopes, so an existing node-RPC client works with only the gateway's URL.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { answerRpc } from '../src/rpc/answer.js';
import { RPC_METHODS, UNSUPPORTED_METHODS } from '../src/rpc/methods.js';

/** Largest request body: a push_tx spend bundle as JSON (twice its bytes in hex), with room. */
export const MAX_RPC_BODY_BYTES = 5 * 1024 * 1024;
const PREFIXES = ['', '/rpc'];

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
  // Any body: answerRpc reads it as JSON, as the node does.
  const schema = { hide: true, body: {} };
  const names = [...RPC_METHODS, ...UNSUPPORTED_METHODS].map((method) => method.name);
  for (const prefix of PREFIXES) {
    for (const name of names) {
      app.post<{ Body: string | undefined }>(`${prefix}/${name}`, {
        schema,
        bodyLimit: MAX_RPC_BODY_BYTES,
        handler: (request, reply) => answer(name, request, reply),
      });
    }
    // Names the gateway does not know: POST answers in the node's envelope; other methods stay 404.
    app.post<{ Params: { method: string }; Body: string | undefined }>(`${prefix}/:method`, {
      schema,
      bodyLimit: MAX_RPC_BODY_BYTES,
      config: { unlisted: true },
      handler: (request, reply) => answer(request.params.method, request, reply),
    });
  }
}
