/**
 * Struct codec: fields in declaration order, concatenated with no prefix (PROTOCOL.md §f.1).
 * Structs whose wire layout is not one-field-after-another (ProofOfSpace, packed optionals, the
 * block generator section) pass a `wire` plan whose groups read or write several fields at once.
 */
import type { Codec, JsonMode, ValueOf } from './codec.js';
import { CodecError } from './errors.js';
import type { Reader } from './reader.js';
import type { Writer } from './writer.js';
import { describe } from './primitives.js';

/** Several logical fields that share one wire encoding. */
export interface WireGroup {
  /**
   * Field path segment for errors the group throws; '' when the group names the failing field
   * itself (with withPath) because it spans several fields.
   */
  readonly label: string;
  readonly minSize: number;
  /** Reads the group's fields into `o` (which holds the fields read so far). */
  read(r: Reader, o: Record<string, unknown>): void;
  write(w: Writer, o: Record<string, unknown>): void;
}

/** One wire step: a field name (encoded with its own codec) or a group. */
export type WireStep = string | WireGroup;

export type StructValue<F extends Record<string, Codec<unknown>>> = { [K in keyof F]: ValueOf<F[K]> };

export interface StructOptions<F> {
  /** Wire order when it differs from the plain field sequence. */
  wire?: readonly WireStep[];
  /** Values used by fromJson when a key is absent (keys added to the node's JSON in later releases). */
  jsonDefaults?: { [K in keyof F]?: unknown };
}

/** A struct codec; the value is a plain object with the keys of `fields` in their order. */
export function struct<const F extends Record<string, Codec<unknown>>>(
  name: string,
  fields: F,
  options: StructOptions<F> = {},
): Codec<StructValue<F>> {
  const keys = Object.keys(fields);
  const codecs = keys.map((k) => fields[k]!);
  const n = keys.length;
  const wire = options.wire;
  const defaults = (options.jsonDefaults ?? {}) as Record<string, unknown>;
  type V = StructValue<F>;

  const steps: readonly WireStep[] = wire ?? keys;
  return {
    name,
    minSize: steps.reduce((a, s) => a + (typeof s === 'string' ? fields[s]!.minSize : s.minSize), 0),
    read: compileReader(fields, keys, steps),
    write(w, v) {
      if (typeof v !== 'object' || v === null) throw new CodecError(`expected ${name} object, got ${describe(v)}`);
      const o = v as Record<string, unknown>;
      let step: WireStep | undefined;
      try {
        for (step of steps) {
          if (typeof step === 'string') fields[step]!.write(w, o[step]);
          else step.write(w, o);
        }
      } catch (e) {
        if (e instanceof CodecError && step !== undefined && stepLabel(step) !== '') e.prefix(stepLabel(step));
        throw e;
      }
    },
    json(v, mode: JsonMode) {
      const o = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) out[keys[i]!] = codecs[i]!.json(o[keys[i]!], mode);
      return out;
    },
    text: compileText(keys, codecs),
    parse(j) {
      if (typeof j !== 'object' || j === null || Array.isArray(j)) {
        throw new CodecError(`expected ${name} as a JSON object, got ${describe(j)}`);
      }
      const src = j as Record<string, unknown>;
      const o: Record<string, unknown> = {};
      let i = 0;
      try {
        for (; i < n; i++) {
          const k = keys[i]!;
          const raw = k in src ? src[k] : defaults[k];
          o[k] = codecs[i]!.parse(raw);
        }
      } catch (e) {
        if (e instanceof CodecError) e.prefix('.' + keys[i]);
        throw e;
      }
      return o as V;
    },
  };
}

type ReadFn = (r: Reader) => never;

/** The error-path segment of a wire step. */
function stepLabel(step: WireStep): string {
  if (typeof step === 'string') return '.' + step;
  return step.label === '' ? '' : '.' + step.label;
}

/**
 * Builds the struct's read function as straight-line code that returns one object literal: every
 * field read is its own (monomorphic) call site and the object gets its final shape at once. This
 * is several times faster than a generic loop with computed keys on block-sized inputs. The source
 * is made only from our own field names (JSON-quoted), never from input.
 */
function compileReader(
  fields: Record<string, Codec<unknown>>,
  keys: readonly string[],
  steps: readonly WireStep[],
): ReadFn {
  const stepCodecs: unknown[] = [];
  const lines: string[] = [];
  const source = new Map<string, string>();
  // Groups may look at fields read before them (ProofOfSpace does), so with groups all fields go to g.
  const hasGroups = steps.some((st) => typeof st !== 'string');
  steps.forEach((step, i) => {
    if (typeof step === 'string' && hasGroups) {
      stepCodecs.push(fields[step]);
      lines.push(`s = ${i}; g[${JSON.stringify(step)}] = c[${i}].read(r);`);
    } else if (typeof step === 'string') {
      stepCodecs.push(fields[step]);
      lines.push(`s = ${i}; const v${i} = c[${i}].read(r);`);
      source.set(step, `v${i}`);
    } else {
      stepCodecs.push(step);
      lines.push(`s = ${i}; c[${i}].read(r, g);`);
    }
  });
  const literal = keys.map((k) => `${JSON.stringify(k)}: ${source.get(k) ?? `g[${JSON.stringify(k)}]`}`).join(', ');
  const labels = steps.map(stepLabel);
  const body = `
    return function read(r) {
      let s = 0;${hasGroups ? ' const g = {};' : ''}
      try {
        ${lines.join('\n        ')}
        return { ${literal} };
      } catch (e) {
        if (e instanceof CodecError && labels[s] !== '') e.prefix(labels[s]);
        throw e;
      }
    };`;
  const factory = new Function('c', 'labels', 'CodecError', body) as (c: unknown[], l: string[], e: typeof CodecError) => ReadFn;
  return factory(stepCodecs, labels, CodecError);
}

/** Builds the struct's JSON text function as one concatenation expression (same reasoning as above). */
function compileText(keys: readonly string[], codecs: readonly Codec<unknown>[]): (v: never, mode: JsonMode) => string {
  if (keys.length === 0) return () => '{}';
  const parts = keys.map((k, i) => `${JSON.stringify((i === 0 ? '{' : ',') + JSON.stringify(k) + ':')} + c[${i}].text(v[${JSON.stringify(k)}], m)`);
  const factory = new Function('c', `return function text(v, m) { return ${parts.join(' + ')} + '}'; };`) as (
    c: readonly Codec<unknown>[],
  ) => (v: never, mode: JsonMode) => string;
  return factory(codecs);
}
