import { describe, expect, it } from 'vitest';
import { coinId, payloadType, sha256, types, type Coin, type CoinState, type PayloadName, type PayloadOf } from '../../src/chia/codec/index.js';
import { NodeType } from '../../src/chia/protocol/message-rules.js';
import {
  createCoinConditions,
  IDENTITY_PUZZLE,
  InclusionStatus,
  serializeProgram,
  startFakeNode,
  treeHash,
} from '../../fake-node/index.js';
import { DEVNET_PUZZLE_HASH, DEVNET_RECIPIENT_PUZZLE_HASH } from '../../fake-node/devnet.js';
import { connectRaw, type RawClient } from '../../fake-node/raw-client.js';
import { fakeNodeScope } from './node-scope.js';

const MAX_SUBSCRIPTIONS = 6;
const MAX_ITEMS = 4;
const scope = fakeNodeScope({ chainLength: 30, maxSubscriptions: MAX_SUBSCRIPTIONS, maxResponseItems: MAX_ITEMS });
let nextId = 1;

/** Sends a request with a fresh id; the decoded reply with that id. */
async function ask<N extends PayloadName>(c: RawClient, name: N, payload: PayloadOf<N>) {
  const id = nextId++;
  c.send(name, payload, id);
  const frame = await c.next((m) => m.id === id && m.name !== undefined);
  return { name: frame.name, value: payloadType(frame.type)!.decode(frame.data) as Record<string, unknown> };
}

const ph = (label: string): Uint8Array => sha256(Buffer.from(label));
const GENESIS_START = () => ({ previous_height: null, header_hash: scope.node.chain.genesisChallenge });
const ALL = { include_spent: true, include_unspent: true, include_hinted: true, min_amount: 0n };
const idsOf = (states: CoinState[]) => states.map((s) => Buffer.from(coinId(s.coin)).toString('hex')).sort();
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('fake node: coin set', () => {
  it('creates the two reward coins of every transaction block, with their coin ids', async () => {
    const chain = scope.node.chain;
    const rewards = chain.block(27).transactions_info!.reward_claims_incorporated;
    expect(chain.additions(27)).toEqual(rewards);
    const w = await scope.ready(NodeType.WALLET);
    const r = await ask(w, 'request_coin_state', { coin_ids: rewards.map(coinId), ...GENESIS_START(), subscribe: false });
    expect(r.name).toBe('respond_coin_state');
    expect(r.value.coin_states).toEqual(rewards.map((coin) => ({ coin, spent_height: null, created_height: 27 })));
    expect(chain.coins.get(coinId(rewards[0]!))?.coinbase).toBe(true);
  });

  it('spends, creates hinted children and answers children and puzzle solutions', async () => {
    const chain = scope.node.chain;
    const coin = chain.addCoin({ puzzle_hash: ph('parent'), amount: 1_000n });
    const created = chain.addTransactionBlock().height;
    const [child] = chain.spendCoin(coinId(coin), [{ puzzle_hash: ph('child'), amount: 600n, hint: ph('hint') }]);
    const spent = chain.addTransactionBlock().height;
    const w = await scope.ready(NodeType.WALLET);
    const children = await ask(w, 'request_children', { coin_name: coinId(coin) });
    expect(children.value.coin_states).toEqual([{ coin: child, spent_height: null, created_height: spent }]);
    const solution = await ask(w, 'request_puzzle_solution', { coin_name: coinId(coin), height: spent });
    expect(solution.name).toBe('respond_puzzle_solution');
    expect(solution.value.response).toMatchObject({ height: spent, puzzle: IDENTITY_PUZZLE });
    const wrongHeight = await ask(w, 'request_puzzle_solution', { coin_name: coinId(coin), height: created });
    expect(wrongHeight.name).toBe('reject_puzzle_solution');
    const removals = await ask(w, 'request_removals', { height: spent, header_hash: chain.headerHash(spent), coin_names: null });
    expect(removals.value.coins).toEqual([[coinId(coin), coin]]);
    // Hinted coins come with a puzzle-hash query of the hint, unless include_hinted is off.
    const start = GENESIS_START();
    const hinted = await ask(w, 'request_puzzle_state', { puzzle_hashes: [ph('hint')], ...start, filters: ALL, subscribe_when_finished: false });
    expect(hinted.value.coin_states).toEqual([{ coin: child, spent_height: null, created_height: spent }]);
    const unhinted = await ask(w, 'request_puzzle_state', {
      puzzle_hashes: [ph('hint')],
      ...start,
      filters: { ...ALL, include_hinted: false },
      subscribe_when_finished: false,
    });
    expect(unhinted.value.coin_states).toEqual([]);
  });
});

