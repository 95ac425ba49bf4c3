/**
 * The coin watch's bookkeeping with fake timers and scripted links: reference counts, the linger,
 * batching, spreading within the subscription cap, and the move of a lost link's keys with their
 * catch-up (pages, REORG step-back, EXCEEDED_SUBSCRIPTION_LIMIT).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CoinWatcher, FLUSH_MS, LINGER_MS, STEP_BACK_BLOCKS, type CoinWatcherDeps } from '../../../src/chia/coins/coin-watcher.js';
import { encodeFrame, MessageType, toHex, types, UpstreamError, type CoinState, type CoinUpdate, type Peak } from '../../../src/chia/index.js';
import type { PeerLink } from '../../../src/chia/link/peer-link.js';
import { SILENT_LOGGER } from '../../../src/chia/logger.js';
import { decodeFrame, fromHex, payloadCodec, type PayloadName } from '../../../src/chia/codec/index.js';
import { pointStart } from '../../../src/chia/pool/wallet-replies.js';

const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const bytes = (n: number) => Uint8Array.from(Buffer.from(hash(n).slice(2), 'hex'));

interface Sent {
  peer: string;
  message: string;
  payload: Record<string, unknown>;
}

/** A stand-in for a ready wallet link: the watcher reads its address and state only. */
function fakeLink(address: string): PeerLink {
  return { address, state: 'ready' } as unknown as PeerLink;
}

/** The node's reply to a request: a message name and its payload (or a thrown UpstreamError for a refusal). */
type Answer = (sent: Sent) => [name: PayloadName, value: unknown] | undefined;

/** What a node answers by default: success, no states. */
function normal(s: Sent): [PayloadName, unknown] {
  const p = s.payload;
  switch (s.message) {
    case 'register_for_ph_updates':
      return ['respond_to_ph_updates', { puzzle_hashes: p.puzzle_hashes, min_height: p.min_height, coin_states: [] }];
    case 'register_for_coin_updates':
      return ['respond_to_coin_updates', { coin_ids: p.coin_ids, min_height: p.min_height, coin_states: [] }];
    case 'request_remove_puzzle_subscriptions':
      return ['respond_remove_puzzle_subscriptions', { puzzle_hashes: p.puzzle_hashes }];
    case 'request_remove_coin_subscriptions':
      return ['respond_remove_coin_subscriptions', { coin_ids: p.coin_ids }];
    case 'request_puzzle_state':
      return ['respond_puzzle_state', { puzzle_hashes: p.puzzle_hashes, height: 100, header_hash: bytes(100), is_finished: true, coin_states: [] }];
    default:
      return ['respond_coin_state', { coin_ids: p.coin_ids, coin_states: [] }];
  }
}

function setup(options: { links?: PeerLink[]; answer?: Answer; limit?: number } = {}) {
  const links = options.links ?? [fakeLink('a:1'), fakeLink('b:1')];
  const sent: Sent[] = [];
  const delivered: CoinUpdate[] = [];
  let best: Peak | null = { height: 100, header_hash: hash(100), weight: 1n, fork_point_with_previous_peak: 99, peers: [], received_at: 0 };
  const answer = options.answer ?? (() => undefined);
  const deps: CoinWatcherDeps = {
    readyLinks: () => links.filter((l) => l.state === 'ready'),
    // As the router's exchange: the reply goes through `accept`; a thrown UpstreamError is the node's refusal.
    exchange: (async (link: PeerLink, message: string, payload: Record<string, unknown>, accept: (reply: unknown) => unknown) => {
      const s = { peer: link.address, message, payload };
      sent.push(s);
      const [name, value] = answer(s) ?? normal(s);
      return accept({ kind: 'ok', type: MessageType[name], data: payloadCodec(name).encode(value as never), peer: link.address });
    }) as unknown as CoinWatcherDeps['exchange'],
    best: () => best,
    hashAt: async (height) => hash(height),
    stateStart: async (from) => (from === null ? { previous_height: null, header_hash: fromHex(hash(0xfff)) } : pointStart(from)),
    deliver: (u) => delivered.push(u),
    logger: SILENT_LOGGER,
    subscriptionLimit: options.limit,
  };
  const watcher = new CoinWatcher(deps);
  return { watcher, links, sent, delivered, setBest: (p: Peak | null) => (best = p) };
}

/** Lets the flush timer fire and every scripted reply settle. */
async function flush(ms = FLUSH_MS): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
}

const keysOf = (s: Sent) => ((s.payload.puzzle_hashes ?? s.payload.coin_ids) as Uint8Array[]).map(toHex);

