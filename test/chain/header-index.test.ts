import { describe, expect, it } from 'vitest';
import { HeaderIndex } from '../../src/chain/header-index.js';

const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;

describe('the header index', () => {
  it('keeps at most its bound, forgetting the oldest seen first', () => {
    const index = new HeaderIndex(3);
    for (let h = 0; h < 5; h++) index.add(h, hash(h));
    expect(index.size).toBe(3);
    expect(index.height(hash(0))).toBeUndefined();
    expect(index.height(hash(1))).toBeUndefined();
    expect(index.height(hash(4))).toBe(4);
  });

  it('keeps a hash seen again as the newest', () => {
    const index = new HeaderIndex(2);
    index.add(1, hash(1));
    index.add(2, hash(2));
    index.add(1, hash(1));
    index.add(3, hash(3));
    expect(index.height(hash(1))).toBe(1);
    expect(index.height(hash(2))).toBeUndefined();
  });
});
