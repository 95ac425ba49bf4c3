/**
 * A byte-bounded cache of blocks and their coin lists (LRU by second chance) fetched from the peers,
 * with aligned batch fetching and single-flight: the one layer that coalesces identical upstream
 * requests, since only it knows the reorg epoch a request belongs to. Every load names the clients
 * it serves (OnBehalfOf), so the upstream paces it fairly between clients.
 * A miss on one height loads the aligned batch around it (heights ⌊h/32⌋·32 … +31, clipped to the
 * peak) with one request_blocks / request_block_headers call, so walking the chain costs about one
 * upstream request per 32 blocks, and a sequential walk has the next batch loaded ahead of it.
 * Entries keep the node's exact bytes and, lazily, their JSON per rendering (UTF-8 encoded once),
 * so a hit is served without decoding, serialising or encoding. Coin lists (additions, removals) are
 * kept as their response JSON in every int mode, under the same byte bound and reorg invalidation.
 * With a shared level (Redis, shared-level.ts), a miss of a buried batch or coin list is looked up
 * there before the peers, and what the peers send is kept there for the other replicas.
 */
import { type JsonMode, MAX_BLOCK_SPAN, UpstreamError, type ClientKey, type OnBehalfOf, type FetchedBlock } from '../chia/index.js';
import { SingleFlight } from './single-flight.js';
import type { SharedLevel, SharedStats } from './shared-level.js';

export type BlockKind = 'full' | 'header';
/** The shared level's statistics when none is configured. */
const OFF: SharedStats = { state: 'off', hits: 0, misses: 0, errors: 0, lock_waits: 0, last_error: null };
/** The coins a block created (respond_additions) or spent (respond_removals). */
export type CoinListKind = 'additions' | 'removals';
/** What an entry holds; also the `kind` label of the cache metrics. */
export type EntryKind = BlockKind | CoinListKind;

/** Heights per upstream batch: the protocol's request_blocks span (PROTOCOL.md §e.5), so one request each. */
export const BATCH_SIZE = MAX_BLOCK_SPAN;
/** Rough per-entry bookkeeping cost, counted against the byte bound besides bytes and JSON text. */
const ENTRY_OVERHEAD_BYTES = 256;
/** Position in a batch at which a sequential walk triggers loading the next batch. */
const READ_AHEAD_OFFSET = 8;

export interface CachedBlock {
  readonly kind: BlockKind;
  readonly height: number;
  /** 0x-prefixed lowercase hex. */
  readonly headerHash: string;
  /** The streamable bytes exactly as the node sent them (an owned copy). */
  readonly bytes: Uint8Array;
  readonly isTransactionBlock: boolean;
  /** Response JSON per rendering, UTF-8 encoded once, filled lazily by {@link BlockCache.setJson}. */
  readonly json: Map<string, Buffer>;
  size: number;
  /** Set on every hit, cleared when eviction gives the entry a second chance. */
  used: boolean;
}

/** A coin list's response JSON in every int mode, rendered and UTF-8 encoded once. */
export type CoinListJson = Readonly<Record<JsonMode, Buffer>>;

export interface CachedCoinList {
  readonly kind: CoinListKind;
  readonly height: number;
  /** The block the list belongs to: a hit must match it, so a list of a replaced block is never served. */
  readonly headerHash: string;
  readonly json: CoinListJson;
  readonly size: number;
  used: boolean;
}

type Entry = CachedBlock | CachedCoinList;

/** What the cache reads from a decoded block: codec FullBlocks and HeaderBlocks both have it. */
export interface TransactionFlagged {
  reward_chain_block: { is_transaction_block: boolean };
}

export type FetchBlocks = (kind: BlockKind, start: number, end: number, onBehalfOf?: OnBehalfOf) => Promise<FetchedBlock<TransactionFlagged>[]>;

export interface BlockCacheOptions {
  maxBytes: number;
  /** Fetches heights start..end inclusive from the peers, for the clients `onBehalfOf` names. */
  fetch: FetchBlocks;
  /** Called on every lookup and size change (metrics). */
  onLookup?: (result: 'hit' | 'miss', kind: EntryKind) => void;
  onBytes?: (bytes: number) => void;
  /** The level shared with other replicas (Redis); absent: memory and the peers only. */
  shared?: SharedLevel;
  /**
   * Batches a walk loads ahead of itself: the ready links of the kind's role (default 1), so a walk
   * keeps every link busy, each paced by its own node's limits, and its speed grows with the peers.
   */
  readAheadBatches?: (kind: BlockKind) => number;
  /** Whether a block at `height` is buried deep enough never to change (only those go to the shared level). */
  isBuried?: (height: number) => boolean;
  /** Called with every block fetched (from the peers or the shared level), e.g. to index its header hash. */
  onBlock?: (height: number, headerHash: string) => void;
}

