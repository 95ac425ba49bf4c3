import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson } from '../../src/chia/codec/index.js';
import { MEMORY_PEER, MemoryUpstream, coinIdHex } from '../../fake-node/in-memory/memory-upstream.js';
import { buildTestApp, type TestApp } from '../support/rest-helpers.js';

interface CoinListBody {
  height: number;
  header_hash: string;
  additions?: { coin_id: string; coin: { parent_coin_info: string; puzzle_hash: string; amount: unknown } }[];
  removals?: unknown[];
}

describe('GET /v1/blocks/{height}/additions and /removals', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t.app.close());

  it('lists the coins block 1 created (the prefarm), amounts as strings by default', async () => {
    const res = await t.app.inject('/v1/blocks/1/additions');
    expect(res.statusCode).toBe(200);
    const body = res.json() as CoinListBody;
    expect(body.height).toBe(1);
    expect(body.header_hash).toBe('0x7357071bb77de2e98b9b1daf6b87f67dd8481fa144bcc03d331dba8664fc04f9');
    expect(res.headers['x-chia-header-hash']).toBe(body.header_hash);
    expect(body.additions?.map((c) => c.coin_id).sort()).toEqual([
      '0x1fd60c070e821d785b65e10e5135e52d12c8f4d902a506f48bc1c5268b7bb45b',
      '0xdce550a4341e5ec31c7e3fe5c6ab9801c66ed02689725939537d8d4492465800',
    ]);
    expect(body.additions?.map((c) => c.coin.amount).sort()).toEqual(['18375000000000000000', '2625000000000000000']);
  });

  it('renders amounts as exact numbers with ?ints=number', async () => {
    const res = await t.app.inject('/v1/blocks/1/additions?ints=number');
    expect(res.body).toContain('"amount":18375000000000000000');
    const body = parseJson(res.body) as CoinListBody;
    expect(body.additions?.map((c) => c.coin.amount)).toContain(18375000000000000000n);
  });

  it('coin ids match the coins', async () => {
    const res = await t.app.inject('/v1/blocks/5/additions');
    const body = res.json() as CoinListBody;
    const stored = t.upstream.additions.get(5) ?? [];
    expect(body.additions?.map((c) => c.coin_id)).toEqual(stored.map(coinIdHex));
  });

  it('lists the removals of a transaction block (none in blocks 0–63)', async () => {
    const res = await t.app.inject('/v1/blocks/1/removals');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ height: 1, removals: [] });
  });

  it('answers a non-transaction block with empty lists, without a coin request', async () => {
    t.upstream.calls.length = 0;
    const additions = await t.app.inject('/v1/blocks/2/additions');
    const removals = await t.app.inject('/v1/blocks/2/removals');
    expect(additions.json()).toMatchObject({ height: 2, additions: [] });
    expect(removals.json()).toMatchObject({ height: 2, removals: [] });
    expect(t.upstream.calls.filter((c) => !c.startsWith('getHeaderBlocks'))).toEqual([]);
  });

  it('resolves the header hash from a cached full block when there is one', async () => {
    const fresh = await buildTestApp();
    await fresh.app.inject('/v1/blocks/40');
    await fresh.app.inject('/v1/blocks/42/removals');
    expect(fresh.upstream.calls).toEqual([
      'getBlocks 32 63',
      'getRemovals 42 0x' + (fresh.upstream.blocks[42]?.full.header_hash.slice(2) ?? ''),
    ]);
    await fresh.app.close();
  });
});

describe('GET /v1/peak', () => {
  it('returns the best peak, weight as a string by default and a number with ints=number', async () => {
    const t = await buildTestApp();
    const res = await t.app.inject('/v1/peak');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-cache');
    const peak = t.upstream.peak();
    expect(res.json()).toEqual({
      height: 63,
      header_hash: '0x4080ba33d1520269e0d012ddb40e93a33b2c11158254e4b9fc168de53bdc49cc',
      weight: String(peak?.weight),
      fork_point_with_previous_peak: 62,
      peers: [MEMORY_PEER],
      received_at: peak?.received_at,
    });
    const numeric = await t.app.inject({ url: '/v1/peak', headers: { accept: 'application/json;ints=number' } });
    expect((numeric.json() as { weight: unknown }).weight).toBe(Number(peak?.weight));
    t.upstream.setPeak(t.upstream.peakAt(50, 49));
    expect((await t.app.inject('/v1/peak')).json()).toMatchObject({ height: 50 });
    await t.app.close();
  });
});

describe('GET /v1/status', () => {
  it('reports links per role, readiness, the peak and cache stats', async () => {
    const t = await buildTestApp({ upstream: new MemoryUpstream() });
    t.upstream.ready.wallet = false;
    const res = await t.app.inject('/v1/status');
    expect(res.statusCode).toBe(200);
    const body = res.json() as {
      network: string;
      links: { role: string; state: string; queued: number }[];
      ready: Record<string, boolean>;
      peak: { height: number; weight: string };
      cache: Record<string, number>;
    };
    expect(body.network).toBe('mainnet');
    expect(body.links.map((l) => [l.role, l.state])).toEqual([
      ['full_node', 'ready'],
      ['wallet', 'reconnecting'],
    ]);
    expect(body.links[0]?.queued).toBe(0);
    expect(body.ready).toEqual({ full_node: true, wallet: false });
    expect(body.peak.height).toBe(63);
    expect(typeof body.peak.weight).toBe('string');
    expect(body.cache).toMatchObject({ entries: 0, bytes: 0, hits: 0, misses: 0 });
    await t.app.close();
  });
});
