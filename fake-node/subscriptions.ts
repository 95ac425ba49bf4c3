/**
 * One wallet peer's coin subscriptions (chia-blockchain: chia/full_node/subscriptions.py): puzzle
 * hashes and coin ids, capped together per peer (PROTOCOL.md §h.4). Adding stops at the cap and
 * reports what was newly added; a block's coin changes are matched by coin id, puzzle hash or hint.
 */
import type { CoinState } from '../src/chia/codec/index.js';
import { keyOf, type CoinChange } from './coin-set.js';

export type SubscriptionKind = 'puzzle' | 'coin';

export class Subscriptions {
  readonly #sets: Record<SubscriptionKind, Set<string>> = { puzzle: new Set(), coin: new Set() };

  constructor(private readonly max: number) {}

  /** Puzzle hashes plus coin ids subscribed. */
  get count(): number {
    return this.#sets.puzzle.size + this.#sets.coin.size;
  }

  /** True when adding `n` more would exceed the cap. */
  wouldExceed(n: number): boolean {
    return this.count + n > this.max;
  }

  /** Adds keys until the cap is reached; returns the ones newly added (duplicates and known ones are not). */
  add(kind: SubscriptionKind, keys: readonly Uint8Array[]): Uint8Array[] {
    const added: Uint8Array[] = [];
    const set = this.#sets[kind];
    for (const key of keys) {
      if (this.count >= this.max) break;
      const k = keyOf(key);
      if (set.has(k)) continue;
      set.add(k);
      added.push(key);
    }
    return added;
  }

  /** Removes the given keys (null: all); returns the ones that were subscribed. */
  remove(kind: SubscriptionKind, keys: readonly Uint8Array[] | null): Uint8Array[] {
    const set = this.#sets[kind];
    if (keys === null) {
      const all = [...set].map((k) => Uint8Array.from(Buffer.from(k, 'hex')));
      set.clear();
      return all;
    }
    return keys.filter((key) => set.delete(keyOf(key)));
  }

  /** The states among `changes` this peer is subscribed to, by coin id, puzzle hash or hint. */
  select(changes: readonly CoinChange[]): CoinState[] {
    const { puzzle, coin } = this.#sets;
    if (puzzle.size + coin.size === 0) return [];
    return changes
      .filter((c) => coin.has(c.id) || puzzle.has(c.puzzleHash) || (c.hint !== null && puzzle.has(c.hint)))
      .map((c) => c.state);
  }
}