describe('fake node: request_puzzle_state and request_coin_state', () => {
  it('pages by height as the reference does (never splitting a block) until is_finished', async () => {
    const chain = scope.node.chain;
    const target = ph('paged');
    const made: Coin[] = [];
    for (const perBlock of [3, 2, 1, 3]) {
      for (let i = 0; i < perBlock; i++) made.push(chain.addCoin({ puzzle_hash: target, amount: BigInt(made.length + 1) }));
      chain.addTransactionBlock();
    }
    const w = await scope.ready(NodeType.WALLET);
    let start: { previous_height: number | null; header_hash: Uint8Array } = GENESIS_START();
    const pages: CoinState[][] = [];
    for (;;) {
      const r = await ask(w, 'request_puzzle_state', { puzzle_hashes: [target], ...start, filters: ALL, subscribe_when_finished: false });
      expect(r.name).toBe('respond_puzzle_state');
      const states = r.value.coin_states as CoinState[];
      expect(states.length).toBeLessThanOrEqual(MAX_ITEMS);
      pages.push(states);
      expect(r.value.header_hash).toEqual(chain.headerHash(r.value.height as number));
      if (r.value.is_finished === true) {
        expect(r.value.height).toBe(chain.height);
        break;
      }
      start = { previous_height: r.value.height as number, header_hash: r.value.header_hash as Uint8Array };
    }
    // 3 | 2 + 1 | 3: a page of 4 would split the 2nd block, so it stops before it.
    expect(pages.map((p) => p.length)).toEqual([3, 3, 3]);
    expect(idsOf(pages.flat())).toEqual(made.map((c) => hex(coinId(c))).sort());
  });

  it('filters spent, unspent and small coins', async () => {
    const chain = scope.node.chain;
    const target = ph('filtered');
    const small = chain.addCoin({ puzzle_hash: target, amount: 5n });
    const big = chain.addCoin({ puzzle_hash: target, amount: 500n });
    chain.addTransactionBlock();
    chain.spendCoin(coinId(small));
    chain.addTransactionBlock();
    const w = await scope.ready(NodeType.WALLET);
    const query = async (filters: typeof ALL) =>
      idsOf((await ask(w, 'request_puzzle_state', { puzzle_hashes: [target], ...GENESIS_START(), filters, subscribe_when_finished: false })).value.coin_states as CoinState[]);
    expect(await query({ ...ALL, include_spent: false })).toEqual([hex(coinId(big))]);
    expect(await query({ ...ALL, include_unspent: false })).toEqual([hex(coinId(small))]);
    expect(await query({ ...ALL, min_amount: 100n })).toEqual([hex(coinId(big))]);
    expect(await query({ ...ALL, include_spent: false, include_unspent: false })).toEqual([]);
  });

  it('rejects a start that is not on the main chain with REORG (0)', async () => {
    const chain = scope.node.chain;
    const w = await scope.ready(NodeType.WALLET);
    const stale = { previous_height: 5, header_hash: chain.headerHash(6) };
    const p = await ask(w, 'request_puzzle_state', { puzzle_hashes: [ph('x')], ...stale, filters: ALL, subscribe_when_finished: true });
    expect(p).toEqual({ name: 'reject_puzzle_state', value: { reason: 0 } });
    const c = await ask(w, 'request_coin_state', { coin_ids: [ph('x')], previous_height: chain.height + 5, header_hash: chain.headerHash(1), subscribe: false });
    expect(c).toEqual({ name: 'reject_coin_state', value: { reason: 0 } });
    const fromGenesis = await ask(w, 'request_coin_state', { coin_ids: [ph('x')], previous_height: null, header_hash: chain.headerHash(0), subscribe: false });
    expect(fromGenesis.name).toBe('reject_coin_state');
  });
});

