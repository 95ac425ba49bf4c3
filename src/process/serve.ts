/**
 * Runs the app in the process (src/server.ts loads this once start-up signals are caught): builds it
 * from a parsed config, listens, and shuts down gracefully on SIGTERM/SIGINT (stop accepting, drain
 * in-flight requests, close WebSocket/SSE clients and upstream links through the plugins' close hooks,
 * exit 0) within config.shutdownTimeoutMs.
 */
import closeWithGrace from 'close-with-grace';
import { buildApp, type BuildOptions, type GatewayApp } from '../app.js';
import type { GatewayConfig } from '../config/config.js';
import { usageOf } from '../config/options.js';
import { ListenError, type ListenTarget } from './listen-error.js';
import { loggerOptions } from '../http/logger.js';
import { formatPeer } from '../chia/index.js';
import { catchStartupSignals, type StartupSignals } from './startup-signals.js';
import { listenAdmin } from '../plugins/admin-listener.js';

/**
 * Share of the shutdown bound spent draining connections; after it, whatever is still open (slow
 * downloads, streams a plugin did not end) is cut so links and logs can still close in time.
 */
const DRAIN_SHARE = 0.7;

/** What startServer takes besides the config: build options, and what to close after the app. */
export interface StartOptions extends Omit<BuildOptions, 'config'> {
  /** Resources the app does not own (e.g. the demo's fake node), closed after the app on shutdown. */
  afterClose?: () => Promise<void>;
  /** Signals caught since the process started (src/server.ts installs this first); else caught from here on. */
  startup?: StartupSignals;
}

/**
 * Builds the app, installs the signal handlers, and listens on config.host:config.port. A signal
 * caught while building (certificates, links) shuts the built app down instead of listening.
 * Throws ListenError when the port (or the admin port) cannot be opened.
 */
export async function startServer(config: GatewayConfig, options: StartOptions = {}): Promise<GatewayApp> {
  const { afterClose, startup = catchStartupSignals(), ...buildOptions } = options;
  startup.bound(config.shutdownTimeoutMs);
  let app: GatewayApp;
  let shutdown: Shutdown;
  try {
    app = await buildApp({ config, logger: loggerOptions(config), ...buildOptions });
    // The graceful shutdown takes the signals over with no gap in between.
    shutdown = closeOnSignals(app, afterClose);
  } finally {
    startup.release();
  }
  if (startup.received !== null) {
    app.log.info({ signal: startup.received }, 'signal received while starting');
    shutdown.close();
    return app;
  }
  let target: ListenTarget = { host: config.host, port: config.port, hostOption: usageOf('host'), portOption: usageOf('port') };
  try {
    await app.listen({ host: config.host, port: config.port });
    // The admin listener (CHIA_GATEWAY_ADMIN_PORT), if any: a failure fails the start like the main port's.
    if (config.adminPort !== null) {
      target = { host: config.adminHost, port: config.adminPort, hostOption: usageOf('adminHost'), portOption: usageOf('adminPort') };
      await listenAdmin(app);
    }
  } catch (err) {
    // A signal's shutdown closing the app meanwhile ends the process itself.
    if (shutdown.closing) return app;
    // Its exit handler would exit 0; the caller reports the failure and exits 1.
    shutdown.uninstall();
    // Close what buildApp opened (upstream links) so the process can exit.
    await app.close();
    await afterClose?.();
    throw new ListenError(target, err);
  }
  app.log.info(
    { network: config.network, roles: config.roles, peers: config.peers.length > 0 ? config.peers.map(formatPeer) : 'dns-seeders' },
    // Listening is not serving: blocks need a ready link per role, which the upstream logs and /readyz reports.
    'chia-peer-gateway listening; upstream links connecting (GET /readyz says when data can be served)',
  );
  return app;
}

/** The installed shutdown: start it by hand, or remove its handlers (the process then exits on its own). */
export interface Shutdown {
  close(): void;
  uninstall(): void;
  /** Whether the shutdown has started. */
  readonly closing: boolean;
}

/**
 * Closes the app on SIGTERM/SIGINT or a fatal error, then `afterClose` (resources the app does not
 * own, e.g. the demo's fake node), then exits: 0 on a clean signal shutdown.
 */
export function closeOnSignals(app: GatewayApp, afterClose?: () => Promise<void>): Shutdown {
  const { shutdownTimeoutMs } = app.config;
  let closing = false;
  const handle = closeWithGrace(
    {
      delay: shutdownTimeoutMs,
      logger: { error: (message: unknown) => app.log.error(message) },
      onTimeout: (delay: number) => app.log.error({ delay_ms: delay }, 'shutdown exceeded its bound; exiting with 1'),
    },
    async ({ signal, err }) => {
      closing = true;
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
  return {
    close: () => void handle.close(),
    uninstall: handle.uninstall,
    get closing() {
      return closing;
    },
  };
}
