/**
 * The coins a block created (respond_additions) and spent (respond_removals), flattened to
 * `{coin_id, coin}` items and rendered as JSON text by the codec in the requested int mode.
 */
import { coinId, toHex, types, type Coin, type JsonMode } from '../chia/codec/index.js';
import type { RespondAdditions, RespondRemovals } from '../chia/codec/index.js';
import { UpstreamError } from '../chia/errors.js';

type CoinReply = Pick<RespondAdditions, 'height' | 'header_hash'>;

/** A coin with its id. */
export interface CoinItem {
  id: string;
  coin: Coin;
}

/** Checks a respond_additions / respond_removals reply is about the block we asked for. */
function checkBlock(reply: CoinReply, height: number, headerHash: string): void {
  const replyHash = toHex(reply.header_hash);
  if (reply.height !== height || replyHash !== headerHash) {
    throw new UpstreamError(
      'UPSTREAM_INVALID_REPLY',
      `coin reply for ${reply.height}/${replyHash}, asked for ${height}/${headerHash}`,
    );
  }
}

/** The created coins of a respond_additions payload for the block `height`/`headerHash`. */
export function additionsOf(payload: unknown, height: number, headerHash: string): CoinItem[] {
  const reply = payload as RespondAdditions;
  checkBlock(reply, height, headerHash);
  // Coins come grouped by puzzle hash (PROTOCOL.md §e.4).
  return reply.coins.flatMap(([, coins]) => coins.map((coin) => ({ id: toHex(coinId(coin)), coin })));
}

/** The spent coins of a respond_removals payload for the block `height`/`headerHash`. */
export function removalsOf(payload: unknown, height: number, headerHash: string): CoinItem[] {
  const reply = payload as RespondRemovals;
  checkBlock(reply, height, headerHash);
  // The coin is null only for names asked for but not spent; we never ask for names.
  const items: CoinItem[] = [];
  for (const [id, coin] of reply.coins) if (coin !== null) items.push({ id: toHex(id), coin });
  return items;
}

/** `{"height":…,"header_hash":…,"<field>":[{"coin_id":…,"coin":{…}}…]}`. */
export function coinListText(
  field: 'additions' | 'removals',
  height: number,
  headerHash: string,
  items: CoinItem[],
  mode: JsonMode,
): string {
  const list = items.map((i) => `{"coin_id":"${i.id}","coin":${types.Coin.toJsonText(i.coin, mode)}}`);
  return `{"height":${height},"header_hash":"${headerHash}","${field}":[${list.join(',')}]}`;
}
