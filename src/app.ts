/**
 * Builds the gateway as a Fastify instance. It never listens: src/server.ts owns the process, tests
 * call buildApp and use inject or listen on port 0. Tests and production run the same app.
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { GatewayConfig } from './config.js';
import type { Upstream } from './chia/upstream-api.js';
import { createMetrics } from './metrics.js';

export interface BuildOptions {
  config: GatewayConfig;
  /** An upstream to use instead of creating one from the config (tests, the demo). */
  upstream?: Upstream;
  /** Fastify logger option; defaults to a pino logger at config.logLevel. */
  logger?: FastifyServerOptions['logger'];
}

declare module 'fastify' {
  interface FastifyInstance {
    config: GatewayConfig;
  }
}

export type GatewayApp = FastifyInstance;

export async function buildApp(options: BuildOptions): Promise<GatewayApp> {
  const { config } = options;
  const app = Fastify({
    logger: options.logger ?? { level: config.logLevel },
    // Request ids appear in every log line of a request and in problem+json bodies.
    requestIdHeader: 'x-request-id',
    genReqId: () => crypto.randomUUID(),
    // Keep-alive sockets must not hold a graceful shutdown open.
    forceCloseConnections: 'idle',
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('config', config);
  app.decorate('metrics', createMetrics());

  // Plugins in dependency order: external (observability, CORS, rate limit) → app resources
  // (upstream, cache, peak hub) → routes.

  return app;
}
