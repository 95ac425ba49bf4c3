/**
 * Turns the corpus's one FullBlock into the fake chain's block at any height (PROTOCOL.md §f.6, §g).
 * Per height: height, weight, total_iters, the prev-hash link and, for transaction blocks (every
 * TX_EVERY-th height), timestamp, reward claims and the §g.3 links foliage → foliage_transaction_block
 * → transactions_info, generator roots and filter hash. `build` makes the value (encoded by the
 * codec when served); `headerHash` computes the same block's header hash without the codec by
 * patching encodings made once with marker values, so hashing a chain of 30,000 blocks is cheap.
 * The two must agree; chain.test.ts checks that they do.
 */
import { createHash } from 'node:crypto';
import {
  fromHex,
  types,
  type Coin,
  type Foliage,
  type FoliageTransactionBlock,
  type FullBlock,
  type TransactionsInfo,
} from '../../src/chia/codec/index.js';
import { TEMPLATE_BLOCK_HEX } from './fixture-block.js';

/** Every TX_EVERY-th block (height 0 included) is a transaction block, roughly like mainnet. */
export const TX_EVERY = 3;
/** A sub-slot ends before every SLOT_EVERY-th block, which then carries finished_sub_slots. */
const SLOT_EVERY = 32;
const WEIGHT_PER_BLOCK = 1_000n;
const ITERS_PER_BLOCK = 1_000_000n;
/** Deterministic timestamps: 2024-01-01 plus the 18.75 s target block time (§i.2), in seconds. */
const BASE_TIMESTAMP = 1_704_067_200n;
const BLOCK_CENTISECONDS = 1_875n;
/** Block rewards split 7/8 pool, 1/8 farmer, in mojos (1 XCH = 10^12): the reward claims of transaction blocks. */
const POOL_REWARD = 875_000_000_000n;
const FARMER_REWARD = 125_000_000_000n;
/** generator_refs_root of an empty ref list (§g.3). */
const EMPTY_REFS_ROOT = new Uint8Array(32).fill(1);
/** transactions_filter when none was asked for, and of non-transaction blocks (§e.5). */
export const NO_FILTER = Uint8Array.of(0);
const HASH_PREFIX = 'chia-peer-gateway fake node';
/** 8-byte marker standing for the timestamp in the FTB template. */
const TIMESTAMP_MARK = 0xb7b7b7b7b7b7b7b7n;

function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** A distinct 32-byte value per (tag, k): cheaper than a hash, and fake data needs no more. */
function derive(tag: Uint8Array, k: number): Uint8Array {
  const out = Uint8Array.from(tag);
  out[31] = out[31]! ^ k;
  return out;
}

function u64(n: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, n);
  return b;
}

function timestampOf(h: number): bigint {
  return BASE_TIMESTAMP + (BigInt(h) * BLOCK_CENTISECONDS) / 100n;
}

