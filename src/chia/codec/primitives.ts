/** Integer and bool codecs (PROTOCOL.md §f.1): big-endian; u64/u128 as bigint, smaller ints as number. */
import type { Codec, JsonMode } from './codec.js';
import { CodecError } from './errors.js';

const DECIMAL = /^-?(0|[1-9][0-9]*)$/;

/** Any accepted JSON integer form (number, bigint, decimal string) as bigint, or a CodecError. */
export function jsonInteger(j: unknown, type: string): bigint {
  if (typeof j === 'bigint') return j;
  if (typeof j === 'number' && Number.isSafeInteger(j)) return BigInt(j);
  if (typeof j === 'string' && DECIMAL.test(j)) return BigInt(j);
  throw new CodecError(`expected ${type} (integer, bigint or decimal string), got ${describe(j)}`);
}

/** Short description of a JSON value for error messages. */
export function describe(j: unknown): string {
  if (j === null) return 'null';
  if (typeof j === 'string') return `string ${JSON.stringify(j.length > 40 ? j.slice(0, 40) + '…' : j)}`;
  if (typeof j === 'number' || typeof j === 'bigint' || typeof j === 'boolean') return `${typeof j} ${String(j)}`;
  return Array.isArray(j) ? 'array' : typeof j;
}

function checkedNumber(v: unknown, min: number, max: number, type: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new CodecError(`${type} out of range or not an integer: ${describe(v)}`);
  }
  return v;
}

function smallInt(name: string, size: 1 | 2 | 4, signed: boolean): Codec<number> {
  const bits = size * 8;
  const min = signed ? -(2 ** (bits - 1)) : 0;
  const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  const wrap = 2 ** bits;
  return {
    name,
    minSize: size,
    read(r) {
      const u = size === 1 ? r.u8() : size === 2 ? r.u16() : r.u32();
      return signed && u > max ? u - wrap : u;
    },
    write(w, v) {
      const n = checkedNumber(v, min, max, name);
      const u = n < 0 ? n + wrap : n;
      if (size === 1) w.u8(u);
      else if (size === 2) w.u16(u);
      else w.u32(u);
    },
    json: (v) => v,
    text: (v) => '' + v,
    parse(j) {
      const b = jsonInteger(j, name);
      if (b < BigInt(min) || b > BigInt(max)) throw new CodecError(`${name} out of range: ${b}`);
      return Number(b);
    },
  };
}

function bigUint(name: string, size: 8 | 16): Codec<bigint> {
  const max = (1n << BigInt(size * 8)) - 1n;
  const check = (v: unknown): bigint => {
    if (typeof v !== 'bigint' || v < 0n || v > max) throw new CodecError(`${name} out of range or not a bigint: ${describe(v)}`);
    return v;
  };
  return {
    name,
    minSize: size,
    read: size === 8 ? (r) => r.u64() : (r) => (r.u64() << 64n) | r.u64(),
    write(w, v) {
      const b = check(v);
      if (size === 16) w.u64(b >> 64n);
      w.u64(BigInt.asUintN(64, b));
    },
    json: (v, mode: JsonMode) => (mode === 'chia' ? v : v.toString()),
    text: (v, mode: JsonMode) => (mode === 'chia' ? v.toString() : '"' + v.toString() + '"'),
    parse: (j) => check(jsonInteger(j, name)),
  };
}

export const u8 = smallInt('u8', 1, false);
export const u16 = smallInt('u16', 2, false);
export const u32 = smallInt('u32', 4, false);
/** The only signed integer on the wire: Error.code (§f.1). */
export const i16 = smallInt('i16', 2, true);
export const u64 = bigUint('u64', 8);
export const u128 = bigUint('u128', 16);

/** bool: exactly 0x00 or 0x01 (§f.1). */
export const bool: Codec<boolean> = {
  name: 'bool',
  minSize: 1,
  read(r) {
    const at = r.pos;
    const b = r.u8();
    if (b > 1) throw r.fail(`invalid bool byte 0x${b.toString(16).padStart(2, '0')}`, at);
    return b === 1;
  },
  write(w, v) {
    if (typeof v !== 'boolean') throw new CodecError(`expected boolean, got ${describe(v)}`);
    w.u8(v ? 1 : 0);
  },
  json: (v) => v,
  text: (v) => (v ? 'true' : 'false'),
  parse(j) {
    if (typeof j !== 'boolean') throw new CodecError(`expected boolean, got ${describe(j)}`);
    return j;
  },
};
