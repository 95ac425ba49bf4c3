/**
 * The wallet requests' payloads (checked against the reference encodings in vectors.json) and the
 * checks of their answers: an answer that does not fit what was asked is UPSTREAM_INVALID_REPLY.
 */
import { describe, expect, it } from 'vitest';
import {
  coinId,
  fromHex,
  MessageType,
  payloadCodec,
  sha256,
  spendBundleName,
  toHex,
  types,
  type CoinState,
  type CoinStateFilters,
  type PayloadOf,
  type SpendBundle,
} from '../../../src/chia/codec/index.js';
import { MAX_FEE_ESTIMATE_TARGETS } from '../../../src/chia/protocol/limits.js';
import { rateLimitOf } from '../../../src/chia/protocol/rate-limits.js';
import type { PeerAnswer } from '../../../src/chia/link/peer-reply.js';
import type { RequestName } from '../../../src/chia/protocol/message-rules.js';
import {
  checkChildren,
  checkCoinStates,
  checkFeeEstimates,
  checkPuzzleSolution,
  checkPuzzleState,
  checkTransactionAck,
  coinStateRequest,
  feeEstimatesRequest,
  keyList,
  pointStart,
  puzzleStateRequest,
} from '../../../src/chia/pool/wallet-replies.js';
import { loadVectors } from '../codec/corpus.js';

const PEER = '192.0.2.1:8444';
const VECTORS = loadVectors();

/** The reference encoding of vector `name` and its decoded payload. */
function vector<N extends Parameters<typeof payloadCodec>[0]>(name: N): { hex: string; value: PayloadOf<N> } {
  const v = VECTORS.find((x) => x.name === name);
  if (!v) throw new Error(`no vector ${name}`);
  return { hex: v.hex, value: payloadCodec(name).decode(fromHex(v.hex)) };
}

/** An answer to request R: message `name` with `payload`, from PEER. */
function answer<R extends RequestName>(_request: R, name: Parameters<typeof payloadCodec>[0], payload: unknown): PeerAnswer<R> {
  const data = (payloadCodec(name) as { encode(v: unknown): Uint8Array }).encode(payload);
  return { kind: 'ok', type: MessageType[name], data, peer: PEER } as PeerAnswer<R>;
}

const hashOf = (n: number) => new Uint8Array(32).fill(n);
const coin = (parent: number, puzzle: number, amount: bigint) => ({ parent_coin_info: hashOf(parent), puzzle_hash: hashOf(puzzle), amount });
const state = (c: ReturnType<typeof coin>, created: number | null, spent: number | null = null): CoinState => ({ coin: c, created_height: created, spent_height: spent });
const ALL: CoinStateFilters = { include_spent: true, include_unspent: true, include_hinted: false, min_amount: 0n };
const invalid = expect.objectContaining({ code: 'UPSTREAM_INVALID_REPLY' });
const noAnnouncement = () => undefined;

