/**
 * Coin lists in the block cache, through the routes: repeated, concurrent and reorged requests for
 * /v1/blocks/{height}/additions and /removals against the in-memory upstream, counting its calls.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { MemoryUpstream } from '../../fake-node/in-memory/memory-upstream.js';
import { buildTestApp, type TestApp } from '../support/rest-helpers.js';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const TIP = 'public, max-age=10';
/** Transaction blocks of mainnet 0–63 with coinbase coins: 25 is buried below peak 63, 60 is at the tip. */
const BURIED = 25;
const TIP_HEIGHT = 60;
const KINDS = ['additions', 'removals'] as const;
type Kind = (typeof KINDS)[number];
const METHOD = { additions: 'getAdditions', removals: 'getRemovals' } as const;

let t: TestApp | undefined;
afterEach(async () => {
  await t?.app.close();
  t = undefined;
});

function coinCalls(upstream: MemoryUpstream, kind: Kind): string[] {
  return upstream.calls.filter((c) => c.startsWith(METHOD[kind]));
}

describe('coin lists in the block cache', () => {
  for (const kind of KINDS) {
    it(`serves repeated ${kind} of a buried block without another upstream request, in both int modes`, async () => {
      t = await buildTestApp();
      const safe = await t.app.inject(`/v1/blocks/${BURIED}/${kind}`);
      const chia = await t.app.inject(`/v1/blocks/${BURIED}/${kind}?ints=number`);
      expect([safe.statusCode, chia.statusCode]).toEqual([200, 200]);
      expect(safe.headers['cache-control']).toBe(IMMUTABLE);
      expect(coinCalls(t.upstream, kind)).toHaveLength(1);
      const again = await t.app.inject(`/v1/blocks/${BURIED}/${kind}`);
      const againChia = await t.app.inject({ url: `/v1/blocks/${BURIED}/${kind}`, headers: { accept: 'application/json; ints=number' } });
      expect(again.body).toBe(safe.body);
      expect(again.headers['content-type']).toBe(safe.headers['content-type']);
      expect(againChia.body).toBe(chia.body);
      expect(coinCalls(t.upstream, kind)).toHaveLength(1);
    });
  }

  it('keeps the int modes apart: amounts as strings by default, exact numbers with ints=number', async () => {
    t = await buildTestApp();
    const chia = await t.app.inject(`/v1/blocks/1/additions?ints=number`);
    const safe = await t.app.inject(`/v1/blocks/1/additions`);
    expect(chia.body).toContain('"amount":18375000000000000000');
    expect(safe.body).toContain('"amount":"18375000000000000000"');
    expect(coinCalls(t.upstream, 'additions')).toHaveLength(1);
  });

  it('sends one upstream request for concurrent identical misses', async () => {
    t = await buildTestApp();
    t.upstream.delayMs = 50;
    const urls = ['', '?ints=number', '', '', '?ints=number'].map((q) => `/v1/blocks/44/additions${q}`);
    const responses = await Promise.all(urls.map((url) => t!.app.inject(url)));
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(responses.map((r) => r.body)).size).toBe(2);
    expect(coinCalls(t.upstream, 'additions')).toEqual([`getAdditions 44 ${t.upstream.blocks[44]?.full.header_hash}`]);
  });

  it('does not keep a failed fetch: the next request asks again', async () => {
    t = await buildTestApp();
    t.upstream.failures.set('getRemovals', 'UPSTREAM_TIMEOUT');
    expect((await t.app.inject(`/v1/blocks/${BURIED}/removals`)).statusCode).toBe(504);
    t.upstream.failures.clear();
    expect((await t.app.inject(`/v1/blocks/${BURIED}/removals`)).statusCode).toBe(200);
    expect((await t.app.inject(`/v1/blocks/${BURIED}/removals`)).statusCode).toBe(200);
    expect(coinCalls(t.upstream, 'removals')).toHaveLength(2);
  });

  it('counts coin list hits and misses by kind in the cache metrics', async () => {
    t = await buildTestApp();
    await t.app.inject(`/v1/blocks/${BURIED}/additions`);
    await t.app.inject(`/v1/blocks/${BURIED}/additions?ints=number`);
    await t.app.inject(`/v1/blocks/${BURIED}/additions`);
    await t.app.inject(`/v1/blocks/${BURIED}/removals`);
    const text = await t.app.metrics.registry.getSingleMetricAsString('chia_gateway_cache_requests_total');
    expect(text).toContain('chia_gateway_cache_requests_total{kind="additions",result="miss"} 1');
    expect(text).toContain('chia_gateway_cache_requests_total{kind="additions",result="hit"} 2');
    expect(text).toContain('chia_gateway_cache_requests_total{kind="removals",result="miss"} 1');
    const status = (await t.app.inject('/v1/status')).json() as { cache: { bytes: number } };
    expect((await t.app.metrics.cacheBytes.get()).values[0]?.value).toBe(status.cache.bytes);
  });

  it('stays within a tiny cache budget, fetching evicted coin lists again', async () => {
    const budget = 12_000;
    t = await buildTestApp({ config: { cacheBytes: budget } });
    const heights = [1, 5, 8, 11, 15, 16, 17, 23, 25, 27, 29];
    for (const h of heights) expect((await t.app.inject(`/v1/blocks/${h}/additions`)).statusCode).toBe(200);
    const status = (await t.app.inject('/v1/status')).json() as { cache: { bytes: number; entries: number } };
    expect(status.cache.bytes).toBeLessThanOrEqual(budget);
    expect(status.cache.entries).toBeGreaterThan(0);
    const before = coinCalls(t.upstream, 'additions').length;
    expect(before).toBe(heights.length);
    for (const h of heights) expect((await t.app.inject(`/v1/blocks/${h}/additions`)).statusCode).toBe(200);
    // Not everything fitted: some lists were evicted and fetched again, and the bound still holds.
    expect(coinCalls(t.upstream, 'additions').length).toBeGreaterThan(before);
    const after = (await t.app.inject('/v1/status')).json() as { cache: { bytes: number } };
    expect(after.cache.bytes).toBeLessThanOrEqual(budget);
  });
});

