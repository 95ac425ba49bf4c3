/**
 * Which watched puzzle hash a coin was pushed for. A node pushes coin_state_update for the coins whose
 * puzzle hash OR hint is one of the puzzle hashes registered on that connection, and does not say which
 * (PROTOCOL.md §e.4). A state that matches no watched coin id and no watched puzzle hash was therefore
 * pushed for its hint, which is one of the puzzle hashes registered on the link that pushed it (or, for
 * a registration's reply or a catch-up page, one of the keys of that request). The hint is found by
 * bisection: a request_puzzle_state (include_hinted, from the block below the coin's last change, no
 * subscription) over half of the candidates either holds the coin (the hint is in that half) or not
 * (the other half), so about log2(n) reads resolve it; all unresolved coins of one update share one
 * bisection tree, each read checked against every coin still pending there. One candidate needs no read.
 *
 * A coin that matched a watched key itself (its puzzle hash or id) leaves at once, but may ALSO be
 * hinted to another puzzle hash of the same link, whose clients the node does not push it to again.
 * After its update left, a check (otherHints) reads the link's other puzzle hashes for the update's such
 * coins, about one read per MAX_PUZZLE_STATE_HASHES keys, all at once (plus one per own puzzle hash when
 * a few of them are watched); a hint found goes out as a late update of the same block, for the clients
 * of that hint alone (the others had the coin). The check holds nothing: the link's later updates leave
 * meanwhile, and the late update follows them.
 *
 * Order: updates of one link leave in arrival order (a per-link queue), so a block's changes still reach
 * the gate (coin-update-gate.ts, which orders them after their peak and drops duplicates) in block
 * order. An update with nothing to resolve and nothing queued before it leaves at once. An update still
 * waiting when the same node pushes a rollback below its block (or another block at its height forking
 * at its parent: a one-block reorg, passed on as a plain extension) is superseded (delivered late, it
 * would follow the reorg it predates): its states changed above the fork are reverted, and the rollback's
 * update carries what changed; its states last changed at or below the fork still hold and the node
 * does not push them again, so they join the rollback's update (and are resolved with it).
 *
 * Failure: a read that fails (its link lost, a timeout, a busy link, no ready link) is tried again on a
 * ready wallet link, the pushing one first, up to HINT_READ_ATTEMPTS times, waiting HINT_RETRY_MS before
 * the second and twice as long before each next one: a link that reconnects or a node that is busy for
 * a few seconds still resolves it (the link's later updates wait meanwhile, in order). Any wallet node can
 * answer, as the read subscribes to nothing. When every attempt fails, or the coin's block left the node's chain
 * (STATE_REORG: the node pushes the rollback next), the update still leaves with those hints unknown:
 * clients watching the coin's id or puzzle hash are not held up, and the hinted clients get the coin
 * with their next resume (whose read includes hinted coins). A coin a reorg deleted (no created
 * height) is in no node's coin set any more, so no read finds it: it leaves unresolved, and its hinted
 * clients drop it with the reorg announced before it.
 */
