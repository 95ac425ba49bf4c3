import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { coinId, fromHex, parseJson, sha256 as sha, toHex, types, type Coin } from '../../src/chia/index.js';
import { loadMainnetCoinRecords, coinOfRecord } from '../../fake-node/in-memory/memory-coin-set.js';
import { MemoryUpstream, MEMORY_PEER } from '../../fake-node/in-memory/memory-upstream.js';
import { fixtureFile } from '../../fixtures/files.js';
import { toAddress } from '../../src/coins/addresses.js';
import { FEE_ESTIMATES_TTL_MS } from '../../src/coins/fee-estimates.js';
import { buildTestApp, type ProblemJson, type TestApp } from '../support/rest-helpers.js';

const RECORDS = loadMainnetCoinRecords();
const FIRST = RECORDS[0]!;
const NODE_FIELDS = ['coin', 'coinbase', 'confirmed_block_index', 'spent', 'spent_block_index', 'timestamp'] as const;

type Json = Record<string, unknown>;
const body = (text: string) => parseJson(text) as Json;

/** A record's node fields as the fixture renders them (exact numbers). */
function nodeFields(record: Json): Json {
  return Object.fromEntries(NODE_FIELDS.map((field) => [field, record[field]]));
}
function fixtureFields(record: (typeof RECORDS)[number]): Json {
  const { _coin_id: _, ...fields } = record;
  return fields;
}

describe('GET /v1/coins/{coin_id}', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t.app.close());

  it('reproduces every real coin record of heights 0–63 field for field, ids recomputed', async () => {
    for (const record of RECORDS) {
      const id = toHex(coinId(coinOfRecord(record)));
      expect(id).toBe(record._coin_id);
      const res = await t.app.inject(`/v1/coins/${id}?ints=number`);
      expect(res.statusCode).toBe(200);
      const coinRecord = body(res.body).coin_record as Json;
      expect(nodeFields(coinRecord)).toEqual(fixtureFields(record));
      expect(coinRecord.coin_id).toBe(id);
    }
  });

  it('renders u64 as strings by default, shows the address and the read point', async () => {
    const res = await t.app.inject(`/v1/coins/${FIRST._coin_id}`);
    const json = res.json() as { coin_record: Json & { coin: Json }; peak: Json };
    expect(json.coin_record.coin.amount).toBe('18375000000000000000');
    expect(json.coin_record.timestamp).toBe('1616162525');
    expect(json.coin_record.address).toBe('xch16g76z3545xy2u4cgm52jyc7ymwyravn7m6unv9udfkvghreuuh7qa9cvfl');
    expect(json.peak).toEqual({ height: 63, header_hash: t.upstream.blocks[63]!.full.header_hash });
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('answers 404 COIN_NOT_FOUND for an unknown coin and 400 for a malformed id', async () => {
    const missing = await t.app.inject(`/v1/coins/0x${'ab'.repeat(32)}`);
    expect(missing.statusCode).toBe(404);
    expect((missing.json() as ProblemJson).code).toBe('COIN_NOT_FOUND');
    const bad = await t.app.inject('/v1/coins/0x1234');
    expect(bad.statusCode).toBe(400);
    expect((bad.json() as ProblemJson).code).toBe('INVALID_PARAMETER');
  });
});

