/**
 * The fake node's answers to the requests a gateway sends (PROTOCOL.md §e.2, §e.5), with the real
 * node's range limits, rejects and no-reply cases. Also the replies used by the `reject`,
 * `wrongReplyType`, `badHeaderHash` and `wrongHeight` faults.
 */
import { MessageType, payloadType, types, type MessageName } from '../src/chia/codec/index.js';
import { MAX_BLOCK_SPAN, MAX_COIN_HASHES_PER_REQUEST, MAX_COINS_MAP_SIZE, MAX_HEADER_SPAN } from '../src/chia/protocol/limits.js';
import type { RateLimitTable } from '../src/chia/protocol/rate-limits.js';
import type { FakeChain } from './chain.js';
import { keyOf } from './coin-set.js';
import type { Subscriptions } from './subscriptions.js';

/** A reply: message name and its encoded payload. */
export interface Reply {
  name: MessageName;
  data: Uint8Array;
}

/** Served blocks that do not match the chain (scripted faults). */
export type BlockFault = 'badHeaderHash' | 'wrongHeight' | undefined;

/** A peer address the fake node returns to request_peers. */
export interface FakePeer {
  host: string;
  port: number;
}

/** What the wallet handlers need of the asking peer and the node (PROTOCOL.md §e.5, §h.4). */
export interface WalletPeer {
  subscriptions: Subscriptions;
  /** Most coin states in one response. */
  maxResponseItems: number;
  /** The node's outbound limits towards this peer (§h.1): a reply over its max_size is never delivered. */
  rateLimits: RateLimitTable;
}

export interface HandlerContext {
  chain: FakeChain;
  peers: readonly FakePeer[];
  blockFault: BlockFault;
  wallet: WalletPeer;
}

export type Req = Record<string, unknown>;
export type Handler = (ctx: HandlerContext, req: Req) => Reply | null;

const ZERO_HASH = new Uint8Array(32);

/** RejectStateReason of reject_puzzle_state / reject_coin_state (§e.4). */
export const RejectStateReason = { REORG: 0, EXCEEDED_SUBSCRIPTION_LIMIT: 1 } as const;

/** Encodes `value` as the payload of message `name`. */
export function reply(name: MessageName, value: unknown): Reply {
  const codec = payloadType(MessageType[name]);
  if (codec === undefined) throw new Error(`no payload type for ${name}`);
  return { name, data: codec.encode(value) };
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
}

