/**
 * Request routing for the upstream manager: a request goes to the least busy ready link of its role,
 * preferring peers neither far behind the best peak nor demoted for an invalid reply, and is retried
 * once on another peer when theirs dies, answers wrongly, or lags behind the height asked for. Every
 * exchange is reported as a RequestOutcome. It reads the slots and the peak tracker the manager owns
 * and owns only the demotions.
 *
 * It does not coalesce identical requests: the block cache does, keyed by its reorg epoch, so a miss
 * after a reorg never shares a request made before it (a second, epoch-blind layer here once let one
 * do so, and an orphaned block was cached under the new epoch). The clients a coalesced request serves
 * travel with it as an OnBehalfOf, down to the pacing queue of whichever link sends it.
 */
import type { PayloadOf } from '../codec/index.js';
import { UpstreamError, type UpstreamErrorCode } from '../errors.js';
import type { LinkSlot } from './link-slot.js';
import type { Logger } from '../logger.js';
import type { OnBehalfOf } from '../link/on-behalf-of.js';
import type { PeakTracker } from '../peaks/peak-tracker.js';
import type { PeerLink } from '../link/peer-link.js';
import { rejectError, type PeerAnswer, type PeerReply } from '../link/peer-reply.js';
import type { RequestName } from '../protocol/message-rules.js';
import { isInvalidReply } from './upstream-replies.js';
import type { LinkState, RequestOutcome, Role } from '../upstream-api.js';

/** A link whose peak is this many blocks behind the best is used only when no other is ready. */
export const LAGGING_BLOCKS = 10;
/** A peer that sent an invalid reply is, for this long, used only when no other link is ready. */
export const DEMOTED_MS = 5 * 60_000;
/** #pickLink's minPeak when any peer will do. */
const ANY_PEAK = -1;
/**
 * Longest a request waits for a link of its role that is coming back (connecting, handshaking, or
 * reconnecting within this time) before it fails NO_READY_LINK: a peer's connection dropping, or a
 * node restarting, then costs its callers a short wait instead of an error (capped by the request
 * timeout). A role with no peer to go to (`idle`) or banned for longer fails at once.
 */
export const RIDE_THROUGH_MS = 5_000;
/** Link states from which a slot becomes ready without any peer changing its mind. */
const COMING_BACK: ReadonlySet<LinkState> = new Set(['connecting', 'handshaking', 'reconnecting']);
/** The outcome of a request failing with these codes; any other failure is an `error`. */
const FAILED_OUTCOMES: Partial<Record<UpstreamErrorCode, RequestOutcome['outcome']>> = {
  UPSTREAM_TIMEOUT: 'timeout',
  // Never sent: the pacing queue refused it, it was still waiting at its deadline, or the link had
  // its cap of requests in flight.
  PACING_QUEUE_FULL: 'busy',
  PACING_TIMEOUT: 'busy',
  TOO_MANY_IN_FLIGHT: 'busy',
};

export interface RequestRouterDeps {
  /** Every slot of every role (the manager's array, read at each pick). */
  slots: readonly LinkSlot[];
  peaks: PeakTracker;
  /** The configured roles, to name the fix when a request needs another. */
  roles: readonly Role[];
  isClosed: () => boolean;
  report: (outcome: RequestOutcome) => void;
  logger: Logger;
  /** How long a request may wait for a link of its role that is coming back (default RIDE_THROUGH_MS). */
  rideThroughMs?: number;
}

/** How one request is routed, beyond its role. */
export interface Route {
  /**
   * The peer to ask first while one of its links is ready (e.g. the one that served the previous page
   * of a walk: another node may be at another height); otherwise the request goes as usual.
   */
  prefer?: string;
  /** Deadline of each attempt, when the request has its own (default: the link's). */
  timeoutMs?: number;
}

