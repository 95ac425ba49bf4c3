/**
 * The node-RPC face's wire shapes (POST /<method>, src/rpc/): each method's request body and its
 * successful answer, as the full node RPC has them (chia-blockchain full_node_rpc_api.py). Integers are
 * exact JSON numbers, as the node writes them. Every answer also carries `success`.
 */
import { Type, type TSchema } from '@sinclair/typebox';

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
