import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBlockList, headerHash, toHex, type Coin, type PayloadName, type PayloadOf } from '../../src/chia/codec/index.js';
import { NodeType } from '../../src/chia/protocol/message-rules.js';
import { startFakeNode, type FakeNode } from '../../fake-node/index.js';
import { connectRaw, type RawClient } from '../../fake-node/raw-client.js';

let node: FakeNode;
let full: RawClient;
let wallet: RawClient;
let nextId = 100;

beforeAll(async () => {
  node = await startFakeNode({ chainLength: 200, peers: [{ host: '192.0.2.7', port: 8444 }] });
  full = await connectRaw(node.url);
  wallet = await connectRaw(node.url);
  await full.handshake(NodeType.FULL_NODE);
  await wallet.handshake(NodeType.WALLET);
});
afterAll(async () => {
  full.close();
  wallet.close();
  await node.close();
});

/** Sends a request with a fresh id and returns the reply with that id. */
async function ask<N extends PayloadName>(c: RawClient, name: N, payload: PayloadOf<N>) {
  const id = nextId++;
  c.send(name, payload, id);
  return c.next((m) => m.id === id && m.name !== undefined);
}

describe('fake node: block requests (FULL_NODE)', () => {
  it('answers request_block with the chain block and the request id', async () => {
    const reply = await ask(full, 'request_block', { height: 42, include_transaction_block: true });
    expect(reply.name).toBe('respond_block');
    expect(reply.data).toEqual(node.chain.fullBlockBytes(42));
  });

  it('rejects request_block above the peak', async () => {
    const reply = await ask(full, 'request_block', { height: 5000, include_transaction_block: true });
    expect(reply.name).toBe('reject_block');
  });

  it('answers request_blocks spanning 32 (33 blocks) in height order, and strips generators on request', async () => {
    const reply = await ask(full, 'request_blocks', { start_height: 0, end_height: 32, include_transaction_block: false });
    expect(reply.name).toBe('respond_blocks');
    const list = decodeBlockList('RespondBlocks', reply.data);
    expect(list.blocks.map((b) => b.value.reward_chain_block.height)).toEqual(Array.from({ length: 33 }, (_, i) => i));
    for (const { value } of list.blocks) {
      expect(value.transactions_generator).toBeNull();
      expect(toHex(headerHash(value))).toBe(toHex(node.chain.headerHash(value.reward_chain_block.height)));
    }
  });

  it('rejects request_blocks over 32, reversed or beyond the peak', async () => {
    for (const [start, end] of [
      [0, 33],
      [10, 9],
      [190, 210],
    ] satisfies [number, number][]) {
      const reply = await ask(full, 'request_blocks', { start_height: start, end_height: end, include_transaction_block: true });
      expect(reply.name).toBe('reject_blocks');
    }
  });
});

describe('fake node: header requests (WALLET)', () => {
  it('answers request_block_header, and rejects above the peak', async () => {
    const ok = await ask(wallet, 'request_block_header', { height: 9 });
    expect(ok.name).toBe('respond_block_header');
    expect(ok.data).toEqual(node.chain.headerBlockBytes(9, true));
    expect((await ask(wallet, 'request_block_header', { height: 900 })).name).toBe('reject_header_request');
  });

  it('answers request_block_headers up to 129 headers, with or without filters', async () => {
    const reply = await ask(wallet, 'request_block_headers', { start_height: 10, end_height: 138, return_filter: false });
    expect(reply.name).toBe('respond_block_headers');
    const list = decodeBlockList('RespondBlockHeaders', reply.data);
    expect(list.blocks).toHaveLength(129);
    expect(list.blocks.every((b) => b.value.transactions_filter.length === 1)).toBe(true);
    const filtered = decodeBlockList('RespondBlockHeaders', (await ask(wallet, 'request_block_headers', { start_height: 12, end_height: 12, return_filter: true })).data);
    expect(filtered.blocks[0]!.value.transactions_filter.length).toBeGreaterThan(1);
    expect((await ask(wallet, 'request_block_headers', { start_height: 10, end_height: 139, return_filter: false })).name).toBe('reject_block_headers');
  });

  it('gives no reply to request_header_blocks with an invalid range, a reject when missing, blocks otherwise', async () => {
    wallet.send('request_header_blocks', { start_height: 5, end_height: 1 }, 7001);
    wallet.send('request_header_blocks', { start_height: 0, end_height: 33 }, 7002);
    const later = await ask(wallet, 'request_peers', {});
    expect(later.name).toBe('respond_peers');
    expect(wallet.received.some((m) => m.id === 7001 || m.id === 7002)).toBe(false);
    expect((await ask(wallet, 'request_header_blocks', { start_height: 190, end_height: 205 })).name).toBe('reject_header_blocks');
    const ok = await ask(wallet, 'request_header_blocks', { start_height: 0, end_height: 32 });
    expect(decodeBlockList('RespondHeaderBlocks', ok.data).blocks).toHaveLength(33);
  });
});