describe('POST /v1/coins/query', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t.app.close());
  const query = (payload: Json, url = '/v1/coins/query?ints=number') => t.app.inject({ method: 'POST', url, payload });

  it('finds every fixture record by its puzzle hash, and by coin id, field for field', async () => {
    const puzzleHashes = [...new Set(RECORDS.map((r) => r.coin.puzzle_hash))];
    const byPuzzle = await query({ puzzle_hashes: puzzleHashes });
    expect(byPuzzle.statusCode).toBe(200);
    const json = body(byPuzzle.body);
    expect(json.next_cursor).toBeNull();
    const got = new Map((json.coin_records as Json[]).map((r) => [r.coin_id, nodeFields(r)]));
    expect(got.size).toBe(RECORDS.length);
    for (const record of RECORDS) expect(got.get(record._coin_id)).toEqual(fixtureFields(record));
    const byId = await query({ coin_ids: RECORDS.map((r) => r._coin_id) });
    expect((body(byId.body).coin_records as Json[]).length).toBe(RECORDS.length);
  });

  it('takes addresses of the configured network and refuses another network naming the prefix', async () => {
    const ok = await query({ puzzle_hashes: [toAddress(FIRST.coin.puzzle_hash, 'xch')] });
    expect((body(ok.body).coin_records as Json[]).map((r) => r.coin_id)).toContain(FIRST._coin_id);
    const wrong = await query({ puzzle_hashes: [toAddress(FIRST.coin.puzzle_hash, 'txch')] });
    expect(wrong.statusCode).toBe(400);
    const problem = wrong.json() as ProblemJson;
    expect(problem.code).toBe('ADDRESS_WRONG_NETWORK');
    expect(problem.detail).toContain('xch1');
    const garbage = await query({ puzzle_hashes: ['xch1notanaddress'] });
    expect((garbage.json() as ProblemJson).code).toBe('ADDRESS_INVALID');
  });

  it('applies start_height/end_height as confirmed height in [start, end) and min_amount', async () => {
    const all = RECORDS.map((r) => r.coin.puzzle_hash);
    const res = await query({ puzzle_hashes: [...new Set(all)], start_height: 5, end_height: 10, min_amount: '1000000000000' });
    const got = (body(res.body).coin_records as Json[]).map((r) => r.coin_id).sort();
    const want = RECORDS.filter((r) => r.confirmed_block_index >= 5 && r.confirmed_block_index < 10 && BigInt(r.coin.amount) >= 1_000_000_000_000n)
      .map((r) => r._coin_id)
      .sort();
    expect(got).toEqual(want);
    expect(want.length).toBeGreaterThan(0);
  });

  it('walks pages with next_cursor, following the node continuation, no coin missed or repeated', async () => {
    const upstream = new MemoryUpstream();
    // Pages as small as they can be: a node never splits a height, so a page must hold the fullest one.
    const perHeight = new Map<number, number>();
    for (const r of RECORDS) perHeight.set(r.confirmed_block_index, (perHeight.get(r.confirmed_block_index) ?? 0) + 1);
    upstream.pageItems = Math.max(...perHeight.values());
    const paged = await buildTestApp({ upstream });
    const puzzleHashes = [...new Set(RECORDS.map((r) => r.coin.puzzle_hash))];
    const seen: string[] = [];
    let cursor: string | null | undefined;
    let pages = 0;
    do {
      const res = await paged.app.inject({ method: 'POST', url: '/v1/coins/query', payload: { puzzle_hashes: puzzleHashes, ...(cursor ? { cursor } : {}) } });
      expect(res.statusCode).toBe(200);
      const json = res.json() as { coin_records: Json[]; next_cursor: string | null };
      seen.push(...json.coin_records.map((r) => r.coin_id as string));
      cursor = json.next_cursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBeGreaterThan(5);
    expect(seen.sort()).toEqual(RECORDS.map((r) => r._coin_id).sort());
    await paged.app.close();
  });

  it('answers 409 CURSOR_REORGED when the cursor block left the chain, 400 for a forged cursor', async () => {
    const cursor = Buffer.from(`10.${'ab'.repeat(32)}`).toString('base64url');
    const res = await query({ puzzle_hashes: [FIRST.coin.puzzle_hash], cursor });
    expect(res.statusCode).toBe(409);
    expect((res.json() as ProblemJson).code).toBe('CURSOR_REORGED');
    const forged = await query({ puzzle_hashes: [FIRST.coin.puzzle_hash], cursor: 'nope' });
    expect((forged.json() as ProblemJson).code).toBe('CURSOR_INVALID');
  });

  it('refuses no keys, too many keys, conflicting hints and an empty range', async () => {
    expect((((await query({})).json()) as ProblemJson).code).toBe('QUERY_NO_KEYS');
    const many = Array.from({ length: 501 }, (_, i) => `0x${i.toString(16).padStart(64, '0')}`);
    expect((((await query({ coin_ids: many })).json()) as ProblemJson).code).toBe('QUERY_TOO_MANY_KEYS');
    expect((((await query({ hints: [FIRST.coin.puzzle_hash], include_hinted: false })).json()) as ProblemJson).code).toBe('QUERY_FILTERS_CONFLICT');
    expect((((await query({ coin_ids: [FIRST._coin_id], start_height: 5, end_height: 5 })).json()) as ProblemJson).code).toBe('INVALID_RANGE');
  });

  it('finds coins hinted to a hint', async () => {
    const upstream = new MemoryUpstream();
    const hint = `0x${'cd'.repeat(32)}`;
    const coin: Coin = { parent_coin_info: fromHex(FIRST._coin_id), puzzle_hash: fromHex(`0x${'ef'.repeat(32)}`), amount: 1000n };
    const id = upstream.coins.add(coin, 40, [hint]);
    const hinted = await buildTestApp({ upstream });
    const res = await hinted.app.inject({ method: 'POST', url: '/v1/coins/query', payload: { hints: [hint] } });
    expect((res.json() as { coin_records: Json[] }).coin_records.map((r) => r.coin_id)).toEqual([id]);
    const plain = await hinted.app.inject({ method: 'POST', url: '/v1/coins/query', payload: { puzzle_hashes: [hint] } });
    expect((plain.json() as { coin_records: Json[] }).coin_records).toEqual([]);
    await hinted.app.close();
  });
});

