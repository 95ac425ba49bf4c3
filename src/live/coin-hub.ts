/**
 * Coin events for live clients. It keeps one upstream watch per distinct key across every client
 * (reference-counted, new keys batched into one watch call per turn of the event loop), routes each
 * CoinBlock of the feed to the clients whose keys it matches (puzzle hash, hint or coin id), building
 * one event per distinct set of matched coins, and resumes a client from its cursor by reading what
 * changed since from the chain (PROTOCOL.md §e.4/§e.5), not from memory: puzzle-state pages from the
 * cursor block with the node's continuation, and the coin ids' states. While that read runs, the
 * client's live events wait in its queue and follow it without gap or repeat. A cursor whose block
 * left the chain (STATE_REORG) gets a `reorg` for that client and the states from the fork on.
 */
import { UpstreamError, bisectHints, coinId, coinsSeen, toHex, type ChainPoint, type CoinState, type CoinStateFilters, type Peak, type PeakChange } from '../chia/index.js';
import type { CoinReorgMessage, LiveCoinRecord, LiveErrorCode } from '../../schemas/live.js';
import { peakRef } from '../chain/peak-json.js';
import { envName } from '../config/options.js';
import { ChainMemory } from './chain-memory.js';
import { coinCursor } from './coin-cursor.js';
import type { CoinBlock, CoinChange, CoinKeys, CoinUpstream } from './coin-feed.js';
import { serializeCoins, type CoinsEvent, type QueuedEvent } from './live-events.js';
import type { LiveClient } from './live-client.js';
import type { ControlType, LiveTransport } from './live-sink.js';

/** Events delivered by one broadcast, per transport. */
export type SentCount = Record<LiveTransport, number>;

/** What the coin hub uses of the peak hub: delivery (queue-aware), control messages and the client set. */
export interface CoinHost {
  /** Sends (or, while the client's resume runs, queues) an event; false when the client was shed. */
  deliver(client: LiveClient, event: QueuedEvent): boolean;
  /** Counts one broadcast's deliveries per transport in the live metrics. */
  countSent(type: string, sent: SentCount): void;
  /** Sends an event now, ahead of what is queued (a resume's own events); false when the client was shed. */
  send(client: LiveClient, event: QueuedEvent): boolean;
  control(client: LiveClient, type: ControlType, message: object, sseId?: string): void;
  /** True while the client is connected and served. */
  served(client: LiveClient): boolean;
  /** Starts queueing the client's events. */
  hold(client: LiveClient): void;
  /**
   * Sends what was queued, skipping coin events of heights up to `covered` (the resume read them);
   * stops after a reorg below `covered` and returns its fork point (read again from there), else null.
   */
  release(client: LiveClient, covered: number | null): number | null;
  peak(): Peak | null;
}

export interface CoinHubOptions {
  network: string;
  /** Distinct keys all clients together may watch (ws.maxCoinKeysTotal). */
  maxKeysTotal: number;
  /** How deep a reorg is assumed when the cursor's block is unknown here (config confirmations). */
  forkGuessDepth: number;
  /** Heights and rolled-back blocks remembered for resumes (ws.replaySize). */
  memorySize: number;
}

/** Everything the node has for a key: spent and unspent, hinted, any amount. */
const ALL_STATES: CoinStateFilters = { include_spent: true, include_unspent: true, include_hinted: true, min_amount: 0n };
/** A resume whose start point left the chain this many times in a row gives up (the chain is too unsettled). */
const MAX_RESUME_RESTARTS = 5;

const maxHeight = (state: CoinState): number => Math.max(state.created_height ?? 0, state.spent_height ?? 0);
const pointOf = (peak: Peak): ChainPoint => ({ height: peak.height, header_hash: peak.header_hash });

/** The client-facing record of a coin state (LiveCoinRecord); `id` when already known. */
export function coinRecord(state: CoinState, hint: string | null, id = toHex(coinId(state.coin))): LiveCoinRecord {
  const { coin } = state;
  return {
    coin_id: id,
    coin: { parent_coin_info: toHex(coin.parent_coin_info), puzzle_hash: toHex(coin.puzzle_hash), amount: String(coin.amount) },
    confirmed_block_index: state.created_height,
    spent: state.spent_height !== null,
    spent_block_index: state.spent_height,
    hint,
  };
}

