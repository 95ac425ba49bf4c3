/** Loaders for the shared reference data used by the codec tests, fuzzers and benchmarks. */
import { readFileSync } from 'node:fs';
import { parseJson } from '../../src/chia/codec/index.js';
import { protocolFile } from '../support/shared-data.js';

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
  return parseJson(readFileSync(protocolFile('vectors', 'vectors.json'), 'utf8')) as Vector[];
}

/** Raw bytes of a file under shared/protocol/real. */
export function realBytes(...parts: string[]): Uint8Array {
  return new Uint8Array(readFileSync(protocolFile('real', ...parts)));
}

/** A JSON file under shared/protocol/real, parsed losslessly. */
export function realJson(...parts: string[]): unknown {
  return parseJson(readFileSync(protocolFile('real', ...parts), 'utf8'));
}
