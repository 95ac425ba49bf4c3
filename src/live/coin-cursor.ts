/**
 * The cursor of a coin subscription: the block a client has every coin change up to, as
 * `<height>-<header hash, 64 hex digits>`. It is taken from the chain, not from a counter, so it
 * means the same after a gateway restart and on any replica, and it is exactly the start point of
 * the node's state reads (`previous_height`, `header_hash`, PROTOCOL.md §e.5): a resume asks the node
 * for what changed after it, and the node says when that block left its chain.
 */
import type { ChainPoint } from '../chia/index.js';
import { COIN_CURSOR_PATTERN } from '../../schemas/live.js';
const COIN_CURSOR = new RegExp(COIN_CURSOR_PATTERN);
const MAX_HEIGHT = 0xffff_ffff;

/** The cursor of a block. */
export function coinCursor(point: ChainPoint): string {
  return `${point.height}-${point.header_hash.slice(2)}`;
}

/** The block a cursor names, or null when `text` is no cursor. */
export function parseCoinCursor(text: string): ChainPoint | null {
  if (!COIN_CURSOR.test(text)) return null;
  const dash = text.indexOf('-');
  const height = Number(text.slice(0, dash));
  if (height > MAX_HEIGHT) return null;
  return { height, header_hash: `0x${text.slice(dash + 1)}` };
}

/** How a bad cursor is described, wherever a client gives one. */
export const COIN_CURSOR_RULE = 'cursor must be <height>-<header hash in 64 lowercase hex digits>, as sent in a coins event';
