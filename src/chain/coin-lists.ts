/**
 * The coins a block created (respond_additions) and spent (respond_removals), flattened to
 * `{coin_id, coin}` items and rendered as JSON text by the codec, once per int mode for the cache.
 */
import type { CoinListJson, CoinListKind } from './block-cache.js';
import { coinId, toHex, types, type Coin, type JsonMode, type RespondAdditions, type RespondRemovals, UpstreamError, type OnBehalfOf, type CoinSource } from '../chia/index.js';

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
export function additionsOf(reply: RespondAdditions, height: number, headerHash: string): CoinItem[] {
  checkBlock(reply, height, headerHash);
  // Coins come grouped by puzzle hash (PROTOCOL.md §e.4).
  return reply.coins.flatMap(([, coins]) => coins.map((coin) => ({ id: toHex(coinId(coin)), coin })));
}

/** The spent coins of a respond_removals payload for the block `height`/`headerHash`. */
export function removalsOf(reply: RespondRemovals, height: number, headerHash: string): CoinItem[] {
  checkBlock(reply, height, headerHash);
  // The coin is null only for names asked for but not spent; we never ask for names.
  const items: CoinItem[] = [];
  for (const [id, coin] of reply.coins) if (coin !== null) items.push({ id: toHex(id), coin });
  return items;
}

/** `{"height":…,"header_hash":…,"<field>":[{"coin_id":…,"coin":{…}}…]}`. */
export function coinListText(
  field: CoinListKind,
  height: number,
  headerHash: string,
  items: CoinItem[],
  mode: JsonMode,
): string {
  const list = items.map((i) => `{"coin_id":"${i.id}","coin":${types.Coin.toJsonText(i.coin, mode)}}`);
  return `{"height":${height},"header_hash":"${headerHash}","${field}":[${list.join(',')}]}`;
}

/**
 * Fetches the additions or removals of the transaction block `height`/`headerHash` over a wallet link,
 * for the clients `onBehalfOf` names, and renders them in every int mode, ready for the cache.
 */
export async function fetchCoinList(
  upstream: CoinSource,
  field: CoinListKind,
  height: number,
  headerHash: string,
  onBehalfOf?: OnBehalfOf,
): Promise<CoinListJson> {
  const items =
    field === 'additions'
      ? additionsOf(await upstream.getAdditions(height, headerHash, { onBehalfOf }), height, headerHash)
      : removalsOf(await upstream.getRemovals(height, headerHash, { onBehalfOf }), height, headerHash);
  return {
    safe: ownedUtf8(coinListText(field, height, headerHash, items, 'safe')),
    chia: ownedUtf8(coinListText(field, height, headerHash, items, 'chia')),
  };
}

/**
 * UTF-8 in a buffer of its own. Buffer.from puts short strings in a shared 8 KiB pool slab, which a
 * long-lived cache entry would keep alive whole: the cache's byte count would then understate memory.
 */
function ownedUtf8(text: string): Buffer {
  const buffer = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  buffer.write(text);
  return buffer;
}
