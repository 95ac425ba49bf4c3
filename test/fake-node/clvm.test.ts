import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/chia/codec/index.js';
import { createCoinConditions, createdCoins, IDENTITY_PUZZLE, parseProgram, serializeProgram, treeHash } from '../../fake-node/clvm.js';
import { CoinSet } from '../../fake-node/coin-set.js';

const ph = (n: number) => new Uint8Array(32).fill(n);

describe('fake node: CLVM helpers', () => {
  it('hashes the identity puzzle `1` to its well-known puzzle hash', () => {
    expect(toHex(treeHash(IDENTITY_PUZZLE))).toBe('0x9dcf97a184f32623d11a73124ceb99a5709b083721e878a16d78f596718ba7b2');
  });

  it('round-trips CREATE_COIN conditions with and without hints, long atoms included', () => {
    const coins = [
      { puzzle_hash: ph(1), amount: 0n, hint: null },
      { puzzle_hash: ph(2), amount: 0x80n, hint: ph(3) },
      { puzzle_hash: ph(4), amount: 18_446_744_073_709_551_615n, hint: null },
    ];
    const solution = createCoinConditions(coins);
    expect(createdCoins(solution)).toEqual(coins);
    expect(serializeProgram(parseProgram(solution))).toEqual(solution);
    const long = new Uint8Array(300).fill(9);
    expect(serializeProgram(parseProgram(serializeProgram(long)))).toEqual(serializeProgram(long));
    expect(() => parseProgram(Uint8Array.of(0xff, 0x01))).toThrow(RangeError);
  });
});

describe('fake node: coin set pages', () => {
  it('ends a page before the block it would split, and continues from that block', () => {
    const set = new CoinSet();
    const at = (h: number, n: number) =>
      set.apply(h, [], Array.from({ length: n }, (_, i) => ({ coin: { parent_coin_info: ph(h), puzzle_hash: ph(7), amount: BigInt(i) }, coinbase: false, hint: null })));
    at(1, 2);
    at(2, 2);
    at(3, 1);
    const filters = { include_spent: true, include_unspent: true, include_hinted: false, min_amount: 0n };
    const [first, next] = set.puzzleStatePage([ph(7)], 0, filters, 3);
    expect(first.map((s) => s.created_height)).toEqual([1, 1]);
    expect(next).toBe(2);
    expect(set.puzzleStatePage([ph(7)], 2, filters, 3)[0].map((s) => s.created_height)).toEqual([2, 2, 3]);
    // Rolling back above height 1 reports the deleted coins without a created height.
    expect(set.rollback(1).map((c) => c.state.created_height)).toEqual([null, null, null]);
  });
});
