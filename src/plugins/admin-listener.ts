/**
 * The optional admin listener (CHIA_GATEWAY_ADMIN_PORT, on CHIA_GATEWAY_ADMIN_HOST, loopback by
 * default): /v1/status (peer addresses, ids, error texts) and /metrics (a scrape costs milliseconds of
 * CPU) move there from the public port, which keeps /healthz and /readyz for orchestrators; the admin
 * port serves those two as well (its routes: routes/index.ts). It is a second Fastify app,
 * `app.adminApp`, with the same edge (request ids, deadlines, problem+json, 404/405) but no CORS and
 * no rate limit, sharing the main app's config, metrics, upstream and block cache. It is readied and
 * closed with the main app, and listens through listenAdmin right after the main app (src/process/serve.ts):
 * the two start, fail and shut down together.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { edgeServerOptions, limitConnections } from '../http/http-edge.js';
import { SHARED_SCHEMAS } from '../../schemas/index.js';
import listenerEdge from './listener-edge.js';
import upstreamMetricsPlugin from './upstream-metrics.js';

/** Connections the admin port holds at once: a few scrapers and operators, never the public. */
const ADMIN_MAX_CONNECTIONS = 64;

declare module 'fastify' {
  interface FastifyInstance {
    /** The admin listener's app, or null when CHIA_GATEWAY_ADMIN_PORT is unset. */
    adminApp: FastifyInstance | null;
  }
}

async function adminListener(app: FastifyInstance): Promise<void> {
  const { config } = app;
  if (config.adminPort === null) {
    app.decorate('adminApp', null);
    return;
  }
  const admin: FastifyInstance = Fastify({ ...edgeServerOptions(config, 'admin'), loggerInstance: app.log.child({ listener: 'admin' }) });
  admin.decorate('config', config);
  admin.decorate('metrics', app.metrics);
  admin.decorate('upstream', app.upstream);
  admin.decorate('blockCache', app.blockCache);
  // The routes' schemas refer to the shared components (Problem, StatusResponse…).
  for (const schema of SHARED_SCHEMAS) admin.addSchema(schema);
  limitConnections(admin.server, ADMIN_MAX_CONNECTIONS, () => app.metrics.httpConnectionsDropped.inc({ listener: 'admin' }));
  await admin.register(listenerEdge, { listener: 'admin' });
  // The admin listener serves /metrics.
  await admin.register(upstreamMetricsPlugin);
  app.decorate('adminApp', admin);
  // A plugin error of the admin app fails the main app's start-up too.
  app.addHook('onReady', async () => {
    await admin.ready();
  });
  // After the main port has drained: /metrics stays readable while the gateway shuts down.
  app.addHook('onClose', async () => {
    await admin.close();
  });
}

/** Starts the admin listener, when configured; call it once the main app listens. */
export async function listenAdmin(app: FastifyInstance): Promise<void> {
  const { adminPort, adminHost } = app.config;
  if (app.adminApp === null || adminPort === null) return;
  await app.adminApp.listen({ host: adminHost, port: adminPort });
}

export default fp(adminListener, {
  name: 'admin-listener',
  fastify: '5.x',
  decorators: { fastify: ['config', 'metrics'] },
  dependencies: ['upstream', 'block-cache'],
});
