/**
 * Builds the gateway as a Fastify instance. It never listens: src/process/serve.ts runs it in the
 * process, tests call buildApp and use inject or listen on port 0. Tests and production run the same app.
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { GatewayConfig } from './config/config.js';
import type { Upstream } from './chia/index.js';
import { createMetrics } from './metrics/metrics.js';
import { edgeServerOptions, limitConnections } from './http/http-edge.js';
import listenerEdgePlugin from './plugins/listener-edge.js';
import { addMethodRoutes } from './plugins/http-methods.js';
import adminListenerPlugin from './plugins/admin-listener.js';
import openapiPlugin from './plugins/openapi.js';
import blockCachePlugin from './plugins/block-cache.js';
import peakRoutes from '../routes/v1/peak.js';
import blockRoutes from '../routes/v1/blocks.js';
import headerRoutes from '../routes/v1/headers.js';
import coinRoutes from '../routes/v1/coins.js';
import statusRoutes from '../routes/v1/status.js';
import observabilityPlugin from './plugins/observability.js';
import httpLatencyPlugin from './plugins/http-latency.js';
import peakHubPlugin from './plugins/peak-hub.js';
import upstreamPlugin from './plugins/upstream.js';
import liveWebSocketPlugin from './plugins/live-websocket.js';
import eventsRoutes from '../routes/v1/events.js';
import demoRoutes from '../routes/demo.js';

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
    // Request ids, deadlines, size limits and problem+json for errors raised before routing.
    ...edgeServerOptions(config, 'public'),
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('config', config);
  app.decorate('metrics', createMetrics());
  limitConnections(app.server, config.maxConnections, () => app.metrics.httpConnectionsDropped.inc({ listener: 'public' }));

  try {
    await registerPlugins(app, options);
  } catch (err) {
    // A plugin that failed after the upstream plugin started its links would leave them reconnecting
    // and the process alive: close what loaded (their onClose hooks) before reporting the failure.
    await app.close().catch(() => undefined);
    throw err;
  }
  return app;
}

/** Plugins in dependency order: external (observability, CORS, rate limit) → app resources (upstream, cache, peak hub) → routes. */
async function registerPlugins(app: GatewayApp, options: BuildOptions): Promise<void> {
  // With an admin listener, /v1/status and /metrics are served there instead (src/plugins/admin-listener.ts).
  const adminRoutesHere = app.config.adminPort === null;
  // First: its onRoute hook gives every route added after it (in any scope) a latency hook.
  await app.register(httpLatencyPlugin);
  await app.register(listenerEdgePlugin, { listener: 'public' });
  await app.register(openapiPlugin);
  await app.register(observabilityPlugin, { metrics: adminRoutesHere });
  await app.register(upstreamPlugin, { upstream: options.upstream });
  await app.register(blockCachePlugin);
  await app.register(peakHubPlugin);
  // /v1/ws, with @fastify/websocket confined to its scope (no per-request cost on other routes).
  await app.register(liveWebSocketPlugin);
  await app.register(eventsRoutes, { prefix: '/v1' });
  await app.register(demoRoutes);
  await app.register(peakRoutes, { prefix: '/v1' });
  await app.register(blockRoutes, { prefix: '/v1' });
  await app.register(headerRoutes, { prefix: '/v1' });
  await app.register(coinRoutes, { prefix: '/v1' });
  if (adminRoutesHere) await app.register(statusRoutes, { prefix: '/v1' });
  await app.register(adminListenerPlugin);
  // Last: OPTIONS and 405 routes for every path registered above.
  addMethodRoutes(app);
}
