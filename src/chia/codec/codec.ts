/**
 * The building block of the codec: a Codec<T> knows how to read, write and render one wire type.
 * Streamables (named top-level classes) are Codecs wrapped with whole-buffer decode/encode.
 */
import { CodecError, withPath } from './errors.js';
import { releaseHexCache } from './hex.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';

/** safe (default): u64/u128 as decimal strings; chia: exact JSON numbers like the node's RPC (§g.1). */
export type JsonMode = 'safe' | 'chia';

/** One wire type. Methods are declared as methods so Codec<X> is usable where Codec<unknown> is expected. */
export interface Codec<T> {
  /** Type name used in error paths and messages. */
  readonly name: string;
  /** Smallest possible encoding in bytes, used to reject impossible list counts before looping. */
  readonly minSize: number;
  read(r: Reader): T;
  write(w: Writer, v: T): void;
  /** JSON tree; in chia mode u64/u128 stay bigint. */
  json(v: T, mode: JsonMode): unknown;
  /** JSON text of the value, built directly. */
  text(v: T, mode: JsonMode): string;
  /** Value from either JSON rendering; throws CodecError (path relative to this value). */
  parse(j: unknown): T;
}

/** The decoded value type of a codec. */
export type ValueOf<C> = C extends Codec<infer T> ? T : never;

/** A named top-level type with whole-buffer operations. */
export interface Streamable<T> {
  readonly name: string;
  readonly codec: Codec<T>;
  /** Decodes exactly the whole buffer; CodecError on malformed input or trailing bytes. */
  decode(bytes: Uint8Array): T;
  encode(value: T): Uint8Array;
  toJson(value: T, mode?: JsonMode): unknown;
  toJsonText(value: T, mode?: JsonMode): string;
  fromJson(json: unknown): T;
}

/** Wraps a codec as a Streamable. */
export function streamable<T>(codec: Codec<T>): Streamable<T> {
  return {
    name: codec.name,
    codec,
    decode(bytes: Uint8Array): T {
      const r = new Reader(bytes);
      const v = withPath(codec.name, () => codec.read(r));
      if (r.pos !== bytes.length) {
        throw new CodecError(`${bytes.length - r.pos} trailing bytes`, r.pos, codec.name);
      }
      return v;
    },
    encode(value: T): Uint8Array {
      const w = new Writer();
      withPath(codec.name, () => codec.write(w, value));
      return w.finish();
    },
    toJson(value, mode = 'safe') {
      try {
        return codec.json(value, mode);
      } finally {
        releaseHexCache();
      }
    },
    toJsonText(value, mode = 'safe') {
      try {
        return codec.text(value, mode);
      } finally {
        releaseHexCache();
      }
    },
    fromJson: (json) => withPath(codec.name, () => codec.parse(json)),
  };
}
