import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UpstreamError, type UpstreamErrorCode } from '../../src/chia/errors.js';
import { MemoryUpstream } from '../../fake-node/in-memory/memory-upstream.js';
import { buildTestApp, type ProblemJson, type TestApp } from '../support/rest-helpers.js';

const PROBLEM = 'application/problem+json; charset=utf-8';

let t: TestApp | undefined;
/** An app shared by the cases that leave no state behind (failed lookups cache nothing). */
let shared: TestApp | undefined;
afterEach(async () => {
  if (t !== shared) await t?.app.close();
  t = undefined;
  shared?.upstream.failures.clear();
  if (shared !== undefined) shared.upstream.calls.length = 0;
});
afterAll(async () => {
  await shared?.app.close();
});

/** Uses the shared app for the next `problem` call. */
async function useShared(): Promise<void> {
  shared ??= await buildTestApp();
  t = shared;
}

async function problem(url: string, setup?: (upstream: MemoryUpstream) => void, headers?: Record<string, string>) {
  t ??= await buildTestApp();
  setup?.(t.upstream);
  const res = await t.app.inject({ url, headers });
  expect(res.headers['content-type']).toBe(PROBLEM);
  const body = res.json() as ProblemJson;
  expect(body.status).toBe(res.statusCode);
  expect(body.type).toBe(`tag:chia-peer-gateway,2026:problem:${body.code}`);
  expect(body.instance).toBe(url.split('?')[0]);
  expect(typeof body.request_id).toBe('string');
  return { res, body };
}

describe('400 for bad parameters', () => {
  beforeEach(useShared);
  const cases: [string, string][] = [
    ['/v1/blocks/abc', 'INVALID_PARAMETER'],
    ['/v1/blocks/-1', 'INVALID_PARAMETER'],
    ['/v1/blocks/1.5', 'INVALID_PARAMETER'],
    ['/v1/blocks/0x10', 'INVALID_PARAMETER'],
    ['/v1/blocks/1e3', 'INVALID_PARAMETER'],
    ['/v1/blocks/%201', 'INVALID_PARAMETER'],
    ['/v1/blocks/4294967296', 'INVALID_PARAMETER'],
    ['/v1/blocks/99999999999999999999999', 'INVALID_PARAMETER'],
    ['/v1/blocks/1/header?ints=bogus', 'INVALID_PARAMETER'],
    ['/v1/blocks?start=1', 'INVALID_PARAMETER'],
    ['/v1/blocks?start=x&end=3', 'INVALID_PARAMETER'],
    ['/v1/headers?start=0&end=-2', 'INVALID_PARAMETER'],
    ['/v1/blocks?start=5&end=5', 'INVALID_RANGE'],
    ['/v1/blocks?start=6&end=5', 'INVALID_RANGE'],
    ['/v1/blocks?start=0&end=101', 'RANGE_TOO_LARGE'],
    ['/v1/headers?start=0&end=4294967295', 'RANGE_TOO_LARGE'],
    ['/v1/blocks/abc/additions', 'INVALID_PARAMETER'],
    ['/v1/blocks/4294967296/removals', 'INVALID_PARAMETER'],
  ];
  it.each(cases)('%s → %s', async (url, code) => {
    const { res, body } = await problem(url);
    expect(res.statusCode).toBe(400);
    expect(body.code).toBe(code);
  });

  it('says the limit in the range error', async () => {
    const { body } = await problem('/v1/blocks?start=0&end=500');
    expect(body.detail).toBe('at most 100 blocks per call: end − start is 500');
  });
});

describe('404', () => {
  it('for a height above the peak, without asking upstream', async () => {
    const { res, body } = await problem('/v1/blocks/64');
    expect(res.statusCode).toBe(404);
    expect(body.code).toBe('ABOVE_PEAK');
    expect(body.detail).toBe('height 64 is above the current peak (63)');
    expect(t?.upstream.calls).toEqual([]);
  });

  it('for a range starting above the peak', async () => {
    const { res, body } = await problem('/v1/headers?start=64&end=70');
    expect(res.statusCode).toBe(404);
    expect(body.code).toBe('ABOVE_PEAK');
  });

  it('for a block every peer rejects (after retrying the exact height)', async () => {
    const { res, body } = await problem('/v1/blocks/5', (u) => u.failures.set('getBlocks', 'UPSTREAM_REJECTED'));
    expect(res.statusCode).toBe(404);
    expect(body.code).toBe('BLOCK_NOT_FOUND');
    expect(body.detail).toBe('no block at height 5 is known to any ready peer');
    expect(t?.upstream.calls).toEqual(['getBlocks 0 31', 'getBlocks 5 5']);
  });


  it('for an unknown route', async () => {
    const { res, body } = await problem('/v1/nothing-here');
    expect(res.statusCode).toBe(404);
    expect(body.code).toBe('ROUTE_NOT_FOUND');
  });
});

