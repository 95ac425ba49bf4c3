/**
 * An in-memory chain with a coin set, for the live coin tests and bench:coins: a PeakSource whose
 * blocks create and spend coins (with hints), whose reorgs roll them back, and which serves the live
 * layer's CoinFeed port and the wallet reads a resume uses (getPuzzleStatePage, getCoinStates). Inside,
 * it is a node and the upstream's own coin watch over one in-memory wallet link: the fake node's coin
 * set, subscriptions and wallet handlers (fake-node/coin-set.ts, subscriptions.ts, wallet-handlers.ts:
 * REORG rejects of a stale start point, pages that never split a block, pushes of hinted coins that do
 * not say which hint matched, PROTOCOL.md §e.4, §e.5) answer the real CoinWatcher, hint resolution and
 * CoinUpdateGate of src/chia/coins/, so what the live layer receives is what the upstream emits.
 */
import { createHash } from 'node:crypto';
import {
  MAX_COIN_STATE_IDS,
  MAX_PUZZLE_STATE_HASHES,
  MAX_STATE_RESPONSE_ITEMS,
  MessageType,
  SUBSCRIPTION_LIMIT,
  UpstreamError,
  coinId,
  encodeFrame,
  fromHex,
  toHex,
  types,
  type ChainPoint,
  type Coin,
  type CoinState,
  type CoinStateFilters,
  type CoinStatesRead,
  type CoinUpdate,
  type PuzzleStatePage,
} from '../../src/chia/index.js';
import { decodeFrame, type PayloadName } from '../../src/chia/codec/index.js';
import { CoinUpdateGate } from '../../src/chia/coins/coin-update-gate.js';
import { CoinWatcher } from '../../src/chia/coins/coin-watcher.js';
import type { PeerLink } from '../../src/chia/link/peer-link.js';
import { rejectError } from '../../src/chia/link/peer-reply.js';
import { SILENT_LOGGER } from '../../src/chia/logger.js';
import { RATE_LIMITS_V2 } from '../../src/chia/protocol/rate-limits.js';
import type { RequestName } from '../../src/chia/protocol/message-rules.js';
import { CoinSet } from '../coin-set.js';
import type { HandlerContext, Req } from '../handlers.js';
import { Subscriptions } from '../subscriptions.js';
import { WALLET_HANDLERS } from '../wallet-handlers.js';
import { DOUBLE_PEER } from './upstream-double.js';
import { PeakSource, WEIGHT_STEP, hashOf } from './peak-source.js';

/** Keys watched: 0x puzzle hashes (hinted coins included) and coin ids. */
export interface WatchKeys {
  puzzle_hashes: string[];
  coin_ids: string[];
}

/** A coin's state with the hint it was matched by (the live layer's CoinChange). */
export interface StateWithHint {
  state: CoinState;
  hint: string | null;
}

/** The coin states of watched keys a new best block changed (the live layer's CoinBlock). */
export interface CoinsOfBlock {
  height: number;
  header_hash: string;
  fork_height: number;
  changes: StateWithHint[];
  /** Coins sent before, found since to be hinted to another watched puzzle hash (the CoinFeed's CoinBlock.late). */
  late?: boolean;
}

/** A coin a block creates: its puzzle hash (0x), amount and optional hint; the parent is made up unless given. */
export interface NewCoin {
  puzzle_hash: string;
  amount: bigint;
  hint?: string | null;
  parent?: string;
}

/** What one block does to the coin set. */
export interface BlockSpec {
  create?: NewCoin[];
  /** 0x ids of unspent coins to spend. */
  spend?: string[];
}

/** The node's filters with everything included. */
export const ALL_COINS: CoinStateFilters = { include_spent: true, include_unspent: true, include_hinted: true, min_amount: 0n };

/** The genesis challenge of the in-memory chain (where a state read from genesis starts). */
const GENESIS = createHash('sha256').update('coin-chain genesis').digest();

