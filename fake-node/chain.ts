/**
 * The fake node's chain: a deterministic main chain of FullBlocks (built by block-template.ts) with
 * correct header hashes and prev-hash links (genesis: the network's genesis challenge, PROTOCOL.md
 * §g.2), new peaks and reorgs. Only the 32-byte header hash of every height is kept; blocks are
 * rebuilt lazily and their encodings cached in a bounded LRU, so long chains stay cheap.
 * Its coin set (coin-set.ts) evolves with it: every transaction block creates its two reward coins
 * and includes the mempool's bundles (mempool.ts); a reorg rolls the coin set back to the fork and
 * replays the new branch. Each new peak is announced with the coin changes it brought.
 */
import { EventEmitter } from 'node:events';
import { sha256, types, type Coin, type FullBlock, type HeaderBlock } from '../src/chia/codec/index.js';
import { EMPTY_FILTER } from '../src/chia/protocol/block-integrity.js';
import { BlockTemplate, TX_EVERY } from './block-template.js';
import { createCoinConditions, IDENTITY_PUZZLE, type CreatedCoin } from './clvm.js';
import { CoinSet, keyOf, type CoinChange } from './coin-set.js';
import { childrenOf, Mempool } from './mempool.js';

const BLOCK_CACHE_ENTRIES = 2_048;
/** Parents of the coins addCoin makes out of thin air: sha256 of this prefix and a counter. */
const FAUCET_PREFIX = 'chia-peer-gateway fake node faucet';

/** A coin to create: puzzle hash, amount and an optional hint (the 32-byte memo of its CREATE_COIN). */
export interface CoinSpec {
  puzzle_hash: Uint8Array;
  amount: bigint;
  hint?: Uint8Array | null;
}

function created(spec: CoinSpec): CreatedCoin {
  return { puzzle_hash: spec.puzzle_hash, amount: spec.amount, hint: spec.hint ?? null };
}

export interface PeakInfo {
  height: number;
  header_hash: Uint8Array;
  weight: bigint;
  fork_point_with_previous_peak: number;
  unfinished_reward_block_hash: Uint8Array;
}

export class FakeChain extends EventEmitter<{ peak: [PeakInfo, CoinChange[]] }> {
  readonly #coins = new CoinSet();
  readonly #mempool = new Mempool(this.#coins);
  /** The coin set is built on first use (most block-only tests never need it), then kept up to date. */
  #coinsBuilt = false;
  readonly #template = new BlockTemplate();
  readonly #genesis: Uint8Array;
  /** Branch salt per height; a reorg gives the replaced heights a new salt, hence new hashes. */
  readonly #salts: number[] = [];
  readonly #hashes: Uint8Array[] = [];
  readonly #cache = new Map<string, Uint8Array>();
  #nextSalt = 1;
  #faucetCount = 0;

  /** `length` blocks (heights 0 … length − 1) on top of `genesisChallenge`. */
  constructor(genesisChallenge: Uint8Array, length: number) {
    super();
    if (!Number.isInteger(length) || length < 1) throw new RangeError(`chain length must be ≥ 1, got ${length}`);
    this.#genesis = genesisChallenge;
    for (let h = 0; h < length; h++) this.#salts.push(0);
  }

  /** Every coin of the main chain. */
  get coins(): CoinSet {
    this.#buildCoins();
    return this.#coins;
  }

  /** Bundles waiting for the next transaction block (validated against the coin set). */
  get mempool(): Mempool {
    this.#buildCoins();
    return this.#mempool;
  }

  #buildCoins(): void {
    if (this.#coinsBuilt) return;
    this.#coinsBuilt = true;
    for (let h = 0; h <= this.height; h++) this.#applyCoins(h);
  }

  /** The network's genesis challenge: the header hash a state request "from genesis" names (§e.5). */
  get genesisChallenge(): Uint8Array {
    return this.#genesis;
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

  /** Coins created at `height`: the reward claims and the children of the spends of a transaction block. */
  additions(height: number): Coin[] {
    return this.coins.addedAt(height).map((r) => r.coin);
  }

  /** Appends one block and announces the new peak. */
  addBlock(): PeakInfo {
    this.#salts.push(this.#salts[this.height] ?? 0);
    const changes = this.#applyCoins(this.height);
    const peak = this.#peakInfo(this.height, this.height - 1);
    this.emit('peak', peak, changes);
    return peak;
  }

  /** Appends blocks up to and including the next transaction block (which includes the mempool); its peak. */
  addTransactionBlock(): PeakInfo {
    for (;;) {
      const peak = this.addBlock();
      if (BlockTemplate.isTransactionBlock(peak.height)) return peak;
    }
  }

  /**
   * Test control: a coin the next transaction block creates out of thin air (its parent is a fresh
   * faucet id, not a coin of the chain), optionally hinted. Returns the coin (its id is coinId(coin)).
   */
  addCoin(spec: CoinSpec): Coin {
    const parent = sha256(Buffer.from(`${FAUCET_PREFIX} ${this.#faucetCount++}`));
    const coin: Coin = { parent_coin_info: parent, puzzle_hash: spec.puzzle_hash, amount: spec.amount };
    this.mempool.add({ txid: sha256(types.Coin.encode(coin)), spends: [], additions: [{ coin, coinbase: false, hint: spec.hint ?? null }] });
    return coin;
  }

  /**
   * Test control: the next transaction block spends unspent coin `id` and creates `children` (hinted
   * when given). The spend reveals the identity puzzle `1` and a solution listing the CREATE_COINs, so
   * request_puzzle_solution answers decode, whatever the coin's puzzle hash. Returns the children.
   */
  spendCoin(id: Uint8Array, children: readonly CoinSpec[] = []): Coin[] {
    const record = this.coins.get(id);
    if (record === undefined || record.spent !== null || this.mempool.spends(id)) throw new Error(`coin ${keyOf(id)} is not unspent`);
    const solution = createCoinConditions(children.map(created));
    const additions = childrenOf(record.coin, IDENTITY_PUZZLE, solution);
    const txid = sha256(Buffer.concat([id, solution]));
    this.mempool.add({ txid, spends: [{ id, puzzle: IDENTITY_PUZZLE, solution }], additions });
    return additions.map((a) => a.coin);
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
    const changes = this.#coinsBuilt ? this.#coins.rollback(fork) : [];
    this.#salts.length = fork + 1;
    for (let h = fork + 1; h <= newHeight; h++) {
      this.#salts.push(salt);
      changes.push(...this.#applyCoins(h));
    }
    this.#hashes.length = Math.min(this.#hashes.length, fork + 1);
    for (const key of [...this.#cache.keys()]) if (Number(key.slice(1, key.indexOf(':'))) > fork) this.#cache.delete(key);
    const peak = this.#peakInfo(newHeight, fork);
    this.emit('peak', peak, changes);
    return peak;
  }

  /** The coin changes of block `h` (just appended): reward coins and mempool bundles of a transaction block. */
  #applyCoins(h: number): CoinChange[] {
    if (!this.#coinsBuilt || !BlockTemplate.isTransactionBlock(h)) return [];
    const rewards = this.#template.rewardClaims(this.#tag(h)).map((coin) => ({ coin, coinbase: true, hint: null }));
    const bundles = this.#mempool.take();
    return this.#coins.apply(
      h,
      bundles.flatMap((b) => b.spends),
      [...rewards, ...bundles.flatMap((b) => b.additions)],
    );
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
