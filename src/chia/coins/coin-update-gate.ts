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
    if (update.late === true && !this.#peakPending() && !this.#onBest(update)) {
      const best = this.#deps.best();
      if (best !== null && best.height >= update.height) return;
    }
    if (!this.#peakPending() && this.#onBest(update)) return this.#emit(update);
    this.#held.push({ update, until: Date.now() + (this.#deps.holdMaxMs ?? HOLD_MAX_MS) });
    this.#arm();
  }

  /** Called after the upstream emitted `change`: forgets states a reorg rolled back, releases what waited for it. */
  onPeak(change: PeakChange): void {
    const { forkPoint, peak } = change;
    for (const [key, height] of this.#emitted) {
      if ((forkPoint !== null && height > forkPoint) || height < peak.height - DEDUPE_DEPTH) this.#emitted.delete(key);
    }
    // Several changes emitted in one go: what they released waits for the last (the best).
    if (!this.#peakPending()) this.#release(false);
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

  /** Emits, in arrival order, every held update now on the best chain (and, when `expired`, those past their time). */
  #release(expired: boolean): void {
    const now = Date.now();
    for (let i = 0; i < this.#held.length; ) {
      const held = this.#held[i]!;
      const late = expired && held.until <= now;
      if (!late && !this.#onBest(held.update)) {
        i++;
        continue;
      }
      this.#held.splice(i, 1);
      if (late) this.#deps.logger.info({ height: held.update.height, header_hash: held.update.header_hash, peer: held.update.peer }, 'coin update emitted without its peak: its block is not on the best chain');
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

  #emit(update: CoinUpdate): void {
    const fresh = update.coin_states.filter((state) => {
      // A late update's coins went out before, to other clients: each is new for its hint's clients.
      const key = update.late === true ? `${stateKey(state)}>${update.hints.get(toHex(coinId(state.coin))) ?? ''}` : stateKey(state);
      if (this.#emitted.has(key)) return false;
      this.#emitted.set(key, Math.max(state.spent_height ?? 0, state.created_height ?? 0));
      return true;
    });
    if (fresh.length > 0) this.#deps.emit(fresh.length === update.coin_states.length ? update : { ...update, coin_states: fresh });
  }
}

/** A coin state's identity: the coin and both heights (a spend is a new state of the same coin). */
function stateKey(state: CoinState): string {
  return `${toHex(coinId(state.coin))}:${state.created_height ?? '-'}:${state.spent_height ?? '-'}`;
}
