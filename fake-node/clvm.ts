/**
 * The little CLVM the fake node needs (PROTOCOL.md §f.2): parse and serialize atoms and pairs, the
 * tree hash (a puzzle hash is the tree hash of the puzzle reveal), and CREATE_COIN conditions. There is
 * no evaluator: the fake node only "runs" the identity puzzle `1`, whose output is its solution, so a
 * spend of a coin locked by it creates exactly the coins its solution lists, as on a real chain.
 */
import { sha256 } from './byte-patcher.js';

export type Program = Uint8Array | readonly [Program, Program];

const PAIR = 0xff;
const NIL = 0x80;
const MAX_SINGLE_BYTE_ATOM = 0x7f;
/** Atom length prefixes: one byte 0x80|len below 0x40, two bytes 0xC0|len below 0x2000 (all the fake node writes). */
const ONE_BYTE_PREFIX_MAX = 0x3f;
const TWO_BYTE_PREFIX_MAX = 0x1fff;
/** Tree-hash domain bytes: 1 for an atom, 2 for a pair. */
const ATOM_TAG = Uint8Array.of(1);
const PAIR_TAG = Uint8Array.of(2);
/** The condition opcode that creates a coin: (51 puzzle_hash amount (memo …)). */
export const CREATE_COIN = 51;
const HASH_BYTES = 32;

/** The identity puzzle `1`: returns its solution, so the solution is the list of conditions. */
export const IDENTITY_PUZZLE: Uint8Array = Uint8Array.of(1);

export function isAtom(p: Program): p is Uint8Array {
  return p instanceof Uint8Array;
}

/** Parses one serialized program (no back-references: the fake node never needs them). */
export function parseProgram(bytes: Uint8Array): Program {
  let pos = 0;
  const next = (): Program => {
    if (pos >= bytes.length) throw new RangeError('CLVM program truncated');
    const b = bytes[pos++]!;
    if (b === PAIR) {
      const first = next();
      return [first, next()];
    }
    if (b === NIL) return new Uint8Array(0);
    if (b <= MAX_SINGLE_BYTE_ATOM) return Uint8Array.of(b);
    let size: number;
    if (b < 0xc0) size = b & ONE_BYTE_PREFIX_MAX;
    else if (b < 0xe0) size = ((b & 0x1f) << 8) | bytes[pos++]!;
    else throw new RangeError(`CLVM atom prefix 0x${b.toString(16)} not supported by the fake node`);
    if (pos + size > bytes.length) throw new RangeError('CLVM atom truncated');
    const atom = Uint8Array.from(bytes.subarray(pos, pos + size)); // a plain copy, also when given a Buffer
    pos += size;
    return atom;
  };
  const program = next();
  if (pos !== bytes.length) throw new RangeError('bytes after the CLVM program');
  return program;
}

/** Serializes a program. */
export function serializeProgram(p: Program): Uint8Array {
  const out: number[] = [];
  const write = (q: Program): void => {
    if (!isAtom(q)) {
      out.push(PAIR);
      write(q[0]);
      write(q[1]);
      return;
    }
    if (q.length === 0) return void out.push(NIL);
    if (q.length === 1 && q[0]! <= MAX_SINGLE_BYTE_ATOM) return void out.push(q[0]!);
    if (q.length <= ONE_BYTE_PREFIX_MAX) out.push(NIL | q.length);
    else if (q.length <= TWO_BYTE_PREFIX_MAX) out.push(0xc0 | (q.length >> 8), q.length & 0xff);
    else throw new RangeError('atom too long for the fake node');
    out.push(...q);
  };
  write(p);
  return Uint8Array.from(out);
}

/** The tree hash (sha256tree) of a program: what a coin's puzzle hash commits to. */
export function treeHash(p: Program): Uint8Array {
  return isAtom(p) ? sha256(ATOM_TAG, p) : sha256(PAIR_TAG, treeHash(p[0]), treeHash(p[1]));
}

/** A non-negative integer as a CLVM atom: minimal big-endian two's complement (0 is the empty atom). */
export function intAtom(n: bigint): Uint8Array {
  const bytes: number[] = [];
  for (let v = n; v > 0n; v >>= 8n) bytes.unshift(Number(v & 0xffn));
  if (bytes.length > 0 && bytes[0]! >= 0x80) bytes.unshift(0);
  return Uint8Array.from(bytes);
}

function atomInt(a: Uint8Array): bigint {
  if (a.length > 0 && a[0]! >= 0x80) throw new RangeError('negative amount');
  return a.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
}

/** A proper list of programs. */
export function list(items: readonly Program[]): Program {
  return items.reduceRight<Program>((rest, item) => [item, rest], new Uint8Array(0));
}

function items(p: Program): Program[] {
  const out: Program[] = [];
  let cur = p;
  while (!isAtom(cur)) {
    out.push(cur[0]);
    cur = cur[1];
  }
  return out;
}

/** A coin a spend creates: puzzle hash, amount and the optional hint (a 32-byte first memo). */
export interface CreatedCoin {
  puzzle_hash: Uint8Array;
  amount: bigint;
  hint: Uint8Array | null;
}

/** The conditions list `((51 ph amount (hint)) …)`: the solution of the identity puzzle. */
export function createCoinConditions(coins: readonly CreatedCoin[]): Uint8Array {
  const op = intAtom(BigInt(CREATE_COIN));
  return serializeProgram(
    list(coins.map((c) => list([op, c.puzzle_hash, intAtom(c.amount), ...(c.hint === null ? [] : [list([c.hint])])]))),
  );
}

/** The CREATE_COIN conditions of an identity-puzzle solution; throws on a malformed one. */
export function createdCoins(solution: Uint8Array): CreatedCoin[] {
  const out: CreatedCoin[] = [];
  for (const condition of items(parseProgram(solution))) {
    const [op, ph, amount, memos] = items(condition);
    if (op === undefined || !isAtom(op) || atomInt(op) !== BigInt(CREATE_COIN)) continue;
    if (ph === undefined || !isAtom(ph) || ph.length !== HASH_BYTES || amount === undefined || !isAtom(amount)) {
      throw new RangeError('malformed CREATE_COIN');
    }
    const first = memos === undefined ? undefined : items(memos)[0];
    const hint = first !== undefined && isAtom(first) && first.length === HASH_BYTES ? first : null;
    out.push({ puzzle_hash: ph, amount: atomInt(amount), hint });
  }
  return out;
}
