/** The node-RPC method table: every method the gateway answers, and those it refuses with a reason. */
import { CHAIN_METHODS } from './chain-methods.js';
import { COIN_METHODS } from './coin-methods.js';
import type { RpcMethod, UnsupportedMethod } from './rpc-method.js';

export const RPC_METHODS: readonly RpcMethod[] = [...CHAIN_METHODS, ...COIN_METHODS];

/** Node-RPC methods a node answers and the gateway cannot, each with the reason it gives. */
export const UNSUPPORTED_METHODS: readonly UnsupportedMethod[] = [];

const BY_NAME = new Map(RPC_METHODS.map((method) => [method.name, method]));
const UNSUPPORTED_BY_NAME = new Map(UNSUPPORTED_METHODS.map((method) => [method.name, method]));

export function rpcMethod(name: string): RpcMethod | undefined {
  return BY_NAME.get(name);
}

export function unsupportedMethod(name: string): UnsupportedMethod | undefined {
  return UNSUPPORTED_BY_NAME.get(name);
}
