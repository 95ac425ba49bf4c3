/**
 * An in-memory chain with a coin set, for the live coin tests and bench:coins: a PeakSource whose
 * blocks create and spend coins (with hints), whose reorgs roll them back, and which serves the live
 * layer's CoinFeed port and the wallet reads a resume uses (getPuzzleStatePage, getCoinStates) as a
 * node does (PROTOCOL.md §e.4, §e.5): a start point off the main chain is a STATE_REORG, pages follow
 * the node's continuation (a block is never split across pages), hinted coins are found by their hint.
 */
import { createHash } from 'node:crypto';
import {
  MAX_COIN_STATE_IDS,
  MAX_PUZZLE_STATE_HASHES,
  MAX_STATE_RESPONSE_ITEMS,
  UpstreamError,
  coinId,
  fromHex,
  toHex,
  type ChainPoint,
  type Coin,
  type CoinState,
  type CoinStateFilters,
  type CoinStatesRead,
  type PuzzleStatePage,
} from '../../src/chia/index.js';
import { DOUBLE_PEER } from './upstream-double.js';
import { PeakSource, WEIGHT_STEP, hashOf } from './peak-source.js';

/** Keys watched: 0x puzzle hashes (hinted coins included) and coin ids. */
export interface WatchKeys {
  puzzle_hashes: string[];
  coin_ids: string[];
}

/** A coin's state with the hint it was created with (the live layer's StateWithHint). */
export interface StateWithHint {
  state: CoinState;
  hint: string | null;
}

/** The coin states of watched keys a new best block changed (the live layer's CoinBlock). */
export interface CoinsOfBlock {
  height: number;
  header_hash: string;
  fork_height: number;
  changes: StateWithHint[];
}

/** A coin a block creates: its puzzle hash (0x), amount and optional hint; the parent is made up unless given. */
export interface NewCoin {
  puzzle_hash: string;
  amount: bigint;
  hint?: string | null;
  parent?: string;
}

/** What one block does to the coin set. */
export interface BlockSpec {
  create?: NewCoin[];
  /** 0x ids of unspent coins to spend. */
  spend?: string[];
}

interface Block {
  height: number;
  header_hash: string;
  created: { id: string; coin: Coin; hint: string | null }[];
  spent: string[];
}

interface CoinEntry {
  coin: Coin;
  hint: string | null;
  created: number;
  spent: number | null;
}

/** The node's filters with everything included. */
export const ALL_COINS: CoinStateFilters = { include_spent: true, include_unspent: true, include_hinted: true, min_amount: 0n };

const maxHeight = (state: CoinState): number => Math.max(state.created_height ?? 0, state.spent_height ?? 0);

export class CoinChain extends PeakSource {
  /** The main chain, by height. */
  readonly #blocks: Block[] = [];
  readonly #coins = new Map<string, CoinEntry>();
  readonly #watchedHashes = new Map<string, number>();
  readonly #watchedIds = new Map<string, number>();
  /** Coins rolled back, remembered so that their removal can be reported. */
  readonly #gone = new Map<string, { coin: Coin; hint: string | null }>();
  #nonce = 0;
  /** Every watch and unwatch call the port received, in order. */
  readonly watchCalls: { op: 'watch' | 'unwatch'; keys: WatchKeys }[] = [];
  /** Every wallet read, e.g. `puzzle 3 from 120` or `coins 2`. */
  readonly reads: string[] = [];
  /** States one puzzle-state page holds at most (the node's max_subscribe_response_items; small in tests). */
  maxItems = MAX_STATE_RESPONSE_ITEMS;
  /** When set, watch() rejects with it (e.g. SUBSCRIPTION_LIMIT). */
  watchFailure: UpstreamError | null = null;
  /** When set, wallet reads reject with it. */
  readFailure: UpstreamError | null = null;

  constructor(startHeight = 10) {
    super(null);
    for (let height = 0; height <= startHeight; height++) this.#blocks.push({ height, header_hash: hashOf(0, height), created: [], spent: [] });
    this.emit(this.make(startHeight, startHeight, WEIGHT_STEP * BigInt(startHeight + 1)));
  }

