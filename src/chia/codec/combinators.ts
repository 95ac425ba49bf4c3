/** Generic combinators: Optional[T], List[T], Tuple[...] (PROTOCOL.md §f.1). */
import type { Codec, ValueOf } from './codec.js';
import { CodecError, withPath } from './errors.js';
import { describe } from './primitives.js';

/** Optional[T]: flag byte 0x00 (absent) or 0x01 followed by T; any other flag is an error. */
export function optional<T>(c: Codec<T>): Codec<T | null> {
  return {
    name: `Optional[${c.name}]`,
    minSize: 1,
    read(r) {
      const at = r.pos;
      const flag = r.u8();
      if (flag === 0) return null;
      if (flag !== 1) throw r.fail(`invalid Optional flag 0x${flag.toString(16).padStart(2, '0')}`, at);
      return c.read(r);
    },
    write(w, v) {
      if (v === null || v === undefined) {
        w.u8(0);
      } else {
        w.u8(1);
        c.write(w, v);
      }
    },
    json: (v, mode) => (v === null ? null : c.json(v, mode)),
    text: (v, mode) => (v === null ? 'null' : c.text(v, mode)),
    parse: (j) => (j === null || j === undefined ? null : c.parse(j)),
  };
}

/** List[T]: u32 count then the elements. A count that cannot fit in the remaining bytes fails at once. */
export function list<T>(c: Codec<T>): Codec<T[]> {
  // A zero-size element would let a hostile count spin without consuming input, so treat it as 1 byte.
  const elemMin = Math.max(1, c.minSize);
  return {
    name: `List[${c.name}]`,
    minSize: 4,
    read(r) {
      const at = r.pos;
      const n = r.u32();
      if (n * elemMin > r.remaining()) {
        throw r.fail(`List[${c.name}] count ${n} cannot fit in the ${r.remaining()} bytes left`, at);
      }
      const out: T[] = new Array<T>(n);
      let i = 0;
      try {
        for (; i < n; i++) out[i] = c.read(r);
      } catch (e) {
        if (e instanceof CodecError) e.prefix(`[${i}]`);
        throw e;
      }
      return out;
    },
    write(w, v) {
      if (!Array.isArray(v)) throw new CodecError(`expected array, got ${describe(v)}`);
      w.u32(v.length);
      for (let i = 0; i < v.length; i++) withPath(`[${i}]`, () => c.write(w, v[i] as T));
    },
    json: (v, mode) => v.map((x) => c.json(x, mode)),
    text(v, mode) {
      if (v.length === 0) return '[]';
      let s = '[' + c.text(v[0] as T, mode);
      for (let i = 1; i < v.length; i++) s += ',' + c.text(v[i] as T, mode);
      return s + ']';
    },
    parse(j) {
      if (!Array.isArray(j)) throw new CodecError(`expected array, got ${describe(j)}`);
      return j.map((x, i) => withPath(`[${i}]`, () => c.parse(x)));
    },
  };
}

type TupleValue<C extends readonly Codec<unknown>[]> = { -readonly [K in keyof C]: ValueOf<C[K]> };

/** Tuple[A, B, ...]: the elements back to back, rendered as a JSON array. */
export function tuple<const C extends readonly Codec<unknown>[]>(...cs: C): Codec<TupleValue<C>> {
  const name = `Tuple[${cs.map((c) => c.name).join(', ')}]`;
  const elems = cs as readonly Codec<unknown>[];
  return {
    name,
    minSize: elems.reduce((a, c) => a + c.minSize, 0),
    read(r) {
      const out = new Array<unknown>(elems.length);
      for (let i = 0; i < elems.length; i++) out[i] = withPath(`[${i}]`, () => elems[i]!.read(r));
      return out as TupleValue<C>;
    },
    write(w, v) {
      if (!Array.isArray(v) || v.length !== elems.length) throw new CodecError(`expected ${name} array`);
      for (let i = 0; i < elems.length; i++) withPath(`[${i}]`, () => elems[i]!.write(w, v[i]));
    },
    json: (v, mode) => elems.map((c, i) => c.json(v[i], mode)),
    text: (v, mode) => '[' + elems.map((c, i) => c.text(v[i], mode)).join(',') + ']',
    parse(j) {
      if (!Array.isArray(j) || j.length !== elems.length) throw new CodecError(`expected ${name} as a ${elems.length}-element array`);
      return elems.map((c, i) => withPath(`[${i}]`, () => c.parse(j[i]))) as TupleValue<C>;
    },
  };
}
