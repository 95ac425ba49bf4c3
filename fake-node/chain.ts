/**
 * The fake node's chain: a deterministic main chain of FullBlocks (built by block-template.ts) with
 * correct header hashes and prev-hash links (genesis: the network's genesis challenge, PROTOCOL.md
 * §g.2), new peaks and reorgs. Only the 32-byte header hash of every height is kept; blocks are
 * rebuilt lazily and their encodings cached in a bounded LRU, so long chains stay cheap.
 */
import { EventEmitter } from 'node:events';
import { types, type Coin, type FullBlock, type HeaderBlock } from '../src/chia/codec/index.js';
import { EMPTY_FILTER } from '../src/chia/protocol/block-integrity.js';
import { BlockTemplate, TX_EVERY } from './block-template.js';

const BLOCK_CACHE_ENTRIES = 2_048;

export interface PeakInfo {
  height: number;
  header_hash: Uint8Array;
  weight: bigint;
  fork_point_with_previous_peak: number;
  unfinished_reward_block_hash: Uint8Array;
}

export class FakeChain extends EventEmitter<{ peak: [PeakInfo] }> {
  readonly #template = new BlockTemplate();
  readonly #genesis: Uint8Array;
  /** Branch salt per height; a reorg gives the replaced heights a new salt, hence new hashes. */
  readonly #salts: number[] = [];
  readonly #hashes: Uint8Array[] = [];
  readonly #cache = new Map<string, Uint8Array>();
  #nextSalt = 1;

  /** `length` blocks (heights 0 … length − 1) on top of `genesisChallenge`. */
  constructor(genesisChallenge: Uint8Array, length: number) {
    super();
    if (!Number.isInteger(length) || length < 1) throw new RangeError(`chain length must be ≥ 1, got ${length}`);
    this.#genesis = genesisChallenge;
    for (let h = 0; h < length; h++) this.#salts.push(0);
  }

  /** Height of the peak. */
  get height(): number {
    return this.#salts.length - 1;
  }

  /** The current peak, announced as on connect (fork point = height, §c.7). */
  get peak(): PeakInfo {
    return this.#peakInfo(this.height);
  }

