/** Byte-string and text codecs (PROTOCOL.md §f.1). Decoded bytes are views into the input. */
import type { Codec } from './codec.js';
import { CodecError } from './errors.js';
import { fromHex, hexBody } from './hex.js';
import { describe } from './primitives.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();
const LONE_SURROGATE = /\p{Cs}/u;

function parseHex(j: unknown, name: string): Uint8Array {
  if (typeof j !== 'string') throw new CodecError(`expected ${name} as hex string, got ${describe(j)}`);
  return fromHex(j);
}

function checkBytes(v: unknown, name: string): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new CodecError(`expected ${name} as Uint8Array, got ${describe(v)}`);
  return v;
}

/** Fixed-size raw bytes with no length prefix (bytes32, G1Element = 48, G2Element = 96, bytes100). */
export function fixedBytes(name: string, size: number): Codec<Uint8Array> {
  const checkLen = (v: Uint8Array): Uint8Array => {
    if (v.length !== size) throw new CodecError(`${name} must be ${size} bytes, got ${v.length}`);
    return v;
  };
  return {
    name,
    minSize: size,
    read: (r) => r.take(size, name),
    write: (w, v) => w.bytes(checkLen(checkBytes(v, name))),
    json: (v) => '0x' + hexBody(v),
    text: (v) => '"0x' + hexBody(v) + '"',
    parse: (j) => checkLen(parseHex(j, name)),
  };
}

export const bytes32 = fixedBytes('bytes32', 32);
export const bytes100 = fixedBytes('bytes100', 100);
export const g1 = fixedBytes('G1Element', 48);
export const g2 = fixedBytes('G2Element', 96);

/**
 * Variable bytes: u32 length + data. Empty bytes render as `""` for Rust-defined types and as `"0x"`
 * for Python-defined ones in chia mode (§g.1); safe mode always writes "0x". Both are accepted.
 */
function varBytes(emptyChia: '' | '0x'): Codec<Uint8Array> {
  const render = (v: Uint8Array, mode: string): string =>
    v.length === 0 && mode === 'chia' ? emptyChia : '0x' + hexBody(v);
  return {
    name: 'bytes',
    minSize: 4,
    read(r) {
      const n = r.u32();
      return r.take(n, 'bytes');
    },
    write(w, v) {
      checkBytes(v, 'bytes');
      w.u32(v.length);
      w.bytes(v);
    },
    json: render,
    text: (v, mode) => '"' + render(v, mode) + '"',
    parse: (j) => parseHex(j, 'bytes'),
  };
}

/** bytes of a Rust-defined (chia_rs) type: empty renders "". */
export const bytes = varBytes('');
/** bytes of a Python-defined type: empty renders "0x". */
export const pyBytes = varBytes('0x');

/** str: u32 byte length + UTF-8; invalid UTF-8 is an error (§f.1). */
export const str: Codec<string> = {
  name: 'str',
  minSize: 4,
  read(r) {
    const n = r.u32();
    const at = r.pos;
    const view = r.take(n, 'str');
    try {
      return utf8.decode(view);
    } catch {
      throw r.fail('invalid UTF-8 in str', at);
    }
  },
  write(w, v) {
    if (typeof v !== 'string') throw new CodecError(`expected string, got ${describe(v)}`);
    // TextEncoder would silently replace a lone surrogate, breaking the round trip.
    if (LONE_SURROGATE.test(v)) throw new CodecError('string contains a lone UTF-16 surrogate');
    const b = utf8Encoder.encode(v);
    w.u32(b.length);
    w.bytes(b);
  },
  json: (v) => v,
  text: (v) => JSON.stringify(v),
  parse(j) {
    if (typeof j !== 'string') throw new CodecError(`expected string, got ${describe(j)}`);
    if (LONE_SURROGATE.test(j)) throw new CodecError('string contains a lone UTF-16 surrogate');
    return j;
  },
};
