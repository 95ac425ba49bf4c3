/**
 * HTTP request latency by route (`chia_gateway_http_request_seconds`, src/metrics/latency-histogram.ts) with no
 * per-request lookup: an onRoute hook gives each route an onResponse hook of its own that closes over
 * the route's label. (Reading `request.routeOptions` instead builds an object on every request.)
 * Requests that match no route are served by the 404 handler, which has no route of its own: one
 * app-wide hook records them under `route="unmatched"` and, on a matched route, only reads is404.
 *
 * onRoute sees only the routes added after it, in every scope created after it: register this plugin
 * before any plugin that adds routes.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance, onResponseHookHandler } from 'fastify';
import type { LatencySeries } from '../metrics/latency-histogram.js';
import type { Metrics } from '../metrics/metrics.js';

/** Route label of requests that matched no route, so unknown URLs cannot grow the label set. */
export const UNMATCHED_ROUTE = 'unmatched';
const MS_PER_SECOND = 1000;

/** An onResponse hook recording under one route label; each (method, status) series is bound on first use. */
function latencyRecorder(histogram: Metrics['httpLatency'], route: string): onResponseHookHandler {
  const byMethod = new Map<string, Map<number, LatencySeries>>();
  // Callback style (no promise per request); no label object, status string or label hashing per request.
  return (request, reply, done) => {
    const { method } = request;
    const status = reply.statusCode;
    let byStatus = byMethod.get(method);
    if (byStatus === undefined) byMethod.set(method, (byStatus = new Map()));
    let series = byStatus.get(status);
    if (series === undefined) byStatus.set(status, (series = histogram.series(method, route, String(status))));
    series.observe(reply.elapsedTime / MS_PER_SECOND);
    done();
  };
}

async function httpLatency(app: FastifyInstance): Promise<void> {
  const histogram = app.metrics.httpLatency;

  app.addHook('onRoute', (route) => {
    const record = latencyRecorder(histogram, route.url);
    const own = route.onResponse;
    // A new array, never a push: the automatic HEAD twin of a GET route is built from the original
    // options and gets its own hook when onRoute runs for it.
    route.onResponse = own === undefined ? [record] : [...(Array.isArray(own) ? own : [own]), record];
  });

  const unmatched = latencyRecorder(histogram, UNMATCHED_ROUTE);
  // The 404 handler's context (also reached through reply.callNotFound) gets only app-wide hooks.
  app.addHook('onResponse', (request, reply, done) => {
    if (request.is404) unmatched.call(app, request, reply, done);
    else done();
  });
}

export default fp(httpLatency, { name: 'http-latency', fastify: '5.x', decorators: { fastify: ['metrics'] } });