describe('CoinWatcher', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('registers each distinct key once, batched per link and kind, from just above the best peak', async () => {
    const { watcher, sent } = setup({ links: [fakeLink('a:1')] });
    watcher.watch({ puzzle_hashes: [hash(1), hash(2)], coin_ids: [hash(3)] });
    watcher.watch({ puzzle_hashes: [hash(2).toUpperCase().replace('0X', '0x'), hash(1).slice(2)] });
    await flush();
    expect(sent.map((s) => [s.message, keysOf(s), s.payload.min_height])).toEqual([
      ['register_for_ph_updates', [hash(1), hash(2)], 101],
      ['register_for_coin_updates', [hash(3)], 101],
    ]);
    expect(watcher.status()).toMatchObject({ puzzle_hashes: 2, coin_ids: 1, pending: 0, messages: { register_for_ph_updates: 1, register_for_coin_updates: 1 } });
  });

  it('10,000 keys from 1,000 callers cost one registration message per link', async () => {
    const { watcher, sent } = setup();
    for (let c = 0; c < 1_000; c++) watcher.watch({ puzzle_hashes: Array.from({ length: 10 }, (_, i) => hash(c * 10 + i + 1)) });
    await flush();
    expect(sent.map((s) => [s.peer, s.message, keysOf(s).length])).toEqual([
      ['a:1', 'register_for_ph_updates', 5_000],
      ['b:1', 'register_for_ph_updates', 5_000],
    ]);
    expect(watcher.status().links).toEqual([
      { peer: 'a:1', puzzle_hashes: 5_000, coin_ids: 0 },
      { peer: 'b:1', puzzle_hashes: 5_000, coin_ids: 0 },
    ]);
  });

  it('stays within each link’s subscription cap; what does not fit waits for room', async () => {
    const { watcher, sent } = setup({ limit: 3 });
    const release = watcher.watch({ coin_ids: [1, 2, 3, 4, 5, 6, 7, 8].map(hash) });
    await flush();
    expect(sent.map((s) => keysOf(s).length)).toEqual([3, 3]);
    expect(watcher.status().pending).toBe(2);
    release();
    await flush(LINGER_MS);
    // Released keys leave; nothing waits any more.
    expect(watcher.status()).toMatchObject({ coin_ids: 0, pending: 0 });
  });

  it('reference-counts callers and removes a key LINGER_MS after the last one left; a quick re-watch costs nothing', async () => {
    const { watcher, sent } = setup({ links: [fakeLink('a:1')] });
    const first = watcher.watch({ puzzle_hashes: [hash(1)] });
    const second = watcher.watch({ puzzle_hashes: [hash(1)] });
    await flush();
    first();
    first(); // idempotent
    second();
    await flush(LINGER_MS - 1);
    const again = watcher.watch({ puzzle_hashes: [hash(1)] });
    await flush(LINGER_MS);
    expect(sent.map((s) => s.message)).toEqual(['register_for_ph_updates']);
    again();
    await flush(LINGER_MS + FLUSH_MS);
    expect(sent.map((s) => [s.message, keysOf(s)])).toEqual([
      ['register_for_ph_updates', [hash(1)]],
      ['request_remove_puzzle_subscriptions', [hash(1)]],
    ]);
    expect(watcher.status()).toMatchObject({ puzzle_hashes: 0, links: [{ peer: 'a:1', puzzle_hashes: 0 }] });
  });

  it('refuses a key that is not 32 bytes of hex', () => {
    const { watcher } = setup();
    expect(() => watcher.watch({ coin_ids: ['0x1234'] })).toThrow(UpstreamError);
  });

  it('a key watched before the best peak moved catches up from the peak it was watched at, not from the new one', async () => {
    const { watcher, sent, setBest } = setup({ links: [fakeLink('a:1')] });
    watcher.watch({ puzzle_hashes: [hash(1)] });
    // A block (or a reorg) arrives before the flush: a registration from just above it would skip it.
    setBest({ height: 101, header_hash: hash(101), weight: 2n, fork_point_with_previous_peak: 100, peers: [], received_at: 0 });
    await flush();
    expect(sent.map((s) => [s.message, keysOf(s), s.payload.previous_height, toHex(s.payload.header_hash as Uint8Array), s.payload.subscribe_when_finished])).toEqual([
      ['request_puzzle_state', [hash(1)], 100, hash(100), true],
    ]);
    expect(watcher.registering).toBe(0);
  });

  it('a caller’s own start point holds for a key new to the watcher, and lowers a pending one’s', async () => {
    const { watcher, sent } = setup({ links: [fakeLink('a:1')] });
    const at = (height: number) => ({ height, header_hash: hash(height) });
    // The caller has every change through block 98 (the best is 100): 99 and 100 are read first.
    watcher.watch({ puzzle_hashes: [hash(1)] }, at(98));
    // Another caller of the same key, still unsent, from further back: the earlier point wins.
    watcher.watch({ puzzle_hashes: [hash(1)] }, at(97));
    // One from the best peak itself registers from just above it.
    watcher.watch({ puzzle_hashes: [hash(2)] }, at(100));
    await flush();
    expect(sent.map((s) => [s.message, keysOf(s), s.payload.previous_height ?? s.payload.min_height])).toEqual(
      expect.arrayContaining([
        ['request_puzzle_state', [hash(1)], 97],
        ['register_for_ph_updates', [hash(2)], 101],
      ]),
    );
    expect(sent).toHaveLength(2);
  });

  it('waits for a best peak and a ready link before registering', async () => {
    const { watcher, sent, setBest } = setup({ links: [] });
    setBest(null);
    watcher.watch({ coin_ids: [hash(1)] });
    await flush();
    expect(watcher.status().pending).toBe(1);
    expect(sent).toEqual([]);
  });

  it('moves a lost link’s keys to another link, catching up from the block last delivered, page by page', async () => {
    const pages = [
      { height: 110, header_hash: bytes(110), is_finished: false, coin_states: [] },
      { height: 120, header_hash: bytes(120), is_finished: true, coin_states: [] },
    ];
    const { watcher, links, sent } = setup({
      links: [fakeLink('a:1')],
      answer: (s) => (s.message === 'request_puzzle_state' ? ['respond_puzzle_state', { puzzle_hashes: s.payload.puzzle_hashes, ...pages.shift()! }] : undefined),
    });
    watcher.watch({ puzzle_hashes: [hash(1)] });
    await flush();
    watcher.onAnnounced(links[0]!, { height: 105, header_hash: hash(105) });
    // The link drops; another comes up.
    (links[0] as { state: string }).state = 'closed';
    watcher.onLink(links[0]!);
    links.push(fakeLink('c:1'));
    watcher.onLink(links[1]!);
    await flush();
    const states = sent.filter((s) => s.message === 'request_puzzle_state');
    expect(states.map((s) => [s.peer, s.payload.previous_height, toHex(s.payload.header_hash as Uint8Array), s.payload.subscribe_when_finished])).toEqual([
      ['c:1', 105, hash(105), true],
      ['c:1', 110, hash(110), true],
    ]);
    expect(watcher.status().links).toEqual([{ peer: 'c:1', puzzle_hashes: 1, coin_ids: 0 }]);
  });

  it('a REORG reject starts the catch-up lower, twice as deep each time', async () => {
    let rejects = 2;
    const { watcher, links, sent } = setup({
      links: [fakeLink('a:1')],
      answer: (s) => {
        if (s.message === 'request_coin_state' && rejects-- > 0) throw new UpstreamError('STATE_REORG', 'reorg');
        return undefined;
      },
    });
    watcher.watch({ coin_ids: [hash(1)] });
    await flush();
    watcher.onAnnounced(links[0]!, { height: 200, header_hash: hash(200) });
    (links[0] as { state: string }).state = 'closed';
    watcher.onLink(links[0]!);
    links.push(fakeLink('b:1'));
    await flush();
    expect(sent.filter((s) => s.message === 'request_coin_state').map((s) => s.payload.previous_height)).toEqual([200, 200 - STEP_BACK_BLOCKS, 200 - 3 * STEP_BACK_BLOCKS]);
    expect(watcher.status().pending).toBe(0);
  });

  it('EXCEEDED_SUBSCRIPTION_LIMIT sends the keys to a link with room', async () => {
    const { watcher, links, sent } = setup({
      links: [fakeLink('a:1')],
      answer: (s) => {
        if (s.message === 'request_coin_state' && s.peer === 'b:1') throw new UpstreamError('SUBSCRIPTION_LIMIT', 'full');
        return undefined;
      },
    });
    watcher.watch({ coin_ids: [hash(1)] });
    await flush();
    (links[0] as { state: string }).state = 'closed';
    watcher.onLink(links[0]!);
    links.push(fakeLink('b:1'), fakeLink('c:1'));
    await flush();
    await flush();
    expect(sent.filter((s) => s.message === 'request_coin_state').map((s) => s.peer)).toEqual(['b:1', 'c:1']);
    expect(watcher.status().links.find((l) => l.peer === 'c:1')?.coin_ids).toBe(1);
  });

  it('hands on pushed coin_state_update frames with the fork height of a rollback', () => {
    const { watcher, delivered } = setup();
    const state: CoinState = { coin: { parent_coin_info: bytes(1), puzzle_hash: bytes(2), amount: 5n }, created_height: 101, spent_height: null };
    for (const fork_height of [100, 90]) {
      const data = types.CoinStateUpdate.encode({ height: 101, fork_height, peak_hash: bytes(101), items: [state] });
      watcher.onPush(decodeFrame(encodeFrame({ type: MessageType.coin_state_update, id: null, data })), fakeLink('a:1'));
    }
    expect(delivered.map((u) => [u.height, u.header_hash, u.fork_height, u.coin_states.length, u.peer])).toEqual([
      [101, hash(101), null, 1, 'a:1'],
      [101, hash(101), 90, 1, 'a:1'],
    ]);
  });
});

