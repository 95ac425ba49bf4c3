/**
 * Builds the gateway as a Fastify instance. It never listens: src/process/serve.ts runs it in the
 * process, tests call buildApp and use inject or listen on port 0. Tests and production run the same app.
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { GatewayConfig } from './config/config.js';
import type { Upstream } from './chia/index.js';
import type { CoinUpstream } from './live/coin-feed.js';
import { createMetrics } from './metrics/metrics.js';
import { edgeServerOptions, limitConnections } from './http/http-edge.js';
import listenerEdgePlugin from './plugins/listener-edge.js';
import adminListenerPlugin from './plugins/admin-listener.js';
import openapiPlugin from './plugins/openapi.js';
import blockCachePlugin from './plugins/block-cache.js';
import upstreamMetricsPlugin from './plugins/upstream-metrics.js';
import httpLatencyPlugin from './plugins/http-latency.js';
import peakHubPlugin from './plugins/peak-hub.js';
import upstreamPlugin from './plugins/upstream.js';
import liveWebSocketPlugin from './plugins/live-websocket.js';
import { adminRoutes, publicRoutes } from '../routes/index.js';

export interface BuildOptions {
  config: GatewayConfig;
  /** An upstream to use instead of creating one from the config (tests, the demo). */
  upstream?: Upstream;
  /** The coin feed (and wallet reads) live coin events are served from; by default the upstream's coin watch. */
  coins?: CoinUpstream;
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
    await registerAll(app, options);
  } catch (err) {
    // A plugin that failed after the upstream plugin started its links would leave them reconnecting
    // and the process alive: close what loaded (their onClose hooks) before reporting the failure.
    await app.close().catch(() => undefined);
    throw err;
  }
  return app;
}

/**
 * Plugins in dependency order: latency metrics and the edge (errors, CORS, rate limit, methods) →
 * app resources (upstream, cache, peak hub, WebSocket server) → the routes of both listeners.
 */
async function registerAll(app: GatewayApp, options: BuildOptions): Promise<void> {
  // With an admin listener, /v1/status and /metrics are served there instead (src/plugins/admin-listener.ts).
  const adminListener = app.config.adminPort !== null;
  // First: its onRoute hook gives every route added after it (in any scope) a latency hook.
  await app.register(httpLatencyPlugin);
  await app.register(listenerEdgePlugin, { listener: 'public' });
  await app.register(openapiPlugin);
  // /metrics is served here unless the admin listener serves it.
  if (!adminListener) await app.register(upstreamMetricsPlugin);
  await app.register(upstreamPlugin, { upstream: options.upstream });
  await app.register(blockCachePlugin);
  await app.register(peakHubPlugin, options.coins === undefined ? {} : { coins: options.coins });
  await app.register(liveWebSocketPlugin);
  await app.register(adminListenerPlugin);
  await publicRoutes(app, { adminListener });
  if (app.adminApp !== null) await adminRoutes(app.adminApp);
}
