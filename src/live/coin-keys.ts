/**
 * The keys of a coin subscription as a client gives them (a subscribe message, /v1/events query
 * parameters): puzzle hashes as 0x hex or addresses of the configured network, coin ids as 0x hex,
 * checked one by one (the first bad one is named), deduplicated, within the per-client cap.
 */
import { addressPrefix, puzzleHashOf } from '../coins/addresses.js';
import { envName } from '../config/options.js';
import type { LiveErrorCode } from '../../schemas/live.js';
import type { ChainPoint } from '../chia/index.js';
import { ApiError } from '../http/errors.js';
import type { CoinKeys } from './coin-feed.js';
import { COIN_CURSOR_RULE, parseCoinCursor } from './coin-cursor.js';

/** A coin subscription given when a client connects (/v1/events query parameters). */
export interface ConnectCoins {
  keys: CoinKeys;
  cursor: ChainPoint | null;
}

const HEX32 = /^0x[0-9a-f]{64}$/;

export type CoinKeysParse = { ok: true; keys: CoinKeys } | { ok: false; code: LiveErrorCode; message: string };

/** Checks and normalises a client's keys; `maxKeys` is the per-client cap (ws.maxCoinKeys). */
export function parseCoinKeys(given: { puzzle_hashes?: string[]; coin_ids?: string[] }, network: string, maxKeys: number): CoinKeysParse {
  const puzzleHashes = new Set<string>();
  const prefix = addressPrefix(network);
  for (const [i, text] of (given.puzzle_hashes ?? []).entries()) {
    try {
      puzzleHashes.add(puzzleHashOf(text.trim(), prefix));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return { ok: false, code: 'INVALID_COIN_KEY', message: `puzzle_hashes[${i}]: ${error.message}` };
    }
  }
  const coinIds = new Set<string>();
  for (const [i, text] of (given.coin_ids ?? []).entries()) {
    const id = text.trim().toLowerCase();
    if (!HEX32.test(id)) return { ok: false, code: 'INVALID_COIN_KEY', message: `coin_ids[${i}]: expected 0x and 64 hex digits` };
    coinIds.add(id);
  }
  const count = puzzleHashes.size + coinIds.size;
  if (count === 0) return { ok: false, code: 'INVALID_COIN_KEY', message: 'a coins subscription needs at least one puzzle hash, address or coin id' };
  if (count > maxKeys) {
    return { ok: false, code: 'COIN_KEYS_TOO_MANY', message: `${count} keys; one connection may watch at most ${maxKeys} (${envName('wsMaxCoinKeys')})` };
  }
  return { ok: true, keys: { puzzle_hashes: [...puzzleHashes], coin_ids: [...coinIds] } };
}

/** Splits a comma-separated query parameter (empty items dropped). */
export function splitList(text: string | undefined): string[] {
  return text === undefined ? [] : text.split(',').filter((item) => item.trim() !== '');
}

/**
 * The coin subscription of a /v1/events request (query `puzzle_hashes`, `coin_ids`, `cursor`, and a
 * Last-Event-ID in coin-cursor form, which wins): null without keys; a bad key or cursor is a 400.
 */
export function coinsOfQuery(
  query: { puzzle_hashes?: string; coin_ids?: string; cursor?: string },
  lastEventId: string | undefined,
  network: string,
  maxKeys: number,
): ConnectCoins | null {
  const given = { puzzle_hashes: splitList(query.puzzle_hashes), coin_ids: splitList(query.coin_ids) };
  const headerCursor = lastEventId === undefined ? null : parseCoinCursor(lastEventId);
  if (given.puzzle_hashes.length + given.coin_ids.length === 0) {
    if (query.cursor !== undefined) throw new ApiError('INVALID_PARAMETER', { detail: 'cursor needs puzzle_hashes or coin_ids' });
    if (headerCursor !== null) throw new ApiError('INVALID_PARAMETER', { detail: 'a coin cursor in Last-Event-ID needs puzzle_hashes or coin_ids' });
    return null;
  }
  const parsed = parseCoinKeys(given, network, maxKeys);
  if (!parsed.ok) throw new ApiError('INVALID_PARAMETER', { detail: parsed.message });
  let cursor = headerCursor;
  if (cursor === null && query.cursor !== undefined) {
    cursor = parseCoinCursor(query.cursor);
    if (cursor === null) throw new ApiError('INVALID_PARAMETER', { detail: COIN_CURSOR_RULE });
  }
  return { keys: parsed.keys, cursor };
}
