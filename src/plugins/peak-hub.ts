/**
 * The peak hub as an app resource: `app.peakHub`, fed by `app.upstream`'s peak events, plus the
 * WebSocket server (@fastify/websocket) the live routes upgrade through. Every live client is closed
 * with 1001 (SSE streams ended) in preClose, before the HTTP server stops accepting.
 */
import fp from 'fastify-plugin';
import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import { createPeakHub, type PeakHub } from '../peak-hub.js';
import { packageVersion } from '../package-root.js';

declare module 'fastify' {
  interface FastifyInstance {
    peakHub: PeakHub;
  }
}

async function peakHubPlugin(app: FastifyInstance): Promise<void> {
  const { ws } = app.config;
  // The hub uses only the peak part of the upstream (PeakSource): on('peak') and peak().
  const hub = createPeakHub(app.upstream, {
    replaySize: ws.replaySize,
    heartbeatMs: ws.heartbeatMs,
    sendBufferBytes: ws.sendBufferBytes,
    maxMessageBytes: ws.maxMessageBytes,
    server: { name: 'chia-peer-gateway', version: packageVersion() },
    metrics: app.metrics,
  });
  app.decorate('peakHub', hub);

  // Registered before @fastify/websocket so it runs first: clients get 1001 rather than the
  // plugin's code-less close.
  app.addHook('preClose', async () => hub.close());
  app.addHook('onClose', async () => hub.close());

  await app.register(websocket, {
    options: {
      // Larger inbound frames close the connection with 1009 (ws maxPayload).
      maxPayload: ws.maxMessageBytes,
      // Compression would make every frame per-client work and breaks the shared pre-built frame.
      perMessageDeflate: false,
    },
  });
}

export default fp(peakHubPlugin, {
  name: 'peak-hub',
  fastify: '5.x',
  decorators: { fastify: ['config', 'metrics', 'upstream'] },
  dependencies: ['upstream'],
});
