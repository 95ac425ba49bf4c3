/**
 * The peak hub as an app resource: `app.peakHub`, fed by `app.upstream`'s peak events. Every live
 * client is closed with 1001 (SSE streams ended) in preClose, before the HTTP server stops accepting.
 * The WebSocket server the live routes upgrade through lives in its own scope (live-websocket.ts).
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { createPeakHub, type PeakHub } from '../live/peak-hub.js';
import type { CoinUpstream } from '../live/coin-feed.js';
import { packageVersion } from '../process/package-root.js';

declare module 'fastify' {
  interface FastifyInstance {
    peakHub: PeakHub;
  }
}

export interface PeakHubPluginOptions {
  /** The upstream's coin feed and wallet reads; without it coin subscriptions are answered COINS_UNAVAILABLE. */
  coins?: CoinUpstream;
}

async function peakHubPlugin(app: FastifyInstance, pluginOptions: PeakHubPluginOptions): Promise<void> {
  const { ws } = app.config;
  const coins = pluginOptions.coins;
  // The hub uses only the peak part of the upstream (PeakFeed): on('peak') and peak().
  const hub = createPeakHub(app.upstream, {
    replaySize: ws.replaySize,
    heartbeatMs: ws.heartbeatMs,
    sendBufferBytes: ws.sendBufferBytes,
    maxMessageBytes: ws.maxMessageBytes,
    messageLimits: { rate: ws.messageRate, burst: ws.messageBurst },
    server: { name: 'chia-peer-gateway', version: packageVersion() },
    metrics: app.metrics,
    ...(coins === undefined
      ? {}
      : {
          coins: {
            upstream: coins,
            network: app.config.network,
            maxKeysPerClient: ws.maxCoinKeys,
            maxKeysTotal: ws.maxCoinKeysTotal,
            forkGuessDepth: app.config.confirmations,
            memorySize: ws.replaySize,
          },
        }),
  });
  app.decorate('peakHub', hub);

  // A root preClose hook runs before those of child scopes (@fastify/websocket's, in
  // live-websocket.ts): clients get 1001 rather than the plugin's code-less close.
  app.addHook('preClose', async () => hub.close());
  app.addHook('onClose', async () => hub.close());
}

export default fp(peakHubPlugin, {
  name: 'peak-hub',
  fastify: '5.x',
  decorators: { fastify: ['config', 'metrics', 'upstream'] },
  dependencies: ['upstream'],
});