describe('fake node: subscriptions and coin_state_update', () => {
  it('caps subscriptions per peer: EXCEEDED_SUBSCRIPTION_LIMIT (1) for a batch over the cap, partial registration otherwise', async () => {
    const w = await scope.ready(NodeType.WALLET);
    const keys = Array.from({ length: MAX_SUBSCRIPTIONS + 2 }, (_, i) => ph(`sub ${i}`));
    const puzzles = await ask(w, 'request_puzzle_state', { puzzle_hashes: keys.slice(0, MAX_SUBSCRIPTIONS + 1), ...GENESIS_START(), filters: ALL, subscribe_when_finished: true });
    expect(puzzles).toEqual({ name: 'reject_puzzle_state', value: { reason: 1 } });
    // request_coin_state reads (and subscribes) at most maxResponseItems ids; the whole batch must fit under the cap.
    const first = await ask(w, 'request_coin_state', { coin_ids: keys.slice(0, MAX_ITEMS), ...GENESIS_START(), subscribe: true });
    expect(first.value.coin_ids).toEqual(keys.slice(0, MAX_ITEMS));
    const over = await ask(w, 'request_coin_state', { coin_ids: keys.slice(MAX_ITEMS), ...GENESIS_START(), subscribe: true });
    expect(over).toEqual({ name: 'reject_coin_state', value: { reason: 1 } });
    // register_for_ph_updates subscribes up to the cap (partial registration) and echoes the request.
    const reg = await ask(w, 'register_for_ph_updates', { puzzle_hashes: keys.slice(MAX_ITEMS), min_height: 0 });
    expect(reg.value.puzzle_hashes).toEqual(keys.slice(MAX_ITEMS));
    const removed = await ask(w, 'request_remove_puzzle_subscriptions', { puzzle_hashes: null });
    expect(removed.value.puzzle_hashes).toEqual(keys.slice(MAX_ITEMS, MAX_SUBSCRIPTIONS));
    const coins = await ask(w, 'request_remove_coin_subscriptions', { coin_ids: [keys[0]!, keys[7]!] });
    expect(coins.value.coin_ids).toEqual([keys[0]]);
    expect(scope.node.violations).toEqual([]);
  });

  it('pushes coin_state_update before new_peak_wallet, by puzzle hash, hint and coin id; a reorg carries its fork height and rolled-back states', async () => {
    const chain = scope.node.chain;
    const w = await scope.ready(NodeType.WALLET);
    await w.nextNamed('new_peak_wallet');
    await ask(w, 'register_for_ph_updates', { puzzle_hashes: [ph('watched'), ph('watched hint')], min_height: chain.height });
    const direct = chain.addCoin({ puzzle_hash: ph('watched'), amount: 7n });
    const viaHint = chain.addCoin({ puzzle_hash: ph('elsewhere'), amount: 8n, hint: ph('watched hint') });
    chain.addCoin({ puzzle_hash: ph('unwatched'), amount: 9n });
    const peak = chain.addTransactionBlock();
    const names = () => w.received.filter((m) => m.name === 'coin_state_update' || m.name === 'new_peak_wallet');
    await w.next((m) => m.name === 'new_peak_wallet' && types.NewPeakWallet.decode(m.data).height === peak.height);
    const tail = names().slice(-2);
    expect(tail.map((m) => m.name)).toEqual(['coin_state_update', 'new_peak_wallet']);
    const update = payloadType(tail[0]!.type)!.decode(tail[0]!.data) as { height: number; fork_height: number; items: CoinState[] };
    expect(update).toMatchObject({ height: peak.height, fork_height: peak.height - 1 });
    expect(idsOf(update.items)).toEqual([direct, viaHint].map((c) => hex(coinId(c))).sort());

    const reorged = chain.reorg(2);
    await w.next((m) => m.name === 'new_peak_wallet' && types.NewPeakWallet.decode(m.data).height === reorged.height);
    const [rolled, announced] = names().slice(-2);
    expect([rolled!.name, announced!.name]).toEqual(['coin_state_update', 'new_peak_wallet']);
    const rollback = payloadType(rolled!.type)!.decode(rolled!.data) as { fork_height: number; items: CoinState[] };
    expect(rollback.fork_height).toBe(reorged.fork_point_with_previous_peak);
    // The coins of the reverted block are reported without a created height; the new branch has no copy of them.
    expect(rollback.items).toEqual(expect.arrayContaining([{ coin: direct, spent_height: null, created_height: null }]));
    expect(chain.coins.get(coinId(direct))).toBeUndefined();
  });
});

