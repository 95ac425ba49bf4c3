/**
 * The coins a block created (respond_additions) and spent (respond_removals), flattened to
 * `{coin_id, coin}` items and rendered as JSON text by the codec, once per int mode for the cache,
 * and served by GET /v1/blocks/{height}/additions and /removals.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CachedBlock, CoinListJson, CoinListKind } from './block-cache.js';
import { clientOf, lookupBlock, requireAtMostPeak, requirePeak } from './chain-lookup.js';
import {
  coinId,
  toHex,
  types,
  type ClientKey,
  type Coin,
  type JsonMode,
  type Peak,
  type RespondAdditions,
  type RespondRemovals,
  UpstreamError,
  type OnBehalfOf,
  type CoinSource,
} from '../chia/index.js';
import { ApiError, fromUpstream } from '../http/errors.js';
import { applyValidators, isImmutable } from '../http/http-cache.js';
import { JSON_TYPE, negotiate, variantSuffix } from '../http/representation.js';
import { HEADER_HASH_HEADER } from '../http/resource-headers.js';

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

/**
 * Serves the `field` coins of the block at `height`. The block is resolved to its header hash first
 * (any cached kind, else its header block over a wallet link); a non-transaction block has no coins.
 */
export async function serveCoinList(
  app: FastifyInstance,
  field: CoinListKind,
  height: number,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const representation = negotiate(request, false);
  const mode = representation.kind === 'json' ? representation.mode : 'safe';
  const peak = requirePeak(app, 'wallet');
  requireAtMostPeak(height, peak);
  const client = clientOf(request);
  const block = await resolveBlock(app, height, peak, client);
  reply.header(HEADER_HASH_HEADER, block.headerHash);
  const immutable = isImmutable(height, peak.height, app.config.confirmations);
  const tag = `${block.headerHash}:${field}${variantSuffix(representation)}`;
  if (applyValidators(request, reply, tag, immutable)) return reply;
  // The node rejects coin requests for non-transaction blocks (PROTOCOL.md §e.5): they have no coins.
  if (!block.isTransactionBlock) {
    return reply.type(JSON_TYPE).send(coinListText(field, height, block.headerHash, [], mode));
  }
  return reply.type(JSON_TYPE).send((await coinList(app, field, block, client))[mode]);
}

/** The block whose coins are asked for: any cached kind, else its header block (wallet role). */
async function resolveBlock(app: FastifyInstance, height: number, peak: Peak, client: ClientKey): Promise<CachedBlock> {
  return app.blockCache.peek('header', height) ?? app.blockCache.peek('full', height)
    ?? lookupBlock(app.blockCache, 'header', height, peak, client);
}

/**
 * The coin list of a transaction block from the block cache, else fetched over a wallet link (once
 * for concurrent requests) and cached. Lists are keyed by header hash as well as height, and dropped
 * with their block on a reorg, so tip lists are cached too without ever serving a replaced block's.
 */
async function coinList(app: FastifyInstance, field: CoinListKind, block: CachedBlock, client: ClientKey): Promise<CoinListJson> {
  const { height, headerHash } = block;
  const hit = app.blockCache.hitCoinList(field, height, headerHash);
  if (hit !== undefined) return hit.json;
  try {
    const loaded = await app.blockCache.loadCoinList(
      field,
      height,
      headerHash,
      (onBehalfOf) => fetchCoinList(app.upstream, field, height, headerHash, onBehalfOf),
      client,
    );
    return loaded.json;
  } catch (error) {
    // The block is known (just resolved): a reject here is the peer declining, not a missing block.
    if (error instanceof UpstreamError && error.code === 'UPSTREAM_REJECTED') {
      throw new ApiError('COINS_REFUSED', { field, height, header_hash: headerHash }, { cause: error });
    }
    throw fromUpstream(error, { role: 'wallet', height });
  }
}
