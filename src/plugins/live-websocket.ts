/**
 * The WebSocket routes (`/v1/ws`) in an encapsulated scope of their own, with @fastify/websocket
 * registered inside it only. Registered on the root, the plugin adds an onRequest and an onResponse
 * hook to every request and wraps every route handler: a cost paid by each cached block served.
 *
 * Upgrades are routed here: a GET for a WebSocket route reaches the plugin (through an HTTP server
 * object that never listens, the plugin's documented `server` option); any other upgrade request
 * (another method, another path) is answered as plain HTTP through the normal routes, then its
 * socket is closed (src/live/upgrade-rejections.ts). `app.websocketServer` and `app.injectWS` are
 * re-exposed on the root for tests and operations.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import fp from 'fastify-plugin';
import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import wsRoutes from '../../routes/v1/ws.js';
import { answerWithoutUpgrade, limitIdle } from '../live/upgrade-rejections.js';

const PREFIX = '/v1';

function pathOf(url: string | undefined): string {
  const path = url ?? '/';
  const query = path.indexOf('?');
  return query < 0 ? path : path.slice(0, query);
}

async function liveWebSocket(app: FastifyInstance): Promise<void> {
  const { ws } = app.config;
  // The plugin's upgrade source: it only ever emits the upgrades routed to it below.
  const upgrades = createServer();
  const wsPaths = new Set<string>();
  let scope: FastifyInstance | undefined;

  await app.register(
    async (child) => {
      scope = child;
      child.addHook('onRoute', (route) => {
        if (route.wsHandler !== undefined) wsPaths.add(route.url);
      });
      await child.register(websocket, {
        options: {
          server: upgrades,
          // Larger inbound frames close the connection with 1009 (ws maxPayload).
          maxPayload: ws.maxMessageBytes,
          // Compression would make every frame per-client work and breaks the shared pre-built frame.
          perMessageDeflate: false,
          // One 'message' event per tick: a TCP read full of small frames cannot hold the event loop
          // for all of them at once (and a client past its message budget is paused in between).
          allowSynchronousEvents: false,
        },
      });
      await child.register(wsRoutes);
    },
    { prefix: PREFIX },
  );
  if (scope === undefined) throw new Error('the WebSocket scope did not load');
  app.decorate('websocketServer', scope.websocketServer);
  app.decorate('injectWS', scope.injectWS);

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // A WebSocket route only upgrades a GET (RFC 6455 §4.1); the plugin would route any other
    // method to a 404 and leave its socket open.
    if (request.method === 'GET' && wsPaths.has(pathOf(request.url))) {
      limitIdle(socket);
      upgrades.emit('upgrade', request, socket, head);
    } else {
      answerWithoutUpgrade(app, request, socket);
    }
  };
  app.server.on('upgrade', onUpgrade);
  // Root preClose hooks run before the scope's, so the peak hub has closed its clients with 1001 by
  // the time @fastify/websocket closes what is left.
  app.addHook('preClose', (done) => {
    app.server.off('upgrade', onUpgrade);
    done();
  });
}

export default fp(liveWebSocket, {
  name: 'live-websocket',
  fastify: '5.x',
  decorators: { fastify: ['config', 'peakHub'] },
  dependencies: ['peak-hub'],
});
