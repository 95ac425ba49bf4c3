/**
 * Shared fuzzing harness: mutations of reference encodings and random frames. The property is the
 * codec's safety contract: decoding only ever throws CodecError, and whatever decodes re-encodes to
 * exactly the same bytes (and survives a JSON round trip).
 */
import fc from 'fast-check';
import { CodecError, decodeFrame, encodeFrame, fromHex, payloadType, types, type Streamable } from '../../src/chia/codec/index.js';
import { Reader } from '../../src/chia/codec/reader.js';
import { loadVectors, realBytes } from '../chia/codec/corpus.js';

export interface FuzzTarget {
  name: string;
  cls: Streamable<unknown>;
  bytes: Uint8Array;
  /** Offsets where the clean decode reads a u32 (list counts and byte lengths). */
  lengthOffsets: number[];
}

/** Offsets of every u32 read while decoding `bytes` (the length fields a mutation should hit). */
function traceU32(cls: Streamable<unknown>, bytes: Uint8Array): number[] {
  const original = Reader.prototype.u32;
  const seen: number[] = [];
  Reader.prototype.u32 = function (this: Reader): number {
    seen.push(this.pos);
    return original.call(this);
  };
  try {
    cls.decode(bytes);
  } finally {
    Reader.prototype.u32 = original;
  }
  return seen;
}

/** Every supported vector, plus real blocks (two mainnet blocks and testnet10 block 442734) when `withReal`. */
export function fuzzTargets(withReal = true): FuzzTarget[] {
  const registry = types as unknown as Record<string, Streamable<unknown> | undefined>;
  const out: FuzzTarget[] = [];
  for (const v of loadVectors()) {
    const cls = registry[v.class];
    if (cls === undefined) continue;
    const bytes = fromHex(v.hex);
    out.push({ name: v.name, cls, bytes, lengthOffsets: traceU32(cls, bytes) });
  }
  if (withReal) {
    const real: [string, string[]][] = [
      ['mainnet 36', ['mainnet', 'full', '000036.bin']],
      ['mainnet 63', ['mainnet', 'full', '000063.bin']],
      ['testnet10 442734', ['testnet10', 'fullblock_442734.bin']],
    ];
    for (const [name, path] of real) {
      const bytes = realBytes(...path);
      out.push({ name, cls: types.FullBlock, bytes, lengthOffsets: traceU32(types.FullBlock, bytes) });
    }
  }
  return out;
}

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; n: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'length'; which: number; value: number };

const INTERESTING_BYTES = [0x00, 0x01, 0x02, 0x03, 0x04, 0x7f, 0x80, 0xc0, 0xfb, 0xfc, 0xfd, 0xfe, 0xff];
const INTERESTING_U32 = [0, 1, 2, 0x7f, 0x100, 0xffff, 0x10000, 0x7fffffff, 0xffffffff];

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.constantFrom(...INTERESTING_BYTES) }),
  fc.record({
    kind: fc.constant('length' as const),
    which: fc.nat(),
    value: fc.oneof(fc.constantFrom(...INTERESTING_U32), fc.nat({ max: 0xffffffff }), fc.integer({ min: -4, max: 4 })),
  }),
);

/** Applies mutations to a copy of the target's bytes ('length' adds to or overwrites a traced u32). */
export function mutate(t: FuzzTarget, ms: readonly Mutation[]): Uint8Array {
  let b = t.bytes.slice();
  for (const m of ms) {
    const len = b.length;
    switch (m.kind) {
      case 'flip':
        if (len > 0) b[m.at % len]! ^= 1 << m.bit;
        break;
      case 'truncate':
        b = b.slice(0, len === 0 ? 0 : m.at % len);
        break;
      case 'insert': {
        const at = m.at % (len + 1);
        const next = new Uint8Array(len + m.bytes.length);
        next.set(b.subarray(0, at));
        next.set(m.bytes, at);
        next.set(b.subarray(at), at + m.bytes.length);
        b = next;
        break;
      }
      case 'delete': {
        const at = len === 0 ? 0 : m.at % len;
        b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + m.n)]);
        break;
      }
      case 'set':
        if (len > 0) b[m.at % len] = m.value;
        break;
      case 'length': {
        if (t.lengthOffsets.length === 0) break;
        const at = t.lengthOffsets[m.which % t.lengthOffsets.length]!;
        if (at + 4 > len) break;
        const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
        // Small values nudge the existing length; others replace it.
        const value = m.value >= -4 && m.value <= 4 ? (dv.getUint32(at) + m.value) >>> 0 : m.value >>> 0;
        dv.setUint32(at, value);
        break;
      }
    }
  }
  return b;
}

export type Outcome = 'decoded' | 'rejected';

/** The safety property for one input; throws (failing the property) if it is violated. */
export function checkDecode(cls: Streamable<unknown>, bytes: Uint8Array): Outcome {
  let value: unknown;
  try {
    value = cls.decode(bytes);
  } catch (e) {
    if (e instanceof CodecError && typeof e.offset === 'number' && e.offset <= bytes.length) return 'rejected';
    throw e;
  }
  const again = cls.encode(value);
  if (!equalBytes(again, bytes)) throw new Error(`${cls.name}: decoded value re-encodes differently`);
  const viaJson = cls.encode(cls.fromJson(cls.toJson(value, 'safe')));
  if (!equalBytes(viaJson, bytes)) throw new Error(`${cls.name}: JSON round trip changes the bytes`);
  JSON.parse(cls.toJsonText(value));
  return 'decoded';
}

/** Random frames: decode strictly, re-encode identically, and check the payload when the type is known. */
export const frameArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc
    .record({
      type: fc.integer({ min: 0, max: 255 }),
      id: fc.option(fc.integer({ min: 0, max: 0xffff })),
      data: fc.uint8Array({ maxLength: 200 }),
      lenDelta: fc.constantFrom(0, 0, 0, -1, 1, 1000),
    })
    .map(({ type, id, data, lenDelta }) => {
      const f = encodeFrame({ type, id, data });
      if (lenDelta !== 0) new DataView(f.buffer, f.byteOffset).setUint32(id === null ? 2 : 4, data.length + lenDelta);
      return f;
    }),
);

export function checkFrame(bytes: Uint8Array): Outcome {
  let frame;
  try {
    frame = decodeFrame(bytes);
  } catch (e) {
    if (e instanceof CodecError) return 'rejected';
    throw e;
  }
  if (!equalBytes(encodeFrame(frame), bytes)) throw new Error('frame re-encodes differently');
  const cls = payloadType(frame.type);
  if (cls !== undefined) checkDecode(cls, frame.data);
  return 'decoded';
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
