/**
 * SerializedProgram: raw CLVM serialization with no length prefix (PROTOCOL.md §f.2). The codec
 * only finds where the program ends (like clvmr's serialized_length_from_bytes) and keeps a view.
 */
import type { Codec } from './codec.js';
import { CodecError } from './errors.js';
import { fromHex, hexBody } from './hex.js';
import { describe } from './primitives.js';

const PAIR = 0xff;
const BACK_REFERENCE = 0xfe;
const MAX_SINGLE_BYTE_ATOM = 0x7f;
const NIL = 0x80;

/**
 * Offset just after the CLVM object that starts at `start`. Throws CodecError on truncation and on
 * the invalid prefix bytes 0xFC/0xFD. Back-references (0xFE + one atom) are skipped, not resolved.
 */
export function clvmEnd(buf: Uint8Array, start: number): number {
  const len = buf.length;
  let pos = start;
  let pending = 1;
  while (pending > 0) {
    if (pos >= len) throw new CodecError('CLVM program truncated', pos);
    const b = buf[pos++]!;
    if (b === PAIR) {
      pending++;
      continue;
    }
    pending--;
    if (b === BACK_REFERENCE) {
      if (pos >= len) throw new CodecError('CLVM back-reference truncated', pos);
      const p = buf[pos++]!;
      if (p > MAX_SINGLE_BYTE_ATOM) pos = skipAtom(buf, pos - 1, p);
    } else if (b > NIL) {
      pos = skipAtom(buf, pos - 1, b);
    }
  }
  return pos;
}

/** Skips an atom whose prefix byte `b` (> 0x80 or 0x80) sits at `at`; returns the offset after it. */
function skipAtom(buf: Uint8Array, at: number, b: number): number {
  let size: number;
  let pos = at + 1;
  if (b <= 0xbf) {
    size = b & 0x3f;
  } else {
    // Number of extra size bytes: 0xC0-0xDF 1, 0xE0-0xEF 2, 0xF0-0xF7 3, 0xF8-0xFB 4.
    const extra = b < 0xe0 ? 1 : b < 0xf0 ? 2 : b < 0xf8 ? 3 : b < 0xfc ? 4 : -1;
    if (extra < 0) throw new CodecError(`invalid CLVM prefix byte 0x${b.toString(16)}`, at);
    if (pos + extra > buf.length) throw new CodecError('CLVM atom size truncated', pos);
    size = b & (0x3f >> extra);
    for (let i = 0; i < extra; i++) size = size * 256 + buf[pos++]!;
  }
  if (size > buf.length - pos) throw new CodecError(`CLVM atom of ${size} bytes exceeds the input`, at);
  return pos + size;
}

/** SerializedProgram / Program: a view of the serialized bytes; JSON is 0x-hex (never empty). */
export const program: Codec<Uint8Array> = {
  name: 'SerializedProgram',
  minSize: 1,
  read(r) {
    const start = r.pos;
    const end = clvmEnd(r.buf, start);
    r.pos = end;
    return r.buf.subarray(start, end);
  },
  write(w, v) {
    if (!(v instanceof Uint8Array)) throw new CodecError(`expected SerializedProgram as Uint8Array, got ${describe(v)}`);
    checkProgram(v);
    w.bytes(v);
  },
  json: (v) => '0x' + hexBody(v),
  text: (v) => '"0x' + hexBody(v) + '"',
  parse(j) {
    if (typeof j !== 'string') throw new CodecError(`expected SerializedProgram hex, got ${describe(j)}`);
    return checkProgram(fromHex(j));
  },
};

/** A program must be exactly one CLVM object, or re-decoding would read a different length. */
function checkProgram(v: Uint8Array): Uint8Array {
  if (clvmEnd(v, 0) !== v.length) throw new CodecError('SerializedProgram has bytes after its CLVM object');
  return v;
}
