/**
 * Long fuzz run (`npm run fuzz`): at least 1,000,000 cases over mutated reference vectors, real
 * blocks and random frames. Prints counts and duration. FUZZ_CASES overrides the total,
 * FUZZ_SEED the seed (printed so a failure can be replayed).
 */
import fc from 'fast-check';
import { checkDecode, checkFrame, frameArb, fuzzTargets, mutate, mutationArb } from './harness.js';

const DEFAULT_CASES = 1_000_000;
/** Share of the cases spent on random frames; the rest mutate encodings. */
const FRAME_SHARE = 0.1;
const CHUNK = 50_000;

const total = Number(process.env.FUZZ_CASES ?? DEFAULT_CASES);
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const targets = fuzzTargets(true);
const frameCases = Math.round(total * FRAME_SHARE);
const mutationCases = total - frameCases;
const counts = { decoded: 0, rejected: 0, framesDecoded: 0, framesRejected: 0 };
const started = performance.now();

console.log(`fuzz: ${total} cases (seed ${seed}), ${targets.length} targets, ${mutationCases} mutation + ${frameCases} frame cases`);
let done = 0;
for (let chunk = 0; done < mutationCases; chunk++) {
  const n = Math.min(CHUNK, mutationCases - done);
  fc.assert(
    fc.property(fc.nat({ max: targets.length - 1 }), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (i, ms) => {
      const t = targets[i]!;
      counts[checkDecode(t.cls, mutate(t, ms))]++;
    }),
    { numRuns: n, seed: seed + chunk },
  );
  done += n;
  console.log(`  mutations ${done}/${mutationCases} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
fc.assert(
  fc.property(frameArb, (f) => {
    if (checkFrame(f) === 'decoded') counts.framesDecoded++;
    else counts.framesRejected++;
  }),
  { numRuns: frameCases, seed },
);
const seconds = (performance.now() - started) / 1000;
const cases = counts.decoded + counts.rejected + counts.framesDecoded + counts.framesRejected;
console.log(
  `fuzz done: ${cases} cases in ${seconds.toFixed(1)} s (${Math.round(cases / seconds)}/s); ` +
    `mutations: ${counts.decoded} decoded+re-encoded, ${counts.rejected} rejected with CodecError; ` +
    `frames: ${counts.framesDecoded} decoded, ${counts.framesRejected} rejected; no other exception`,
);
