/**
 * Resolving which watched puzzle hash a pushed coin is hinted to: the bisection on its own (one key,
 * many keys, more keys than one read takes, several coins in one tree), then through the coin watcher
 * with scripted links: the reads it sends (include_hinted, no subscription, from the block below the
 * coin's change, narrowed by amount), the hint on the delivered update, per-link order, and a
 * resolution that fails (the update still leaves, without the hint, and in order).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bisectHints, HINT_READ_ATTEMPTS, HINT_RETRY_MS, OWN_KEYS_CHECKED_MAX, otherHints, type PendingCoin } from '../../../src/chia/coins/hint-resolver.js';
import { CoinWatcher, FLUSH_MS, type CoinWatcherDeps } from '../../../src/chia/coins/coin-watcher.js';
import { coinId, encodeFrame, MAX_PUZZLE_STATE_HASHES, MessageType, toHex, types, UpstreamError, type CoinState, type CoinUpdate, type Peak } from '../../../src/chia/index.js';
import type { PeerLink } from '../../../src/chia/link/peer-link.js';
import { SILENT_LOGGER } from '../../../src/chia/logger.js';
import { decodeFrame, fromHex, payloadCodec } from '../../../src/chia/codec/index.js';
import { pointStart } from '../../../src/chia/pool/wallet-replies.js';

/** The waits between all tries of one resolution read. */
const RETRIES_MS = HINT_RETRY_MS * (2 ** (HINT_READ_ATTEMPTS - 1) - 1);
const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;

function coinState(n: number, puzzleHash: string, created: number, amount = 1n): CoinState {
  return { coin: { parent_coin_info: fromHex(hash(0x10_0000 + n)), puzzle_hash: fromHex(puzzleHash), amount }, created_height: created, spent_height: null };
}
const pendingOf = (state: CoinState): PendingCoin => ({ id: toHex(coinId(state.coin)), state });

/** A node's hint table: which coin is hinted to which puzzle hash; a probe finds the coins hinted to its keys. */
function table(hintOf: Map<string, string>) {
  const probes: string[][] = [];
  const probe = async (keys: string[], coins: PendingCoin[]) => {
    probes.push(keys);
    expect(keys.length).toBeLessThanOrEqual(MAX_PUZZLE_STATE_HASHES);
    return new Set(coins.filter((c) => keys.includes(hintOf.get(c.id)!)).map((c) => c.id));
  };
  return { probe, probes };
}

describe('bisectHints', () => {
  it('needs no read for one candidate', async () => {
    const coin = pendingOf(coinState(1, hash(0xaa), 5));
    const { probe, probes } = table(new Map());
    expect(await bisectHints([coin], [hash(1)], probe)).toEqual(new Map([[coin.id, hash(1)]]));
    expect(probes).toEqual([]);
  });

  it('finds the hint among many keys in about log2(n) reads', async () => {
    const keys = Array.from({ length: 64 }, (_, i) => hash(i + 1));
    for (const target of [0, 17, 63]) {
      const coin = pendingOf(coinState(target, hash(0xaa), 5));
      const { probe, probes } = table(new Map([[coin.id, keys[target]!]]));
      expect(await bisectHints([coin], keys, probe)).toEqual(new Map([[coin.id, keys[target]]]));
      expect(probes.length).toBe(Math.log2(keys.length));
    }
  });

  it('resolves several coins of one update in one tree, each read checked against every pending coin', async () => {
    const keys = Array.from({ length: 16 }, (_, i) => hash(i + 1));
    const coins = [3, 4, 12].map((k) => pendingOf(coinState(k, hash(0xaa), 5)));
    const { probe, probes } = table(new Map(coins.map((c, i) => [c.id, keys[[3, 4, 12][i]!]!])));
    const hints = await bisectHints(coins, keys, probe);
    expect([...hints.values()]).toEqual([keys[3], keys[4], keys[12]]);
    // Apart, each coin would take 4 reads (12); together they share the upper levels.
    expect(probes.length).toBeLessThan(12);
    expect(probes[0]).toHaveLength(8);
  });

  it('reads at most MAX_PUZZLE_STATE_HASHES keys per message, in parts of that size first', async () => {
    const keys = Array.from({ length: 3 * MAX_PUZZLE_STATE_HASHES + 5 }, (_, i) => hash(i + 1));
    const coin = pendingOf(coinState(1, hash(0xaa), 5));
    const { probe, probes } = table(new Map([[coin.id, keys[2 * MAX_PUZZLE_STATE_HASHES + 100]!]]));
    expect(await bisectHints([coin], keys, probe)).toEqual(new Map([[coin.id, keys[2 * MAX_PUZZLE_STATE_HASHES + 100]]]));
    // Three parts read (the fourth would be by elimination), then about log2(890) halves.
    expect(probes.length).toBeLessThanOrEqual(3 + Math.ceil(Math.log2(MAX_PUZZLE_STATE_HASHES)));
  });
});