  /** Header hash of the main-chain block at `height`. */
  headerHash(height: number): Uint8Array {
    this.#assertHeight(height);
    for (let h = this.#hashes.length; h <= height; h++) this.#hashes.push(this.#template.headerHash(this.#inputs(h)));
    return this.#hashes[height]!;
  }

  /** Main-chain height of a header hash, or undefined. */
  heightOf(hash: Uint8Array): number | undefined {
    const height = this.height;
    this.headerHash(height);
    for (let h = height; h >= 0; h--) if (Buffer.compare(this.#hashes[h]!, hash) === 0) return h;
    return undefined;
  }

  /** True when `height` is on the main chain. */
  has(height: number): boolean {
    return Number.isInteger(height) && height >= 0 && height <= this.height;
  }

  /** The FullBlock value at `height`. */
  block(height: number): FullBlock {
    this.headerHash(height);
    return this.#template.build(this.#inputs(height));
  }

  /** The encoded FullBlock (generator stripped when `includeGenerator` is false, §e.5). */
  fullBlockBytes(height: number, includeGenerator = true): Uint8Array {
    return this.#cached(`f${height}:${includeGenerator ? 1 : 0}`, () => {
      const block = this.block(height);
      const value = includeGenerator ? block : { ...block, transactions_generator: null, transactions_generator_buffer: null };
      return types.FullBlock.encode(value);
    });
  }

  /** The HeaderBlock value at `height`, with its filter or the 1-byte placeholder. */
  headerBlock(height: number, withFilter: boolean): HeaderBlock {
    const block = this.block(height);
    return {
      finished_sub_slots: block.finished_sub_slots,
      reward_chain_block: block.reward_chain_block,
      challenge_chain_sp_proof: block.challenge_chain_sp_proof,
      challenge_chain_ip_proof: block.challenge_chain_ip_proof,
      reward_chain_sp_proof: block.reward_chain_sp_proof,
      reward_chain_ip_proof: block.reward_chain_ip_proof,
      infused_challenge_chain_ip_proof: block.infused_challenge_chain_ip_proof,
      foliage: block.foliage,
      foliage_transaction_block: block.foliage_transaction_block,
      transactions_filter: withFilter ? BlockTemplate.filter(height, this.#tag(height)) : EMPTY_FILTER, // 0x00 when none was asked for (§e.5)
      transactions_info: block.transactions_info,
    };
  }

  /** The encoded HeaderBlock at `height`. */
  headerBlockBytes(height: number, withFilter: boolean): Uint8Array {
    return this.#cached(`h${height}:${withFilter ? 1 : 0}`, () => types.HeaderBlock.encode(this.headerBlock(height, withFilter)));
  }

  /** Coins created at `height`: the reward claims of a transaction block, none otherwise. */
  additions(height: number): Coin[] {
    return this.block(height).transactions_info?.reward_claims_incorporated ?? [];
  }

  /** Appends one block and announces the new peak. */
  addBlock(): PeakInfo {
    this.#salts.push(this.#salts[this.height] ?? 0);
    const peak = this.#peakInfo(this.height, this.height - 1);
    this.emit('peak', peak);
    return peak;
  }

  /**
   * Replaces the top `depth` blocks with another branch that is `extendBy` blocks longer (so heavier,
   * as a node only switches to a heavier chain) and announces the new peak with its fork point.
   */
  reorg(depth: number, extendBy = 1): PeakInfo {
    if (!Number.isInteger(depth) || depth < 1 || depth > this.height) throw new RangeError(`reorg depth must be 1 … ${this.height}`);
    if (!Number.isInteger(extendBy) || extendBy < 0) throw new RangeError('extendBy must be ≥ 0');
    const fork = this.height - depth;
    const salt = this.#nextSalt++;
    const newHeight = this.height + extendBy;
    this.#salts.length = fork + 1;
    for (let h = fork + 1; h <= newHeight; h++) this.#salts.push(salt);
    this.#hashes.length = Math.min(this.#hashes.length, fork + 1);
    for (const key of [...this.#cache.keys()]) if (Number(key.slice(1, key.indexOf(':'))) > fork) this.#cache.delete(key);
    const peak = this.#peakInfo(newHeight, fork);
    this.emit('peak', peak);
    return peak;
  }

  #peakInfo(height: number, fork = height): PeakInfo {
    const block = this.block(height);
    return {
      height,
      header_hash: this.headerHash(height),
      weight: block.reward_chain_block.weight,
      fork_point_with_previous_peak: fork,
      unfinished_reward_block_hash: block.foliage.foliage_block_data.unfinished_reward_block_hash,
    };
  }

  #assertHeight(height: number): void {
    if (!this.has(height)) throw new RangeError(`height ${height} is not on the chain (peak ${this.height})`);
  }

  #cached(key: string, make: () => Uint8Array): Uint8Array {
    const hit = this.#cache.get(key);
    if (hit !== undefined) {
      this.#cache.delete(key);
      this.#cache.set(key, hit);
      return hit;
    }
    const value = make();
    this.#cache.set(key, value);
    if (this.#cache.size > BLOCK_CACHE_ENTRIES) this.#cache.delete(this.#cache.keys().next().value!);
    return value;
  }

  #tag(h: number): Uint8Array {
    return BlockTemplate.tag(h, this.#salts[h]!);
  }

  /** What block `h` depends on; the hashes below h must be known. */
  #inputs(h: number) {
    const prevTxHeight = h - TX_EVERY;
    return {
      height: h,
      tag: this.#tag(h),
      prevHash: h === 0 ? this.#genesis : this.#hashes[h - 1]!,
      prevTxHash: prevTxHeight < 0 ? this.#genesis : this.#hashes[prevTxHeight - (prevTxHeight % TX_EVERY)]!,
    };
  }
}
