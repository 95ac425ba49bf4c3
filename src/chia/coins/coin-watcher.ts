/**
 * The coin watch's bookkeeping (the CoinWatch face of the upstream): callers' interests reference-counted
 * per distinct key; each key registered with ONE node, on the ready wallet link with the fewest keys
 * that is below the node's SUBSCRIPTION_LIMIT (PROTOCOL.md §h.4); keys batched into one message per link
 * and kind per flush; removed LINGER_MS after their last caller let go (a quick re-watch costs nothing).
 *
 * How keys are registered, and why two message families:
 * - A new key: register_for_ph_updates / register_for_coin_updates with min_height just above the best
 *   peak. When the best peak moved since the key was first watched (a caller reads what changed up to
 *   then; the blocks that came meanwhile, or a reorg, must not fall between that read and the
 *   registration), the key catches up from that peak instead, as below. One message carries any
 *   number of keys up to the node's cap, while request_puzzle_state handles only
 *   MAX_PUZZLE_STATE_HASHES (890 on common builds, §e.5) per message; the node's silent truncation at
 *   its cap never happens because this bookkeeping keeps every link below it.
 * - A key whose link was lost: request_puzzle_state / request_coin_state from the last block delivered
 *   for it, anchored by its header hash, with the subscribe flag, page after page until is_finished. Only
 *   these requests tell a stale start point (REORG: start again lower) and a full table
 *   (EXCEEDED_SUBSCRIPTION_LIMIT) apart from success, and they read every change since, so none is lost.
 *
 * States that match no watched coin id or puzzle hash were pushed for their hint: the hint resolver
 * (hint-resolver.ts) finds which of the link's (or the request's) puzzle hashes it is, keeping each
 * link's updates in order. Changes then go to the gate (coin-update-gate.ts), which orders them after
 * their peak and drops duplicates.
 */
import { coinId, fromHex, MessageType, toHex, types, type CoinState, type PayloadOf } from '../codec/index.js';
import { UpstreamError } from '../errors.js';
import type { IncomingFrame } from '../link/request-map.js';
import type { Logger } from '../logger.js';
import type { PeerLink } from '../link/peer-link.js';
import type { PeerAnswer } from '../link/peer-reply.js';
import type { Exchange } from '../peaks/peak-follower.js';
import { MAX_COIN_STATE_IDS, MAX_PUZZLE_STATE_HASHES, SUBSCRIPTION_LIMIT } from '../protocol/limits.js';
import type { RequestName } from '../protocol/message-rules.js';
import type { StateStart } from '../pool/wallet-replies.js';
import type { ChainPoint, CoinUpdate, CoinWatchKeys, CoinWatchStatus, Peak } from '../upstream-api.js';
import { HintResolver, type PendingCoin } from './hint-resolver.js';

/** How long a key no caller watches stays registered: a quick re-watch (a page reload) costs nothing. */
export const LINGER_MS = 5_000;
/** Keys watched within this window leave in one message per link and kind. */
export const FLUSH_MS = 10;
/** Wait before registering again after a request failed without its link closing (a timeout, a busy link). */
export const RETRY_MS = 1_000;
/** First step back below a start point the node rejected as reorged away; it doubles on each reject. */
export const STEP_BACK_BLOCKS = 32;

type Kind = 'puzzle_hash' | 'coin_id';
const KINDS: readonly Kind[] = ['puzzle_hash', 'coin_id'];

/** The messages of each kind of key (PROTOCOL.md §e.4). */
const MESSAGES = {
  puzzle_hash: { register: 'register_for_ph_updates', remove: 'request_remove_puzzle_subscriptions', state: 'request_puzzle_state' },
  coin_id: { register: 'register_for_coin_updates', remove: 'request_remove_coin_subscriptions', state: 'request_coin_state' },
} as const;

/** A 32-byte hash as hex digits, 0x-prefixed or not. */
const HASH_HEX = /^(0x)?[0-9a-fA-F]{64}$/;

