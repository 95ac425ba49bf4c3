/**
 * The wallet requests through real wallet links (mutual TLS, the request router, pacing) to two
 * scripted peers whose answers follow PROTOCOL.md §e.4/§e.5: what the gateway sends, what it accepts,
 * a wrong answer retried on the other peer, state rejects typed, a puzzle-state walk kept on its peer,
 * a transaction sent to both peers at once, and the genesis challenge of an unknown network learnt
 * from block 0.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { coinId, fromHex, spendBundleName, toHex, type CoinState, type SpendBundle } from '../../../src/chia/codec/index.js';
import { NETWORKS } from '../../../src/chia/protocol/networks.js';
import { MAX_COIN_STATE_IDS, MAX_FEE_ESTIMATE_TARGETS } from '../../../src/chia/protocol/limits.js';
import type { UpstreamManager } from '../../../src/chia/pool/upstream-manager.js';
import { FakeChain } from '../../../fake-node/chain.js';
import { eventually } from '../../support/eventually.js';
import { ScriptedPeer, type Received, type ScriptedPeak, type ScriptedReply } from '../../support/scripted-peer.js';
import { errorOf, makeManager } from '../../support/upstream-harness.js';

const PEAK = { height: 100, header_hash: new Uint8Array(32).fill(0xaa) };
const hashOf = (n: number) => new Uint8Array(32).fill(n);
const coin = (parent: Uint8Array, puzzle: Uint8Array, amount: bigint) => ({ parent_coin_info: parent, puzzle_hash: puzzle, amount });
const ALL = { include_spent: true, include_unspent: true, include_hinted: false, min_amount: 0n };
const P = (r: Received) => r.payload;

let peers: ScriptedPeer[] = [];
let manager: UpstreamManager | undefined;

afterEach(async () => {
  await manager?.close();
  await Promise.all(peers.map((p) => p.close()));
  peers = [];
  manager = undefined;
});

/** Two scripted peers answering with `script`, and a wallet-only manager ready on both. */
async function start(script: (r: Received, peer: number) => ScriptedReply | Promise<ScriptedReply>, network = 'mainnet', peak: ScriptedPeak = PEAK) {
  peers = await Promise.all([0, 1].map((i) => ScriptedPeer.start({ peak, script: (r) => script(r, i), network })));
  manager = makeManager({ nodes: peers, roles: ['wallet'], network });
  await manager.start();
  await eventually('both wallet links ready with a peak', () => manager!.status().links.every((l) => l.state === 'ready' && l.peak !== null));
  return manager;
}

const asked = (name: string) => peers.flatMap((p, i) => p.requests.filter((r) => r.name === name).map((r) => ({ peer: i, r })));

describe('coin states', () => {
  it("asks from genesis without subscribing, each id once, and returns the states as of the answering peer's peak", async () => {
    const c = coin(hashOf(1), hashOf(2), 1_000n);
    const state: CoinState = { coin: c, created_height: 10, spent_height: null };
    const m = await start((r) => (r.name === 'request_coin_state' ? { name: 'respond_coin_state', payload: { coin_ids: P(r).coin_ids, coin_states: [state] } } : undefined));
    const id = toHex(coinId(c));
    const read = await m.getCoinStates([id, id.toUpperCase().replace('0X', '0x'), toHex(hashOf(9))]);
    expect(read.coin_states).toEqual([state]);
    expect(read.at).toEqual({ height: PEAK.height, header_hash: toHex(PEAK.header_hash) });
    const [{ r, peer }] = asked('request_coin_state') as [{ r: Received; peer: number }];
    expect(read.peer).toBe(peers[peer]!.address);
    expect(r.payload).toEqual({ coin_ids: [coinId(c), hashOf(9)], previous_height: null, header_hash: fromHex(NETWORKS.mainnet!.genesisChallenge), subscribe: false });
  });

  it('retries an answer holding a coin not asked for on the other peer', async () => {
    let calls = 0;
    const m = await start((r) => {
      if (r.name !== 'request_coin_state') return undefined;
      const wrong = calls++ === 0 ? [{ coin: coin(hashOf(5), hashOf(5), 1n), created_height: 3, spent_height: null }] : [];
      return { name: 'respond_coin_state', payload: { coin_ids: P(r).coin_ids, coin_states: wrong } };
    });
    const read = await m.getCoinStates([toHex(hashOf(9))]);
    expect(read.coin_states).toEqual([]);
    const [first, second] = asked('request_coin_state');
    expect(second!.peer).not.toBe(first!.peer);
    expect(read.peer).toBe(peers[second!.peer]!.address);
  });

  it.each([
    [0, 'STATE_REORG'],
    [1, 'SUBSCRIPTION_LIMIT'],
  ])('a reject_coin_state of reason %i is %s, not retried', async (reason, code) => {
    const m = await start((r) => (r.name === 'request_coin_state' ? { name: 'reject_coin_state', payload: { reason } } : undefined));
    expect(await errorOf(m.getCoinStates([toHex(hashOf(9))]))).toMatchObject({ code });
    expect(asked('request_coin_state')).toHaveLength(1);
  });

  it('refuses more ids than the node reads before sending anything', async () => {
    const m = await start(() => undefined);
    const ids = Array.from({ length: MAX_COIN_STATE_IDS + 1 }, (_, i) => i.toString(16).padStart(64, '0'));
    expect(await errorOf(m.getCoinStates(ids))).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(asked('request_coin_state')).toHaveLength(0);
  });
});

