/**
 * The wallet requests' payloads and the checks of their answers (PROTOCOL.md §e.4, §e.5): an answer
 * must echo what was asked (coin ids, puzzle hashes, the coin, the targets) and hold only states of
 * the asked keys, within the asked filters and heights; anything else is UPSTREAM_INVALID_REPLY, so a
 * wrong answer is retried on another peer like a wrong block (request-router.ts).
 */
import { coinId, fromHex, toHex, type CoinState, type CoinStateFilters, type FeeEstimateGroup, type PayloadOf, type PuzzleSolutionResponse } from '../codec/index.js';
import { UpstreamError } from '../errors.js';
import { decodeReply, type PeerAnswer } from '../link/peer-reply.js';
import { MAX_FEE_ESTIMATE_TARGETS, MAX_HEIGHT } from '../protocol/limits.js';
import type { ChainPoint, PuzzleStatePage, TransactionAckFrom } from '../upstream-api.js';

/** A 32-byte hash or id as hex digits (§f.3). */
const HASH_HEX = /^[0-9a-fA-F]{64}$/;

/** The hex digits of a 0x-prefixed (or bare) hex hash, lowercase; anything else is a caller bug (INVALID_REQUEST). */
function hashDigits(hex: string, what: string): string {
  const clean = hex.startsWith('0x') ? hex.slice(2) : hex;
  if (!HASH_HEX.test(clean)) throw new UpstreamError('INVALID_REQUEST', `invalid ${what} ${hex}`);
  return clean.toLowerCase();
}

/** The bytes of a 0x-prefixed (or bare) hex hash; anything else is a caller bug (INVALID_REQUEST). */
export function hashBytes(hex: string, what = 'header hash'): Uint8Array {
  return fromHex(hashDigits(hex, what));
}

/**
 * The distinct keys of a state request, in order, as bytes: the node answers for its first distinct
 * keys and echoes exactly those (§e.5), so a request never holds a duplicate or more than `max`.
 */
export function keyList(hexes: readonly string[], max: number, what: string): Uint8Array[] {
  const keys = new Set<string>();
  for (const hex of hexes) keys.add(hashDigits(hex, what));
  if (keys.size === 0 || keys.size > max) {
    throw new UpstreamError('INVALID_REQUEST', `a state request takes 1 to ${max} distinct keys (${what}), not ${keys.size}`);
  }
  return [...keys].map((digits) => fromHex(digits));
}

/**
 * Where a state read starts (§e.5): after `previous_height`, whose main-chain block must be
 * `header_hash`; from genesis (previous_height null) with the network's genesis challenge.
 */
export interface StateStart {
  previous_height: number | null;
  header_hash: Uint8Array;
}

/** The start of a state read after block `from`. */
export function pointStart(from: ChainPoint): StateStart {
  if (!Number.isInteger(from.height) || from.height < 0 || from.height > MAX_HEIGHT) {
    throw new UpstreamError('INVALID_REQUEST', `invalid start height ${from.height}`);
  }
  return { previous_height: from.height, header_hash: hashBytes(from.header_hash) };
}

/** request_coin_state without a subscription. */
export function coinStateRequest(coinIds: Uint8Array[], start: StateStart): PayloadOf<'request_coin_state'> {
  return { coin_ids: coinIds, ...start, subscribe: false };
}

/** request_puzzle_state without a subscription. */
export function puzzleStateRequest(puzzleHashes: Uint8Array[], filters: CoinStateFilters, start: StateStart): PayloadOf<'request_puzzle_state'> {
  return { puzzle_hashes: puzzleHashes, ...start, filters, subscribe_when_finished: false };
}

/** request_fee_estimates for unix times in seconds, at most MAX_FEE_ESTIMATE_TARGETS of them (§e.5). */
export function feeEstimatesRequest(targetTimes: readonly number[]): PayloadOf<'request_fee_estimates'> {
  if (targetTimes.length === 0 || targetTimes.length > MAX_FEE_ESTIMATE_TARGETS) {
    throw new UpstreamError('INVALID_REQUEST', `request_fee_estimates takes 1 to ${MAX_FEE_ESTIMATE_TARGETS} target times (the node's reply must fit 100 bytes), not ${targetTimes.length}`);
  }
  for (const t of targetTimes) {
    if (!Number.isSafeInteger(t) || t < 0) throw new UpstreamError('INVALID_REQUEST', `invalid target time ${t} (unix seconds)`);
  }
  return { time_targets: targetTimes.map((t) => BigInt(t)) };
}

