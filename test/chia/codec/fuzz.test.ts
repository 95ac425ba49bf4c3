/** A small, fast slice of the property-based fuzzing (the full run is `npm run fuzz`). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkDecode, checkFrame, frameArb, fuzzTargets, mutate, mutationArb } from '../../fuzz/harness.js';

/** Few enough to stay well under 20 s on a loaded machine. */
const MUTATION_RUNS = 3000;
const FRAME_RUNS = 1500;

describe('fuzz slice', () => {
  const targets = fuzzTargets(false);

  it('mutated vectors: only CodecError escapes; whatever decodes re-encodes identically', () => {
    const counts = { decoded: 0, rejected: 0 };
    fc.assert(
      fc.property(fc.nat({ max: targets.length - 1 }), fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (i, ms) => {
        const t = targets[i]!;
        counts[checkDecode(t.cls, mutate(t, ms))]++;
      }),
      { numRuns: MUTATION_RUNS },
    );
    expect(counts.decoded + counts.rejected).toBe(MUTATION_RUNS);
    expect(counts.rejected).toBeGreaterThan(0);
  });

  it('every unmutated target decodes', () => {
    for (const t of targets) expect(checkDecode(t.cls, t.bytes)).toBe('decoded');
  });

  it('random frames', () => {
    fc.assert(fc.property(frameArb, (f) => void checkFrame(f)), { numRuns: FRAME_RUNS });
  });
});
