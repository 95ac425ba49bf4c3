/**
 * The upstream as an app resource: `app.upstream`. Uses BuildOptions.upstream when given (tests, the
 * demo; its owner closes it), else creates an UpstreamManager from `app.config` that logs through
 * `app.log`. It is started here, in the plugin body, so links connect while the routes register.
 * A manager created here is closed in preClose, so requests still waiting on a peer are answered 503
 * SHUTTING_DOWN before the server drains instead of hanging until the drain cut resets them; and in
 * onClose for an app that failed to boot, where preClose does not run. Metrics are fed by the
 * upstream-metrics plugin (src/metrics/upstream-metrics.ts), the single writer of the upstream metrics.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { type Upstream, createUpstreamManager } from '../chia/index.js';
import { envName, identityNames } from '../config/options.js';
import { loadChiaCa } from '../process/chia-ca.js';

declare module 'fastify' {
  interface FastifyInstance {
    upstream: Upstream;
  }
}

export interface UpstreamPluginOptions {
  /** An upstream to use instead of creating one from the config. */
  upstream?: Upstream;
}

async function upstreamPlugin(app: FastifyInstance, options: UpstreamPluginOptions): Promise<void> {
  const owned = options.upstream === undefined;
  const { config } = app;
  const upstream =
    options.upstream ??
    createUpstreamManager({
      config,
      ca: loadChiaCa(),
      identityNames,
      // The guessed depth of an unrelated fork is the confirmation depth: no guess lets a replaced block become immutable.
      unverifiedForkDepth: config.confirmations,
      banBackoffMs: config.banBackoffMs,
      peersOption: envName('peers'),
      logger: app.log.child({ module: 'upstream' }),
    });
  app.decorate('upstream', upstream);
  if (owned) {
    app.addHook('preClose', async () => upstream.close());
    app.addHook('onClose', async () => upstream.close());
  }
  await upstream.start();
}

export default fp(upstreamPlugin, { name: 'upstream', fastify: '5.x' });