/** What the cache keeps of a fetched block, whether from a peer or from the shared level. */
interface StoredBlock {
  height: number;
  headerHash: string;
  bytes: Uint8Array;
  isTransactionBlock: boolean;
}

/** The blocks of one kind and height range loaded by one upstream request. */
type Batch = Map<number, CachedBlock>;

export class BlockCache {
  readonly #entries = new Map<string, Entry>();
  readonly #batchLoads = new SingleFlight<Batch>();
  readonly #coinLoads = new SingleFlight<CachedCoinList>();
  #bytes = 0;
  #epoch = 0;
  #hits = 0;
  #misses = 0;
  #batches = 0;
  /** The height of the latest single-block lookup per kind, to recognise sequential walks. */
  readonly #lastHeight: Record<BlockKind, number> = { full: -1, header: -1 };
  /** The end of the latest range lookup per kind: a range starting there continues a walk. */
  readonly #lastRangeEnd: Record<BlockKind, number> = { full: -1, header: -1 };

  constructor(private readonly options: BlockCacheOptions) {}

  /** The cached block, marked as recently used; undefined on a miss. */
  peek(kind: BlockKind, height: number): CachedBlock | undefined {
    const entry = this.#entries.get(keyOf(kind, height));
    if (entry === undefined || !isBlock(entry)) return undefined;
    entry.used = true;
    return entry;
  }

  /**
   * A cached block, counted as a hit, or undefined (not counted: {@link get} or {@link range} will).
   * A hit that looks like a sequential walk starts loading the next batch in the background, on
   * behalf of `client`.
   */
  hit(kind: BlockKind, height: number, peakHeight: number, client?: ClientKey): CachedBlock | undefined {
    const entry = this.peek(kind, height);
    const sequential = this.#lastHeight[kind] === height - 1;
    this.#lastHeight[kind] = height;
    if (entry !== undefined) {
      this.#count('hit', kind);
      if (sequential) this.#readAhead(kind, height, peakHeight, client);
    }
    return entry;
  }