/** Builds UPSTREAM_INVALID_REPLY errors about one peer's answer. */
function invalidFrom(peer: string): (message: string) => UpstreamError {
  return (message) => new UpstreamError('UPSTREAM_INVALID_REPLY', `${peer}: ${message}`, { peer });
}

function sameKeys(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  return a.length === b.length && a.every((key, i) => Buffer.compare(key, b[i]!) === 0);
}

/** The height a state last changed at: its spend, else its creation. */
function lastHeight(state: CoinState): number {
  return Math.max(state.created_height ?? 0, state.spent_height ?? 0);
}

/**
 * The coin ids of `states`, each checked as a record of the coin set: created at a height, spent (if
 * at all) no earlier, and listed once.
 */
function stateIds(states: readonly CoinState[], invalid: (message: string) => UpstreamError): string[] {
  const ids = new Set<string>();
  for (const state of states) {
    const id = toHex(coinId(state.coin));
    if (state.created_height === null) throw invalid(`coin state ${id} has no created_height`);
    if (state.spent_height !== null && state.spent_height < state.created_height) throw invalid(`coin ${id} is spent at ${state.spent_height}, before its creation at ${state.created_height}`);
    if (ids.has(id)) throw invalid(`coin ${id} is listed twice`);
    ids.add(id);
  }
  return [...ids];
}

/** respond_coin_state: the asked ids echoed, and states of those coins only. */
export function checkCoinStates(reply: PeerAnswer<'request_coin_state'>, coinIds: readonly Uint8Array[]): CoinState[] {
  const invalid = invalidFrom(reply.peer);
  const answer = decodeReply(reply, 'respond_coin_state');
  if (!sameKeys(answer.coin_ids, coinIds)) throw invalid(`respond_coin_state echoes ${answer.coin_ids.length} coin ids other than the ${coinIds.length} asked`);
  const asked = new Set(coinIds.map((id) => toHex(id)));
  for (const id of stateIds(answer.coin_states, invalid)) if (!asked.has(id)) throw invalid(`respond_coin_state holds coin ${id}, not asked for`);
  return answer.coin_states;
}

/**
 * respond_puzzle_state: the asked hashes echoed; states that changed after the start, of coins with
 * an asked puzzle hash (any puzzle hash when hinted coins are included, since a hint names another
 * one), within the filters, and, on an unfinished page, no later than the page's end, which lies past
 * its start (a page that makes no progress would repeat forever). The end's header hash must be the
 * one the peer announced at that height, when it announced one.
 */
