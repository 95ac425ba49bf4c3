/**
 * Live coin events end to end: the gateway (real upstream manager, its coin watch feeding the hub)
 * over the strict fake full node through mutual TLS, a WebSocket client subscribed to an address.
 * The client sees a coin arrive and get spent, each after its block's peak, then resumes after a drop
 * from its cursor and gets exactly what changed meanwhile; the node registered the key once and
 * recorded no violation and no ban.
 *
 * Hinted coins: client A watches puzzle hash P, client B another puzzle hash Q, both registered on the
 * one wallet link; the node creates a coin with a third puzzle hash, hinted to P, and pushes it without
 * saying which hint matched. The gateway resolves the hint (a puzzle-state read over part of the link's
 * puzzle hashes): A, and an SSE client watching P, receive the coin live with `hint` P; B does not (it
 * first receives a later coin of its own); a resume from a cursor before the block, over both keys,
 * names the hint too. A coin whose own puzzle hash is watched and that is hinted to another puzzle hash
 * watched on the same link reaches the clients of the hint too (a late event, after the check), each
 * client once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coinId, sha256, toHex } from '../../src/chia/codec/index.js';
import { addressPrefix, toAddress } from '../../src/coins/addresses.js';
import { startFakeNode, type FakeNode } from '../../fake-node/index.js';
import { configOver, listenOver, type AppOverNodes } from '../support/app-over-nodes.js';
import { LiveClient } from '../live/live-app.js';
import { SseClient } from '../live/sse-client.js';

const NETWORK = 'devnet';

let node: FakeNode;
let gateway: AppOverNodes;
let wsUrl: string;
const opened: LiveClient[] = [];
const streams: SseClient[] = [];

beforeAll(async () => {
  node = await startFakeNode({ network: NETWORK, chainLength: 60 });
  gateway = await listenOver(configOver([node], NETWORK, { linksPerRole: 1 }));
  wsUrl = `${gateway.base.replace('http', 'ws')}/v1/ws`;
});

afterAll(async () => {
  for (const client of opened) client.ws.close();
  for (const stream of streams) stream.close();
  await gateway?.close();
  await node?.close();
});

interface CoinRecord {
  coin_id: string;
  coin: { puzzle_hash: string };
  confirmed_block_index: number | null;
  spent: boolean;
  spent_block_index: number | null;
  hint: string | null;
}
interface CoinsData {
  height: number;
  coins: CoinRecord[];
}
type Message = { type: string; cursor?: string | null; data?: unknown };

async function subscribed(keys: Record<string, unknown>): Promise<LiveClient> {
  const client = new LiveClient(wsUrl);
  opened.push(client);
  await client.until((m) => m.some((x) => x.type === 'hello'), 'hello');
  client.send({ type: 'subscribe', topics: ['coins'], ...keys });
  await client.until((m) => m.some((x) => x.type === 'subscribed'), 'subscribed');
  return client;
}

const coinEvents = (client: LiveClient) => (client.messages as Message[]).filter((m) => m.type === 'coins').map((m) => m.data as CoinsData);
const recordsOf = (client: LiveClient): CoinRecord[] => coinEvents(client).flatMap((e) => e.coins);

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

  it('delivers a coin hinted to a watched puzzle hash to its clients live (WebSocket and SSE) and on resume, with their hint, and no other client', async () => {
    const p = sha256(Buffer.from('hinted owner'));
    const q = sha256(Buffer.from('other owner'));
    const stranger = sha256(Buffer.from('hinted coin puzzle'));
    const pHex = toHex(p);

    const a = await subscribed({ puzzle_hashes: [toAddress(p, addressPrefix(NETWORK))] });
    const b = await subscribed({ puzzle_hashes: [toHex(q)] });
    const sse = new SseClient(`${gateway.base}/v1/events?puzzle_hashes=${pHex}`);
    streams.push(sse);
    await sse.until((s) => s.events.some((e) => e.data.type === 'subscribed'), 'SSE subscribed');
    // Where a client that saw nothing of the hinted coin resumes from.
    const before = (a.messages as Message[]).find((m) => m.type === 'subscribed')!.cursor!;
    expect(before).toEqual(expect.any(String));

    const hinted = node.chain.addCoin({ puzzle_hash: stranger, amount: 7n, hint: p });
    const hintedId = toHex(coinId(hinted));
    const height = node.chain.addTransactionBlock().height;

    const expected = expect.objectContaining({ coin_id: hintedId, coin: expect.objectContaining({ puzzle_hash: toHex(stranger) }), confirmed_block_index: height, hint: pHex });
    await a.until(() => recordsOf(a).some((r) => r.coin_id === hintedId), 'A gets the hinted coin');
    expect(recordsOf(a)).toEqual([expected]);
    // After its block's peak.
    const peakAt = (a.messages as Message[]).findIndex((m) => m.type === 'peak' && (m.data as { height: number }).height === height);
    expect(peakAt).toBeGreaterThan(-1);
    expect(peakAt).toBeLessThan(a.types().indexOf('coins'));

    await sse.until((s) => s.events.some((e) => e.data.type === 'coins'), 'SSE gets the hinted coin');
    const sseCoins = sse.events.filter((e) => e.data.type === 'coins').flatMap((e) => (e.data.data as unknown as CoinsData).coins);
    expect(sseCoins).toEqual([expected]);

    // B's own later coin proves B's stream has gone past the hinted block.
    const own = node.chain.addCoin({ puzzle_hash: q, amount: 9n });
    const ownId = toHex(coinId(own));
    const later = node.chain.addTransactionBlock().height;
    expect(later).toBeGreaterThan(height);
    await b.until(() => recordsOf(b).some((r) => r.coin_id === ownId), 'B gets its own coin');
    expect(recordsOf(b)).toEqual([expect.objectContaining({ coin_id: ownId, hint: null })]);

    // A resume over both keys bisects the hint as the live path does.
    const resumed = await subscribed({ puzzle_hashes: [pHex, toHex(q)], cursor: before });
    expect(recordsOf(resumed).filter((r) => r.coin_id === hintedId)).toEqual([expected]);
    expect(recordsOf(resumed).find((r) => r.coin_id === ownId)?.hint ?? null).toBeNull();

    // The live bisection read over part of the link's puzzle hashes.
    expect(gateway.app.upstream.coinWatchStatus().messages['request_puzzle_state']).toBeGreaterThanOrEqual(1);
    expect(node.violations).toEqual([]);
    expect(node.bans).toEqual([]);
  });

  it('a coin matched by its own watched puzzle hash and hinted to another watched on the same link reaches both sets of clients, each once', async () => {
    // As when an offer pays P and, in the same block, sends a CAT (its own puzzle hash C) hinted to P.
    const p = sha256(Buffer.from('offer taker'));
    const c = sha256(Buffer.from('cat outer puzzle'));
    const [pHex, cHex] = [toHex(p), toHex(c)];
    const byOwn = await subscribed({ puzzle_hashes: [cHex] });
    const byHint = await subscribed({ puzzle_hashes: [pHex] });
    const both = await subscribed({ puzzle_hashes: [pHex, cHex] });
    const sse = new SseClient(`${gateway.base}/v1/events?puzzle_hashes=${pHex}`);
    streams.push(sse);
    await sse.until((s) => s.events.some((e) => e.data.type === 'subscribed'), 'SSE subscribed');

    const cat = node.chain.addCoin({ puzzle_hash: c, amount: 1000n, hint: p });
    const change = node.chain.addCoin({ puzzle_hash: p, amount: 5n });
    const [catId, changeId] = [toHex(coinId(cat)), toHex(coinId(change))];
    const height = node.chain.addTransactionBlock().height;

    await byHint.until(() => recordsOf(byHint).some((r) => r.coin_id === catId), 'the hint’s client gets the CAT');
    await sse.until((s) => s.events.some((e) => e.data.type === 'coins' && JSON.stringify(e.data).includes(catId)), 'the SSE client of the hint gets it too');
    await byOwn.until(() => recordsOf(byOwn).some((r) => r.coin_id === catId), 'the own puzzle hash’s client gets it');
    await both.until(() => recordsOf(both).some((r) => r.coin_id === catId) && recordsOf(both).some((r) => r.coin_id === changeId), 'a client of both gets both coins');
    const catRecord = (hint: string | null) => expect.objectContaining({ coin_id: catId, confirmed_block_index: height, hint });
    expect(recordsOf(byHint).filter((r) => r.coin_id === catId)).toEqual([catRecord(pHex)]);
    expect(recordsOf(byHint).filter((r) => r.coin_id === changeId)).toEqual([expect.objectContaining({ hint: null })]);
    expect(recordsOf(byOwn)).toEqual([catRecord(null)]);
    // Once each, from the direct match.
    expect(recordsOf(both).map((r) => r.coin_id).sort()).toEqual([catId, changeId].sort());
    expect(node.violations).toEqual([]);
    expect(node.bans).toEqual([]);
  });
});
