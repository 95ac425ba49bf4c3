/**
 * Coins, transactions and fees over real sockets: the app (real upstream manager) listening on
 * 127.0.0.1, linked over mutual TLS to the strict fake full node, queried with fetch. A coin is
 * created, looked up by id and by address, spent through POST /v1/transactions (the node takes the
 * bundle into its next block), and its children and spend read back; a bundle the node refuses is a
 * 400 naming the node's error, one it cannot take now (syncing, full mempool) a 503 with Retry-After.
 * The node records no violation and no ban.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coinId, sha256, toHex } from '../../src/chia/codec/index.js';
import { startFakeNode, type FakeNode } from '../../fake-node/index.js';
import { createCoinConditions } from '../../fake-node/clvm.js';
import { configOver, listenOver, type AppOverNodes } from '../support/app-over-nodes.js';
import { IDENTITY_PUZZLE_HASH, NO_CONDITIONS, NO_SIGNATURE, coinJson, identitySpend, nextTransactionBlock as nextBlock } from '../support/fake-node-coins.js';

const NETWORK = 'devnet';

let node: FakeNode;
let gateway: AppOverNodes;
let base: string;

beforeAll(async () => {
  node = await startFakeNode({ network: NETWORK, chainLength: 60 });
  gateway = await listenOver(configOver([node], NETWORK, { linksPerRole: 1 }));
  base = gateway.base;
});

afterAll(async () => {
  await gateway?.close();
  await node?.close();
});

const nextTransactionBlock = () => nextBlock(node, gateway);

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

describe('coins over the fake full node', () => {
  it('finds a new coin by id and by address, spends it with POST /v1/transactions, then reads its spend and children', async () => {
    const coin = node.chain.addCoin({ puzzle_hash: IDENTITY_PUZZLE_HASH, amount: 1_000n });
    const id = toHex(coinId(coin));
    const created = await nextTransactionBlock();

    const one = await fetch(`${base}/v1/coins/${id}?ints=number`);
    expect(one.status).toBe(200);
    const { coin_record: record } = (await one.json()) as { coin_record: Record<string, unknown> };
    expect(record).toMatchObject({ coin_id: id, coinbase: false, confirmed_block_index: created, spent: false, spent_block_index: 0 });
    expect(record.address).toMatch(/^txch1/);

    const byAddress = await post('/v1/coins/query', { puzzle_hashes: [record.address] });
    expect(byAddress.status).toBe(200);
    const page = (await byAddress.json()) as { coin_records: { coin_id: string }[]; next_cursor: string | null };
    expect(page.coin_records.map((r) => r.coin_id)).toContain(id);

    const spend = identitySpend(coinJson(coin));
    const pushed = await post('/v1/transactions', { spend_bundle: spend });
    expect(pushed.status).toBe(200);
    expect(await pushed.json()).toMatchObject({ status: 'SUCCESS', acks: [{ status: 'SUCCESS', error: null }] });
    const again = await post('/v1/transactions', { spend_bundle: spend });
    expect(again.status).toBe(200);

    const spentAt = await nextTransactionBlock();
    const after = (await (await fetch(`${base}/v1/coins/${id}`)).json()) as { coin_record: { spent: boolean; spent_block_index: number } };
    expect(after.coin_record).toMatchObject({ spent: true, spent_block_index: spentAt });
    const solution = await fetch(`${base}/v1/coins/${id}/spend`);
    expect(solution.status).toBe(200);
    expect(await solution.json()).toMatchObject({ coin_id: id, spent_block_index: spentAt, coin_solution: { puzzle_reveal: '0x01', solution: NO_CONDITIONS } });
    const children = await fetch(`${base}/v1/coins/${id}/children`);
    expect(children.status).toBe(200);
    expect((await children.json()) as { children: unknown[] }).toMatchObject({ children: [] });

    expect(node.violations).toEqual([]);
    expect(node.bans).toEqual([]);
  });

  it('answers 400 TRANSACTION_REJECTED with the node\'s error for a bundle spending an unknown coin', async () => {
    const unknown = { parent_coin_info: toHex(sha256(Buffer.from('nobody'))), puzzle_hash: toHex(IDENTITY_PUZZLE_HASH), amount: 1 };
    const res = await post('/v1/transactions', {
      spend_bundle: identitySpend(unknown),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const problem = (await res.json()) as { code: string; detail: string };
    expect(problem.code).toBe('TRANSACTION_REJECTED');
    expect(problem.detail).toContain('UNKNOWN_UNSPENT');
  });

  it('answers 503 TRANSACTION_NOT_TAKEN_NOW with Retry-After while the node syncs or its full mempool wants a higher fee', async () => {
    const coin = node.chain.addCoin({ puzzle_hash: IDENTITY_PUZZLE_HASH, amount: 1_000n });
    await nextTransactionBlock();
    // Pays no fee: its one child takes the whole amount.
    const solution = toHex(createCoinConditions([{ puzzle_hash: IDENTITY_PUZZLE_HASH, amount: coin.amount, hint: null }]));
    const spend = { spend_bundle: { coin_spends: [{ coin: coinJson(coin), puzzle_reveal: '0x01', solution }], aggregated_signature: NO_SIGNATURE } };
    const notNow = async (error: string) => {
      const res = await post('/v1/transactions', spend);
      expect(res.status).toBe(503);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      const problem = (await res.json()) as { code: string; detail: string };
      expect(problem.code).toBe('TRANSACTION_NOT_TAKEN_NOW');
      expect(problem.detail).toContain(error);
    };
    const { mempool } = node.chain;
    try {
      mempool.syncing = true;
      await notNow('NO_TRANSACTIONS_WHILE_SYNCING');
      mempool.syncing = false;
      // A full mempool takes no bundle without a fee.
      mempool.capacity = mempool.size;
      await notNow('INVALID_FEE_TOO_CLOSE_TO_ZERO');
    } finally {
      mempool.syncing = false;
      mempool.capacity = Number.POSITIVE_INFINITY;
    }
    expect((await post('/v1/transactions', spend)).status).toBe(200);
    expect(node.violations).toEqual([]);
  });

  it('answers fee estimates for relative target times, and 404 for a coin the chain does not have', async () => {
    const fees = await fetch(`${base}/v1/fees?target_times=60,300`);
    expect(fees.status).toBe(200);
    expect(await fees.json()).toMatchObject({ target_times: [60, 300] });
    const missing = await fetch(`${base}/v1/coins/${toHex(sha256(Buffer.from('no such coin')))}`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { code: string }).code).toBe('COIN_NOT_FOUND');
    expect(node.violations).toEqual([]);
  });
});
