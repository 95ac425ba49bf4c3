import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type GatewayApp } from '../../src/app.js';
import { configWith, type GatewayConfig } from '../../src/config/config.js';
import { OpsUpstreamDouble } from '../support/ops-upstream-double.js';
import { portOf, rawExchange } from '../support/raw-http.js';

let app: GatewayApp | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** The real app plus a plain route registered after every plugin, like any API route. */
async function appWith(overrides: Partial<GatewayConfig>): Promise<GatewayApp> {
  app = await buildApp({ config: configWith({ logLevel: 'silent', ...overrides }), upstream: new OpsUpstreamDouble(), logger: false });
  app.get('/test/ping', async () => ({ pong: true }));
  app.get('/test/vary', async (_request, reply) => reply.header('vary', 'Accept').send({ ok: true }));
  await app.ready();
  return app;
}

const get = (a: GatewayApp, url: string, headers: Record<string, string> = {}, remoteAddress = '127.0.0.1') =>
  a.inject({ method: 'GET', url, headers, remoteAddress });

describe('CORS', () => {
  it('allows any origin by default, on successes and errors alike', async () => {
    const a = await appWith({});
    for (const [url, status] of [
      ['/test/ping', 200],
      ['/v1/nothing', 404],
      ['/v1/blocks/abc', 400],
      ['/v1/peak', 503],
      ['/v1/blocks/%E0%A4%A', 400],
    ] as const) {
      const res = await get(a, url, { origin: 'https://anyone.example' });
      expect(res.statusCode, url).toBe(status);
      expect(res.headers['access-control-allow-origin'], url).toBe('*');
      // Cross-origin scripts may read the validators of block resources (reorg detection, caching).
      const exposed = String(res.headers['access-control-expose-headers']).split(/,\s*/);
      expect(exposed).toEqual(expect.arrayContaining(['x-chia-header-hash', 'etag', 'x-request-id', 'retry-after']));
    }
  });

  it('answers preflights for GET and HEAD with the requested headers', async () => {
    const a = await appWith({});
    const preflight = await a.inject({
      method: 'OPTIONS',
      url: '/v1/blocks/1',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'if-none-match' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    expect(preflight.headers['access-control-allow-methods']).toBe('GET, HEAD');
    expect(preflight.headers['access-control-allow-headers']).toBe('if-none-match');
    expect(Number(preflight.headers['access-control-max-age'])).toBeGreaterThan(0);
    expect(preflight.headers.allow).toBe('GET, HEAD, OPTIONS');
  });

  it('answers preflights for POST on the paths that take one, with the JSON content type asked for', async () => {
    const a = await appWith({});
    for (const url of ['/v1/coins/query', '/v1/transactions']) {
      const preflight = await a.inject({
        method: 'OPTIONS',
        url,
        headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      expect(preflight.statusCode, url).toBe(204);
      expect(preflight.headers['access-control-allow-origin'], url).toBe('*');
      // Only the path's own methods: a script is told at once that GET /v1/transactions does not exist.
      expect(preflight.headers['access-control-allow-methods'], url).toBe('POST');
      expect(preflight.headers['access-control-allow-headers'], url).toBe('content-type');
      expect(preflight.headers.allow, url).toBe('OPTIONS, POST');
    }
    // The POST itself (any answer, errors included) is readable cross-origin.
    const post = await a.inject({
      method: 'POST',
      url: '/v1/coins/query',
      headers: { origin: 'https://app.example', 'content-type': 'application/json' },
      payload: { coin_ids: ['nonsense'] },
    });
    expect(post.statusCode).toBe(400);
    expect(post.headers['access-control-allow-origin']).toBe('*');
  });

  it('follows the origin list for POST as for GET', async () => {
    const a = await appWith({ corsOrigins: ['https://app.example'] });
    const ask = (origin: string) =>
      a.inject({
        method: 'OPTIONS',
        url: '/v1/transactions',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    const allowed = await ask('https://app.example');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(allowed.headers['access-control-allow-methods']).toBe('POST');
    expect(allowed.headers.vary).toBe('Origin, Access-Control-Request-Headers');
    const refused = await ask('https://evil.example');
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    expect(refused.headers['access-control-allow-methods']).toBeUndefined();
    const post = await a.inject({
      method: 'POST',
      url: '/v1/transactions',
      headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
      payload: {},
    });
    expect(post.headers['access-control-allow-origin']).toBeUndefined();
    expect(post.headers.vary).toBe('Origin');
  });

  it('allows only the configured origins when given a list, and varies by Origin', async () => {
    const a = await appWith({ corsOrigins: ['https://app.example'] });
    const ok = await get(a, '/test/ping', { origin: 'https://app.example' });
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(ok.headers['access-control-expose-headers']).toContain('retry-after');
    expect(ok.headers.vary).toBe('Origin');
    // Cross-origin scripts may read the validators of block resources (reorg detection, caching).
    const exposed = String(ok.headers['access-control-expose-headers']).split(/,\s*/);
    expect(exposed).toEqual(
      expect.arrayContaining(['x-chia-header-hash', 'x-chia-first-header-hash', 'x-chia-last-header-hash', 'etag', 'x-request-id']),
    );
    const other = await get(a, '/test/ping', { origin: 'https://evil.example' });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    expect(other.headers.vary).toBe('Origin');
    // Errors too.
    const peak = await get(a, '/v1/peak', { origin: 'https://app.example' });
    expect(peak.statusCode).toBe(503);
    expect(peak.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(peak.headers.vary).toBe('Origin');
    const preflight = await a.inject({
      method: 'OPTIONS',
      url: '/v1/peak',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-methods']).toContain('GET');
    const refused = await a.inject({
      method: 'OPTIONS',
      url: '/v1/peak',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    expect(refused.headers['access-control-allow-methods']).toBeUndefined();
  });

  it('keeps a route\'s own Vary beside Origin', async () => {
    const a = await appWith({ corsOrigins: ['https://app.example'] });
    const res = await get(a, '/test/vary', { origin: 'https://app.example' });
    expect(res.headers.vary).toBe('Accept, Origin');
  });

  it('sends the headers over a real socket', async () => {
    const a = await appWith({});
    await a.listen({ host: '127.0.0.1', port: 0 });
    const { response } = await rawExchange(portOf(a), 'GET /v1/blocks/1 HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example\r\nConnection: close\r\n\r\n');
    expect(response?.status).toBe(503);
    expect(response?.headers['access-control-allow-origin']).toBe('*');
  });
});

describe('rate limit', () => {
  it('is off by default', async () => {
    const a = await appWith({});
    for (let i = 0; i < 30; i++) {
      const res = await get(a, '/test/ping');
      expect(res.statusCode).toBe(200);
      expect(res.headers['ratelimit-limit']).toBeUndefined();
    }
  });

  it('answers 429 problem+json with RateLimit-* and Retry-After beyond the limit', async () => {
    const a = await appWith({ rateLimitPerMinute: 3 });
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await get(a, '/test/ping');
      expect(res.statusCode).toBe(200);
      expect(res.headers['ratelimit-limit']).toBe('3');
      remaining.push(String(res.headers['ratelimit-remaining']));
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const limited = await get(a, '/test/ping');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(limited.headers['ratelimit-remaining']).toBe('0');
    expect(Number(limited.headers['ratelimit-reset'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED', title: 'Too many requests', instance: '/test/ping' });
    expect(limited.json<{ detail: string }>().detail).toContain('more than 3 requests per minute');
  });

  it('counts per client IP', async () => {
    const a = await appWith({ rateLimitPerMinute: 1 });
    expect((await get(a, '/test/ping', {}, '10.0.0.1')).statusCode).toBe(200);
    expect((await get(a, '/test/ping', {}, '10.0.0.1')).statusCode).toBe(429);
    expect((await get(a, '/test/ping', {}, '10.0.0.2')).statusCode).toBe(200);
  });

  it('never limits health probes', async () => {
    const a = await appWith({ rateLimitPerMinute: 1 });
    for (let i = 0; i < 5; i++) {
      expect((await get(a, '/healthz')).statusCode).toBe(200);
      expect((await get(a, '/readyz')).statusCode).toBe(503);
    }
  });

  it('limits everything else on the public port: unknown paths, other methods, /metrics, /v1/status', async () => {
    for (const [method, url] of [
      ['GET', '/v1/nothing'],
      ['GET', '/metrics'],
      ['GET', '/v1/status'],
      ['POST', '/v1/peak'],
      ['OPTIONS', '/v1/peak'],
    ] as const) {
      const a = await appWith({ rateLimitPerMinute: 2 });
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await a.inject({ method, url, remoteAddress: '10.0.0.9' })).statusCode);
      expect(statuses[2], `${method} ${url}`).toBe(429);
      expect(statuses.slice(0, 2), `${method} ${url}`).not.toContain(429);
      await a.close();
      app = undefined;
    }
  });
});
