/**
 * The fake node's coin store: every coin its chain created, with created/spent heights, coinbase flag,
 * hint (the 32-byte memo of its CREATE_COIN) and, once spent, the puzzle reveal and solution. Queries
 * answer as the reference coin store does (chia-blockchain: chia/full_node/coin_store.py): a coin
 * matches a `min_height` when it was created or spent at or above it, puzzle-state pages are ordered by
 * max(created, spent) and never split a block, and a rollback reports what it reverted.
 */
import { coinId, type Coin, type CoinState, type CoinStateFilters } from '../src/chia/codec/index.js';

export interface CoinRecord {
  coin: Coin;
  id: Uint8Array;
  created: number;
  spent: number | null;
  coinbase: boolean;
  hint: Uint8Array | null;
  /** Serialized puzzle reveal and solution of the spend, once spent. */
  spend: { puzzle: Uint8Array; solution: Uint8Array } | null;
}

/** One changed coin of a block or a reorg: its state, and the keys a subscription can match it by. */
export interface CoinChange {
  state: CoinState;
  id: string;
  puzzleHash: string;
  hint: string | null;
}

export interface NewCoin {
  coin: Coin;
  coinbase: boolean;
  hint: Uint8Array | null;
}

export interface CoinSpendRecord {
  id: Uint8Array;
  puzzle: Uint8Array;
  solution: Uint8Array;
}

export const keyOf = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function stateOf(r: CoinRecord): CoinState {
  return { coin: r.coin, spent_height: r.spent, created_height: r.created };
}

/** The height a state sorts and pages by: max(created, spent) (coin_store.py batch_coin_states_by_puzzle_hashes). */
function lastHeight(s: CoinState): number {
  return Math.max(s.created_height ?? 0, s.spent_height ?? 0);
}

function index(map: Map<string, Set<string>>, key: string, value: string, add: boolean): void {
  const set = map.get(key) ?? new Set<string>();
  if (add) set.add(value);
  else set.delete(value);
  if (set.size === 0) map.delete(key);
  else map.set(key, set);
}

export class CoinSet {
  readonly #records = new Map<string, CoinRecord>();
  readonly #byPuzzleHash = new Map<string, Set<string>>();
  readonly #byHint = new Map<string, Set<string>>();
  readonly #byParent = new Map<string, Set<string>>();
  readonly #addedAt = new Map<number, string[]>();
  readonly #spentAt = new Map<number, string[]>();

  get(id: Uint8Array | string): CoinRecord | undefined {
    return this.#records.get(typeof id === 'string' ? id : keyOf(id));
  }

