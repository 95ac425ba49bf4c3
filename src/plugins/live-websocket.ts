/**
 * The WebSocket server of the live routes, and the routing of upgrade requests to it.
 * @fastify/websocket is confined to one encapsulated scope: the WebSocket routes register
 * `app.websocketScope` in their own scope, before declaring themselves (routes/v1/ws.ts). Registered
 * on the root, @fastify/websocket adds an onRequest and an onResponse hook to every request and wraps
 * every route handler: a cost paid by each cached block served.
 *
 * Upgrades are routed here: a GET for a WebSocket route reaches @fastify/websocket (through an HTTP
 * server object that never listens, its documented `server` option); any other upgrade request
 * (another method, another path) is answered as plain HTTP through the normal routes, then its
 * socket is closed (src/live/upgrade-rejections.ts). `app.websocketServer` and `app.injectWS` are
 * exposed on the root for tests and operations.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import fp from 'fastify-plugin';
import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { answerWithoutUpgrade, limitIdle } from '../live/upgrade-rejections.js';
import { pathOf } from '../http/url-path.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** @fastify/websocket for the scope it is registered in: register it before that scope's WebSocket routes. */
    websocketScope: FastifyPluginAsync;
  }
}

async function liveWebSocket(app: FastifyInstance): Promise<void> {
  const { ws } = app.config;
  // The plugin's upgrade source: it only ever emits the upgrades routed to it below.
  const upgrades = createServer();
  const wsPaths = new Set<string>();
  const websocketScope = fp(
    async (child: FastifyInstance) => {
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
      // The root is still loading: its own `websocketServer` and `injectWS` are the scope's.
      app.decorate('websocketServer', child.websocketServer);
      app.decorate('injectWS', child.injectWS);
    },
    { name: 'websocket-scope', fastify: '5.x' },
  );
  app.decorate('websocketScope', websocketScope);

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

export default fp(liveWebSocket, { name: 'live-websocket', fastify: '5.x', decorators: { fastify: ['config'] } });
