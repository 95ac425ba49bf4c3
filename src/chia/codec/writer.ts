/** Growable big-endian output buffer. */
const INITIAL_CAPACITY = 1024;

export class Writer {
  private buf: Uint8Array;
  private dv: DataView;
  pos = 0;

  constructor(capacity = INITIAL_CAPACITY) {
    this.buf = new Uint8Array(capacity);
    this.dv = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    const want = this.pos + n;
    if (want <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < want) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.dv = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  u16(v: number): void {
    this.ensure(2);
    this.dv.setUint16(this.pos, v);
    this.pos += 2;
  }

  u32(v: number): void {
    this.ensure(4);
    this.dv.setUint32(this.pos, v);
    this.pos += 4;
  }

  u64(v: bigint): void {
    this.ensure(8);
    this.dv.setBigUint64(this.pos, v);
    this.pos += 8;
  }

  bytes(v: Uint8Array): void {
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  /** The written bytes (a view of exactly the written length). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}
