/**
 * Coin updates leave the upstream in chain order and once. A node pushes coin_state_update before the
 * new_peak_wallet of the same block (chia-blockchain full_node.py: update_wallets, then
 * send_peak_to_wallets; PROTOCOL.md §c.7), so an update is held until the upstream has emitted a peak
 * whose chain holds its block: consumers see the peak (and its reorg) first. An update whose block never
 * joins the best chain (a node on a losing fork, a peak that never came) leaves after HOLD_MAX_MS as it
 * is, so nothing is lost. The same state reaching the gate twice (a catch-up overlapping a push) leaves
 * once; a reorg forgets the states above its fork point, as they may legitimately come again. While a
 * best-peak change waits to be emitted (the upstream emits at the end of the poll turn that read it), every
 * update waits with it: the best already names that block, but its consumers have not seen it yet.
 */
import { coinId, toHex, type CoinState } from '../codec/index.js';
import type { Logger } from '../logger.js';
import type { CoinUpdate, Peak, PeakChange } from '../upstream-api.js';

/**
 * Longest an update waits for its block's peak: the peak follows on the same connection at once, but
 * the follower may first ask the link for the block's parent (PARENT_TIMEOUT_MS-bounded).
 */
export const HOLD_MAX_MS = 10_000;
/** Emitted states are remembered this many blocks below the best, to drop their duplicates. */
export const DEDUPE_DEPTH = 100;

export interface CoinUpdateGateDeps {
  best: () => Peak | null;
  /** True while a best-peak change waits to be emitted: updates wait for it (and for their own peak). */
  peakPending?: () => boolean;
  /** The header hash at `height` on the best's chain (PeakTracker.bestHashAt). */
  bestHashAt: (height: number) => string | undefined;
  emit: (update: CoinUpdate) => void;
  logger: Logger;
  holdMaxMs?: number;
}

interface Held {
  update: CoinUpdate;
  until: number;
}