export class RequestRouter {
  readonly #deps: RequestRouterDeps;
  /** Peer address → epoch ms until which its links are deprioritised (see #demote). */
  readonly #demotedUntil = new Map<string, number>();
  /** Requests waiting for a link of their role to come back (see #comingBack). */
  readonly #waiters = new Set<{ role: Role; done: (ready: boolean) => void }>();
  readonly #watched = new WeakSet<LinkSlot>();
  /**
   * Requests routed to each link and not settled yet. A request is neither queued nor in flight on its
   * link until the pacer lets it go (a microtask later at the earliest), so without this count every
   * request of a burst (the batches of one walk) would pick the same least busy link: with it they
   * spread over every ready link, each paced by its own node's limits.
   */
  readonly #routed = new Map<PeerLink, number>();

  constructor(deps: RequestRouterDeps) {
    this.#deps = deps;
  }

  /**
   * Sends request `message` with its payload on a ready link of `role`, for the clients `onBehalfOf`
   * names, and turns the answer into a value with `accept`, which throws UPSTREAM_INVALID_REPLY for a
   * bad one; a refusal is UPSTREAM_REJECTED. `height` is the highest height the request needs (a
   * reject from a peer below it may be retried, see #retryFloor).
   *
   * It tries one link, then at most one other peer (a single retry budget per request, so a bad pool
   * cannot multiply traffic). When the retry also fails, or finds no link, the first error is kept
   * unless the retry produced its own.
   */
  async request<N extends RequestName, T>(
    role: Role,
    message: N,
    payload: PayloadOf<N>,
    height: number,
    accept: (reply: PeerAnswer<N>) => T,
    onBehalfOf?: OnBehalfOf,
    route: Route = {},
  ): Promise<T> {
    if (this.#deps.isClosed()) throw new UpstreamError('CLOSED', 'the upstream manager is closed');
    const tried = new Set<string>();
    let minPeak = ANY_PEAK;
    let firstError: unknown;
    let waited = false;
    for (;;) {
      const link = (tried.size === 0 ? this.#readyLinkOf(role, route.prefer) : undefined) ?? this.#pickLink(role, tried, minPeak);
      if (!link) {
        if (this.#deps.isClosed()) throw new UpstreamError('CLOSED', 'the upstream manager is closed');
        // Once per request, and only where any peer will do (not for a reject's up-to-date peer): wait
        // for a link coming back, e.g. the one whose drop failed the first attempt.
        if (!waited && minPeak === ANY_PEAK && (await this.#comingBack(role))) {
          waited = true;
          continue;
        }
        // The retry found no other link: report why the first attempt failed.
        if (firstError !== undefined) throw firstError;
        throw this.#noReadyLink(role);
      }
      tried.add(link.address);
      this.#routed.set(link, (this.#routed.get(link) ?? 0) + 1);
      try {
        return await this.exchange(link, role, message, payload, accept, { onBehalfOf, timeoutMs: route.timeoutMs });
      } catch (error) {
        if (this.#deps.isClosed()) throw new UpstreamError('CLOSED', 'the upstream manager is closed', { cause: error });
        if (isInvalidReply(error)) this.#demote(link.address, message, (error as Error).message);
        const floor = firstError === undefined ? this.#retryFloor(error, link.address, height) : undefined;
        if (floor === undefined) throw error;
        // A dropped link's peer may serve the retry over its next link; a peer that answered wrongly may not.
        if (error instanceof UpstreamError && error.code === 'LINK_CLOSED') tried.delete(link.address);
        firstError = error;
        minPeak = floor;
        this.#deps.logger.debug({ peer: link.address, message, err: (error as Error).message }, 'trying once on another peer');
      } finally {
        const left = (this.#routed.get(link) ?? 1) - 1;
        if (left > 0) this.#routed.set(link, left);
        else this.#routed.delete(link);
      }
    }
  }

  /**
   * Sends the same request to up to `count` ready links of `role` at once, each to a different peer
   * (least busy first, as for a single request), and waits until every one settled. With no ready
   * link it waits for one coming back, as request() does. Each attempt is reported; nothing is retried
   * (the other peers are the redundancy).
   */
  async requestEach<N extends RequestName, T>(
    role: Role,
    message: N,
    payload: PayloadOf<N>,
    count: number,
    accept: (reply: PeerAnswer<N>) => T,
    onBehalfOf?: OnBehalfOf,
    route: Route = {},
  ): Promise<{ peer: string; result: PromiseSettledResult<T> }[]> {
    if (this.#deps.isClosed()) throw new UpstreamError('CLOSED', 'the upstream manager is closed');
    let links = this.#pickLinks(role, count);
    if (links.length === 0 && (await this.#comingBack(role))) links = this.#pickLinks(role, count);
    if (links.length === 0) {
      if (this.#deps.isClosed()) throw new UpstreamError('CLOSED', 'the upstream manager is closed');
      throw this.#noReadyLink(role);
    }
    const results = await Promise.allSettled(links.map((link) => this.exchange(link, role, message, payload, accept, { onBehalfOf, timeoutMs: route.timeoutMs })));
    return results.map((result, i) => {
      const peer = links[i]!.address;
      if (result.status === 'rejected' && isInvalidReply(result.reason)) this.#demote(peer, message, (result.reason as Error).message);
      return { peer, result };
    });
  }

  /** Up to `count` links of `role` to different peers, in the order #pickLink would choose them. */
  #pickLinks(role: Role, count: number): PeerLink[] {
    const picked: PeerLink[] = [];
    const peers = new Set<string>();
    while (picked.length < count) {
      const link = this.#pickLink(role, peers, ANY_PEAK);
      if (!link) break;
      picked.push(link);
      peers.add(link.address);
    }
    return picked;
  }

  /** A ready link of `role` to `peer`, if there is one. */
  #readyLinkOf(role: Role, peer: string | undefined): PeerLink | undefined {
    if (peer === undefined) return undefined;
    for (const slot of this.#deps.slots) {
      if (slot.deps.role === role && slot.link?.state === 'ready' && slot.link.address === peer) return slot.link;
    }
    return undefined;
  }

  #noReadyLink(role: Role): UpstreamError {
    return new UpstreamError('NO_READY_LINK', `no ${role} link is ready${this.#deps.roles.includes(role) ? '' : ` (add ${role} to roles)`}`);
  }

  /**
   * Waits, up to the ride-through time, for a link of `role` to become ready; true when one did. It
   * does not wait when no slot of the role is coming back within that time (none has a peer to try,
   * or the next attempt is later, e.g. a ban).
   */
  async #comingBack(role: Role): Promise<boolean> {
    const waitMs = this.#deps.rideThroughMs ?? RIDE_THROUGH_MS;
    const until = Date.now() + waitMs;
    const slots = this.#deps.slots.filter((s) => s.deps.role === role && COMING_BACK.has(s.state) && (s.retry === null || s.retry.at < until));
    if (slots.length === 0) return false;
    for (const slot of slots) this.#watch(slot);
    return new Promise((resolve) => {
      const waiter = {
        role,
        done: (ready: boolean) => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          resolve(ready);
        },
      };
      const timer = setTimeout(() => waiter.done(false), waitMs);
      this.#waiters.add(waiter);
    });
  }

  /** Listens to a slot once (not once per waiting request): a ready link wakes the waiters of its role. */
  #watch(slot: LinkSlot): void {
    if (this.#watched.has(slot)) return;
    this.#watched.add(slot);
    slot.on('state', (state) => {
      const closing = state === 'closed' && this.#deps.isClosed();
      if (state !== 'ready' && !closing) return;
      for (const waiter of [...this.#waiters]) if (closing || waiter.role === slot.deps.role) waiter.done(!closing);
    });
  }

  /** One request on one link, reported as a RequestOutcome; a refusal or an unaccepted answer throws. */
  async exchange<N extends RequestName, T>(
    link: PeerLink,
    role: Role,
    message: N,
    payload: PayloadOf<N>,
    accept: (reply: PeerAnswer<N>) => T,
    options: { timeoutMs?: number; onBehalfOf?: OnBehalfOf } = {},
  ): Promise<T> {
    const started = Date.now();
    let outcome: RequestOutcome['outcome'] = 'error';
    try {
      const reply: PeerReply<N> = { ...(await link.request(message, payload, options.timeoutMs, options.onBehalfOf)), peer: link.address };
      if (reply.kind === 'reject') {
        outcome = 'reject';
        throw rejectError(reply, message);
      }
      const value = accept(reply);
      outcome = 'ok';
      return value;
    } catch (error) {
      if (error instanceof UpstreamError) outcome = FAILED_OUTCOMES[error.code] ?? outcome;
      throw error;
    } finally {
      this.#deps.report({ role, message, outcome, duration_ms: Date.now() - started, peer: link.address });
    }
  }

  /**
   * Whether a failed request deserves its one retry on another peer, and the lowest announced peak
   * that peer needs (ANY_PEAK: none); undefined for no retry.
   * - The link died, or the peer answered wrongly (undecodable, wrong type, wrong height, header hash
   *   other than it announced, §g.3): any other peer may answer right.
   * - A reject is the peer's answer that it lacks the block. Asked of another peer at random it would
   *   mostly spend that peer's rate-limit budget (§h) on the same reject, so it is retried only when
   *   the rejecting peer announced a peak below `height`, and only on a peer that announced one at or
   *   above it (the least busy link is not always the most up to date); with none, no request is sent.
   * - A timeout is not retried: the node stays silent on purpose in several cases (§e.8), and a second
   *   full timeout would double the caller's wait.
   */
  #retryFloor(error: unknown, peer: string, height: number): number | undefined {
    if (!(error instanceof UpstreamError)) return undefined;
    if (error.code === 'LINK_CLOSED' || isInvalidReply(error)) return ANY_PEAK;
    if (error.code !== 'UPSTREAM_REJECTED') return undefined;
    const own = this.#deps.peaks.latest(peer)?.height;
    return own !== undefined && own < height ? height : undefined;
  }

  /**
   * Deprioritises a peer that sent an invalid reply: for DEMOTED_MS its links are picked only when no
   * other link is ready, as for a lagging peer, so the next requests go elsewhere while a pool of one
   * keeps working (every reply is still checked). The link is kept, not recycled: reconnecting would
   * mostly reach the same peer again (explicit peers), and PeerLink already closes a link whose frames
   * are undecodable or of the wrong type.
   */
  #demote(peer: string, message: RequestName, reason: string): void {
    this.#demotedUntil.set(peer, Date.now() + DEMOTED_MS);
    this.#deps.logger.warn({ peer, message, err: reason, demotedForMs: DEMOTED_MS }, 'peer sent an invalid reply; deprioritised');
  }

  #isDemoted(peer: string): boolean {
    const until = this.#demotedUntil.get(peer);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.#demotedUntil.delete(peer);
    return false;
  }

  /**
   * Least busy ready link of `role` whose peer is not in `exclude` and announced a peak of at least
   * `minPeak`, preferring peers that are neither far behind the best peak nor demoted.
   */
  #pickLink(role: Role, exclude: Set<string>, minPeak: number): PeerLink | undefined {
    let best: { link: PeerLink; score: number } | undefined;
    for (const slot of this.#deps.slots) {
      const link = slot.link;
      if (slot.deps.role !== role || !link || link.state !== 'ready' || exclude.has(link.address)) continue;
      if (minPeak !== ANY_PEAK && (this.#deps.peaks.latest(link.address)?.height ?? -1) < minPeak) continue;
      const penalty = this.#deps.peaks.lag(link.address) > LAGGING_BLOCKS || this.#isDemoted(link.address) ? 1e9 : 0;
      const score = penalty + Math.max(this.#routed.get(link) ?? 0, link.inFlight + link.queued);
      if (!best || score < best.score) best = { link, score };
    }
    return best?.link;
  }
}
