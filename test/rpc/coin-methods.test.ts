/**
 * The node-RPC coin methods over the in-memory upstream (real mainnet blocks 0–63 and their coin
 * records): each answer compared field for field with the node's own records of the same coins
 * (fixtures/real/mainnet/coin_records_0_63.json), the node's defaults and error wording, the bound on
 * one answer, and every answer checked against its schema.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { UpstreamError, coinId, fromHex, parseJson, sha256, toHex, types, type Coin } from '../../src/chia/index.js';
import { coinOfRecord, loadMainnetCoinRecords } from '../../fake-node/in-memory/memory-coin-set.js';
import { MEMORY_FEE_RATE, MEMORY_PEER, MemoryUpstream } from '../../fake-node/in-memory/memory-upstream.js';
import { toAddress } from '../../src/coins/addresses.js';
import { MAX_RPC_COIN_RECORDS, MAX_RPC_FEE_TARGETS, MAX_RPC_PARENT_IDS } from '../../src/rpc/coin-methods.js';
import { rpcMethod } from '../../src/rpc/methods.js';
import { SHARED_SCHEMAS } from '../../schemas/index.js';
import { buildTestApp, type TestApp } from '../support/rest-helpers.js';

const RECORDS = loadMainnetCoinRecords();
const FIRST = RECORDS[0]!;
const PUZZLE_HASHES = [...new Set(RECORDS.map((r) => r.coin.puzzle_hash))];
const PUZZLE = new Uint8Array([0xff, 0x02, 0x80]);
const SOLUTION = new Uint8Array([0x80]);
/** The height the tests spend FIRST at (a block of the in-memory chain). */
const SPENT_AT = 50;

type Json = Record<string, unknown>;

/** The fixture record as the node wrote it, without the id the fixture notes beside it. */
function nodeRecord(record: (typeof RECORDS)[number]): Json {
  const { _coin_id: _, ...fields } = record;
  return fields;
}

/** Calls `method` and checks the answer: HTTP 200, and a success against the method's answer schema. */
async function rpc(t: TestApp, method: string, payload: Json): Promise<Json> {
  const res = await t.app.inject({ method: 'POST', url: `/${method}`, payload });
  expect(res.statusCode).toBe(200);
  const json = parseJson(res.body) as Json;
  if (json.success === true) expect(Value.Errors(rpcMethod(method)!.answer, SHARED_SCHEMAS, JSON.parse(res.body)).First()).toBeUndefined();
  return json;
}

const recordsById = (json: Json) => new Map((json.coin_records as Json[]).map((r) => [toHex(coinId(types.Coin.fromJson(r.coin))), r]));

