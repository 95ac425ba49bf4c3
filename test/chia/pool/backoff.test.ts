import { describe, expect, it } from 'vitest';
import { exponentialBackoff } from '../../../src/chia/pool/backoff.js';

describe('exponentialBackoff', () => {
  it('doubles from the base, with jitter between half and the full delay', () => {
    const low = exponentialBackoff({ baseMs: 100, capMs: 10_000, random: () => 0 });
    const high = exponentialBackoff({ baseMs: 100, capMs: 10_000, random: () => 0.999999 });
    expect([1, 2, 3, 4].map((a) => low(a))).toEqual([50, 100, 200, 400]);
    expect([1, 2, 3, 4].map((a) => high(a))).toEqual([100, 200, 400, 800]);
  });

  it('is capped, even for huge attempt numbers', () => {
    const strategy = exponentialBackoff({ baseMs: 100, capMs: 1_000, random: () => 0.999999 });
    expect(strategy(50)).toBe(1_000);
    expect(strategy(10_000)).toBe(1_000);
  });

  it('spreads retries with the default random source', () => {
    const strategy = exponentialBackoff({ baseMs: 1_000, capMs: 60_000 });
    const delays = new Set(Array.from({ length: 50 }, () => strategy(3)));
    expect(delays.size).toBeGreaterThan(1);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(2_000);
      expect(d).toBeLessThanOrEqual(4_000);
    }
  });
});
