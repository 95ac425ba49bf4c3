/**
 * Node-RPC methods over coins: coin records, a spend's puzzle and solution, push_tx, fee estimates.
 * Parameter names, defaults and error wording are the node's (chia-blockchain full_node_rpc_api.py);
 * every read is the one /v1/coins, /v1/transactions and /v1/fees use (src/coins/).
 */
import { MAX_FEE_ESTIMATE_TARGETS } from '../chia/index.js';
import { ApiError } from '../http/errors.js';
import { quote } from '../live/quote.js';
import { puzzleHashOf } from '../coins/addresses.js';
import { readAllRecords, readSpend, type PlannedQuery } from '../coins/coin-reads.js';
import { prefixOf, type CoinRecord } from '../coins/coin-records.js';
import { FEE_ESTIMATES_TTL_MS, lastTransactionBlock, readFeeEstimates } from '../coins/fee-estimates.js';
import { requirePeak } from '../chain/chain-lookup.js';
import { bundleOf, sendBundle } from '../coins/transactions.js';
import {
  CoinRecordByNameAnswer,
  CoinRecordByNameParams,
  CoinRecordsByHintAnswer,
  CoinRecordsByHintParams,
  CoinRecordsByNamesAnswer,
  CoinRecordsByNamesParams,
  CoinRecordsByParentIdsAnswer,
  CoinRecordsByParentIdsParams,
  CoinRecordsByPuzzleHashAnswer,
  CoinRecordsByPuzzleHashParams,
  CoinRecordsByPuzzleHashesAnswer,
  CoinRecordsByPuzzleHashesParams,
  FeeEstimateAnswer,
  FeeEstimateParams,
  PushTxAnswer,
  PushTxParams,
  PuzzleAndSolutionAnswer,
  PuzzleAndSolutionParams,
} from '../../schemas/node-rpc.js';
import { RpcError, type RpcBody, type RpcCall, type RpcMethod } from './rpc-method.js';
import { flag, hash32, height, required } from './rpc-params.js';

/**
 * Most coin records one answer holds. The node answers every match from its database; the gateway
 * reads them page by page from a peer and each needs its block's timestamp (a header read per 32
 * heights), so a larger set is refused with success: false rather than cut short.
 */
export const MAX_RPC_COIN_RECORDS = 10_000;
/** Most parent ids of one get_coin_records_by_parent_ids: each is one request_children. */
export const MAX_RPC_PARENT_IDS = 100;
/**
 * Most target_times of one get_fee_estimate: a peer answers MAX_FEE_ESTIMATE_TARGETS estimates per
 * request (PROTOCOL.md §e.5), and only 3 requests a minute, so one request carries them all and one
 * slot is the current fee rate (1 s ahead).
 */
export const MAX_RPC_FEE_TARGETS = MAX_FEE_ESTIMATE_TARGETS - 1;
/** The time ahead the node's current_fee_rate is estimated for. */
const CURRENT_RATE_SECONDS = 1;
/**
 * The typical CLVM cost of each spend_type the node prices (chia-blockchain full_node_rpc_api.py
 * _get_spendbundle_type_cost, Apache-2.0), the same figures so the same request gets the same fee.
 */
const SPEND_TYPE_COSTS: Readonly<Record<string, bigint>> = {
  send_xch_transaction: 9_401_710n,
  cat_spend: 36_382_111n,
  take_offer: 721_393_265n,
  cancel_offer: 212_443_993n,
  nft_set_nft_did: 115_540_006n,
  nft_transfer_nft: 74_385_541n,
  create_new_pool_wallet: 18_055_407n,
  pw_absorb_rewards: 82_668_466n,
  create_new_did_wallet: 57_360_396n,
};
const COST_SOURCES = ['spend_bundle', 'cost', 'spend_type'];

function listOf(value: unknown, name: string): unknown[] {
  if (!Array.isArray(value)) throw new RpcError(`${name} must be a list, got ${quote(value)}`);
  return value;
}

/** An input fault the coin services report as a catalogue error (a bad address), in the node's envelope. */
function asRpcInput<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ApiError && error.status === 400) throw new RpcError(error.message, { cause: error });
    throw error;
  }
}

/** A puzzle hash as hex (the node's form) or an address of the gateway's network. */
function puzzleHash(call: RpcCall, value: unknown, name: string): string {
  if (typeof value !== 'string') throw new RpcError(`${name} must be a puzzle hash in hex, got ${quote(value)}`);
  return asRpcInput(() => puzzleHashOf(value, prefixOf(call.app)));
}

