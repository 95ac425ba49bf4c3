/**
 * An existing node-RPC client, used as its users use it: chia-agent's RPCAgent (npm chia-agent, MIT),
 * configured only with the gateway's host and port over plain HTTP (no certificates), calling the
 * gateway's node-RPC face (real listener) over the strict fake full node (real mutual TLS). It reads the
 * network, creates and finds a coin by name and by puzzle hash, spends it with push_tx, reads the spend
 * back, and prices a transaction; the node records no violation and no ban.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RPCAgent, setLogLevel } from 'chia-agent';
import {
  get_blockchain_state,
  get_additions_and_removals,
  get_block,
  get_blocks,
  get_coin_record_by_name,
  get_coin_records_by_puzzle_hash,
  get_fee_estimate,
  get_network_info_of_full_node,
  get_puzzle_and_solution,
  push_tx,
} from 'chia-agent/api/rpc/full_node/index.js';
import { coinId, sha256, toHex } from '../../src/chia/index.js';
import { startFakeNode, type FakeNode } from '../../fake-node/index.js';
import { configOver, listenOver, type AppOverNodes } from '../support/app-over-nodes.js';
import { IDENTITY_PUZZLE_HASH, NO_CONDITIONS, coinJson, identitySpend, nextTransactionBlock as nextBlock } from '../support/fake-node-coins.js';

const NETWORK = 'devnet';
/** The node's own default end of a height range (chia coin_store: 2^32 − 1), which chia-agent's types make callers pass. */
const NO_END = 0xffff_ffff;

let node: FakeNode;
let gateway: AppOverNodes;
let agent: RPCAgent;

beforeAll(async () => {
  setLogLevel('none');
  node = await startFakeNode({ network: NETWORK, chainLength: 60 });
  gateway = await listenOver(configOver([node], NETWORK, { linksPerRole: 1 }));
  const { hostname, port } = new URL(gateway.base);
  agent = new RPCAgent({ protocol: 'http', host: hostname, port: Number(port) });
});

afterAll(async () => {
  await gateway?.close();
  await node?.close();
});

const nextTransactionBlock = () => nextBlock(node, gateway);

/**
 * push_tx as a TypeScript user of chia-agent 10.1.0 must write it: its SpendBundle type names the
 * field `cons_spends` (a typo), while the node and the gateway take `coin_spends`, so the body is cast.
 */
const pushTx = (spend_bundle: unknown) => push_tx(agent, { spend_bundle } as unknown as Parameters<typeof push_tx>[1]);

describe('chia-agent RPCAgent against the gateway', () => {
  it('reads the network', async () => {
    expect(await get_network_info_of_full_node(agent)).toEqual({ network_name: NETWORK, network_prefix: 'txch', success: true });
  });

  it('finds a coin by name and by puzzle hash, spends it with push_tx and reads its puzzle and solution', async () => {
    const coin = node.chain.addCoin({ puzzle_hash: IDENTITY_PUZZLE_HASH, amount: 1_000n });
    const name = toHex(coinId(coin));
    const created = await nextTransactionBlock();

    const byName = await get_coin_record_by_name(agent, { name });
    expect(byName).toMatchObject({
      success: true,
      coin_record: { coin: coinJson(coin), coinbase: false, confirmed_block_index: created, spent: false, spent_block_index: 0 },
    });
    const byPuzzleHash = await get_coin_records_by_puzzle_hash(agent, {
      puzzle_hash: toHex(IDENTITY_PUZZLE_HASH),
      start_height: 0,
      end_height: NO_END,
      include_spent_coins: false,
    });
    expect(byPuzzleHash).toMatchObject({ success: true });
    expect('coin_records' in byPuzzleHash && byPuzzleHash.coin_records.map((r) => r.coin)).toContainEqual(coinJson(coin));

    const spend_bundle = identitySpend(coinJson(coin));
    expect(await pushTx(spend_bundle)).toEqual({ status: 'SUCCESS', success: true });
    expect(await pushTx(spend_bundle)).toEqual({ status: 'SUCCESS', success: true });
    const spentAt = await nextTransactionBlock();

    expect(await get_coin_record_by_name(agent, { name })).toMatchObject({ coin_record: { spent: true, spent_block_index: spentAt } });
    expect(await get_puzzle_and_solution(agent, { coin_id: name, height: spentAt })).toEqual({
      coin_solution: { coin: coinJson(coin), puzzle_reveal: '0x01', solution: NO_CONDITIONS },
      success: true,
    });
    expect(node.violations).toEqual([]);
    expect(node.bans).toEqual([]);
  });

  it("gets the node's failure envelope for a bundle the node refuses and for an unknown coin", async () => {
    const unknown = { parent_coin_info: toHex(sha256(Buffer.from('nobody'))), puzzle_hash: toHex(IDENTITY_PUZZLE_HASH), amount: 1 };
    const refused = await pushTx(identitySpend(unknown));
    expect(refused).toMatchObject({ success: false, error: expect.stringMatching(/^Failed to include transaction [0-9a-f]{64}, error UNKNOWN_UNSPENT$/) });
    const missing = toHex(sha256(Buffer.from('no such coin')));
    expect(await get_coin_record_by_name(agent, { name: missing })).toEqual({ success: false, error: `Coin record ${missing} not found` });
  });

  it('prices a transaction of a given cost', async () => {
    const fees = await get_fee_estimate(agent, { target_times: [60, 300], cost: 1_000_000 });
    expect(fees).toMatchObject({ success: true, target_times: [60, 300], full_node_synced: true });
    expect('estimates' in fees && fees.estimates).toHaveLength(2);
    expect(node.violations).toEqual([]);
  });

  it('reads the blockchain state and blocks', async () => {
    const peak = gateway.app.upstream.peak()!.height;
    const state = await get_blockchain_state(agent);
    expect(state).toMatchObject({ success: true, blockchain_state: { peak: { height: peak } } });
    const blocks = await get_blocks(agent, { start: 10, end: 12 });
    expect(blocks).toMatchObject({ success: true });
    expect('blocks' in blocks && blocks.blocks.map((b) => b.reward_chain_block.height)).toEqual([10, 11]);
    // The peak's block and its coins by the header hash the state names.
    const headerHash = 'blockchain_state' in state ? (state.blockchain_state.peak?.header_hash ?? '') : '';
    const block = await get_block(agent, { header_hash: headerHash });
    expect(block).toMatchObject({ success: true, block: { reward_chain_block: { height: peak } } });
    const coins = await get_additions_and_removals(agent, { header_hash: headerHash });
    expect(coins).toMatchObject({ success: true, additions: expect.any(Array), removals: expect.any(Array) });
    expect(node.violations).toEqual([]);
  });
});
