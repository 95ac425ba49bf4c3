import { describe, expect, it } from 'vitest';
import { ANNOUNCED_HEIGHTS_KEPT, PeakTracker } from '../../src/chia/peak-tracker.js';

const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const peak = (height: number, weight = BigInt(height) * 10n, h = hash(height)) => ({
  header_hash: h,
  height,
  weight,
  fork_point_with_previous_peak: height - 1,
});

describe('PeakTracker', () => {
  it('keeps the heaviest peak and deduplicates by header hash', () => {
    const t = new PeakTracker();
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
    const t = new PeakTracker();
    t.announce('a:1', peak(100, 1_000n));
    expect(t.announce('b:1', peak(99, 2_000n, hash(999)))?.peak.height).toBe(99);
  });

  it('remembers what each peer announced per height, bounded', () => {
    const t = new PeakTracker();
    for (let h = 0; h < ANNOUNCED_HEIGHTS_KEPT + 10; h++) t.announce('a:1', peak(h));
    expect(t.announcedHash('a:1', ANNOUNCED_HEIGHTS_KEPT + 9)).toBe(hash(ANNOUNCED_HEIGHTS_KEPT + 9));
    expect(t.announcedHash('a:1', 0)).toBeUndefined();
    expect(t.announcedHash('b:1', 5)).toBeUndefined();
  });

  it('measures lag behind the best and forgets a peer', () => {
    const t = new PeakTracker();
    t.announce('a:1', peak(100));
    t.announce('b:1', peak(80));
    expect(t.lag('b:1')).toBe(20);
    expect(t.lag('a:1')).toBe(0);
    expect(t.lag('silent:1')).toBe(0);
    t.forget('a:1');
    expect(t.best?.peers).toEqual([]);
    expect(t.latest('a:1')).toBeUndefined();
  });
});
