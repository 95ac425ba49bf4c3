/**
 * Our side of the handshake (PROTOCOL.md §c): what we announce per role, and the checks on the
 * node's reply (message type 1, node_type FULL_NODE, our network_id), as the Rust SDK does.
 */
import { MessageType, encodeFrame, types, type Frame, type Handshake } from '../codec/index.js';
import type { UpstreamErrorCode } from '../errors.js';
import { NodeType, type NodeTypeValue } from './message-rules.js';
import type { Role } from '../upstream-api.js';

export const SOFTWARE_VERSION = 'chia-peer-gateway/0.1.0';

/** Capability ids of the handshake (§c.4); only the value "1" enables one. */
export const Capability = {
  BASE: 1,
  BLOCK_HEADERS: 2,
  RATE_LIMITS_V2: 3,
  NONE_RESPONSE: 4,
  MEMPOOL_UPDATES: 5,
  HARD_FORK_2: 6,
  RATE_LIMITS_V3: 7,
} as const;
/** The value that enables a capability (§c.4). */
export const ENABLED = '1';

/** protocol_version a current node announces for each node type, and echoes to a peer of that type (§c.3, snapshot). */
export const PROTOCOL_VERSIONS: Readonly<Record<NodeTypeValue, string>> = {
  [NodeType.FULL_NODE]: '0.0.36',
  [NodeType.HARVESTER]: '0.0.38',
  [NodeType.FARMER]: '0.0.38',
  [NodeType.TIMELORD]: '0.0.36',
  [NodeType.INTRODUCER]: '0.0.36',
  [NodeType.WALLET]: '0.0.38',
  [NodeType.DATA_LAYER]: '0.0.36',
  [NodeType.SOLVER]: '0.0.37',
};

/** The node type a role declares. */
export function nodeTypeOf(role: Role): NodeTypeValue {
  return role === 'wallet' ? NodeType.WALLET : NodeType.FULL_NODE;
}

/**
 * protocol_version per role (§c.3). The node echoes the table entry of our node type and uses the
 * value only for `error` replies (≥ 0.0.35) and the unfinished-block message version (> 0.0.35 gets
 * new_unfinished_block2). We announce what a current node of that type announces ("0.0.38" for a
 * wallet, "0.0.36" for a full node), so both links look like the reference software of their role.
 */
export const PROTOCOL_VERSION: Readonly<Record<Role, string>> = {
  wallet: PROTOCOL_VERSIONS[nodeTypeOf('wallet')],
  full_node: PROTOCOL_VERSIONS[nodeTypeOf('full_node')],
};

/** BASE, BLOCK_HEADERS, RATE_LIMITS_V2, HARD_FORK_2 (§c.4). Not RATE_LIMITS_V3: that obliges the v3 exchange (§c.5). */
export const CAPABILITIES: readonly (readonly [number, string])[] = [
  [Capability.BASE, ENABLED],
  [Capability.BLOCK_HEADERS, ENABLED],
  [Capability.RATE_LIMITS_V2, ENABLED],
  [Capability.HARD_FORK_2, ENABLED],
];

/** Whether a capability list enables capability `id` (§c.4). */
export function hasCapability(list: readonly (readonly [number, string])[], id: number): boolean {
  return list.some(([listed, value]) => listed === id && value === ENABLED);
}

/** The handshake frame we send first (§c.2), server_port 0: we accept no connections. */
export function handshakeFrame(role: Role, network: string): Uint8Array {
  const data = types.Handshake.encode({
    network_id: network,
    protocol_version: PROTOCOL_VERSION[role],
    software_version: SOFTWARE_VERSION,
    server_port: 0,
    node_type: nodeTypeOf(role),
    capabilities: CAPABILITIES.map(([id, value]) => [id, value]),
  });
  return encodeFrame({ type: MessageType.handshake, id: null, data });
}

export type HandshakeCheck = { ok: true; remote: Handshake; v2Limits: boolean } | { ok: false; code: UpstreamErrorCode; message: string; cause?: unknown };

/** Checks the node's first message: a decodable handshake from a full node on our network. */
export function checkHandshake(frame: Frame, network: string): HandshakeCheck {
  if (frame.type !== MessageType.handshake) return { ok: false, code: 'HANDSHAKE_FAILED', message: `expected a handshake, got message type ${frame.type}` };
  let remote: Handshake;
  try {
    remote = types.Handshake.decode(frame.data);
  } catch (cause) {
    return { ok: false, code: 'HANDSHAKE_FAILED', message: 'undecodable handshake', cause };
  }
  if (remote.network_id !== network) {
    return { ok: false, code: 'WRONG_NETWORK', message: `peer is on network "${remote.network_id}", we are on "${network}" (check network)` };
  }
  if (remote.node_type !== NodeType.FULL_NODE) {
    return { ok: false, code: 'WRONG_NODE_TYPE', message: `peer is node type ${remote.node_type}, not a full node (1)` };
  }
  // Without RATE_LIMITS_V2 on both sides the node applies the stricter v1 table (§c.4, §h.1).
  const v2Limits = hasCapability(CAPABILITIES, Capability.RATE_LIMITS_V2) && hasCapability(remote.capabilities, Capability.RATE_LIMITS_V2);
  return { ok: true, remote, v2Limits };
}