describe('wallet request payloads', () => {
  it('request_coin_state and request_puzzle_state encode as the reference does', () => {
    const coinState = vector('request_coin_state');
    const v = coinState.value;
    const start = pointStart({ height: v.previous_height!, header_hash: toHex(v.header_hash) });
    expect(toHex(payloadCodec('request_coin_state').encode(coinStateRequest(v.coin_ids, start)))).toBe(`0x${coinState.hex}`);

    const puzzleState = vector('request_puzzle_state');
    const p = puzzleState.value;
    // The reference vector subscribes; the gateway's reads never do, which changes only the last byte.
    const ours = payloadCodec('request_puzzle_state').encode(puzzleStateRequest(p.puzzle_hashes, p.filters, pointStart({ height: p.previous_height!, header_hash: toHex(p.header_hash) })));
    expect(toHex(ours)).toBe(`0x${puzzleState.hex.slice(0, -2)}00`);
  });

  it('reads from genesis with previous_height null and never subscribes', () => {
    const genesis = hashOf(9);
    const payload = coinStateRequest([hashOf(1)], { previous_height: null, header_hash: genesis });
    expect(payload).toEqual({ coin_ids: [hashOf(1)], previous_height: null, header_hash: genesis, subscribe: false });
    expect(puzzleStateRequest([hashOf(1)], ALL, { previous_height: null, header_hash: genesis }).subscribe_when_finished).toBe(false);
  });

  it('sends each key once, and refuses malformed keys, none, or more than the node reads', () => {
    const a = toHex(hashOf(1));
    expect(keyList([a, a.toUpperCase().replace('0X', '0x'), a.slice(2)], 3, 'coin id')).toEqual([hashOf(1)]);
    expect(() => keyList(['0x12'], 3, 'coin id')).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST', message: expect.stringContaining('invalid coin id') }));
    expect(() => keyList([], 3, 'coin id')).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
    expect(() => keyList([1, 2, 3, 4].map((n) => toHex(hashOf(n))), 3, 'puzzle hash')).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST', message: expect.stringContaining('1 to 3 distinct keys (puzzle hash), not 4') }));
    expect(() => pointStart({ height: -1, header_hash: a })).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
  });

  it("fee estimates: the most targets whose reply fits the node's 100-byte limit, as u64 seconds", () => {
    // The documented limit is the largest n whose reply (every estimate without error) fits max_size.
    const reply = (n: number) =>
      payloadCodec('respond_fee_estimates').encode({
        estimates: { error: null, estimates: Array.from({ length: n }, () => ({ error: null, time_target: 0n, estimated_fee_rate: { mojos_per_clvm_cost: 0n } })) },
      }).length;
    const replyMax = rateLimitOf('respond_fee_estimates')!.maxSize;
    expect(reply(MAX_FEE_ESTIMATE_TARGETS)).toBeLessThanOrEqual(replyMax);
    expect(reply(MAX_FEE_ESTIMATE_TARGETS + 1)).toBeGreaterThan(replyMax);
    const request = feeEstimatesRequest(Array.from({ length: MAX_FEE_ESTIMATE_TARGETS }, (_, i) => 1_700_000_000 + i));
    expect(payloadCodec('request_fee_estimates').encode(request).length).toBeLessThanOrEqual(rateLimitOf('request_fee_estimates')!.maxSize);
    expect(request.time_targets[0]).toBe(1_700_000_000n);

    expect(() => feeEstimatesRequest(Array.from({ length: MAX_FEE_ESTIMATE_TARGETS + 1 }, () => 60))).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
    expect(() => feeEstimatesRequest([])).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
    expect(() => feeEstimatesRequest([1.5])).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
  });

  it('the transaction id is the spend bundle name: sha256 of its streamable bytes', () => {
    const { hex, value } = vector('send_transaction');
    const bundle: SpendBundle = value.transaction;
    // SendTransaction is the bundle and nothing else, so the vector's bytes are the bundle's.
    expect(toHex(spendBundleName(bundle))).toBe(toHex(sha256(Buffer.from(hex, 'hex'))));
  });
});

describe('respond_coin_state', () => {
  const c1 = coin(1, 2, 1_000n);
  const ids = [coinId(c1), hashOf(5)];

  it('accepts the asked ids echoed and states of those coins (an unknown coin is absent)', () => {
    expect(checkCoinStates(answer('request_coin_state', 'respond_coin_state', { coin_ids: ids, coin_states: [state(c1, 10, 12)] }), ids)).toEqual([state(c1, 10, 12)]);
    expect(checkCoinStates(answer('request_coin_state', 'respond_coin_state', { coin_ids: ids, coin_states: [] }), ids)).toEqual([]);
  });

  it.each([
    ['other ids echoed', { coin_ids: [ids[0]], coin_states: [] }],
    ['a coin not asked for', { coin_ids: ids, coin_states: [state(coin(3, 3, 1n), 10)] }],
    ['a coin listed twice', { coin_ids: ids, coin_states: [state(c1, 10), state(c1, 10)] }],
    ['a coin spent before its creation', { coin_ids: ids, coin_states: [state(c1, 10, 9)] }],
    ['a coin without a creation height', { coin_ids: ids, coin_states: [state(c1, null)] }],
  ])('refuses %s', (_, payload) => {
    expect(() => checkCoinStates(answer('request_coin_state', 'respond_coin_state', payload), ids)).toThrow(invalid);
  });

  it('refuses an answer of another type', () => {
    expect(() => checkCoinStates(answer('request_coin_state', 'respond_children', { coin_states: [] }), ids)).toThrow(invalid);
  });
});

