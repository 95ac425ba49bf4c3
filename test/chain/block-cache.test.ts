import { describe, expect, it } from 'vitest';
import { BlockCache, type BlockKind, type CoinListJson, type EntryKind, type TransactionFlagged } from '../../src/chain/block-cache.js';
import { UpstreamError } from '../../src/chia/errors.js';
import { clientKey, type OnBehalfOf } from '../../src/chia/link/on-behalf-of.js';
import type { FetchedBlock } from '../../src/chia/upstream-api.js';
import { reorgForkPoint } from '../../src/chia/peaks/reorg.js';
import { eventually } from '../support/eventually.js';

const BLOCK_BYTES = 1_000;
const OVERHEAD = 256;

function block(height: number, tag = 'a'): FetchedBlock<TransactionFlagged> {
  return {
    height,
    header_hash: `0x${tag}${String(height).padStart(63, '0')}`,
    bytes: new Uint8Array(BLOCK_BYTES).fill(height % 256),
    value: { reward_chain_block: { is_transaction_block: height % 2 === 0 } },
    peer: 'test:1',
  };
}

function cacheWith(options: { maxBytes?: number; fetch?: (kind: BlockKind, s: number, e: number) => Promise<FetchedBlock<TransactionFlagged>[]> } = {}) {
  const calls: string[] = [];
  const cache = new BlockCache({
    maxBytes: options.maxBytes ?? 1_000_000,
    fetch: async (kind, start, end) => {
      calls.push(`${kind} ${start} ${end}`);
      if (options.fetch) return options.fetch(kind, start, end);
      return Array.from({ length: end - start + 1 }, (_, i) => block(start + i));
    },
  });
  return { cache, calls };
}