  /** Applies one block: its spends, then its new coins. Returns the changes (what coin_state_update carries). */
  apply(height: number, spends: readonly CoinSpendRecord[], additions: readonly NewCoin[]): CoinChange[] {
    const changed: CoinRecord[] = [];
    const spent: string[] = [];
    for (const s of spends) {
      const r = this.#records.get(keyOf(s.id));
      if (r === undefined || r.spent !== null) throw new Error(`coin ${keyOf(s.id)} is not unspent`);
      r.spent = height;
      r.spend = { puzzle: s.puzzle, solution: s.solution };
      spent.push(keyOf(s.id));
      changed.push(r);
    }
    const added: string[] = [];
    for (const a of additions) {
      const id = coinId(a.coin);
      const key = keyOf(id);
      if (this.#records.has(key)) throw new Error(`coin ${key} exists already`);
      const r: CoinRecord = { coin: a.coin, id, created: height, spent: null, coinbase: a.coinbase, hint: a.hint, spend: null };
      this.#records.set(key, r);
      index(this.#byPuzzleHash, keyOf(a.coin.puzzle_hash), key, true);
      index(this.#byParent, keyOf(a.coin.parent_coin_info), key, true);
      if (a.hint !== null) index(this.#byHint, keyOf(a.hint), key, true);
      added.push(key);
      changed.push(r);
    }
    this.#addedAt.set(height, added);
    this.#spentAt.set(height, spent);
    return changed.map((r) => this.#change(r, stateOf(r)));
  }

  /**
   * Reverts every block above `fork` (coin_store.py rollback_to_block): coins created above it are
   * deleted and reported with no created height, coins spent above it become unspent again.
   */
  rollback(fork: number): CoinChange[] {
    const heights = [...this.#addedAt.keys()].filter((h) => h > fork).sort((a, b) => b - a);
    const deleted: CoinChange[] = [];
    const unspent: CoinRecord[] = [];
    for (const h of heights) {
      for (const key of this.#addedAt.get(h) ?? []) {
        const r = this.#records.get(key)!;
        deleted.push(this.#change(r, { coin: r.coin, spent_height: r.spent, created_height: null }));
        this.#records.delete(key);
        index(this.#byPuzzleHash, keyOf(r.coin.puzzle_hash), key, false);
        index(this.#byParent, keyOf(r.coin.parent_coin_info), key, false);
        if (r.hint !== null) index(this.#byHint, keyOf(r.hint), key, false);
      }
      for (const key of this.#spentAt.get(h) ?? []) {
        const r = this.#records.get(key);
        if (r === undefined) continue;
        r.spent = null;
        r.spend = null;
        unspent.push(r);
      }
      this.#addedAt.delete(h);
      this.#spentAt.delete(h);
    }
    // Heights go down, so a coin spent above the fork is met before its creation: one created above it too was deleted since.
    return [...deleted, ...unspent.filter((r) => this.#records.has(keyOf(r.id))).map((r) => this.#change(r, stateOf(r)))];
  }

  /** Coins created at `height`, in order. */
  addedAt(height: number): CoinRecord[] {
    return (this.#addedAt.get(height) ?? []).map((k) => this.#records.get(k)!);
  }

  /** Coins spent at `height`, in order. */
  spentAt(height: number): CoinRecord[] {
    return (this.#spentAt.get(height) ?? []).map((k) => this.#records.get(k)!);
  }

  /** States of the known coins among `ids` created or spent at or above `minHeight`, up to `maxItems`. */
  statesByIds(ids: readonly Uint8Array[], minHeight: number, maxItems: number): CoinState[] {
    const out: CoinState[] = [];
    for (const id of new Set(ids.map(keyOf))) {
      if (out.length >= maxItems) break;
      const r = this.#records.get(id);
      if (r !== undefined && this.#touchedSince(r, minHeight)) out.push(stateOf(r));
    }
    return out;
  }

  /** States of coins with one of `puzzleHashes` (and, with `hinted`, coins hinted to one), since `minHeight`. */
  statesByPuzzleHashes(puzzleHashes: readonly Uint8Array[], minHeight: number, hinted: boolean, maxItems: number): CoinState[] {
    const out: CoinState[] = [];
    for (const r of this.#matching(puzzleHashes, hinted)) {
      if (out.length >= maxItems) break;
      if (this.#touchedSince(r, minHeight)) out.push(stateOf(r));
    }
    return out;
  }

  /**
   * One page of request_puzzle_state (coin_store.py batch_coin_states_by_puzzle_hashes): the states
   * ordered by max(created, spent), at most `maxItems`, and the height the next page starts at (null
   * when finished). A page never ends inside a block: states at the next page's height are left to it.
   */
  puzzleStatePage(puzzleHashes: readonly Uint8Array[], minHeight: number, filters: CoinStateFilters, maxItems: number): [CoinState[], number | null] {
    if (puzzleHashes.length === 0 || (!filters.include_spent && !filters.include_unspent)) return [[], null];
    const states: CoinState[] = [];
    for (const r of this.#matching(puzzleHashes, filters.include_hinted)) {
      if (!this.#touchedSince(r, minHeight)) continue;
      if (r.spent === null ? !filters.include_unspent : !filters.include_spent) continue;
      if (filters.min_amount > 0n && r.coin.amount < filters.min_amount) continue;
      states.push(stateOf(r));
    }
    states.sort((a, b) => lastHeight(a) - lastHeight(b));
    if (states.length <= maxItems) return [states, null];
    const next = lastHeight(states[maxItems]!);
    const page = states.slice(0, maxItems);
    while (page.length > 0 && lastHeight(page[page.length - 1]!) === next) page.pop();
    return [page, next];
  }

  /** Every coin `parentId` created, as states (request_children). */
  children(parentId: Uint8Array): CoinState[] {
    return [...(this.#byParent.get(keyOf(parentId)) ?? [])].map((k) => stateOf(this.#records.get(k)!));
  }

  /** Ids of the coins hinted to `hint`. */
  hinted(hint: Uint8Array): string[] {
    return [...(this.#byHint.get(keyOf(hint)) ?? [])];
  }

  /** Unspent coins with `puzzleHash`, oldest first. */
  unspentOf(puzzleHash: Uint8Array): CoinRecord[] {
    return [...(this.#byPuzzleHash.get(keyOf(puzzleHash)) ?? [])].map((k) => this.#records.get(k)!).filter((r) => r.spent === null);
  }

  #matching(puzzleHashes: readonly Uint8Array[], hinted: boolean): CoinRecord[] {
    const keys = new Set<string>();
    for (const ph of puzzleHashes) {
      for (const k of this.#byPuzzleHash.get(keyOf(ph)) ?? []) keys.add(k);
      if (hinted) for (const k of this.#byHint.get(keyOf(ph)) ?? []) keys.add(k);
    }
    return [...keys].map((k) => this.#records.get(k)!);
  }

  #touchedSince(r: CoinRecord, minHeight: number): boolean {
    return r.created >= minHeight || (r.spent !== null && r.spent >= minHeight);
  }

  #change(r: CoinRecord, state: CoinState): CoinChange {
    return { state, id: keyOf(r.id), puzzleHash: keyOf(r.coin.puzzle_hash), hint: r.hint === null ? null : keyOf(r.hint) };
  }
}
