/**
 * The peak hub as an app resource: `app.peakHub`, fed by `app.upstream`'s peak events. Every live
 * client is closed with 1001 (SSE streams ended) in preClose, before the HTTP server stops accepting.
 * The WebSocket server the live routes upgrade through lives in its own scope (live-websocket.ts).
 * A cursor of another replica is placed on this gateway's chain through the block cache.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { createPeakHub, type PeakHub } from '../live/peak-hub.js';
import { coinFeedOf, type CoinUpstream } from '../live/coin-feed.js';
import { packageVersion } from '../process/package-root.js';

declare module 'fastify' {
  interface FastifyInstance {
    peakHub: PeakHub;
  }
}

/**
 * The header hash of the main-chain block at `height` as this gateway sees it: from the block cache,
 * else loaded through it (a header block over a wallet link, else a full block); null when it cannot
 * tell (above the peak, no link).
 */
async function mainChainHash(app: FastifyInstance, height: number): Promise<string | null> {
  const peak = app.upstream.peak();
  if (peak === null || height > peak.height) return null;
  if (height === peak.height) return peak.header_hash;
  const cached = app.blockCache.peek('header', height) ?? app.blockCache.peek('full', height);
  if (cached !== undefined) return cached.headerHash;
  const kind = app.config.roles.includes('wallet') ? 'header' : 'full';
  return app.blockCache.get(kind, height, peak.height).then(
    (block) => block.headerHash,
    () => null,
  );
}

export interface PeakHubPluginOptions {
  /** The coin feed and wallet reads coin events come from; by default the upstream's coin watch (tests give an in-memory one). */
  coins?: CoinUpstream;
}

async function peakHubPlugin(app: FastifyInstance, pluginOptions: PeakHubPluginOptions): Promise<void> {
  const { ws } = app.config;
  const coins = pluginOptions.coins ?? coinFeedOf(app.upstream);
  // The hub uses only the peak part of the upstream (PeakFeed): on('peak') and peak().
  const hub = createPeakHub(app.upstream, {
    replaySize: ws.replaySize,
    heartbeatMs: ws.heartbeatMs,
    sendBufferBytes: ws.sendBufferBytes,
    maxMessageBytes: ws.maxMessageBytes,
    messageLimits: { rate: ws.messageRate, burst: ws.messageBurst },
    server: { name: 'chia-peer-gateway', version: packageVersion() },
    metrics: app.metrics,
    chain: { hashAt: (height) => mainChainHash(app, height), forkDepth: app.config.confirmations },
    coins: {
      upstream: coins,
      network: app.config.network,
      maxKeysPerClient: ws.maxCoinKeys,
      maxKeysTotal: ws.maxCoinKeysTotal,
      forkGuessDepth: app.config.confirmations,
      memorySize: ws.replaySize,
    },
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
  dependencies: ['upstream', 'block-cache'],
});