describe('otherHints (coins matched by their own puzzle hash or id, also hinted to another key?)', () => {
  /** As a node reads: a coin is found by its own puzzle hash or by its hint. */
  function node(hintOf: Map<string, string>) {
    const probes: string[][] = [];
    const probe = async (keys: string[], coins: PendingCoin[]) => {
      probes.push(keys);
      expect(keys.length).toBeLessThanOrEqual(MAX_PUZZLE_STATE_HASHES);
      return new Set(coins.filter((c) => keys.includes(toHex(c.state.coin.puzzle_hash)) || keys.includes(hintOf.get(c.id)!)).map((c) => c.id));
    };
    return { probe, probes };
  }
  const keys = Array.from({ length: 2 * MAX_PUZZLE_STATE_HASHES + 10 }, (_, i) => hash(i + 1));

  it('reads each part of the other keys once and finds none when there is none', async () => {
    const coin = pendingOf(coinState(1, keys[5]!, 5));
    const { probe, probes } = node(new Map());
    expect(await otherHints([coin], keys, probe)).toEqual(new Map());
    expect(probes.map((p) => p.length)).toEqual([MAX_PUZZLE_STATE_HASHES, MAX_PUZZLE_STATE_HASHES, 9]);
    expect(probes.flat()).not.toContain(keys[5]);
  });

  it('finds a hint in any part, by bisection there (a coin matched by its id too)', async () => {
    const own = pendingOf(coinState(1, keys[5]!, 5));
    const byId = pendingOf(coinState(2, hash(0xabc), 5));
    const hintOf = new Map([
      [own.id, keys[MAX_PUZZLE_STATE_HASHES + 3]!],
      [byId.id, keys[2 * MAX_PUZZLE_STATE_HASHES + 1]!],
    ]);
    const { probe } = node(hintOf);
    expect(await otherHints([own, byId], keys, probe)).toEqual(hintOf);
  });

  it("finds a coin hinted to another coin's own puzzle hash of the same update (an offer: a payment to P and a CAT hinted to P)", async () => {
    const p = keys[0]!;
    const payment = pendingOf(coinState(1, p, 5));
    const cat = pendingOf(coinState(2, keys[1]!, 5));
    const { probe } = node(new Map([[cat.id, p]]));
    expect(await otherHints([payment, cat], keys, probe)).toEqual(new Map([[cat.id, p]]));
  });

  it(`leaves mutual hints unread beyond ${OWN_KEYS_CHECKED_MAX} own puzzle hashes among the keys (a read each)`, async () => {
    const coins = Array.from({ length: OWN_KEYS_CHECKED_MAX + 1 }, (_, i) => pendingOf(coinState(i, keys[i]!, 5)));
    const { probe, probes } = node(new Map([[coins[1]!.id, keys[0]!]]));
    expect(await otherHints(coins, keys, probe)).toEqual(new Map());
    // Only the parts of the other keys.
    expect(probes).toHaveLength(3);
  });
});

interface Sent {
  peer: string;
  message: string;
  payload: Record<string, unknown>;
}