describe('children, spends, transactions and fees', () => {
  let t: TestApp;
  const puzzle = new Uint8Array([0xff, 0x02, 0x80]);
  const solution = new Uint8Array([0x80]);
  let child: Coin;
  beforeAll(async () => {
    const upstream = new MemoryUpstream();
    upstream.coins.spend(FIRST._coin_id, 50, puzzle, solution);
    child = { parent_coin_info: fromHex(FIRST._coin_id), puzzle_hash: fromHex(FIRST.coin.puzzle_hash), amount: 7n };
    upstream.coins.add(child, 50);
    upstream.transactionPeers = [MEMORY_PEER, '127.0.0.2:8444'];
    t = await buildTestApp({ upstream });
  });
  afterAll(() => t.app.close());

  it('lists the children of a spent coin as records', async () => {
    const res = await t.app.inject(`/v1/coins/${FIRST._coin_id}/children`);
    expect(res.statusCode).toBe(200);
    const json = res.json() as { children: Json[] };
    expect(json.children.map((c) => c.coin_id)).toEqual([toHex(coinId(child))]);
    expect(json.children[0]).toMatchObject({ coinbase: false, confirmed_block_index: 50, spent: false });
  });

  it('serves the puzzle reveal and solution of a spent coin, 404 COIN_NOT_SPENT for an unspent one', async () => {
    const res = await t.app.inject(`/v1/coins/${FIRST._coin_id}/spend`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ spent_block_index: 50, coin_solution: { puzzle_reveal: '0xff0280', solution: '0x80' } });
    const unspent = await t.app.inject(`/v1/coins/${RECORDS[1]!._coin_id}/spend`);
    expect(unspent.statusCode).toBe(404);
    expect((unspent.json() as ProblemJson).code).toBe('COIN_NOT_SPENT');
  });

  const bundleOf = (coin: Coin) => ({
    coin_spends: [{ coin, puzzle_reveal: puzzle, solution }],
    aggregated_signature: new Uint8Array(96).fill(0xc0, 0, 1),
  });

  it('pushes a transaction as JSON and as bytes: txid and every ack, idempotent', async () => {
    const bundle = bundleOf(coinOfRecord(RECORDS[2]!));
    const payload = { spend_bundle: types.SpendBundle.toJson(bundle) };
    const first = await t.app.inject({ method: 'POST', url: '/v1/transactions', payload });
    expect(first.statusCode).toBe(200);
    const json = first.json() as { txid: string; status: string; acks: Json[] };
    expect(json.txid).toBe(toHex(sha(types.SpendBundle.encode(bundle))));
    expect(json.status).toBe('SUCCESS');
    expect(json.acks).toHaveLength(2);
    const again = await t.app.inject({
      method: 'POST',
      url: '/v1/transactions',
      headers: { 'content-type': 'application/octet-stream' },
      payload: Buffer.from(types.SpendBundle.encode(bundle)),
    });
    expect(again.statusCode).toBe(200);
    expect((again.json() as { txid: string }).txid).toBe(json.txid);
  });

  it('answers 400 TRANSACTION_REJECTED with the node errors when every peer refused, 400 for an undecodable bundle', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/transactions', payload: { spend_bundle: types.SpendBundle.toJson(bundleOf(coinOfRecord(FIRST))) } });
    expect(res.statusCode).toBe(400);
    const problem = res.json() as ProblemJson;
    expect(problem.code).toBe('TRANSACTION_REJECTED');
    expect(problem.detail).toContain('DOUBLE_SPEND');
    const bad = await t.app.inject({ method: 'POST', url: '/v1/transactions', headers: { 'content-type': 'application/octet-stream' }, payload: Buffer.from([1, 2, 3]) });
    expect((bad.json() as ProblemJson).code).toBe('TRANSACTION_INVALID');
  });

  it('answers 503 TRANSACTION_NOT_TAKEN_NOW with Retry-After when every peer only could not take it now, 400 when one judged it', async () => {
    const upstream = t.upstream as MemoryUpstream;
    const payload = { spend_bundle: types.SpendBundle.toJson(bundleOf(coinOfRecord(FIRST))) };
    try {
      upstream.ackOverrides.set(MEMORY_PEER, { status: 'FAILED', error: 'NO_TRANSACTIONS_WHILE_SYNCING' });
      upstream.ackOverrides.set('127.0.0.2:8444', { status: 'FAILED', error: 'Transaction queue full' });
      const later = await t.app.inject({ method: 'POST', url: '/v1/transactions', payload });
      expect(later.statusCode).toBe(503);
      expect(later.headers['retry-after']).toBe('30');
      const problem = later.json() as ProblemJson;
      expect(problem.code).toBe('TRANSACTION_NOT_TAKEN_NOW');
      expect(problem.detail).toContain('NO_TRANSACTIONS_WHILE_SYNCING');
      expect(problem.detail).toContain('Transaction queue full');
      // The other peer judges the bundle itself: DOUBLE_SPEND settles it.
      upstream.ackOverrides.delete('127.0.0.2:8444');
      const judged = await t.app.inject({ method: 'POST', url: '/v1/transactions', payload });
      expect(judged.statusCode).toBe(400);
      expect((judged.json() as ProblemJson).code).toBe('TRANSACTION_REJECTED');
    } finally {
      upstream.ackOverrides.clear();
    }
  });

  it('estimates fees for relative targets, turned into unix times', async () => {
    const before = Math.floor(Date.now() / 1000);
    const res = await t.app.inject('/v1/fees?target_times=60,300');
    expect(res.statusCode).toBe(200);
    const json = res.json() as { target_times: number[]; current_time: number; fee_estimates: { estimates: Json[] } };
    expect(json.target_times).toEqual([60, 300]);
    expect(json.current_time).toBeGreaterThanOrEqual(before);
    expect(json.fee_estimates.estimates[0]).toMatchObject({ time_target: String(json.current_time + 60), estimated_fee_rate: { mojos_per_clvm_cost: '5' } });
    expect(((await t.app.inject('/v1/fees?target_times=1,2,3,4,5,6')).json() as ProblemJson).code).toBe('FEE_TOO_MANY_TARGETS');
    expect(((await t.app.inject('/v1/fees?target_times=1e3')).json() as ProblemJson).code).toBe('INVALID_PARAMETER');
  });

  it(`answers the same targets from one node read for ${FEE_ESTIMATES_TTL_MS / 1000} s (the node takes 10 a minute), concurrent requests included`, async () => {
    const reads = () => t.upstream.calls.filter((c) => c.startsWith('getFeeEstimates')).length;
    const before = reads();
    const answers = await Promise.all([1, 2, 3].map(() => t.app.inject('/v1/fees?target_times=120,600')));
    const again = await t.app.inject('/v1/fees?target_times=120,600');
    expect(reads()).toBe(before + 1);
    for (const res of [...answers, again]) expect(res.json()).toEqual(answers[0]!.json());
    // Other targets are another read.
    await t.app.inject('/v1/fees?target_times=600,120');
    expect(reads()).toBe(before + 2);
    // A failed read is not kept: the next request reads again.
    t.upstream.failures.set('getFeeEstimates', 'UPSTREAM_TIMEOUT');
    try {
      expect((await t.app.inject('/v1/fees?target_times=7')).statusCode).toBe(504);
    } finally {
      t.upstream.failures.delete('getFeeEstimates');
    }
    expect((await t.app.inject('/v1/fees?target_times=7')).statusCode).toBe(200);
    expect(reads()).toBe(before + 4);
    vi.useFakeTimers({ now: Date.now() + FEE_ESTIMATES_TTL_MS, toFake: ['Date'] });
    try {
      await t.app.inject('/v1/fees?target_times=120,600');
      expect(reads()).toBe(before + 5);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('real data', () => {
  it('the get_additions_and_removals RPC example reproduces its coin ids', () => {
    const example = JSON.parse(readFileSync(fixtureFile('real/mainnet/rpc/docs2026_get_additions_and_removals_3339504.json'), 'utf8')) as {
      additions: { coin: { parent_coin_info: string; puzzle_hash: string; amount: number }; coinbase: boolean }[];
      removals: { coin: { parent_coin_info: string; puzzle_hash: string; amount: number } }[];
    };
    // Each removal is the parent of some additions: the recomputed ids of the removed coins are those parents.
    const removedIds = new Set(example.removals.map((r) => toHex(coinId(types.Coin.fromJson(r.coin)))));
    const parents = new Set(example.additions.filter((a) => !a.coinbase).map((a) => a.coin.parent_coin_info));
    expect(parents.size).toBeGreaterThan(0);
    for (const parent of parents) expect(removedIds.has(parent)).toBe(true);
  });
});

