/**
 * The node's handshake checks and reply (PROTOCOL.md §c.1–§c.4): checks in the node's order, each
 * failure with the Err code the node writes as the close reason (1002, ban 10 s).
 */
import type { Handshake } from '../src/chia/codec/index.js';
import { NodeType } from '../src/chia/protocol/message-rules.js';

/** MAX_VERSION_STRING_BYTES (§c.1). */
const MAX_SOFTWARE_VERSION_BYTES = 128;
/** protocol_version the node echoes per peer node type (§c.3, snapshot column). */
const PROTOCOL_VERSION: Readonly<Record<number, string>> = {
  [NodeType.FULL_NODE]: '0.0.36',
  [NodeType.HARVESTER]: '0.0.38',
  [NodeType.FARMER]: '0.0.38',
  [NodeType.TIMELORD]: '0.0.36',
  [NodeType.INTRODUCER]: '0.0.36',
  [NodeType.WALLET]: '0.0.38',
  [NodeType.DATA_LAYER]: '0.0.36',
  [NodeType.SOLVER]: '0.0.37',
};
/** Capability id of RATE_LIMITS_V2 (§c.4). */
export const RATE_LIMITS_V2 = 3;
/** A full node's default capabilities (§c.4): BASE, BLOCK_HEADERS, RATE_LIMITS_V2, MEMPOOL_UPDATES. */
const NODE_CAPABILITIES: readonly [number, string][] = [
  [1, '1'],
  [2, '1'],
  [RATE_LIMITS_V2, '1'],
  [5, '1'],
];
const SOFTWARE_VERSION = '2.7.3';
/** Loose PEP 440 check: the node only needs protocol_version to parse (§c.1). */
const PEP440 = /^v?(\d+!)?\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?(\+[a-z0-9]+(\.[a-z0-9]+)*)?$/i;

export interface HandshakeFailure {
  detail: string;
  /** Close reason: "110" INCOMPATIBLE_NETWORK_ID, "-6" INVALID_HANDSHAKE, "1" UNKNOWN (a ValueError on the node). */
  reason: '110' | '-6' | '1';
}

/** The first check a peer's handshake fails, in the node's order (§c.2), or null when it passes. */
export function checkHandshake(hs: Handshake, network: string): HandshakeFailure | null {
  if (hs.network_id !== network) return { detail: `network ${hs.network_id}`, reason: '110' };
  if (PROTOCOL_VERSION[hs.node_type] === undefined) return { detail: `node_type ${hs.node_type}`, reason: '1' };
  if (Buffer.byteLength(hs.software_version, 'utf8') > MAX_SOFTWARE_VERSION_BYTES) return { detail: 'software_version too long', reason: '-6' };
  if (!PEP440.test(hs.protocol_version)) return { detail: `protocol_version ${hs.protocol_version}`, reason: '1' };
  return null;
}

/**
 * The node's handshake reply to a peer of `nodeType` (§c.2 step 4); `v3` adds RATE_LIMITS_V3 (7), and
 * `v2 = false` drops RATE_LIMITS_V2 (3), as a node configured without it would.
 */
export function handshakeReply(nodeType: number, network: string, port: number, v3 = false, v2 = true): Handshake {
  return {
    network_id: network,
    protocol_version: PROTOCOL_VERSION[nodeType] ?? PROTOCOL_VERSION[NodeType.FULL_NODE]!,
    software_version: SOFTWARE_VERSION,
    server_port: port,
    node_type: NodeType.FULL_NODE,
    capabilities: [...NODE_CAPABILITIES.filter(([id]) => v2 || id !== RATE_LIMITS_V2), ...(v3 ? [[7, '1'] as [number, string]] : [])].map(([id, value]) => [id, value]),
  };
}
