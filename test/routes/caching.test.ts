import { afterEach, describe, expect, it } from 'vitest';
import { MemoryUpstream } from '../../fake-node/in-memory/memory-upstream.js';
import { buildTestApp, type TestApp } from '../support/rest-helpers.js';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const TIP = 'public, max-age=10';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.app.close();
  t = undefined;
});

describe('HTTP caching', () => {
  it('marks blocks buried ≥ confirmations as immutable and tip blocks short-lived (peak 63, 32 confirmations)', async () => {
    t = await buildTestApp();
    const buried = await t.app.inject('/v1/blocks/31');
    expect(buried.headers['cache-control']).toBe(IMMUTABLE);
    const tip = await t.app.inject('/v1/blocks/32');
    expect(tip.headers['cache-control']).toBe(TIP);
    expect(tip.headers.vary).toBe('Accept');
    const range = await t.app.inject('/v1/headers?start=0&end=32');
    expect(range.headers['cache-control']).toBe(IMMUTABLE);
    const tipRange = await t.app.inject('/v1/headers?start=0&end=33');
    expect(tipRange.headers['cache-control']).toBe(TIP);
  });

  it('follows config.confirmations', async () => {
    t = await buildTestApp({ config: { confirmations: 6 } });
    expect((await t.app.inject('/v1/blocks/57')).headers['cache-control']).toBe(IMMUTABLE);
    expect((await t.app.inject('/v1/blocks/58')).headers['cache-control']).toBe(TIP);
  });

  it('uses the header hash as ETag, distinct per representation, and answers If-None-Match with 304', async () => {
    t = await buildTestApp();
    const json = await t.app.inject('/v1/blocks/4');
    const hash = json.headers['x-chia-header-hash'] as string;
    expect(json.headers.etag).toBe(`"${hash}"`);
    const chia = await t.app.inject('/v1/blocks/4?ints=number');
    const bytes = await t.app.inject({ url: '/v1/blocks/4', headers: { accept: 'application/octet-stream' } });
    expect(new Set([json.headers.etag, chia.headers.etag, bytes.headers.etag]).size).toBe(3);

    const notModified = await t.app.inject({ url: '/v1/blocks/4', headers: { 'if-none-match': `"${hash}"` } });
    expect(notModified.statusCode).toBe(304);
    expect(notModified.body).toBe('');
    expect(notModified.headers.etag).toBe(`"${hash}"`);
    expect(notModified.headers['cache-control']).toBe(IMMUTABLE);

    const weakList = await t.app.inject({ url: '/v1/blocks/4', headers: { 'if-none-match': `"x", W/"${hash}"` } });
    expect(weakList.statusCode).toBe(304);
    const otherVariant = await t.app.inject({
      url: '/v1/blocks/4?ints=number',
      headers: { 'if-none-match': `"${hash}"` },
    });
    expect(otherVariant.statusCode).toBe(200);
  });

  it('supports conditional requests on ranges and coins', async () => {
    t = await buildTestApp();
    const range = await t.app.inject('/v1/blocks?start=0&end=10');
    const again = await t.app.inject({ url: '/v1/blocks?start=0&end=10', headers: { 'if-none-match': range.headers.etag as string } });
    expect(again.statusCode).toBe(304);
    const additions = await t.app.inject('/v1/blocks/1/additions');
    const calls = t.upstream.calls.length;
    const cached = await t.app.inject({
      url: '/v1/blocks/1/additions',
      headers: { 'if-none-match': additions.headers.etag as string },
    });
    expect(cached.statusCode).toBe(304);
    // The validator is the header hash: no upstream request for a 304.
    expect(t.upstream.calls.length).toBe(calls);
  });
});