describe('respond_puzzle_state', () => {
  const ph = hashOf(2);
  const hashes = [ph];
  const page = (over: Partial<PayloadOf<'respond_puzzle_state'>>) =>
    answer('request_puzzle_state', 'respond_puzzle_state', { puzzle_hashes: hashes, height: 100, header_hash: hashOf(7), is_finished: true, coin_states: [], ...over });

  it('returns the states, where the next page starts, and whether the walk is finished', () => {
    const states = [state(coin(1, 2, 5n), 20), state(coin(3, 2, 6n), 30, 40)];
    expect(checkPuzzleState(page({ coin_states: states, is_finished: false, height: 49 }), hashes, ALL, 10, noAnnouncement)).toEqual({
      coin_states: states,
      next: { height: 49, header_hash: toHex(hashOf(7)) },
      is_finished: false,
    });
  });

  it('accepts a hinted coin of another puzzle hash only when hinted coins are asked for', () => {
    const hinted = page({ coin_states: [state(coin(1, 8, 5n), 20)] });
    expect(() => checkPuzzleState(hinted, hashes, { ...ALL, include_hinted: true }, null, noAnnouncement)).not.toThrow();
    expect(() => checkPuzzleState(hinted, hashes, ALL, null, noAnnouncement)).toThrow(invalid);
  });

  it.each([
    ['other hashes echoed', page({ puzzle_hashes: [hashOf(3)] }), ALL],
    ['a state not after the start', page({ coin_states: [state(coin(1, 2, 5n), 10)] }), ALL],
    ['a state after the end of an unfinished page', page({ is_finished: false, height: 50, coin_states: [state(coin(1, 2, 5n), 51)] }), ALL],
    ['an unfinished page that makes no progress', page({ is_finished: false, height: 10 }), ALL],
    ['an end before the start', page({ height: 9 }), ALL],
    ['a spent coin when spent coins are filtered out', page({ coin_states: [state(coin(1, 2, 5n), 20, 21)] }), { ...ALL, include_spent: false }],
    ['an unspent coin when unspent coins are filtered out', page({ coin_states: [state(coin(1, 2, 5n), 20)] }), { ...ALL, include_unspent: false }],
    ['a coin below min_amount', page({ coin_states: [state(coin(1, 2, 5n), 20)] }), { ...ALL, min_amount: 6n }],
  ])('refuses %s', (_, reply, filters) => {
    expect(() => checkPuzzleState(reply, hashes, filters, 10, noAnnouncement)).toThrow(invalid);
  });

  it('refuses an end block other than the one the peer announced at that height', () => {
    expect(() => checkPuzzleState(page({}), hashes, ALL, null, (h) => (h === 100 ? toHex(hashOf(7)) : undefined))).not.toThrow();
    expect(() => checkPuzzleState(page({}), hashes, ALL, null, () => toHex(hashOf(8)))).toThrow(invalid);
  });
});

