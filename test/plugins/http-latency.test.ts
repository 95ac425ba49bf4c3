/** HTTP latency is recorded once per request, under its route template, for routes of every plugin scope and for unmatched URLs. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type GatewayApp } from '../../src/app.js';
import { DEFAULTS, configWith } from '../../src/config/config.js';
import { OpsUpstreamDouble } from '../support/ops-upstream-double.js';

const ORIGIN = 'https://app.example';
const COUNT = 'chia_gateway_http_request_seconds_count';

let app: GatewayApp;

beforeAll(async () => {
  const config = configWith({ logLevel: 'silent', corsOrigins: [ORIGIN], rateLimitPerMinute: 1_000, ws: { ...DEFAULTS.ws, allowedOrigins: [ORIGIN] } });
  app = await buildApp({ config, upstream: new OpsUpstreamDouble(), logger: false });
  // Added after buildApp, like any late route: in the root scope, in a prefixed scope, and one handing over to the 404 handler.
  app.get('/test/not-found', (_request, reply) => {
    reply.callNotFound();
  });
  await app.register(async (scope) => scope.get('/', async () => ({ ok: true })), { prefix: '/test/scope' });
  await app.ready();
});

afterAll(async () => {
  await app.close();
});

/** [method, url, headers, expected status, expected route label] */
const REQUESTS: [string, string, Record<string, string>, number, string][] = [
  ['GET', '/healthz', {}, 200, '/healthz'], // routes/ops.ts
  ['HEAD', '/healthz', {}, 200, '/healthz'], // the automatic HEAD twin of a GET route
  ['GET', '/openapi.json', {}, 200, '/openapi.json'], // routes/docs.ts, registered before routes/ops.ts
  ['GET', '/docs/json', {}, 200, '/docs/json'], // swagger-ui's own scope
  ['OPTIONS', '/v1/peak', { origin: ORIGIN, 'access-control-request-method': 'GET' }, 204, '/v1/peak'], // CORS preflight (http-methods)
  ['GET', '/v1/ws', { origin: 'https://evil.example' }, 403, '/v1/ws'], // the WebSocket scope
  ['GET', '/v1/events', { origin: 'https://evil.example' }, 403, '/v1/events'],
  ['GET', '/v1/peak', {}, 503, '/v1/peak'],
  ['GET', '/v1/blocks/x', {}, 400, '/v1/blocks/:height'], // a validation error is still the route's
  ['GET', '/app.js', {}, 200, '/app.js'], // the demo's static files
  ['GET', '/test/scope', {}, 200, '/test/scope'],
  ['GET', '/test/scope/', {}, 200, '/test/scope'], // the trailing-slash twin shares the label, as before
  ['GET', '/no/such/path', {}, 404, 'unmatched'],
  ['DELETE', '/healthz', {}, 405, '/healthz'], // a known path with another method (http-methods)
  ['POST', '/no/such/path', {}, 404, 'unmatched'],
  ['GET', '/test/not-found', {}, 404, 'unmatched'],
];

describe('HTTP latency by route', () => {
  it('records every request exactly once, under its route template or "unmatched"', async () => {
    const expected = new Map<string, number>();
    for (const [method, url, headers, status, route] of REQUESTS) {
      const res = await app.inject({ method: method as 'GET', url, headers });
      expect(res.statusCode, `${method} ${url}`).toBe(status);
      const series = `${COUNT}{method="${method}",route="${route}",status="${status}"}`;
      expected.set(series, (expected.get(series) ?? 0) + 1);
    }
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const recorded = new Map(
      text
        .split('\n')
        .filter((line) => line.startsWith(`${COUNT}{`))
        .map((line) => [line.slice(0, line.lastIndexOf(' ')), Number(line.slice(line.lastIndexOf(' ') + 1))] as const),
    );
    expect(Object.fromEntries(recorded)).toEqual(Object.fromEntries(expected));
    expect(text).not.toContain('/no/such/path');
  });
});
