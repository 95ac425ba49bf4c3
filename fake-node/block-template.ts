/**
 * Turns the corpus's one FullBlock into the fake chain's block at any height (PROTOCOL.md §f.6, §g).
 * Per height: height, weight, total_iters, the prev-hash link, the §g.3 step-5 links foliage →
 * reward_chain_block (with a version-0 proof, so they are plain sha256) and, for transaction blocks
 * (every TX_EVERY-th height), timestamp, reward claims and the §g.3 links foliage →
 * foliage_transaction_block → transactions_info, generator roots and filter hash. `build` makes the
 * value (encoded by the codec when served); `headerHash` computes the same block's header hash
 * without the codec by patching encodings made once with marker values (byte-patcher.ts), so hashing
 * a chain of 30,000 blocks is cheap.
 * The two must agree; chain.test.ts checks that they do.
 */
import {
  fromHex,
  types,
  type Coin,
  type Foliage,
  type FoliageTransactionBlock,
  type FullBlock,
  type RewardChainBlock,
  type TransactionsInfo,
} from '../src/chia/codec/index.js';
import { EMPTY_FILTER, EMPTY_REFS_ROOT, unfinishedOf } from '../src/chia/protocol/block-integrity.js';
import { SLOT_BLOCKS_TARGET, TARGET_BLOCK_TIME_MS } from '../src/chia/protocol/limits.js';
import { Patcher, marker, sha256, u128, u32, u64 } from './byte-patcher.js';
import { TEMPLATE_BLOCK_HEX } from './fixture-block.js';

/** Every TX_EVERY-th block (height 0 included) is a transaction block, roughly like mainnet. */
export const TX_EVERY = 3;
const WEIGHT_PER_BLOCK = 1_000n;
const ITERS_PER_BLOCK = 1_000_000n;
/** Deterministic timestamps: 2024-01-01 plus the target block time (§i.2) per block, in seconds. */
const BASE_TIMESTAMP = 1_704_067_200n;
const MS_PER_SECOND = 1_000n;
/** Block rewards split 7/8 pool, 1/8 farmer, in mojos (1 XCH = 10^12): the reward claims of transaction blocks. */
const POOL_REWARD = 875_000_000_000n;
const FARMER_REWARD = 125_000_000_000n;
const HASH_PREFIX = 'chia-peer-gateway fake node';
/** 8-byte marker standing for the timestamp in the FTB template. */
const TIMESTAMP_MARK = 0xb7b7b7b7b7b7b7b7n;
/** Markers standing for height (u32), weight and total_iters (u128) in the reward-chain templates. */
const HEIGHT_MARK = 0xd4c3b2a1;
const WEIGHT_MARK = 0xc1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1n;
const ITERS_MARK = 0xc2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2n;
/** k of the version-0 proof the template's v2-plot proof is turned into (so reward hashes are plain sha256, §g.2). */
const PLOT_SIZE = 32;

/** A distinct 32-byte value per (tag, k): cheaper than a hash, and fake data needs no more. */
function derive(tag: Uint8Array, k: number): Uint8Array {
  const out = Uint8Array.from(tag);
  out[31] = out[31]! ^ k;
  return out;
}

function weightOf(h: number): bigint {
  return WEIGHT_PER_BLOCK * BigInt(h + 1);
}

function itersOf(h: number): bigint {
  return ITERS_PER_BLOCK * BigInt(h + 1);
}