describe('coin records, field for field with the node', () => {
  let t: TestApp;
  let child: Coin;
  beforeAll(async () => {
    const upstream = new MemoryUpstream();
    upstream.coins.spend(FIRST._coin_id, SPENT_AT, PUZZLE, SOLUTION);
    child = { parent_coin_info: fromHex(FIRST._coin_id), puzzle_hash: fromHex(FIRST.coin.puzzle_hash), amount: 7n };
    upstream.coins.add(child, SPENT_AT);
    t = await buildTestApp({ upstream });
  });
  afterAll(() => t.app.close());

  it('get_coin_record_by_name reproduces every real record of heights 0–63, spent or not', async () => {
    for (const record of RECORDS.slice(1)) {
      expect(await rpc(t, 'get_coin_record_by_name', { name: record._coin_id })).toEqual({ coin_record: nodeRecord(record), success: true });
    }
    const spent = await rpc(t, 'get_coin_record_by_name', { name: FIRST._coin_id.slice(2) });
    expect(spent).toEqual({ coin_record: { ...nodeRecord(FIRST), spent: true, spent_block_index: SPENT_AT }, success: true });
  });

  it('writes integers beyond 2^53 as exact JSON numbers', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/get_coin_record_by_name', payload: { name: RECORDS[1]!._coin_id } });
    expect(res.body).toContain(`"amount":${RECORDS[1]!.coin.amount}`);
    expect(String(RECORDS[1]!.coin.amount)).toBe('2625000000000000000');
  });

  it('get_coin_records_by_puzzle_hashes finds every unspent record by default, the spent one with include_spent_coins', async () => {
    const unspent = recordsById(await rpc(t, 'get_coin_records_by_puzzle_hashes', { puzzle_hashes: PUZZLE_HASHES }));
    expect(unspent.size).toBe(RECORDS.length); // the first record is spent, its child (same puzzle hash) is not
    for (const record of RECORDS.slice(1)) expect(unspent.get(record._coin_id)).toEqual(nodeRecord(record));
    expect(unspent.has(FIRST._coin_id)).toBe(false);
    const all = recordsById(await rpc(t, 'get_coin_records_by_puzzle_hashes', { puzzle_hashes: PUZZLE_HASHES, include_spent_coins: true }));
    expect(all.size).toBe(RECORDS.length + 1);
    expect(all.get(FIRST._coin_id)).toMatchObject({ spent: true, spent_block_index: SPENT_AT });
  });

  it('get_coin_records_by_puzzle_hash takes hex with or without 0x, or an address, and [start_height, end_height)', async () => {
    const target = RECORDS[5]!;
    const want = RECORDS.filter((r) => r.coin.puzzle_hash === target.coin.puzzle_hash && r.confirmed_block_index >= 5 && r.confirmed_block_index < 20);
    expect(want.length).toBeGreaterThan(0);
    for (const puzzle_hash of [target.coin.puzzle_hash, target.coin.puzzle_hash.slice(2), toAddress(target.coin.puzzle_hash, 'xch')]) {
      const got = recordsById(await rpc(t, 'get_coin_records_by_puzzle_hash', { puzzle_hash, start_height: 5, end_height: 20 }));
      expect([...got.keys()].sort()).toEqual(want.map((r) => r._coin_id).sort());
    }
    const empty = await rpc(t, 'get_coin_records_by_puzzle_hash', { puzzle_hash: target.coin.puzzle_hash, start_height: 20, end_height: 20 });
    expect(empty).toEqual({ coin_records: [], success: true });
  });

  it('get_coin_records_by_names answers the known ones, unspent by default', async () => {
    const names = [FIRST._coin_id, RECORDS[1]!._coin_id, RECORDS[2]!._coin_id, `0x${'ab'.repeat(32)}`];
    const got = recordsById(await rpc(t, 'get_coin_records_by_names', { names }));
    expect([...got.keys()].sort()).toEqual([RECORDS[1]!._coin_id, RECORDS[2]!._coin_id].sort());
    expect(got.get(RECORDS[2]!._coin_id)).toEqual(nodeRecord(RECORDS[2]!));
    const withSpent = recordsById(await rpc(t, 'get_coin_records_by_names', { names, include_spent_coins: true }));
    expect(withSpent.size).toBe(3);
  });

  it('get_coin_records_by_parent_ids answers the children of a spent coin', async () => {
    const got = await rpc(t, 'get_coin_records_by_parent_ids', { parent_ids: [FIRST._coin_id, RECORDS[1]!._coin_id] });
    expect(got).toEqual({
      coin_records: [
        {
          coin: { parent_coin_info: FIRST._coin_id, puzzle_hash: FIRST.coin.puzzle_hash, amount: 7 },
          coinbase: false,
          confirmed_block_index: SPENT_AT,
          spent: false,
          spent_block_index: 0,
          timestamp: expect.any(Number),
        },
      ],
      success: true,
    });
    const many = Array.from({ length: MAX_RPC_PARENT_IDS + 1 }, (_, i) => `0x${i.toString(16).padStart(64, '0')}`);
    const refused = await rpc(t, 'get_coin_records_by_parent_ids', { parent_ids: many });
    expect(refused).toEqual({ success: false, error: `at most ${MAX_RPC_PARENT_IDS} parent_ids per call (each is one request to a peer), got ${many.length}` });
  });

  it("answers the node's wording for a missing parameter and an unknown coin, and a clear one for bad input", async () => {
    const missing: [string, string][] = [
      ['get_coin_record_by_name', 'Name not in request'],
      ['get_coin_records_by_names', 'Names not in request'],
      ['get_coin_records_by_puzzle_hash', 'Puzzle hash not in request'],
      ['get_coin_records_by_puzzle_hashes', 'Puzzle hashes not in request'],
      ['get_coin_records_by_hint', 'Hint not in request'],
      ['get_coin_records_by_parent_ids', 'Parent IDs not in request'],
      ['push_tx', 'Spend bundle not in request'],
      ['get_fee_estimate', "Request must contain 'target_times' array"],
    ];
    for (const [method, error] of missing) expect(await rpc(t, method, {})).toEqual({ success: false, error });
    const unknown = `0x${'ab'.repeat(32)}`;
    expect(await rpc(t, 'get_coin_record_by_name', { name: unknown })).toEqual({ success: false, error: `Coin record ${unknown} not found` });
    expect(await rpc(t, 'get_coin_record_by_name', { name: '0x12' })).toEqual({ success: false, error: 'name must be 32 bytes of hex, got "0x12"' });
    const wrongNetwork = await rpc(t, 'get_coin_records_by_puzzle_hash', { puzzle_hash: toAddress(FIRST.coin.puzzle_hash, 'txch') });
    expect(wrongNetwork).toMatchObject({ success: false, error: expect.stringContaining('xch') });
    expect(await rpc(t, 'get_coin_records_by_names', { names: [FIRST._coin_id], start_height: -1 })).toMatchObject({
      success: false,
      error: expect.stringContaining('start_height must be a height'),
    });
    expect(await rpc(t, 'get_coin_records_by_names', { names: [FIRST._coin_id], include_spent_coins: 'yes' })).toMatchObject({ success: false });
  });

  it('get_puzzle_and_solution answers the CoinSpend at the spent height, "Invalid height" otherwise', async () => {
    const got = await rpc(t, 'get_puzzle_and_solution', { coin_id: FIRST._coin_id, height: SPENT_AT });
    expect(got).toEqual({ coin_solution: { coin: FIRST.coin, puzzle_reveal: toHex(PUZZLE), solution: toHex(SOLUTION) }, success: true });
    const wrong = await rpc(t, 'get_puzzle_and_solution', { coin_id: FIRST._coin_id, height: SPENT_AT + 1 });
    expect(wrong).toEqual({ success: false, error: `Invalid height ${SPENT_AT + 1}. coin record of ${FIRST._coin_id}: spent at ${SPENT_AT}` });
    const unspent = await rpc(t, 'get_puzzle_and_solution', { coin_id: RECORDS[1]!._coin_id, height: 1 });
    expect(unspent).toMatchObject({ success: false, error: expect.stringMatching(/^Invalid height 1\. coin record .*not spent$/) });
    const unknown = await rpc(t, 'get_puzzle_and_solution', { coin_id: `0x${'ab'.repeat(32)}`, height: 1 });
    expect(unknown).toEqual({ success: false, error: 'Invalid height 1. coin record None' });
  });
});

