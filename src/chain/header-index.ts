/**
 * Header hash → height of every block the gateway has seen (peaks, fetched full and header blocks), so
 * the node-RPC methods that name a block by its header hash (get_block, get_additions_and_removals, …)
 * can ask the peers for it, who only serve blocks by height. Bounded by entry count: the oldest-seen
 * hashes go first (a hash seen again moves to the young end). A hash of a block a reorg replaced stays
 * until evicted; whoever resolves it checks the main-chain block at that height still has that hash.
 * Each replica holds its own (it is rebuilt from what the replica sees, not shared through Redis).
 */
export class HeaderIndex {
  readonly #heights = new Map<string, number>();

  constructor(readonly maxEntries: number) {}

  /** Remembers that block `headerHash` (0x lowercase hex) is at `height`. */
  add(height: number, headerHash: string): void {
    this.#heights.delete(headerHash);
    this.#heights.set(headerHash, height);
    if (this.#heights.size <= this.maxEntries) return;
    // Map iteration is insertion order: the first key is the oldest seen.
    const oldest = this.#heights.keys().next();
    if (oldest.done !== true) this.#heights.delete(oldest.value);
  }

  /** The height of block `headerHash` (0x lowercase hex), undefined when the gateway has not seen it or forgot it. */
  height(headerHash: string): number | undefined {
    return this.#heights.get(headerHash);
  }

  get size(): number {
    return this.#heights.size;
  }
}
