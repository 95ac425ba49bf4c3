/**
 * The core's wallet requests against the strict fake full node over real TLS: the two sides were
 * written from PROTOCOL.md §e.4 separately, so this pins that they agree (coin and puzzle states,
 * pages, children, puzzle solutions, transactions, fee estimates, the REORG reject), and that the node
 * recorded no violation and no ban.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { coinId, fromHex, sha256, toHex, type SpendBundle } from '../../../src/chia/codec/index.js';
import type { UpstreamManager } from '../../../src/chia/pool/upstream-manager.js';
import type { FakeNode } from '../../../fake-node/index.js';
import { eventually } from '../../support/eventually.js';
import { errorOf, makeManager, startNode } from '../../support/upstream-harness.js';

const ALL = { include_spent: true, include_unspent: true, include_hinted: true, min_amount: 0n };
const hashOf = (label: string) => sha256(Buffer.from(label));
const hex = toHex;

let node: FakeNode | undefined;
let manager: UpstreamManager | undefined;

afterEach(async () => {
  await manager?.close();
  await node?.close();
  node = undefined;
  manager = undefined;
});

async function start(): Promise<{ node: FakeNode; manager: UpstreamManager }> {
  node = await startNode({ chainLength: 60 });
  manager = makeManager({ nodes: [node], roles: ['wallet'] });
  await manager.start();
  await eventually('the wallet link ready with the peak', () => manager!.peak()?.height === node!.chain.height);
  return { node, manager };
}

/** Lets the manager see the node's new peak before asking about it. */
async function nextTransactionBlock(n: FakeNode, m: UpstreamManager): Promise<number> {
  const peak = n.chain.addTransactionBlock();
  await eventually('the manager follows the new peak', () => m.peak()?.height === peak.height);
  return peak.height;
}

describe('wallet requests against the fake node', () => {
  it('reads coin and puzzle states, children and the puzzle solution of a spend', async () => {
    const { node, manager } = await start();
    const owner = hashOf('owner');
    const hint = hashOf('hint');
    const coin = node.chain.addCoin({ puzzle_hash: owner, amount: 1_000n, hint });
    const id = coinId(coin);
    const createdAt = await nextTransactionBlock(node, manager);

    const page = await manager.getPuzzleStatePage([hex(owner)], ALL, null);
    expect(page.is_finished).toBe(true);
    expect(page.coin_states.map((s) => toHex(coinId(s.coin)))).toContain(toHex(id));
    const hinted = await manager.getPuzzleStatePage([hex(hint)], ALL, null);
    expect(hinted.coin_states.map((s) => toHex(coinId(s.coin)))).toEqual([toHex(id)]);
    const unhinted = await manager.getPuzzleStatePage([hex(hint)], { ...ALL, include_hinted: false }, null);
    expect(unhinted.coin_states).toEqual([]);

    const read = await manager.getCoinStates([hex(id)]);
    expect(read.coin_states).toHaveLength(1);
    expect(read.coin_states[0]).toMatchObject({ created_height: createdAt, spent_height: null });

    const [child] = node.chain.spendCoin(id, [{ puzzle_hash: hashOf('payee'), amount: 600n }]);
    const spentAt = await nextTransactionBlock(node, manager);
    const children = await manager.getChildren(hex(id));
    expect(children.map((s) => toHex(coinId(s.coin)))).toEqual([toHex(coinId(child!))]);
    const solution = await manager.getPuzzleSolution(hex(id), spentAt);
    expect(toHex(solution.coin_name)).toBe(toHex(id));
    expect(solution.height).toBe(spentAt);
    expect((await manager.getCoinStates([hex(id)])).coin_states[0]).toMatchObject({ spent_height: spentAt });

    expect(node.violations).toEqual([]);
    expect(node.bans).toEqual([]);
  });

  it('rejects a walk from a block that is not on the node\'s chain with STATE_REORG', async () => {
    const { node, manager } = await start();
    const error = await errorOf(manager.getPuzzleStatePage([hex(hashOf('owner'))], ALL, { height: 10, header_hash: hex(hashOf('elsewhere')) }));
    expect(error.code).toBe('STATE_REORG');
    expect(node.violations).toEqual([]);
  });

  it('sends a transaction and reports the node\'s verdict; asks for fee estimates', async () => {
    const { node, manager } = await start();
    const unknown = { parent_coin_info: hashOf('nobody'), puzzle_hash: hashOf('nothing'), amount: 1n };
    const bundle: SpendBundle = {
      coin_spends: [{ coin: unknown, puzzle_reveal: Uint8Array.of(1), solution: Uint8Array.of(0x80) }],
      aggregated_signature: fromHex(`c0${'00'.repeat(95)}`),
    };
    const sent = await manager.sendTransaction(bundle);
    expect(sent.acks).toEqual([expect.objectContaining({ status: 'FAILED', error: 'UNKNOWN_UNSPENT' })]);

    const now = Math.floor(Date.now() / 1000);
    const fees = await manager.getFeeEstimates([now + 60, now + 300]);
    expect(fees.estimates.map((e) => Number(e.time_target))).toEqual([now + 60, now + 300]);
    expect(node.violations).toEqual([]);
    expect(node.bans).toEqual([]);
  });
});
