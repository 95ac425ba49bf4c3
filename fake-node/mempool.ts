/**
 * The fake node's mempool: send_transaction validation as the reference mempool manager reports it
 * (status and Err name, PROTOCOL.md §e.4 transaction_ack), and the bundles the next transaction block
 * includes. No CLVM is run and no signature checked: a spend must name an existing unspent coin, reveal
 * the puzzle its puzzle hash commits to, and not conflict; a coin locked by the identity puzzle `1`
 * creates the coins its solution lists (clvm.ts), any other spend creates none.
 */
import { coinId, sha256, types, type Coin, type SpendBundle } from '../src/chia/codec/index.js';
import { createdCoins, IDENTITY_PUZZLE, parseProgram, treeHash, type CreatedCoin } from './clvm.js';
import { keyOf, type CoinSet, type CoinSpendRecord, type NewCoin } from './coin-set.js';

/** MempoolInclusionStatus (chia-blockchain: chia/types/mempool_inclusion_status.py). */
export const InclusionStatus = { SUCCESS: 1, PENDING: 2, FAILED: 3 } as const;

export interface Ack {
  txid: Uint8Array;
  status: number;
  /** The Err name (chia-blockchain: chia/util/errors.py), or null. */
  error: string | null;
}

/** A bundle accepted into the mempool: the coins it spends and the coins it creates. */
export interface PendingBundle {
  txid: Uint8Array;
  spends: CoinSpendRecord[];
  additions: NewCoin[];
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0;

/** The coins a spend of `coin` with this puzzle and solution creates (only the identity puzzle is run). */
export function childrenOf(coin: Coin, puzzle: Uint8Array, solution: Uint8Array): NewCoin[] {
  if (!sameBytes(puzzle, IDENTITY_PUZZLE)) return [];
  const parent = coinId(coin);
  return createdCoins(solution).map((c: CreatedCoin) => ({
    coin: { parent_coin_info: parent, puzzle_hash: c.puzzle_hash, amount: c.amount },
    coinbase: false,
    hint: c.hint,
  }));
}

export class Mempool {
  readonly #pending = new Map<string, PendingBundle>();
  /** Coin id → txid of the pending bundle spending it. */
  readonly #spending = new Map<string, string>();
  /** Txid → fee (mojo) of each pending bundle. */
  readonly #fees = new Map<string, bigint>();
  /** The node is syncing: it refuses every bundle it does not already hold (PROTOCOL.md §e.5). */
  syncing = false;
  /** Bundles held before the mempool is full (a real node counts their cost; here each costs one). */
  capacity = Number.POSITIVE_INFINITY;

  constructor(private readonly coins: CoinSet) {}

  get size(): number {
    return this.#pending.size;
  }

  /** Validates a bundle and, when valid, adds it (send_transaction). */
  submit(bundle: SpendBundle): Ack {
    const txid = sha256(types.SpendBundle.encode(bundle));
    const ack = (status: number, error: string | null = null): Ack => ({ txid, status, error });
    const failed = (error: string) => ack(InclusionStatus.FAILED, error);
    // Already in the mempool: idempotent SUCCESS (full_node_api.py send_transaction).
    if (this.#pending.has(keyOf(txid))) return ack(InclusionStatus.SUCCESS);
    if (this.syncing) return failed('NO_TRANSACTIONS_WHILE_SYNCING');
    if (bundle.coin_spends.length === 0) return failed('INVALID_SPEND_BUNDLE');
    const spends: CoinSpendRecord[] = [];
    const additions: NewCoin[] = [];
    const seen = new Set<string>();
    let conflict = false;
    let input = 0n;
    let output = 0n;
    for (const cs of bundle.coin_spends) {
      const id = coinId(cs.coin);
      const key = keyOf(id);
      if (seen.has(key)) return failed('DOUBLE_SPEND');
      seen.add(key);
      const record = this.coins.get(key);
      if (record === undefined) return failed('UNKNOWN_UNSPENT');
      if (record.spent !== null) return failed('DOUBLE_SPEND');
      let puzzle;
      try {
        puzzle = parseProgram(cs.puzzle_reveal);
        parseProgram(cs.solution);
      } catch {
        return failed('INVALID_SPEND_BUNDLE');
      }
      if (!sameBytes(treeHash(puzzle), cs.coin.puzzle_hash)) return failed('WRONG_PUZZLE_HASH');
      let children: NewCoin[];
      try {
        children = childrenOf(cs.coin, cs.puzzle_reveal, cs.solution);
      } catch {
        return failed('INVALID_CONDITION');
      }
      input += cs.coin.amount;
      for (const c of children) output += c.coin.amount;
      if (this.#spending.has(key)) conflict = true;
      spends.push({ id, puzzle: cs.puzzle_reveal, solution: cs.solution });
      additions.push(...children);
    }
    if (output > input) return failed('MINTING_COIN');
    const fee = input - output;
    if (this.#pending.size >= this.capacity) {
      // Only a full mempool looks at the fee, before any conflict (mempool_manager.validate_spend_bundle).
      if (fee === 0n) return failed('INVALID_FEE_TOO_CLOSE_TO_ZERO');
      const cheapest = this.#cheapest();
      if (cheapest !== undefined && fee <= (this.#fees.get(cheapest) ?? 0n)) return failed('INVALID_FEE_LOW_FEE');
      if (cheapest !== undefined) this.#remove(cheapest);
    }
    // A bundle spending a coin a pending bundle spends waits (no fee-based replacement here).
    if (conflict) return ack(InclusionStatus.PENDING, 'MEMPOOL_CONFLICT');
    this.add({ txid, spends, additions }, fee);
    return ack(InclusionStatus.SUCCESS);
  }

  /** Adds a bundle the caller built (test controls, devnet activity: no fee), whatever the capacity. */
  add(bundle: PendingBundle, fee = 0n): void {
    const key = keyOf(bundle.txid);
    this.#pending.set(key, bundle);
    this.#fees.set(key, fee);
    for (const s of bundle.spends) this.#spending.set(keyOf(s.id), key);
  }

  /** The txid key of the pending bundle paying the lowest fee. */
  #cheapest(): string | undefined {
    let cheapest: string | undefined;
    for (const [key, fee] of this.#fees) if (cheapest === undefined || fee < (this.#fees.get(cheapest) ?? 0n)) cheapest = key;
    return cheapest;
  }

  /** Evicts a pending bundle (a full mempool makes room for a better-paying one). */
  #remove(key: string): void {
    const bundle = this.#pending.get(key);
    if (bundle === undefined) return;
    this.#pending.delete(key);
    this.#fees.delete(key);
    for (const s of bundle.spends) this.#spending.delete(keyOf(s.id));
  }

  /** True when a pending bundle spends coin `id`. */
  spends(id: Uint8Array): boolean {
    return this.#spending.has(keyOf(id));
  }

  /** Empties the mempool into a block: the bundles whose coins are all still unspent. */
  take(): PendingBundle[] {
    const bundles = [...this.#pending.values()].filter((b) => b.spends.every((s) => this.coins.get(s.id)?.spent === null));
    this.#pending.clear();
    this.#spending.clear();
    this.#fees.clear();
    return bundles;
  }
}
