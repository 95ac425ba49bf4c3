/**
 * An in-memory upstream for inject tests and benchmarks (a BlockSource, CoinSource and WalletSource
 * with a peak): it serves the real mainnet blocks 0–63 (shared data, decoded with the codec), their
 * coinbase additions and the coin set of their real coin records (memory-coin-set.ts), follows the
 * Upstream contract (inclusive ranges, request limits, REORG rejects of a stale start point,
 * UpstreamError codes), records every call, and fails on command; events and the peak are the shared
 * double's. Transactions get a node-like ack from every peer in `transactionPeers` (signatures are not
 * checked); fee estimates are a fixed rate.
 */
import { readFileSync } from 'node:fs';
import {
  MAX_BLOCK_SPAN,
  MAX_COIN_STATE_IDS,
  MAX_FEE_ESTIMATE_TARGETS,
  MAX_HEADER_SPAN,
  MAX_PUZZLE_STATE_HASHES,
  MAX_STATE_RESPONSE_ITEMS,
  UpstreamError,
  coinId,
  fromHex,
  headerHash,
  sha256,
  toHex,
  types,
  type BlockSource,
  type ChainPoint,
  type Coin,
  type CoinSource,
  type CoinState,
  type CoinStateFilters,
  type CoinStatesRead,
  type FeeEstimateGroup,
  type PuzzleSolutionResponse,
  type PuzzleStatePage,
  type SpendBundle,
  type TransactionAckFrom,
  type TransactionSent,
  type WalletSource,
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
import { MemoryCoinSet, coinOfRecord, loadMainnetCoinRecords, type CoinRecordJson } from './memory-coin-set.js';

export const MEMORY_CHAIN_LENGTH = 64;
export const MEMORY_PEER = DOUBLE_PEER;

export type UpstreamMethod =
  | 'getBlocks'
  | 'getHeaderBlocks'
  | 'getAdditions'
  | 'getRemovals'
  | 'getCoinStates'
  | 'getPuzzleStatePage'
  | 'getChildren'
  | 'getPuzzleSolution'
  | 'sendTransaction'
  | 'getFeeEstimates';

/** The fee rate (mojos per CLVM cost) every estimate of the double gives. */
export const MEMORY_FEE_RATE = 5n;

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

/** Coins created per height (the coinbase coins of blocks 1–62), from the real coin records. */
export function loadMainnetAdditions(records: CoinRecordJson[] = loadMainnetCoinRecords()): Map<number, Coin[]> {
  const byHeight = new Map<number, Coin[]>();
  for (const record of records) {
    const list = byHeight.get(record.confirmed_block_index) ?? [];
    list.push(coinOfRecord(record));
    byHeight.set(record.confirmed_block_index, list);
  }
  return byHeight;
}

const SHARED_BLOCKS = { value: undefined as StoredBlock[] | undefined };
const SHARED_RECORDS = { value: undefined as CoinRecordJson[] | undefined };
const SHARED_ADDITIONS = { value: undefined as Map<number, Coin[]> | undefined };

export class MemoryUpstream extends UpstreamDouble implements BlockSource, CoinSource, WalletSource {
  readonly blocks: StoredBlock[];
  readonly additions: Map<number, Coin[]>;
  /** The coin set, each instance its own (tests add coins and spends). */
  readonly coins: MemoryCoinSet;
  /** Most states of one puzzle-state page (the node's max_subscribe_response_items); tests lower it to page. */
  pageItems = MAX_STATE_RESPONSE_ITEMS;
  /** The peers a transaction is sent to, each answering with its own ack. */
  transactionPeers: string[] = [MEMORY_PEER];
  /** An ack a peer gives instead of judging the bundle itself (e.g. a node that is syncing). */
  readonly ackOverrides = new Map<string, Omit<TransactionAckFrom, 'peer'>>();
  /** Ids of the transactions accepted so far (the mempool). */
  readonly mempool = new Set<string>();
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
    SHARED_RECORDS.value ??= loadMainnetCoinRecords();
    SHARED_ADDITIONS.value ??= loadMainnetAdditions(SHARED_RECORDS.value);
    this.blocks = [...SHARED_BLOCKS.value];
    this.additions = SHARED_ADDITIONS.value;
    this.coins = new MemoryCoinSet(SHARED_RECORDS.value);
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

  override async getCoinStates(coinIds: string[]): Promise<CoinStatesRead> {
    await this.#enter('getCoinStates', 'wallet', coinIds.join(','));
    if (coinIds.length > MAX_COIN_STATE_IDS) throw new UpstreamError('INVALID_REQUEST', `${coinIds.length} coin ids in one request`);
    const at = this.#tip();
    return { coin_states: this.coins.coinStates(coinIds, 0, at.height), at, peer: MEMORY_PEER };
  }

  override async getPuzzleStatePage(puzzleHashes: string[], filters: CoinStateFilters, from: ChainPoint | null): Promise<PuzzleStatePage> {
    await this.#enter('getPuzzleStatePage', 'wallet', `${puzzleHashes.join(',')} ${from === null ? 'genesis' : from.height}`);
    if (puzzleHashes.length > MAX_PUZZLE_STATE_HASHES) {
      throw new UpstreamError('INVALID_REQUEST', `${puzzleHashes.length} puzzle hashes in one request`);
    }
    const tip = this.#tip();
    // The start point must be the node's main-chain block at that height (PROTOCOL.md §e.5).
    if (from !== null && (from.height > tip.height || this.blocks[from.height]?.full.header_hash !== from.header_hash)) {
      throw new UpstreamError('STATE_REORG', `start ${from.height}/${from.header_hash} is not on the chain`, { peer: MEMORY_PEER });
    }
    const minHeight = from === null ? 0 : from.height + 1;
    const { states, next } = this.coins.puzzleStates(puzzleHashes, filters, minHeight, tip.height, this.pageItems);
    // Unfinished: the page is complete up to the height before the first state left out.
    const end = next === null ? tip : this.#point(next - 1);
    return { coin_states: states, next: end, is_finished: next === null, peer: MEMORY_PEER };
  }

  override async getChildren(coinId: string): Promise<CoinState[]> {
    await this.#enter('getChildren', 'wallet', coinId);
    return this.coins.children(coinId, this.#tip().height);
  }

  override async getPuzzleSolution(coinId: string, height: number): Promise<PuzzleSolutionResponse> {
    await this.#enter('getPuzzleSolution', 'wallet', `${coinId} ${height}`);
    const spend = this.coins.spendAt(coinId, height, this.#tip().height);
    if (spend === undefined) throw new UpstreamError('UPSTREAM_REJECTED', `no spend of ${coinId} at ${height}`, { peer: MEMORY_PEER });
    return { coin_name: fromHex(coinId), height, puzzle: spend.puzzle, solution: spend.solution };
  }

  override async sendTransaction(bundle: SpendBundle): Promise<TransactionSent> {
    const txid = toHex(sha256(types.SpendBundle.encode(bundle)));
    await this.#enter('sendTransaction', 'wallet', txid);
    const verdict = this.#judge(txid, bundle);
    if (verdict.status === 'SUCCESS') this.mempool.add(txid);
    return { txid, acks: this.transactionPeers.map((peer) => ({ peer, ...(this.ackOverrides.get(peer) ?? verdict) })) };
  }

  override async getFeeEstimates(targetTimes: number[]): Promise<FeeEstimateGroup> {
    await this.#enter('getFeeEstimates', 'wallet', targetTimes.join(','));
    if (targetTimes.length > MAX_FEE_ESTIMATE_TARGETS) throw new UpstreamError('MESSAGE_TOO_LARGE', `${targetTimes.length} fee targets`);
    return {
      error: null,
      estimates: targetTimes.map((time) => ({ error: null, time_target: BigInt(time), estimated_fee_rate: { mojos_per_clvm_cost: MEMORY_FEE_RATE } })),
    };
  }

  /** A node's verdict on a bundle: one in its mempool again is SUCCESS (send_transaction is idempotent), a spent or unknown coin FAILED. */
  #judge(txid: string, bundle: SpendBundle): Omit<TransactionAckFrom, 'peer'> {
    if (this.mempool.has(txid)) return { status: 'SUCCESS', error: null };
    const peak = this.#tip().height;
    for (const spend of bundle.coin_spends) {
      const state = this.coins.state(toHex(coinId(spend.coin)), peak);
      if (state === undefined) return { status: 'FAILED', error: 'UNKNOWN_UNSPENT' };
      if (state.spent_height !== null) return { status: 'FAILED', error: 'DOUBLE_SPEND' };
    }
    return { status: 'SUCCESS', error: null };
  }

  /** The best peak as a chain point; no peak is no ready link. */
  #tip(): ChainPoint {
    const peak = this.peak();
    if (peak === null) throw new UpstreamError('NO_READY_LINK', 'no peak yet');
    return { height: peak.height, header_hash: peak.header_hash };
  }

  #point(height: number): ChainPoint {
    return { height, header_hash: this.#stored(height).full.header_hash };
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
