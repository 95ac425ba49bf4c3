/** Conformance against the reference node's own corpus (fixtures/vectors, PROTOCOL.md §f.9). */
import { describe, expect, it } from 'vitest';
import {
  decodeFrame,
  encodeFrame,
  fromHex,
  parseJson,
  toHex,
  types,
  type Streamable,
} from '../../../src/chia/codec/index.js';
import { loadVectors } from './corpus.js';

const vectors = loadVectors();
const registry = types as unknown as Record<string, Streamable<unknown> | undefined>;
const supported = vectors.filter((v) => registry[v.class] !== undefined);
const unsupported = [...new Set(vectors.filter((v) => registry[v.class] === undefined).map((v) => `${v.protocol}:${v.class}`))];
/** The protocols the gateway speaks; every vector of these must be covered. */
const REQUIRED_PROTOCOLS = new Set(['full_node', 'wallet', 'shared', 'introducer']);

describe('reference vectors', () => {
  it('covers every full_node, wallet, shared and introducer vector', () => {
    console.log(`codec vectors: ${supported.length}/${vectors.length} covered; unsupported classes: ${unsupported.join(', ')}`);
    const missing = vectors.filter((v) => REQUIRED_PROTOCOLS.has(v.protocol) && registry[v.class] === undefined);
    expect(missing.map((v) => v.class)).toEqual([]);
    expect(supported.length).toBeGreaterThanOrEqual(76);
  });

  describe.each(supported.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const cls = registry[v.class]!;
    const bytes = fromHex(v.hex);

    it('decodes to the reference JSON (chia mode) and re-encodes byte for byte', () => {
      const value = cls.decode(bytes);
      expect(normalise(cls.toJson(value, 'chia'))).toEqual(v.json);
      expect(parseJson(cls.toJsonText(value, 'chia'))).toEqual(v.json);
      expect(toHex(cls.encode(value))).toBe(toHex(bytes));
    });

    it('encodes fromJson(reference JSON) to the reference bytes, from both renderings', () => {
      expect(toHex(cls.encode(cls.fromJson(v.json)))).toBe(toHex(bytes));
      const safe = cls.toJson(cls.decode(bytes), 'safe');
      expect(toHex(cls.encode(cls.fromJson(safe)))).toBe(toHex(bytes));
      // Safe-mode text holds no integer beyond 2^53, so plain JSON.parse reads it exactly.
      const safeText = cls.toJsonText(cls.decode(bytes));
      expect(toHex(cls.encode(cls.fromJson(JSON.parse(safeText))))).toBe(toHex(bytes));
    });

    it.runIf(v.message_type !== null)('round-trips as a frame', () => {
      for (const id of [null, 0, 32767]) {
        const frame = encodeFrame({ type: v.message_type!, id, data: bytes });
        const back = decodeFrame(frame);
        expect(back.type).toBe(v.message_type);
        expect(back.id).toBe(id);
        expect(toHex(back.data)).toBe(toHex(bytes));
        expect(toHex(cls.encode(cls.decode(back.data)))).toBe(toHex(bytes));
      }
    });
  });
});

/** A JSON tree with safe-range bigints turned into numbers, the form parseJson produces. */
function normalise(j: unknown): unknown {
  if (typeof j === 'bigint') return Number.isSafeInteger(Number(j)) ? Number(j) : j;
  if (Array.isArray(j)) return j.map(normalise);
  if (typeof j === 'object' && j !== null) return Object.fromEntries(Object.entries(j).map(([k, x]) => [k, normalise(x)]));
  return j;
}
