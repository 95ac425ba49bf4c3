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
 * Two parts: this plugin, registered before any route (its onRoute hook records every path's methods),
 * and addMethodRoutes, called after the last route to add the OPTIONS and 405 routes of every path.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { corsPolicy, isPreflight, preflightHeaders, type CorsPolicy } from '../http/cors.js';
import type { Listener } from '../http/edge-headers.js';
import { ApiError } from '../http/errors.js';
import { sendProblem } from './error-handler.js';

export interface HttpMethodsOptions {
  listener: Listener;
}

/** Methods recorded per route path, filled by the onRoute hook. */
type RouteTable = Map<string, Set<string>>;

const tables = new WeakMap<FastifyInstance, { table: RouteTable; cors: CorsPolicy | null }>();

/** True when the request announces a body (any Transfer-Encoding, or a non-zero Content-Length). */
function announcesBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function pathOf(request: FastifyRequest): string {
  return request.url.split('?')[0] ?? request.url;
}

async function httpMethods(app: FastifyInstance, options: HttpMethodsOptions): Promise<void> {
  const table: RouteTable = new Map();
  tables.set(app, { table, cors: options.listener === 'public' ? corsPolicy(app.config.corsOrigins) : null });

  app.addHook('onRoute', (route) => {
    if (route.handler === answerMethod) return;
    const methods = table.get(route.url) ?? new Set<string>();
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) methods.add(method);
    table.set(route.url, methods);
  });

  app.addHook('onRequest', (request, reply, done) => {
    if (!announcesBody(request)) {
      done();
      return;
    }
    // The body is not read below: the connection cannot carry another request after it.
    reply.header('connection', 'close');
    // Unknown paths (404) and methods (405, OPTIONS) answer as they would without a body.
    const own = request.is404 ? undefined : table.get(request.routeOptions.url ?? '');
    if (own === undefined || !own.has(request.method) || request.routeOptions.schema?.body !== undefined) {
      done();
      return;
    }
    void sendProblem(reply, new ApiError('BODY_NOT_ALLOWED', { method: request.method, url: pathOf(request) }));
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, new ApiError('ROUTE_NOT_FOUND', { method: request.method, url: pathOf(request) })),
  );
}

/** The `Allow` value of a path: its methods and OPTIONS. */
function allowOf(methods: ReadonlySet<string>): string {
  return [...new Set([...methods, 'OPTIONS'])].sort().join(', ');
}

/** Handler (and preParsing hook, so no body is read) of the OPTIONS and 405 routes. */
function answerMethod(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const own = tables.get(request.server);
  const methods = own?.table.get(request.routeOptions.url ?? '') ?? new Set<string>();
  const allow = allowOf(methods);
  if (request.method !== 'OPTIONS') {
    return sendProblem(
      reply,
      new ApiError('METHOD_NOT_ALLOWED', { method: request.method, url: pathOf(request), allow }, { headers: { allow } }),
    );
  }
  reply.header('allow', allow);
  const cors = own?.cors;
  if (cors != null && isPreflight(request.method, request.headers)) {
    const requested = request.headers['access-control-request-headers'];
    reply.headers(preflightHeaders(cors, request.headers.origin, typeof requested === 'string' ? requested : undefined));
  }
  return reply.code(204).header('content-length', '0').send();
}

/** Adds, for every path recorded so far, an OPTIONS route and a 405 route for the methods it lacks. */
export function addMethodRoutes(app: FastifyInstance): void {
  const own = tables.get(app);
  if (own === undefined) throw new Error('addMethodRoutes needs the http-methods plugin registered first');
  for (const [url, recorded] of own.table) {
    // Asked of the router: a prefixed '/' route also answers at '<prefix>/', which onRoute reports for HEAD only.
    const methods = new Set(app.supportedMethods.filter((method) => recorded.has(method) || app.hasRoute({ method, url })));
    own.table.set(url, methods);
    const missing = app.supportedMethods.filter((method) => !methods.has(method));
    if (missing.length === 0) continue;
    app.route({
      method: missing,
      url,
      schema: { hide: true },
      // Answered before the body is parsed (an announced body is never read) and after the rate limiter.
      preParsing: (request, reply, _payload, _next) => {
        answerMethod(request, reply);
      },
      handler: answerMethod,
    });
  }
}

export default fp(httpMethods, { name: 'http-methods', fastify: '5.x', decorators: { fastify: ['config'] } });
