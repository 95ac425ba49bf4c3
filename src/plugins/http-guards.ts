/**
 * HTTP guards in front of every request of a listener, unknown routes included: the edge headers
 * (request id, nosniff, and on the public listener CORS: any origin by default, src/http/cors.ts), a
 * problem+json SHUTTING_DOWN for requests that arrive on open connections during shutdown, and on the
 * public listener an opt-in per-client-IP rate limit answering 429 problem+json with `RateLimit-*`
 * and `Retry-After`. Only /healthz and /readyz are exempt (probes); the admin listener has no limit.
 * The client IP is request.ip: the connecting address, or the X-Forwarded-For client when the proxy
 * is trusted (config.trustProxy, given to Fastify in src/http/http-edge.ts).
 * Must be registered before the routes: the rate limiter attaches itself to routes as they are added.
 * A disabled guard adds no hook and costs nothing.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { ApiError } from '../http/errors.js';
import { corsPolicy, varyWithOrigin } from '../http/cors.js';
import { edgeHeaders, type Listener } from '../http/edge-headers.js';
import { sendProblem } from '../http/problem.js';

const RATE_WINDOW_MS = 60_000;
/** Seconds a client should wait before retrying on another connection (the gateway is going away). */
const SHUTDOWN_RETRY_AFTER_SECONDS = '1';

export interface HttpGuardsOptions {
  listener: Listener;
}

async function httpGuards(app: FastifyInstance, options: HttpGuardsOptions): Promise<void> {
  const { corsOrigins, rateLimitPerMinute } = app.config;
  const setEdgeHeaders = edgeHeaders(app.config, options.listener);

  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  // Callback style: no promise per request.
  app.addHook('onRequest', (request, reply, done) => {
    setEdgeHeaders(request, reply);
    if (!closing) {
      done();
      return;
    }
    // Fastify has already asked for `Connection: close`: the client retries on a new connection.
    void sendProblem(reply, new ApiError('SHUTTING_DOWN', {}, { headers: { 'retry-after': SHUTDOWN_RETRY_AFTER_SECONDS } }));
  });

  if (options.listener === 'admin') return;

  if (!corsPolicy(corsOrigins).anyOrigin) {
    // The answer depends on Origin: a route's own Vary (e.g. Accept) must keep it.
    app.addHook('onSend', (_request, reply, payload, done) => {
      reply.header('vary', varyWithOrigin(reply.getHeader('vary')?.toString()));
      done(null, payload);
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
    // Routes get the limiter as they are added; requests that match none (404) get it here.
    const limitUnmatched = app.rateLimit();
    app.addHook('onRequest', async (request, reply) => {
      if (request.is404) await limitUnmatched.call(app, request, reply);
    });
  }
}

export default fp(httpGuards, { name: 'http-guards', fastify: '5.x', decorators: { fastify: ['config'] } });
