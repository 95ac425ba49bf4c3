/**
 * Readable meaning of a node's WebSocket close (PROTOCOL.md §i.3, §i.4): the node writes an `Err`
 * code as the close reason and bans our IP for some close kinds, in which case reconnecting before
 * the ban ends only earns an HTTP 403. The peer pool leaves a peer alone for the ban its close implies.
 */
import type { UpstreamErrorCode } from '../errors.js';

/** Err values that appear as close reasons (chia/util/errors.py). */
const ERR_NAMES: Readonly<Record<string, string>> = {
  '-4': 'INVALID_PROTOCOL_MESSAGE (malformed frame, unknown type or wrong reply type)',
  '-6': 'INVALID_HANDSHAKE',
  '1': 'UNKNOWN (node-type violation, handler exception or undecodable payload)',
  '110': 'INCOMPATIBLE_NETWORK_ID',
  '125': 'INTERNAL_PROTOCOL_ERROR',
};

/**
 * Ban lengths of the node (chia/protocols/protocol_timing.py, PROTOCOL.md §i.4): INVALID_PROTOCOL_,
 * API_EXCEPTION_ and INTERNAL_PROTOCOL_ERROR_BAN_SECONDS are 10 s, RATE_LIMITER_BAN_SECONDS 300 s.
 */
export const SHORT_BAN_MS = 10_000;
export const RATE_LIMITER_BAN_MS = 300_000;
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
    case 1000:
      return {
        text: `closed normally (1000)${suffix}: inbound slots full, duplicate peer id, idle timeout, or a rate-limit ban`,
        banMs: null,
        handshakeCode: 'PEER_REFUSED',
      };
    case 1002:
      return {
        text: `protocol error (1002)${suffix}; the node bans our IP for ${seconds(SHORT_BAN_MS)}`,
        banMs: SHORT_BAN_MS,
        handshakeCode: reason === '110' ? 'WRONG_NETWORK' : 'HANDSHAKE_FAILED',
      };
    case 1009:
      return { text: `message too big (1009)${suffix}; the node bans our IP for ${seconds(RATE_LIMITER_BAN_MS)}`, banMs: RATE_LIMITER_BAN_MS, handshakeCode: 'HANDSHAKE_FAILED' };
    case 1011:
      return { text: `node internal error (1011)${suffix}; the node bans our IP for ${seconds(SHORT_BAN_MS)}`, banMs: SHORT_BAN_MS, handshakeCode: 'HANDSHAKE_FAILED' };
    case 1006:
      return { text: 'connection lost without a close frame (1006)', banMs: null, handshakeCode: 'HANDSHAKE_FAILED' };
    default:
      return { text: `closed with code ${code}${suffix}`, banMs: null, handshakeCode: 'HANDSHAKE_FAILED' };
  }
}
