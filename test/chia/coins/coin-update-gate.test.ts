/**
 * Coin updates leave after the peak of their block, once each; a reorg lets the states it rolled back
 * come again; an update whose block never becomes best still leaves, after HOLD_MAX_MS.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CoinUpdateGate, HOLD_MAX_MS } from '../../../src/chia/coins/coin-update-gate.js';
import { coinId, toHex, type CoinState, type CoinUpdate, type Peak, type PeakChange } from '../../../src/chia/index.js';
import { SILENT_LOGGER } from '../../../src/chia/logger.js';

const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const bytes = (n: number) => Uint8Array.from(Buffer.from(hash(n).slice(2), 'hex'));

function state(coin: number, created: number, spent: number | null = null): CoinState {
  return { coin: { parent_coin_info: bytes(coin), puzzle_hash: bytes(7), amount: 1n }, created_height: created, spent_height: spent };
}

function update(height: number, states: CoinState[], branch = 0): CoinUpdate {
  return { height, header_hash: hash(height + branch), fork_height: null, coin_states: states, hints: new Map(), peer: 'a:1' };
}

function setup() {
  const chain = new Map<number, string>();
  let best: Peak | null = null;
  const out: CoinUpdate[] = [];
  const pending = { changes: 0 };
  const gate = new CoinUpdateGate({ best: () => best, peakPending: () => pending.changes > 0, bestHashAt: (h) => chain.get(h), emit: (u) => out.push(u), logger: SILENT_LOGGER });
  /** Makes (height, branch) the best, as the tracker does; the change is emitted later (`gate.onPeak`). */
  const advance = (height: number, forkPoint: number | null = null, branch = 0): PeakChange => {
    const previous = best;
    for (let h = (forkPoint ?? height - 1) + 1; h <= height; h++) chain.set(h, hash(h + branch));
    best = { height, header_hash: hash(height + branch), weight: BigInt(height), fork_point_with_previous_peak: forkPoint ?? height - 1, peers: [], received_at: 0 };
    return { peak: best, previous, forkPoint };
  };
  /** Makes (height, branch) the best and tells the gate after the peak event, as the manager does. */
  const peak = (height: number, forkPoint: number | null = null, branch = 0) => gate.onPeak(advance(height, forkPoint, branch));
  return { gate, out, peak, advance, pending };
}