describe('a puzzle-state walk', () => {
  const ph = hashOf(2);
  /** Pages of the peer's chain: up to height 50 first, then to the peak. */
  const page = (r: Received): ScriptedReply => {
    const start = P(r).previous_height as number | null;
    const first = start === null;
    const states = first ? [{ coin: coin(hashOf(1), ph, 5n), created_height: 20, spent_height: null }] : [{ coin: coin(hashOf(3), ph, 6n), created_height: 60, spent_height: 70 }];
    return {
      name: 'respond_puzzle_state',
      payload: { puzzle_hashes: P(r).puzzle_hashes, height: first ? 50 : PEAK.height, header_hash: first ? hashOf(0x50) : PEAK.header_hash, is_finished: !first, coin_states: states },
    };
  };

  it('continues on the peer that served the previous page, even when the other is less busy', async () => {
    let release: (() => void) | undefined;
    const m = await start((r) => {
      if (r.name === 'request_puzzle_state') return page(r);
      // The first peer holds request_children until released, so the walk's first page goes to the second.
      if (r.name === 'request_children') return new Promise<ScriptedReply>((resolve) => (release = () => resolve({ name: 'respond_children', payload: { coin_states: [] } })));
      return undefined;
    });
    const held = m.getChildren(toHex(hashOf(1)));
    await eventually('the first peer holds request_children', () => release !== undefined);
    const holder = asked('request_children')[0]!.peer;
    const one = await m.getPuzzleStatePage([toHex(ph)], ALL, null);
    expect(one.peer).toBe(peers[1 - holder]!.address);
    expect(one).toMatchObject({ is_finished: false, next: { height: 50, header_hash: toHex(hashOf(0x50)) } });
    expect(asked('request_puzzle_state')[0]!.r.payload).toMatchObject({ previous_height: null, header_hash: fromHex(NETWORKS.mainnet!.genesisChallenge), subscribe_when_finished: false, filters: ALL });
    release!();
    await held;

    // Both links idle now: without the walk's memory, the first slot's link would get the page.
    const two = await m.getPuzzleStatePage([toHex(ph)], ALL, one.next);
    expect(two.peer).toBe(one.peer);
    expect(two).toMatchObject({ is_finished: true, next: { height: PEAK.height, header_hash: toHex(PEAK.header_hash) } });
    expect(asked('request_puzzle_state')[1]!.r.payload).toMatchObject({ previous_height: 50, header_hash: hashOf(0x50) });
  });

  it("goes to another peer when the walk's peer is gone, where a chain without the start point is STATE_REORG", async () => {
    const m = await start((r) => (r.name !== 'request_puzzle_state' ? undefined : P(r).previous_height === null ? page(r) : { name: 'reject_puzzle_state', payload: { reason: 0 } }));
    const one = await m.getPuzzleStatePage([toHex(ph)], ALL, null);
    await peers.find((p) => p.address === one.peer)!.close();
    expect(await errorOf(m.getPuzzleStatePage([toHex(ph)], ALL, one.next))).toMatchObject({ code: 'STATE_REORG', peer: peers.find((p) => p.address !== one.peer)!.address });
  });
});