function uint(value: unknown, name: string, max: bigint): bigint {
  const n = typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value;
  if (typeof n !== 'bigint' || n < 0n || n > max) throw new RpcError(`${name} must be a whole number from 0 to ${max}, got ${quote(typeof value === 'bigint' ? String(value) : value)}`);
  return n;
}

const U64_MAX = 2n ** 64n - 1n;

/** The node's optional filters: confirmed height in [start_height, end_height), spent coins only with include_spent_coins. */
function recordFilters(body: RpcBody): Omit<PlannedQuery, 'coinIds' | 'puzzleHashes'> {
  const given = (key: string) => body[key] !== undefined && body[key] !== null;
  return {
    filters: { include_spent: flag(body, 'include_spent_coins', false), include_unspent: true, include_hinted: false, min_amount: 0n },
    start: given('start_height') ? height(body.start_height, 'start_height') : 0,
    end: given('end_height') ? height(body.end_height, 'end_height') : null,
  };
}

/** A coin record with the node's fields only, as the node writes it (coin_record_dict_backwards_compat). */
export function nodeRecord(record: CoinRecord) {
  return {
    coin: record.coin,
    coinbase: record.coinbase,
    confirmed_block_index: record.confirmed,
    spent: record.spent > 0,
    spent_block_index: record.spent,
    timestamp: record.timestamp,
  };
}

/**
 * Every record matching `plan`, or success: false naming the bound when more match. A reorg under the
 * walk (the block it continues from left the peer's chain) reads the whole set again, once, as a node
 * answers from one consistent chain.
 */
async function recordList(call: RpcCall, plan: PlannedQuery) {
  const read = () => readAllRecords(call.app, plan, MAX_RPC_COIN_RECORDS, call.request);
  let records;
  try {
    records = await read();
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 'CURSOR_REORGED')) throw error;
    records = await read();
  }
  if (records === null) {
    throw new RpcError(
      `more than ${MAX_RPC_COIN_RECORDS} coin records match: this gateway answers at most ${MAX_RPC_COIN_RECORDS} in one answer; ` +
        'narrow the request with start_height/end_height (or page with POST /v1/coins/query)',
    );
  }
  return { coin_records: records.map(nodeRecord) };
}

const NO_KEYS = { coinIds: [], puzzleHashes: [] };
const RECORD_DIFFERENCES =
  `Answers at most ${MAX_RPC_COIN_RECORDS} records (success: false beyond, never a cut list). ` +
  'Read from a peer at its peak rather than from a local database, so a record may lag or lead a given node by a block; the order is by height.';
const HEX_OR_ADDRESS = ' Puzzle hashes may also be given as addresses of the gateway\'s network.';

