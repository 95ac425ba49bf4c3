/**
 * HTTP guards in front of every route: CORS for the configured origins (none by default), and an
 * opt-in per-client-IP rate limit answering 429 problem+json with `RateLimit-*` and `Retry-After`.
 * The client IP is request.ip: the connecting address, or the X-Forwarded-For client when the proxy
 * is trusted (config.trustProxy, given to Fastify in buildApp).
 * Must be registered before the routes: the rate limiter attaches itself to routes as they are added.
 * Each plugin is registered only when enabled, so a disabled guard adds no hook and costs nothing.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import { ApiError } from '../errors.js';
import { HEADER_HASH_HEADERS } from '../rest/block-reply.js';

const RATE_WINDOW_MS = 60_000;
/**
 * Headers a browser script may read on a cross-origin response: beyond the CORS-safelisted ones,
 * the rate-limit state, the request id, and the validators of chain resources (the header hash lets
 * a script detect a reorg without parsing the body).
 */
const EXPOSED_HEADERS = [
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'retry-after',
  'x-request-id',
  'etag',
  ...HEADER_HASH_HEADERS,
];

async function httpGuards(app: FastifyInstance): Promise<void> {
  const { corsOrigins, rateLimitPerMinute } = app.config;

  if (corsOrigins.length > 0) {
    await app.register(cors, {
      origin: corsOrigins.includes('*') ? '*' : corsOrigins,
      methods: ['GET', 'HEAD', 'OPTIONS'],
      exposedHeaders: EXPOSED_HEADERS,
    });
  }

  if (rateLimitPerMinute !== null) {
    await app.register(rateLimit, {
      max: rateLimitPerMinute,
      timeWindow: RATE_WINDOW_MS,
      // RateLimit-Limit / -Remaining / -Reset (IETF draft names) instead of X-RateLimit-*.
      enableDraftSpec: true,
      errorResponseBuilder: (_request, context) =>
        new ApiError('RATE_LIMITED', {
          detail: `more than ${context.max} requests per minute from this client; retry in ${context.after}`,
        }),
    });
  }
}

export default fp(httpGuards, { name: 'http-guards', fastify: '5.x', decorators: { fastify: ['config'] } });
