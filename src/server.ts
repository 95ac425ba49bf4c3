/**
 * Owns the process: builds the app from a parsed config, listens, and shuts down gracefully on
 * SIGTERM/SIGINT (stop accepting, drain in-flight requests, close WebSocket/SSE clients and upstream
 * links through the plugins' close hooks, exit 0) within config.shutdownTimeoutMs.
 * Run directly (`tsx src/server.ts`) it behaves like the CLI (src/cli.ts).
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import closeWithGrace from 'close-with-grace';
import { buildApp, type BuildOptions, type GatewayApp } from './app.js';
import type { GatewayConfig } from './config.js';
import { loggerOptions } from './logger.js';
import { formatPeer } from './peer-address.js';
import { listenAdmin } from './plugins/admin-listener.js';

/**
 * Share of the shutdown bound spent draining connections; after it, whatever is still open (slow
 * downloads, streams a plugin did not end) is cut so links and logs can still close in time.
 */
const DRAIN_SHARE = 0.7;

/** What startServer takes besides the config: build options, and what to close after the app. */
export interface StartOptions extends Omit<BuildOptions, 'config'> {
  /** Resources the app does not own (e.g. the demo's fake node), closed after the app on shutdown. */
  afterClose?: () => Promise<void>;
}

/** Builds the app, installs the signal handlers, and listens on config.host:config.port. */
export async function startServer(config: GatewayConfig, options: StartOptions = {}): Promise<GatewayApp> {
  const { afterClose, ...buildOptions } = options;
  const app = await buildApp({ config, logger: loggerOptions(config), ...buildOptions });
  // Handlers go in before the port opens: a SIGTERM that arrives as soon as the server is listening
  // must still shut down gracefully instead of killing the process.
  closeOnSignals(app, afterClose);
  try {
    await app.listen({ host: config.host, port: config.port });
    // The admin listener (CHIA_GATEWAY_ADMIN_PORT), if any: a failure fails the start like the main port's.
    await listenAdmin(app);
  } catch (err) {
    // e.g. EADDRINUSE: close what buildApp opened (upstream links) so the process can exit.
    await app.close();
    await afterClose?.();
    throw err;
  }
  app.log.info(
    { network: config.network, roles: config.roles, peers: config.peers.length > 0 ? config.peers.map(formatPeer) : 'dns-seeders' },
    'chia-peer-gateway ready to serve',
  );
  return app;
}

/**
 * Closes the app on SIGTERM/SIGINT or a fatal error, then `afterClose` (resources the app does not
 * own, e.g. the demo's fake node), then exits: 0 on a clean signal shutdown.
 */
export function closeOnSignals(app: GatewayApp, afterClose?: () => Promise<void>): void {
  const { shutdownTimeoutMs } = app.config;
  closeWithGrace(
    {
      delay: shutdownTimeoutMs,
      logger: { error: (message: unknown) => app.log.error(message) },
      onTimeout: (delay: number) => app.log.error({ delay_ms: delay }, 'shutdown exceeded its bound; exiting with 1'),
    },
    async ({ signal, err }) => {
      if (err) app.log.fatal({ err }, 'fatal error; shutting down');
      else app.log.info({ signal }, 'shutting down');
      const cut = setTimeout(() => {
        app.log.warn('drain time spent; closing the remaining connections');
        app.server.closeAllConnections();
      }, shutdownTimeoutMs * DRAIN_SHARE);
      try {
        await app.close();
      } finally {
        clearTimeout(cut);
      }
      await afterClose?.();
      app.log.info('shut down');
    },
  );
}

/** Whether the module with this import.meta.url is the script node was started with. */
export function isEntryPoint(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === moduleUrl;
  } catch {
    return false;
  }
}

if (isEntryPoint(import.meta.url)) {
  // cli.ts imports this module: import it lazily and without a top-level await, so this module
  // finishes evaluating first (awaiting here would deadlock the import cycle).
  void import('./cli.js').then(async ({ main }) => {
    process.exitCode = await main(process.argv.slice(2), process.env);
  });
}