export const COIN_METHODS: readonly RpcMethod[] = [
  {
    name: 'get_coin_record_by_name',
    answeredBy: 'request_coin_state for the coin (wallet link); the timestamp from its block\'s header (block cache, request_block_headers).',
    differences: '',
    params: CoinRecordByNameParams,
    answer: CoinRecordByNameAnswer,
    handle: async (call) => {
      const id = hash32(required(call.body, 'name', 'Name not in request'), 'name');
      const plan = { ...NO_KEYS, ...recordFilters({ include_spent_coins: true }), coinIds: [id] };
      const [record] = (await recordList(call, plan)).coin_records;
      if (record === undefined) throw new RpcError(`Coin record ${id} not found`);
      return { coin_record: record };
    },
  },
  {
    name: 'get_coin_records_by_names',
    answeredBy: 'request_coin_state (wallet link, up to 100,000 ids per request); timestamps from block headers.',
    differences: RECORD_DIFFERENCES,
    params: CoinRecordsByNamesParams,
    answer: CoinRecordsByNamesAnswer,
    handle: (call) => {
      const names = listOf(required(call.body, 'names', 'Names not in request'), 'names').map((v, i) => hash32(v, `names[${i}]`));
      return recordList(call, { ...NO_KEYS, ...recordFilters(call.body), coinIds: [...new Set(names)] });
    },
  },
  {
    name: 'get_coin_records_by_puzzle_hash',
    answeredBy: 'request_puzzle_state (wallet link), every page of the node\'s continuation, include_spent_coins applied by the node; timestamps from block headers.',
    differences: RECORD_DIFFERENCES + HEX_OR_ADDRESS,
    params: CoinRecordsByPuzzleHashParams,
    answer: CoinRecordsByPuzzleHashAnswer,
    handle: (call) => {
      const hash = puzzleHash(call, required(call.body, 'puzzle_hash', 'Puzzle hash not in request'), 'puzzle_hash');
      return recordList(call, { ...NO_KEYS, ...recordFilters(call.body), puzzleHashes: [hash] });
    },
  },
  {
    name: 'get_coin_records_by_puzzle_hashes',
    answeredBy: 'request_puzzle_state (wallet link) for up to 890 puzzle hashes per walk, every page of the node\'s continuation; timestamps from block headers.',
    differences: RECORD_DIFFERENCES + HEX_OR_ADDRESS,
    params: CoinRecordsByPuzzleHashesParams,
    answer: CoinRecordsByPuzzleHashesAnswer,
    handle: (call) => {
      const list = listOf(required(call.body, 'puzzle_hashes', 'Puzzle hashes not in request'), 'puzzle_hashes');
      const hashes = list.map((v, i) => puzzleHash(call, v, `puzzle_hashes[${i}]`));
      return recordList(call, { ...NO_KEYS, ...recordFilters(call.body), puzzleHashes: [...new Set(hashes)] });
    },
  },
  {
    name: 'get_coin_records_by_hint',
    answeredBy: 'request_puzzle_state with include_hinted (wallet link), every page; timestamps from block headers.',
    differences:
      RECORD_DIFFERENCES +
      ' A peer matches the hint as a puzzle hash too, so coins whose own puzzle hash is the hint are left out, even one that is also hinted to it.',
    params: CoinRecordsByHintParams,
    answer: CoinRecordsByHintAnswer,
    handle: (call) => {
      const hint = hash32(required(call.body, 'hint', 'Hint not in request'), 'hint');
      const filters = recordFilters(call.body);
      return recordList(call, { ...NO_KEYS, ...filters, filters: { ...filters.filters, include_hinted: true }, puzzleHashes: [hint], hintsOnly: true });
    },
  },
  {
    name: 'get_coin_records_by_parent_ids',
    answeredBy: 'request_children for each parent id (wallet link); timestamps from block headers.',
    differences: `At most ${MAX_RPC_PARENT_IDS} parent ids per call. ${RECORD_DIFFERENCES}`,
    params: CoinRecordsByParentIdsParams,
    answer: CoinRecordsByParentIdsAnswer,
    handle: (call) => {
      const list = listOf(required(call.body, 'parent_ids', 'Parent IDs not in request'), 'parent_ids');
      if (list.length > MAX_RPC_PARENT_IDS) {
        throw new RpcError(`at most ${MAX_RPC_PARENT_IDS} parent_ids per call (each is one request to a peer), got ${list.length}`);
      }
      const parentIds = [...new Set(list.map((v, i) => hash32(v, `parent_ids[${i}]`)))];
      return recordList(call, { ...NO_KEYS, ...recordFilters(call.body), parentIds });
    },
  },
  {
    name: 'get_puzzle_and_solution',
    answeredBy: 'request_coin_state for the coin, then request_puzzle_solution at its spent height (wallet link).',
    differences: 'When the coin is not spent at `height`, the error gives the gateway\'s reason after "Invalid height H." instead of the node\'s record dump.',
    params: PuzzleAndSolutionParams,
    answer: PuzzleAndSolutionAnswer,
    handle: async (call) => {
      const id = hash32(required(call.body, 'coin_id', 'coin_id not in request'), 'coin_id');
      const at = height(required(call.body, 'height', 'height not in request'), 'height');
      const invalid = (reason: string) => new RpcError(`Invalid height ${at}. coin record ${reason}`);
      let read;
      try {
        read = await readSpend(call.app, id, call.request);
      } catch (error) {
        if (error instanceof ApiError && error.code === 'COIN_NOT_FOUND') throw invalid('None');
        if (error instanceof ApiError && error.code === 'COIN_NOT_SPENT') throw invalid(`of ${id}: not spent`);
        throw error;
      }
      if (read.height !== at) throw invalid(`of ${id}: spent at ${read.height}`);
      return { coin_solution: read.spend };
    },
  },
  {
    name: 'push_tx',
    answeredBy: 'send_transaction over several wallet links to different nodes at once, the same push as POST /v1/transactions.',
    differences:
      'SUCCESS when any node accepted the bundle, PENDING when none did and one holds it; when every node refused it, the error names the first ' +
      'node\'s reason. The bundle is judged by the nodes (the gateway only decodes it).',
    params: PushTxParams,
    answer: PushTxAnswer,
    handle: async (call) => {
      const json = required(call.body, 'spend_bundle', 'Spend bundle not in request');
      const bundle = asRpcInput(() => bundleOf({ spend_bundle: json }));
      const outcome = await sendBundle(call.app, bundle, call.request);
      if (outcome.status === 'FAILED') {
        const reason = outcome.acks.find((ack) => ack.error !== null)?.error ?? 'UNKNOWN';
        throw new RpcError(`Failed to include transaction ${outcome.txid.slice(2)}, error ${reason}`);
      }
      return { status: outcome.status };
    },
  },
  {
    name: 'get_fee_estimate',
    answeredBy:
      'request_fee_estimates (wallet link): the target times and 1 s (current_fee_rate) in one request, each rate times the cost; ' +
      'the last transaction block\'s header (block cache, request_block_headers) for the last-block fields.',
    differences:
      `At most ${MAX_RPC_FEE_TARGETS} target_times. A spend_bundle is refused (its cost needs a CLVM run): give cost or spend_type. ` +
      'Peers send whole mojo per cost (a node rounds its rate up), so an estimate can exceed the node\'s by up to the cost. ' +
      'full_node_synced is true whenever the gateway has a peak; the last-block fields come from the last transaction block\'s header; ' +
      'the mempool fields (mempool_size, mempool_fees, num_spends, mempool_max_size) are absent: peers do not tell them. ' +
      `One peer read serves the same target_times for ${FEE_ESTIMATES_TTL_MS / 1000} s (a node takes 10 fee requests a minute): node_time_utc says when it was read.`,
    params: FeeEstimateParams,
    answer: FeeEstimateAnswer,
    handle: async (call) => {
      const list = call.body.target_times;
      if (!Array.isArray(list)) throw new RpcError("Request must contain 'target_times' array");
      const targets = list.map((t) => {
        if (typeof t !== 'number' || !Number.isSafeInteger(t) || t < 0) throw new RpcError("'target_times' array members must be non-negative");
        return t;
      });
      if (targets.length > MAX_RPC_FEE_TARGETS) {
        throw new RpcError(
          `at most ${MAX_RPC_FEE_TARGETS} target_times (a peer answers ${MAX_FEE_ESTIMATE_TARGETS} estimates per request and one is current_fee_rate), got ${targets.length}`,
        );
      }
      const cost = spendCost(call.body);
      targets.sort((a, b) => a - b);
      const peak = requirePeak(call.app, 'wallet');
      const [{ now, group }, last] = await Promise.all([
        readFeeEstimates(call.app, [CURRENT_RATE_SECONDS, ...targets], call.request),
        lastTransactionBlock(call.app, peak, call.request),
      ]);
      const rates = group.estimates.map((estimate) => {
        if (estimate.error !== null) throw new RpcError(`the node could not estimate: ${estimate.error}`);
        return estimate.estimated_fee_rate.mojos_per_clvm_cost;
      });
      if (group.error !== null || rates.length !== targets.length + 1) throw new RpcError(`the node could not estimate: ${group.error ?? 'an estimate is missing'}`);
      const facts = last?.facts ?? { timestamp: 0n, fees: 0n, cost: 0n };
      return {
        estimates: neverRising(rates.slice(1).map((rate) => rate * cost)),
        target_times: targets,
        current_fee_rate: rates[0],
        full_node_synced: true,
        peak_height: peak.height,
        last_peak_timestamp: facts.timestamp,
        node_time_utc: now,
        last_block_cost: facts.cost,
        fees_last_block: facts.fees,
        fee_rate_last_block: facts.cost > 0n ? Number(facts.fees) / Number(facts.cost) : 0,
        last_tx_block_height: last?.height ?? 0,
      };
    },
  },
];

