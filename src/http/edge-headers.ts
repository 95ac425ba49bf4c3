/**
 * The headers every response of a listener carries, successes and errors alike: the request id, a
 * `nosniff` so no browser guesses a type the gateway did not send, and on the public listener CORS.
 * Set from one function by the listener's onRequest hook (src/plugins/http-guards.ts) and by the
 * handler of errors found before routing (src/http/http-edge.ts), which no hook sees.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayConfig } from '../config/config.js';
import { corsHeaders, corsPolicy } from './cors.js';
import { REQUEST_ID_HEADER } from './request-ids.js';

/** Which listener a Fastify app serves: the public one (clients, CORS, rate limit) or the admin one. */
export type Listener = 'public' | 'admin';

export type SetEdgeHeaders = (request: FastifyRequest, reply: FastifyReply) => void;

const NOSNIFF: Readonly<Record<string, string>> = Object.freeze({ 'x-content-type-options': 'nosniff' });

/** The function setting the edge headers of `listener` on a reply. */
export function edgeHeaders(config: GatewayConfig, listener: Listener): SetEdgeHeaders {
  if (listener === 'admin') {
    return (request, reply) => {
      reply.headers(NOSNIFF).header(REQUEST_ID_HEADER, request.id);
    };
  }
  const policy = corsPolicy(config.corsOrigins);
  // With any origin allowed the headers are the same for every request: one object, merged once.
  const fixed = policy.anyOrigin ? Object.freeze({ ...NOSNIFF, ...corsHeaders(policy, undefined) }) : undefined;
  return (request, reply) => {
    reply.headers(fixed ?? { ...NOSNIFF, ...corsHeaders(policy, request.headers.origin) }).header(REQUEST_ID_HEADER, request.id);
  };
}
