import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson, stringifyJson } from '../../src/chia/codec/index.js';
import { fixtureFile } from '../../fixtures/files.js';
import { buildTestApp, type TestApp } from '../support/rest-helpers.js';

const pad = (h: number) => String(h).padStart(6, '0');
/** A conservative bound on one response header line: proxies commonly allow 4–8 KB for all of them. */
const HEADER_LINE_LIMIT = 256;
const fullBytes = (h: number) => readFileSync(fixtureFile('real/mainnet/full', `${pad(h)}.bin`));
const headerBytes = (h: number) => readFileSync(fixtureFile('real/mainnet/header', `${pad(h)}.bin`));
const referenceJson = (h: number) => parseJson(readFileSync(fixtureFile('real/mainnet/full-json', `${pad(h)}.json`), 'utf8'));
const hashes = readFileSync(fixtureFile('real/mainnet/index.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => `0x${line.split('\t')[1]}`);

/** True when every field of `expected` (recursively) is present in `actual` with the same value. */
function containsAll(actual: unknown, expected: unknown): boolean {
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object') return false;
    return Object.entries(expected).every(([key, value]) => containsAll((actual as Record<string, unknown>)[key], value));
  }
  return stringifyJson(actual) === stringifyJson(expected);
}

describe('GET /v1/blocks/{height}', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t.app.close());

  it('serves the full block as JSON with its header hash in the body and X-Chia-Header-Hash', async () => {
    const res = await t.app.inject('/v1/blocks/8');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['x-chia-header-hash']).toBe(hashes[8]);
    const body = res.json() as { height: number; header_hash: string; block: Record<string, unknown> };
    expect(body.height).toBe(8);
    expect(body.header_hash).toBe(hashes[8]);
    expect(Object.keys(body.block)[0]).toBe('finished_sub_slots');
  });

  it('renders u64/u128 as decimal strings by default', async () => {
    const res = await t.app.inject('/v1/blocks/1');
    const block = (res.json() as { block: { reward_chain_block: { weight: unknown; total_iters: unknown } } }).block;
    expect(block.reward_chain_block.weight).toBe('14');
    expect(block.reward_chain_block.total_iters).toBe('21087534');
  });

  it('renders exactly like the node RPC with ?ints=number (prefarm amount beyond 2^53 kept exact)', async () => {
    const res = await t.app.inject('/v1/blocks/1?ints=number');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('"amount":18375000000000000000');
    const block = (parseJson(res.body) as { block: unknown }).block;
    expect(containsAll(block, referenceJson(1))).toBe(true);
  });

  it('accepts the ints media-type parameter in Accept', async () => {
    const res = await t.app.inject({ url: '/v1/blocks/1', headers: { accept: 'application/json; ints=number' } });
    expect(res.body).toContain('"weight":14,');
    const block = (parseJson(res.body) as { block: unknown }).block;
    expect(containsAll(block, referenceJson(1))).toBe(true);
  });

  it('matches the reference JSON for every block 0–63 (both renderings agree on values)', async () => {
    for (let h = 0; h < 64; h++) {
      const res = await t.app.inject(`/v1/blocks/${h}?ints=number`);
      expect(containsAll((parseJson(res.body) as { block: unknown }).block, referenceJson(h)), `height ${h}`).toBe(true);
    }
  });

  it('returns the exact streamable bytes with Accept: application/octet-stream', async () => {
    for (const h of [0, 1, 36, 62]) {
      const res = await t.app.inject({ url: `/v1/blocks/${h}`, headers: { accept: 'application/octet-stream' } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/octet-stream');
      expect(res.headers['x-chia-header-hash']).toBe(hashes[h]);
      expect(Buffer.compare(res.rawPayload, fullBytes(h))).toBe(0);
    }
  });

  it('prefers the representation with the higher q value', async () => {
    const accept = 'application/json;q=0.5, application/octet-stream';
    const res = await t.app.inject({ url: '/v1/blocks/3', headers: { accept } });
    expect(res.headers['content-type']).toBe('application/octet-stream');
    const browser = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
    const json = await t.app.inject({ url: '/v1/blocks/3', headers: { accept: browser } });
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('answers HEAD without a body', async () => {
    const res = await t.app.inject({ method: 'HEAD', url: '/v1/blocks/2' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-chia-header-hash']).toBe(hashes[2]);
    expect(res.body).toBe('');
  });
});

describe('GET /v1/blocks?start&end', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t.app.close());

  it('returns start ≤ h < end in order, each with its header hash', async () => {
    const res = await t.app.inject('/v1/blocks?start=30&end=35');
    expect(res.statusCode).toBe(200);
    const body = res.json() as { start: number; end: number; blocks: { height: number; header_hash: string }[] };
    expect(body.start).toBe(30);
    expect(body.end).toBe(35);
    expect(body.blocks.map((b) => b.height)).toEqual([30, 31, 32, 33, 34]);
    expect(body.blocks.map((b) => b.header_hash)).toEqual(hashes.slice(30, 35));
    expect(res.headers['x-chia-first-header-hash']).toBe(hashes[30]);
    expect(res.headers['x-chia-last-header-hash']).toBe(hashes[34]);
    expect(res.headers['x-chia-header-hash']).toBeUndefined();
  });

  it('keeps its header lines short however long the range: the ends only, the full list in the body', async () => {
    for (const url of ['/v1/blocks?start=0&end=64', '/v1/headers?start=0&end=64']) {
      const res = await t.app.inject(url);
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-chia-first-header-hash']).toBe(hashes[0]);
      expect(res.headers['x-chia-last-header-hash']).toBe(hashes[63]);
      expect((res.json() as { blocks: { header_hash: string }[] }).blocks.map((b) => b.header_hash)).toEqual(hashes);
      // A header line per hash of 66 characters, whatever the number of blocks.
      for (const [name, value] of Object.entries(res.headers)) expect(`${name}: ${String(value)}`.length, name).toBeLessThan(HEADER_LINE_LIMIT);
    }
  });

  it('fetches upstream in aligned batches of at most 32 heights', async () => {
    const fresh = await buildTestApp();
    const res = await fresh.app.inject('/v1/blocks?start=10&end=64');
    expect(res.statusCode).toBe(200);
    expect(fresh.upstream.calls.sort()).toEqual(['getBlocks 0 31', 'getBlocks 32 63']);
    await fresh.app.close();
  });

  it('clips end to the peak + 1', async () => {
    const res = await t.app.inject('/v1/blocks?start=60&end=100');
    const body = res.json() as { end: number; blocks: unknown[] };
    expect(body.end).toBe(64);
    expect(body.blocks).toHaveLength(4);
  });

  it('returns a streamable List[FullBlock] as octet-stream', async () => {
    const res = await t.app.inject({ url: '/v1/blocks?start=0&end=3', headers: { accept: 'application/octet-stream' } });
    const count = Buffer.alloc(4);
    count.writeUInt32BE(3);
    expect(Buffer.compare(res.rawPayload, Buffer.concat([count, fullBytes(0), fullBytes(1), fullBytes(2)]))).toBe(0);
  });
});

describe('header blocks', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t.app.close());

  it('GET /v1/blocks/{height}/header serves the HeaderBlock over the wallet role', async () => {
    const res = await t.app.inject('/v1/blocks/8/header');
    expect(res.statusCode).toBe(200);
    const body = res.json() as { header_hash: string; block: { transactions_filter: string } };
    expect(body.header_hash).toBe(hashes[8]);
    expect(body.block.transactions_filter).toBe('0x0407c816265153a2330fc6b8');
    expect(t.upstream.calls).toEqual(['getHeaderBlocks 0 31']);
  });

  it('returns the exact HeaderBlock bytes', async () => {
    const res = await t.app.inject({ url: '/v1/blocks/8/header', headers: { accept: 'application/octet-stream' } });
    expect(Buffer.compare(res.rawPayload, headerBytes(8))).toBe(0);
  });

  it('GET /v1/headers returns a range of header blocks', async () => {
    const res = await t.app.inject('/v1/headers?start=0&end=64');
    expect(res.statusCode).toBe(200);
    const body = res.json() as { blocks: { header_hash: string }[] };
    expect(body.blocks.map((b) => b.header_hash)).toEqual(hashes);
  });
});