describe('CoinUpdateGate', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('holds an update pushed before its peak until that peak was emitted', () => {
    const { gate, out, peak } = setup();
    peak(100);
    gate.push(update(101, [state(1, 101)]));
    expect(out).toEqual([]);
    expect(gate.held).toBe(1);
    peak(101);
    expect(out.map((u) => u.height)).toEqual([101]);
    // Already on the best chain: out at once.
    gate.push(update(101, [state(2, 101)]));
    expect(out.map((u) => u.height)).toEqual([101, 101]);
  });

  it('holds every update while a best-peak change waits to be emitted, and releases with the last of them', () => {
    const { gate, out, peak, pending } = setup();
    peak(100);
    // The best already moved to 102 (its change not emitted yet): even an update of 100 waits.
    pending.changes = 2;
    gate.push(update(100, [state(1, 100)]));
    gate.push(update(102, [state(2, 102)]));
    expect(out).toEqual([]);
    pending.changes = 1;
    peak(101);
    expect(out).toEqual([]);
    pending.changes = 0;
    peak(102);
    expect(out.map((u) => u.height)).toEqual([100, 102]);
  });

  it('emits a late update (hints of coins already out) once per hint, and drops it once its block left the best chain', () => {
    const { gate, out, peak } = setup();
    peak(101);
    const coin = state(1, 101);
    const id = toHex(coinId(coin.coin));
    gate.push(update(101, [coin]));
    const late = (branch = 0): CoinUpdate => ({ ...update(101, [coin], branch), hints: new Map([[id, hash(0xbb)]]), late: true });
    gate.push(late());
    gate.push(late());
    expect(out.map((u) => [u.height, u.late])).toEqual([
      [101, undefined],
      [101, true],
    ]);
    // Block 101 replaced by another (branch 1): a late update of the old one is dropped, not held.
    peak(101, 100, 1);
    gate.push(late());
    expect(gate.held).toBe(0);
    expect(out).toHaveLength(2);
  });

  it('two changes emitted in one go, a block then a reorg replacing it: the block\'s coins follow its peak, before the reorg', () => {
    const { gate, out, advance, pending } = setup();
    gate.onPeak(advance(100));
    // The coin update of block 101 arrives, then both announcements are read in the same turn.
    pending.changes = 1;
    gate.push(update(101, [state(1, 101)]));
    const first = advance(101);
    const reorg = advance(101, 100, 1);
    pending.changes = 1;
    gate.onPeak(first);
    expect(out.map((u) => u.header_hash)).toEqual([hash(101)]);
    pending.changes = 0;
    gate.onPeak(reorg);
    expect(gate.held).toBe(0);
  });

  it('drops a late update held while a reorg was pending once its block did not come back (no emission on expiry)', () => {
    const { gate, out, peak, advance, pending } = setup();
    peak(101);
    const coin = state(1, 101);
    gate.push(update(101, [coin]));
    pending.changes = 1;
    const reorg = advance(101, 100, 1);
    gate.push({ ...update(101, [coin]), hints: new Map([[toHex(coinId(coin.coin)), hash(0xbb)]]), late: true });
    pending.changes = 0;
    gate.onPeak(reorg);
    vi.advanceTimersByTime(HOLD_MAX_MS);
    expect(gate.held).toBe(0);
    expect(out.map((u) => u.late)).toEqual([undefined]);
  });

  it("another link's copy of a state already out leaves again as late when it names a hint (the link that holds the hint pushed it), else not at all", () => {
    const { gate, out, peak } = setup();
    peak(101);
    const [direct, hinted] = [state(1, 101), state(2, 101)];
    const hints = (s: CoinState) => new Map([[toHex(coinId(s.coin)), hash(0xcc)]]);
    // Coin 1: matched directly on one link first, then resolved to a hint on another.
    gate.push(update(101, [direct]));
    gate.push({ ...update(101, [direct]), hints: hints(direct) });
    // Coin 2: the resolved copy first (it went to its puzzle hash's and its hint's clients), the direct one after.
    gate.push({ ...update(101, [hinted]), hints: hints(hinted) });
    gate.push(update(101, [hinted]));
    expect(out.map((u) => [toHex(coinId(u.coin_states[0]!.coin)), u.late ?? false, [...u.hints.values()]])).toEqual([
      [toHex(coinId(direct.coin)), false, []],
      [toHex(coinId(direct.coin)), true, [hash(0xcc)]],
      [toHex(coinId(hinted.coin)), false, [hash(0xcc)]],
    ]);
  });

  it('an update of a block that was best and was replaced since (the node pushed nothing for that reorg) leaves as of the new block at its height', () => {
    const { gate, out, peak } = setup();
    peak(101);
    peak(102);
    // A reorg replaces 101 and 102; the update of 102 (still resolving its hints) comes after it.
    peak(102, 100, 1);
    gate.push(update(102, [state(1, 99)]));
    expect(gate.held).toBe(0);
    expect(out.map((u) => [u.height, u.header_hash])).toEqual([[102, hash(103)]]);
    // A block never best (pushed before its peak) still waits for it.
    gate.push(update(103, [state(2, 103)], 7));
    expect(gate.held).toBe(1);
  });

  it('emits a state once, whichever link or catch-up brings it again', () => {
    const { gate, out, peak } = setup();
    peak(101);
    gate.push(update(101, [state(1, 101)]));
    gate.push({ ...update(101, [state(1, 101), state(2, 101)]), peer: 'b:1' });
    gate.push(update(101, [state(1, 101)]));
    expect(out.map((u) => [u.peer, u.coin_states.length])).toEqual([
      ['a:1', 1],
      ['b:1', 1],
    ]);
  });

  it('after a reorg, the states of the rolled-back heights come again, on the new branch', () => {
    const { gate, out, peak } = setup();
    peak(101);
    gate.push(update(101, [state(1, 101)]));
    gate.push({ ...update(101, [state(1, 101)], 1000), fork_height: 100 });
    expect(gate.held).toBe(1);
    peak(101, 100, 1000);
    expect(out.map((u) => [u.header_hash, u.fork_height])).toEqual([
      [hash(101), null],
      [hash(1101), 100],
    ]);
  });

  it('an update whose block never becomes best leaves after HOLD_MAX_MS', async () => {
    const { gate, out, peak } = setup();
    peak(100);
    gate.push(update(105, [state(1, 105)], 5));
    await vi.advanceTimersByTimeAsync(HOLD_MAX_MS - 1);
    expect(out).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(out.map((u) => u.height)).toEqual([105]);
  });
});
