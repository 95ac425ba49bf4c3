/**
 * Every API response says `X-Content-Type-Options: nosniff` (successes, errors, responses written
 * before routing), and /docs carries a Content-Security-Policy that forbids framing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayApp } from '../../src/app.js';
import { listeningApp } from '../support/listening-app.js';
import { portOf, rawExchange } from '../support/raw-http.js';

let app: GatewayApp;

beforeAll(async () => {
  app = await listeningApp();
});
afterAll(async () => {
  await app.close();
});

describe('X-Content-Type-Options: nosniff', () => {
  it.each([
    ['GET', '/v1/peak', 200],
    ['GET', '/v1/blocks/1', 200],
    ['GET', '/v1/blocks/1?ints=bogus', 400],
    ['GET', '/v1/blocks/99', 404],
    ['GET', '/v1/nothing', 404],
    ['GET', '/v1/blocks/%E0%A4%A', 400],
    ['POST', '/v1/peak', 405],
    ['OPTIONS', '/v1/peak', 204],
    ['GET', '/openapi.json', 200],
    ['GET', '/healthz', 200],
    ['GET', '/metrics', 200],
  ] as const)('%s %s (%i)', async (method, url, status) => {
    const res = await app.inject({ method, url });
    expect(res.statusCode).toBe(status);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('over a real socket', async () => {
    const { response } = await rawExchange(portOf(app), 'GET /v1/peak HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(response?.status).toBe(200);
    expect(response?.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('Content-Security-Policy of /docs', () => {
  it.each(['/docs', '/docs/', '/docs/static/swagger-initializer.js', '/docs/static/swagger-ui.css', '/docs/json'])('%s', async (url) => {
    const res = await app.inject(url);
    expect(res.statusCode).toBe(200);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('over a real socket', async () => {
    const { response } = await rawExchange(portOf(app), 'GET /docs/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(response?.status).toBe(200);
    expect(response?.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });
});