  /**
   * A client walking the chain (this lookup follows one of the height before, READ_AHEAD_OFFSET into
   * a batch) will soon miss the next batch: load it now, so its upstream round trip overlaps the
   * serving of this one. Failures are ignored here; the client's own request will report them.
   */
  #readAhead(kind: BlockKind, height: number, peakHeight: number, client: ClientKey | undefined): void {
    if (height % BATCH_SIZE !== READ_AHEAD_OFFSET) return;
    this.#loadAhead(kind, height - READ_AHEAD_OFFSET + BATCH_SIZE, peakHeight, client);
  }

  /** Loads the batches from the one at `next` on, as many as readAheadBatches, that are not cached. */
  #loadAhead(kind: BlockKind, next: number, peakHeight: number, client: ClientKey | undefined): void {
    const batches = Math.max(1, this.options.readAheadBatches?.(kind) ?? 1);
    for (let batch = next; batch < next + batches * BATCH_SIZE && batch <= peakHeight; batch += BATCH_SIZE) {
      if (!this.#entries.has(keyOf(kind, batch))) this.#loadMissing(kind, batch, [batch], peakHeight, client).catch(() => undefined);
    }
  }

  /** One block; a miss loads its aligned batch (clipped to `peakHeight`) on behalf of `client`. */
  async get(kind: BlockKind, height: number, peakHeight: number, client?: ClientKey): Promise<CachedBlock> {
    const [block] = await this.#range(kind, height, height + 1, peakHeight, client, false);
    if (block === undefined) throw new UpstreamError('UPSTREAM_INVALID_REPLY', `no block ${height} in the reply`);
    return block;
  }

  /** Blocks start ≤ h < end, in height order; misses are loaded by aligned batches, concurrently, on behalf of `client`. */
  range(kind: BlockKind, start: number, end: number, peakHeight: number, client?: ClientKey): Promise<CachedBlock[]> {
    return this.#range(kind, start, end, peakHeight, client, true);
  }

  /** A range lookup; `walk`: one that starts where the last range ended loads the batches after it too. */
  async #range(kind: BlockKind, start: number, end: number, peakHeight: number, client: ClientKey | undefined, walk: boolean): Promise<CachedBlock[]> {
    const found = new Map<number, CachedBlock>();
    const missingByBatch = new Map<number, number[]>();
    for (let height = start; height < end; height++) {
      const entry = this.peek(kind, height);
      this.#count(entry === undefined ? 'miss' : 'hit', kind);
      if (entry !== undefined) found.set(height, entry);
      else {
        const batchStart = Math.floor(height / BATCH_SIZE) * BATCH_SIZE;
        const list = missingByBatch.get(batchStart) ?? [];
        list.push(height);
        missingByBatch.set(batchStart, list);
      }
    }
    const loads = [...missingByBatch].map(([batchStart, heights]) =>
      this.#loadMissing(kind, batchStart, heights, peakHeight, client),
    );
    // A range that starts where the last one ended is a walk: load the batches after it meanwhile.
    if (walk) {
      if (start === this.#lastRangeEnd[kind]) this.#loadAhead(kind, Math.ceil(end / BATCH_SIZE) * BATCH_SIZE, peakHeight, client);
      this.#lastRangeEnd[kind] = end;
    }
    for (const batch of await Promise.all(loads)) for (const [height, entry] of batch) found.set(height, entry);
    const blocks: CachedBlock[] = [];
    for (let height = start; height < end; height++) {
      const entry = found.get(height);
      if (entry === undefined) throw new UpstreamError('UPSTREAM_INVALID_REPLY', `no block ${height} in the reply`);
      blocks.push(entry);
    }
    return blocks;
  }

  /** Loads the aligned batch; if a peer rejects it (e.g. it lags the best peak), asks for just the heights needed. */
  async #loadMissing(kind: BlockKind, batchStart: number, heights: number[], peakHeight: number, client: ClientKey | undefined): Promise<Batch> {
    const first = heights[0] ?? batchStart;
    const last = heights[heights.length - 1] ?? first;
    // The batch minus its cached ends: following the tip then costs one block per new block, not 32.
    let from = batchStart;
    while (from < first && this.#entries.has(keyOf(kind, from))) from++;
    let to = Math.min(batchStart + BATCH_SIZE - 1, peakHeight);
    while (to > last && this.#entries.has(keyOf(kind, to))) to--;
    try {
      return await this.#load(kind, from, to, client);
    } catch (error) {
      const narrower = first !== from || last !== to;
      if (!(error instanceof UpstreamError) || error.code !== 'UPSTREAM_REJECTED' || !narrower) throw error;
      return this.#load(kind, first, last, client);
    }
  }

  /**
   * Single-flight: concurrent misses in the same batch share one upstream request, made on behalf of
   * every client that joins it. The key holds the reorg epoch, so a miss after a reorg never joins a
   * request made before it (whose blocks may be of the replaced branch); no layer below coalesces
   * again (request-router.ts), so none can join them behind the epoch's back.
   */
  #load(kind: BlockKind, start: number, end: number, client: ClientKey | undefined): Promise<Batch> {
    const epoch = this.#epoch;
    const load = (onBehalfOf: OnBehalfOf) => this.#fetch(kind, start, end, onBehalfOf).then((blocks) => this.#store(kind, start, end, blocks, epoch));
    return this.#batchLoads.run(`${kind}:${start}:${end}:${epoch}`, load, client);
  }

  /** Heights start..end from the shared level when they are buried and there, else from the peers (kept there too). */
  #fetch(kind: BlockKind, start: number, end: number, onBehalfOf: OnBehalfOf): Promise<StoredBlock[]> {
    const fromPeers = () => {
      this.#batches++;
      return this.options.fetch(kind, start, end, onBehalfOf).then((fetched) => fetched.map(storedOf));
    };
    const { shared, isBuried } = this.options;
    if (shared === undefined || isBuried?.(end) !== true) return fromPeers();
    const keys: string[] = [];
    for (let height = start; height <= end; height++) keys.push(shared.key(kind, height));
    const read = async (): Promise<StoredBlock[] | undefined> => {
      const values = await shared.read(keys);
      const blocks = values?.map((value, i) => (value === null ? undefined : decodeShared(start + i, value)));
      const complete = blocks?.every((block) => block !== undefined) === true;
      return complete ? (blocks as StoredBlock[]) : undefined;
    };
    const write = (blocks: StoredBlock[]) => shared.write(blocks.map((block) => [shared.key(kind, block.height), encodeShared(block)]));
    // The lock is the aligned batch's: replicas trimming it differently still coalesce.
    return shared.through(`${kind}:${Math.floor(start / BATCH_SIZE) * BATCH_SIZE}`, read, fromPeers, write);
  }

  #store(kind: BlockKind, start: number, end: number, fetched: StoredBlock[], epoch: number): Batch {
    const batch: Batch = new Map();
    for (const block of fetched) {
      if (block.height < start || block.height > end) {
        throw new UpstreamError('UPSTREAM_INVALID_REPLY', `block ${block.height} outside ${start}..${end}`);
      }
      // Copy: the fetched bytes are a view into a whole received frame, which must not stay alive.
      const bytes = block.bytes.slice();
      const entry: CachedBlock = {
        kind,
        height: block.height,
        headerHash: block.headerHash,
        bytes,
        isTransactionBlock: block.isTransactionBlock,
        json: new Map(),
        size: bytes.length + ENTRY_OVERHEAD_BYTES,
        used: false,
      };
      batch.set(block.height, entry);
      this.options.onBlock?.(block.height, block.headerHash);
      // A reorg seen while this request was in flight may have made these blocks stale: serve them to
      // the callers that asked before the reorg, but do not keep them.
      if (epoch === this.#epoch) this.#insert(entry);
    }
    return batch;
  }

  /** Remembers the JSON of one rendering of a block, counted against the byte bound. */
  setJson(entry: CachedBlock, rendering: string, json: Buffer): void {
    if (entry.json.has(rendering)) return;
    entry.json.set(rendering, json);
    entry.size += json.length;
    if (this.#entries.get(keyOf(entry.kind, entry.height)) === entry) {
      this.#bytes += json.length;
      this.#evict();
    }
  }

  /**
   * The cached coin list of block `headerHash` at `height`, counted as a hit, or undefined (not
   * counted: {@link loadCoinList} will).
   */
  hitCoinList(kind: CoinListKind, height: number, headerHash: string): CachedCoinList | undefined {
    const entry = this.#entries.get(keyOf(kind, height));
    if (entry === undefined || isBlock(entry) || entry.headerHash !== headerHash) return undefined;
    entry.used = true;
    this.#count('hit', kind);
    return entry;
  }

  /**
   * A coin list rendered by `load`, counted as a miss. Single-flight: concurrent misses for the same
   * block share one load, made on behalf of each of their clients (`client` joins it). Kept unless a
   * reorg was seen meanwhile; a list larger than the cache is served, not kept.
   */
  loadCoinList(
    kind: CoinListKind,
    height: number,
    headerHash: string,
    load: (onBehalfOf: OnBehalfOf) => Promise<CoinListJson>,
    client?: ClientKey,
  ): Promise<CachedCoinList> {
    this.#count('miss', kind);
    const epoch = this.#epoch;
    const loadAndKeep = (onBehalfOf: OnBehalfOf) =>
      this.#loadShared(kind, height, headerHash, () => load(onBehalfOf)).then((json) => {
        const size = json.safe.length + json.chia.length + ENTRY_OVERHEAD_BYTES;
        const entry: CachedCoinList = { kind, height, headerHash, json, size, used: false };
        if (epoch === this.#epoch) this.#insert(entry);
        return entry;
      });
    // The header hash names the block, so a list loaded before a reorg is still that block's list.
    return this.#coinLoads.run(keyOf(kind, height) + headerHash, loadAndKeep, client);
  }

  /** A buried block's coin list from the shared level, else from `load` (kept there too). */
  #loadShared(kind: CoinListKind, height: number, headerHash: string, load: () => Promise<CoinListJson>): Promise<CoinListJson> {
    const { shared, isBuried } = this.options;
    if (shared === undefined || isBuried?.(height) !== true) return load();
    const key = shared.key(kind, height, headerHash);
    const read = async (): Promise<CoinListJson | undefined> => {
      const value = (await shared.read([key]))?.[0] ?? null;
      return value === null ? undefined : decodeCoinList(value);
    };
    return shared.through(`${kind}:${height}`, read, load, (json) => shared.write([[key, encodeCoinList(json)]]));
  }

  /** Drops every block and coin list above `forkPoint` (a reorg replaced them) and stale in-flight results. */
  invalidateAbove(forkPoint: number): number {
    this.#epoch++;
    let dropped = 0;
    for (const [key, entry] of this.#entries) {
      if (entry.height > forkPoint) {
        this.#remove(key, entry);
        dropped++;
      }
    }
    return dropped;
  }

  /** Forgets one block (e.g. its bytes turned out not to decode). */
  drop(entry: CachedBlock): void {
    const key = keyOf(entry.kind, entry.height);
    if (this.#entries.get(key) === entry) this.#remove(key, entry);
  }

  stats() {
    return {
      entries: this.#entries.size,
      bytes: this.#bytes,
      max_bytes: this.options.maxBytes,
      hits: this.#hits,
      misses: this.#misses,
      upstream_batches: this.#batches,
      shared: this.options.shared?.stats() ?? OFF,
    };
  }

  clear(): void {
    for (const [key, entry] of this.#entries) this.#remove(key, entry);
  }

  #insert(entry: Entry): void {
    if (entry.size > this.options.maxBytes) return;
    const key = keyOf(entry.kind, entry.height);
    const old = this.#entries.get(key);
    if (old !== undefined) this.#remove(key, old);
    this.#entries.set(key, entry);
    this.#bytes += entry.size;
    this.#evict();
  }

  /**
   * Second-chance eviction (CLOCK), an approximation of LRU that keeps hits cheap (a flag instead
   * of re-inserting into the Map): the oldest entry goes unless it was used since its last chance,
   * in which case it moves to the young end with its flag cleared.
   */
  #evict(): void {
    for (const [key, entry] of this.#entries) {
      if (this.#bytes <= this.options.maxBytes) break;
      if (entry.used) {
        entry.used = false;
        this.#entries.delete(key);
        this.#entries.set(key, entry);
      } else {
        this.#remove(key, entry);
      }
    }
    this.options.onBytes?.(this.#bytes);
  }

  #remove(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#bytes -= entry.size;
    this.options.onBytes?.(this.#bytes);
  }

  #count(result: 'hit' | 'miss', kind: EntryKind): void {
    if (result === 'hit') this.#hits++;
    else this.#misses++;
    this.options.onLookup?.(result, kind);
  }
}

