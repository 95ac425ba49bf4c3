/** Node-RPC methods over coins: coin records, a spend's puzzle and solution, push_tx, fee estimates. */
import type { RpcMethod } from './rpc-method.js';

export const COIN_METHODS: readonly RpcMethod[] = [];
