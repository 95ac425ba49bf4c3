/**
 * An in-memory upstream for inject tests and benchmarks (a BlockSource and CoinSource with a peak):
 * it serves the real mainnet blocks 0–63 (shared data, decoded with the codec) and their coinbase
 * additions, follows the Upstream contract (inclusive ranges, request limits, UpstreamError codes),
 * records every call, and fails on command; events and the peak are the shared double's.
 */
import { readFileSync } from 'node:fs';
import {
  MAX_BLOCK_SPAN,
  MAX_HEADER_SPAN,
  UpstreamError,
  coinId,
  fromHex,
  headerHash,
  parseJson,
  toHex,
  types,
  type BlockSource,
  type Coin,
  type CoinSource,
  type FetchedBlock,
  type FullBlock,
  type HeaderBlock,
  type LinkStatus,
  type Peak,
  type RespondAdditions,
  type RespondRemovals,
  type Role,
  type UpstreamErrorCode,
} from '../../src/chia/index.js';
import { fixtureFile } from '../../fixtures/files.js';
import { DOUBLE_PEER, UpstreamDouble } from './upstream-double.js';

export const MEMORY_CHAIN_LENGTH = 64;
export const MEMORY_PEER = DOUBLE_PEER;

export type UpstreamMethod = 'getBlocks' | 'getHeaderBlocks' | 'getAdditions' | 'getRemovals';

interface StoredBlock {
  full: FetchedBlock<FullBlock>;
  header: FetchedBlock<HeaderBlock>;
}

const pad = (height: number) => String(height).padStart(6, '0');

function fetched<T extends FullBlock | HeaderBlock>(height: number, bytes: Uint8Array, value: T): FetchedBlock<T> {
  return { height, header_hash: toHex(headerHash(value)), bytes, value, peer: MEMORY_PEER };
}

/** Reads the real mainnet blocks 0–63 (full and header) from the shared data. */
export function loadMainnetBlocks(): StoredBlock[] {
  const blocks: StoredBlock[] = [];
  for (let height = 0; height < MEMORY_CHAIN_LENGTH; height++) {
    const fullBytes = new Uint8Array(readFileSync(fixtureFile('real/mainnet/full', `${pad(height)}.bin`)));
    const headerBytes = new Uint8Array(readFileSync(fixtureFile('real/mainnet/header', `${pad(height)}.bin`)));
    blocks.push({
      full: fetched(height, fullBytes, types.FullBlock.decode(fullBytes)),
      header: fetched(height, headerBytes, types.HeaderBlock.decode(headerBytes)),
    });
  }
  return blocks;
}

interface CoinRecordJson {
  coin: { parent_coin_info: string; puzzle_hash: string; amount: bigint | number };
  confirmed_block_index: number;
}

/** Coins created per height (the coinbase coins of blocks 1–62), from the real coin records. */
export function loadMainnetAdditions(): Map<number, Coin[]> {
  const text = readFileSync(fixtureFile('real/mainnet/coin_records_0_63.json'), 'utf8');
  const records = (parseJson(text) as { coin_records: CoinRecordJson[] }).coin_records;
  const byHeight = new Map<number, Coin[]>();
  for (const record of records) {
    const coin: Coin = {
      parent_coin_info: fromHex(record.coin.parent_coin_info),
      puzzle_hash: fromHex(record.coin.puzzle_hash),
      amount: BigInt(record.coin.amount),
    };
    const list = byHeight.get(record.confirmed_block_index) ?? [];
    list.push(coin);
    byHeight.set(record.confirmed_block_index, list);
  }
  return byHeight;
}

const SHARED_BLOCKS = { value: undefined as StoredBlock[] | undefined };
const SHARED_ADDITIONS = { value: undefined as Map<number, Coin[]> | undefined };

export class MemoryUpstream extends UpstreamDouble implements BlockSource, CoinSource {
  readonly blocks: StoredBlock[];
  readonly additions: Map<number, Coin[]>;
  /** Every call, in order, e.g. `getBlocks 0 31`. */
  readonly calls: string[] = [];
  readonly ready: Record<Role, boolean> = { full_node: true, wallet: true };
  /** Methods that fail with the given code until cleared. */
  readonly failures = new Map<UpstreamMethod, UpstreamErrorCode>();
  /** Delay before each reply, to let tests overlap requests. */
  delayMs = 0;

  constructor(options: { peakHeight?: number | null } = {}) {
    super();
    SHARED_BLOCKS.value ??= loadMainnetBlocks();
    SHARED_ADDITIONS.value ??= loadMainnetAdditions();
    this.blocks = [...SHARED_BLOCKS.value];
    this.additions = SHARED_ADDITIONS.value;
    const peakHeight = options.peakHeight === undefined ? MEMORY_CHAIN_LENGTH - 1 : options.peakHeight;
    this.makeBest(peakHeight === null ? null : this.peakAt(peakHeight, peakHeight - 1));
  }

  /** A Peak for the stored block at `height`. */
  peakAt(height: number, forkPoint: number): Peak {
    const block = this.#stored(height);
    return {
      height,
      header_hash: block.full.header_hash,
      weight: block.full.value.reward_chain_block.weight,
      fork_point_with_previous_peak: Math.max(0, forkPoint),
      peers: [MEMORY_PEER],
      received_at: Date.now(),
    };
  }