export class CoinUpdateGate {
  readonly #deps: CoinUpdateGateDeps;
  readonly #held: Held[] = [];
  /** Emitted state key → the highest height the state names (its spent or created height). */
  readonly #emitted = new Map<string, number>();
  /** Header hashes of blocks emitted changes put on the best chain → their heights (the last DEDUPE_DEPTH). */
  readonly #wasBest = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: CoinUpdateGateDeps) {
    this.#deps = deps;
  }

  /**
   * Takes an update: emitted now when its block's peak was emitted, else held. A late update (hints of
   * coins that left before) whose block is no longer on the best chain is dropped: its coins come
   * again, if at all, with the node's rollback.
   */
  push(update: CoinUpdate): void {
    if (!this.#peakPending()) {
      if (this.#onBest(update)) return this.#emit(update);
      if (this.#replaced(update)) return this.#emitReplaced(update);
      const best = this.#deps.best();
      if (update.late === true && best !== null && best.height >= update.height) return;
    }
    this.#held.push({ update, until: Date.now() + (this.#deps.holdMaxMs ?? HOLD_MAX_MS) });
    this.#arm();
  }

  /**
   * Called after the upstream emitted `change`: forgets states a reorg rolled back, releases what waited
   * for it: the updates of its block at once (a later change emitted in the same go may leave that block
   * behind: its coins still follow its peak, before that reorg), the others once no change is pending.
   */
  onPeak(change: PeakChange): void {
    const { forkPoint, peak } = change;
    for (const [key, height] of this.#emitted) {
      if ((forkPoint !== null && height > forkPoint) || height < peak.height - DEDUPE_DEPTH) this.#emitted.delete(key);
    }
    // The blocks this change put on the best chain (below DEDUPE_DEPTH), to tell a replaced one later.
    for (let height = Math.max((forkPoint ?? peak.height - 1) + 1, peak.height - DEDUPE_DEPTH); height <= peak.height; height++) {
      const hash = this.#deps.bestHashAt(height);
      if (hash !== undefined) this.#wasBest.set(hash, height);
    }
    for (const [hash, height] of this.#wasBest) if (height < peak.height - DEDUPE_DEPTH) this.#wasBest.delete(hash);
    this.#release(false, peak.header_hash);
  }

  /** The update's block was on the best chain and a reorg replaced it since. */
  #replaced(update: CoinUpdate): boolean {
    return this.#wasBest.has(update.header_hash) && !this.#onBest(update);
  }

  /**
   * An update of a block a reorg replaced after it was pushed (the update was still resolving its hints):
   * the node pushes again every watched state that changed above that reorg's fork (such a push follows
   * and corrects), and when it pushed nothing, the update's states still hold on the best chain. So it
   * leaves now, as of the best chain's block at its height, after that reorg, instead of waiting for a
   * block that will not come back; a late one (hints of coins already out) is dropped.
   */
  #emitReplaced(update: CoinUpdate): void {
    const header_hash = this.#deps.bestHashAt(update.height);
    if (update.late === true || header_hash === undefined) return;
    this.#emit({ ...update, header_hash });
  }

  /** Drops everything held (the upstream closed). */
  close(): void {
    clearTimeout(this.#timer);
    this.#held.length = 0;
  }

  get held(): number {
    return this.#held.length;
  }

  #peakPending(): boolean {
    return this.#deps.peakPending?.() ?? false;
  }

  #onBest(update: CoinUpdate): boolean {
    const best = this.#deps.best();
    return best !== null && best.height >= update.height && this.#deps.bestHashAt(update.height) === update.header_hash;
  }

  /**
   * Emits, in arrival order, every held update of block `tip` or (no change pending) on the best chain;
   * when `expired`, those past their time too, except late ones (their block never came back).
   */
  #release(expired: boolean, tip?: string): void {
    const now = Date.now();
    const settled = !this.#peakPending();
    for (let i = 0; i < this.#held.length; ) {
      const held = this.#held[i]!;
      const ready = held.update.header_hash === tip || (settled && this.#onBest(held.update));
      const replaced = !ready && settled && this.#replaced(held.update);
      if (!ready && !replaced && !(expired && held.until <= now)) {
        i++;
        continue;
      }
      this.#held.splice(i, 1);
      if (replaced) {
        this.#emitReplaced(held.update);
        continue;
      }
      const { height, header_hash, peer, late } = held.update;
      if (!ready && late === true) continue;
      if (!ready) this.#deps.logger.info({ height, header_hash, peer }, 'coin update emitted without its peak: its block is not on the best chain');
      this.#emit(held.update);
    }
    this.#arm();
  }

  #arm(): void {
    clearTimeout(this.#timer);
    const next = this.#held[0];
    if (next === undefined) return;
    this.#timer = setTimeout(() => this.#release(true), Math.max(0, Math.min(...this.#held.map((h) => h.until)) - Date.now()));
    this.#timer.unref();
  }

  /**
   * Emits the states not emitted before. A state already out (another link's copy, a catch-up) that
   * comes again with a hint not seen for it leaves again as late, for the clients of that hint alone:
   * a node pushes a coin once per connection, so the link holding its hint may not be the first to.
   */
  #emit(update: CoinUpdate): void {
    const fresh: CoinState[] = [];
    const late: CoinState[] = [];
    for (const state of update.coin_states) {
      const plain = stateKey(state);
      const height = Math.max(state.spent_height ?? 0, state.created_height ?? 0);
      const hint = update.hints.get(toHex(coinId(state.coin)));
      const hinted = hint === undefined ? undefined : `${plain}>${hint}`;
      if (update.late !== true && !this.#emitted.has(plain)) {
        fresh.push(state);
        this.#emitted.set(plain, height);
      } else if (hinted === undefined || this.#emitted.has(hinted)) continue;
      else late.push(state);
      if (hinted !== undefined) this.#emitted.set(hinted, height);
    }
    if (fresh.length > 0) this.#deps.emit(fresh.length === update.coin_states.length ? update : { ...update, coin_states: fresh });
    if (late.length > 0) this.#deps.emit({ ...update, fork_height: null, coin_states: late, late: true });
  }
}

/** A coin state's identity: the coin and both heights (a spend is a new state of the same coin). */
function stateKey(state: CoinState): string {
  return `${toHex(coinId(state.coin))}:${state.created_height ?? '-'}:${state.spent_height ?? '-'}`;
}
