/**
 * The node-RPC face's wire shapes (POST /<method>, src/rpc/): each method's request body and its
 * successful answer, as the full node RPC has them (chia-blockchain full_node_rpc_api.py). Integers are
 * exact JSON numbers, as the node writes them. Every answer also carries `success`.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { Coin } from './block.js';
import { SpendBundleJson } from './coin-records.js';
import { HexBytes, U32, ref } from './common.js';

/** A successful answer: the method's fields and `success: true`. */
export function rpcSuccess<T extends Record<string, TSchema>>(name: string, fields: T) {
  return Type.Object({ ...fields, success: Type.Literal(true) }, { $id: `RpcAnswer_${name}`, title: `${name} answer` });
}

/** A failed call: the node's `{"success": false, "error": "…"}` (with the catalogue `code` for a gateway condition). */
export const RpcFailure = Type.Object(
  {
    success: Type.Literal(false),
    error: Type.String({ description: "What went wrong, in the node's wording where the node has one" }),
    code: Type.Optional(Type.String({ description: 'The catalogue code of a gateway condition (no ready peer, busy upstream, rate limit)' })),
  },
  { $id: 'RpcFailure', title: 'RpcFailure' },
);

export const NoParams = Type.Object({}, { description: 'No parameters' });

export const NetworkInfoAnswer = rpcSuccess('get_network_info', {
  network_name: Type.String({ description: 'The network id (mainnet, testnet11, …)' }),
  network_prefix: Type.String({ description: 'Its address prefix (xch, txch)' }),
});

// Coins: coin records, a spend's puzzle and solution, push_tx and fee estimates (src/rpc/coin-methods.ts).

const RpcHex32 = Type.String({ maxLength: 66, description: '32 bytes of hex, 0x optional' });
const RpcPuzzleHash = Type.String({
  maxLength: 100,
  description: "A puzzle hash (32 bytes of hex, 0x optional); the gateway also takes an address of its network (xch1…, txch1…)",
});

/** A coin record exactly as the node RPC writes it (CoinRecord.to_json_dict plus `spent`), integers exact. */
export const RpcCoinRecord = Type.Object(
  {
    coin: ref(Coin),
    coinbase: Type.Boolean({ description: 'A farming or pool reward' }),
    confirmed_block_index: { ...U32, description: 'Height of the block that created the coin' },
    spent: Type.Boolean(),
    spent_block_index: { ...U32, description: 'Height of the block that spent it, 0 while unspent' },
    timestamp: Type.Integer({ minimum: 0, description: 'Unix time (seconds) of the block that created the coin' }),
  },
  { description: "A coin record as the node RPC writes it, integers as exact JSON numbers" },
);

/** The node's filters of a coin record list: confirmed height in [start_height, end_height), spent coins only when asked. */
const RecordFilters = {
  start_height: Type.Optional({ ...U32, description: 'Least confirmed height (inclusive), default 0' }),
  end_height: Type.Optional({ ...U32, description: 'Confirmed height below this (exclusive), default none' }),
  include_spent_coins: Type.Optional(Type.Boolean({ description: 'Include spent coins (default false, as the node)' })),
};

const recordsAnswer = (name: string) => rpcSuccess(name, { coin_records: Type.Array(RpcCoinRecord) });

export const CoinRecordByNameParams = Type.Object({ name: RpcHex32 });
export const CoinRecordByNameAnswer = rpcSuccess('get_coin_record_by_name', { coin_record: RpcCoinRecord });
export const CoinRecordsByNamesParams = Type.Object({ names: Type.Array(RpcHex32, { description: 'Coin ids' }), ...RecordFilters });
export const CoinRecordsByNamesAnswer = recordsAnswer('get_coin_records_by_names');
export const CoinRecordsByPuzzleHashParams = Type.Object({ puzzle_hash: RpcPuzzleHash, ...RecordFilters });
export const CoinRecordsByPuzzleHashAnswer = recordsAnswer('get_coin_records_by_puzzle_hash');
export const CoinRecordsByPuzzleHashesParams = Type.Object({ puzzle_hashes: Type.Array(RpcPuzzleHash), ...RecordFilters });
export const CoinRecordsByPuzzleHashesAnswer = recordsAnswer('get_coin_records_by_puzzle_hashes');
export const CoinRecordsByHintParams = Type.Object({ hint: RpcHex32, ...RecordFilters });
export const CoinRecordsByHintAnswer = recordsAnswer('get_coin_records_by_hint');
export const CoinRecordsByParentIdsParams = Type.Object({ parent_ids: Type.Array(RpcHex32, { description: 'Parent coin ids' }), ...RecordFilters });
export const CoinRecordsByParentIdsAnswer = recordsAnswer('get_coin_records_by_parent_ids');

export const PuzzleAndSolutionParams = Type.Object({
  coin_id: RpcHex32,
  height: { ...U32, description: 'The height the coin was spent at' },
});
export const PuzzleAndSolutionAnswer = rpcSuccess('get_puzzle_and_solution', {
  coin_solution: Type.Object(
    { coin: ref(Coin), puzzle_reveal: HexBytes, solution: HexBytes },
    { description: 'The CoinSpend: serialized CLVM as 0x hex' },
  ),
});

export const PushTxParams = Type.Object({ spend_bundle: ref(SpendBundleJson) });
export const PushTxAnswer = rpcSuccess('push_tx', {
  status: Type.Union([Type.Literal('SUCCESS'), Type.Literal('PENDING')], { description: 'SUCCESS when any peer took it into its mempool' }),
});

export const FeeEstimateParams = Type.Object({
  target_times: Type.Array(Type.Integer({ minimum: 0 }), { description: 'Seconds from now' }),
  cost: Type.Optional(Type.Integer({ minimum: 0, description: 'The CLVM cost of the transaction' })),
  spend_type: Type.Optional(Type.String({ description: "A kind of transaction whose typical cost the node assumes (send_xch_transaction, cat_spend, …)" })),
  spend_count: Type.Optional(Type.Integer({ minimum: 1, description: 'How many spends of spend_type (default 1)' })),
  spend_bundle: Type.Optional(ref(SpendBundleJson)),
});
const U64Number = Type.Integer({ minimum: 0 });
export const FeeEstimateAnswer = rpcSuccess('get_fee_estimate', {
  estimates: Type.Array(U64Number, { description: 'Fee in mojo for each target time, never rising with time' }),
  target_times: Type.Array(Type.Integer({ minimum: 0 }), { description: 'The target times, sorted' }),
  current_fee_rate: Type.Number({ description: 'The fee rate (mojo per cost) for inclusion within 1 s' }),
  full_node_synced: Type.Boolean({ description: 'True: the gateway answers from peers at its current peak' }),
  peak_height: U32,
  last_peak_timestamp: Type.Integer({ minimum: 0, description: 'Timestamp of the last transaction block' }),
  node_time_utc: Type.Integer({ description: "The gateway's unix time" }),
  last_block_cost: U64Number,
  fees_last_block: U64Number,
  fee_rate_last_block: Type.Number({ description: 'fees_last_block / last_block_cost (0 without cost)' }),
  last_tx_block_height: U32,
});