export function checkPuzzleState(
  reply: PeerAnswer<'request_puzzle_state'>,
  puzzleHashes: readonly Uint8Array[],
  filters: CoinStateFilters,
  previousHeight: number | null,
  announcedHash: (height: number) => string | undefined,
): Omit<PuzzleStatePage, 'peer'> {
  const invalid = invalidFrom(reply.peer);
  const answer = decodeReply(reply, 'respond_puzzle_state');
  if (!sameKeys(answer.puzzle_hashes, puzzleHashes)) throw invalid(`respond_puzzle_state echoes ${answer.puzzle_hashes.length} puzzle hashes other than the ${puzzleHashes.length} asked`);
  const after = previousHeight ?? -1;
  const next: ChainPoint = { height: answer.height, header_hash: toHex(answer.header_hash) };
  if (answer.height < after || (!answer.is_finished && answer.height === after)) throw invalid(`respond_puzzle_state ends at height ${answer.height}, not past its start ${after}`);
  const expected = announcedHash(answer.height);
  if (expected !== undefined && expected !== next.header_hash) throw invalid(`respond_puzzle_state ends at ${next.header_hash}, but the peer announced ${expected} at height ${answer.height}`);
  stateIds(answer.coin_states, invalid);
  const asked = new Set(puzzleHashes.map((ph) => toHex(ph)));
  for (const state of answer.coin_states) {
    const id = toHex(coinId(state.coin));
    const last = lastHeight(state);
    if (last <= after) throw invalid(`coin ${id} last changed at ${last}, not after the start ${after}`);
    if (!answer.is_finished && last > answer.height) throw invalid(`coin ${id} changed at ${last}, after the page's end ${answer.height}`);
    if (!filters.include_hinted && !asked.has(toHex(state.coin.puzzle_hash))) throw invalid(`coin ${id} has puzzle hash ${toHex(state.coin.puzzle_hash)}, not asked for`);
    if (!filters.include_spent && state.spent_height !== null) throw invalid(`coin ${id} is spent, but spent coins were filtered out`);
    if (!filters.include_unspent && state.spent_height === null) throw invalid(`coin ${id} is unspent, but unspent coins were filtered out`);
    if (state.coin.amount < filters.min_amount) throw invalid(`coin ${id} of ${state.coin.amount} mojos is below min_amount ${filters.min_amount}`);
  }
  return { coin_states: answer.coin_states, next, is_finished: answer.is_finished };
}

/** respond_children: states of coins whose parent is `parent` only. */
export function checkChildren(reply: PeerAnswer<'request_children'>, parent: Uint8Array): CoinState[] {
  const invalid = invalidFrom(reply.peer);
  const answer = decodeReply(reply, 'respond_children');
  stateIds(answer.coin_states, invalid);
  for (const state of answer.coin_states) {
    if (Buffer.compare(state.coin.parent_coin_info, parent) !== 0) throw invalid(`respond_children holds a coin of parent ${toHex(state.coin.parent_coin_info)}, not ${toHex(parent)}`);
  }
  return answer.coin_states;
}

/** respond_puzzle_solution: for the asked coin and height. */
export function checkPuzzleSolution(reply: PeerAnswer<'request_puzzle_solution'>, coin: Uint8Array, height: number): PuzzleSolutionResponse {
  const { response } = decodeReply(reply, 'respond_puzzle_solution');
  if (Buffer.compare(response.coin_name, coin) !== 0 || response.height !== height) {
    throw invalidFrom(reply.peer)(`respond_puzzle_solution is for coin ${toHex(response.coin_name)} at ${response.height}, not ${toHex(coin)} at ${height}`);
  }
  return response;
}

/** MempoolInclusionStatus (§e.4 transaction_ack). */
const INCLUSION_STATUS: Readonly<Record<number, TransactionAckFrom['status']>> = { 1: 'SUCCESS', 2: 'PENDING', 3: 'FAILED' };

/** transaction_ack: for the sent bundle (its name), with a defined status. */
export function checkTransactionAck(reply: PeerAnswer<'send_transaction'>, txid: Uint8Array): TransactionAckFrom {
  const invalid = invalidFrom(reply.peer);
  const ack = decodeReply(reply, 'transaction_ack');
  if (Buffer.compare(ack.txid, txid) !== 0) throw invalid(`transaction_ack is for ${toHex(ack.txid)}, not the sent ${toHex(txid)}`);
  const status = INCLUSION_STATUS[ack.status];
  if (status === undefined) throw invalid(`transaction_ack has unknown status ${ack.status}`);
  return { peer: reply.peer, status, error: ack.error };
}

/** respond_fee_estimates: one estimate per asked target, in order, unless the node reports an error instead. */
export function checkFeeEstimates(reply: PeerAnswer<'request_fee_estimates'>, targets: readonly bigint[]): FeeEstimateGroup {
  const { estimates } = decodeReply(reply, 'respond_fee_estimates');
  if (estimates.error !== null) return estimates;
  const answered = estimates.estimates.map((e) => e.time_target);
  if (answered.length !== targets.length || answered.some((t, i) => t !== targets[i])) {
    throw invalidFrom(reply.peer)(`respond_fee_estimates is for targets ${answered.join(',')}, not ${targets.join(',')}`);
  }
  return estimates;
}
