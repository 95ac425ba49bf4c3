/**
 * Codec benchmark (`npm run bench:codec`): decode and decode→safe JSON text of three blocks, beside
 * two baselines measured in the same run: Buffer.from (a plain copy of the same bytes) and JSON.parse
 * of the same block's node JSON. Rounds alternate the four operations; medians are reported.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseJson, stringifyJson, types, type FullBlock } from '../../src/chia/codec/index.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 21);
/** Target duration of one timed batch. */
const BATCH_MS = 25;
const WARMUP_MS = 300;
/** Size of the synthetic generator (§ brief: ~900 KB). */
const SYNTHETIC_GENERATOR_BYTES = 900_000;
const ATOM_BYTES = 1000;

interface Case {
  name: string;
  bytes: Uint8Array;
  nodeJsonText: string;
  jsonSource: string;
}

/** A file of the real mainnet reference data under fixtures/real/ (benchmarks import no test code). */
const real = (...p: string[]): string => fileURLToPath(new URL(`../../fixtures/real/${p.join('/')}`, import.meta.url));

/** A valid CLVM list of ~`size` bytes: (atom atom … ) with 1000-byte atoms (prefix 0xC3 0xE8). */
function syntheticProgram(size: number): Uint8Array {
  const n = Math.floor(size / (ATOM_BYTES + 3));
  const out = new Uint8Array(n * (ATOM_BYTES + 3) + 1);
  let p = 0;
  for (let i = 0; i < n; i++) {
    out[p++] = 0xff;
    out[p++] = 0xc0 | (ATOM_BYTES >> 8);
    out[p++] = ATOM_BYTES & 0xff;
    for (let j = 0; j < ATOM_BYTES; j++) out[p++] = (i * 31 + j * 7) & 0xff;
  }
  out[p] = 0x80;
  return out;
}

function loadCases(): Case[] {
  const mainnetBytes = new Uint8Array(readFileSync(real('mainnet', 'full', '000036.bin')));
  const mainnetJson = readFileSync(real('mainnet', 'full-json', '000036.json'), 'utf8');
  const tnBytes = new Uint8Array(readFileSync(real('testnet10', 'fullblock_466212.bin')));
  const tnJson = stringifyJson((parseJson(readFileSync(real('testnet10', 'get_block_466212.json'), 'utf8')) as { block: unknown }).block);
  const base = types.FullBlock.decode(tnBytes);
  const synthetic: FullBlock = { ...base, transactions_generator: syntheticProgram(SYNTHETIC_GENERATOR_BYTES) };
  const synBytes = types.FullBlock.encode(synthetic).slice();
  return [
    { name: 'mainnet #36', bytes: mainnetBytes, nodeJsonText: mainnetJson, jsonSource: 'node JSON' },
    { name: 'testnet10 #466212', bytes: tnBytes, nodeJsonText: tnJson, jsonSource: 'node JSON' },
    { name: 'synthetic 900 KB gen', bytes: synBytes, nodeJsonText: types.FullBlock.toJsonText(synthetic, 'chia'), jsonSource: 'chia JSON' },
  ];
}

let sink = 0;
type Op = () => void;

/** Mean ms per call over a batch sized to take about BATCH_MS. */
function timeBatch(op: Op, iterations: number): number {
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) op();
  return (performance.now() - t0) / iterations;
}

function calibrate(op: Op): number {
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < WARMUP_MS) {
    op();
    n++;
  }
  return Math.max(1, Math.round((n * BATCH_MS) / WARMUP_MS));
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

function run(c: Case): void {
  const ops: Record<string, Op> = {
    decode: () => {
      sink += types.FullBlock.decode(c.bytes).reward_chain_block.height;
    },
    'decode→safe JSON': () => {
      sink += types.FullBlock.toJsonText(types.FullBlock.decode(c.bytes)).length;
    },
    'Buffer.from copy': () => {
      sink += Buffer.from(c.bytes).length;
    },
    [`JSON.parse ${c.jsonSource}`]: () => {
      sink += (JSON.parse(c.nodeJsonText) as { foliage: unknown }).foliage === undefined ? 0 : 1;
    },
  };
  const names = Object.keys(ops);
  const iters = Object.fromEntries(names.map((n) => [n, calibrate(ops[n]!)]));
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate the order each round so drift on a shared machine hits every operation alike.
    const order = r % 2 === 0 ? names : [...names].reverse();
    for (const n of order) samples[n]!.push(timeBatch(ops[n]!, iters[n]!));
  }
  const mb = c.bytes.length / 1e6;
  console.log(`\n${c.name}: ${c.bytes.length.toLocaleString('en')} bytes binary, ${c.nodeJsonText.length.toLocaleString('en')} chars ${c.jsonSource}`);
  const med = Object.fromEntries(names.map((n) => [n, median(samples[n]!)]));
  for (const n of names) {
    const ms = med[n]!;
    console.log(`  ${n.padEnd(24)} ${(ms * 1000).toFixed(1).padStart(9)} µs/op  ${(mb / (ms / 1000)).toFixed(0).padStart(7)} MB/s (of binary size)`);
  }
  const parse = med[names[3]!]!;
  console.log(`  ratio JSON.parse / decode:            ${(parse / med.decode!).toFixed(1)}× (target ≥ 3×)`);
  console.log(`  ratio JSON.parse / decode→safe JSON:  ${(parse / med['decode→safe JSON']!).toFixed(1)}×`);
  console.log(`  ratio decode / Buffer.from copy:      ${(med.decode! / med['Buffer.from copy']!).toFixed(1)}× the time of a copy`);
}

const started = performance.now();
console.log(`codec benchmark: ${ROUNDS} alternating rounds of ~${BATCH_MS} ms batches, medians`);
for (const c of loadCases()) run(c);
console.log(`\ndone in ${((performance.now() - started) / 1000).toFixed(1)} s (sink ${sink % 10})`);