export class CoinChain extends PeakSource {
  /** Main-chain header hashes, by height. */
  readonly #hashes: string[] = [];
  /** The header hashes of the chain of the last peak announced: what the upstream knows (a block pushed before its peak is not on it yet). */
  #announcedHashes: string[] = [];
  readonly #coins = new CoinSet();
  /** Every coin id ever created, in order (for unspentIds). */
  readonly #created: string[] = [];
  /** The node's subscriptions of the one wallet link. */
  readonly #subscriptions = new Subscriptions(SUBSCRIPTION_LIMIT);
  readonly #link = { address: DOUBLE_PEER, state: 'ready' } as unknown as PeerLink;
  readonly #watcher: CoinWatcher;
  readonly #gate: CoinUpdateGate;
  readonly #watchedHashes = new Map<string, number>();
  readonly #watchedIds = new Map<string, number>();
  /** Per watched key, the upstream watch's release. */
  readonly #releases = new Map<string, () => void>();
  #nonce = 0;
  /** Every watch and unwatch call the port received, in order. */
  readonly watchCalls: { op: 'watch' | 'unwatch'; keys: WatchKeys }[] = [];
  /** Every wallet read of the port, e.g. `puzzle 3 from 120` or `coins 2`. */
  readonly reads: string[] = [];
  /** Every request the coin watch sent the node, by message name (registrations, catch-ups, hint reads). */
  readonly nodeRequests: string[] = [];
  /** States one puzzle-state page holds at most (the node's max_subscribe_response_items; small in tests). */
  maxItems = MAX_STATE_RESPONSE_ITEMS;
  /** When set, watch() rejects with it (e.g. SUBSCRIPTION_LIMIT). */
  watchFailure: UpstreamError | null = null;
  /** When set, wallet reads reject with it. */
  readFailure: UpstreamError | null = null;

