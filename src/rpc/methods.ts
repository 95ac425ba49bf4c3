/** The node-RPC method table: every method the gateway answers, and those it refuses with a reason. */
import { HealthzAnswer, NoParams, RoutesAnswer } from '../../schemas/node-rpc.js';
import { CHAIN_METHODS } from './chain-methods.js';
import { COIN_METHODS } from './coin-methods.js';
import type { RpcMethod, UnsupportedMethod } from './rpc-method.js';

const getRoutes: RpcMethod = {
  name: 'get_routes',
  answeredBy: "The gateway's method table (no peer message).",
  differences: 'Lists the methods this gateway answers, not every method of a node.',
  params: NoParams,
  answer: RoutesAnswer,
  handle: async () => ({ routes: RPC_METHODS.map((method) => `/${method.name}`) }),
};

const healthz: RpcMethod = {
  name: 'healthz',
  answeredBy: 'The gateway itself (no peer message): it answers while it serves HTTP.',
  differences: "GET /healthz is the gateway's own liveness probe (plain JSON, see Operations), not this envelope.",
  params: NoParams,
  answer: HealthzAnswer,
  handle: async () => ({}),
};

export const RPC_METHODS: readonly RpcMethod[] = [...CHAIN_METHODS, ...COIN_METHODS, getRoutes, healthz];

const DATABASE = "needs the node's chain database";
const VALIDATION =
  'a block record holds values a node computes while validating the chain from genesis (sub_slot_iters, required_iters, deficit, overflow, ' +
  'prev_transaction_block_height, sub_epoch_summary_included), which no block or header carries';
const MEMPOOL = "needs the node's mempool, which peers do not share";
const CONTROL = 'controls or describes a node process; the gateway is not a node (its links are in GET /v1/status)';

/** Node-RPC methods a node answers and the gateway cannot, each with the reason it gives. */
export const UNSUPPORTED_METHODS: readonly UnsupportedMethod[] = [
  { name: 'get_block_record_by_height', reason: VALIDATION },
  { name: 'get_block_record', reason: VALIDATION },
  { name: 'get_block_records', reason: VALIDATION },
  { name: 'get_block_count_metrics', reason: `${DATABASE} (counts of compactified blocks and hints)` },
  { name: 'get_block_spends', reason: "needs running the block's generator with the node's CLVM and cost rules" },
  { name: 'get_block_spends_with_conditions', reason: "needs running the block's generator with the node's CLVM and cost rules" },
  { name: 'get_unfinished_block_headers', reason: "needs the node's store of unfinished blocks" },
  { name: 'get_recent_signage_point_or_eos', reason: "needs the node's store of recent signage points and sub-slot ends" },
  {
    name: 'get_network_space',
    reason: "needs the network's consensus constants (plot filter schedule, difficulty constant factor), which the gateway does not hold",
  },
  { name: 'get_constants', reason: "needs the network's full set of consensus constants, which the gateway does not hold" },
  { name: 'get_aggsig_additional_data', reason: "needs the network's consensus constants, which the gateway does not hold" },
  { name: 'get_all_mempool_tx_ids', reason: MEMPOOL },
  { name: 'get_all_mempool_items', reason: MEMPOOL },
  { name: 'get_mempool_item_by_tx_id', reason: MEMPOOL },
  { name: 'get_mempool_items_by_coin_name', reason: MEMPOOL },
  { name: 'create_block_generator', reason: `${MEMPOOL}, and makes blocks` },
  { name: 'get_connections', reason: CONTROL },
  { name: 'open_connection', reason: CONTROL },
  { name: 'close_connection', reason: CONTROL },
  { name: 'stop_node', reason: CONTROL },
  { name: 'get_version', reason: CONTROL },
  { name: 'get_log_level', reason: CONTROL },
  { name: 'set_log_level', reason: CONTROL },
  { name: 'reset_log_level', reason: CONTROL },
];

const BY_NAME = new Map(RPC_METHODS.map((method) => [method.name, method]));
const UNSUPPORTED_BY_NAME = new Map(UNSUPPORTED_METHODS.map((method) => [method.name, method]));

export function rpcMethod(name: string): RpcMethod | undefined {
  return BY_NAME.get(name);
}

export function unsupportedMethod(name: string): UnsupportedMethod | undefined {
  return UNSUPPORTED_BY_NAME.get(name);
}
