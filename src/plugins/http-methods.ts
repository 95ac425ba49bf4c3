/**
 * What a request gets when its path or method matches no route, or when it carries a body no route
 * reads:
 * - an unknown path: 404 ROUTE_NOT_FOUND;
 * - a known path with another method: 405 METHOD_NOT_ALLOWED with `Allow` (e.g. `POST /v1/blocks/1`);
 * - OPTIONS on a known path: 204 with `Allow`, and the CORS preflight answer when it is one;
 * - a body sent to a route that takes none: 413 BODY_NOT_ALLOWED, before a byte of it is read.
 * Every answer given without reading a body the request announced closes the connection, so the unread
 * bytes are never parsed as a next request.
 *
 * This plugin, registered before any route, records every path's methods (its onRoute hook) in
 * `app.routeMethods`, refuses bodies and answers unknown paths; the OPTIONS and 405 routes of every
 * path are added after the last route by routes/methods.ts (marked `config.methodRoute`, not recorded).
 */
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { corsPolicy, type CorsPolicy } from '../http/cors.js';
import type { Listener } from '../http/edge-headers.js';
import { ApiError } from '../http/errors.js';
import { sendProblem } from '../http/problem.js';
import { pathOf } from '../http/url-path.js';

export interface HttpMethodsOptions {
  listener: Listener;
}

/** The methods of every route path of one app, recorded as routes are added. */
export interface RouteMethods {
  /** Methods per route path (as registered, e.g. `/v1/blocks/:height`). */
  readonly paths: Map<string, Set<string>>;
  /** The listener's CORS policy (preflights are answered by the OPTIONS routes); null on the admin listener. */
  readonly cors: CorsPolicy | null;
}

declare module 'fastify' {
  interface FastifyInstance {
    routeMethods: RouteMethods;
  }
  interface FastifyContextConfig {
    /** An OPTIONS or 405 route of routes/methods.ts: its methods are not the path's own. */
    methodRoute?: boolean;
    /**
     * A catch-all path (the node-RPC face's POST /:method for names it does not know): not recorded,
     * so no OPTIONS or 405 routes are made for it and other methods on an unknown path stay 404.
     */
    unlisted?: boolean;
  }
}

/** True when the request announces a body (any Transfer-Encoding, or a non-zero Content-Length). */
function announcesBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

async function httpMethods(app: FastifyInstance, options: HttpMethodsOptions): Promise<void> {
  const paths = new Map<string, Set<string>>();
  app.decorate('routeMethods', { paths, cors: options.listener === 'public' ? corsPolicy(app.config.corsOrigins) : null });

  app.addHook('onRoute', (route) => {
    if (route.config?.methodRoute === true || route.config?.unlisted === true) return;
    const methods = paths.get(route.url) ?? new Set<string>();
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) methods.add(method);
    paths.set(route.url, methods);
  });

  app.addHook('onRequest', (request, reply, done) => {
    if (!announcesBody(request)) {
      done();
      return;
    }
    // The body is not read below: the connection cannot carry another request after it.
    reply.header('connection', 'close');
    // Unknown paths (404) and methods (405, OPTIONS) answer as they would without a body.
    const own = request.is404 ? undefined : paths.get(request.routeOptions.url ?? '');
    if (own === undefined || !own.has(request.method) || request.routeOptions.schema?.body !== undefined) {
      done();
      return;
    }
    void sendProblem(reply, new ApiError('BODY_NOT_ALLOWED', { method: request.method, url: pathOf(request.url) }));
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, new ApiError('ROUTE_NOT_FOUND', { method: request.method, url: pathOf(request.url) })),
  );
}

export default fp(httpMethods, { name: 'http-methods', fastify: '5.x', decorators: { fastify: ['config'] } });