describe('fake node: coin requests (WALLET)', () => {
  it('lists the reward claims of a transaction block as additions grouped by puzzle hash', async () => {
    const reply = await ask(wallet, 'request_additions', { height: 30, header_hash: null, puzzle_hashes: null });
    expect(reply.name).toBe('respond_additions');
    const { value } = await wallet.nextNamed<{ header_hash: Uint8Array; coins: [Uint8Array, Coin[]][]; proofs: unknown }>('respond_additions', reply.id);
    expect(value.header_hash).toEqual(node.chain.headerHash(30));
    expect(value.proofs).toBeNull();
    const claims = node.chain.block(30).transactions_info!.reward_claims_incorporated;
    expect(value.coins.flatMap(([, coins]) => coins)).toEqual(claims);
    for (const [ph, coins] of value.coins) for (const coin of coins) expect(coin.puzzle_hash).toEqual(ph);
  });

  it('answers additions for given puzzle hashes, one entry each', async () => {
    const ph = node.chain.additions(30)[0]!.puzzle_hash;
    const reply = await ask(wallet, 'request_additions', { height: 30, header_hash: node.chain.headerHash(30), puzzle_hashes: [ph, new Uint8Array(32)] });
    const { value } = await wallet.nextNamed<{ coins: [Uint8Array, Coin[]][] }>('respond_additions', reply.id);
    expect(value.coins.map(([, c]) => c.length)).toEqual([1, 0]);
  });

  it('rejects additions for a non-transaction block, a wrong hash or an unknown height', async () => {
    expect((await ask(wallet, 'request_additions', { height: 31, header_hash: null, puzzle_hashes: null })).name).toBe('reject_additions_request');
    expect((await ask(wallet, 'request_additions', { height: 30, header_hash: node.chain.headerHash(29), puzzle_hashes: null })).name).toBe(
      'reject_additions_request',
    );
    expect((await ask(wallet, 'request_additions', { height: 9999, header_hash: null, puzzle_hashes: null })).name).toBe('reject_additions_request');
  });

  it('answers removals (none at this height) and rejects mismatches', async () => {
    const hash = node.chain.headerHash(33);
    const all = await ask(wallet, 'request_removals', { height: 33, header_hash: hash, coin_names: null });
    expect((await wallet.nextNamed('respond_removals', all.id)).value).toMatchObject({ height: 33, coins: [], proofs: null });
    const named = await ask(wallet, 'request_removals', { height: 33, header_hash: hash, coin_names: [new Uint8Array(32)] });
    expect((await wallet.nextNamed<{ coins: unknown[] }>('respond_removals', named.id)).value.coins).toEqual([[new Uint8Array(32), null]]);
    expect((await ask(wallet, 'request_removals', { height: 33, header_hash: new Uint8Array(32), coin_names: null })).name).toBe('reject_removals_request');
  });

  it('answers request_peers with the configured peers', async () => {
    const reply = await ask(full, 'request_peers', {});
    const { value } = await full.nextNamed<{ peer_list: { host: string; port: number }[] }>('respond_peers', reply.id);
    expect(value.peer_list).toMatchObject([{ host: '192.0.2.7', port: 8444 }]);
  });
});

describe('fake node: new peaks and reorgs', () => {
  it('announces a reorg to both node types with the fork point', async () => {
    const peak = node.chain.reorg(2);
    // The second announcement on each connection (the first came on connect).
    const second = (c: RawClient, name: string) => c.next((m) => m.name === name && c.received.filter((x) => x.name === name).indexOf(m) === 1);
    const w = await second(wallet, 'new_peak_wallet');
    const f = await second(full, 'new_peak');
    for (const frame of [w, f]) {
      const view = new DataView(frame.data.buffer, frame.data.byteOffset);
      expect(view.getUint32(32)).toBe(peak.height);
      expect(view.getUint32(52)).toBe(peak.fork_point_with_previous_peak);
    }
    expect(peak.fork_point_with_previous_peak).toBe(197);
    expect(node.violations).toEqual([]);
    expect(node.bans).toEqual([]);
  });
});