describe('fake node: send_transaction and fees', () => {
  const spendOf = (coin: Coin, children: { puzzle_hash: Uint8Array; amount: bigint }[]) => ({
    coin_spends: [{ coin, puzzle_reveal: IDENTITY_PUZZLE, solution: createCoinConditions(children.map((c) => ({ ...c, hint: null }))) }],
    aggregated_signature: new Uint8Array(96),
  });

  it('acks SUCCESS for a valid bundle, includes it in the next transaction block, and FAILS invalid ones with the Err name', async () => {
    const chain = scope.node.chain;
    const anyone = treeHash(IDENTITY_PUZZLE);
    const coin = chain.addCoin({ puzzle_hash: anyone, amount: 100n });
    const other = chain.addCoin({ puzzle_hash: ph('not the identity puzzle'), amount: 100n });
    chain.addTransactionBlock();
    const w = await scope.ready(NodeType.WALLET);
    const send = async (transaction: ReturnType<typeof spendOf>) => (await ask(w, 'send_transaction', { transaction })).value;
    const bundle = spendOf(coin, [{ puzzle_hash: ph('paid'), amount: 60n }]);
    const ok = await send(bundle);
    expect(ok).toMatchObject({ status: InclusionStatus.SUCCESS, error: null });
    expect(await send(bundle)).toMatchObject({ status: InclusionStatus.SUCCESS }); // idempotent while pending
    expect(await send(spendOf(coin, []))).toMatchObject({ status: InclusionStatus.PENDING, error: 'MEMPOOL_CONFLICT' });
    expect(await send(spendOf({ ...coin, amount: 99n }, []))).toMatchObject({ status: InclusionStatus.FAILED, error: 'UNKNOWN_UNSPENT' });
    expect(await send(spendOf(other, []))).toMatchObject({ status: InclusionStatus.FAILED, error: 'WRONG_PUZZLE_HASH' });
    const minted = chain.addCoin({ puzzle_hash: anyone, amount: 1n });
    const included = chain.addTransactionBlock().height;
    expect(await send(spendOf(minted, [{ puzzle_hash: ph('paid'), amount: 2n }]))).toMatchObject({ status: InclusionStatus.FAILED, error: 'MINTING_COIN' });
    expect(await send({ coin_spends: [], aggregated_signature: new Uint8Array(96) })).toMatchObject({ status: InclusionStatus.FAILED, error: 'INVALID_SPEND_BUNDLE' });
    expect(chain.coins.get(coinId(coin))?.spent).toBe(included);
    const [paid] = chain.coins.children(coinId(coin));
    expect(paid).toMatchObject({ coin: { puzzle_hash: ph('paid'), amount: 60n }, created_height: included });
    expect(await send(bundle)).toMatchObject({ status: InclusionStatus.FAILED, error: 'DOUBLE_SPEND' });
    expect(serializeProgram(IDENTITY_PUZZLE)).toEqual(Uint8Array.of(1));
  });

  it('refuses bundles it cannot take now: while syncing, and with too low a fee when its mempool is full', async () => {
    const chain = scope.node.chain;
    const anyone = treeHash(IDENTITY_PUZZLE);
    const [a, b, c] = [100n, 100n, 100n].map((amount) => chain.addCoin({ puzzle_hash: anyone, amount }));
    chain.addTransactionBlock();
    const w = await scope.ready(NodeType.WALLET);
    const send = async (transaction: ReturnType<typeof spendOf>) => (await ask(w, 'send_transaction', { transaction })).value;
    const paying = (coin: Coin, fee: bigint) => spendOf(coin, [{ puzzle_hash: ph('paid'), amount: coin.amount - fee }]);
    const held = paying(a!, 10n);
    expect(await send(held)).toMatchObject({ status: InclusionStatus.SUCCESS });
    try {
      chain.mempool.syncing = true;
      expect(await send(paying(b!, 10n))).toMatchObject({ status: InclusionStatus.FAILED, error: 'NO_TRANSACTIONS_WHILE_SYNCING' });
      // A bundle it already holds is still acked SUCCESS.
      expect(await send(held)).toMatchObject({ status: InclusionStatus.SUCCESS });
      chain.mempool.syncing = false;
      chain.mempool.capacity = chain.mempool.size;
      expect(await send(paying(b!, 0n))).toMatchObject({ status: InclusionStatus.FAILED, error: 'INVALID_FEE_TOO_CLOSE_TO_ZERO' });
      expect(await send(paying(b!, 10n))).toMatchObject({ status: InclusionStatus.FAILED, error: 'INVALID_FEE_LOW_FEE' });
      // A better fee evicts the cheapest bundle.
      expect(await send(paying(c!, 11n))).toMatchObject({ status: InclusionStatus.SUCCESS });
      expect(chain.mempool.spends(coinId(a!))).toBe(false);
      expect(chain.mempool.spends(coinId(c!))).toBe(true);
    } finally {
      chain.mempool.syncing = false;
      chain.mempool.capacity = Number.POSITIVE_INFINITY;
    }
    expect(scope.node.violations).toEqual([]);
  });

  it('answers fee estimates for up to 5 targets; a larger reply exceeds the 100-byte outbound limit and never arrives', async () => {
    const w = await scope.ready(NodeType.WALLET);
    const now = BigInt(Math.floor(Date.now() / 1000));
    const targets = [60n, 120n, 300n, 600n, 1200n].map((d) => now + d);
    const five = await ask(w, 'request_fee_estimates', { time_targets: targets });
    const group = five.value.estimates as { error: null; estimates: { time_target: bigint }[] };
    expect(group.estimates.map((e) => e.time_target)).toEqual(targets);
    const id = nextId++;
    w.send('request_fee_estimates', { time_targets: [...targets, now] }, id);
    await ask(w, 'request_children', { coin_name: ph('nothing') }); // answered after the 6-target request was handled
    expect(w.received.some((m) => m.id === id)).toBe(false);
  });
});