describe('BlockCache', () => {
  it('loads the aligned batch on a miss and keeps an owned copy of the bytes', async () => {
    const frame = new Uint8Array(BLOCK_BYTES * 2);
    const { cache, calls } = cacheWith({
      fetch: async (_k, start, end) =>
        Array.from({ length: end - start + 1 }, (_, i) => ({ ...block(start + i), bytes: frame.subarray(0, BLOCK_BYTES) })),
    });
    const entry = await cache.get('full', 40, 1_000);
    expect(calls).toEqual(['full 32 63']);
    expect(entry.bytes.buffer).not.toBe(frame.buffer);
    expect(entry.isTransactionBlock).toBe(true);
    expect((await cache.get('full', 41, 1_000)).isTransactionBlock).toBe(false);
    expect(calls).toHaveLength(1);
  });

  it('loads the next batch ahead of a sequential walk, once', async () => {
    const { cache, calls } = cacheWith();
    for (let h = 0; h <= 9; h++) if (cache.hit('full', h, 100) === undefined) await cache.get('full', h, 100);
    await eventually('the read-ahead', () => calls.length === 2);
    expect(calls).toEqual(['full 0 31', 'full 32 63']);
    // Random access (not following the height before) reads nothing ahead.
    await cache.get('full', 72, 100);
    cache.hit('full', 72, 100);
    expect(calls).toEqual(['full 0 31', 'full 32 63', 'full 64 95']);
  });

  it('reads ahead no further than the peak, and ignores failures', async () => {
    const { cache, calls } = cacheWith({
      fetch: async (_k, start, end) => {
        if (start > 0) throw new UpstreamError('UPSTREAM_TIMEOUT', 'slow');
        return Array.from({ length: end - start + 1 }, (_, i) => block(start + i));
      },
    });
    await cache.get('full', 0, 40);
    cache.hit('full', 7, 31);
    cache.hit('full', 8, 31);
    expect(calls).toEqual(['full 0 31']);
    cache.hit('full', 7, 40);
    cache.hit('full', 8, 40);
    await eventually('the read-ahead', () => calls.length === 2);
    expect(calls).toEqual(['full 0 31', 'full 32 40']);
  });

  it('keeps full blocks and header blocks apart', async () => {
    const { cache, calls } = cacheWith();
    await cache.get('full', 1, 100);
    await cache.get('header', 1, 100);
    expect(calls).toEqual(['full 0 31', 'header 0 31']);
  });

  it('evicts the least recently used blocks beyond maxBytes, counting JSON text', async () => {
    const { cache } = cacheWith({ maxBytes: 3 * (BLOCK_BYTES + OVERHEAD) });
    await cache.range('full', 0, 3, 2);
    expect(cache.stats().entries).toBe(3);
    cache.peek('full', 0); // 0 was used: eviction passes over it and takes 1
    const entry = cache.peek('full', 2);
    if (entry === undefined) throw new Error('missing');
    cache.setJson(entry, 'safe', Buffer.alloc(100));
    expect(cache.peek('full', 1)).toBeUndefined();
    expect(cache.peek('full', 0)).toBeDefined();
    expect(cache.stats().bytes).toBe(2 * (BLOCK_BYTES + OVERHEAD) + 100);
  });

  it('does not cache a block larger than the whole cache, but still serves it', async () => {
    const { cache } = cacheWith({ maxBytes: 100 });
    const entry = await cache.get('full', 5, 10);
    expect(entry.height).toBe(5);
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });

  it('asks for just the needed heights when a peer rejects the batch', async () => {
    const { cache, calls } = cacheWith({
      fetch: async (_k, start, end) => {
        if (end - start > 0) throw new UpstreamError('UPSTREAM_REJECTED', 'lagging');
        return [block(start)];
      },
    });
    expect((await cache.get('full', 7, 100)).height).toBe(7);
    expect(calls).toEqual(['full 0 31', 'full 7 7']);
  });

  it('does not retry other failures', async () => {
    const { cache, calls } = cacheWith({
      fetch: async () => {
        throw new UpstreamError('UPSTREAM_TIMEOUT', 'slow');
      },
    });
    await expect(cache.get('full', 7, 100)).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    expect(calls).toHaveLength(1);
  });

  it('rejects a reply with heights outside the request as invalid', async () => {
    const { cache } = cacheWith({ fetch: async () => [block(500)] });
    await expect(cache.get('full', 7, 100)).rejects.toMatchObject({ code: 'UPSTREAM_INVALID_REPLY' });
  });

  it('rejects a reply missing a height as invalid', async () => {
    const { cache } = cacheWith({ fetch: async (_k, start) => [block(start)] });
    await expect(cache.get('full', 7, 100)).rejects.toMatchObject({ code: 'UPSTREAM_INVALID_REPLY' });
  });

  it('serves but does not keep blocks whose request was in flight during a reorg', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { cache } = cacheWith({
      fetch: async (_k, start, end) => {
        await gate;
        return Array.from({ length: end - start + 1 }, (_, i) => block(start + i));
      },
    });
    const pending = cache.get('full', 3, 10);
    cache.invalidateAbove(1);
    release();
    expect((await pending).height).toBe(3);
    expect(cache.stats().entries).toBe(0);
  });

  it('does not let a miss after a reorg join a request made before it', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let branch = 'a';
    const { cache, calls } = cacheWith({
      fetch: async (_k, start, end) => {
        const tag = branch;
        if (tag === 'a') await gate;
        return Array.from({ length: end - start + 1 }, (_, i) => block(start + i, tag));
      },
    });
    const before = cache.get('full', 3, 10);
    cache.invalidateAbove(1);
    branch = 'b';
    const after = cache.get('full', 3, 10);
    release();
    expect((await before).headerHash).toMatch(/^0xa/);
    expect((await after).headerHash).toMatch(/^0xb/);
    expect(calls).toEqual(['full 0 10', 'full 0 10']);
    expect(cache.peek('full', 3)?.headerHash).toMatch(/^0xb/);
  });

  it('makes each batch load on behalf of every client whose miss shares it', async () => {
    const seen: OnBehalfOf[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const cache = new BlockCache({
      maxBytes: 1_000_000,
      fetch: async (_kind, start, end, onBehalfOf) => {
        if (onBehalfOf) seen.push(onBehalfOf);
        await gate;
        return Array.from({ length: end - start + 1 }, (_, i) => block(start + i));
      },
    });
    const [a, b] = [clientKey('192.0.2.1'), clientKey('192.0.2.2')];
    const pending = [cache.get('full', 3, 100, a), cache.range('full', 5, 40, 100, b), cache.get('full', 7, 100, a)];
    await Promise.resolve();
    release();
    await Promise.all(pending);
    // Batch 0–31 for both clients, 32–63 for b alone.
    expect(seen.map((o) => [...o.clients])).toEqual([[a, b], [b]]);
  });

  it('invalidateAbove drops only heights above the fork point', async () => {
    const { cache } = cacheWith();
    await cache.range('full', 0, 10, 9);
    expect(cache.invalidateAbove(6)).toBe(3);
    expect(cache.peek('full', 6)).toBeDefined();
    expect(cache.peek('full', 7)).toBeUndefined();
  });
});

