import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { forkCeiling, peakChange, reorgForkPoint, sharedForkPoint } from '../../../src/chia/peaks/reorg.js';
import { PeakTracker, type PeakChange } from '../../../src/chia/peaks/peak-tracker.js';
import type { Peak } from '../../../src/chia/upstream-api.js';
import { reorgOf } from '../../../src/live/live-events.js';

const peakAt = (height: number, fork: number, tag = 'n'): Peak => ({
  height,
  header_hash: `0x${tag}${height}`,
  weight: BigInt(height),
  fork_point_with_previous_peak: fork,
  peers: [],
  received_at: 0,
});

describe('reorgForkPoint', () => {
  it('caps the fork point by what two different peaks can share', () => {
    expect(forkCeiling(101, 100)).toBe(100);
    expect(forkCeiling(100, 100)).toBe(99);
    expect(forkCeiling(99, 100)).toBe(99);
  });

  it('agrees with the live reorg event on a lower peak (previous 100, new 99 with fork 99)', () => {
    const previous = peakAt(100, 99, 'a');
    const peak = peakAt(99, 99, 'b');
    expect(reorgForkPoint(peak, previous)).toBe(99);
    expect(reorgOf(peakChange(peak, previous))).toMatchObject({ fork_point: 99, rolled_back: { from: 100, to: 100 } });
  });

  it('gives the cache and the live events one answer for any pair of peaks', () => {
    const peak = fc.record({ height: fc.nat(1_000), fork: fc.nat(1_100) }).map(({ height, fork }) => peakAt(height, fork, 'p'));
    const previous = fc.option(fc.nat(1_000).map((height) => peakAt(height, height - 1, 'q')));
    fc.assert(
      fc.property(peak, previous, (p, q) => {
        const change = peakChange(p, q);
        const fork = change.forkPoint;
        expect(fork).toBe(reorgForkPoint(p, q));
        const event = reorgOf(change);
        expect(event?.fork_point ?? null).toBe(fork);
        if (fork === null || q === null || event === null) return;
        expect(fork).toBeGreaterThanOrEqual(0);
        expect(fork).toBeLessThan(q.height);
        expect(fork).toBeLessThanOrEqual(p.height);
        expect(event.rolled_back).toEqual({ from: fork + 1, to: q.height });
      }),
    );
  });
});

describe('sharedForkPoint', () => {
  const chain = (entries: Record<number, string>) => (h: number) => entries[h];
  it('is the highest height where both chains are known to agree', () => {
    expect(sharedForkPoint(100, chain({ 100: 'x', 98: 's', 97: 's' }), chain({ 100: 'y', 99: 'y', 98: 's' }), 32)).toBe(98);
  });
  it('is a bounded guess below the ceiling or a known difference when nothing is shared', () => {
    expect(sharedForkPoint(100, chain({}), chain({ 100: 'y' }), 32)).toBe(68);
    expect(sharedForkPoint(100, chain({ 90: 'x' }), chain({ 90: 'y' }), 5)).toBe(84);
    expect(sharedForkPoint(100, chain({ 10: 's' }), chain({ 10: 's' }), 5)).toBe(95);
    expect(sharedForkPoint(3, chain({}), chain({}), 32)).toBe(0);
  });
});

/** A block tree for simulating peers that extend, fork, adopt each other's tips and reconnect. */
interface Block {
  id: number;
  height: number;
  weight: bigint;
  parent: Block | null;
}
const hashOf = (b: Block) => `0x${b.id}`;
const ancestorAt = (b: Block, height: number): Block => {
  let x = b;
  while (x.height > height && x.parent) x = x.parent;
  return x;
};
const lca = (a: Block, b: Block): number => {
  let x = ancestorAt(a, Math.min(a.height, b.height));
  let y = ancestorAt(b, Math.min(a.height, b.height));
  while (x !== y) [x, y] = [x.parent!, y.parent!];
  return x.height;
};

type Step =
  | { kind: 'extend'; peer: number; depth: number; length: number; extra: number }
  | { kind: 'adopt'; peer: number; from: number }
  | { kind: 'forget'; peer: number };
const PEERS = 3;
const anyPeer = fc.nat(PEERS - 1);
const extend = fc.record({ kind: fc.constant('extend' as const), peer: anyPeer, depth: fc.nat(4), length: fc.integer({ min: 1, max: 3 }), extra: fc.nat(3) });
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: extend },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('adopt' as const), peer: anyPeer, from: anyPeer }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('forget' as const), peer: anyPeer }) },
);

describe('PeakTracker against a simulated block tree', () => {
  it("never reports a fork point above the real one, and keeps only hashes of each peer's chain", () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 80 }), (steps) => {
        // With a huge guess depth, every fork point the tracker gives comes from evidence alone.
        const tracker = new PeakTracker({ unverifiedForkDepth: 1_000_000 });
        let nextId = 1;
        const genesis: Block = { id: 0, height: 0, weight: 0n, parent: null };
        const tips: (Block | null)[] = Array.from({ length: PEERS }, () => null);
        const byHash = new Map<string, Block>([[hashOf(genesis), genesis]]);
        const heaviest = () => tips.reduce<Block>((a, t) => (t && t.weight > a.weight ? t : a), genesis);
        const check = (change: PeakChange | null) => {
          if (change === null || change.previous === null) return;
          const real = lca(byHash.get(change.peak.header_hash)!, byHash.get(change.previous.header_hash)!);
          expect(change.peak.fork_point_with_previous_peak).toBeLessThanOrEqual(real);
          // No reorg is missed (a guessed one may be reported where evidence is lacking).
          if (change.forkPoint === null) expect(real).toBe(change.previous.height);
        };
        const announce = (peer: number, tip: Block) => {
          const previous = tips[peer];
          if (previous && tip.weight <= previous.weight) return;
          tips[peer] = tip;
          const fork = previous ? lca(tip, previous) : tip.height; // a first message: fork = height (§c.7)
          check(tracker.announce(`p${peer}`, { header_hash: hashOf(tip), height: tip.height, weight: tip.weight, fork_point_with_previous_peak: fork }));
        };
        for (const s of steps) {
          if (s.kind === 'forget') {
            tips[s.peer] = null;
            check(tracker.forget(`p${s.peer}`));
          } else if (s.kind === 'adopt') {
            const tip = tips[s.from];
            if (tip) announce(s.peer, tip);
          } else {
            const base = tips[s.peer] ?? heaviest();
            let tip = ancestorAt(base, Math.max(0, base.height - s.depth));
            for (let i = 0; i < s.length; i++) {
              tip = { id: nextId++, height: tip.height + 1, weight: tip.weight + 10n + BigInt(i === 0 ? s.extra : 0), parent: tip };
              byHash.set(hashOf(tip), tip);
            }
            announce(s.peer, tip);
          }
          for (let p = 0; p < PEERS; p++) {
            const tip = tips[p];
            if (!tip) continue;
            for (let h = 0; h <= tip.height; h++) {
              const stored = tracker.announcedHash(`p${p}`, h);
              if (stored !== undefined) expect(stored).toBe(hashOf(ancestorAt(tip, h)));
            }
          }
          // The best is the heaviest peak a connected peer announced.
          const live = tips.filter((t): t is Block => t !== null);
          if (live.length > 0) expect(tracker.best?.weight).toBe(live.reduce((a, t) => (t.weight > a ? t.weight : a), 0n));
        }
      }),
      { numRuns: 300 },
    );
  });
});
