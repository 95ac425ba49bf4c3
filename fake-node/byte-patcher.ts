/** Byte helpers of the fake chain: big-endian integers, sha256, and encodings patched in place (block-template.ts). */
import { createHash } from 'node:crypto';

/** sha256 of the concatenated parts. */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** Big-endian u32. */
export function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
}

/** Big-endian u64. */
export function u64(n: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, n);
  return b;
}

/** Big-endian u128. */
export function u128(n: bigint): Uint8Array {
  return Uint8Array.of(...u64(n >> 64n), ...u64(n & 0xffffffffffffffffn));
}

/** One encoding made with marker values, whose marked fields (any length) are rewritten in place. */
export class Patcher {
  readonly #bytes: Uint8Array;
  readonly #at: number[];
  constructor(bytes: Uint8Array, markers: Uint8Array[]) {
    this.#bytes = Uint8Array.from(bytes);
    const buf = Buffer.from(this.#bytes);
    this.#at = markers.map((m) => {
      const at = buf.indexOf(m);
      if (at < 0 || buf.indexOf(m, at + 1) >= 0) throw new Error('fake chain: marker not found exactly once in the template');
      return at;
    });
  }

  /** sha256 of the encoding with marked field i replaced by values[i] (same length as its marker). */
  hash(values: Uint8Array[]): Uint8Array {
    values.forEach((v, i) => this.#bytes.set(v, this.#at[i]!));
    return sha256(this.#bytes);
  }
}

/** The 32-byte marker number i (0xa0 + i repeated). */
export function marker(i: number): Uint8Array {
  return new Uint8Array(32).fill(0xa0 + i);
}
