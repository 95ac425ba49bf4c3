/**
 * What the live layer needs from the upstream to serve coin events: a feed of the coin states of
 * each new block for the keys it watches, and the wallet reads a resume is computed from. The
 * upstream's coin-subscription aggregator implements it (one node registration per key across links,
 * re-registration and catch-up on link loss); fake-node/in-memory/coin-chain.ts does for the tests
 * (by shape: the fake node imports nothing of the app).
 */
import { coinId, toHex, type ChainPoint, type CoinState, type CoinUpdate, type CoinWatch, type CoinWatchKeys, type WalletSource } from '../chia/index.js';

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
  /**
   * Coins sent before (they matched their own puzzle hash or coin id) found since to be hinted to another
   * watched puzzle hash: each goes to the clients of its hint that do not watch it otherwise.
   */
  late?: boolean;
}

export interface CoinFeed {
  /**
   * Starts watching keys not watched yet, each change after `since` (a block of the best chain; by
   * default the upstream's best peak now) to be delivered with the CoinBlocks that follow. The keys
   * register with a node once a wallet link is ready and has room, catching up from `since` (so a
   * subscriber hears nothing meanwhile, and misses nothing); rejects with an UpstreamError for keys it
   * cannot take.
   */
  watchCoins(keys: CoinKeys, since?: ChainPoint): Promise<void>;
  /** Stops watching keys (each was watched by one successful watch call). */
  unwatchCoins(keys: CoinKeys): void;
  /** Calls `listener` with every CoinBlock from now on; the returned function stops it. */
  onCoins(listener: (block: CoinBlock) => void): () => void;
}

/** The wallet reads a resume is computed from (PROTOCOL.md §e.4): puzzle-state pages and coin states. */
export type CoinStateReader = Pick<WalletSource, 'getPuzzleStatePage' | 'getCoinStates'>;

/** Everything the coin side of the live layer uses of the upstream. */
export type CoinUpstream = CoinFeed & CoinStateReader;

/**
 * The port over the upstream's coin watch (CoinWatch, src/chia/coins/): the hub already counts
 * references per key, so each key is watched upstream once, under its own release, and each `coins`
 * update becomes a CoinBlock, each change with the hint the upstream resolved for it (a coin_state_update
 * does not say which hint made a coin match, PROTOCOL.md §e.4: src/chia/coins/hint-resolver.ts finds it).
 */
export function coinFeedOf(upstream: CoinWatch & CoinStateReader): CoinUpstream {
  const releases = new Map<string, () => void>();
  const each = (keys: CoinKeys, step: (key: string, watchKeys: CoinWatchKeys) => void) => {
    for (const hash of keys.puzzle_hashes) step(`puzzle:${hash}`, { puzzle_hashes: [hash] });
    for (const id of keys.coin_ids) step(`coin:${id}`, { coin_ids: [id] });
  };
  return {
    getPuzzleStatePage: (puzzleHashes, filters, from, options) => upstream.getPuzzleStatePage(puzzleHashes, filters, from, options),
    getCoinStates: (coinIds, options) => upstream.getCoinStates(coinIds, options),
    async watchCoins(keys, since) {
      each(keys, (key, watchKeys) => {
        if (!releases.has(key)) releases.set(key, upstream.watch(watchKeys, since));
      });
    },
    unwatchCoins(keys) {
      each(keys, (key) => {
        releases.get(key)?.();
        releases.delete(key);
      });
    },
    onCoins(listener) {
      const onUpdate = (update: CoinUpdate) =>
        listener({
          height: update.height,
          header_hash: update.header_hash,
          // No rollback: the update is the block's own changes, after its parent.
          fork_height: update.fork_height ?? update.height - 1,
          changes: update.coin_states.map((state) => ({ state, hint: update.hints.size === 0 ? null : (update.hints.get(toHex(coinId(state.coin))) ?? null) })),
          ...(update.late === true ? { late: true } : {}),
        });
      upstream.on('coins', onUpdate);
      return () => upstream.off('coins', onUpdate);
    },
  };
}
