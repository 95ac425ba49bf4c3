/**
 * The node-RPC face's wire shapes (POST /<method>, src/rpc/): each method's request body and its
 * successful answer, as the full node RPC has them (chia-blockchain full_node_rpc_api.py). Integers are
 * exact JSON numbers, as the node writes them. Every answer also carries `success`.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { ClassgroupElement, Coin, FullBlock } from './block.js';
import { SpendBundleJson } from './coin-records.js';
import { BigUint, Hex32, HexBytes, U32, ref } from './common.js';

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

const Height = Type.Integer({ minimum: 0, maximum: 4_294_967_295 });
const HashText = Type.String({ pattern: '^(0x)?[0-9a-fA-F]{64}$', description: 'A 32-byte hash as hex, with or without 0x' });

export const HeaderHashParams = Type.Object({ header_hash: HashText }, { description: 'The block, by header hash' });

export const BlocksParams = Type.Object(
  {
    start: Height,
    end: Type.Integer({ minimum: 0, maximum: 4_294_967_295, description: 'Exclusive' }),
    exclude_header_hash: Type.Optional(Type.Boolean({ default: false, description: 'Leave out each block\'s header_hash' })),
    exclude_reorged: Type.Optional(Type.Boolean({ default: false, description: 'Main-chain blocks only (the gateway serves no others)' })),
  },
  { description: 'Blocks start ≤ height < end' },
);

const Hex32Out = Hex32;
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** The BlockRecord fields a block carries (the gateway leaves out those only chain validation gives). */
export const PeakRecord = Type.Object(
  {
    header_hash: Hex32Out,
    prev_hash: Hex32Out,
    height: Height,
    weight: ref(BigUint),
    total_iters: ref(BigUint),
    signage_point_index: Type.Integer({ minimum: 0, maximum: 255 }),
    challenge_vdf_output: ref(ClassgroupElement),
    infused_challenge_vdf_output: Nullable(ref(ClassgroupElement)),
    pool_puzzle_hash: Hex32Out,
    farmer_puzzle_hash: Hex32Out,
    timestamp: Nullable(ref(BigUint)),
    prev_transaction_block_hash: Nullable(Hex32Out),
    fees: Nullable(ref(BigUint)),
    reward_claims_incorporated: Nullable(Type.Array(ref(Coin))),
  },
  { $id: 'RpcPeakRecord', title: 'RpcPeakRecord', description: "The peak's BlockRecord fields that a block carries" },
);

export const BlockchainStateAnswer = rpcSuccess('get_blockchain_state', {
  blockchain_state: Type.Object({
    peak: ref(PeakRecord),
    genesis_challenge_initialized: Type.Boolean(),
    sync: Type.Object({
      sync_mode: Type.Boolean(),
      synced: Type.Boolean({ description: 'The gateway is ready: a ready link per role and a fresh peak' }),
      sync_tip_height: Height,
      sync_progress_height: Height,
    }),
    difficulty: Type.Optional(ref(BigUint)),
    average_block_time: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'Seconds per block over the last day; null while the chain is too short' }),
    block_max_cost: Type.Optional(ref(BigUint)),
  }),
});

export const BlockAnswer = rpcSuccess('get_block', { block: ref(FullBlock) });

export const BlocksAnswer = rpcSuccess('get_blocks', {
  blocks: Type.Array(Type.Intersect([ref(FullBlock), Type.Object({ header_hash: Type.Optional(Type.String({ description: 'Hex without 0x, as the node writes it' })) })])),
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
  { $id: 'RpcCoinRecord', title: 'RpcCoinRecord', description: 'A coin record as the node RPC writes it, integers as exact JSON numbers' },
);

export const AdditionsAndRemovalsAnswer = rpcSuccess('get_additions_and_removals', {
  additions: Type.Array(ref(RpcCoinRecord)),
  removals: Type.Array(ref(RpcCoinRecord)),
});

export const HealthzAnswer = rpcSuccess('healthz', {});

export const RoutesAnswer = rpcSuccess('get_routes', { routes: Type.Array(Type.String({ description: 'A method path, e.g. /get_block' })) });

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

/** The node's filters of a coin record list: confirmed height in [start_height, end_height), spent coins only when asked. */
const RecordFilters = {
  start_height: Type.Optional({ ...U32, description: 'Least confirmed height (inclusive), default 0' }),
  end_height: Type.Optional({ ...U32, description: 'Confirmed height below this (exclusive), default none' }),
  include_spent_coins: Type.Optional(Type.Boolean({ description: 'Include spent coins (default false, as the node)' })),
};

const recordsAnswer = (name: string) => rpcSuccess(name, { coin_records: Type.Array(ref(RpcCoinRecord)) });

export const CoinRecordByNameParams = Type.Object({ name: RpcHex32 });
export const CoinRecordByNameAnswer = rpcSuccess('get_coin_record_by_name', { coin_record: ref(RpcCoinRecord) });
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