describe('block cache', () => {
  it('walking the chain costs one upstream request per aligned batch of 32', async () => {
    t = await buildTestApp();
    for (let h = 0; h < 64; h++) expect((await t.app.inject(`/v1/blocks/${h}`)).statusCode).toBe(200);
    expect(t.upstream.calls).toEqual(['getBlocks 0 31', 'getBlocks 32 63']);
  });

  it('clips the batch to the peak', async () => {
    t = await buildTestApp({ upstream: new MemoryUpstream({ peakHeight: 40 }) });
    await t.app.inject('/v1/blocks/35');
    expect(t.upstream.calls).toEqual(['getBlocks 32 40']);
  });

  it('shares one upstream request between concurrent misses of the same batch', async () => {
    t = await buildTestApp();
    t.upstream.delayMs = 50;
    const responses = await Promise.all([3, 4, 5, 3, 30].map((h) => t!.app.inject(`/v1/blocks/${h}`)));
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(t.upstream.calls).toEqual(['getBlocks 0 31']);
  });

  it('serves cached buried blocks while no link is ready', async () => {
    t = await buildTestApp();
    await t.app.inject('/v1/blocks/2');
    t.upstream.ready.full_node = false;
    expect((await t.app.inject('/v1/blocks/3')).statusCode).toBe(200);
  });

  it('counts hits and misses and cached bytes in the metrics and /v1/status', async () => {
    t = await buildTestApp();
    await t.app.inject('/v1/blocks/1');
    await t.app.inject('/v1/blocks/1');
    await t.app.inject('/v1/blocks/2');
    const metrics = await t.app.metrics.registry.getSingleMetricAsString('chia_gateway_cache_requests_total');
    expect(metrics).toContain('chia_gateway_cache_requests_total{kind="full",result="miss"} 1');
    expect(metrics).toContain('chia_gateway_cache_requests_total{kind="full",result="hit"} 2');
    const status = (await t.app.inject('/v1/status')).json() as { cache: Record<string, number> };
    expect(status.cache).toMatchObject({ entries: 32, hits: 2, misses: 1, upstream_batches: 1 });
    const bytes = (await t.app.metrics.cacheBytes.get()).values[0]?.value;
    expect(bytes).toBe(status.cache.bytes);
  });

  it('stays within config.cacheBytes', async () => {
    t = await buildTestApp({ config: { cacheBytes: 40_000 } });
    await t.app.inject('/v1/blocks?start=0&end=64');
    const status = (await t.app.inject('/v1/status')).json() as { cache: { bytes: number; entries: number } };
    expect(status.cache.bytes).toBeLessThanOrEqual(40_000);
    expect(status.cache.entries).toBeGreaterThan(0);
    expect(status.cache.entries).toBeLessThan(64);
  });
});

describe('reorg invalidation', () => {
  it('drops cached tip blocks above the fork point a new peak reports', async () => {
    t = await buildTestApp();
    const upstream = t.upstream;
    const before = await t.app.inject('/v1/blocks/60');
    const oldHash = before.headers['x-chia-header-hash'];
    // The chain reorganises from 58: heights 59–63 are replaced (here by other real blocks).
    const replacement = upstream.blocks[10];
    if (replacement === undefined) throw new Error('no block 10');
    upstream.replaceBlock(60, replacement);
    upstream.setPeak(upstream.peakAt(63, 58));
    const after = await t.app.inject('/v1/blocks/60');
    expect(after.headers['x-chia-header-hash']).toBe(replacement.full.header_hash);
    expect(after.headers['x-chia-header-hash']).not.toBe(oldHash);
    expect((after.json() as { header_hash: string }).header_hash).toBe(replacement.full.header_hash);
    // Blocks at or below the fork point stay cached.
    const calls = upstream.calls.length;
    await t.app.inject('/v1/blocks/58');
    expect(upstream.calls.length).toBe(calls);
  });

  it('keeps the cache when a peak merely extends the chain', async () => {
    t = await buildTestApp({ upstream: new MemoryUpstream({ peakHeight: 40 }) });
    await t.app.inject('/v1/blocks/35');
    t.upstream.setPeak(t.upstream.peakAt(41, 40));
    await t.app.inject('/v1/blocks/36');
    expect(t.upstream.calls).toEqual(['getBlocks 32 40']);
    // 41 was beyond the peak when its batch was fetched: only the uncached part of the batch is asked for.
    await t.app.inject('/v1/blocks/41');
    expect(t.upstream.calls).toEqual(['getBlocks 32 40', 'getBlocks 41 41']);
  });
});