describe('502 for coins of a known block the peer refuses', () => {
  it.each([
    ['additions', 'getAdditions'],
    ['removals', 'getRemovals'],
  ] as const)('%s', async (field, method) => {
    const { res, body } = await problem(`/v1/blocks/1/${field}`, (u) => u.failures.set(method, 'UPSTREAM_REJECTED'));
    expect(res.statusCode).toBe(502);
    expect(body.code).toBe('COINS_REFUSED');
    expect(body.detail).toMatch(new RegExp(`^the peer refused to list the ${field} of block 1 \\(0x[0-9a-f]{64}\\); a node refuses`));
    expect(res.body).not.toContain('on command');
  });
});

describe('406', () => {
  it('when Accept admits nothing the resource offers', async () => {
    const { res, body } = await problem('/v1/blocks/1', undefined, { accept: 'text/html' });
    expect(res.statusCode).toBe(406);
    expect(body.code).toBe('NOT_ACCEPTABLE');
  });

  it('for octet-stream on a JSON-only resource', async () => {
    const { res } = await problem('/v1/blocks/1/additions', undefined, { accept: 'application/octet-stream' });
    expect(res.statusCode).toBe(406);
  });
});

describe('upstream failures', () => {
  beforeEach(useShared);
  const cases: [UpstreamErrorCode, number, string][] = [
    ['UPSTREAM_INVALID_REPLY', 502, 'UPSTREAM_INVALID_REPLY'],
    ['LINK_CLOSED', 502, 'UPSTREAM_FAILED'],
    ['NO_READY_LINK', 503, 'NO_READY_LINK'],
    ['PACING_QUEUE_FULL', 503, 'UPSTREAM_BUSY'],
    ['PACING_TIMEOUT', 503, 'UPSTREAM_BUSY'],
    ['CLOSED', 503, 'SHUTTING_DOWN'],
    ['UPSTREAM_TIMEOUT', 504, 'UPSTREAM_TIMEOUT'],
  ];
  for (const [path, method] of [
    ['/v1/blocks/7', 'getBlocks'],
    ['/v1/blocks?start=0&end=40', 'getBlocks'],
    ['/v1/blocks/7/header', 'getHeaderBlocks'],
    ['/v1/headers?start=3&end=9', 'getHeaderBlocks'],
    ['/v1/blocks/1/additions', 'getAdditions'],
    ['/v1/blocks/1/removals', 'getRemovals'],
  ] as const) {
    it.each(cases)(`${path}: %s → %i %s`, async (upstreamCode, status, code) => {
      const { res, body } = await problem(path, (u) => u.failures.set(method, upstreamCode));
      expect(res.statusCode).toBe(status);
      expect(body.code).toBe(code);
      // 5xx bodies never carry internals (the upstream message, peer address, stack).
      expect(res.body).not.toContain('on command');
      expect(res.body).not.toContain('127.0.0.1');
      const retries = upstreamCode === 'NO_READY_LINK' || upstreamCode === 'PACING_QUEUE_FULL' || upstreamCode === 'PACING_TIMEOUT';
      expect(res.headers['retry-after']).toBe(retries ? '1' : undefined);
    });
  }

  it('503 UPSTREAM_BUSY, not 504, for a request still waiting for pacing, with Retry-After from when the window frees up', async () => {
    t = await buildTestApp();
    t.upstream.getBlocks = async () => {
      throw new UpstreamError('PACING_TIMEOUT', 'request_blocks waited for pacing', { retryAfterMs: 12_300 });
    };
    const { res, body } = await problem('/v1/blocks/7');
    expect(res.statusCode).toBe(503);
    expect(body.code).toBe('UPSTREAM_BUSY');
    expect(res.headers['retry-after']).toBe('13');
  });

  it('503 NO_READY_LINK when no link of the needed role is ready and nothing is cached', async () => {
    t = await buildTestApp();
    const { res, body } = await problem('/v1/blocks/3/header', (u) => {
      u.ready.wallet = false;
    });
    expect(res.statusCode).toBe(503);
    expect(body.code).toBe('NO_READY_LINK');
    expect(body.detail).toBe('no wallet link to a full node is ready');
  });

  it('502 when a peer sent bytes that do not decode, and the bad block is not kept', async () => {
    t = await buildTestApp();
    const good = t.upstream.blocks[9];
    if (good === undefined) throw new Error('no block 9');
    t.upstream.blocks[9] = { ...good, full: { ...good.full, bytes: good.full.bytes.subarray(0, 100) } };
    const first = await t.app.inject('/v1/blocks/9');
    expect(first.statusCode).toBe(502);
    expect((first.json() as ProblemJson).code).toBe('UPSTREAM_INVALID_REPLY');
    // The failure happened after the block's validators were set: the error carries none of them.
    expect(first.headers.etag).toBeUndefined();
    expect(first.headers['x-chia-header-hash']).toBeUndefined();
    expect(first.headers['cache-control']).toBe('no-store');
    const range = await t.app.inject('/v1/blocks?start=8&end=10');
    expect(range.statusCode).toBe(502);
    expect(range.headers['x-chia-first-header-hash']).toBeUndefined();
    expect(range.headers['x-chia-last-header-hash']).toBeUndefined();
    t.upstream.blocks[9] = good;
    const second = await t.app.inject('/v1/blocks/9');
    expect(second.statusCode).toBe(200);
  });

  it('502 when the coin reply is about another block', async () => {
    t = await buildTestApp();
    const upstream = t.upstream;
    const original = upstream.getAdditions.bind(upstream);
    upstream.getAdditions = async (height) => original(height + 4, null);
    const res = await t.app.inject('/v1/blocks/1/additions');
    expect(res.statusCode).toBe(502);
  });
});

