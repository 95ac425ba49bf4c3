/**
 * A known path with another method answers 405 with `Allow` (every route), OPTIONS answers 204 with
 * `Allow`, an unknown path 404 — all problem+json — over inject and over a real socket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayApp } from '../../src/app.js';
import { listeningApp } from '../support/listening-app.js';
import { portOf, rawExchange } from '../support/raw-http.js';

const PROBLEM = 'application/problem+json; charset=utf-8';
const OTHER_METHODS = ['POST', 'PUT', 'DELETE', 'PATCH'] as const;

let app: GatewayApp;

beforeAll(async () => {
  app = await listeningApp();
});
afterAll(async () => {
  await app.close();
});

/** Every path the gateway serves and its methods: the documented ones (templates filled in) and the undocumented GET pages. */
function servedPaths(): [string, string[]][] {
  const documented = Object.entries((app.swagger() as { paths: Record<string, Record<string, unknown>> }).paths).map(
    ([path, operations]): [string, string[]] => [
      path.replace('{height}', '1').replace('{coin_id}', `0x${'00'.repeat(32)}`),
      Object.keys(operations).map((method) => method.toUpperCase()),
    ],
  );
  const pages = ['/', '/app.js', '/openapi.json', '/docs', '/docs/', '/docs/json', '/docs/static/swagger-ui.css'];
  return [...documented, ...pages.map((page): [string, string[]] => [page, ['GET']])];
}

/** The Allow header of a path with these methods (GET brings HEAD). */
function allowOf(methods: string[]): string {
  return [...new Set([...methods, ...(methods.includes('GET') ? ['HEAD'] : []), 'OPTIONS'])].sort().join(', ');
}

describe('405 for a known path with another method', () => {
  it('POST /v1/blocks/1 → 405 METHOD_NOT_ALLOWED with Allow', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/blocks/1' });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD, OPTIONS');
    expect(res.headers['content-type']).toBe(PROBLEM);
    expect(res.json()).toMatchObject({
      code: 'METHOD_NOT_ALLOWED',
      status: 405,
      detail: 'POST is not allowed on /v1/blocks/1; allowed: GET, HEAD, OPTIONS',
      instance: '/v1/blocks/1',
    });
  });

  it('on every route, for every other method', async () => {
    const paths = servedPaths();
    expect(paths.length).toBeGreaterThan(15);
    for (const [url, methods] of paths) {
      for (const method of OTHER_METHODS.filter((other) => !methods.includes(other))) {
        const res = await app.inject({ method, url });
        expect(res.statusCode, `${method} ${url}`).toBe(405);
        expect(res.headers.allow, `${method} ${url}`).toBe(allowOf(methods));
        expect(res.json<{ code: string }>().code).toBe('METHOD_NOT_ALLOWED');
      }
    }
  });

  it('wins over the body it does not read (no 413, no 415)', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/peak', headers: { 'content-type': 'application/xml' }, payload: '<a/>' });
    expect(res.statusCode).toBe(405);
    expect(res.headers.connection).toBe('close');
  });

  it('over a real socket', async () => {
    const { response } = await rawExchange(portOf(app), 'POST /v1/blocks/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}');
    expect(response?.status).toBe(405);
    expect(response?.headers.allow).toBe('GET, HEAD, OPTIONS');
    expect(response?.headers['content-type']).toBe(PROBLEM);
    expect(JSON.parse(response?.body ?? '')).toMatchObject({ code: 'METHOD_NOT_ALLOWED' });
  });
});

describe('OPTIONS and unknown paths', () => {
  it('OPTIONS on a known path → 204 with Allow', async () => {
    const res = await app.inject({ method: 'OPTIONS', url: '/v1/blocks/1/header' });
    expect(res.statusCode).toBe(204);
    expect(res.headers.allow).toBe('GET, HEAD, OPTIONS');
    expect(res.body).toBe('');
  });

  it('an unknown path → 404 ROUTE_NOT_FOUND, whatever the method', async () => {
    for (const method of ['GET', 'POST', 'OPTIONS'] as const) {
      const res = await app.inject({ method, url: '/v1/nothing' });
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toBe(PROBLEM);
      expect(res.json<{ code: string }>().code).toBe('ROUTE_NOT_FOUND');
    }
  });

  it('OPTIONS and 404 over a real socket', async () => {
    const options = await rawExchange(portOf(app), 'OPTIONS /v1/peak HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(options.response?.status).toBe(204);
    expect(options.response?.headers.allow).toBe('GET, HEAD, OPTIONS');
    const missing = await rawExchange(portOf(app), 'DELETE /nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(missing.response?.status).toBe(404);
    expect(missing.response?.headers['content-type']).toBe(PROBLEM);
  });
});
