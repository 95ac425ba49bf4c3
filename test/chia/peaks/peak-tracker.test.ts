import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../../src/config/config.js';
import { ANNOUNCED_HEIGHTS_KEPT, PeakTracker, type PeakAnnouncement } from '../../../src/chia/peaks/peak-tracker.js';
import { reorgOf } from '../../../src/live/live-events.js';

/** The depth the gateway guesses by default: its confirmations. */
const UNVERIFIED_FORK_DEPTH = DEFAULTS.confirmations;

const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const peak = (height: number, weight = BigInt(height) * 10n, h = hash(height)) => ({
  header_hash: h,
  height,
  weight,
  fork_point_with_previous_peak: height - 1,
});
/** A block of a named branch: its hash says which (branch, height), its weight grows with height. */
const on = (branch: string, height: number, fork = height - 1, extra = 0n): PeakAnnouncement => ({
  header_hash: `0x${branch}${height}`,
  height,
  weight: BigInt(height) * 10n + extra,
  fork_point_with_previous_peak: fork,
});

describe('PeakTracker', () => {
  it('keeps the heaviest peak and deduplicates by header hash', () => {
    const t = new PeakTracker({ unverifiedForkDepth: UNVERIFIED_FORK_DEPTH });
    const first = t.announce('a:1', peak(10), 1);
    expect(first?.previous).toBeNull();
    expect(first?.peak).toMatchObject({ height: 10, peers: ['a:1'], received_at: 1 });
    expect(t.announce('b:1', peak(10), 2)).toBeNull();
    expect(t.best?.peers).toEqual(['a:1', 'b:1']);
    expect(t.announce('b:1', peak(9), 3)).toBeNull();
    const next = t.announce('b:1', peak(11), 4);
    expect(next?.previous?.height).toBe(10);
    expect(t.best).toMatchObject({ height: 11, peers: ['b:1'] });
  });

  it('prefers weight over height (a heavier fork wins)', () => {
    const t = new PeakTracker({ unverifiedForkDepth: UNVERIFIED_FORK_DEPTH });
    t.announce('a:1', peak(100, 1_000n));
    expect(t.announce('b:1', peak(99, 2_000n, hash(999)))?.peak.height).toBe(99);
  });

  it('remembers what each peer announced per height, bounded', () => {
    const t = new PeakTracker({ unverifiedForkDepth: UNVERIFIED_FORK_DEPTH });
    for (let h = 0; h < ANNOUNCED_HEIGHTS_KEPT + 10; h++) t.announce('a:1', peak(h));
    expect(t.announcedHash('a:1', ANNOUNCED_HEIGHTS_KEPT + 9)).toBe(hash(ANNOUNCED_HEIGHTS_KEPT + 9));
    expect(t.announcedHash('a:1', 0)).toBeUndefined();
    expect(t.announcedHash('b:1', 5)).toBeUndefined();
  });

  it('measures lag behind the best and forgets a peer', () => {
    const t = new PeakTracker({ unverifiedForkDepth: UNVERIFIED_FORK_DEPTH });
    t.announce('a:1', peak(100));
    t.announce('b:1', peak(80));
    expect(t.lag('b:1')).toBe(20);
    expect(t.lag('a:1')).toBe(0);
    expect(t.lag('silent:1')).toBe(0);
    t.forget('a:1');
    expect(t.best).toMatchObject({ height: 80, peers: ['b:1'] });
    expect(t.lag('b:1')).toBe(0);
    expect(t.latest('a:1')).toBeUndefined();
    expect(t.announcedHash('a:1', 100)).toBeUndefined();
  });

  it("drops a peer's hashes above its fork point when it reorgs (§e.4)", () => {
    const t = new PeakTracker({ unverifiedForkDepth: UNVERIFIED_FORK_DEPTH });
    for (let h = 95; h <= 100; h++) t.announce('a:1', on('A', h));
    t.announce('a:1', on('B', 101, 98, 5n));
    expect(t.announcedHash('a:1', 98)).toBe('0xA98');
    expect(t.announcedHash('a:1', 99)).toBeUndefined();
    expect(t.announcedHash('a:1', 100)).toBeUndefined();
    expect(t.announcedHash('a:1', 101)).toBe('0xB101');
    // The same peer's fork point holds against the best it announced itself.
    expect(t.best).toMatchObject({ height: 101, fork_point_with_previous_peak: 98 });
  });

  it('drops the replaced height when a peer announces a different block at or below its peak', () => {
    const t = new PeakTracker({ unverifiedForkDepth: UNVERIFIED_FORK_DEPTH });
    for (let h = 98; h <= 100; h++) t.announce('a:1', on('A', h));
    // A fork point at or above the height (a first message, or a liar) still replaces that height.
    const change = t.announce('a:1', on('B', 100, 100, 5n));
    expect(t.announcedHash('a:1', 100)).toBe('0xB100');
    expect(t.announcedHash('a:1', 99)).toBe('0xA99');
    expect(change?.peak.fork_point_with_previous_peak).toBe(99);
    expect(reorgOf(change!)?.rolled_back).toEqual({ from: 100, to: 100 });
  });

  it('derives the fork point from shared history when the best moves to another peer', () => {
    const t = new PeakTracker({ unverifiedForkDepth: UNVERIFIED_FORK_DEPTH });
    for (let h = 95; h <= 99; h++) {
      t.announce('a:1', on('W', h));
      t.announce('b:1', on('W', h));
    }
    t.announce('a:1', on('X', 100, 99, 2n));
    t.announce('b:1', on('Y', 100, 99, 1n)); // lighter: the best stays X100
    // b extends its own Y100: fork 100 relative to its previous peak, but X100 is rolled back.
    const change = t.announce('b:1', on('Z', 101, 100));
    expect(change?.previous?.header_hash).toBe('0xX100');
    expect(change?.peak).toMatchObject({ height: 101, fork_point_with_previous_peak: 99, peers: ['b:1'] });
    expect(change!.forkPoint).toBe(99);
    expect(reorgOf(change!)).toMatchObject({ fork_point: 99, rolled_back: { from: 100, to: 100 } });
  });

  it("sees no reorg when another peer's heavier peak extends the best", () => {
    const t = new PeakTracker({ unverifiedForkDepth: UNVERIFIED_FORK_DEPTH });
    for (let h = 95; h <= 100; h++) t.announce('a:1', on('W', h));
    t.announce('b:1', on('W', 99));
    t.announce('b:1', on('W', 100));
    const change = t.announce('b:1', on('W', 101));
    expect(change?.peak).toMatchObject({ height: 101, fork_point_with_previous_peak: 100 });
    expect(change!.forkPoint).toBeNull();
  });

  it("assumes a bounded fork when a new link's first peak shares no known block with the best", () => {
    const t = new PeakTracker({ unverifiedForkDepth: UNVERIFIED_FORK_DEPTH });
    for (let h = 95; h <= 100; h++) t.announce('a:1', on('W', h));
    // A node's first message reports fork point = its own height (§c.7): it says nothing about ours.
    const change = t.announce('new:1', on('V', 101, 101));
    const fork = 100 - UNVERIFIED_FORK_DEPTH;
    expect(change?.peak.fork_point_with_previous_peak).toBe(fork);
    expect(reorgOf(change!)?.rolled_back).toEqual({ from: fork + 1, to: 100 });
    // Never below genesis on a short chain, and the depth is configurable.
    const short = new PeakTracker({ unverifiedForkDepth: 3 });
    short.announce('a:1', on('W', 2));
    expect(short.announce('new:1', on('V', 3, 3))?.peak.fork_point_with_previous_peak).toBe(0);
    const shallow = new PeakTracker({ unverifiedForkDepth: 3 });
    shallow.announce('a:1', on('W', 100));
    expect(shallow.announce('new:1', on('V', 101, 101))?.peak.fork_point_with_previous_peak).toBe(97);
  });

  it('bounds the fork below the highest height where the two chains are known to differ', () => {
    const t = new PeakTracker({ unverifiedForkDepth: 3 });
    for (let h = 90; h <= 100; h++) t.announce('a:1', on('W', h));
    t.announce('b:1', on('U', 96, 96));
    const change = t.announce('b:1', on('U', 101, 100, 5n));
    // Known different at 96, nothing known below: 3 below 95.
    expect(change?.peak.fork_point_with_previous_peak).toBe(92);
  });

  it('makes a different peak at the same height a reorg of that height', () => {
    const t = new PeakTracker({ unverifiedForkDepth: UNVERIFIED_FORK_DEPTH });
    for (let h = 98; h <= 100; h++) {
      t.announce('a:1', on('W', h));
      t.announce('b:1', on('W', h));
    }
    const change = t.announce('b:1', on('Q', 100, 99, 1n));
    expect(change?.peak.fork_point_with_previous_peak).toBe(99);
    expect(change!.forkPoint).toBe(99);
    expect(reorgOf(change!)?.rolled_back).toEqual({ from: 100, to: 100 });
  });

  it('recomputes the best when the peer holding it is forgotten', () => {
    const t = new PeakTracker({ unverifiedForkDepth: UNVERIFIED_FORK_DEPTH });
    for (let h = 95; h <= 100; h++) {
      t.announce('a:1', on('W', h), 1);
      t.announce('b:1', on('W', h), 2);
    }
    // An inflated peak on top of the real chain, then its peer vanishes.
    t.announce('liar:1', on('W', 99), 3);
    t.announce('liar:1', on('L', 500, 99, 10_000n), 4);
    expect(t.best?.height).toBe(500);
    expect(t.lag('a:1')).toBe(400);
    const change = t.forget('liar:1');
    expect(change?.previous?.height).toBe(500);
    expect(change?.peak).toMatchObject({ height: 100, header_hash: '0xW100', peers: ['a:1', 'b:1'], received_at: 1 });
    expect(reorgOf(change!)).toMatchObject({ fork_point: 99, rolled_back: { from: 100, to: 500 } });
    expect(t.lag('a:1')).toBe(0);
    expect(t.latest('liar:1')).toBeUndefined();
    // The honest chain goes on with no reorg.
    const next = t.announce('a:1', on('W', 101));
    expect(next!.forkPoint).toBeNull();
  });

  it('keeps the best when another peer still holds it, and keeps it without peers when none is left', () => {
    const t = new PeakTracker({ unverifiedForkDepth: UNVERIFIED_FORK_DEPTH });
    t.announce('a:1', on('W', 100));
    t.announce('b:1', on('W', 100));
    expect(t.forget('a:1')).toBeNull();
    expect(t.best).toMatchObject({ height: 100, peers: ['b:1'] });
    expect(t.forget('b:1')).toBeNull();
    // Kept (cached blocks stay servable through a reconnect), held by no peer.
    expect(t.best).toMatchObject({ height: 100, peers: [] });
    // Its return changes nothing for consumers; a different first peak is measured against it.
    expect(t.announce('c:1', on('W', 100, 100))).toBeNull();
    expect(t.best).toMatchObject({ height: 100, peers: ['c:1'] });
    t.forget('c:1');
    const change = t.announce('d:1', on('V', 99, 99));
    expect(change?.previous?.header_hash).toBe('0xW100');
    expect(reorgOf(change!)?.rolled_back.to).toBe(100);
  });

  it('lets any next announcement replace a best whose peers are all gone, whatever its weight', () => {
    const t = new PeakTracker({ unverifiedForkDepth: UNVERIFIED_FORK_DEPTH });
    // An inflated peak from a peer that then leaves must not pin the gateway.
    t.announce('liar:1', { ...on('X', 500), weight: 10n ** 12n });
    t.forget('liar:1');
    const change = t.announce('honest:1', on('W', 100));
    expect(change?.peak).toMatchObject({ height: 100, header_hash: '0xW100', peers: ['honest:1'] });
    expect(change?.previous?.header_hash).toBe('0xX500');
    // While a holder remains, a lighter peak does not replace it.
    expect(t.announce('other:1', { ...on('V', 101), weight: 1n })).toBeNull();
  });
  describe('parent hashes of peaks it cannot relate (needsParent)', () => {
    it("asks for the parent of a new peer's first, heavier peak, and with it finds the true fork", () => {
      const t = new PeakTracker({ unverifiedForkDepth: UNVERIFIED_FORK_DEPTH });
      for (let h = 95; h <= 100; h++) t.announce('a:1', on('W', h));
      const first = on('W', 101, 101); // a first message: fork point = its height (§c.7)
      expect(t.needsParent('new:1', first)).toBe(true);
      const change = t.announce('new:1', first, 5, '0xW100');
      expect(change?.peak).toMatchObject({ height: 101, fork_point_with_previous_peak: 100, peers: ['new:1'] });
      expect(change!.forkPoint).toBeNull();
      expect(t.announcedHash('new:1', 100)).toBe('0xW100');
      // The next peak extends a chain the tracker knows: no more requests.
      expect(t.needsParent('new:1', on('W', 102))).toBe(false);
      expect(t.announce('new:1', on('W', 102))?.peak.fork_point_with_previous_peak).toBe(101);
    });

    it('finds a fork below the parent too, when the parent is on the gateway\'s chain record', () => {
      const t = new PeakTracker({ unverifiedForkDepth: UNVERIFIED_FORK_DEPTH });
      for (let h = 95; h <= 100; h++) t.announce('a:1', on('W', h));
      // A heavier sibling of the best: its parent W99 is on the best's chain.
      const sibling = on('S', 100, 100, 5n);
      expect(t.needsParent('new:1', sibling)).toBe(true);
      const change = t.announce('new:1', sibling, 1, '0xW99');
      expect(change?.peak.fork_point_with_previous_peak).toBe(99);
      expect(reorgOf(change!)?.rolled_back).toEqual({ from: 100, to: 100 });
    });

    it('keeps a conservative fork when the parent is on another branch', () => {
      const t = new PeakTracker({ unverifiedForkDepth: UNVERIFIED_FORK_DEPTH });
      for (let h = 95; h <= 100; h++) t.announce('a:1', on('W', h));
      const change = t.announce('new:1', on('V', 101, 101), 1, '0xV100');
      // Known different at 100, nothing known below: the bounded guess below 99.
      expect(change?.peak.fork_point_with_previous_peak).toBe(99 - UNVERIFIED_FORK_DEPTH);
    });

    it('needs no parent when the peak would not become the best, or the tracker can already relate it', () => {
      const t = new PeakTracker({ unverifiedForkDepth: UNVERIFIED_FORK_DEPTH });
      expect(t.needsParent('a:1', on('W', 100))).toBe(false); // the first best has nothing to fork from
      for (let h = 98; h <= 100; h++) t.announce('a:1', on('W', h));
      expect(t.needsParent('a:1', on('W', 101))).toBe(false); // it announced the best itself
      expect(t.needsParent('new:1', on('W', 100, 100))).toBe(false); // the best itself
      expect(t.needsParent('new:1', { ...on('V', 101, 101), weight: 1n })).toBe(false); // lighter
      expect(t.announce('b:1', on('V', 100, 100))).toBeNull(); // as heavy as the best: not taken
      // b already announced the parent of its next peak: a request would teach nothing new.
      expect(t.needsParent('b:1', on('V', 101))).toBe(false);
      expect(t.needsParent('b:1', on('X', 101, 98))).toBe(true); // ... unless its reorg replaced it (§e.4)
      expect(t.needsParent('genesis:1', { ...on('G', 0, 0), weight: 10_000n })).toBe(false);
    });

    it("records the parent below a peer's own reorg, and keeps it through the pruning", () => {
      const t = new PeakTracker({ unverifiedForkDepth: UNVERIFIED_FORK_DEPTH });
      for (let h = 95; h <= 100; h++) t.announce('a:1', on('W', h));
      t.announce('a:1', on('X', 101, 97, 5n), 1, '0xX100');
      expect(t.announcedHash('a:1', 97)).toBe('0xW97');
      expect(t.announcedHash('a:1', 98)).toBeUndefined();
      expect(t.announcedHash('a:1', 100)).toBe('0xX100');
      expect(t.announcedHash('a:1', 101)).toBe('0xX101');
    });
  });
});