interface Entry {
  kind: Kind;
  hex: string;
  refs: number;
  /** The link that holds (or is being given) the key; null while pending. */
  book: LinkBook | null;
  /** Registered on `book` (else pending, or its registration is in flight). */
  registered: boolean;
  /** Where a catch-up starts (the key's link was lost); null: a fresh registration. */
  from: ChainPoint | null;
  /** The block its callers have its changes through (the best peak when first watched, unless given): a registration after a later peak catches up from it. */
  since: ChainPoint | null;
  /** The block through which the key's changes were delivered, as of `book`'s announcement number `seq`. */
  anchor: ChainPoint | null;
  seq: number;
  linger: NodeJS.Timeout | undefined;
  /** Released for good while its registration was in flight: removed once it lands. */
  dropped: boolean;
}

/** What the watcher knows of one ready wallet link. */
interface LinkBook {
  link: PeerLink;
  keys: Set<Entry>;
  /** Registered keys the last caller released, to remove in the next flush. */
  removals: Set<Entry>;
  /** Keys whose removal is in flight: a re-watch waits for it, or the node could drop the new registration. */
  removing: Set<string>;
  /** The node refused more subscriptions: no new key until some are removed. */
  full: boolean;
  /** The link's latest announced peak and how many it announced: what its registered keys are delivered through. */
  through: ChainPoint | null;
  seq: number;
}

export interface CoinWatcherDeps {
  /** The ready wallet links. */
  readyLinks: () => PeerLink[];
  exchange: Exchange;
  best: () => Peak | null;
  /** The main-chain header hash at `height` (to start a catch-up lower after a REORG reject). */
  hashAt: (height: number) => Promise<string>;
  /**
   * Where a state read after `from` starts (null: from genesis, whose challenge the upstream knows or
   * learns), as every other state read of the upstream starts.
   */
  stateStart: (from: ChainPoint | null) => Promise<StateStart>;
  /** Hands changes on (to the gate). */
  deliver: (update: CoinUpdate) => void;
  logger: Logger;
  lingerMs?: number;
  flushMs?: number;
  retryMs?: number;
  /** The node's subscription cap per link (default SUBSCRIPTION_LIMIT). */
  subscriptionLimit?: number;
}

