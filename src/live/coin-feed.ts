/**
 * What the live layer needs from the upstream to serve coin events: a feed of the coin states of
 * each new block for the keys it watches, and the wallet reads a resume is computed from. The
 * upstream's coin-subscription aggregator implements it (one node registration per key across links,
 * re-registration and catch-up on link loss); fake-node/in-memory/coin-chain.ts does for the tests
 * (by shape: the fake node imports nothing of the app).
 */
import type { CoinState, WalletSource } from '../chia/index.js';

/** Keys a client watches, 0x lowercase hex: puzzle hashes (which also match coins hinted to them) and coin ids. */
export interface CoinKeys {
  puzzle_hashes: string[];
  coin_ids: string[];
}

/** One coin state of a block, with the hint its coin was created with (0x hex), if any. */
export interface CoinChange {
  state: CoinState;
  hint: string | null;
}

/**
 * The coin states of the watched keys that changed with a new best block, as `coin_state_update`
 * carries them (PROTOCOL.md §e.4): every change in heights (fork_height, height] (after a reorg,
 * also the states of coins the rolled-back blocks touched), emitted after the `peak` event of that
 * block (so a reorg is announced first).
 */
export interface CoinBlock {
  height: number;
  /** 0x header hash of the block at `height`. */
  header_hash: string;
  /** The last height the states before this update and after it have in common. */
  fork_height: number;
  changes: CoinChange[];
}

export interface CoinFeed {
  /**
   * Starts watching keys not watched yet; resolves once their changes are delivered with every
   * following CoinBlock, rejects with an UpstreamError (e.g. SUBSCRIPTION_LIMIT, NO_READY_LINK).
   */
  watch(keys: CoinKeys): Promise<void>;
  /** Stops watching keys (each was watched by one successful watch call). */
  unwatch(keys: CoinKeys): void;
  /** Calls `listener` with every CoinBlock from now on; the returned function stops it. */
  onCoins(listener: (block: CoinBlock) => void): () => void;
}

/** The wallet reads a resume is computed from (PROTOCOL.md §e.4): puzzle-state pages and coin states. */
export type CoinStateReader = Pick<WalletSource, 'getPuzzleStatePage' | 'getCoinStates'>;

/** Everything the coin side of the live layer uses of the upstream. */
export type CoinUpstream = CoinFeed & CoinStateReader;