/** A block-list payload (respond_blocks / respond_block_headers / respond_header_blocks) from encoded blocks. */
function blockList(name: MessageName, start: number, end: number, blocks: Uint8Array[]): Reply {
  return { name, data: Buffer.concat([u32(start), u32(end), u32(blocks.length), ...blocks]) };
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

function inRange(chain: FakeChain, start: number, end: number): boolean {
  return chain.has(start) && chain.has(end);
}

/** The height actually served for `height` under the block fault. */
function servedHeight(ctx: HandlerContext, height: number): number {
  if (ctx.blockFault !== 'wrongHeight') return height;
  return ctx.chain.has(height + 1) ? height + 1 : height - 1;
}

/** A copy of the foliage with one byte changed, so its hash (the header hash) differs. */
function corrupt<T extends { foliage: { reward_block_hash: Uint8Array } }>(block: T): T {
  const hash = Uint8Array.from(block.foliage.reward_block_hash);
  hash[0] = hash[0]! ^ 0xff;
  return { ...block, foliage: { ...block.foliage, reward_block_hash: hash } };
}

function fullBlock(ctx: HandlerContext, height: number, includeGenerator: boolean): Uint8Array {
  const h = servedHeight(ctx, height);
  if (ctx.blockFault !== 'badHeaderHash') return ctx.chain.fullBlockBytes(h, includeGenerator);
  const block = corrupt(ctx.chain.block(h));
  const value = includeGenerator ? block : { ...block, transactions_generator: null, transactions_generator_buffer: null };
  return types.FullBlock.encode(value);
}

function headerBlock(ctx: HandlerContext, height: number, withFilter: boolean): Uint8Array {
  const h = servedHeight(ctx, height);
  if (ctx.blockFault !== 'badHeaderHash') return ctx.chain.headerBlockBytes(h, withFilter);
  return types.HeaderBlock.encode(corrupt(ctx.chain.headerBlock(h, withFilter)));
}

function heights(start: number, end: number): number[] {
  return Array.from({ length: end - start + 1 }, (_, i) => start + i);
}

/** Block and peer requests; the wallet's coin requests are in wallet-handlers.ts. */
export const BLOCK_HANDLERS: Partial<Record<MessageName, Handler>> = {
  request_block(ctx, req) {
    const height = req.height as number;
    if (!ctx.chain.has(height)) return reply('reject_block', { height });
    return { name: 'respond_block', data: fullBlock(ctx, height, req.include_transaction_block as boolean) };
  },
  request_blocks(ctx, req) {
    const start = req.start_height as number;
    const end = req.end_height as number;
    if (end < start || end - start > MAX_BLOCK_SPAN || !inRange(ctx.chain, start, end)) {
      return reply('reject_blocks', { start_height: start, end_height: end });
    }
    const include = req.include_transaction_block as boolean;
    return blockList('respond_blocks', start, end, heights(start, end).map((h) => fullBlock(ctx, h, include)));
  },
  request_block_header(ctx, req) {
    const height = req.height as number;
    // Above the peak the node rejects; a block missing from its store gets no reply (§e.2): use the `hang` fault for that.
    if (!ctx.chain.has(height)) return reply('reject_header_request', { height });
    return { name: 'respond_block_header', data: headerBlock(ctx, height, true) };
  },
  request_block_headers(ctx, req) {
    const start = req.start_height as number;
    const end = req.end_height as number;
    if (end < start || end - start > MAX_HEADER_SPAN || !inRange(ctx.chain, start, end)) {
      return reply('reject_block_headers', { start_height: start, end_height: end });
    }
    const withFilter = req.return_filter as boolean;
    return blockList('respond_block_headers', start, end, heights(start, end).map((h) => headerBlock(ctx, h, withFilter)));
  },
  request_header_blocks(ctx, req) {
    const start = req.start_height as number;
    const end = req.end_height as number;
    // An invalid range gets no reply at all (§e.5).
    if (end < start || end - start > MAX_BLOCK_SPAN) return null;
    if (!inRange(ctx.chain, start, end)) return reply('reject_header_blocks', { start_height: start, end_height: end });
    return blockList('respond_header_blocks', start, end, heights(start, end).map((h) => headerBlock(ctx, h, true)));
  },
  request_additions(ctx, req) {
    const height = req.height as number;
    const wanted = req.puzzle_hashes as Uint8Array[] | null;
    const given = req.header_hash as Uint8Array | null;
    const mainHash = ctx.chain.has(height) ? ctx.chain.headerHash(height) : null;
    const hash = given ?? mainHash ?? ZERO_HASH;
    const reject = reply('reject_additions_request', { height, header_hash: hash });
    if (wanted !== null && wanted.length > MAX_COIN_HASHES_PER_REQUEST) return reject;
    if (mainHash === null || !sameBytes(hash, mainHash) || ctx.chain.block(height).foliage_transaction_block === null) return reject;
    const coins = ctx.chain.additions(height);
    const groups = new Map<string, [Uint8Array, typeof coins]>();
    for (const coin of coins) {
      const key = Buffer.from(coin.puzzle_hash).toString('hex');
      const group = groups.get(key) ?? [coin.puzzle_hash, []];
      group[1].push(coin);
      groups.set(key, group);
    }
    if (wanted === null) {
      if (groups.size > MAX_COINS_MAP_SIZE) return reject;
      return reply('respond_additions', { height, header_hash: hash, coins: [...groups.values()], proofs: null });
    }
    // One entry per requested puzzle hash; the proofs are placeholders, not real Merkle proofs.
    const entries = wanted.map((ph) => [ph, groups.get(Buffer.from(ph).toString('hex'))?.[1] ?? []] as const);
    const proofs = entries.map(([ph, found]) => [ph, new Uint8Array(0), found.length > 0 ? new Uint8Array(0) : null]);
    return reply('respond_additions', { height, header_hash: hash, coins: entries, proofs });
  },
  request_removals(ctx, req) {
    const height = req.height as number;
    const hash = req.header_hash as Uint8Array;
    const names = req.coin_names as Uint8Array[] | null;
    const reject = reply('reject_removals_request', { height, header_hash: hash });
    if (names !== null && names.length > MAX_COIN_HASHES_PER_REQUEST) return reject;
    if (!ctx.chain.has(height) || !sameBytes(hash, ctx.chain.headerHash(height))) return reject;
    if (ctx.chain.block(height).foliage_transaction_block === null) return reject;
    const removed = ctx.chain.coins.spentAt(height);
    if (names === null || names.length === 0) {
      return reply('respond_removals', { height, header_hash: hash, coins: removed.map((r) => [r.id, r.coin]), proofs: null });
    }
    const byId = new Map(removed.map((r) => [keyOf(r.id), r.coin]));
    // A coin not spent in the block comes back null (§e.5); the proofs are placeholders, not real Merkle proofs.
    return reply('respond_removals', {
      height,
      header_hash: hash,
      coins: names.map((n) => [n, byId.get(keyOf(n)) ?? null]),
      proofs: names.map((n) => [n, new Uint8Array(0)]),
    });
  },
  request_peers(ctx) {
    const timestamp = BigInt(Math.floor(Date.now() / 1000));
    return reply('respond_peers', { peer_list: ctx.peers.map((p) => ({ host: p.host, port: p.port, timestamp })) });
  },
};

/** The reject a request can get (§e.2), or an `error` message for requests that have none. */
export function rejectFor(name: MessageName, req: Req): Reply {
  const range = { start_height: req.start_height, end_height: req.end_height };
  switch (name) {
    case 'request_block':
      return reply('reject_block', { height: req.height });
    case 'request_blocks':
      return reply('reject_blocks', range);
    case 'request_block_header':
      return reply('reject_header_request', { height: req.height });
    case 'request_block_headers':
      return reply('reject_block_headers', range);
    case 'request_header_blocks':
      return reply('reject_header_blocks', range);
    case 'request_additions':
      return reply('reject_additions_request', { height: req.height, header_hash: req.header_hash ?? ZERO_HASH });
    case 'request_removals':
      return reply('reject_removals_request', { height: req.height, header_hash: req.header_hash });
    case 'request_puzzle_solution':
      return reply('reject_puzzle_solution', { coin_name: req.coin_name, height: req.height });
    case 'request_coin_state':
      return reply('reject_coin_state', { reason: RejectStateReason.REORG });
    case 'request_puzzle_state':
      return reply('reject_puzzle_state', { reason: RejectStateReason.REORG });
    default:
      return reply('error', { code: 1, message: 'fake node: scripted reject', data: null });
  }
}

/** A well-formed message of a type that request `name` can never get as its reply. */
export function wrongTypeFor(name: MessageName): Reply {
  return name === 'request_peers' ? reply('reject_block', { height: 0 }) : reply('respond_peers', { peer_list: [] });
}
