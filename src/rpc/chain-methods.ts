/** Node-RPC methods over the chain: the blockchain state, network, blocks and their coins. */
import { addressPrefix } from '../coins/addresses.js';
import { NetworkInfoAnswer, NoParams } from '../../schemas/node-rpc.js';
import type { RpcMethod } from './rpc-method.js';

export const CHAIN_METHODS: readonly RpcMethod[] = [
  {
    name: 'get_network_info',
    answeredBy: 'The configured network (no peer message).',
    differences: '',
    params: NoParams,
    answer: NetworkInfoAnswer,
    handle: async ({ app }) => {
      const network = app.config.network;
      return { network_name: network, network_prefix: addressPrefix(network) };
    },
  },
];
