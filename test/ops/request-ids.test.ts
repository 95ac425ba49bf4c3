import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type GatewayApp } from '../../src/app.js';
import { configWith } from '../../src/config.js';
import { requestIdGenerator } from '../../src/request-ids.js';
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
  });
});