describe('no peak yet', () => {
  it('GET /v1/peak → 503 NO_PEAK', async () => {
    t = await buildTestApp({ upstream: new MemoryUpstream({ peakHeight: null }) });
    const res = await t.app.inject('/v1/peak');
    expect(res.statusCode).toBe(503);
    expect((res.json() as ProblemJson).code).toBe('NO_PEAK');
    expect(res.headers['retry-after']).toBe('1');
  });

  it('block lookups → 503 NO_PEAK, or NO_READY_LINK when the role has no ready link', async () => {
    t = await buildTestApp({ upstream: new MemoryUpstream({ peakHeight: null }) });
    expect((await t.app.inject('/v1/blocks/1')).json()).toMatchObject({ status: 503, code: 'NO_PEAK' });
    t.upstream.ready.full_node = false;
    expect((await t.app.inject('/v1/blocks/1')).json()).toMatchObject({ status: 503, code: 'NO_READY_LINK' });
  });

  it('a role the gateway does not open → 503 ROLE_NOT_CONFIGURED, without Retry-After or an upstream call', async () => {
    t = await buildTestApp({ config: { roles: ['wallet'] } });
    for (const url of ['/v1/blocks/1', '/v1/blocks?start=0&end=3']) {
      const { res, body } = await problem(url);
      expect(res.statusCode).toBe(503);
      expect(body.code).toBe('ROLE_NOT_CONFIGURED');
      expect(body.detail).toBe('this gateway opens no full_node links (CHIA_GATEWAY_ROLES), which this resource needs');
      expect(res.headers['retry-after']).toBeUndefined();
    }
    expect((await t.app.inject('/v1/blocks/1/header')).statusCode).toBe(200);
    expect(t.upstream.calls.some((c) => c.startsWith('getBlocks'))).toBe(false);
  });
});

describe('unexpected errors', () => {
  it('500 with a generic message and no internals', async () => {
    t = await buildTestApp();
    t.app.get('/boom', async () => {
      throw new Error('secret internal detail');
    });
    const res = await t.app.inject('/boom');
    expect(res.statusCode).toBe(500);
    expect(res.headers['content-type']).toBe(PROBLEM);
    expect(res.json()).toMatchObject({ code: 'INTERNAL_ERROR', detail: 'an internal error occurred' });
    expect(res.body).not.toContain('secret');
  });

  it('Fastify 4xx errors keep their status as problem+json', async () => {
    t = await buildTestApp();
    // A route that takes a body says so in its schema (routes without one refuse bodies unread).
    t.app.post('/echo', { schema: { body: { type: 'object' } } }, async () => 'ok');
    const res = await t.app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/x-nope' }, payload: 'x' });
    expect(res.statusCode).toBe(415);
    expect(res.headers['content-type']).toBe(PROBLEM);
    expect(res.json()).toMatchObject({ status: 415, code: 'CLIENT_ERROR' });
  });
});
