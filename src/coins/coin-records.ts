/**
 * Coin records like the node RPC's get_coin_record_by_name (`coin`, `coinbase`, `confirmed_block_index`,
 * `spent`, `spent_block_index`, `timestamp`), with the coin id and its address, built from the peers'
 * CoinStates, which carry only the coin and its two heights. The rest is derived exactly:
 * - coinbase: the node creates reward coins with a parent id made of half the genesis challenge and the
 *   height of the block that earned them (chia-blockchain: chia/consensus/coinbase.py pool_parent_id,
 *   farmer_parent_id); a spend's output has a real coin id as parent, which cannot have that shape;
 * - timestamp: the timestamp of the transaction block that created the coin, read from its header block
 *   through the block cache (the node stores the same value).
 */
import type { FastifyInstance } from 'fastify';
import { coinId as coinIdOf, networkInfo, toHex, types, type ClientKey, type Coin, type CoinState, type JsonMode, type Peak } from '../chia/index.js';
import { fromUpstream } from '../http/errors.js';
import { addressPrefix, toAddress } from './addresses.js';

export interface CoinRecord {
  id: string;
  coin: Coin;
  coinbase: boolean;
  confirmed: number;
  /** The spent height, 0 when unspent (as the node stores it). */
  spent: number;
  timestamp: bigint;
}

/** A block the answer was read at: its height and header hash. */
export interface ReadPoint {
  height: number;
  header_hash: string;
}

const HALF = 16;
/** The reward-claim parent's second half is a height as a 16-byte big-endian integer: 12 zero bytes, then a u32. */
const HEIGHT_OFFSET = 12;

/** True when `parent` is a reward claim's parent id (a coinbase coin), for a coin confirmed at `confirmed`. */
export function isRewardParent(parent: Uint8Array, confirmed: number, genesisChallenge: string): boolean {
  for (let i = HALF; i < HALF + HEIGHT_OFFSET; i++) if (parent[i] !== 0) return false;
  const height = new DataView(parent.buffer, parent.byteOffset + HALF + HEIGHT_OFFSET, 4).getUint32(0);
  if (height > confirmed) return false;
  // A private network's genesis challenge is not known here: its height pattern alone is already unforgeable.
  if (genesisChallenge === '') return true;
  const first = toHex(parent.subarray(0, HALF)).slice(2);
  const genesis = genesisChallenge.slice(2);
  return first === genesis.slice(0, 2 * HALF) || first === genesis.slice(2 * HALF);
}

/**
 * The records of the confirmed states among `states` (a state without a created height is not on the
 * chain), in their order, with the timestamps of their blocks (each block read once, through the cache).
 */
export async function recordsOf(app: FastifyInstance, states: CoinState[], peak: Peak, client: ClientKey): Promise<CoinRecord[]> {
  const confirmed = states.filter((s): s is CoinState & { created_height: number } => s.created_height !== null);
  const timestamps = new Map<number, bigint>();
  await Promise.all(
    [...new Set(confirmed.map((s) => s.created_height))].map(async (height) => {
      timestamps.set(height, await blockTimestamp(app, height, peak, client));
    }),
  );
  const genesis = networkInfo(app.config.network).genesisChallenge;
  return confirmed.map((state) => ({
    id: toHex(coinIdOf(state.coin)),
    coin: state.coin,
    coinbase: isRewardParent(state.coin.parent_coin_info, state.created_height, genesis),
    confirmed: state.created_height,
    spent: state.spent_height ?? 0,
    timestamp: timestamps.get(state.created_height) ?? 0n,
  }));
}

/** What a transaction block says about itself: its timestamp, and the fees and cost of its transactions. */
export interface TransactionFacts {
  timestamp: bigint;
  fees: bigint;
  cost: bigint;
}

/**
 * The transaction facts of the block at `height` (its header, through the block cache, or the full
 * block when that is cached); null for a block that is not a transaction block.
 */
export async function transactionFacts(app: FastifyInstance, height: number, peak: Peak, client: ClientKey): Promise<TransactionFacts | null> {
  const cached = app.blockCache.peek('full', height);
  try {
    const block = cached ?? (await app.blockCache.get('header', height, Math.max(peak.height, height), client));
    const decoded = block.kind === 'full' ? types.FullBlock.decode(block.bytes) : types.HeaderBlock.decode(block.bytes);
    const foliage = decoded.foliage_transaction_block;
    if (foliage === null) return null;
    return { timestamp: foliage.timestamp, fees: decoded.transactions_info?.fees ?? 0n, cost: decoded.transactions_info?.cost ?? 0n };
  } catch (error) {
    throw fromUpstream(error, { role: 'wallet', height });
  }
}

/** The timestamp of the transaction block at `height` (a block that created coins is one). */
async function blockTimestamp(app: FastifyInstance, height: number, peak: Peak, client: ClientKey): Promise<bigint> {
  return (await transactionFacts(app, height, peak, client))?.timestamp ?? 0n;
}

/** One record as JSON text, u64 values rendered per `mode`. */
export function recordText(record: CoinRecord, mode: JsonMode, prefix: string): string {
  const timestamp = mode === 'chia' ? String(record.timestamp) : `"${record.timestamp}"`;
  return (
    `{"coin_id":"${record.id}","address":"${toAddress(record.coin.puzzle_hash, prefix)}",` +
    `"coin":${types.Coin.toJsonText(record.coin, mode)},"coinbase":${record.coinbase},` +
    `"confirmed_block_index":${record.confirmed},"spent":${record.spent > 0},"spent_block_index":${record.spent},` +
    `"timestamp":${timestamp}}`
  );
}

/** `{"height":…,"header_hash":…}` of the block an answer was read at. */
export function pointText(point: ReadPoint): string {
  return `{"height":${point.height},"header_hash":"${point.header_hash}"}`;
}

/** The address prefix of the gateway's network. */
export function prefixOf(app: FastifyInstance): string {
  return addressPrefix(app.config.network);
}
