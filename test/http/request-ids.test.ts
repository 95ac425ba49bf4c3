import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type GatewayApp } from '../../src/app.js';
import { configWith } from '../../src/config/config.js';
import { isSafeRequestId, requestIdGenerator } from '../../src/http/request-ids.js';
import { portOf, rawExchange } from '../support/raw-http.js';
import { OpsUpstreamDouble } from '../support/ops-upstream-double.js';

let app: GatewayApp | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('request ids', () => {
  it('are unique within a generator and across generators', () => {
    const a = requestIdGenerator();
    const b = requestIdGenerator();
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      ids.add(a());
      ids.add(b());
    }
    expect(ids.size).toBe(20_000);
    expect(a()).toMatch(/^[A-Za-z0-9_-]{12}-[0-9a-z]+$/);
  });

  it('are generated per request, and an incoming x-request-id is kept', async () => {
    app = await buildApp({ config: configWith({ logLevel: 'silent' }), upstream: new OpsUpstreamDouble(), logger: false });
    app.get('/test/id', async (request) => ({ id: request.id }));
    const first = (await app.inject('/test/id')).json<{ id: string }>().id;
    const second = (await app.inject('/test/id')).json<{ id: string }>().id;
    expect(first).not.toBe(second);
    const given = await app.inject({ url: '/test/id', headers: { 'x-request-id': 'trace-42' } });
    expect(given.json()).toEqual({ id: 'trace-42' });
    expect(given.headers['x-request-id']).toBe('trace-42');
  });

  it('keep only a short safe token from x-request-id; anything else is replaced by a generated id', async () => {
    app = await buildApp({ config: configWith({ logLevel: 'silent' }), upstream: new OpsUpstreamDouble(), logger: false });
    app.get('/test/id', async (request) => ({ id: request.id }));
    for (const kept of ['4bf92f3577b34da6a3ce929d0e0e4736', '123e4567-e89b-12d3-a456-426614174000', 'a.b:c_d+e/f=']) {
      expect((await app.inject({ url: '/test/id', headers: { 'x-request-id': kept } })).json()).toEqual({ id: kept });
    }
    for (const refused of ['x'.repeat(8 * 1024), '<script>alert(1)</script>', 'a b', 'x'.repeat(65), '"quoted"', 'é']) {
      const res = await app.inject({ url: '/test/id', headers: { 'x-request-id': refused } });
      const id = res.json<{ id: string }>().id;
      expect(id).toMatch(/^[A-Za-z0-9_-]{12}-[0-9a-z]+$/);
      expect(res.headers['x-request-id']).toBe(id);
    }
    expect(isSafeRequestId('')).toBe(false);
  });

  it('are checked over a real socket, in problem bodies and headers alike', async () => {
    app = await buildApp({ config: configWith({ logLevel: 'silent' }), upstream: new OpsUpstreamDouble(), logger: false });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { response } = await rawExchange(portOf(app), `GET /nothing HTTP/1.1\r\nHost: x\r\nX-Request-Id: <script>${'x'.repeat(8_000)}\r\nConnection: close\r\n\r\n`);
    expect(response?.status).toBe(404);
    const body = JSON.parse(response?.body ?? '') as { request_id: string };
    expect(body.request_id).toMatch(/^[A-Za-z0-9_-]{12}-[0-9a-z]+$/);
    expect(response?.headers['x-request-id']).toBe(body.request_id);
    expect(response?.body).not.toContain('<script>');
  });
});
