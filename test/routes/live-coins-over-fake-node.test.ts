/**
 * Live coin events end to end: the gateway (real upstream manager, its coin watch feeding the hub)
 * over the strict fake full node through mutual TLS, a WebSocket client subscribed to an address.
 * The client sees a coin arrive and get spent, each after its block's peak, then resumes after a drop
 * from its cursor and gets exactly what changed meanwhile; the node registered the key once and
 * recorded no violation and no ban.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coinId, sha256, toHex } from '../../src/chia/codec/index.js';
import { addressPrefix, toAddress } from '../../src/coins/addresses.js';
import { startFakeNode, type FakeNode } from '../../fake-node/index.js';
import { configOver, listenOver, type AppOverNodes } from '../support/app-over-nodes.js';
import { LiveClient } from '../live/live-app.js';

const NETWORK = 'devnet';

let node: FakeNode;
let gateway: AppOverNodes;
let wsUrl: string;
const opened: LiveClient[] = [];

beforeAll(async () => {
  node = await startFakeNode({ network: NETWORK, chainLength: 60 });
  gateway = await listenOver(configOver([node], NETWORK, { linksPerRole: 1 }));
  wsUrl = `${gateway.base.replace('http', 'ws')}/v1/ws`;
});

afterAll(async () => {
  for (const client of opened) client.ws.close();
  await gateway?.close();
  await node?.close();
});

interface CoinsData {
  height: number;
  coins: { coin_id: string; spent: boolean; spent_block_index: number | null }[];
}
type Message = { type: string; cursor?: string; data?: unknown };

async function subscribed(keys: Record<string, unknown>): Promise<LiveClient> {
  const client = new LiveClient(wsUrl);
  opened.push(client);
  await client.until((m) => m.some((x) => x.type === 'hello'), 'hello');
  client.send({ type: 'subscribe', topics: ['coins'], ...keys });
  await client.until((m) => m.some((x) => x.type === 'subscribed'), 'subscribed');
  return client;
}

const coinEvents = (client: LiveClient) => (client.messages as Message[]).filter((m) => m.type === 'coins').map((m) => m.data as CoinsData);

describe('live coins over the fake full node', () => {
  it('delivers a coin created and spent, after their peaks, and resumes from the cursor after a drop', async () => {
    const owner = sha256(Buffer.from('live owner'));
    const address = toAddress(owner, addressPrefix(NETWORK));
    const first = await subscribed({ puzzle_hashes: [address] });

    const coin = node.chain.addCoin({ puzzle_hash: owner, amount: 42n });
    const id = toHex(coinId(coin));
    const created = node.chain.addTransactionBlock().height;
    await first.until(() => coinEvents(first).some((e) => e.coins.some((c) => c.coin_id === id)), 'the coin created');
    const types = first.types();
    const peakOfBlock = (first.messages as Message[]).findIndex((m) => m.type === 'peak' && (m.data as { height: number }).height === created);
    expect(peakOfBlock).toBeGreaterThan(-1);
    expect(peakOfBlock).toBeLessThan(types.indexOf('coins'));

    const cursor = (first.messages as Message[]).filter((m) => m.type === 'coins').at(-1)!.cursor!;
    first.ws.close();
    node.chain.spendCoin(coinId(coin));
    const spent = node.chain.addTransactionBlock().height;

    const second = await subscribed({ puzzle_hashes: [address], cursor });
    const resumed = coinEvents(second).flatMap((e) => e.coins).filter((c) => c.coin_id === id);
    expect(resumed).toEqual([expect.objectContaining({ spent: true, spent_block_index: spent })]);
    expect(gateway.app.upstream.coinWatchStatus().messages['register_for_ph_updates']).toBe(1);
    expect(node.violations).toEqual([]);
    expect(node.bans).toEqual([]);
  });
});