  constructor(startHeight = 10) {
    super(null);
    for (let height = 0; height <= startHeight; height++) this.#hashes.push(hashOf(0, height));
    this.#gate = new CoinUpdateGate({
      best: () => this.peak(),
      bestHashAt: (height) => this.#announcedHashes[height],
      emit: (update) => this.#emit(update),
      logger: SILENT_LOGGER,
    });
    this.#watcher = new CoinWatcher({
      readyLinks: () => [this.#link],
      exchange: async (_link, message, payload, accept) => {
        this.nodeRequests.push(message);
        const answer = this.#answer(message, payload as unknown as Req);
        if (answer.name.startsWith('reject_')) throw rejectError({ kind: 'reject', type: MessageType[answer.name], data: answer.data, peer: DOUBLE_PEER } as never, message);
        return accept({ kind: 'ok', type: MessageType[answer.name], data: answer.data, peer: DOUBLE_PEER } as never);
      },
      best: () => this.peak(),
      hashAt: async (height) => this.#point(height).header_hash,
      stateStart: async (from) => (from === null ? { previous_height: null, header_hash: GENESIS } : { previous_height: from.height, header_hash: fromHex(from.header_hash) }),
      deliver: (update) => this.#gate.push(update),
      logger: SILENT_LOGGER,
      flushMs: 0,
    });
    const peak = this.emit(this.make(startHeight, startHeight, WEIGHT_STEP * BigInt(startHeight + 1)));
    this.#announce(peak.height);
  }

  override async close(): Promise<void> {
    this.#watcher.close();
    this.#gate.close();
  }

  /** The fake node's wallet handler for `message`, over this chain and the link's subscriptions. */
  #answer(message: RequestName, req: Req): { name: PayloadName; data: Uint8Array } {
    const handler = WALLET_HANDLERS[message];
    if (handler === undefined) throw new UpstreamError('UPSTREAM_REJECTED', `the in-memory node does not answer ${message}`);
    // The wallet handlers read only the chain's hashes and coin set and the peer's subscriptions and limits.
    const ctx = {
      chain: { genesisChallenge: GENESIS, height: this.#hashes.length - 1, has: (h: number) => h < this.#hashes.length, headerHash: (h: number) => fromHex(this.#point(h).header_hash), coins: this.#coins },
      wallet: { subscriptions: this.#subscriptions, maxResponseItems: this.maxItems, rateLimits: RATE_LIMITS_V2 },
    } as unknown as HandlerContext;
    const reply = handler(ctx, req);
    if (reply === null) throw new UpstreamError('UPSTREAM_TIMEOUT', `no answer to ${message}`);
    return { name: reply.name as PayloadName, data: reply.data };
  }

  /** A coin id not used before, for a made-up parent. */
  #parent(): Uint8Array {
    return createHash('sha256').update(`parent:${this.#nonce++}`).digest();
  }

  /** Applies one block at `height` to the coin set; returns what a node pushes for it. A spend of an unknown or spent coin is a test bug. */
  #apply(height: number, spec: BlockSpec): CoinState[] {
    this.#hashes[height] = hashOf(this.branch, height);
    const additions = (spec.create ?? []).map((c) => {
      const coin: Coin = { parent_coin_info: c.parent === undefined ? this.#parent() : fromHex(c.parent), puzzle_hash: fromHex(c.puzzle_hash), amount: c.amount };
      this.#created.push(toHex(coinId(coin)));
      return { coin, coinbase: false, hint: c.hint == null ? null : fromHex(c.hint) };
    });
    const spends = (spec.spend ?? []).map((id) => ({ id: fromHex(id), puzzle: EMPTY_PROGRAM, solution: EMPTY_PROGRAM }));
    return this.#subscriptions.select(this.#coins.apply(height, spends, additions));
  }

  /** The next block on the current branch: the node pushes its coins, then announces its peak. */
  addBlock(spec: BlockSpec = {}): ChainPoint {
    const height = this.#hashes.length;
    const pushed = this.#apply(height, spec);
    this.#push(height, height - 1, pushed);
    const peak = this.advance();
    this.#announce(peak.height);
    return { height: peak.height, header_hash: peak.header_hash };
  }

  /**
   * A heavier branch forking `depth` blocks below the peak, with one block per spec (at least depth: as
   * long as the old chain, as an orphaned block is replaced, or longer): one coin push for the whole
   * branch (the rollback included), then its peak.
   */
  reorgTo(depth: number, specs: BlockSpec[]): ChainPoint {
    const prev = this.peak();
    if (prev === null || depth < 1 || depth > prev.height || specs.length < depth) throw new RangeError('reorgTo needs depth ≤ peak and depth blocks');
    const fork = prev.height - depth;
    const pushed = this.#subscriptions.select(this.#coins.rollback(fork));
    this.#hashes.length = fork + 1;
    this.branch++;
    for (const [i, spec] of specs.entries()) pushed.push(...this.#apply(fork + 1 + i, spec));
    const top = fork + specs.length;
    // A coin rolled back and made again is pushed once, in its last state.
    const last = new Map(pushed.map((state) => [toHex(coinId(state.coin)), state]));
    this.#push(top, fork, [...last.values()]);
    const peak = this.emit(this.make(top, fork, prev.weight + WEIGHT_STEP * BigInt(specs.length + 1)));
    this.#announce(peak.height, fork);
    return { height: peak.height, header_hash: peak.header_hash };
  }

  /** coin_state_update to the link, as the node sends it before the block's peak (PROTOCOL.md §e.4). */
  #push(height: number, fork: number, items: CoinState[]): void {
    if (items.length === 0) return;
    const data = types.CoinStateUpdate.encode({ height, fork_height: fork, peak_hash: fromHex(this.#point(height).header_hash), items });
    this.#watcher.onPush(decodeFrame(encodeFrame({ type: MessageType.coin_state_update, id: null, data })), this.#link);
  }

  /** The peak reached the upstream: held coin updates of its block leave, the link's keys are delivered through it. */
  #announce(height: number, forkPoint: number | null = null): void {
    const change = { peak: this.peak()!, previous: this.history.at(-2) ?? null, forkPoint };
    this.#announcedHashes = [...this.#hashes];
    this.#gate.onPeak(change);
    this.#watcher.onAnnounced(this.#link, this.#point(height));
    this.#watcher.onPeak();
  }

  readonly #coinListeners = new Set<(block: CoinsOfBlock) => void>();

  /** The upstream's coin update as the live port's block, each change with its resolved hint. */
  #emit(update: CoinUpdate): void {
    const changes = update.coin_states.map((state) => ({ state, hint: update.hints.get(toHex(coinId(state.coin))) ?? null }));
    const block: CoinsOfBlock = { height: update.height, header_hash: update.header_hash, fork_height: update.fork_height ?? update.height - 1, changes, ...(update.late === true ? { late: true } : {}) };
    for (const listener of [...this.#coinListeners]) listener(block);
  }

  onCoins(listener: (block: CoinsOfBlock) => void): () => void {
    this.#coinListeners.add(listener);
    return () => this.#coinListeners.delete(listener);
  }

  /** Coin listeners attached now, to check that consumers let go. */
  get coinListeners(): number {
    return this.#coinListeners.size;
  }

  // ---- CoinFeed ----

  async watchCoins(keys: WatchKeys, since?: ChainPoint): Promise<void> {
    this.watchCalls.push({ op: 'watch', keys });
    if (this.watchFailure !== null) throw this.watchFailure;
    this.#count(keys, 1, since);
  }

  unwatchCoins(keys: WatchKeys): void {
    this.watchCalls.push({ op: 'unwatch', keys });
    this.#count(keys, -1);
  }

  /** Counts the port's references per key; the first watches it upstream, the last releases it. */
  #count(keys: WatchKeys, by: 1 | -1, since?: ChainPoint): void {
    for (const [map, list, kind] of [[this.#watchedHashes, keys.puzzle_hashes, 'puzzle_hashes'], [this.#watchedIds, keys.coin_ids, 'coin_ids']] as const) {
      for (const key of list) {
        const left = (map.get(key) ?? 0) + by;
        if (left > 0) map.set(key, left);
        else map.delete(key);
        if (by === 1 && left === 1) this.#releases.set(key, this.#watcher.watch({ [kind]: [key] }, since));
        if (left === 0) {
          this.#releases.get(key)?.();
          this.#releases.delete(key);
        }
      }
    }
  }

  /** Coin updates not handed to the live layer yet: keys not registered yet, updates waiting for their hints or their peak. */
  get coinUpdatesInFlight(): number {
    return this.#watcher.registering + this.#watcher.resolving + this.#gate.held;
  }

  /** Keys watched now (puzzle hashes + coin ids). */
  get watchedKeys(): number {
    return this.#watchedHashes.size + this.#watchedIds.size;
  }

  // ---- the wallet reads (WalletSource), answered by the same node ----

  #point(height: number): ChainPoint {
    const hash = this.#hashes[height];
    if (hash === undefined) throw new Error(`no block ${height}`);
    return { height, header_hash: hash };
  }

  override async getPuzzleStatePage(puzzleHashes: string[], filters: CoinStateFilters, from: ChainPoint | null): Promise<PuzzleStatePage> {
    this.reads.push(`puzzle ${puzzleHashes.length} from ${from?.height ?? 'genesis'}`);
    if (this.readFailure !== null) throw this.readFailure;
    if (puzzleHashes.length > MAX_PUZZLE_STATE_HASHES) throw new UpstreamError('INVALID_REQUEST', 'too many puzzle hashes');
    const answer = this.#read('request_puzzle_state', { puzzle_hashes: puzzleHashes.map(fromHex), ...this.#start(from), filters, subscribe_when_finished: false });
    const page = types.RespondPuzzleState.decode(answer);
    return { coin_states: page.coin_states, next: { height: page.height, header_hash: toHex(page.header_hash) }, is_finished: page.is_finished, peer: DOUBLE_PEER };
  }

  override async getCoinStates(coinIds: string[]): Promise<CoinStatesRead> {
    this.reads.push(`coins ${coinIds.length}`);
    if (this.readFailure !== null) throw this.readFailure;
    if (coinIds.length > MAX_COIN_STATE_IDS) throw new UpstreamError('INVALID_REQUEST', 'too many coin ids');
    const answer = this.#read('request_coin_state', { coin_ids: coinIds.map(fromHex), ...this.#start(null), subscribe: false });
    return { coin_states: types.RespondCoinState.decode(answer).coin_states, at: this.#point(this.#hashes.length - 1), peer: DOUBLE_PEER };
  }

  #start(from: ChainPoint | null): { previous_height: number | null; header_hash: Uint8Array } {
    return from === null ? { previous_height: null, header_hash: GENESIS } : { previous_height: from.height, header_hash: fromHex(from.header_hash) };
  }

  /** A read answered by the node's handler; a reject is the UpstreamError the manager makes of it. */
  #read(message: 'request_puzzle_state' | 'request_coin_state', req: Req): Uint8Array {
    const answer = this.#answer(message, req);
    if (answer.name.startsWith('reject_')) throw rejectError({ kind: 'reject', type: MessageType[answer.name], data: answer.data, peer: DOUBLE_PEER } as never, message);
    return answer.data;
  }

  // ---- what the tests compare against ----

  /** The states the chain has now for `keys` (hinted coins included), by coin id. */
  statesFor(keys: WatchKeys): Map<string, CoinState> {
    const out = new Map<string, CoinState>();
    const states = [...this.#coins.statesByPuzzleHashes(keys.puzzle_hashes.map(fromHex), 0, true, Number.MAX_SAFE_INTEGER), ...this.#coins.statesByIds(keys.coin_ids.map(fromHex), 0, Number.MAX_SAFE_INTEGER)];
    for (const state of states) out.set(toHex(coinId(state.coin)), state);
    return out;
  }

  /** Ids of the coins unspent now. */
  unspentIds(): string[] {
    return this.#created.filter((id) => {
      const record = this.#coins.get(id.slice(2));
      return record !== undefined && record.spent === null;
    });
  }
}

/** The puzzle reveal and solution of the in-memory spends: the empty program. */
const EMPTY_PROGRAM = new Uint8Array([0x80]);