describe('a transaction', () => {
  const bundle: SpendBundle = {
    coin_spends: [{ coin: coin(hashOf(1), hashOf(2), 1_000n), puzzle_reveal: Uint8Array.of(0x80), solution: Uint8Array.of(0x80) }],
    aggregated_signature: Uint8Array.of(0xc0, ...new Uint8Array(95)),
  };
  const txid = spendBundleName(bundle);

  it("goes to every ready peer at once, and every ack comes back with the bundle's name", async () => {
    const m = await start((r, i) =>
      r.name === 'send_transaction' ? { name: 'transaction_ack', payload: { txid: spendBundleName(P(r).transaction as SpendBundle), status: i === 0 ? 1 : 3, error: i === 0 ? null : 'DOUBLE_SPEND' } } : undefined,
    );
    const sent = await m.sendTransaction(bundle);
    expect(sent.txid).toBe(toHex(txid));
    expect(sent.acks.sort((a, b) => a.peer.localeCompare(b.peer))).toEqual(
      [
        { peer: peers[0]!.address, status: 'SUCCESS', error: null },
        { peer: peers[1]!.address, status: 'FAILED', error: 'DOUBLE_SPEND' },
      ].sort((a, b) => a.peer.localeCompare(b.peer)),
    );
    expect(asked('send_transaction').map((a) => a.peer).sort()).toEqual([0, 1]);
  });

  it('leaves out a peer that drops; goes to as many peers as asked; none acking this bundle is the failure', async () => {
    const m = await start((r, i) => (r.name !== 'send_transaction' ? undefined : i === 0 ? 'close' : { name: 'transaction_ack', payload: { txid, status: 2, error: null } }));
    expect((await m.sendTransaction(bundle)).acks).toEqual([{ peer: peers[1]!.address, status: 'PENDING', error: null }]);

    const ack = (id: Uint8Array) => (r: Received): ScriptedReply => (r.name === 'send_transaction' ? { name: 'transaction_ack', payload: { txid: id, status: 1, error: null } } : undefined);
    for (const p of peers) p.script = ack(txid);
    await eventually('both links ready again', () => m.status().links.every((l) => l.state === 'ready'));
    const before = asked('send_transaction').length;
    expect((await m.sendTransaction(bundle, { peers: 1 })).acks).toHaveLength(1);
    expect(asked('send_transaction')).toHaveLength(before + 1);

    for (const p of peers) p.script = ack(hashOf(4));
    expect(await errorOf(m.sendTransaction(bundle))).toMatchObject({ code: 'UPSTREAM_INVALID_REPLY' });
    expect(await errorOf(m.sendTransaction(bundle, { peers: 0 }))).toMatchObject({ code: 'INVALID_REQUEST' });
  });

  it("over the node's 1 MiB send_transaction limit is TRANSACTION_TOO_LARGE, never sent", async () => {
    const m = await start(() => undefined);
    // One CLVM atom of 1 MiB (a 4-byte size prefix, §f.2): the bundle alone exceeds max_size.
    const atom = new Uint8Array(4 + 0x100000);
    atom.set([0xf0, 0x10, 0x00, 0x00]);
    const huge = { ...bundle, coin_spends: [{ ...bundle.coin_spends[0]!, puzzle_reveal: atom }] };
    expect(await errorOf(m.sendTransaction(huge))).toMatchObject({ code: 'TRANSACTION_TOO_LARGE' });
    expect(asked('send_transaction')).toHaveLength(0);
  });
});

describe('children, puzzle solutions and fee estimates', () => {
  it('ask for what the contract says and check the answer is for it', async () => {
    const parent = hashOf(1);
    const m = await start((r) => {
      switch (r.name) {
        case 'request_children':
          return { name: 'respond_children', payload: { coin_states: [{ coin: coin(P(r).coin_name as Uint8Array, hashOf(2), 5n), created_height: 30, spent_height: null }] } };
        case 'request_puzzle_solution':
          return { name: 'respond_puzzle_solution', payload: { response: { coin_name: P(r).coin_name, height: P(r).height, puzzle: Uint8Array.of(0x80), solution: Uint8Array.of(0x80) } } };
        case 'request_fee_estimates':
          return { name: 'respond_fee_estimates', payload: { estimates: { error: null, estimates: (P(r).time_targets as bigint[]).map((t) => ({ error: null, time_target: t, estimated_fee_rate: { mojos_per_clvm_cost: 7n } })) } } };
        default:
          return undefined;
      }
    });
    expect(await m.getChildren(toHex(parent))).toHaveLength(1);
    expect(await m.getPuzzleSolution(toHex(parent), 30)).toMatchObject({ coin_name: parent, height: 30 });
    const fees = await m.getFeeEstimates([1_700_000_060, 1_700_000_300]);
    expect(fees.estimates.map((e) => e.time_target)).toEqual([1_700_000_060n, 1_700_000_300n]);
    expect(await errorOf(m.getFeeEstimates(Array.from({ length: MAX_FEE_ESTIMATE_TARGETS + 1 }, () => 1)))).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(asked('request_fee_estimates')).toHaveLength(1);
  });

  it('a reject_puzzle_solution is UPSTREAM_REJECTED', async () => {
    const m = await start((r) => (r.name === 'request_puzzle_solution' ? { name: 'reject_puzzle_solution', payload: { coin_name: P(r).coin_name, height: P(r).height } } : undefined));
    expect(await errorOf(m.getPuzzleSolution(toHex(hashOf(1)), 30))).toMatchObject({ code: 'UPSTREAM_REJECTED' });
  });
});

describe('an unknown network', () => {
  it('reads from the genesis challenge its block 0 names, learnt once', async () => {
    const genesis = hashOf(0x77);
    const chain = new FakeChain(genesis, 3);
    const m = await start(
      (r) => {
        if (r.name === 'request_block_headers') return { name: 'respond_block_headers', payload: { start_height: 0, end_height: 0, header_blocks: [chain.headerBlock(0, true)] } };
        if (r.name === 'request_coin_state') return { name: 'respond_coin_state', payload: { coin_ids: P(r).coin_ids, coin_states: [] } };
        return undefined;
      },
      'simnet-walletcore',
      { height: chain.height, header_hash: chain.headerHash(chain.height) },
    );
    await m.getCoinStates([toHex(hashOf(9))]);
    await m.getCoinStates([toHex(hashOf(8))]);
    expect(asked('request_block_headers')).toHaveLength(1);
    expect(asked('request_coin_state').map((a) => a.r.payload.header_hash)).toEqual([genesis, genesis]);
  });
});
