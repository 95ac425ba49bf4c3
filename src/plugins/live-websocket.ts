/**
 * The WebSocket routes (`/v1/ws`) in an encapsulated scope of their own, with @fastify/websocket
 * registered inside it only. Registered on the root, the plugin adds an onRequest and an onResponse
 * hook to every request and wraps every route handler: a cost paid by each cached block served.
 *
 * Upgrades are routed here: those for a WebSocket route reach the plugin (through an HTTP server
 * object that never listens, the plugin's documented `server` option); any other upgrade request is
 * answered as plain HTTP through the normal routes, then its socket is closed (it has no HTTP parser
 * any more, so it could not carry a second request). `app.websocketServer` and `app.injectWS` are
 * re-exposed on the root for tests and operations.
 */
import { createServer, ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import fp from 'fastify-plugin';
import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import wsRoutes from '../../routes/v1/ws.js';

const PREFIX = '/v1';

function pathOf(url: string | undefined): string {
  const path = url ?? '/';
  const query = path.indexOf('?');
  return query < 0 ? path : path.slice(0, query);
}

/** Serves an upgrade request for a route without a WebSocket handler as plain HTTP, then closes its socket. */
function answerWithoutUpgrade(app: FastifyInstance, request: IncomingMessage, socket: Duplex): void {
  // Node removes its own socket error listener before emitting 'upgrade'.
  socket.on('error', () => socket.destroy());
  const response = new ServerResponse(request);
  // A server emitting 'upgrade' hands over the TCP socket it accepted.
  response.assignSocket(socket as Socket);
  response.setHeader('connection', 'close');
  response.once('finish', () => socket.end());
  app.routing(request, response);
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
    if (wsPaths.has(pathOf(request.url))) upgrades.emit('upgrade', request, socket, head);
    else answerWithoutUpgrade(app, request, socket);
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