describe('coin lists of tip blocks across a reorg', () => {
  it('caches a tip list until a reorg replaces its block, then fetches the new block’s list', async () => {
    t = await buildTestApp();
    const upstream = t.upstream;
    const first = await t.app.inject(`/v1/blocks/${TIP_HEIGHT}/additions`);
    expect(first.headers['cache-control']).toBe(TIP);
    await t.app.inject(`/v1/blocks/${TIP_HEIGHT}/additions`);
    expect(coinCalls(upstream, 'additions')).toHaveLength(1);
    // The chain reorganises from 58: height 60 becomes another real transaction block.
    const replacement = upstream.blocks[BURIED];
    if (replacement === undefined) throw new Error(`no block ${BURIED}`);
    upstream.replaceBlock(TIP_HEIGHT, replacement);
    upstream.setPeak(upstream.peakAt(63, 58));
    const after = await t.app.inject(`/v1/blocks/${TIP_HEIGHT}/additions`);
    expect(after.statusCode).toBe(200);
    expect((after.json() as { header_hash: string }).header_hash).toBe(replacement.full.header_hash);
    expect(after.headers['x-chia-header-hash']).toBe(replacement.full.header_hash);
    expect(coinCalls(upstream, 'additions')).toEqual([
      `getAdditions ${TIP_HEIGHT} ${first.headers['x-chia-header-hash']}`,
      `getAdditions ${TIP_HEIGHT} ${replacement.full.header_hash}`,
    ]);
  });

  it('does not keep a list whose fetch was in flight when a reorg arrived', async () => {
    t = await buildTestApp();
    const upstream = t.upstream;
    await t.app.inject(`/v1/blocks/${TIP_HEIGHT}/header`);
    upstream.delayMs = 200;
    const pending = t.app.inject(`/v1/blocks/${TIP_HEIGHT}/removals`);
    await eventually('request_removals out', () => coinCalls(upstream, 'removals').length > 0);
    // A reorg notice (here the tip is re-announced) while request_removals is out.
    upstream.setPeak(upstream.peakAt(63, 58));
    expect((await pending).statusCode).toBe(200);
    upstream.delayMs = 0;
    expect((await t.app.inject(`/v1/blocks/${TIP_HEIGHT}/removals`)).statusCode).toBe(200);
    expect(coinCalls(upstream, 'removals')).toHaveLength(2);
  });

  it('keeps buried lists at or below the fork point', async () => {
    t = await buildTestApp();
    await t.app.inject(`/v1/blocks/${BURIED}/additions`);
    t.upstream.setPeak(t.upstream.peakAt(63, 58));
    await t.app.inject(`/v1/blocks/${BURIED}/additions`);
    expect(coinCalls(t.upstream, 'additions')).toHaveLength(1);
  });
});