class ResumeError extends Error {
  constructor(readonly code: LiveErrorCode, message: string) {
    super(message);
  }
}

interface KeyRef {
  count: number;
  ready: Promise<void>;
}

export type CoinHub = ReturnType<typeof createCoinHub>;

export function createCoinHub(upstream: CoinUpstream, host: CoinHost, options: CoinHubOptions) {
  const memory = new ChainMemory(options.memorySize);
  const refs = new Map<string, KeyRef>();
  const byPuzzleHash = new Map<string, Set<LiveClient>>();
  const byCoinId = new Map<string, Set<LiveClient>>();
  let batch: { keys: CoinKeys; since: ChainPoint | undefined; done: Promise<void> } | null = null;

  // ---- keys: one watch per distinct key ----

  const refKey = (kind: 'p' | 'c', key: string) => kind + key;

  /**
   * Takes a reference on each key; resolves when all are watched upstream, each key new here delivering
   * every change after `since` (the subscriber's start; by default the upstream's best peak).
   */
  function acquire(keys: CoinKeys, since: ChainPoint | undefined): Promise<void> {
    const waits: Promise<void>[] = [];
    const take = (kind: 'p' | 'c', key: string) => {
      const existing = refs.get(refKey(kind, key));
      if (existing !== undefined) {
        existing.count++;
        waits.push(existing.ready);
        return;
      }
      const open = openBatch(since);
      (kind === 'p' ? open.keys.puzzle_hashes : open.keys.coin_ids).push(key);
      refs.set(refKey(kind, key), { count: 1, ready: open.done });
      waits.push(open.done);
    };
    for (const ph of keys.puzzle_hashes) take('p', ph);
    for (const id of keys.coin_ids) take('c', id);
    return Promise.all(waits).then(() => undefined);
  }

  /** New keys of one turn of the event loop go upstream in one watch call, from the earliest start among them. */
  function openBatch(since: ChainPoint | undefined): { keys: CoinKeys; done: Promise<void> } {
    if (batch !== null) {
      if (since !== undefined && (batch.since === undefined || since.height < batch.since.height)) batch.since = since;
      return batch;
    }
    const keys: CoinKeys = { puzzle_hashes: [], coin_ids: [] };
    const done = new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        batch = null;
        upstream.watchCoins(keys, open.since).then(resolve, (err: unknown) => {
          // Keys that failed are forgotten, so that the next client tries again.
          for (const ph of keys.puzzle_hashes) refs.delete(refKey('p', ph));
          for (const id of keys.coin_ids) refs.delete(refKey('c', id));
          reject(err);
        });
      });
    });
    // A batch nobody awaits any more (every client left) must not be an unhandled rejection.
    done.catch(() => undefined);
    const open = { keys, since, done };
    batch = open;
    return open;
  }

  /** Gives back one reference per key; keys nobody watches any more are unwatched upstream. */
  function release(keys: CoinKeys): void {
    const gone: CoinKeys = { puzzle_hashes: [], coin_ids: [] };
    const drop = (kind: 'p' | 'c', key: string, into: string[]) => {
      const ref = refs.get(refKey(kind, key));
      if (ref === undefined) return;
      if (--ref.count > 0) return;
      refs.delete(refKey(kind, key));
      into.push(key);
    };
    for (const ph of keys.puzzle_hashes) drop('p', ph, gone.puzzle_hashes);
    for (const id of keys.coin_ids) drop('c', id, gone.coin_ids);
    if (gone.puzzle_hashes.length + gone.coin_ids.length === 0) return;
    // A key of a batch not sent yet leaves the batch instead (it was never watched).
    if (batch !== null) {
      const pending = batch.keys;
      const unsent = (list: string[], from: string[]) => list.filter((key) => !from.includes(key));
      const phs = gone.puzzle_hashes.filter((k) => pending.puzzle_hashes.includes(k));
      const ids = gone.coin_ids.filter((k) => pending.coin_ids.includes(k));
      pending.puzzle_hashes = unsent(pending.puzzle_hashes, phs);
      pending.coin_ids = unsent(pending.coin_ids, ids);
      gone.puzzle_hashes = unsent(gone.puzzle_hashes, phs);
      gone.coin_ids = unsent(gone.coin_ids, ids);
    }
    if (gone.puzzle_hashes.length + gone.coin_ids.length > 0) upstream.unwatchCoins(gone);
  }

  function newKeyCount(keys: CoinKeys): number {
    return keys.puzzle_hashes.filter((k) => !refs.has(refKey('p', k))).length + keys.coin_ids.filter((k) => !refs.has(refKey('c', k))).length;
  }

  function index(client: LiveClient, keys: CoinKeys, add: boolean): void {
    const apply = (map: Map<string, Set<LiveClient>>, key: string) => {
      let set = map.get(key);
      if (add) {
        if (set === undefined) map.set(key, (set = new Set()));
        set.add(client);
      } else if (set !== undefined) {
        set.delete(client);
        if (set.size === 0) map.delete(key);
      }
    };
    for (const ph of keys.puzzle_hashes) apply(byPuzzleHash, ph);
    for (const id of keys.coin_ids) apply(byCoinId, id);
  }

  // ---- live blocks ----

  function onCoins(block: CoinBlock): void {
    const matched = new Map<LiveClient, number[]>();
    const add = (clients: Set<LiveClient> | undefined, i: number) => {
      if (clients === undefined) return;
      for (const client of clients) {
        if (block.height <= client.coinsCovered) continue;
        const list = matched.get(client);
        if (list === undefined) matched.set(client, [i]);
        else if (list[list.length - 1] !== i) list.push(i);
      }
    };
    const ids: string[] = [];
    block.changes.forEach((change, i) => {
      const { coin } = change.state;
      const id = toHex(coinId(coin));
      ids.push(id);
      const byId = byCoinId.get(id);
      const byOwn = byPuzzleHash.get(toHex(coin.puzzle_hash));
      if (block.late === true) {
        // The coin went out before to the clients of its id and puzzle hash: now to the hint's others.
        const hinted = change.hint === null ? undefined : byPuzzleHash.get(change.hint);
        if (hinted !== undefined) add(new Set([...hinted].filter((client) => !byId?.has(client) && !byOwn?.has(client))), i);
        return;
      }
      add(byId, i);
      add(byOwn, i);
      if (change.hint !== null) add(byPuzzleHash.get(change.hint), i);
    });
    if (matched.size === 0) return;
    const point = { height: block.height, header_hash: block.header_hash };
    const records = new Map<number, LiveCoinRecord>();
    const recordOf = (i: number) => {
      let record = records.get(i);
      if (record === undefined) {
        const change = block.changes[i] as CoinChange;
        records.set(i, (record = coinRecord(change.state, change.hint, ids[i])));
      }
      return record;
    };
    // One event per distinct set of matched coins: clients with the same keys share its bytes.
    const events = new Map<string, CoinsEvent>();
    const sent: SentCount = { ws: 0, sse: 0 };
    for (const [client, list] of matched) {
      const key = list.join(',');
      let event = events.get(key);
      if (event === undefined) events.set(key, (event = coinsEvent(block.fork_height, point, list.map(recordOf))));
      if (host.deliver(client, event)) sent[client.sink.transport]++;
    }
    host.countSent('coins', sent);
  }

  function coinsEvent(fromHeight: number | null, point: ChainPoint, coins: LiveCoinRecord[]): CoinsEvent {
    const cursor = coinCursor(point);
    return serializeCoins({ type: 'coins', cursor, data: { from_height: fromHeight, height: point.height, header_hash: point.header_hash, coins } });
  }

  // ---- subscriptions and resumes ----

  function drop(client: LiveClient): void {
    const keys = client.coins;
    if (keys === null) return;
    client.coins = null;
    index(client, keys, false);
    release(keys);
  }

  function fail(client: LiveClient, code: LiveErrorCode, message: string): void {
    drop(client);
    if (!host.served(client)) return;
    host.control(client, 'error', { code, message });
    // The queued peaks follow, the coins of the keys that failed do not.
    host.hold(client);
    host.release(client, null);
  }

  /**
   * Replaces the client's coin subscription by `keys`; with `cursor`, first sends what changed after
   * that block. Ends with `subscribed` (its cursor: where live coin events go on from) or an error.
   */
  async function subscribe(client: LiveClient, keys: CoinKeys, cursor: ChainPoint | null): Promise<void> {
    drop(client);
    const added = newKeyCount(keys);
    if (refs.size + added > options.maxKeysTotal) {
      host.control(client, 'error', {
        code: 'COIN_KEYS_EXHAUSTED',
        message: `the gateway watches its maximum of ${options.maxKeysTotal} distinct keys (${envName('wsMaxCoinKeysTotal')}); retry later`,
      });
      return;
    }
    client.coins = keys;
    client.coinsCovered = -1;
    index(client, keys, true);
    // From here every live event of this client waits until the resume is sent.
    host.hold(client);
    const peak = host.peak();
    const now = peak === null ? undefined : pointOf(peak);
    try {
      // Keys new upstream deliver every change after this peak: without a cursor, nothing is read.
      await acquire(keys, now);
      if (client.coins !== keys) return;
      const { end, replayed } = cursor !== null ? await resume(client, keys, cursor) : { end: now ?? null, replayed: 0 };
      if (client.coins !== keys || !host.served(client)) return;
      // Before the queued events: on SSE its id is the cursor they move on from.
      const next = end === null ? null : coinCursor(end);
      host.control(client, 'subscribed', { topics: ['coins'], replayed, cursor: next }, next ?? undefined);
      // A reorg that came while the resume was read drops some of what it sent: read again from its fork.
      client.coinsCovered = end?.height ?? -1;
      for (let fork = host.release(client, end?.height ?? null); fork !== null; ) {
        const again = await resume(client, keys, memory.pointAtOrBelow(fork));
        if (client.coins !== keys || !host.served(client)) return;
        client.coinsCovered = again.end.height;
        fork = host.release(client, again.end.height);
      }
    } catch (err) {
      // A subscription that replaced this one meanwhile owns the queue now.
      if (client.coins !== keys) return;
      const message = err instanceof ResumeError ? err.message : `coin events are not available now: ${err instanceof Error ? err.message : String(err)}`;
      fail(client, err instanceof ResumeError ? err.code : 'COINS_UNAVAILABLE', message);
    }
  }

  /**
   * Sends what changed for `keys` after `from`; returns the block it read up to. A start point off
   * the chain is answered with this client's reorg and a new start at the fork.
   */
  async function resume(client: LiveClient, keys: CoinKeys, from: ChainPoint | null): Promise<{ end: ChainPoint; replayed: number }> {
    let start: ChainPoint | null = from;
    let replayed = 0;
    for (let restarts = 0; ; restarts++) {
      try {
        const end = await readSince(client, keys, start, (count) => (replayed += count));
        return { end, replayed };
      } catch (err) {
        if (!(err instanceof StaleStart) || restarts >= MAX_RESUME_RESTARTS) throw err;
        start = announceFork(client, err.point);
      }
    }
  }

  /** Reads and sends pages from `start` (null: genesis); throws StaleStart when a start left the chain. */
  async function readSince(client: LiveClient, keys: CoinKeys, start: ChainPoint | null, sent: (count: number) => void): Promise<ChainPoint> {
    let from = start;
    let end: ChainPoint | null = null;
    /** Coins sent by the puzzle-state read, not sent again for their coin id. */
    const seen = new Set<string>();
    if (keys.puzzle_hashes.length > 0) {
      for (;;) {
        const page = await upstream.getPuzzleStatePage(keys.puzzle_hashes, ALL_STATES, from).catch((err: unknown) => rethrow(err, from));
        if (client.coins !== keys) return page.next;
        for (const state of page.coin_states) seen.add(toHex(coinId(state.coin)));
        if (page.coin_states.length > 0) {
          const changes = await withHints(page.coin_states, keys.puzzle_hashes, from).catch((err: unknown) => rethrow(err, from));
          if (client.coins !== keys) return page.next;
          sendStates(client, from, page.next, changes, keys);
        }
        sent(page.coin_states.length);
        if (page.is_finished) {
          from = page.next;
          break;
        }
        // A node cannot split one height across pages: more states at one height than a reply holds never end.
        if (page.next.height <= (from?.height ?? -1)) {
          throw new ResumeError('COINS_UNAVAILABLE', `the node cannot page past height ${page.next.height + 1}: more states there than one reply holds`);
        }
        from = page.next;
      }
      end = from;
    } else if (start !== null) {
      // No puzzle-state read checks the start point: what the gateway saw of the chain does.
      const fork = memory.forkOf(start);
      if (fork !== null && fork < start.height) throw new StaleStart(start);
    }
    if (keys.coin_ids.length > 0) {
      const read = await upstream.getCoinStates(keys.coin_ids);
      if (client.coins !== keys) return read.at;
      end ??= read.at;
      // States newer than the puzzle-state read come with the live events that follow it.
      const above = start?.height ?? -1;
      const top = end.height;
      const states = read.coin_states.filter((s) => maxHeight(s) > above && maxHeight(s) <= top && !seen.has(toHex(coinId(s.coin))));
      if (states.length > 0) sendStates(client, start, end, states.map((state) => ({ state, hint: null })), keys);
      sent(states.length);
    }
    if (end === null) throw new Error('a coin subscription without keys');
    return end;
  }

  /**
   * The states of a puzzle-state read over `puzzleHashes` after `from`, each with its hint: a state whose
   * puzzle hash is none of them was read for its hint (the node does not say which, PROTOCOL.md §e.4).
   * One key is that key; more are bisected as the upstream does for live updates (bisectHints), each
   * read over part of the keys from the block below the earliest change (or `from`), narrowed by amount.
   */
  async function withHints(states: CoinState[], puzzleHashes: string[], from: ChainPoint | null): Promise<CoinChange[]> {
    const own = new Set(puzzleHashes);
    const pending = states.filter((state) => !own.has(toHex(state.coin.puzzle_hash))).map((state) => ({ id: toHex(coinId(state.coin)), state }));
    const hints =
      pending.length === 0
        ? new Map<string, string>()
        : await bisectHints(pending, puzzleHashes, (part, coins) => {
            const below = memory.pointAtOrBelow(Math.min(...coins.map((c) => maxHeight(c.state))) - 1);
            const start = below !== null && below.height > (from?.height ?? -1) ? below : from;
            return coinsSeen(coins, start, (at, min_amount) => upstream.getPuzzleStatePage(part, { ...ALL_STATES, min_amount }, at));
          });
    return states.map((state) => ({ state, hint: own.has(toHex(state.coin.puzzle_hash)) ? null : (hints.get(toHex(coinId(state.coin))) ?? null) }));
  }

  function sendStates(client: LiveClient, from: ChainPoint | null, to: ChainPoint, changes: CoinChange[], keys: CoinKeys): void {
    if (client.coins !== keys || !host.served(client)) return;
    // Straight to the client: its live events wait behind the resume.
    host.send(client, coinsEvent(from?.height ?? null, to, changes.map((c) => coinRecord(c.state, c.hint))));
  }

  /** Tells the client its cursor's chain forked, and returns where to read from again (null: genesis). */
  function announceFork(client: LiveClient, stale: ChainPoint): ChainPoint | null {
    const fork = memory.forkOf(stale) ?? Math.max(0, stale.height - options.forkGuessDepth);
    const restart = memory.pointAtOrBelow(fork);
    const peak = host.peak();
    const data: CoinReorgMessage['data'] = {
      fork_point: restart?.height ?? 0,
      rolled_back: { from: (restart?.height ?? 0) + 1, to: stale.height },
      previous: { height: stale.height, header_hash: stale.header_hash },
      peak: peak === null ? { height: stale.height, header_hash: stale.header_hash } : peakRef(peak),
    };
    host.control(client, 'reorg', { data });
    return restart;
  }

  const stopFeed = upstream.onCoins(onCoins);

  return {
    /** Follows the best peak (before its events are sent), for resumes across reorgs. */
    recordPeak(change: PeakChange): void {
      memory.record(change);
      // Blocks above a fork point are new again: their coin events are not covered by an earlier resume.
      const fork = change.forkPoint;
      if (fork === null) return;
      for (const clients of [...byPuzzleHash.values(), ...byCoinId.values()]) {
        for (const client of clients) client.coinsCovered = Math.min(client.coinsCovered, fork);
      }
    },
    subscribe,
    /** Ends the client's coin subscription (unsubscribe, or the client left). */
    drop,
    /** Distinct keys watched now. */
    get keyCount(): number {
      return refs.size;
    },
    close(): void {
      stopFeed();
    },
  };
}

/** A read whose start point is no longer on the node's chain. */
class StaleStart extends Error {
  constructor(readonly point: ChainPoint) {
    super(`block ${point.height} left the chain`);
  }
}

function rethrow(err: unknown, from: ChainPoint | null): never {
  if (err instanceof UpstreamError && err.code === 'STATE_REORG' && from !== null) throw new StaleStart(from);
  throw err;
}
