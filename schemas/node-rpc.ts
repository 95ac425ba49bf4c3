/**
 * The node-RPC face's wire shapes (POST /<method>, src/rpc/): each method's request body and its
 * successful answer, as the full node RPC has them (chia-blockchain full_node_rpc_api.py). Integers are
 * exact JSON numbers, as the node writes them. Every answer also carries `success`.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { ClassgroupElement, Coin, FullBlock } from './block.js';
import { BigUint, Hex32, ref } from './common.js';

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

/** A coin record as the node RPC writes it. */
export const RpcCoinRecord = Type.Object(
  {
    coin: ref(Coin),
    coinbase: Type.Boolean(),
    confirmed_block_index: Height,
    spent: Type.Boolean(),
    spent_block_index: Height,
    timestamp: ref(BigUint),
  },
  { $id: 'RpcCoinRecord', title: 'RpcCoinRecord' },
);

export const AdditionsAndRemovalsAnswer = rpcSuccess('get_additions_and_removals', {
  additions: Type.Array(ref(RpcCoinRecord)),
  removals: Type.Array(ref(RpcCoinRecord)),
});

export const RoutesAnswer = rpcSuccess('get_routes', { routes: Type.Array(Type.String({ description: 'A method path, e.g. /get_block' })) });

export const NetworkInfoAnswer = rpcSuccess('get_network_info', {
  network_name: Type.String({ description: 'The network id (mainnet, testnet11, …)' }),
  network_prefix: Type.String({ description: 'Its address prefix (xch, txch)' }),
});