const KEY_PREFIX: Record<EntryKind, string> = { full: 'f', header: 'h', additions: 'a', removals: 'r' };

/** One entry per kind and height: a reorg's replacement of a block takes its place. */
function keyOf(kind: EntryKind, height: number): string {
  return KEY_PREFIX[kind] + height;
}

function storedOf(block: FetchedBlock<TransactionFlagged>): StoredBlock {
  return { height: block.height, headerHash: block.header_hash, bytes: block.bytes, isTransactionBlock: block.value.reward_chain_block.is_transaction_block };
}

/** A block in the shared level: a flags byte (1: transaction block), the 32-byte header hash, then the node's bytes. */
const HASH_BYTES = 32;
const SHARED_HEADER_BYTES = 1 + HASH_BYTES;

function encodeShared(block: StoredBlock): Buffer {
  const value = Buffer.allocUnsafe(SHARED_HEADER_BYTES + block.bytes.length);
  value[0] = block.isTransactionBlock ? 1 : 0;
  value.write(block.headerHash.slice(2), 1, 'hex');
  value.set(block.bytes, SHARED_HEADER_BYTES);
  return value;
}

/** The block a shared value holds, or undefined for a value that is not one (another version's, say). */
function decodeShared(height: number, value: Buffer): StoredBlock | undefined {
  if (value.length <= SHARED_HEADER_BYTES || value[0]! > 1) return undefined;
  return {
    height,
    headerHash: `0x${value.subarray(1, SHARED_HEADER_BYTES).toString('hex')}`,
    bytes: value.subarray(SHARED_HEADER_BYTES),
    isTransactionBlock: value[0] === 1,
  };
}

/** A coin list in the shared level: the safe JSON's byte length (u32), the safe JSON, then the chia JSON. */
const LENGTH_BYTES = 4;

function encodeCoinList(json: CoinListJson): Buffer {
  const length = Buffer.allocUnsafe(LENGTH_BYTES);
  length.writeUInt32BE(json.safe.length);
  return Buffer.concat([length, json.safe, json.chia]);
}

function decodeCoinList(value: Buffer): CoinListJson | undefined {
  if (value.length < LENGTH_BYTES) return undefined;
  const safeEnd = LENGTH_BYTES + value.readUInt32BE(0);
  if (safeEnd > value.length) return undefined;
  // Own copies: the entry outlives the reply buffer (see coin-lists.ts ownedUtf8).
  return { safe: Buffer.from(value.subarray(LENGTH_BYTES, safeEnd)), chia: Buffer.from(value.subarray(safeEnd)) };
}

function isBlock(entry: Entry): entry is CachedBlock {
  return entry.kind === 'full' || entry.kind === 'header';
}
