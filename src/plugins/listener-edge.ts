/**
 * The edge every listener (public and admin) puts in front of its routes, in order: problem+json for
 * every error, the guards (edge headers, shutdown answer, and on the public listener CORS and the rate
 * limit), then the 404/405/OPTIONS/body handling whose onRoute hook must see every route. Register it
 * before any route; routes/methods.ts adds the OPTIONS and 405 routes after the last one.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Listener } from '../http/edge-headers.js';
import errorHandlerPlugin from './error-handler.js';
import httpGuardsPlugin from './http-guards.js';
import httpMethodsPlugin from './http-methods.js';

async function listenerEdge(app: FastifyInstance, options: { listener: Listener }): Promise<void> {
  await app.register(errorHandlerPlugin);
  await app.register(httpGuardsPlugin, options);
  await app.register(httpMethodsPlugin, options);
}

export default fp(listenerEdge, { name: 'listener-edge', fastify: '5.x', decorators: { fastify: ['config'] } });