function timestampOf(h: number): bigint {
  return BASE_TIMESTAMP + (BigInt(h) * BigInt(TARGET_BLOCK_TIME_MS)) / MS_PER_SECOND;
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
  /** Reward chain block of a transaction / non-transaction block (is_transaction_block is its last byte). */
  readonly #rcbTx: Patcher;
  readonly #rcb: Patcher;
  readonly #unfinished: Patcher;

  constructor() {
    const t = types.FullBlock.decode(fromHex(TEMPLATE_BLOCK_HEX));
    if (t.transactions_info === null || t.foliage_transaction_block === null) throw new Error('template must be a transaction block');
    const pos = { ...t.reward_chain_block.proof_of_space, version: 0, size: PLOT_SIZE, plot_index: 0, meta_group: 0, strength: 0 };
    this.#t = { ...t, reward_chain_block: { ...t.reward_chain_block, proof_of_space: pos } };
    const generator = this.#t.transactions_generator;
    this.#generatorRoot = generator === null ? new Uint8Array(32) : sha256(generator);
    const m = [0, 1, 2, 3, 4, 5].map(marker);
    this.#ti = new Patcher(types.TransactionsInfo.encode(this.#transactionsInfo(m[0]!, m[1]!)), [m[0]!, m[1]!]);
    const ftb = types.FoliageTransactionBlock.encode(this.#ftbValue(m[0]!, TIMESTAMP_MARK, m[1]!, m[2]!, m[3]!, m[4]!));
    this.#ftb = new Patcher(ftb, [m[0]!, u64(TIMESTAMP_MARK), m[1]!, m[2]!, m[3]!, m[4]!]);
    this.#foliageTx = new Patcher(types.Foliage.encode(this.#foliageValue(m[0]!, m[1]!, m[2]!, m[3]!, m[4]!)), m.slice(0, 5));
    this.#foliage = new Patcher(types.Foliage.encode(this.#foliageValue(m[0]!, m[1]!, m[2]!, m[3]!, null)), m.slice(0, 4));
    const rcbMarks = [u32(HEIGHT_MARK), u128(WEIGHT_MARK), u128(ITERS_MARK), m[5]!];
    const rcb = (isTx: boolean) => this.#rewardChainBlock(HEIGHT_MARK, WEIGHT_MARK, ITERS_MARK, m[5]!, isTx);
    this.#rcbTx = new Patcher(types.RewardChainBlock.encode(rcb(true)), rcbMarks);
    this.#rcb = new Patcher(types.RewardChainBlock.encode(rcb(false)), rcbMarks);
    this.#unfinished = new Patcher(types.RewardChainBlockUnfinished.encode(unfinishedOf(rcb(true))), [u128(ITERS_MARK), m[5]!]);
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
    return BlockTemplate.isTransactionBlock(height) ? Uint8Array.of(1, ...tag) : EMPTY_FILTER;
  }

  /** Header hash of the block `build(inputs)` makes, computed without the codec. */
  headerHash(b: BlockInputs): Uint8Array {
    const { tag, height: h } = b;
    const isTx = BlockTemplate.isTransactionBlock(h);
    const reward = (isTx ? this.#rcbTx : this.#rcb).hash([u32(h), u128(weightOf(h)), u128(itersOf(h)), derive(tag, 5)]);
    const unfinished = this.#unfinished.hash([u128(itersOf(h)), derive(tag, 5)]);
    if (!isTx) return this.#foliage.hash([b.prevHash, reward, unfinished, tag]);
    const tiHash = this.#ti.hash([derive(tag, 1), derive(tag, 2)]);
    const filterHash = sha256(BlockTemplate.filter(b.height, tag));
    const ftbHash = this.#ftb.hash([b.prevTxHash, u64(timestampOf(b.height)), filterHash, derive(tag, 3), derive(tag, 4), tiHash]);
    return this.#foliageTx.hash([b.prevHash, reward, unfinished, tag, ftbHash]);
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
    const rcb = this.#rewardChainBlock(h, weightOf(h), itersOf(h), derive(tag, 5), isTx);
    const reward = sha256(types.RewardChainBlock.encode(rcb));
    const unfinished = sha256(types.RewardChainBlockUnfinished.encode(unfinishedOf(rcb)));
    return {
      ...t,
      // A sub-slot ends before every SLOT_BLOCKS_TARGET-th block (§i.2), which then carries finished_sub_slots.
      finished_sub_slots: h % SLOT_BLOCKS_TARGET === 0 ? t.finished_sub_slots : [],
      reward_chain_block: rcb,
      foliage: this.#foliageValue(b.prevHash, reward, unfinished, tag, ftbHash),
      foliage_transaction_block: ftb,
      transactions_info,
      transactions_generator: isTx ? t.transactions_generator : null,
      transactions_generator_ref_list: [],
      transactions_generator_buffer: null,
      version: 0,
    };
  }

  /** The reward chain block; pos_ss_cc_challenge_hash varies per tag so branches differ in their reward hashes. */
  #rewardChainBlock(height: number, weight: bigint, iters: bigint, challenge: Uint8Array, isTx: boolean): RewardChainBlock {
    const rcb = this.#t.reward_chain_block;
    return { ...rcb, height, weight, total_iters: iters, pos_ss_cc_challenge_hash: challenge, is_transaction_block: isTx };
  }

  /** The reward claims (pool, then farmer coinbase coin) of the transaction block with this tag. */
  rewardClaims(tag: Uint8Array): Coin[] {
    return this.#claims(derive(tag, 1), derive(tag, 2));
  }

  #claims(poolParent: Uint8Array, farmerParent: Uint8Array): Coin[] {
    const fbd = this.#t.foliage.foliage_block_data;
    return [
      { parent_coin_info: poolParent, puzzle_hash: fbd.pool_target.puzzle_hash, amount: POOL_REWARD },
      { parent_coin_info: farmerParent, puzzle_hash: fbd.farmer_reward_puzzle_hash, amount: FARMER_REWARD },
    ];
  }

  #transactionsInfo(poolParent: Uint8Array, farmerParent: Uint8Array): TransactionsInfo {
    const claims = this.#claims(poolParent, farmerParent);
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
