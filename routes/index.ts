/**
 * The route table: every route of both listeners, registered in this order (the order of the paths in
 * openapi.yaml). Plugins (src/plugins/) provide the resources and hooks the routes use and add none.
 * With an admin listener (CHIA_GATEWAY_ADMIN_PORT), /v1/status and /metrics are served there instead
 * of on the public port.
 */
import type { FastifyInstance } from 'fastify';
import docsRoutes from './docs.js';
import opsRoutes from './ops.js';
import demoRoutes from './demo.js';
import { methodRoutes } from './methods.js';
import wsRoutes from './v1/ws.js';
import eventsRoutes from './v1/events.js';
import peakRoutes from './v1/peak.js';
import blockRoutes from './v1/blocks.js';
import headerRoutes from './v1/headers.js';
import coinRoutes from './v1/coins.js';
import coinRecordRoutes from './v1/coin-records.js';
import transactionRoutes from './v1/transactions.js';
import statusRoutes from './v1/status.js';
import nodeRpcRoutes from './node-rpc.js';

const V1 = { prefix: '/v1' };

/** The public listener's routes; `adminListener`: /v1/status and /metrics are the admin listener's. */
export async function publicRoutes(app: FastifyInstance, options: { adminListener: boolean }): Promise<void> {
  await app.register(docsRoutes);
  await app.register(opsRoutes, { metrics: !options.adminListener });
  await app.register(wsRoutes, V1);
  await app.register(eventsRoutes, V1);
  await app.register(demoRoutes);
  await app.register(peakRoutes, V1);
  await app.register(blockRoutes, V1);
  await app.register(headerRoutes, V1);
  await app.register(coinRoutes, V1);
  await app.register(coinRecordRoutes, V1);
  await app.register(transactionRoutes, V1);
  if (!options.adminListener) await app.register(statusRoutes, V1);
  await app.register(nodeRpcRoutes);
  // Last: OPTIONS and 405 routes for every path registered above.
  methodRoutes(app);
}

/** The admin listener's routes. */
export async function adminRoutes(admin: FastifyInstance): Promise<void> {
  await admin.register(opsRoutes, { metrics: true });
  await admin.register(statusRoutes, V1);
  methodRoutes(admin);
}