describe('BlockCache coin lists', () => {
  const HASH = `0x${'ab'.repeat(32)}`;
  const OTHER = `0x${'cd'.repeat(32)}`;
  /** JSON of `n` bytes per int mode: an entry of 2n + OVERHEAD bytes. */
  const json = (n: number): CoinListJson => ({ safe: Buffer.alloc(n, 's'), chia: Buffer.alloc(n, 'c') });

  function coinCache(maxBytes = 1_000_000) {
    const lookups: string[] = [];
    const cache = new BlockCache({
      maxBytes,
      fetch: async (_kind, start, end) => Array.from({ length: end - start + 1 }, (_, i) => block(start + i)),
      onLookup: (result: 'hit' | 'miss', kind: EntryKind) => lookups.push(`${kind} ${result}`),
    });
    return { cache, lookups };
  }

  it('keeps a list per kind and block, served only for the header hash it was loaded for', async () => {
    const { cache, lookups } = coinCache();
    let loads = 0;
    const load = async () => {
      loads++;
      return json(100);
    };
    const entry = await cache.loadCoinList('additions', 5, HASH, load);
    expect(entry.json.chia.toString()).toBe('c'.repeat(100));
    expect(cache.hitCoinList('additions', 5, HASH)).toBe(entry);
    expect(cache.hitCoinList('removals', 5, HASH)).toBeUndefined();
    expect(cache.hitCoinList('additions', 5, OTHER)).toBeUndefined();
    expect(cache.hitCoinList('additions', 6, HASH)).toBeUndefined();
    expect(cache.peek('full', 5)).toBeUndefined();
    expect(loads).toBe(1);
    expect(cache.stats()).toMatchObject({ entries: 1, bytes: 200 + OVERHEAD, hits: 1, misses: 1 });
    expect(lookups).toEqual(['additions miss', 'additions hit']);
    // The list of the block that replaced it takes its place.
    await cache.loadCoinList('additions', 5, OTHER, load);
    expect(cache.hitCoinList('additions', 5, OTHER)).toBeDefined();
    expect(cache.hitCoinList('additions', 5, HASH)).toBeUndefined();
    expect(cache.stats()).toMatchObject({ entries: 1, bytes: 200 + OVERHEAD });
  });

  it('shares one load between concurrent misses, and keeps no failure', async () => {
    const { cache } = coinCache();
    let loads = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const load = async () => {
      loads++;
      await gate;
      return json(10);
    };
    const pending = [1, 2, 3].map(() => cache.loadCoinList('removals', 7, HASH, load));
    release();
    const entries = await Promise.all(pending);
    expect(loads).toBe(1);
    expect(new Set(entries).size).toBe(1);

    const failing = async () => {
      loads++;
      throw new UpstreamError('UPSTREAM_TIMEOUT', 'slow');
    };
    await expect(Promise.all([cache.loadCoinList('additions', 7, HASH, failing), cache.loadCoinList('additions', 7, HASH, failing)])).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    expect(loads).toBe(2);
    expect(cache.hitCoinList('additions', 7, HASH)).toBeUndefined();
    await expect(cache.loadCoinList('additions', 7, HASH, failing)).rejects.toThrow('slow');
    expect(loads).toBe(3);
  });

  it('shares the byte bound with blocks, evicting by second chance', async () => {
    const blockSize = BLOCK_BYTES + OVERHEAD;
    const listSize = 2 * 372 + OVERHEAD; // 1,000
    const { cache } = coinCache(2 * blockSize + listSize - 1);
    await cache.range('full', 0, 2, 1);
    await cache.loadCoinList('additions', 0, HASH, async () => json(372));
    // Over the bound by one byte: the oldest unused entry, block 0, goes.
    expect(cache.peek('full', 0)).toBeUndefined();
    expect(cache.stats().bytes).toBe(blockSize + listSize);
    cache.peek('full', 1);
    await cache.loadCoinList('removals', 0, HASH, async () => json(372));
    expect(cache.stats().bytes).toBe(blockSize + 2 * listSize);
    await cache.loadCoinList('additions', 1, HASH, async () => json(372));
    // Block 1 was used: it gets a second chance and the additions of 0 go instead.
    expect(cache.hitCoinList('additions', 0, HASH)).toBeUndefined();
    expect(cache.peek('full', 1)).toBeDefined();
    expect(cache.hitCoinList('removals', 0, HASH)).toBeDefined();
    expect(cache.hitCoinList('additions', 1, HASH)).toBeDefined();
    expect(cache.stats()).toMatchObject({ entries: 3, bytes: blockSize + 2 * listSize });
    cache.clear();
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });

  it('serves but does not keep a list larger than the whole cache', async () => {
    const { cache } = coinCache(500);
    const entry = await cache.loadCoinList('additions', 3, HASH, async () => json(300));
    expect(entry.json.safe.length).toBe(300);
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });

  it('drops lists above a reorg fork point, and does not keep one loaded across a reorg', async () => {
    const { cache } = coinCache();
    await cache.loadCoinList('additions', 10, HASH, async () => json(10));
    await cache.loadCoinList('removals', 20, HASH, async () => json(10));
    expect(cache.invalidateAbove(15)).toBe(1);
    expect(cache.hitCoinList('additions', 10, HASH)).toBeDefined();
    expect(cache.hitCoinList('removals', 20, HASH)).toBeUndefined();

    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const pending = cache.loadCoinList('additions', 30, HASH, async () => {
      await gate;
      return json(10);
    });
    cache.invalidateAbove(25);
    release();
    expect((await pending).height).toBe(30);
    expect(cache.hitCoinList('additions', 30, HASH)).toBeUndefined();
  });
});

describe('reorgForkPoint', () => {
  const peak = (height: number, fork: number) => ({
    height,
    header_hash: `0x${height}`,
    weight: 1n,
    fork_point_with_previous_peak: fork,
    peers: [],
    received_at: 0,
  });
  it('is null for the first peak and for extensions', () => {
    expect(reorgForkPoint(peak(10, 0), null)).toBeNull();
    expect(reorgForkPoint(peak(11, 10), peak(10, 9))).toBeNull();
    expect(reorgForkPoint(peak(13, 10), peak(10, 9))).toBeNull();
  });
  it('is the fork point when it is below the previous peak', () => {
    expect(reorgForkPoint(peak(12, 7), peak(10, 9))).toBe(7);
  });
  it('replaces the tip when a peak does not rise', () => {
    expect(reorgForkPoint(peak(10, 10), peak(10, 9))).toBe(9);
  });
});
