/**
 * The node-RPC chain methods over real sockets: the app (real upstream manager) listening on
 * 127.0.0.1, linked over mutual TLS to the strict fake full node, called with fetch as a node-RPC
 * client calls a node. The node records no violation and no ban.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson } from '../../src/chia/index.js';
import { startFakeNode, type FakeNode } from '../../fake-node/index.js';
import { configOver, listenOver, type AppOverNodes } from '../support/app-over-nodes.js';

const NETWORK = 'devnet';
type Json = Record<string, unknown>;

let node: FakeNode;
let gateway: AppOverNodes;

beforeAll(async () => {
  node = await startFakeNode({ network: NETWORK, chainLength: 40 });
  gateway = await listenOver(configOver([node], NETWORK, { linksPerRole: 1 }));
});

afterAll(async () => {
  await gateway?.close();
  await node?.close();
});

async function rpc(name: string, body: unknown): Promise<Json> {
  const res = await fetch(`${gateway.base}/rpc/${name}`, { method: 'POST', body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return parseJson(await res.text()) as Json;
}

describe('node-RPC chain methods over the fake full node', () => {
  it('answers the state, the peak block by its header hash, blocks and their coins, as /v1 serves them', async () => {
    const state = (await rpc('get_blockchain_state', {})).blockchain_state as Json;
    const peak = state.peak as Json;
    expect(peak.height).toBe(gateway.app.upstream.peak()?.height);

    const block = await rpc('get_block', { header_hash: peak.header_hash });
    expect(block.success).toBe(true);
    const rest = parseJson(await (await fetch(`${gateway.base}/v1/blocks/${String(peak.height)}?ints=number`)).text()) as Json;
    expect(block.block).toEqual(rest.block);

    const blocks = await rpc('get_blocks', { start: 0, end: 3 });
    const restRange = parseJson(await (await fetch(`${gateway.base}/v1/blocks?start=0&end=3&ints=number`)).text()) as { blocks: Json[] };
    expect((blocks.blocks as Json[]).map(({ header_hash, ...b }) => ({ header_hash: `0x${String(header_hash)}`, block: b }))).toEqual(
      restRange.blocks.map(({ header_hash, block: b }) => ({ header_hash, block: b })),
    );

    // The newest transaction block's coins: those /v1 lists, with their records.
    const tx = [...restRange.blocks].reverse().find((b) => (b.block as Json).foliage_transaction_block !== null);
    expect(tx).toBeDefined();
    const coins = await rpc('get_additions_and_removals', { header_hash: tx!.header_hash });
    expect(coins.success).toBe(true);
    const additions = parseJson(await (await fetch(`${gateway.base}/v1/blocks/${String(tx!.height)}/additions?ints=number`)).text()) as { additions: { coin: Json }[] };
    expect((coins.additions as { coin: Json }[]).map((r) => r.coin)).toEqual(additions.additions.map((a) => a.coin));
    expect(node.violations).toEqual([]);
    expect(node.bans).toEqual([]);
  });
});
