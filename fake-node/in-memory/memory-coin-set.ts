/**
 * The coin set of the in-memory upstream, answering the wallet protocol's state requests as the
 * reference node's coin store does (PROTOCOL.md §e.5; chia-blockchain: chia/full_node/coin_store.py):
 * puzzle-hash walks ordered by the height of a coin's last change, pages that never split a height,
 * hints matched like puzzle hashes when asked, children by parent id, puzzle solutions only at the
 * exact spent height. It starts with the real coin records of mainnet 0–63 (fixtures/real/mainnet);
 * tests add coins, hints and spends on top.
 */
import { readFileSync } from 'node:fs';
import { coinId, fromHex, parseJson, toHex, type Coin, type CoinState, type CoinStateFilters } from '../../src/chia/index.js';
import { fixtureFile } from '../../fixtures/files.js';

interface StoredCoin {
  coin: Coin;
  created: number;
  spent: number | null;
  /** Hints (0x hex) the creating spend gave the coin (CREATE_COIN memos). */
  hints: Set<string>;
  /** Puzzle reveal and solution of the spend, once spent. */
  spend: { puzzle: Uint8Array; solution: Uint8Array } | null;
}

/** A coin record as the node RPC renders it (the fixture's shape). */
export interface CoinRecordJson {
  coin: { parent_coin_info: string; puzzle_hash: string; amount: bigint | number };
  coinbase: boolean;
  confirmed_block_index: number;
  spent: boolean;
  spent_block_index: number;
  timestamp: bigint | number;
  /** The coin id the fixture notes beside each record. */
  _coin_id: string;
}

/** The 124 real coin records of mainnet heights 0–63. */
export function loadMainnetCoinRecords(): CoinRecordJson[] {
  const text = readFileSync(fixtureFile('real/mainnet/coin_records_0_63.json'), 'utf8');
  return (parseJson(text) as { coin_records: CoinRecordJson[] }).coin_records;
}

export function coinOfRecord(record: CoinRecordJson): Coin {
  return {
    parent_coin_info: fromHex(record.coin.parent_coin_info),
    puzzle_hash: fromHex(record.coin.puzzle_hash),
    amount: BigInt(record.coin.amount),
  };
}

/** The height of a state's last change, which orders a puzzle-hash walk. */
function lastChange(state: CoinState): number {
  return Math.max(state.created_height ?? 0, state.spent_height ?? 0);
}

export class MemoryCoinSet {
  readonly #coins = new Map<string, StoredCoin>();

  constructor(records: CoinRecordJson[] = []) {
    for (const record of records) {
      const id = this.add(coinOfRecord(record), record.confirmed_block_index);
      if (record.spent) this.spend(id, record.spent_block_index, new Uint8Array([0x80]), new Uint8Array([0x80]));
    }
  }

  /** Adds a coin created at `height` (with hints); returns its id. */
  add(coin: Coin, height: number, hints: string[] = []): string {
    const id = toHex(coinId(coin));
    this.#coins.set(id, { coin, created: height, spent: null, hints: new Set(hints), spend: null });
    return id;
  }

  /** Spends coin `id` at `height` with this puzzle reveal and solution. */
  spend(id: string, height: number, puzzle: Uint8Array, solution: Uint8Array): void {
    const stored = this.#coins.get(id);
    if (stored === undefined) throw new Error(`no coin ${id}`);
    stored.spent = height;
    stored.spend = { puzzle, solution };
  }

  /** The state of a coin as of a chain that ends at `peak`: unknown when created above it. */
  state(id: string, peak: number): CoinState | undefined {
    const stored = this.#coins.get(id);
    if (stored === undefined || stored.created > peak) return undefined;
    const spent = stored.spent !== null && stored.spent <= peak ? stored.spent : null;
    return { coin: stored.coin, created_height: stored.created, spent_height: spent };
  }

  /** request_coin_state: the states of the known coins among `ids` (duplicates once), changed at or above `minHeight`. */
  coinStates(ids: string[], minHeight: number, peak: number): CoinState[] {
    return [...new Set(ids)]
      .map((id) => this.state(id, peak))
      .filter((state): state is CoinState => state !== undefined && lastChange(state) >= minHeight);
  }

  /**
   * request_puzzle_state's walk (coin_store.batch_coin_states_by_puzzle_hashes): the states of coins with
   * one of `puzzleHashes` (or hinted to one, with include_hinted) whose last change is at or above
   * `minHeight`, filtered, in order of that height; beyond `maxItems` the page ends before the height of
   * the first state left out (a height is never split) and `next` is that height, else null.
   */
  puzzleStates(
    puzzleHashes: string[],
    filters: CoinStateFilters,
    minHeight: number,
    peak: number,
    maxItems: number,
  ): { states: CoinState[]; next: number | null } {
    const wanted = new Set(puzzleHashes);
    const states: CoinState[] = [];
    for (const [id, stored] of this.#coins) {
      const byHint = filters.include_hinted && [...stored.hints].some((hint) => wanted.has(hint));
      if (!wanted.has(toHex(stored.coin.puzzle_hash)) && !byHint) continue;
      const state = this.state(id, peak);
      if (state === undefined || lastChange(state) < minHeight) continue;
      const spent = state.spent_height !== null;
      if ((spent && !filters.include_spent) || (!spent && !filters.include_unspent)) continue;
      if (state.coin.amount < filters.min_amount) continue;
      states.push(state);
    }
    states.sort((a, b) => lastChange(a) - lastChange(b));
    if (states.length <= maxItems) return { states, next: null };
    const next = lastChange(states[maxItems] as CoinState);
    return { states: states.slice(0, maxItems).filter((state) => lastChange(state) < next), next };
  }

  /** request_children: the coins whose parent is `id`, at any height up to the peak. */
  children(id: string, peak: number): CoinState[] {
    const children: CoinState[] = [];
    for (const [childId, stored] of this.#coins) {
      if (toHex(stored.coin.parent_coin_info) !== id) continue;
      const state = this.state(childId, peak);
      if (state !== undefined) children.push(state);
    }
    return children;
  }

  /** The spend of coin `id` when it was spent at exactly `height` (request_puzzle_solution), else undefined. */
  spendAt(id: string, height: number, peak: number): { coin: Coin; puzzle: Uint8Array; solution: Uint8Array } | undefined {
    const stored = this.#coins.get(id);
    if (stored?.spend == null || stored.spent !== height || height > peak) return undefined;
    return { coin: stored.coin, ...stored.spend };
  }
}