export class CoinWatcher {
  readonly #deps: CoinWatcherDeps;
  readonly #entries = new Map<string, Entry>();
  readonly #books = new Map<PeerLink, LinkBook>();
  readonly #messages: Record<string, number> = {};
  readonly #hints: HintResolver;
  #flushTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(deps: CoinWatcherDeps) {
    this.#deps = deps;
    this.#hints = new HintResolver({
      readyLinks: deps.readyLinks,
      exchange: (link, message, payload, accept) => {
        this.#count(message);
        return deps.exchange(link, message, payload, accept);
      },
      stateStart: deps.stateStart,
      hashAt: deps.hashAt,
      deliver: deps.deliver,
      logger: deps.logger,
    });
  }

  /** Takes a reference on each key; a key new here delivers every change after `since` (default: the best peak now). */
  watch(keys: CoinWatchKeys, since?: ChainPoint): () => void {
    const wanted = [...(keys.puzzle_hashes ?? []).map((h) => keyOf('puzzle_hash', h)), ...(keys.coin_ids ?? []).map((h) => keyOf('coin_id', h))];
    const entries = [...new Map(wanted.map((k) => [`${k.kind}:${k.hex}`, k])).values()].map((k) => this.#hold(k.kind, k.hex, since ?? this.#bestPoint()));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const entry of entries) this.#release(entry);
    };
  }

  status(): CoinWatchStatus {
    const count = (kind: Kind, entries: Iterable<Entry>) => [...entries].filter((e) => e.kind === kind).length;
    const all = [...this.#entries.values()];
    return {
      puzzle_hashes: count('puzzle_hash', all),
      coin_ids: count('coin_id', all),
      pending: all.filter((e) => e.book === null).length,
      links: [...this.#books.values()].map((b) => ({ peer: b.link.address, puzzle_hashes: count('puzzle_hash', b.keys), coin_ids: count('coin_id', b.keys) })),
      messages: { ...this.#messages },
    };
  }

  /** Links whose updates wait for hints to be resolved (or checked). */
  get resolving(): number {
    return this.#hints.busy;
  }

  /** Watched keys not registered with a node yet (waiting for a link, or their registration in flight). */
  get registering(): number {
    return [...this.#entries.values()].filter((e) => !e.registered).length;
  }

  /** A coin_state_update a wallet link received (PROTOCOL.md §b.3, §e.4). */
  onPush(frame: IncomingFrame, link: PeerLink): void {
    let update;
    try {
      update = types.CoinStateUpdate.decode(frame.data);
    } catch (err) {
      this.#deps.logger.warn({ peer: link.address, err: (err as Error).message }, 'undecodable coin_state_update ignored');
      return;
    }
    const { height, fork_height, peak_hash, items } = update;
    const book = this.#books.get(link);
    // What the node pushed for a hint is hinted to one of the puzzle hashes registered on this link.
    const candidates = book === undefined ? [] : [...book.keys].filter((e) => e.kind === 'puzzle_hash').map((e) => e.hex);
    // A plain extension forks at its parent; below that the change rolled blocks back.
    const coins = { height, header_hash: toHex(peak_hash), fork_height: fork_height < height - 1 ? fork_height : null, coin_states: items, hints: new Map(), peer: link.address };
    const { byHint, direct } = split(items, (kind, hex) => book !== undefined && this.#entries.get(`${kind}:${hex}`)?.book === book);
    this.#hints.push(link, coins, byHint, candidates, fork_height, direct);
  }

  /** `link` announced a peak: every key registered on it is delivered through that block. */
  onAnnounced(link: PeerLink, point: ChainPoint): void {
    const book = this.#books.get(link);
    if (!book) return;
    book.through = point;
    book.seq++;
  }

  /** A wallet link changed state: a new ready link takes keys; a lost one hands its keys on. */
  onLink(link: PeerLink): void {
    if (link.state === 'ready') return this.#schedule();
    const book = this.#books.get(link);
    if (!book) return;
    this.#books.delete(link);
    for (const entry of book.keys) {
      entry.from = this.#delivered(entry, book) ?? entry.from;
      entry.book = null;
      entry.registered = false;
    }
    if (book.keys.size > 0) this.#deps.logger.info({ peer: link.address, keys: book.keys.size }, 'wallet link lost: its watched keys move to another link and catch up');
    this.#schedule();
  }

  /** The best peak changed: keys waiting for one can go. */
  onPeak(): void {
    if ([...this.#entries.values()].some((e) => e.book === null)) this.#schedule();
  }

  close(): void {
    this.#closed = true;
    this.#hints.close();
    clearTimeout(this.#flushTimer);
    for (const entry of this.#entries.values()) clearTimeout(entry.linger);
  }

  #hold(kind: Kind, hex: string, since: ChainPoint | null): Entry {
    const id = `${kind}:${hex}`;
    let entry = this.#entries.get(id);
    if (!entry) {
      entry = { kind, hex, refs: 0, book: null, registered: false, from: null, since, anchor: null, seq: 0, linger: undefined, dropped: false };
      this.#entries.set(id, entry);
      this.#schedule();
    } else if (entry.book === null && since !== null && entry.since !== null && since.height < entry.since.height) {
      // Not sent yet: it starts from the earlier of its callers' points.
      entry.since = since;
    }
    entry.refs++;
    clearTimeout(entry.linger);
    entry.linger = undefined;
    entry.dropped = false;
    // Watched again before its removal left: it stays registered.
    entry.book?.removals.delete(entry);
    return entry;
  }

  #release(entry: Entry): void {
    if (--entry.refs > 0) return;
    entry.linger = setTimeout(() => this.#forget(entry), this.#deps.lingerMs ?? LINGER_MS);
    entry.linger.unref();
  }

  /** The last caller let go LINGER_MS ago: the key leaves (its node registration in the next flush). */
  #forget(entry: Entry): void {
    entry.linger = undefined;
    if (entry.refs > 0) return;
    this.#entries.delete(`${entry.kind}:${entry.hex}`);
    const book = entry.book;
    if (book === null) return;
    if (!entry.registered) {
      entry.dropped = true;
      return;
    }
    book.removals.add(entry);
    this.#schedule();
  }

  /** The block `entry`'s changes were delivered through on `book`. */
  #delivered(entry: Entry, book: LinkBook): ChainPoint | null {
    return book.seq > entry.seq && book.through !== null ? book.through : entry.anchor;
  }

  #schedule(): void {
    if (this.#closed || this.#flushTimer !== undefined) return;
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = undefined;
      this.#flush();
    }, this.#deps.flushMs ?? FLUSH_MS);
    this.#flushTimer.unref();
  }

  #bookOf(link: PeerLink): LinkBook {
    let book = this.#books.get(link);
    if (!book) {
      book = { link, keys: new Set(), removals: new Set(), removing: new Set(), full: false, through: null, seq: 0 };
      this.#books.set(link, book);
    }
    return book;
  }

  /** Sends what the bookkeeping asks for: removals, then new registrations and catch-ups, batched per link. */
  #flush(): void {
    if (this.#closed) return;
    for (const book of this.#books.values()) if (book.removals.size > 0) this.#remove(book);
    const best = this.#deps.best();
    const books = this.#deps.readyLinks().map((link) => this.#bookOf(link));
    if (best === null || books.length === 0) return;
    const limit = this.#deps.subscriptionLimit ?? SUBSCRIPTION_LIMIT;
    /** Per book, kind and start point: the keys it takes now. */
    const batches = new Map<LinkBook, Map<string, { kind: Kind; from: ChainPoint | null; entries: Entry[] }>>();
    for (const entry of this.#entries.values()) {
      if (entry.book !== null || books.some((b) => b.removing.has(entry.hex))) continue;
      let target: LinkBook | undefined;
      for (const b of books) if (!b.full && b.keys.size < limit && (target === undefined || b.keys.size < target.keys.size)) target = b;
      if (target === undefined) {
        this.#deps.logger.warn({ limit }, 'watched coin keys wait: every ready wallet link is at its subscription limit');
        break;
      }
      entry.book = target;
      target.keys.add(entry);
      let groups = batches.get(target);
      if (!groups) batches.set(target, (groups = new Map()));
      // Watched before the best peak moved: what came since is read, not left to a registration from now on.
      const from = entry.from ?? (entry.since !== null && entry.since.header_hash !== best.header_hash ? entry.since : null);
      const group = `${entry.kind}:${from === null ? 'new' : `${from.height}:${from.header_hash}`}`;
      let batch = groups.get(group);
      if (!batch) groups.set(group, (batch = { kind: entry.kind, from, entries: [] }));
      batch.entries.push(entry);
    }
    const start: ChainPoint = { height: best.height, header_hash: best.header_hash };
    for (const [book, groups] of batches) {
      for (const { kind, from, entries } of groups.values()) {
        if (from === null) void this.#register(book, kind, entries, start);
        else void this.#catchUp(book, kind, entries, from);
      }
    }
  }

  /** register_for_*_updates for keys new to the node, from just above `start` (the best peak). */
  async #register(book: LinkBook, kind: Kind, entries: Entry[], start: ChainPoint): Promise<void> {
    const keys = entries.map((e) => fromHex(e.hex));
    const min_height = start.height + 1;
    const message = MESSAGES[kind].register;
    // The node answers with the states since min_height it already has (its peak may be ahead of ours).
    const states = await this.#send(book, message, kind === 'puzzle_hash' ? { puzzle_hashes: keys, min_height } : { coin_ids: keys, min_height }, (reply) =>
      reply.type === MessageType.respond_to_ph_updates ? types.RespondToPhUpdates.decode(reply.data).coin_states : types.RespondToCoinUpdates.decode(reply.data).coin_states,
    ).catch((error: unknown) => this.#failed(book, entries, error));
    if (states === undefined) return;
    this.#registered(book, entries, book.through ?? start);
    this.#deliverRead(book, kind, entries, states, book.through ?? start);
  }

  /**
   * Registers keys a lost link held on `book`, reading every change after `from` first: pages of
   * request_puzzle_state until is_finished (which subscribes), or one request_coin_state (subscribe).
   */
  async #catchUp(book: LinkBook, kind: Kind, entries: Entry[], from: ChainPoint): Promise<void> {
    const chunk = kind === 'puzzle_hash' ? MAX_PUZZLE_STATE_HASHES : MAX_COIN_STATE_IDS;
    for (let i = 0; i < entries.length; i += chunk) {
      const part = entries.slice(i, i + chunk);
      let point: ChainPoint | null = from;
      let back = STEP_BACK_BLOCKS;
      for (;;) {
        if (book.link.state !== 'ready' || part.every((e) => e.book !== book)) return;
        const keys = part.map((e) => fromHex(e.hex));
        let page: { states: CoinState[]; next: ChainPoint | null; finished: boolean } | undefined;
        try {
          const anchor = await this.#deps.stateStart(point);
          page =
            kind === 'puzzle_hash'
              ? await this.#send(book, 'request_puzzle_state', { puzzle_hashes: keys, ...anchor, filters: ALL_STATES, subscribe_when_finished: true }, (reply) => {
                  const r = types.RespondPuzzleState.decode(reply.data);
                  return { states: r.coin_states, next: { height: r.height, header_hash: toHex(r.header_hash) }, finished: r.is_finished };
                })
              : await this.#send(book, 'request_coin_state', { coin_ids: keys, ...anchor, subscribe: true }, (reply) => ({
                  states: types.RespondCoinState.decode(reply.data).coin_states,
                  next: null,
                  finished: true,
                }));
        } catch (error) {
          if (error instanceof UpstreamError && error.code === 'STATE_REORG' && point !== null) {
            // The start left the node's chain: start lower, twice as deep each time, down to genesis.
            const lower: ChainPoint | null | undefined = await this.#below(point, back).catch((e: unknown) => this.#failed(book, part, e));
            if (lower === undefined) return;
            point = lower;
            back *= 2;
            continue;
          }
          return this.#failed(book, part, error);
        }
        const at = page.next ?? book.through ?? this.#bestPoint() ?? from;
        this.#deliverRead(book, kind, part, page.states, at);
        if (page.finished) {
          this.#registered(book, part, at);
          break;
        }
        point = page.next;
      }
    }
  }

  /** A start point `depth` blocks below `point` (null: genesis). */
  async #below(point: ChainPoint, depth: number): Promise<ChainPoint | null> {
    const height = point.height - depth;
    if (height < 0) return null;
    return { height, header_hash: await this.#deps.hashAt(height) };
  }

  #bestPoint(): ChainPoint | null {
    const best = this.#deps.best();
    return best === null ? null : { height: best.height, header_hash: best.header_hash };
  }

  #registered(book: LinkBook, entries: Entry[], at: ChainPoint): void {
    for (const entry of entries) {
      if (entry.book !== book) continue;
      entry.registered = true;
      entry.from = null;
      entry.anchor = at;
      entry.seq = book.seq;
      if (entry.dropped) book.removals.add(entry);
    }
    if (book.removals.size > 0) this.#schedule();
  }

  /**
   * States read from a node (a registration's reply, a catch-up page) go out like pushed ones, after the
   * link's earlier updates; those read for a hint are hinted to one of the request's puzzle hashes.
   */
  #deliverRead(book: LinkBook, kind: Kind, entries: Entry[], states: CoinState[], at: ChainPoint): void {
    if (states.length === 0) return;
    const keys = new Set(entries.map((e) => e.hex));
    const candidates = kind === 'puzzle_hash' ? [...keys] : [];
    // Only pushes are checked for other hints of directly matched coins: a read's keys are new, and their clients resume with hinted coins read.
    const { byHint } = split(states, (keyKind, hex) => keyKind === kind && keys.has(hex));
    this.#hints.push(book.link, { ...at, fork_height: null, coin_states: states, hints: new Map(), peer: book.link.address }, byHint, candidates);
  }

  /** A registration or catch-up failed: its keys wait for the next flush (at once when their link is gone). */
  #failed(book: LinkBook, entries: Entry[], error: unknown): undefined {
    const code = error instanceof UpstreamError ? error.code : undefined;
    if (code === 'SUBSCRIPTION_LIMIT') book.full = true;
    for (const entry of entries) {
      if (entry.book !== book) continue;
      book.keys.delete(entry);
      entry.book = null;
      if (entry.dropped) this.#entries.delete(`${entry.kind}:${entry.hex}`);
    }
    if (this.#closed || code === 'CLOSED') return undefined;
    this.#deps.logger.warn({ peer: book.link.address, keys: entries.length, err: (error as Error).message }, 'registering watched coin keys failed; trying again');
    if (code === 'LINK_CLOSED' || code === 'SUBSCRIPTION_LIMIT') this.#schedule();
    else setTimeout(() => this.#schedule(), this.#deps.retryMs ?? RETRY_MS).unref();
    return undefined;
  }

  /** request_remove_*_subscriptions for the keys released on `book`, one message per kind. */
  #remove(book: LinkBook): void {
    for (const kind of KINDS) {
      const entries = [...book.removals].filter((e) => e.kind === kind);
      if (entries.length === 0) continue;
      for (const entry of entries) {
        book.removals.delete(entry);
        book.keys.delete(entry);
        book.removing.add(entry.hex);
        entry.book = null;
      }
      const keys = entries.map((e) => fromHex(e.hex));
      const payload = kind === 'puzzle_hash' ? { puzzle_hashes: keys } : { coin_ids: keys };
      book.full = false;
      void this.#send(book, MESSAGES[kind].remove, payload, () => undefined)
        .catch((err: unknown) => this.#deps.logger.info({ peer: book.link.address, err: (err as Error).message }, 'removing coin subscriptions failed (they end with the link)'))
        .finally(() => {
          for (const entry of entries) book.removing.delete(entry.hex);
          this.#schedule();
        });
    }
  }

  #send<N extends RequestName, T>(book: LinkBook, message: N, payload: PayloadOf<N>, accept: (reply: PeerAnswer<N>) => T): Promise<T> {
    this.#count(message);
    return this.#deps.exchange(book.link, message, payload, accept);
  }

  #count(message: string): void {
    this.#messages[message] = (this.#messages[message] ?? 0) + 1;
  }
}