describe('get_coin_records_by_hint', () => {
  it('answers coins hinted to the hint, not coins whose puzzle hash it is', async () => {
    const upstream = new MemoryUpstream();
    const hint = FIRST.coin.puzzle_hash;
    const hinted: Coin = { parent_coin_info: fromHex(FIRST._coin_id), puzzle_hash: fromHex(`0x${'ef'.repeat(32)}`), amount: 1000n };
    const id = upstream.coins.add(hinted, 40, [hint]);
    const t = await buildTestApp({ upstream });
    const got = await rpc(t, 'get_coin_records_by_hint', { hint });
    expect([...recordsById(got).keys()]).toEqual([id]);
    expect(await rpc(t, 'get_coin_records_by_hint', { hint, end_height: 40 })).toEqual({ coin_records: [], success: true });
    await t.app.close();
  });
});

describe('a walk across pages', () => {
  it('reads every page of the node continuation, and starts again once when a reorg moves the chain under it', async () => {
    class ReorgOnce extends MemoryUpstream {
      reorgs = 0;
      override async getPuzzleStatePage(...args: Parameters<MemoryUpstream['getPuzzleStatePage']>) {
        if (args[2] !== null && this.reorgs++ === 0) throw new UpstreamError('STATE_REORG', 'the start point left the chain', { peer: MEMORY_PEER });
        return super.getPuzzleStatePage(...args);
      }
    }
    const upstream = new ReorgOnce();
    const perHeight = new Map<number, number>();
    for (const r of RECORDS) perHeight.set(r.confirmed_block_index, (perHeight.get(r.confirmed_block_index) ?? 0) + 1);
    upstream.pageItems = Math.max(...perHeight.values());
    const t = await buildTestApp({ upstream });
    const got = recordsById(await rpc(t, 'get_coin_records_by_puzzle_hashes', { puzzle_hashes: PUZZLE_HASHES }));
    expect([...got.keys()].sort()).toEqual(RECORDS.map((r) => r._coin_id).sort());
    expect(upstream.reorgs).toBeGreaterThan(1);
    expect(upstream.calls.filter((c) => c.startsWith('getPuzzleStatePage') && c.endsWith(' genesis'))).toHaveLength(2);
    await t.app.close();
  });
});