describe('the coin watcher resolves hints', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function setup(options: { hintOf: Map<string, string>; fail?: (s: Sent) => UpstreamError | undefined; pageItems?: number }) {
    const link = { address: 'a:1', state: 'ready' } as unknown as PeerLink;
    const sent: Sent[] = [];
    const delivered: CoinUpdate[] = [];
    /** The node's coin set: each coin's latest state. */
    const states = new Map<string, CoinState>();
    const best: Peak = { height: 100, header_hash: hash(100), weight: 1n, fork_point_with_previous_peak: 99, peers: [], received_at: 0 };
    const deps: CoinWatcherDeps = {
      readyLinks: () => (link.state === 'ready' ? [link] : []),
      exchange: (async (l: PeerLink, message: string, payload: Record<string, unknown>, accept: (reply: unknown) => unknown) => {
        const s = { peer: l.address, message, payload };
        sent.push(s);
        const failure = options.fail?.(s);
        if (failure !== undefined) throw failure;
        const encode = (name: 'respond_to_ph_updates' | 'respond_puzzle_state', value: unknown) => accept({ kind: 'ok', type: MessageType[name], data: payloadCodec(name).encode(value as never), peer: l.address });
        if (message === 'register_for_ph_updates') return encode('respond_to_ph_updates', { puzzle_hashes: payload.puzzle_hashes, min_height: payload.min_height, coin_states: [] });
        // The node's answer: the states hinted to a requested key, changed above previous_height, of at least min_amount,
        // in order of their last change; beyond pageItems the page ends before the height of the first left out.
        const keys = (payload.puzzle_hashes as Uint8Array[]).map(toHex);
        const above = (payload.previous_height as number | null) ?? -1;
        const min = (payload.filters as { min_amount: bigint }).min_amount;
        const last = (st: CoinState) => Math.max(st.created_height ?? 0, st.spent_height ?? 0);
        const found = [...states.values()].filter((st) => keys.includes(options.hintOf.get(toHex(coinId(st.coin)))!) && last(st) > above && st.coin.amount >= min).sort((a, b) => last(a) - last(b));
        const cut = found.length > (options.pageItems ?? found.length) ? last(found[options.pageItems!]!) : null;
        const height = cut === null ? best.height + 1 : cut - 1;
        const coin_states = cut === null ? found : found.slice(0, options.pageItems).filter((st) => last(st) < cut);
        return encode('respond_puzzle_state', { puzzle_hashes: payload.puzzle_hashes, height, header_hash: fromHex(hash(height)), is_finished: cut === null, coin_states });
      }) as unknown as CoinWatcherDeps['exchange'],
      best: () => best,
      hashAt: async (height) => hash(height),
      stateStart: async (from) => (from === null ? { previous_height: null, header_hash: fromHex(hash(0xfff)) } : pointStart(from)),
      deliver: (u) => delivered.push(u),
      logger: SILENT_LOGGER,
    };
    const watcher = new CoinWatcher(deps);
    const push = (height: number, items: CoinState[], fork = height - 1, peak = hash(height)) => {
      for (const item of items) states.set(toHex(coinId(item.coin)), item);
      const data = types.CoinStateUpdate.encode({ height, fork_height: fork, peak_hash: fromHex(peak), items });
      watcher.onPush(decodeFrame(encodeFrame({ type: MessageType.coin_state_update, id: null, data })), link);
    };
    return { watcher, link, sent, delivered, push };
  }

  const keys = [1, 2, 3, 4].map(hash);
  const reads = (sent: Sent[]) => sent.filter((s) => s.message === 'request_puzzle_state');

  it('finds the hint of a pushed coin among the link’s puzzle hashes and keeps the link’s updates in order', async () => {
    const hinted = coinState(1, hash(0xaa), 101, 7n);
    const own = coinState(2, keys[0]!, 102);
    const { watcher, sent, delivered, push } = setup({ hintOf: new Map([[toHex(coinId(hinted.coin)), keys[2]!]]) });
    watcher.watch({ puzzle_hashes: keys });
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    push(101, [hinted]);
    // The next block's update (its coin matches by puzzle hash) waits behind the resolution.
    push(102, [own]);
    expect(delivered).toEqual([]);
    await vi.advanceTimersByTimeAsync(0);
    expect(delivered.map((u) => [u.height, [...u.hints]])).toEqual([
      [101, [[toHex(coinId(hinted.coin)), keys[2]]]],
      [102, []],
    ]);
    const filters = { include_spent: true, include_unspent: true, include_hinted: true, min_amount: 7n };
    expect(reads(sent).map((s) => [(s.payload.puzzle_hashes as Uint8Array[]).map(toHex), s.payload.previous_height, s.payload.subscribe_when_finished, s.payload.filters])).toEqual([
      [keys.slice(0, 2), 100, false, filters],
      [[keys[2]], 100, false, filters],
      // Then whether the coin of 102, matched by its own puzzle hash, is hinted to one of the others too: no.
      [keys.slice(1), 101, false, { ...filters, min_amount: 1n }],
    ]);
    expect(watcher.status().messages['request_puzzle_state']).toBe(3);
    expect(watcher.resolving).toBe(0);
  });

  it('finds afterwards that a coin matched by its own puzzle hash is also hinted to another puzzle hash of the link: a late update', async () => {
    const own = coinState(2, keys[0]!, 101);
    const { watcher, sent, delivered, push } = setup({ hintOf: new Map([[toHex(coinId(own.coin)), keys[3]!]]) });
    watcher.watch({ puzzle_hashes: keys });
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    push(101, [own]);
    // The coin leaves at once, for the clients of its puzzle hash; the check follows.
    expect(delivered.map((u) => [u.height, u.hints.size, u.late])).toEqual([[101, 0, undefined]]);
    await vi.advanceTimersByTimeAsync(0);
    expect(delivered.slice(1).map((u) => [u.height, u.header_hash, [...u.hints], u.coin_states, u.late])).toEqual([[101, hash(101), [[toHex(coinId(own.coin)), keys[3]]], [own], true]]);
    // The other three keys in one read, then a bisection of them.
    expect(reads(sent)[0]?.payload.puzzle_hashes).toEqual(keys.slice(1).map(fromHex));
    expect(reads(sent).length).toBeLessThanOrEqual(3);
  });

  it('needs no read when the link holds one puzzle hash, and none for coins matched by puzzle hash', async () => {
    const hinted = coinState(1, hash(0xaa), 101);
    const { watcher, sent, delivered, push } = setup({ hintOf: new Map() });
    watcher.watch({ puzzle_hashes: [keys[0]!] });
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    push(101, [hinted, coinState(2, keys[0]!, 101)]);
    await vi.advanceTimersByTimeAsync(0);
    expect(reads(sent)).toEqual([]);
    expect([...delivered[0]!.hints]).toEqual([[toHex(coinId(hinted.coin)), keys[0]]]);
  });

  it('a read tried again after a wait resolves the hint once a link is ready and answers again', async () => {
    const hinted = coinState(1, hash(0xaa), 101);
    let timeouts = 1;
    const { watcher, link, sent, delivered, push } = setup({
      hintOf: new Map([[toHex(coinId(hinted.coin)), keys[1]!]]),
      fail: (s) => (s.message === 'request_puzzle_state' && timeouts-- > 0 ? new UpstreamError('UPSTREAM_TIMEOUT', 'no answer') : undefined),
    });
    watcher.watch({ puzzle_hashes: keys });
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    // The link drops right after its push: no ready link for the first try, a timeout on the second.
    (link as { state: string }).state = 'closed';
    push(101, [hinted]);
    await vi.advanceTimersByTimeAsync(0);
    expect(reads(sent)).toHaveLength(0);
    (link as { state: string }).state = 'ready';
    await vi.advanceTimersByTimeAsync(HINT_RETRY_MS);
    expect(reads(sent)).toHaveLength(1);
    expect(delivered).toEqual([]);
    await vi.advanceTimersByTimeAsync(2 * HINT_RETRY_MS);
    expect(delivered.map((u) => u.hints.get(toHex(coinId(hinted.coin))))).toEqual([keys[1]]);
  });

  it('a resolution that keeps failing leaves the update without the hint, in order, after HINT_READ_ATTEMPTS tries', async () => {
    const hinted = coinState(1, hash(0xaa), 101);
    const { watcher, sent, delivered, push } = setup({
      hintOf: new Map([[toHex(coinId(hinted.coin)), keys[1]!]]),
      fail: (s) => (s.message === 'request_puzzle_state' ? new UpstreamError('UPSTREAM_TIMEOUT', 'no answer') : undefined),
    });
    watcher.watch({ puzzle_hashes: keys });
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    push(101, [hinted]);
    push(102, [coinState(2, keys[0]!, 102)]);
    // Each read's tries, backing off, one update after the other.
    await vi.advanceTimersByTimeAsync(3 * RETRIES_MS);
    // The hinted coin's read, every try; then the check of the next update's coin (matched by its puzzle hash), every try.
    expect(reads(sent)).toHaveLength(2 * HINT_READ_ATTEMPTS);
    expect(delivered.map((u) => [u.height, u.coin_states.length, u.hints.size])).toEqual([
      [101, 1, 0],
      [102, 1, 0],
    ]);
    expect(watcher.resolving).toBe(0);
  });

  it('finds a coin spent after it was pushed on a later page of the read, not only up to its pushed height', async () => {
    // Two coins hinted to keys[0] fill the first page (pageItems 2) up to block 101; the coin hinted to
    // keys[1], pushed as created at 101, was spent at 102 before its read: it is on the next page.
    const fillers = [1, 2].map((n) => coinState(n, hash(0xaa), 101));
    const hinted = coinState(3, hash(0xbb), 101);
    const hintOf = new Map([...fillers.map((c) => [toHex(coinId(c.coin)), keys[0]!] as const), [toHex(coinId(hinted.coin)), keys[1]!]]);
    const { watcher, delivered, push } = setup({ hintOf, pageItems: 2 });
    watcher.watch({ puzzle_hashes: keys });
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    push(101, [...fillers, hinted]);
    push(102, [{ ...hinted, spent_height: 102 }]);
    await vi.advanceTimersByTimeAsync(0);
    expect(delivered.map((u) => u.hints.get(toHex(coinId(hinted.coin))))).toEqual([keys[1], keys[1]]);
  });

  it('a rollback supersedes the updates still resolving above its fork, and carries their states it did not revert', async () => {
    // Block 101's update holds a coin of block 99 hinted to keys[2] (still resolving) and one of block 101;
    // a rollback to 99 reverts only the second, and the node never pushes the first again.
    const below = coinState(1, hash(0xaa), 99);
    const above = coinState(2, keys[0]!, 101);
    const replaced = coinState(3, keys[1]!, 102);
    const { watcher, delivered, push } = setup({ hintOf: new Map([[toHex(coinId(below.coin)), keys[2]!]]) });
    watcher.watch({ puzzle_hashes: keys });
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    push(101, [below, above]);
    push(102, [{ ...above, created_height: null }, replaced], 99);
    await vi.advanceTimersByTimeAsync(0);
    // One update: the rollback's, with the state that still holds first, its hint resolved.
    expect(delivered.map((u) => [u.height, u.fork_height, u.coin_states.map((st) => [toHex(coinId(st.coin)), st.created_height])])).toEqual([
      [
        102,
        99,
        [
          [toHex(coinId(below.coin)), 99],
          [toHex(coinId(above.coin)), null],
          [toHex(coinId(replaced.coin)), 102],
        ],
      ],
    ]);
    expect(delivered[0]!.hints.get(toHex(coinId(below.coin)))).toBe(keys[2]);
  });

  it('a one-block reorg (the same height, forking at its parent) supersedes the update of the block it replaced', async () => {
    const orphaned = coinState(1, hash(0xaa), 101);
    const replacing = coinState(2, keys[1]!, 101);
    const { watcher, delivered, push } = setup({ hintOf: new Map([[toHex(coinId(orphaned.coin)), keys[2]!]]) });
    watcher.watch({ puzzle_hashes: keys });
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    push(101, [orphaned]);
    push(101, [{ ...orphaned, created_height: null }, replacing], 100, hash(0x101b));
    // A plain extension keeps what waits before it.
    push(102, [coinState(3, keys[0]!, 102)]);
    await vi.advanceTimersByTimeAsync(0);
    expect(delivered.map((u) => [u.height, u.header_hash, u.coin_states.map((st) => st.created_height)])).toEqual([
      [101, hash(0x101b), [null, 101]],
      [102, hash(102), [102]],
    ]);
  });

  it('a coin whose block left the chain (STATE_REORG) leaves at once without its hint', async () => {
    const hinted = coinState(1, hash(0xaa), 101);
    const { watcher, sent, delivered, push } = setup({
      hintOf: new Map([[toHex(coinId(hinted.coin)), keys[1]!]]),
      fail: (s) => (s.message === 'request_puzzle_state' ? new UpstreamError('STATE_REORG', 'reorg') : undefined),
    });
    watcher.watch({ puzzle_hashes: keys });
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    push(101, [hinted]);
    await vi.advanceTimersByTimeAsync(0);
    expect(reads(sent)).toHaveLength(1);
    expect(delivered.map((u) => [u.height, u.hints.size])).toEqual([[101, 0]]);
  });
});
