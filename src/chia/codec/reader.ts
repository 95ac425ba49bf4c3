/** Bounds-checked big-endian cursor over an input buffer. Never reads past the end. */
import { CodecError } from './errors.js';

export class Reader {
  pos: number;
  readonly end: number;
  readonly dv: DataView;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
  ) {
    if (!(buf instanceof Uint8Array)) throw new CodecError('input must be a Uint8Array');
    this.pos = start;
    this.end = buf.length;
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** Bytes left after the cursor. */
  remaining(): number {
    return this.end - this.pos;
  }

  /** Throws unless `n` more bytes are present (call before allocating or skipping). */
  need(n: number, what: string): void {
    if (n > this.end - this.pos) {
      throw new CodecError(`unexpected end of data: ${what} needs ${n} bytes, ${this.end - this.pos} left`, this.pos);
    }
  }

  u8(): number {
    if (this.pos >= this.end) this.need(1, 'u8');
    return this.buf[this.pos++]!;
  }

  u16(): number {
    this.need(2, 'u16');
    const v = this.dv.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4, 'u32');
    const v = this.dv.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  u64(): bigint {
    this.need(8, 'u64');
    const v = this.dv.getBigUint64(this.pos);
    this.pos += 8;
    return v;
  }

  /** A view (no copy) of the next `n` bytes. */
  take(n: number, what: string): Uint8Array {
    this.need(n, what);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** A failure at the current position. */
  fail(reason: string, at = this.pos): CodecError {
    return new CodecError(reason, at);
  }
}
