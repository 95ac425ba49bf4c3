import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type GatewayApp } from '../../src/app.js';
import { configWith, type GatewayConfig } from '../../src/config.js';
import { OpsUpstreamDouble } from '../support/ops-upstream-double.js';

let app: GatewayApp | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** The real app plus a plain route registered after every plugin, like any API route. */
async function appWith(overrides: Partial<GatewayConfig>): Promise<GatewayApp> {
  app = await buildApp({ config: configWith({ logLevel: 'silent', ...overrides }), upstream: new OpsUpstreamDouble(), logger: false });
  app.get('/test/ping', async () => ({ pong: true }));
  await app.ready();
  return app;
}

const get = (a: GatewayApp, url: string, headers: Record<string, string> = {}, remoteAddress = '127.0.0.1') =>
  a.inject({ method: 'GET', url, headers, remoteAddress });

describe('CORS', () => {
  it('sends no CORS headers by default', async () => {
    const a = await appWith({});
    const res = await get(a, '/test/ping', { origin: 'https://app.example' });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows only the configured origins', async () => {
    const a = await appWith({ corsOrigins: ['https://app.example'] });
    const ok = await get(a, '/test/ping', { origin: 'https://app.example' });
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(ok.headers['access-control-expose-headers']).toContain('retry-after');
    // Cross-origin scripts may read the validators of block resources (reorg detection, caching).
    const exposed = String(ok.headers['access-control-expose-headers']).split(/,\s*/);
    expect(exposed).toEqual(
      expect.arrayContaining(['x-chia-header-hash', 'x-chia-first-header-hash', 'x-chia-last-header-hash', 'etag', 'x-request-id']),
    );
    const other = await get(a, '/test/ping', { origin: 'https://evil.example' });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await a.inject({
      method: 'OPTIONS',
      url: '/test/ping',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-methods']).toContain('GET');
  });

  it('allows any origin with *', async () => {
    const a = await appWith({ corsOrigins: ['*'] });
    const res = await get(a, '/test/ping', { origin: 'https://anyone.example' });
    expect(res.headers['access-control-allow-origin']).toBe('*');
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

  it('never limits health probes and metric scrapes', async () => {
    const a = await appWith({ rateLimitPerMinute: 1 });
    for (let i = 0; i < 5; i++) {
      expect((await get(a, '/healthz')).statusCode).toBe(200);
      expect((await get(a, '/metrics')).statusCode).toBe(200);
      expect((await get(a, '/readyz')).statusCode).toBe(503);
    }
  });
});
