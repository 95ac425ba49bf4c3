/** Loaders for the reference data (fixtures/) used by the codec tests, fuzzers and benchmarks. */
import { readFileSync } from 'node:fs';
import { parseJson } from '../../src/chia/codec/index.js';
import { fixtureFile } from '../support/fixtures.js';

export interface Vector {
  name: string;
  protocol: string;
  message_type: number | null;
  class: string;
  hex: string;
  json: unknown;
}

/** vectors.json parsed losslessly (integers above 2^53 as bigint). */
export function loadVectors(): Vector[] {
  return parseJson(readFileSync(fixtureFile('vectors', 'vectors.json'), 'utf8')) as Vector[];
}

/** Raw bytes of a file under fixtures/real. */
export function realBytes(...parts: string[]): Uint8Array {
  return new Uint8Array(readFileSync(fixtureFile('real', ...parts)));
}

/** A JSON file under fixtures/real, parsed losslessly. */
export function realJson(...parts: string[]): unknown {
  return parseJson(readFileSync(fixtureFile('real', ...parts), 'utf8'));
}
