/**
 * Readable meaning of a node's WebSocket close (PROTOCOL.md §i.3, §i.4): the node writes an `Err`
 * code as the close reason and bans our IP for some close kinds, in which case reconnecting soon only
 * earns an HTTP 403. The manager backs such peers off for longer.
 */
import type { UpstreamErrorCode } from './errors.js';

/** Err values that appear as close reasons (chia/util/errors.py). */
const ERR_NAMES: Readonly<Record<string, string>> = {
  '-4': 'INVALID_PROTOCOL_MESSAGE (malformed frame, unknown type or wrong reply type)',
  '-6': 'INVALID_HANDSHAKE',
  '1': 'UNKNOWN (node-type violation, handler exception or undecodable payload)',
  '110': 'INCOMPATIBLE_NETWORK_ID',
  '125': 'INTERNAL_PROTOCOL_ERROR',
};

export interface CloseMeaning {
  /** What the close means, for logs and error messages. */
  text: string;
  /** Whether the node bans our IP for this close (so reconnect later). 1000 may hide a rate-limit ban. */
  banned: boolean;
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
        banned: false,
        handshakeCode: 'PEER_REFUSED',
      };
    case 1002:
      return {
        text: `protocol error (1002)${suffix}; the node bans our IP for 10 s`,
        banned: true,
        handshakeCode: reason === '110' ? 'WRONG_NETWORK' : 'HANDSHAKE_FAILED',
      };
    case 1009:
      return { text: `message too big (1009)${suffix}; the node bans our IP for 300 s`, banned: true, handshakeCode: 'HANDSHAKE_FAILED' };
    case 1011:
      return { text: `node internal error (1011)${suffix}; ban 10 s`, banned: true, handshakeCode: 'HANDSHAKE_FAILED' };
    case 1006:
      return { text: 'connection lost without a close frame (1006)', banned: false, handshakeCode: 'HANDSHAKE_FAILED' };
    default:
      return { text: `closed with code ${code}${suffix}`, banned: false, handshakeCode: 'HANDSHAKE_FAILED' };
  }
}