describe('the bound on one answer', () => {
  it(`answers success: false beyond ${MAX_RPC_COIN_RECORDS} records, never a cut list, and the narrowed request in full`, async () => {
    const upstream = new MemoryUpstream();
    const puzzleHash = fromHex(`0x${'77'.repeat(32)}`);
    for (let i = 0; i <= MAX_RPC_COIN_RECORDS; i++) {
      upstream.coins.add({ parent_coin_info: fromHex(`0x${i.toString(16).padStart(64, '0')}`), puzzle_hash: puzzleHash, amount: 1n }, i % 2 === 0 ? 40 : 41);
    }
    const t = await buildTestApp({ upstream });
    const over = await rpc(t, 'get_coin_records_by_puzzle_hash', { puzzle_hash: toHex(puzzleHash) });
    expect(over).toMatchObject({ success: false, error: expect.stringContaining(`more than ${MAX_RPC_COIN_RECORDS} coin records match`) });
    const narrowed = await rpc(t, 'get_coin_records_by_puzzle_hash', { puzzle_hash: toHex(puzzleHash), end_height: 41 });
    expect((narrowed.coin_records as Json[]).length).toBe(MAX_RPC_COIN_RECORDS / 2 + 1);
    await t.app.close();
  });
});

describe('push_tx and get_fee_estimate', () => {
  let t: TestApp;
  beforeAll(async () => {
    const upstream = new MemoryUpstream();
    upstream.coins.spend(FIRST._coin_id, SPENT_AT, PUZZLE, SOLUTION);
    upstream.transactionPeers = [MEMORY_PEER, '127.0.0.2:8444'];
    t = await buildTestApp({ upstream });
  });
  afterAll(() => t.app.close());

  const bundleJson = (record: (typeof RECORDS)[number]) =>
    types.SpendBundle.toJson({ coin_spends: [{ coin: coinOfRecord(record), puzzle_reveal: PUZZLE, solution: SOLUTION }], aggregated_signature: new Uint8Array(96).fill(0xc0, 0, 1) });

  it('push_tx answers {"status": "SUCCESS"} through the same push as POST /v1/transactions, again for the same bundle', async () => {
    const spend_bundle = bundleJson(RECORDS[3]!);
    expect(await rpc(t, 'push_tx', { spend_bundle })).toEqual({ status: 'SUCCESS', success: true });
    expect(await rpc(t, 'push_tx', { spend_bundle })).toEqual({ status: 'SUCCESS', success: true });
    expect(t.upstream.calls.filter((call) => call.startsWith('sendTransaction'))).toHaveLength(2);
  });

  it("push_tx answers the node's failure wording when every node refused, a clear error for an undecodable bundle", async () => {
    const spend_bundle = bundleJson(FIRST);
    const txid = toHex(sha256(types.SpendBundle.encode(types.SpendBundle.fromJson(spend_bundle))));
    expect(await rpc(t, 'push_tx', { spend_bundle })).toEqual({ success: false, error: `Failed to include transaction ${txid.slice(2)}, error DOUBLE_SPEND` });
    expect(await rpc(t, 'push_tx', { spend_bundle: { coin_spends: 'nope' } })).toMatchObject({ success: false, error: expect.stringContaining('spend bundle') });
  });

  it('get_fee_estimate prices a cost or a spend_type at each target time, sorted, with the current rate', async () => {
    const got = await rpc(t, 'get_fee_estimate', { target_times: [300, 60], cost: 1000 });
    expect(got).toMatchObject({
      estimates: [Number(MEMORY_FEE_RATE) * 1000, Number(MEMORY_FEE_RATE) * 1000],
      target_times: [60, 300],
      current_fee_rate: Number(MEMORY_FEE_RATE),
      full_node_synced: true,
      peak_height: 63,
      success: true,
    });
    // The last-block fields are those of the chain's last transaction block, read from its header.
    const last = t.upstream.blocks.findLast((b) => b.header.value.foliage_transaction_block !== null)!.header;
    const info = last.value.transactions_info!;
    expect(got).toMatchObject({
      last_tx_block_height: last.height,
      last_peak_timestamp: Number(last.value.foliage_transaction_block!.timestamp),
      last_block_cost: Number(info.cost),
      fees_last_block: Number(info.fees),
      fee_rate_last_block: info.cost > 0n ? Number(info.fees) / Number(info.cost) : 0,
    });
    expect(last.height).toBeGreaterThan(0);
    const call = t.upstream.calls.findLast((c) => c.startsWith('getFeeEstimates'))!;
    const [now1, now60, now300] = call.split(' ')[1]!.split(',').map(Number);
    expect([now60! - now1!, now300! - now1!]).toEqual([59, 299]);
    const typed = await rpc(t, 'get_fee_estimate', { target_times: [60], spend_type: 'send_xch_transaction', spend_count: 2 });
    expect(typed.estimates).toEqual([Number(MEMORY_FEE_RATE) * 9_401_710 * 2]);
  });

  it('get_fee_estimate refuses what peers cannot answer, in words', async () => {
    const both = await rpc(t, 'get_fee_estimate', { target_times: [60], cost: 1, spend_type: 'cat_spend' });
    expect(both).toEqual({ success: false, error: "Request must contain exactly one of ['spend_bundle', 'cost', 'spend_type']" });
    const bundle = await rpc(t, 'get_fee_estimate', { target_times: [60], spend_bundle: bundleJson(RECORDS[3]!) });
    expect(bundle).toMatchObject({ success: false, error: expect.stringContaining('give its cost') });
    const many = await rpc(t, 'get_fee_estimate', { target_times: Array.from({ length: MAX_RPC_FEE_TARGETS + 1 }, (_, i) => i * 60), cost: 1 });
    expect(many).toMatchObject({ success: false, error: expect.stringContaining(`at most ${MAX_RPC_FEE_TARGETS} target_times`) });
    expect(await rpc(t, 'get_fee_estimate', { target_times: [-1], cost: 1 })).toEqual({ success: false, error: "'target_times' array members must be non-negative" });
    expect(await rpc(t, 'get_fee_estimate', { target_times: [60], spend_type: 'nope' })).toMatchObject({ success: false, error: expect.stringContaining('unknown spend_type') });
  });
});
