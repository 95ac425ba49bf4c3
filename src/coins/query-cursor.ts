/**
 * The cursor of POST /v1/coins/query: opaque to clients, it is the block a puzzle-hash walk continues
 * from, the node's own continuation (respond_puzzle_state `height` and `header_hash`, PROTOCOL.md §e.5),
 * base64url-encoded. The header hash makes a continuation across a reorg detectable: the node refuses a
 * start point that left its chain.
 */
import { ApiError } from '../http/errors.js';
import { quote } from '../live/quote.js';
import { MAX_HEIGHT, type ChainPoint } from '../chia/index.js';

const CURSOR_TEXT = /^(\d{1,10})\.([0-9a-f]{64})$/;

export function encodeCursor(point: ChainPoint): string {
  return Buffer.from(`${point.height}.${point.header_hash.slice(2)}`).toString('base64url');
}

/** The block a cursor continues from; CURSOR_INVALID for anything this API did not issue. */
export function decodeCursor(cursor: string): ChainPoint {
  const match = CURSOR_TEXT.exec(Buffer.from(cursor, 'base64url').toString('latin1'));
  const height = Number(match?.[1]);
  if (match === null || height > MAX_HEIGHT || encodeCursor({ height, header_hash: `0x${match[2]}` }) !== cursor) {
    throw new ApiError('CURSOR_INVALID', { cursor: quote(cursor) });
  }
  return { height, header_hash: `0x${match[2]}` };
}
