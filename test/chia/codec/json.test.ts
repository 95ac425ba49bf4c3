/** JSON renderings (PROTOCOL.md §g.1), lossless parse/stringify, hex helpers, hashes. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CodecError, coinId, fromHex, headerHash, parseJson, stringifyJson, toHex, types } from '../../../src/chia/codec/index.js';
import { loadVectors } from './corpus.js';

describe('parseJson / stringifyJson', () => {
  it('keeps integers beyond 2^53 exact and small ones as numbers', () => {
    const v = parseJson('{"a": 18375000000000000000, "b": -9007199254740993, "c": 12, "d": 1.5e3, "e": [true, false, null, "x\\n\\u00e9"]}');
    expect(v).toEqual({ a: 18375000000000000000n, b: -9007199254740993n, c: 12, d: 1500, e: [true, false, null, 'x\né'] });
    expect(stringifyJson(v)).toBe('{"a":18375000000000000000,"b":-9007199254740993,"c":12,"d":1500,"e":[true,false,null,"x\\né"]}');
  });
  it('agrees with JSON.parse on ordinary JSON', () => {
    const text = JSON.stringify({ k: [1, { z: 'q' }], s: 'a"b\\' });
    expect(parseJson(text)).toEqual(JSON.parse(text));
  });
  it.each(['', '{', '[1,]', '{"a" 1}', '01', '"abc', 'nul', '[1] x', '"\u0001"', '{"a":1,}'])('rejects %j', (t) => {
    expect(() => parseJson(t)).toThrow(CodecError);
  });
  it('refuses absurd nesting instead of overflowing the stack', () => {
    expect(() => parseJson('['.repeat(100_000))).toThrow(/too deep/);
  });
  it('keeps "__proto__" as an own key', () => {
    const v = parseJson('{"__proto__": {"x": 1}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['__proto__']);
  });
  it('writes Uint8Array as 0x-hex and drops undefined members', () => {
    expect(stringifyJson({ a: new Uint8Array([1, 255]), b: undefined, c: [undefined] })).toBe('{"a":"0x01ff","c":[null]}');
  });
});

describe('hex', () => {
  it('converts both ways, with or without 0x, any case', () => {
    expect(toHex(new Uint8Array([0, 0xab, 0x10]))).toBe('0x00ab10');
    expect(fromHex('0x00AB10')).toEqual(new Uint8Array([0, 0xab, 0x10]));
    expect(fromHex('00ab10')).toEqual(new Uint8Array([0, 0xab, 0x10]));
    expect(fromHex('')).toEqual(new Uint8Array());
    for (const size of [1000, 100_000]) {
      const big = new Uint8Array(size).map((_, i) => i * 13);
      expect(fromHex(toHex(big))).toEqual(big);
      expect(() => fromHex(toHex(big).slice(0, -2) + 'x0')).toThrow(CodecError);
    }
  });
  it.each(['0x1', 'zz', '0xg0', '0x0é'])('rejects %j', (h) => {
    expect(() => fromHex(h)).toThrow(CodecError);
  });
});

describe('safe and chia renderings', () => {
  const peak = types.NewPeakWallet.decode(fromHex(loadVectors().find((v) => v.class === 'NewPeakWallet')!.hex));
  it('safe mode writes u64/u128 as decimal strings, chia mode as exact numbers', () => {
    const safe = types.NewPeakWallet.toJson(peak) as Record<string, unknown>;
    expect(typeof safe.weight).toBe('string');
    expect(typeof safe.height).toBe('number');
    expect(types.NewPeakWallet.toJsonText(peak)).toBe(JSON.stringify(safe));
    const chia = types.NewPeakWallet.toJson(peak, 'chia') as Record<string, unknown>;
    expect(chia.weight).toBe(peak.weight);
    expect(types.NewPeakWallet.toJsonText(peak, 'chia')).toBe(stringifyJson(chia));
    expect(types.NewPeakWallet.fromJson(safe)).toEqual(peak);
    expect(types.NewPeakWallet.fromJson(chia)).toEqual(peak);
  });
  it('renders empty bytes "" for Rust-defined and "0x" for Python-defined types in chia mode; accepts both', () => {
    const proof = { witness_type: 0, witness: new Uint8Array(), normalized_to_identity: false };
    expect(types.VDFProof.toJsonText(proof, 'chia')).toBe('{"witness_type":0,"witness":"","normalized_to_identity":false}');
    expect(types.VDFProof.toJsonText(proof, 'safe')).toBe('{"witness_type":0,"witness":"0x","normalized_to_identity":false}');
    const err = { code: 1, message: 'x', data: new Uint8Array() };
    expect(types.Error.toJson(err, 'chia')).toEqual({ code: 1, message: 'x', data: '0x' });
    expect(types.RequestMempoolTransactions.toJsonText({ filter: new Uint8Array() }, 'chia')).toBe('{"filter":"0x"}');
    for (const empty of ['', '0x']) {
      expect(types.VDFProof.fromJson({ witness_type: 0, witness: empty, normalized_to_identity: false })).toEqual(proof);
      expect(types.Error.fromJson({ code: 1, message: 'x', data: empty })).toEqual(err);
    }
  });
  it('toJsonText equals stringifyJson(toJson) for every vector in both modes', () => {
    for (const v of loadVectors()) {
      const cls = (types as unknown as Record<string, typeof types.Coin | undefined>)[v.class];
      if (cls === undefined) continue;
      const value = cls.decode(fromHex(v.hex));
      for (const mode of ['safe', 'chia'] as const) expect(cls.toJsonText(value, mode)).toBe(stringifyJson(cls.toJson(value, mode)));
    }
  });
  it('fromJson fills keys that older node JSON lacks', () => {
    const v = loadVectors().find((x) => x.class === 'RespondBlock')!;
    const block = types.RespondBlock.decode(fromHex(v.hex)).block;
    const json = types.FullBlock.toJson(block, 'chia') as Record<string, unknown>;
    delete json.version;
    delete json.transactions_generator_buffer;
    expect(types.FullBlock.fromJson(json)).toEqual(block);
  });
});

describe('hashes', () => {
  it('header hash of the corpus foliage (§g.2)', () => {
    const v = loadVectors().find((x) => x.class === 'RespondBlock')!;
    expect(toHex(headerHash(types.RespondBlock.decode(fromHex(v.hex)).block))).toBe(
      '0x0344ccaa03d79c0876316294310e2ee00d471db2fe0b4dfa317d8856ce19652d',
    );
  });
  it('coin id uses the minimal CLVM amount (§f.8)', () => {
    const parent = new Uint8Array(32).fill(1);
    const puzzle = new Uint8Array(32).fill(2);
    const expectId = (amount: bigint, atom: string): void => {
      const want = createHash('sha256').update(parent).update(puzzle).update(fromHex(atom)).digest('hex');
      expect(toHex(coinId({ parent_coin_info: parent, puzzle_hash: puzzle, amount }))).toBe('0x' + want);
    };
    expectId(0n, '');
    expectId(1n, '01');
    expectId(128n, '0080');
    expectId(1_750_000_000_000n, '01977420dc00');
    expectId(2n ** 63n, '008000000000000000');
    expectId(2n ** 64n - 1n, '00ffffffffffffffff');
  });
});
