/**
 * Readable meaning of a node's WebSocket close (PROTOCOL.md §i.3, §i.4): the node writes an `Err`
 * code as the close reason and bans our IP for some close kinds, in which case reconnecting before
 * the ban ends only earns an HTTP 403. The peer pool leaves a peer alone for the ban its close implies.
 */
import type { UpstreamErrorCode } from '../errors.js';
import { RATE_LIMITER_BAN_MS, SHORT_BAN_MS } from './limits.js';

/** WebSocket close codes a node closes with (§i.4). */
export const CloseCode = {
  NORMAL: 1000,
  PROTOCOL_ERROR: 1002,
  /** Set locally by the WebSocket client when the connection dropped without a close frame. */
  ABNORMAL: 1006,
  MESSAGE_TOO_BIG: 1009,
  INTERNAL_ERROR: 1011,
} as const;

/** `Err` values a node writes, in decimal, as the close reason (§i.3, chia/util/errors.py). */
export const CloseReason = {
  INVALID_PROTOCOL_MESSAGE: '-4',
  INVALID_HANDSHAKE: '-6',
  UNKNOWN: '1',
  INCOMPATIBLE_NETWORK_ID: '110',
  INTERNAL_PROTOCOL_ERROR: '125',
} as const;
export type CloseReasonValue = (typeof CloseReason)[keyof typeof CloseReason];

/** What each close reason means. */
const ERR_NAMES: Readonly<Record<string, string>> = {
  [CloseReason.INVALID_PROTOCOL_MESSAGE]: 'INVALID_PROTOCOL_MESSAGE (malformed frame, unknown type or wrong reply type)',
  [CloseReason.INVALID_HANDSHAKE]: 'INVALID_HANDSHAKE',
  [CloseReason.UNKNOWN]: 'UNKNOWN (node-type violation, handler exception or undecodable payload)',
  [CloseReason.INCOMPATIBLE_NETWORK_ID]: 'INCOMPATIBLE_NETWORK_ID',
  [CloseReason.INTERNAL_PROTOCOL_ERROR]: 'INTERNAL_PROTOCOL_ERROR',
};

const seconds = (ms: number) => `${ms / 1_000} s`;

export interface CloseMeaning {
  /** What the close means, for logs and error messages. */
  text: string;
  /**
   * The ban of our IP this close implies (reconnect after it), null for none known. A 1000 may hide
   * a 300 s rate-limit ban that nothing distinguishes from a plain close: the next connection's 403
   * then tells (see PeerLink).
   */
  banMs: number | null;
  /** The error code to report when the close ends the handshake. */
  handshakeCode: UpstreamErrorCode;
}

/** Interprets close `code` with `reason` as sent by a full node. */
export function describeClose(code: number, reason: string): CloseMeaning {
  const err = ERR_NAMES[reason];
  const suffix = reason === '' ? '' : ` reason "${reason}"${err ? ` = ${err}` : ''}`;
  switch (code) {
    case CloseCode.NORMAL:
      return {
        text: `closed normally (1000)${suffix}: inbound slots full, duplicate peer id, idle timeout, or a rate-limit ban`,
        banMs: null,
        handshakeCode: 'PEER_REFUSED',
      };
    case CloseCode.PROTOCOL_ERROR:
      return {
        text: `protocol error (1002)${suffix}; the node bans our IP for ${seconds(SHORT_BAN_MS)}`,
        banMs: SHORT_BAN_MS,
        handshakeCode: reason === CloseReason.INCOMPATIBLE_NETWORK_ID ? 'WRONG_NETWORK' : 'HANDSHAKE_FAILED',
      };
    case CloseCode.MESSAGE_TOO_BIG:
      return { text: `message too big (1009)${suffix}; the node bans our IP for ${seconds(RATE_LIMITER_BAN_MS)}`, banMs: RATE_LIMITER_BAN_MS, handshakeCode: 'HANDSHAKE_FAILED' };
    case CloseCode.INTERNAL_ERROR:
      return { text: `node internal error (1011)${suffix}; the node bans our IP for ${seconds(SHORT_BAN_MS)}`, banMs: SHORT_BAN_MS, handshakeCode: 'HANDSHAKE_FAILED' };
    case CloseCode.ABNORMAL:
      return { text: 'connection lost without a close frame (1006)', banMs: null, handshakeCode: 'HANDSHAKE_FAILED' };
    default:
      return { text: `closed with code ${code}${suffix}`, banMs: null, handshakeCode: 'HANDSHAKE_FAILED' };
  }
}
