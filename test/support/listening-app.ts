/** The real app over an in-memory upstream (mainnet blocks 0–63), listening on a free loopback port. */
import { buildApp, type GatewayApp } from '../../src/app.js';
import { configWith, type GatewayConfig } from '../../src/config/config.js';
import { MemoryUpstream } from '../../fake-node/in-memory/memory-upstream.js';

export async function listeningApp(overrides: Partial<GatewayConfig> = {}, addRoutes?: (app: GatewayApp) => void): Promise<GatewayApp> {
  const app = await buildApp({ config: configWith({ logLevel: 'silent', ...overrides }), upstream: new MemoryUpstream(), logger: false });
  addRoutes?.(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return app;
}
