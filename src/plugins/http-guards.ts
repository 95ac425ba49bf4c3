/**
 * HTTP guards in front of every route: CORS for the configured origins (none by default), and an
 * opt-in per-client-IP rate limit answering 429 problem+json with `RateLimit-*` and `Retry-After`.
 * Must be registered before the routes: the rate limiter attaches itself to routes as they are added.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import { ApiError } from '../errors.js';

const RATE_WINDOW_MS = 60_000;
/** Headers a browser script may read on a cross-origin response. */
const EXPOSED_HEADERS = ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'retry-after', 'x-request-id', 'etag'];

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
