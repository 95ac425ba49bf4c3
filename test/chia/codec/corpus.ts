/** Loaders for the reference data (fixtures/) used by the codec tests, fuzzers and benchmarks. */
import { readFileSync } from 'node:fs';
import { parseJson, stringifyJson } from '../../../src/chia/codec/index.js';
import { fixtureFile } from '../../../fixtures/files.js';

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

/**
 * Keys the current layouts add to the node ≤ 2.5 JSON of the reference data, with the value they
 * take in a legacy (version-0) block (PROTOCOL.md §f.5, §f.6, §f.8).
 */
export const ADDED_KEYS: Readonly<Record<string, unknown>> = {
  version: 0,
  plot_index: 0,
  meta_group: 0,
  strength: 0,
  header_mmr_root: null,
  transactions_generator_buffer: null,
};

/**
 * Differences between our JSON and a reference rendering: every reference key must exist with an
 * equal value (compared as lossless JSON text); extra keys must be the documented additions with
 * their legacy values. `integersAsStrings` accepts decimal strings for integers (the `safe` mode).
 */
export function jsonDiff(ours: unknown, reference: unknown, integersAsStrings = false, path = ''): string[] {
  if (typeof reference === 'object' && reference !== null && !Array.isArray(reference)) {
    if (typeof ours !== 'object' || ours === null || Array.isArray(ours)) return [`${path}: not an object`];
    const o = ours as Record<string, unknown>;
    const r = reference as Record<string, unknown>;
    const out = Object.keys(r).flatMap((k) => (k in o ? jsonDiff(o[k], r[k], integersAsStrings, `${path}.${k}`) : [`${path}.${k}: missing`]));
    for (const k of Object.keys(o)) {
      if (k in r) continue;
      if (!(k in ADDED_KEYS)) out.push(`${path}.${k}: unexpected extra key`);
      else out.push(...jsonDiff(o[k], ADDED_KEYS[k], integersAsStrings, `${path}.${k} (added key)`));
    }
    return out;
  }
  if (Array.isArray(reference)) {
    if (!Array.isArray(ours) || ours.length !== reference.length) return [`${path}: array length differs`];
    return reference.flatMap((x, i) => jsonDiff(ours[i], x, integersAsStrings, `${path}[${i}]`));
  }
  const isInteger = typeof reference === 'bigint' || Number.isInteger(reference);
  if (integersAsStrings && isInteger && typeof ours === 'string' && ours === String(reference)) return [];
  return stringifyJson(ours) === stringifyJson(reference) ? [] : [`${path}: ${stringifyJson(ours)} != ${stringifyJson(reference)}`];
}