/**
 * The states a node sent for the keys of one link or request: a state whose puzzle hash or coin id is
 * none of them was sent for its hint (`byHint`); one that matched itself (`direct`) may be hinted to
 * another of the puzzle hashes as well.
 */
function split(states: CoinState[], isKey: (kind: Kind, hex: string) => boolean): { byHint: PendingCoin[]; direct: PendingCoin[] } {
  const byHint: PendingCoin[] = [];
  const direct: PendingCoin[] = [];
  for (const state of states) {
    const coin = { id: toHex(coinId(state.coin)), state };
    (isKey('puzzle_hash', toHex(state.coin.puzzle_hash)) || isKey('coin_id', coin.id) ? direct : byHint).push(coin);
  }
  return { byHint, direct };
}

/** Every state of a catch-up, as a registration would push them: spent, unspent, hinted, any amount. */
const ALL_STATES = { include_spent: true, include_unspent: true, include_hinted: true, min_amount: 0n };

/** A key as the watcher keeps it: its kind and 0x lowercase hex; anything but 32 bytes of hex is a caller bug. */
function keyOf(kind: Kind, hex: string): { kind: Kind; hex: string } {
  if (typeof hex !== 'string' || !HASH_HEX.test(hex)) throw new UpstreamError('INVALID_REQUEST', `invalid ${kind.replace('_', ' ')} ${String(hex)}: expected 32 bytes of hex`);
  return { kind, hex: `0x${hex.replace(/^0x/, '').toLowerCase()}` };
}