import { coinId, fromHex, toHex, type CoinState } from '../codec/index.js';
import { UpstreamError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { PeerLink } from '../link/peer-link.js';
import { decodeReply } from '../link/peer-reply.js';
import type { Exchange } from '../peaks/peak-follower.js';
import { MAX_PUZZLE_STATE_HASHES } from '../protocol/limits.js';
import type { StateStart } from '../pool/wallet-replies.js';
import type { ChainPoint, CoinUpdate } from '../upstream-api.js';

/** Tries of one resolution read (on a ready wallet link each) before the update leaves without those hints. */
export const HINT_READ_ATTEMPTS = 5;
/** Wait before the second try of a resolution read; it doubles before each next one (7.5 s in all). */
export const HINT_RETRY_MS = 500;

/** A coin whose hint is looked for: its 0x id and the state that was pushed. */
export interface PendingCoin {
  id: string;
  state: CoinState;
}

/** Reads which of `coins` are among the states of coins with, or hinted to, one of `keys` (at most MAX_PUZZLE_STATE_HASHES). */
export type HintProbe = (keys: string[], coins: PendingCoin[]) => Promise<Set<string>>;

/**
 * The hint of each coin among `keys` (0x puzzle hashes it was matched by), one bisection tree for all
 * of them. Over MAX_PUZZLE_STATE_HASHES keys, the first level reads parts of that size one after the
 * other (the last part by elimination) instead of halves, which would take several messages each.
 */
export async function bisectHints(coins: PendingCoin[], keys: readonly string[], probe: HintProbe): Promise<Map<string, string>> {
  const hints = new Map<string, string>();
  const walk = async (part: readonly string[], pending: PendingCoin[]): Promise<void> => {
    if (pending.length === 0 || part.length === 0) return;
    if (part.length === 1) {
      for (const coin of pending) hints.set(coin.id, part[0]!);
      return;
    }
    const parts = Math.max(2, Math.ceil(part.length / MAX_PUZZLE_STATE_HASHES));
    const size = Math.ceil(part.length / parts);
    let rest = pending;
    for (let start = 0; start < part.length; start += size) {
      const slice = part.slice(start, start + size);
      if (start + size >= part.length) return walk(slice, rest);
      const found = await probe(slice, rest);
      await walk(slice, rest.filter((coin) => found.has(coin.id)));
      rest = rest.filter((coin) => !found.has(coin.id));
      if (rest.length === 0) return;
    }
  };
  await walk(keys, coins);
  return hints;
}

/**
 * The hint among `keys` of each of `coins` that has one there, none of them known to (one key at most
 * per coin: the node keeps one hint per coin). A probe finds a coin hinted to one of its keys, but also
 * one whose own puzzle hash is among them: callers leave the coins' own puzzle hashes out of `keys`.
 * Each part of MAX_PUZZLE_STATE_HASHES keys is read once (all at once), then bisected where it held some.
 */
export async function findHints(coins: PendingCoin[], keys: readonly string[], probe: HintProbe): Promise<Map<string, string>> {
  const parts: string[][] = [];
  for (let start = 0; start < keys.length; start += MAX_PUZZLE_STATE_HASHES) parts.push(keys.slice(start, start + MAX_PUZZLE_STATE_HASHES));
  if (coins.length === 0) return new Map();
  const found = await Promise.all(parts.map((part) => probe(part, coins)));
  const hints = new Map<string, string>();
  for (const [i, part] of parts.entries()) {
    const held = coins.filter((coin) => found[i]!.has(coin.id) && !hints.has(coin.id));
    for (const [id, hint] of await bisectHints(held, part, probe)) hints.set(id, hint);
  }
  return hints;
}

/** Checks of directly matched coins running at once on one link; an update beyond goes unchecked. */
export const CHECKS_PER_LINK_MAX = 16;

/** Watched puzzle hashes among a check's own coins above which their mutual hints are not read (a read each). */
export const OWN_KEYS_CHECKED_MAX = 8;

/**
 * Which of `coins`, each matched by its own puzzle hash or coin id, are also hinted to ANOTHER of `keys`
 * (a link's puzzle hashes): first over the keys that are none of the coins' own puzzle hashes; then,
 * for the coins of each own puzzle hash P among the keys, over the others of those (as when an offer
 * pays P and sends a CAT hinted to P in one block), unless more than OWN_KEYS_CHECKED_MAX are.
 */
export async function otherHints(coins: PendingCoin[], keys: readonly string[], probe: HintProbe): Promise<Map<string, string>> {
  const ownOf = (coin: PendingCoin) => toHex(coin.state.coin.puzzle_hash);
  const watched = new Set(keys);
  const own = new Set(coins.map(ownOf).filter((key) => watched.has(key)));
  const hints = await findHints(
    coins,
    keys.filter((key) => !own.has(key)),
    probe,
  );
  if (own.size < 2 || own.size > OWN_KEYS_CHECKED_MAX) return hints;
  for (const key of own) {
    const group = coins.filter((coin) => ownOf(coin) === key && !hints.has(coin.id));
    for (const [id, hint] of await findHints(group, [...own].filter((other) => other !== key), probe)) hints.set(id, hint);
  }
  return hints;
}

/** A puzzle-state page as a probe reads it: its states, where it ends and whether the read is done. */
export interface ProbePage {
  coin_states: CoinState[];
  next: ChainPoint;
  is_finished: boolean;
}

/**
 * The ids of `coins` a puzzle-state read from `start` holds, read page by page (narrowed to their
 * smallest amount) until every one is seen or the read ends. It does not stop at the coins' known
 * heights: a coin spent since it was read comes later in the node's order, on a later page.
 */
export async function coinsSeen(
  coins: PendingCoin[],
  start: ChainPoint | null,
  readPage: (at: ChainPoint | null, minAmount: bigint) => Promise<ProbePage>,
): Promise<Set<string>> {
  const minAmount = coins.reduce((min, c) => (c.state.coin.amount < min ? c.state.coin.amount : min), coins[0]!.state.coin.amount);
  const wanted = new Set(coins.map((c) => c.id));
  const found = new Set<string>();
  for (let at = start; ; ) {
    const page = await readPage(at, minAmount);
    for (const state of page.coin_states) {
      const id = toHex(coinId(state.coin));
      if (wanted.has(id)) found.add(id);
    }
    if (page.is_finished || found.size === wanted.size || page.next.height <= (at?.height ?? -1)) return found;
    at = page.next;
  }
}

export interface HintResolverDeps {
  /** The ready wallet links (another one answers when the pushing link is gone). */
  readyLinks: () => PeerLink[];
  exchange: Exchange;
  /** Where a state read after `from` starts (the upstream's stateStart). */
  stateStart: (from: ChainPoint | null) => Promise<StateStart>;
  /** The main-chain header hash at `height`. */
  hashAt: (height: number) => Promise<string>;
  /** Hands the update on (to the gate), hints filled where found. */
  deliver: (update: CoinUpdate) => void;
  logger: Logger;
}

const lastChange = (state: CoinState): number => Math.max(state.created_height ?? 0, state.spent_height ?? 0);

/** An update in a link's queue, with what push() was given for it. */
interface Waiting {
  update: CoinUpdate;
  pending: PendingCoin[];
  candidates: readonly string[];
  stale: boolean;
}

/**
 * A rollback (`next`, forking at `fork` below the blocks of updates still waiting) makes them stale; their
 * states last changed at or below its fork still hold and the node pushes them no more, so they join the
 * rollback's update, before its own states, with their hints and candidates. A push forking at its
 * parent replaces only a waiting update of another block at its own height (a one-block reorg).
 */
function supersede(waiting: Waiting[], next: Waiting, fork: number): Waiting {
  const { height, header_hash } = next.update;
  const replaced = (update: CoinUpdate): boolean =>
    update.height > fork && (fork < height - 1 || (update.height === height && update.header_hash !== header_hash));
  const ids = new Set(next.update.coin_states.map((state) => toHex(coinId(state.coin))));
  const states: CoinState[] = [];
  const pending: PendingCoin[] = [];
  const hints = new Map(next.update.hints);
  const candidates = new Set(next.candidates);
  for (const entry of waiting) {
    if (entry.stale || !replaced(entry.update)) continue;
    entry.stale = true;
    const kept = new Set<string>();
    for (const state of entry.update.coin_states) {
      const id = toHex(coinId(state.coin));
      if (lastChange(state) > fork || ids.has(id)) continue;
      ids.add(id);
      kept.add(id);
      states.push(state);
      const hint = entry.update.hints.get(id);
      if (hint !== undefined) hints.set(id, hint);
    }
    pending.push(...entry.pending.filter((coin) => kept.has(coin.id)));
    for (const key of entry.candidates) candidates.add(key);
  }
  if (states.length === 0) return next;
  const update = { ...next.update, coin_states: [...states, ...next.update.coin_states], hints };
  return { update, pending: [...pending, ...next.pending], candidates: [...candidates], stale: false };
}

export class HintResolver {
  readonly #deps: HintResolverDeps;
  /** Per link: the last update in its queue (resolving or waiting); absent when the link's queue is empty. */
  readonly #queues = new Map<PeerLink, Promise<void>>();
  /** Per link: the updates in its queue, in order; `stale` once a later rollback superseded them. */
  readonly #waiting = new Map<PeerLink, Waiting[]>();
  /** Per link: checks of directly matched coins running (#startCheck). */
  readonly #checks = new Map<PeerLink, number>();
  #closed = false;

  constructor(deps: HintResolverDeps) {
    this.#deps = deps;
  }

  /**
   * Takes an update `link` delivered: `pending` are its states pushed for a hint, `direct` those that
   * matched a key of the link themselves, `candidates` the puzzle hashes a hint may be (the link's, or
   * the request's), `fork` the fork height the node pushed it with (null for a read). Leaves now when
   * nothing is to be resolved and nothing of the link waits before it; the check of `direct` follows.
   */
  push(link: PeerLink, update: CoinUpdate, pending: PendingCoin[], candidates: readonly string[], fork: number | null = null, direct: PendingCoin[] = []): void {
    const before = this.#queues.get(link);
    const waiting = this.#waiting.get(link) ?? [];
    if (fork !== null) ({ update, pending, candidates } = supersede(waiting, { update, pending, candidates, stale: false }, fork));
    // With no candidate there is nothing to find; a coin a reorg deleted is in no coin set: no read finds it.
    const work = candidates.length === 0 ? [] : pending.filter((coin) => coin.state.created_height !== null);
    const checked = candidates.length < 2 ? [] : direct.filter((coin) => coin.state.created_height !== null);
    let run: Promise<void> | undefined;
    if (before === undefined && (work.length === 0 || candidates.length === 1)) {
      // Nothing to read: a single candidate is the hint of every coin pushed for one.
      const only = candidates[0];
      this.#deps.deliver(work.length === 0 || only === undefined ? update : { ...update, hints: new Map([...update.hints, ...work.map((c) => [c.id, only] as const)]) });
      if (checked.length === 0) return;
    } else {
      const entry = { update, pending, candidates, stale: false };
      waiting.push(entry);
      this.#waiting.set(link, waiting);
      run = (before ?? Promise.resolve())
        .then(() => (entry.stale ? update : this.#resolve(link, update, work, candidates)))
        .then((resolved) => {
          waiting.splice(waiting.indexOf(entry), 1);
          if (!this.#closed && !entry.stale) this.#deps.deliver(resolved);
        });
    }
    if (run !== undefined) {
      const tail = run;
      this.#queues.set(link, tail);
      void tail.finally(() => {
        if (this.#queues.get(link) !== tail) return;
        this.#queues.delete(link);
        this.#waiting.delete(link);
      });
    }
    if (checked.length > 0) this.#startCheck(link, run ?? Promise.resolve(), update, checked, candidates);
  }

  /**
   * Checks `coins` once `delivered` (their update left), beside the link's queue: a check never holds
   * the link's coin events. Past CHECKS_PER_LINK_MAX checks at once on a link (a node slower than its
   * blocks, or its rate budget spent), the update's coins go unchecked: their hinted clients get them
   * with their next resume.
   */
  #startCheck(link: PeerLink, delivered: Promise<void>, update: CoinUpdate, coins: PendingCoin[], candidates: readonly string[]): void {
    const running = this.#checks.get(link) ?? 0;
    if (running >= CHECKS_PER_LINK_MAX) {
      this.#deps.logger.info({ peer: update.peer, height: update.height, coins: coins.length }, 'directly matched coins left unchecked for other hints: the link has too many checks running');
      return;
    }
    this.#checks.set(link, running + 1);
    void delivered
      // After this turn's work: the peak of the block, emitted once the connections were read, and its fan-out.
      .then(() => new Promise((resolve) => setImmediate(resolve)))
      .then(() => this.#check(link, update, coins, candidates))
      .finally(() => {
        const left = (this.#checks.get(link) ?? 1) - 1;
        if (left === 0) this.#checks.delete(link);
        else this.#checks.set(link, left);
      });
  }

  /** Links with updates waiting for their hints, and checks of directly matched coins running, across links. */
  get busy(): number {
    return this.#queues.size + [...this.#checks.values()].reduce((sum, n) => sum + n, 0);
  }

  /**
   * Whether the `coins` of `update` (each matched by its own puzzle hash or id, gone out already) are
   * also hinted to another of `candidates`; those that are leave again as late updates of the blocks
   * they last changed in, for the clients of the hint alone. Failing, it leaves them to the hinted
   * clients' next resume.
   */
  async #check(link: PeerLink, update: CoinUpdate, coins: PendingCoin[], candidates: readonly string[]): Promise<void> {
    try {
      const hints = await otherHints(coins, candidates, (keys, some) => this.#probe(link, keys, some));
      // Each as of the block of its last change (an update after a rollback spans several blocks; a
      // later reorg may replace its tip and keep those): the gate drops what left the chain since.
      const byHeight = new Map<number, CoinState[]>();
      for (const coin of coins.filter((c) => hints.has(c.id))) {
        const height = lastChange(coin.state);
        const states = byHeight.get(height);
        if (states === undefined) byHeight.set(height, [coin.state]);
        else states.push(coin.state);
      }
      for (const [height, states] of byHeight) {
        const header_hash = await this.#deps.hashAt(height);
        if (this.#closed) return;
        this.#deps.deliver({ height, header_hash, fork_height: null, coin_states: states, hints, peer: update.peer, late: true });
      }
    } catch (error) {
      // The block left the chain: its coins come again with the rollback, checked then.
      if (this.#closed || (error instanceof UpstreamError && error.code === 'STATE_REORG')) return;
      this.#deps.logger.warn({ peer: update.peer, height: update.height, coins: coins.length, err: (error as Error).message }, 'whether directly matched coins are also hinted to another watched puzzle hash could not be read');
    }
  }

  close(): void {
    this.#closed = true;
  }

  async #resolve(link: PeerLink, update: CoinUpdate, pending: PendingCoin[], candidates: readonly string[]): Promise<CoinUpdate> {
    if (pending.length === 0) return update;
    try {
      const hints = new Map(update.hints);
      const found = await bisectHints(pending, candidates, (part, some) => this.#probe(link, part, some));
      for (const [id, hint] of found) hints.set(id, hint);
      return { ...update, hints };
    } catch (error) {
      if (!this.#closed) {
        this.#deps.logger.warn({ peer: update.peer, height: update.height, coins: pending.length, err: (error as Error).message }, 'the hint of pushed coins could not be resolved: they leave without it');
      }
      return update;
    }
  }

  /** One read of the bisection, tried on a ready wallet link (the pushing one first) up to HINT_READ_ATTEMPTS times, backing off. */
  async #probe(pusher: PeerLink, keys: string[], coins: PendingCoin[]): Promise<Set<string>> {
    let failure: unknown;
    for (let attempt = 0; attempt < HINT_READ_ATTEMPTS; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, HINT_RETRY_MS * 2 ** (attempt - 1)).unref());
      if (this.#closed) throw new UpstreamError('CLOSED', 'the upstream is closed');
      const links = this.#deps.readyLinks();
      const link = links.includes(pusher) ? pusher : links[0];
      if (link === undefined) {
        failure = new UpstreamError('NO_READY_LINK', 'no ready wallet link to resolve hints with');
        continue;
      }
      try {
        return await this.#read(link, keys, coins);
      } catch (error) {
        // The coin's block left the chain: the node's rollback follows, and no read finds the coin.
        if (error instanceof UpstreamError && error.code === 'STATE_REORG') throw error;
        failure = error;
      }
    }
    throw failure;
  }

  /**
   * request_puzzle_state over `keys`, narrowed as far as it stays correct: from the block below the
   * earliest last change of `coins` (a state matches when created or spent at or above min_height),
   * hinted coins included, spent and unspent (the coin may have changed since), the smallest amount
   * among them; pages followed until every coin is found or the read is finished. Not only up to the
   * coins' pushed heights: a coin spent since it was pushed comes at its spent height, on a later page.
   */
  async #read(link: PeerLink, keys: string[], coins: PendingCoin[]): Promise<Set<string>> {
    const low = Math.min(...coins.map((c) => lastChange(c.state)));
    const start = low === 0 ? null : { height: low - 1, header_hash: await this.#deps.hashAt(low - 1) };
    const puzzle_hashes = keys.map((k) => fromHex(k));
    return coinsSeen(coins, start, async (at, min_amount) => {
      const payload = { puzzle_hashes, ...(await this.#deps.stateStart(at)), filters: { include_spent: true, include_unspent: true, include_hinted: true, min_amount }, subscribe_when_finished: false };
      const page = await this.#deps.exchange(link, 'request_puzzle_state', payload, (reply) => decodeReply(reply, 'respond_puzzle_state'));
      return { coin_states: page.coin_states, next: { height: page.height, header_hash: toHex(page.header_hash) }, is_finished: page.is_finished };
    });
  }
}
