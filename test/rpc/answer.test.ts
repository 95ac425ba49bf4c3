import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/rest-helpers.js';

describe('the node-RPC face: paths, bodies and envelopes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t.app.close());

  it('answers a method at /<method> and /rpc/<method> in the node envelope', async () => {
    for (const url of ['/get_network_info', '/rpc/get_network_info']) {
      const res = await t.app.inject({ method: 'POST', url, payload: {} });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.json()).toEqual({ network_name: 'mainnet', network_prefix: 'xch', success: true });
    }
  });

  it('reads the body as JSON whatever its content type, an empty body as {}', async () => {
    const form = await t.app.inject({
      method: 'POST',
      url: '/get_network_info',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: '{}',
    });
    expect(form.json()).toMatchObject({ success: true });
    const empty = await t.app.inject({ method: 'POST', url: '/get_network_info' });
    expect(empty.json()).toMatchObject({ success: true });
  });

  it('answers a body that is not a JSON object with success: false', async () => {
    for (const payload of ['{', '[1]', '"x"']) {
      const res = await t.app.inject({ method: 'POST', url: '/get_network_info', headers: { 'content-type': 'application/json' }, payload });
      expect(res.statusCode).toBe(200);
      const json = res.json() as { success: boolean; error: string };
      expect(json.success).toBe(false);
      expect(json.error).toMatch(/request body/);
    }
  });

  it('answers an unknown method with success: false, not a 404 page', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/rpc/no_such_method', payload: {} });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ success: false, error: 'no_such_method is not a full node RPC method the gateway knows' });
  });

  it("answers the node's POST /healthz in its envelope, beside the gateway's own GET /healthz", async () => {
    for (const url of ['/healthz', '/rpc/healthz']) {
      const res = await t.app.inject({ method: 'POST', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.json(), url).toEqual({ success: true });
    }
    const probe = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(probe.statusCode).toBe(200);
    expect(probe.json()).not.toHaveProperty('success');
  });

  it('keeps other methods apart: 405 on a method path, 404 on an unknown one', async () => {
    const known = await t.app.inject({ method: 'GET', url: '/get_network_info' });
    expect(known.statusCode).toBe(405);
    expect(known.headers.allow).toBe('OPTIONS, POST');
    const unknown = await t.app.inject({ method: 'GET', url: '/no_such_method' });
    expect(unknown.statusCode).toBe(404);
  });
});
