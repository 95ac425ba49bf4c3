/**
 * OPTIONS and 405 routes for every path registered before (src/plugins/http-methods.ts records them):
 * OPTIONS answers 204 with `Allow` (and the CORS preflight answer when it is one); any other method a
 * path lacks answers 405 METHOD_NOT_ALLOWED with `Allow`. Added after the last route of a listener.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isPreflight, preflightHeaders } from '../src/http/cors.js';
import { ApiError } from '../src/http/errors.js';
import { sendProblem } from '../src/http/problem.js';
import { pathOf } from '../src/http/url-path.js';

/** The `Allow` value of a path: its methods and OPTIONS. */
function allowOf(methods: ReadonlySet<string>): string {
  return [...new Set([...methods, 'OPTIONS'])].sort().join(', ');
}

/** Handler (and preParsing hook, so no body is read) of the OPTIONS and 405 routes. */
function answerMethod(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { paths, cors } = request.server.routeMethods;
  const methods = paths.get(request.routeOptions.url ?? '') ?? new Set<string>();
  const allow = allowOf(methods);
  if (request.method !== 'OPTIONS') {
    return sendProblem(
      reply,
      new ApiError('METHOD_NOT_ALLOWED', { method: request.method, url: pathOf(request.url), allow }, { headers: { allow } }),
    );
  }
  reply.header('allow', allow);
  if (cors !== null && isPreflight(request.method, request.headers)) {
    const requested = request.headers['access-control-request-headers'];
    reply.headers(preflightHeaders(cors, request.headers.origin, typeof requested === 'string' ? requested : undefined, methods));
  }
  return reply.code(204).header('content-length', '0').send();
}

/** Adds, for every path recorded so far, an OPTIONS route and a 405 route for the methods it lacks. */
export function methodRoutes(app: FastifyInstance): void {
  const { paths } = app.routeMethods;
  for (const [url, recorded] of paths) {
    // Asked of the router: a prefixed '/' route also answers at '<prefix>/', which onRoute reports for HEAD only.
    const methods = new Set(app.supportedMethods.filter((method) => recorded.has(method) || app.hasRoute({ method, url })));
    paths.set(url, methods);
    const missing = app.supportedMethods.filter((method) => !methods.has(method));
    if (missing.length === 0) continue;
    app.route({
      method: missing,
      url,
      schema: { hide: true },
      config: { methodRoute: true },
      // Answered before the body is parsed (an announced body is never read) and after the rate limiter.
      preParsing: (request, reply, _payload, _next) => {
        answerMethod(request, reply);
      },
      handler: answerMethod,
    });
  }
}
