/**
 * A strict fake Chia full node for tests and the offline demo: real TLS 1.3 with
 * the Chia CA, the reference node's handshake, node-type table, v1/v2 rate limits, bans and replies,
 * a deterministic chain with reorgs, and scripted faults.
 *
 *   const node = await startFakeNode({ chainLength: 200 });
 *   node.faults.set('request_blocks', { kind: 'hang' }, { times: 1 });
 *   node.chain.addBlock();
 *   await node.close();
 */
import {
  FULL_NODE_IDLE_TIMEOUT_MS,
  HANDSHAKE_TIMEOUT_MS,
  MAX_MESSAGE_BYTES,
  MAX_STATE_RESPONSE_ITEMS,
  RATE_LIMIT_WINDOW_MS,
  SUBSCRIPTION_LIMIT,
} from '../src/chia/protocol/limits.js';
import { FakeNode } from './server.js';
import type { FakeNodeOptions, ResolvedOptions } from './types.js';

export { FakeNode, type ConnectionInfo, type FakeNodeEvents } from './server.js';
export type { FakeNodeLogger, FakeNodeOptions, Violation, ViolationKind } from './types.js';
export type { BanRecord } from './bans.js';
export type { ConnectFault, Fault, ReplyFault } from './faults.js';
export type { CoinSpec, FakeChain, PeakInfo } from './chain.js';
export type { CoinChange, CoinRecord } from './coin-set.js';
export { CREATE_COIN, IDENTITY_PUZZLE, createCoinConditions, serializeProgram, treeHash } from './clvm.js';
export { InclusionStatus } from './mempool.js';
export type { FakePeer } from './handlers.js';

/** Defaults of FakeNodeOptions (the reference node's values where it has one). */
export const FAKE_NODE_DEFAULTS: ResolvedOptions = {
  network: 'mainnet',
  host: '127.0.0.1',
  port: 0,
  chainLength: 1_000,
  devnet: undefined,
  rateLimitWindowMs: RATE_LIMIT_WINDOW_MS,
  idleTimeoutMs: FULL_NODE_IDLE_TIMEOUT_MS,
  handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS,
  maxMessageBytes: MAX_MESSAGE_BYTES,
  inboundSlots: {},
  peers: [],
  gossip: false,
  rateLimitsV2: true,
  // The reference node's per-peer caps for an untrusted peer (PROTOCOL.md §h.4).
  maxSubscriptions: SUBSCRIPTION_LIMIT,
  maxResponseItems: MAX_STATE_RESPONSE_ITEMS,
};

/** Starts a fake full node listening on `wss://host:port/ws`; close it with `close()`. */
export async function startFakeNode(options: FakeNodeOptions = {}): Promise<FakeNode> {
  const { logger, ...rest } = options;
  const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  const node = new FakeNode({ ...FAKE_NODE_DEFAULTS, ...defined }, logger);
  try {
    await node.listen();
  } catch (err) {
    await node.close();
    throw err;
  }
  return node;
}