/** The cost get_fee_estimate prices: exactly one of spend_bundle, cost and spend_type (× spend_count), as the node takes it. */
function spendCost(body: RpcBody): bigint {
  const given = COST_SOURCES.filter((key) => key in body);
  if (given.length !== 1) throw new RpcError(`Request must contain exactly one of ['${COST_SOURCES.join("', '")}']`);
  if ('spend_bundle' in body) {
    throw new RpcError('this gateway cannot find a spend bundle\'s cost (a node runs its CLVM to pre-validate it): give its cost or a spend_type instead');
  }
  if ('cost' in body) return uint(body.cost, 'cost', U64_MAX);
  const type = body.spend_type;
  const cost = typeof type === 'string' ? SPEND_TYPE_COSTS[type] : undefined;
  if (cost === undefined) throw new RpcError(`unknown spend_type ${quote(type)}, one of ${Object.keys(SPEND_TYPE_COSTS).join(', ')}`);
  return cost * (body.spend_count === undefined ? 1n : uint(body.spend_count, 'spend_count', U64_MAX));
}

/** The node's make_monotonically_decreasing: each estimate at most the one before (a longer wait never costs more). */
function neverRising(values: bigint[]): bigint[] {
  let least: bigint | undefined;
  return values.map((value) => (least = least === undefined || value < least ? value : least));
}
