/**
 * The node's handshake checks and reply (PROTOCOL.md §c.1–§c.4): checks in the node's order, each
 * failure with the Err code the node writes as the close reason (1002, ban 10 s).
 */
import type { Handshake } from '../src/chia/codec/index.js';
import { MAX_SOFTWARE_VERSION_BYTES } from '../src/chia/protocol/limits.js';
import { CloseReason, type CloseReasonValue } from '../src/chia/protocol/close-reasons.js';
import { Capability, ENABLED, PROTOCOL_VERSIONS } from '../src/chia/protocol/handshake.js';
import { NodeType } from '../src/chia/protocol/message-rules.js';

/** protocol_version the node echoes per peer node type (§c.3); undefined for a type it does not know. */
const PROTOCOL_VERSION: Readonly<Partial<Record<number, string>>> = PROTOCOL_VERSIONS;
/** A full node's default capabilities (§c.4). */
const NODE_CAPABILITIES: readonly number[] = [Capability.BASE, Capability.BLOCK_HEADERS, Capability.RATE_LIMITS_V2, Capability.MEMPOOL_UPDATES];
const SOFTWARE_VERSION = '2.7.3';
/** Loose PEP 440 check: the node only needs protocol_version to parse (§c.1). */
const PEP440 = /^v?(\d+!)?\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?(\+[a-z0-9]+(\.[a-z0-9]+)*)?$/i;

export interface HandshakeFailure {
  detail: string;
  /** Close reason: "110" INCOMPATIBLE_NETWORK_ID, "-6" INVALID_HANDSHAKE, "1" UNKNOWN (a ValueError on the node). */
  reason: CloseReasonValue;
}

/** The first check a peer's handshake fails, in the node's order (§c.2), or null when it passes. */
export function checkHandshake(hs: Handshake, network: string): HandshakeFailure | null {
  if (hs.network_id !== network) return { detail: `network ${hs.network_id}`, reason: CloseReason.INCOMPATIBLE_NETWORK_ID };
  if (PROTOCOL_VERSION[hs.node_type] === undefined) return { detail: `node_type ${hs.node_type}`, reason: CloseReason.UNKNOWN };
  if (Buffer.byteLength(hs.software_version, 'utf8') > MAX_SOFTWARE_VERSION_BYTES) return { detail: 'software_version too long', reason: CloseReason.INVALID_HANDSHAKE };
  if (!PEP440.test(hs.protocol_version)) return { detail: `protocol_version ${hs.protocol_version}`, reason: CloseReason.UNKNOWN };
  return null;
}

/**
 * The node's handshake reply to a peer of `nodeType` (§c.2 step 4); `v3` adds RATE_LIMITS_V3, and
 * `v2 = false` drops RATE_LIMITS_V2, as a node configured without it would.
 */
export function handshakeReply(nodeType: number, network: string, port: number, v3 = false, v2 = true): Handshake {
  return {
    network_id: network,
    protocol_version: PROTOCOL_VERSION[nodeType] ?? PROTOCOL_VERSIONS[NodeType.FULL_NODE],
    software_version: SOFTWARE_VERSION,
    server_port: port,
    node_type: NodeType.FULL_NODE,
    capabilities: [...NODE_CAPABILITIES.filter((id) => v2 || id !== Capability.RATE_LIMITS_V2), ...(v3 ? [Capability.RATE_LIMITS_V3] : [])].map((id) => [id, ENABLED]),
  };
}