  /** Makes `peak` the best peak and emits it, as the manager does on new_peak. */
  setPeak(peak: Peak | null): void {
    this.makeBest(peak);
  }

  /** Serves `replacement`'s blocks at `height` from now on (a reorg), relabelled to that height. */
  replaceBlock(height: number, replacement: StoredBlock): void {
    this.blocks[height] = {
      full: { ...replacement.full, height },
      header: { ...replacement.header, height },
    };
  }

  override async close(): Promise<void> {
    this.events.removeAllListeners();
  }

  override async getBlocks(start: number, end: number): Promise<FetchedBlock<FullBlock>[]> {
    await this.#enter('getBlocks', 'full_node', `${start} ${end}`);
    this.#checkSpan(start, end, MAX_BLOCK_SPAN);
    return this.#range(start, end).map((b) => b.full);
  }

  override async getHeaderBlocks(start: number, end: number): Promise<FetchedBlock<HeaderBlock>[]> {
    await this.#enter('getHeaderBlocks', 'wallet', `${start} ${end}`);
    this.#checkSpan(start, end, MAX_HEADER_SPAN);
    return this.#range(start, end).map((b) => b.header);
  }

  override async getAdditions(height: number, hash: string | null): Promise<RespondAdditions> {
    await this.#enter('getAdditions', 'wallet', `${height} ${hash}`);
    const block = this.#transactionBlock(height, hash);
    const byPuzzle = new Map<string, Coin[]>();
    for (const coin of this.additions.get(height) ?? []) {
      const key = toHex(coin.puzzle_hash);
      byPuzzle.set(key, [...(byPuzzle.get(key) ?? []), coin]);
    }
    return {
      height,
      header_hash: fromHex(block.header_hash),
      coins: [...byPuzzle].map(([ph, coins]) => [fromHex(ph), coins]),
      proofs: null,
    };
  }

  override async getRemovals(height: number, hash: string): Promise<RespondRemovals> {
    await this.#enter('getRemovals', 'wallet', `${height} ${hash}`);
    const block = this.#transactionBlock(height, hash);
    // No coin is spent in mainnet blocks 0–63 (no generators yet): an honest empty reply.
    return { height, header_hash: fromHex(block.header_hash), coins: [], proofs: null };
  }

  /** One link per role, ready as `ready` says, at the best peak. */
  protected override linkStatuses(): LinkStatus[] {
    const best = this.peak();
    return this.roles.map((role) => ({
      id: `${role}#1`,
      role,
      peer: MEMORY_PEER,
      state: this.ready[role] ? 'ready' : 'reconnecting',
      peer_id: null,
      peak: best === null ? null : { height: best.height, header_hash: best.header_hash, weight: String(best.weight) },
      since: 0,
      last_error: null,
      in_flight: 0,
      queued: 0,
      rate_limits: 'v2',
      reconnects: 0,
      retry: null,
    }));
  }

  async #enter(method: UpstreamMethod, role: Role, args: string): Promise<void> {
    this.calls.push(`${method} ${args}`);
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (!this.ready[role]) throw new UpstreamError('NO_READY_LINK', `no ready ${role} link`);
    const failure = this.failures.get(method);
    if (failure !== undefined) throw new UpstreamError(failure, `${method} failed on command`, { peer: MEMORY_PEER });
  }

  #checkSpan(start: number, end: number, maxSpan: number): void {
    if (end < start || end - start > maxSpan) {
      throw new UpstreamError('UPSTREAM_REJECTED', `range ${start}..${end} rejected`, { peer: MEMORY_PEER });
    }
  }

  /** Blocks start..end inclusive; a height beyond the peak or the stored chain is rejected, as a node does. */
  #range(start: number, end: number): StoredBlock[] {
    const top = Math.min(this.blocks.length - 1, this.peak()?.height ?? -1);
    if (end > top) throw new UpstreamError('UPSTREAM_REJECTED', `no block ${end}`, { peer: MEMORY_PEER });
    return this.blocks.slice(start, end + 1);
  }

  #stored(height: number): StoredBlock {
    const block = this.blocks[height];
    if (block === undefined) throw new UpstreamError('UPSTREAM_REJECTED', `no block ${height}`, { peer: MEMORY_PEER });
    return block;
  }

  /** The node rejects coin requests for unknown, non-main-chain and non-transaction blocks (§e.5). */
  #transactionBlock(height: number, hash: string | null): FetchedBlock<FullBlock> {
    const { full } = this.#stored(height);
    const mismatch = hash !== null && hash !== full.header_hash;
    if (mismatch || !full.value.reward_chain_block.is_transaction_block) {
      throw new UpstreamError('UPSTREAM_REJECTED', `coins of ${height} rejected`, { peer: MEMORY_PEER });
    }
    return full;
  }
}

/** The coin id of a coin as 0x hex (for assertions). */
export function coinIdHex(coin: Coin): string {
  return toHex(coinId(coin));
}