  /** A coin id not used before, for a made-up parent. */
  #parent(): Uint8Array {
    return createHash('sha256').update(`parent:${this.#nonce++}`).digest();
  }

  #build(height: number, spec: BlockSpec): Block {
    const created = (spec.create ?? []).map((c) => {
      const coin: Coin = { parent_coin_info: c.parent === undefined ? this.#parent() : fromHex(c.parent), puzzle_hash: fromHex(c.puzzle_hash), amount: c.amount };
      return { id: toHex(coinId(coin)), coin, hint: c.hint ?? null };
    });
    return { height, header_hash: hashOf(this.branch, height), created, spent: [...(spec.spend ?? [])] };
  }

  /** Applies a block to the coin set; a spend of an unknown or spent coin is a test bug. */
  #apply(block: Block): void {
    for (const { id, coin, hint } of block.created) this.#coins.set(id, { coin, hint, created: block.height, spent: null });
    for (const id of block.spent) {
      const entry = this.#coins.get(id);
      if (entry === undefined || entry.spent !== null) throw new Error(`block ${block.height} spends ${id}, which is not unspent`);
      entry.spent = block.height;
    }
    this.#blocks[block.height] = block;
  }

  /** Undoes the blocks above `fork`; returns the ids of the coins they touched. */
  #rollback(fork: number): Set<string> {
    const touched = new Set<string>();
    while (this.#blocks.length - 1 > fork) {
      const block = this.#blocks.pop();
      if (block === undefined) break;
      for (const id of block.spent) {
        const entry = this.#coins.get(id);
        if (entry !== undefined) entry.spent = null;
        touched.add(id);
      }
      for (const { id, coin, hint } of block.created) {
        this.#gone.set(id, { coin, hint });
        this.#coins.delete(id);
        touched.add(id);
      }
    }
    return touched;
  }

  /** The next block on the current branch; its peak event, then its coins event. */
  addBlock(spec: BlockSpec = {}): ChainPoint {
    const block = this.#build(this.#blocks.length, spec);
    this.#apply(block);
    const peak = this.advance();
    this.#publish(peak.height - 1, new Set(), [block]);
    return { height: peak.height, header_hash: peak.header_hash };
  }

  /**
   * A heavier branch forking `depth` blocks below the peak, with one block per spec (at least depth + 1,
   * so that it is longer): one peak event for its top, then one coins event for the whole branch.
   */
  reorgTo(depth: number, specs: BlockSpec[]): ChainPoint {
    const prev = this.peak();
    if (prev === null || depth < 1 || depth > prev.height || specs.length < depth + 1) throw new RangeError('reorgTo needs depth ≤ peak and depth + 1 blocks');
    const fork = prev.height - depth;
    const touched = this.#rollback(fork);
    this.branch++;
    const blocks = specs.map((spec, i) => {
      const block = this.#build(fork + 1 + i, spec);
      this.#apply(block);
      return block;
    });
    const top = blocks[blocks.length - 1] as Block;
    const weight = prev.weight + WEIGHT_STEP * BigInt(specs.length + 1);
    const peak = this.emit(this.make(top.height, fork, weight));
    this.#publish(fork, touched, blocks);
    return { height: peak.height, header_hash: peak.header_hash };
  }

  /** The coins event of new blocks: the current state of every watched coin they (or a rollback) touched. */
  #publish(fork: number, touched: Set<string>, blocks: Block[]): void {
    const top = blocks[blocks.length - 1] as Block;
    const ids = new Set(touched);
    for (const block of blocks) {
      for (const { id } of block.created) ids.add(id);
      for (const id of block.spent) ids.add(id);
    }
    const changes: StateWithHint[] = [];
    for (const id of ids) {
      const change = this.#change(id);
      if (change !== null && this.#watches(id, change)) changes.push(change);
    }
    const event: CoinsOfBlock = { height: top.height, header_hash: top.header_hash, fork_height: fork, changes };
    for (const listener of [...this.#coinListeners]) listener(event);
  }

  readonly #coinListeners = new Set<(block: CoinsOfBlock) => void>();

  onCoins(listener: (block: CoinsOfBlock) => void): () => void {
    this.#coinListeners.add(listener);
    return () => this.#coinListeners.delete(listener);
  }

  /** Coin listeners attached now, to check that consumers let go. */
  get coinListeners(): number {
    return this.#coinListeners.size;
  }

  /** A coin's state now; a coin no block on the chain created any more is (null, null), as the node sends it. */
  #change(id: string): StateWithHint | null {
    const entry = this.#coins.get(id);
    if (entry !== undefined) return { state: { coin: entry.coin, created_height: entry.created, spent_height: entry.spent }, hint: entry.hint };
    const gone = this.#gone.get(id) ?? null;
    return gone === null ? null : { state: { coin: gone.coin, created_height: null, spent_height: null }, hint: gone.hint };
  }


  #watches(id: string, change: StateWithHint): boolean {
    const ph = toHex(change.state.coin.puzzle_hash);
    return this.#watchedIds.has(id) || this.#watchedHashes.has(ph) || (change.hint !== null && this.#watchedHashes.has(change.hint));
  }

  // ---- CoinFeed ----

  async watchCoins(keys: WatchKeys): Promise<void> {
    this.watchCalls.push({ op: 'watch', keys });
    if (this.watchFailure !== null) throw this.watchFailure;
    for (const ph of keys.puzzle_hashes) this.#watchedHashes.set(ph, (this.#watchedHashes.get(ph) ?? 0) + 1);
    for (const id of keys.coin_ids) this.#watchedIds.set(id, (this.#watchedIds.get(id) ?? 0) + 1);
  }

  unwatchCoins(keys: WatchKeys): void {
    this.watchCalls.push({ op: 'unwatch', keys });
    for (const [map, list] of [[this.#watchedHashes, keys.puzzle_hashes], [this.#watchedIds, keys.coin_ids]] as const) {
      for (const key of list) {
        const left = (map.get(key) ?? 0) - 1;
        if (left > 0) map.set(key, left);
        else map.delete(key);
      }
    }
  }

  /** Keys watched now (puzzle hashes + coin ids). */
  get watchedKeys(): number {
    return this.#watchedHashes.size + this.#watchedIds.size;
  }

  // ---- the wallet reads (WalletSource) ----

  #point(height: number): ChainPoint {
    const block = this.#blocks[height];
    if (block === undefined) throw new Error(`no block ${height}`);
    return { height, header_hash: block.header_hash };
  }

  override async getPuzzleStatePage(puzzleHashes: string[], filters: CoinStateFilters, from: ChainPoint | null): Promise<PuzzleStatePage> {
    this.reads.push(`puzzle ${puzzleHashes.length} from ${from?.height ?? 'genesis'}`);
    if (this.readFailure !== null) throw this.readFailure;
    if (puzzleHashes.length > MAX_PUZZLE_STATE_HASHES) throw new UpstreamError('INVALID_REQUEST', 'too many puzzle hashes');
    this.#checkStart(from);
    const wanted = new Set(puzzleHashes);
    const min = from === null ? 0 : from.height + 1;
    const states: CoinState[] = [];
    for (const entry of this.#coins.values()) {
      const matches = wanted.has(toHex(entry.coin.puzzle_hash)) || (filters.include_hinted && entry.hint !== null && wanted.has(entry.hint));
      const spent = entry.spent !== null;
      if (!matches || (spent ? !filters.include_spent : !filters.include_unspent) || entry.coin.amount < filters.min_amount) continue;
      if (entry.created < min && (entry.spent ?? -1) < min) continue;
      states.push({ coin: entry.coin, created_height: entry.created, spent_height: entry.spent });
    }
    states.sort((a, b) => maxHeight(a) - maxHeight(b));
    const peak = this.#blocks.length - 1;
    if (states.length <= this.maxItems) return { coin_states: states, next: this.#point(peak), is_finished: true, peer: DOUBLE_PEER };
    // As the node: the first state left out starts the next page, and no block is split across pages.
    const next = maxHeight(states[this.maxItems] as CoinState);
    const page = states.slice(0, this.maxItems).filter((s) => maxHeight(s) < next);
    return { coin_states: page, next: this.#point(next - 1), is_finished: false, peer: DOUBLE_PEER };
  }

  override async getCoinStates(coinIds: string[]): Promise<CoinStatesRead> {
    this.reads.push(`coins ${coinIds.length}`);
    if (this.readFailure !== null) throw this.readFailure;
    if (coinIds.length > MAX_COIN_STATE_IDS) throw new UpstreamError('INVALID_REQUEST', 'too many coin ids');
    const coin_states: CoinState[] = [];
    for (const id of new Set(coinIds)) {
      const entry = this.#coins.get(id);
      if (entry !== undefined) coin_states.push({ coin: entry.coin, created_height: entry.created, spent_height: entry.spent });
    }
    return { coin_states, at: this.#point(this.#blocks.length - 1), peer: DOUBLE_PEER };
  }

  /** The node compares the start point with its main chain (PROTOCOL.md §e.5). */
  #checkStart(from: ChainPoint | null): void {
    if (from === null) return;
    if (this.#blocks[from.height]?.header_hash !== from.header_hash) {
      throw new UpstreamError('STATE_REORG', `block ${from.height} ${from.header_hash} is not on the main chain`, { peer: DOUBLE_PEER });
    }
  }

  // ---- what the tests compare against ----

  /** The states the chain has now for `keys` (hinted coins included), by coin id. */
  statesFor(keys: WatchKeys): Map<string, CoinState> {
    const phs = new Set(keys.puzzle_hashes);
    const ids = new Set(keys.coin_ids);
    const out = new Map<string, CoinState>();
    for (const [id, entry] of this.#coins) {
      if (ids.has(id) || phs.has(toHex(entry.coin.puzzle_hash)) || (entry.hint !== null && phs.has(entry.hint))) {
        out.set(id, { coin: entry.coin, created_height: entry.created, spent_height: entry.spent });
      }
    }
    return out;
  }

  /** Ids of the coins unspent now. */
  unspentIds(): string[] {
    return [...this.#coins].filter(([, e]) => e.spent === null).map(([id]) => id);
  }
}
