/**
 * Lossless JSON (PROTOCOL.md §g.1: the node writes u64/u128 as exact JSON numbers, even above 2^53).
 * parseJson turns integers beyond Number.MAX_SAFE_INTEGER into bigint; stringifyJson writes bigint digits.
 */
import { CodecError } from './errors.js';
import { toHex } from './hex.js';

/** Deeper nesting is refused instead of overflowing the stack. */
const MAX_DEPTH = 512;
const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;

class Parser {
  i = 0;
  constructor(readonly s: string) {}

  fail(reason: string): CodecError {
    return new CodecError(`invalid JSON: ${reason} at character ${this.i}`, this.i);
  }

  ws(): void {
    WHITESPACE.lastIndex = this.i;
    WHITESPACE.test(this.s);
    this.i = WHITESPACE.lastIndex;
  }

  value(depth: number): unknown {
    if (depth > MAX_DEPTH) throw this.fail('nesting too deep');
    this.ws();
    const c = this.s.charCodeAt(this.i);
    if (c === 0x22) return this.string();
    if (c === 0x7b) return this.object(depth);
    if (c === 0x5b) return this.array(depth);
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        return v;
      }
    }
    throw this.fail(this.i >= this.s.length ? 'unexpected end' : 'unexpected character');
  }

  number(): number | bigint {
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.s);
    if (m === null) throw this.fail('bad number');
    this.i = NUMBER.lastIndex;
    const text = m[0];
    if (m[1] !== undefined || m[2] !== undefined) return Number(text);
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : BigInt(text);
  }

  string(): string {
    const start = this.i;
    let escaped = false;
    let j = start + 1;
    for (;;) {
      if (j >= this.s.length) throw this.fail('unterminated string');
      const c = this.s.charCodeAt(j);
      if (c === 0x22) break;
      if (c < 0x20) throw this.fail('control character in string');
      if (c === 0x5c) {
        escaped = true;
        j += 2;
      } else {
        j++;
      }
    }
    this.i = j + 1;
    if (!escaped) return this.s.slice(start + 1, j);
    try {
      return JSON.parse(this.s.slice(start, j + 1)) as string;
    } catch {
      throw this.fail('bad escape in string');
    }
  }

  array(depth: number): unknown[] {
    this.i++;
    const out: unknown[] = [];
    this.ws();
    if (this.s.charCodeAt(this.i) === 0x5d) {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1));
      this.ws();
      const c = this.s.charCodeAt(this.i++);
      if (c === 0x5d) return out;
      if (c !== 0x2c) throw this.fail("expected ',' or ']'");
    }
  }

  object(depth: number): Record<string, unknown> {
    this.i++;
    const out: Record<string, unknown> = {};
    this.ws();
    if (this.s.charCodeAt(this.i) === 0x7d) {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s.charCodeAt(this.i) !== 0x22) throw this.fail('expected a key');
      const key = this.string();
      this.ws();
      if (this.s.charCodeAt(this.i++) !== 0x3a) throw this.fail("expected ':'");
      const v = this.value(depth + 1);
      // An own "__proto__" key, as JSON.parse makes, instead of replacing the prototype.
      if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      else out[key] = v;
      this.ws();
      const c = this.s.charCodeAt(this.i++);
      if (c === 0x7d) return out;
      if (c !== 0x2c) throw this.fail("expected ',' or '}'");
    }
  }
}

/** Parses JSON text; integers beyond 2^53 become bigint. CodecError on invalid JSON. */
export function parseJson(text: string): unknown {
  const p = new Parser(text);
  const v = p.value(0);
  p.ws();
  if (p.i !== text.length) throw p.fail('trailing characters');
  return v;
}

/** JSON text of a value: bigint as exact digits, Uint8Array as 0x-hex; otherwise like JSON.stringify. */
export function stringifyJson(value: unknown): string {
  return write(value) ?? 'null';
}

function write(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object':
      if (v === null) return 'null';
      if (v instanceof Uint8Array) return '"' + toHex(v) + '"';
      if (Array.isArray(v)) return '[' + v.map((x) => write(x) ?? 'null').join(',') + ']';
      return (
        '{' +
        Object.entries(v)
          .flatMap(([k, x]) => {
            const t = write(x);
            return t === undefined ? [] : [JSON.stringify(k) + ':' + t];
          })
          .join(',') +
        '}'
      );
    default:
      return undefined;
  }
}