describe('fake node: wallet message rules', () => {
  it('bans a FULL_NODE peer that sends a wallet request (1002 "1", 10 s)', async () => {
    const node = await startFakeNode({ chainLength: 5 });
    const c = await connectRaw(node.url);
    try {
      await c.handshake(NodeType.FULL_NODE);
      c.send('request_coin_state', { coin_ids: [], previous_height: null, header_hash: node.chain.genesisChallenge, subscribe: true }, 1);
      expect(await c.closed).toEqual({ code: 1002, reason: '1' });
      expect(node.violations.map((v) => [v.kind, v.message, v.banSeconds])).toEqual([['node_type', 'request_coin_state', 10]]);
    } finally {
      c.close();
      await node.close();
    }
  });
});

describe('fake node: wallet rate limits', () => {
  it('bans a wallet over the v2 count of request_fee_estimates (10 per window): 1000 "", 300 s', async () => {
    const node = await startFakeNode({ chainLength: 5 });
    const c = await connectRaw(node.url);
    try {
      await c.handshake(NodeType.WALLET);
      const FEE_REQUESTS_PER_WINDOW = 10;
      for (let i = 0; i <= FEE_REQUESTS_PER_WINDOW; i++) c.send('request_fee_estimates', { time_targets: [0n] }, i + 1);
      expect(await c.closed).toEqual({ code: 1000, reason: '' });
      expect(node.violations.map((v) => [v.kind, v.message, v.banSeconds])).toEqual([['rate_limit', 'request_fee_estimates', 300]]);
    } finally {
      c.close();
      await node.close();
    }
  });
});

describe('fake node: devnet coins', () => {
  it('creates and spends coins of the demo puzzle hash, with hinted payments, as blocks come', async () => {
    const node = await startFakeNode({ chainLength: 3, devnet: { blockIntervalMs: 20 } });
    const c = await connectRaw(node.url);
    try {
      await c.handshake(NodeType.WALLET);
      await c.nextNamed('new_peak_wallet');
      c.send('register_for_ph_updates', { puzzle_hashes: [DEVNET_PUZZLE_HASH], min_height: 0 }, 1);
      await c.nextNamed('respond_to_ph_updates', 1);
      const updates = () => c.received.filter((m) => m.name === 'coin_state_update').flatMap((m) => (payloadType(m.type)!.decode(m.data) as { items: CoinState[] }).items);
      await c.next(() => updates().some((s) => s.spent_height !== null) && updates().some((s) => hex(s.coin.puzzle_hash) === hex(DEVNET_RECIPIENT_PUZZLE_HASH)), 20_000);
      expect(node.violations).toEqual([]);
    } finally {
      c.close();
      await node.close();
    }
  });
});