/** One encoding made with marker values, whose marked fields (any length) are rewritten in place. */
class Patcher {
  readonly #bytes: Uint8Array;
  readonly #at: number[];
  constructor(bytes: Uint8Array, markers: Uint8Array[]) {
    this.#bytes = Uint8Array.from(bytes);
    const buf = Buffer.from(this.#bytes);
    this.#at = markers.map((m) => {
      const at = buf.indexOf(m);
      if (at < 0 || buf.indexOf(m, at + 1) >= 0) throw new Error('fake chain: marker not found exactly once in the template');
      return at;
    });
  }

  /** sha256 of the encoding with marked field i replaced by values[i] (same length as its marker). */
  hash(values: Uint8Array[]): Uint8Array {
    values.forEach((v, i) => this.#bytes.set(v, this.#at[i]!));
    return sha256(this.#bytes);
  }
}

function marker(i: number): Uint8Array {
  return new Uint8Array(32).fill(0xa0 + i);
}

export interface BlockInputs {
  height: number;
  /** Distinct per (height, branch). */
  tag: Uint8Array;
  prevHash: Uint8Array;
  /** Header hash of the previous transaction block (genesis challenge before the first). */
  prevTxHash: Uint8Array;
}

export class BlockTemplate {
  readonly #t: FullBlock;
  readonly #generatorRoot: Uint8Array;
  readonly #ti: Patcher;
  readonly #ftb: Patcher;
  readonly #foliageTx: Patcher;
  readonly #foliage: Patcher;

  constructor() {
    this.#t = types.FullBlock.decode(fromHex(TEMPLATE_BLOCK_HEX));
    if (this.#t.transactions_info === null || this.#t.foliage_transaction_block === null) throw new Error('template must be a transaction block');
    const generator = this.#t.transactions_generator;
    this.#generatorRoot = generator === null ? new Uint8Array(32) : sha256(generator);
    const m = [0, 1, 2, 3, 4, 5].map(marker);
    this.#ti = new Patcher(types.TransactionsInfo.encode(this.#transactionsInfo(m[0]!, m[1]!)), [m[0]!, m[1]!]);
    const ftb = types.FoliageTransactionBlock.encode(this.#ftbValue(m[0]!, TIMESTAMP_MARK, m[1]!, m[2]!, m[3]!, m[4]!));
    this.#ftb = new Patcher(ftb, [m[0]!, u64(TIMESTAMP_MARK), m[1]!, m[2]!, m[3]!, m[4]!]);
    this.#foliageTx = new Patcher(types.Foliage.encode(this.#foliageValue(m[0]!, m[1]!, m[2]!, m[3]!, m[4]!)), m.slice(0, 5));
    this.#foliage = new Patcher(types.Foliage.encode(this.#foliageValue(m[0]!, m[1]!, m[2]!, m[3]!, null)), m.slice(0, 4));
  }

  /** The tag of (height, branch salt): the seed of every per-block value. */
  static tag(height: number, salt: number): Uint8Array {
    const b = Buffer.alloc(8);
    b.writeUInt32BE(height, 0);
    b.writeUInt32BE(salt, 4);
    return sha256(Buffer.from(HASH_PREFIX), b);
  }

  /** True when the block at `height` is a transaction block. */
  static isTransactionBlock(height: number): boolean {
    return height % TX_EVERY === 0;
  }

  /** The transactions filter a HeaderBlock with a filter carries (§e.5). */
  static filter(height: number, tag: Uint8Array): Uint8Array {
    return BlockTemplate.isTransactionBlock(height) ? Uint8Array.of(1, ...tag) : NO_FILTER;
  }

  /** Header hash of the block `build(inputs)` makes, computed without the codec. */
  headerHash(b: BlockInputs): Uint8Array {
    const { tag } = b;
    if (!BlockTemplate.isTransactionBlock(b.height)) return this.#foliage.hash([b.prevHash, derive(tag, 5), derive(tag, 6), tag]);
    const tiHash = this.#ti.hash([derive(tag, 1), derive(tag, 2)]);
    const filterHash = sha256(BlockTemplate.filter(b.height, tag));
    const ftbHash = this.#ftb.hash([b.prevTxHash, u64(timestampOf(b.height)), filterHash, derive(tag, 3), derive(tag, 4), tiHash]);
    return this.#foliageTx.hash([b.prevHash, derive(tag, 5), derive(tag, 6), tag, ftbHash]);
  }

  /** The FullBlock at `inputs.height`. */
  build(b: BlockInputs): FullBlock {
    const t = this.#t;
    const { tag, height: h } = b;
    const isTx = BlockTemplate.isTransactionBlock(h);
    let transactions_info: TransactionsInfo | null = null;
    let ftb: FoliageTransactionBlock | null = null;
    if (isTx) {
      transactions_info = this.#transactionsInfo(derive(tag, 1), derive(tag, 2));
      const tiHash = sha256(types.TransactionsInfo.encode(transactions_info));
      const filterHash = sha256(BlockTemplate.filter(h, tag));
      ftb = this.#ftbValue(b.prevTxHash, timestampOf(h), filterHash, derive(tag, 3), derive(tag, 4), tiHash);
    }
    const ftbHash = ftb === null ? null : sha256(types.FoliageTransactionBlock.encode(ftb));
    return {
      ...t,
      finished_sub_slots: h % SLOT_EVERY === 0 ? t.finished_sub_slots : [],
      reward_chain_block: {
        ...t.reward_chain_block,
        height: h,
        weight: WEIGHT_PER_BLOCK * BigInt(h + 1),
        total_iters: ITERS_PER_BLOCK * BigInt(h + 1),
        is_transaction_block: isTx,
      },
      foliage: this.#foliageValue(b.prevHash, derive(tag, 5), derive(tag, 6), tag, ftbHash),
      foliage_transaction_block: ftb,
      transactions_info,
      transactions_generator: isTx ? t.transactions_generator : null,
      transactions_generator_ref_list: [],
      transactions_generator_buffer: null,
      version: 0,
    };
  }

  #transactionsInfo(poolParent: Uint8Array, farmerParent: Uint8Array): TransactionsInfo {
    const fbd = this.#t.foliage.foliage_block_data;
    const claims: Coin[] = [
      { parent_coin_info: poolParent, puzzle_hash: fbd.pool_target.puzzle_hash, amount: POOL_REWARD },
      { parent_coin_info: farmerParent, puzzle_hash: fbd.farmer_reward_puzzle_hash, amount: FARMER_REWARD },
    ];
    return { ...this.#t.transactions_info!, generator_root: this.#generatorRoot, generator_refs_root: EMPTY_REFS_ROOT, reward_claims_incorporated: claims };
  }

  #ftbValue(
    prevTx: Uint8Array,
    timestamp: bigint,
    filterHash: Uint8Array,
    additions: Uint8Array,
    removals: Uint8Array,
    tiHash: Uint8Array,
  ): FoliageTransactionBlock {
    return {
      prev_transaction_block_hash: prevTx,
      timestamp,
      filter_hash: filterHash,
      additions_root: additions,
      removals_root: removals,
      transactions_info_hash: tiHash,
    };
  }

  #foliageValue(prev: Uint8Array, reward: Uint8Array, unfinished: Uint8Array, extension: Uint8Array, ftbHash: Uint8Array | null): Foliage {
    const t = this.#t.foliage;
    return {
      ...t,
      prev_block_hash: prev,
      reward_block_hash: reward,
      foliage_block_data: { ...t.foliage_block_data, unfinished_reward_block_hash: unfinished, extension_data: extension },
      foliage_transaction_block_hash: ftbHash,
      foliage_transaction_block_signature: ftbHash === null ? null : t.foliage_transaction_block_signature,
    };
  }
}