describe('the other wallet answers', () => {
  it('respond_children: only coins of the asked parent', () => {
    const parent = hashOf(1);
    const kids = [state(coin(1, 2, 5n), 20)];
    expect(checkChildren(answer('request_children', 'respond_children', { coin_states: kids }), parent)).toEqual(kids);
    expect(() => checkChildren(answer('request_children', 'respond_children', { coin_states: [state(coin(4, 2, 5n), 20)] }), parent)).toThrow(invalid);
  });

  it('respond_puzzle_solution: for the asked coin and height', () => {
    const { value } = vector('respond_puzzle_solution');
    const { coin_name, height } = value.response;
    expect(checkPuzzleSolution(answer('request_puzzle_solution', 'respond_puzzle_solution', value), coin_name, height)).toEqual(value.response);
    expect(() => checkPuzzleSolution(answer('request_puzzle_solution', 'respond_puzzle_solution', value), coin_name, height + 1)).toThrow(invalid);
    expect(() => checkPuzzleSolution(answer('request_puzzle_solution', 'respond_puzzle_solution', value), hashOf(0), height)).toThrow(invalid);
  });

  it("transaction_ack: for the sent bundle, with a defined status and the node's reason", () => {
    const txid = hashOf(3);
    const ack = (status: number, error: string | null, id = txid) => answer('send_transaction', 'transaction_ack', { txid: id, status, error });
    expect(checkTransactionAck(ack(1, null), txid)).toEqual({ peer: PEER, status: 'SUCCESS', error: null });
    expect(checkTransactionAck(ack(2, 'MEMPOOL_CONFLICT'), txid)).toEqual({ peer: PEER, status: 'PENDING', error: 'MEMPOOL_CONFLICT' });
    expect(checkTransactionAck(ack(3, 'DOUBLE_SPEND'), txid)).toEqual({ peer: PEER, status: 'FAILED', error: 'DOUBLE_SPEND' });
    // The reference vector's status (30) is no MempoolInclusionStatus.
    const { value } = vector('transaction_ack');
    expect(() => checkTransactionAck(answer('send_transaction', 'transaction_ack', value), value.txid)).toThrow(invalid);
    expect(() => checkTransactionAck(ack(1, null, hashOf(4)), txid)).toThrow(invalid);
  });

  it("respond_fee_estimates: one estimate per asked target in order, or the node's error", () => {
    const targets = [60n, 300n];
    const estimate = (t: bigint) => ({ error: null, time_target: t, estimated_fee_rate: { mojos_per_clvm_cost: 5n } });
    const reply = (estimates: unknown) => answer('request_fee_estimates', 'respond_fee_estimates', { estimates });
    const group = { error: null, estimates: targets.map(estimate) };
    expect(checkFeeEstimates(reply(group), targets)).toEqual(group);
    expect(checkFeeEstimates(reply({ error: 'not ready', estimates: [] }), targets).error).toBe('not ready');
    expect(() => checkFeeEstimates(reply({ error: null, estimates: [estimate(300n), estimate(60n)] }), targets)).toThrow(invalid);
    expect(() => checkFeeEstimates(reply({ error: null, estimates: [estimate(60n)] }), targets)).toThrow(invalid);
  });
});

describe('state rejects', () => {
  it('are typed by their reason', async () => {
    const { rejectError } = await import('../../../src/chia/link/peer-reply.js');
    const reject = (type: number, reason: number) => rejectError({ kind: 'reject', type, data: types.RejectCoinState.encode({ reason }), peer: PEER } as never, 'request_coin_state');
    expect(reject(MessageType.reject_coin_state, 0).code).toBe('STATE_REORG');
    expect(reject(MessageType.reject_puzzle_state, 0).code).toBe('STATE_REORG');
    expect(reject(MessageType.reject_puzzle_state, 1).code).toBe('SUBSCRIPTION_LIMIT');
    expect(reject(MessageType.reject_coin_state, 7).code).toBe('UPSTREAM_INVALID_REPLY');
    expect(rejectError({ kind: 'reject', type: MessageType.reject_coin_state, data: new Uint8Array(0), peer: PEER } as never, 'request_coin_state').code).toBe('UPSTREAM_INVALID_REPLY');
  });
});
