/**
 * Outbound pacing for one link: keeps what we send under a share of the node's v1 or v2 limits
 * (PROTOCOL.md §h.1) with a sliding window per message type plus the aggregate window, and caps the
 * requests in flight. Sends that would exceed a limit wait in a bounded queue (one per message type,
 * so a slow type does not block a fast one); a full queue fails fast with PACING_QUEUE_FULL, and a send
 * still waiting at its deadline fails with PACING_TIMEOUT, both telling when the window frees up.
 *
 * Fairness between the gateway's clients (on-behalf-of.ts): a client may hold at most `clientShare`
 * of each window's count, so one client's flood leaves the rest of the allowance to the others (a
 * heavy client waits for its own entries to leave the window), and when room frees up it goes to the
 * waiting send whose client used the least of the window (first come first served among equals). A
 * send shared by several clients is counted for, and takes the turn of, the least served of them.
 * The gateway's own sends (no client) are held to no share.
 *
 * The queue is shared the same way: a client may hold at most `clientShare` of the queue's places
 * (at least one), so its flood cannot take the room another client's send needs to wait; its excess
 * fails fast with PACING_QUEUE_FULL, telling when its share of the window frees up (its waiting sends
 * then start to leave). A waiting send shared by several clients counts against the one holding the
 * fewest places, chosen when it joins the queue and again whenever a client joins it. The gateway's
 * own sends hold no client's places; only the queue's size bounds them.
 *
 * A sliding window at share ≤ 1 never puts more than share × limit into any fixed bucket of the same
 * length, so the node's fixed 60 s buckets are respected whatever their phase. That holds for send
 * times; the node buckets arrival times. A burst sent exactly one window after another could land in
 * one node bucket with it when it travels faster than the first, so the window is lengthened by a
 * guard (a tenth by default) that absorbs latency jitter up to that size.
 */
import { UpstreamError } from '../errors.js';
import type { ClientKey, OnBehalfOf } from './on-behalf-of.js';
import { AGGREGATE_LIMIT, RATE_LIMIT_WINDOW_MS } from '../protocol/limits.js';
import { rateLimitOf, type RateLimit } from '../protocol/rate-limits.js';

export interface RateLimiterOptions {
  /** Fraction of the node's limits we use (config.pacingShare). */
  share: number;
  /** Sends waiting at most (config.pacingQueueSize). */
  queueSize: number;
  /** Window length; 60 s against real nodes, scaled down in tests. */
  windowMs?: number;
  /** Added to the window against latency jitter; windowMs × WINDOW_GUARD_SHARE by default. */
  guardMs?: number;
  /** Requests in flight at most (granted and not yet released). */
  maxInFlight?: number;
  /** Limits by message name; the v2 table by default (see useLimits). */
  limitOf?: LimitOf;
  /** Fraction of each window's count, and of the queue, one client may hold (config.pacingClientShare); 1 (no cap) by default. */
  clientShare?: number;
  /** Longest a send waits in the queue (config.pacingMaxWaitMs); unbounded by default. */
  maxWaitMs?: number;
  now?: () => number;
}

export interface AcquireOptions {
  signal?: AbortSignal;
  /** The clients the send serves; without, it is the gateway's own. */
  onBehalfOf?: OnBehalfOf;
  /** This send's own bound on its wait (its request's deadline); the lower of it and maxWaitMs applies. */
  maxWaitMs?: number;
}

/** Looks up the limit of a message by name (undefined: not rate-limited). */
export type LimitOf = (name: string) => RateLimit | undefined;

/** Default guard, as a fraction of the window (6 s on the node's 60 s buckets). */
export const WINDOW_GUARD_SHARE = 0.1;

/**
 * A granted send. Call it once the request settled, to free its in-flight slot; call `sent()` right
 * after the bytes are written, so the window counts the real send time even when the event loop
 * delayed the send after the grant.
 */
export type Release = (() => void) & { sent(): void };

interface Entry {
  t: number;
  size: number;
  /** The client it was counted for; undefined for the gateway's own sends. */
  client: ClientKey | undefined;
}

class SlidingWindow {
  readonly #entries: Entry[] = [];
  #head = 0;
  #bytes = 0;
  /** Entries in the window per client. */
  readonly #byClient = new Map<ClientKey, number>();
  constructor(
    readonly maxCount: number,
    readonly maxBytes: number,
    readonly windowMs: number,
    /** Entries one client may hold. */
    readonly clientMax: number,
  ) {}

  #prune(now: number): void {
    // Entries are in grant order; a send stamped later than its successor only stays longer (safe side).
    for (let e = this.#entries[this.#head]; e !== undefined && e.t <= now - this.windowMs; e = this.#entries[this.#head]) {
      this.#bytes -= e.size;
      if (e.client !== undefined) {
        const left = (this.#byClient.get(e.client) ?? 1) - 1;
        if (left > 0) this.#byClient.set(e.client, left);
        else this.#byClient.delete(e.client);
      }
      this.#head++;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries.splice(0, this.#head);
      this.#head = 0;
    }
  }
  fits(now: number, size: number): boolean {
    this.#prune(now);
    return this.#entries.length - this.#head + 1 <= this.maxCount && this.#bytes + size <= this.maxBytes;
  }
  add(now: number, size: number, client: ClientKey | undefined): Entry {
    const entry = { t: now, size, client };
    this.#entries.push(entry);
    this.#bytes += size;
    if (client !== undefined) this.#byClient.set(client, (this.#byClient.get(client) ?? 0) + 1);
    return entry;
  }
  /** Entries `client` holds in the window. */
  used(now: number, client: ClientKey): number {
    this.#prune(now);
    return this.#byClient.get(client) ?? 0;
  }
  /** Whether `client` may add an entry without exceeding its share (the gateway's own always may). */
  allows(now: number, client: ClientKey | undefined): boolean {
    return client === undefined || this.used(now, client) < this.clientMax;
  }
  /** When the oldest entry leaves the window (a wake-up time for blocked senders); undefined when empty. */
  nextExpiry(now: number): number | undefined {
    this.#prune(now);
    const oldest = this.#entries[this.#head];
    return oldest === undefined ? undefined : oldest.t + this.windowMs;
  }
  /** When `client`'s oldest entry leaves the window, giving it room again. */
  clientExpiry(client: ClientKey): number {
    for (let i = this.#head; i < this.#entries.length; i++) {
      const entry = this.#entries[i] as Entry;
      if (entry.client === client) return entry.t + this.windowMs;
    }
    return 0;
  }
}

interface Waiter {
  name: string;
  size: number;
  onBehalfOf: OnBehalfOf | undefined;
  /** The client whose places in the queue it holds; undefined for the gateway's own sends. */
  holder: ClientKey | undefined;
  resolve: (release: Release) => void;
  reject: (error: unknown) => void;
  detach: () => void;
}

/** A waiter that may go now as far as its clients' shares go, the client it is counted for, and that client's use. */
interface Turn {
  waiter: Waiter;
  client: ClientKey | undefined;
  used: number;
}

export class RateLimiter {
  readonly #share: number;
  readonly #queueSize: number;
  readonly #windowMs: number;
  readonly #maxInFlight: number;
  readonly #clientShare: number;
  readonly #maxWaitMs: number;
  #limitOf: LimitOf;
  readonly #now: () => number;
  readonly #windows = new Map<string, SlidingWindow>();
  readonly #aggregate: SlidingWindow;
  readonly #queues = new Map<string, Waiter[]>();
  #queued = 0;
  /** Places in the queue one client may hold. */
  readonly #clientQueueMax: number;
  /** Places each client holds in the queue (see Waiter.holder). */
  readonly #held = new Map<ClientKey, number>();
  #inFlight = 0;
  /** An acquire happened: the table is fixed from then on. */
  #paced = false;
  /** Messages counted by record(), whose window entries a table switch must keep valid. */
  readonly #recorded = new Set<string>();
  /** Window entries of the latest grant, handed to its Release. */
  #lastGrant: Entry[] = [];
  #timer: NodeJS.Timeout | undefined;
  #closed: Error | undefined;

  constructor(options: RateLimiterOptions) {
    if (!(options.share > 0 && options.share <= 1)) throw new RangeError('pacingShare must be in (0, 1]');
    const clientShare = options.clientShare ?? 1;
    if (!(clientShare > 0 && clientShare <= 1)) throw new RangeError('pacingClientShare must be in (0, 1]');
    this.#share = options.share;
    this.#clientShare = clientShare;
    this.#maxWaitMs = options.maxWaitMs ?? Number.POSITIVE_INFINITY;
    this.#queueSize = options.queueSize;
    this.#clientQueueMax = Math.max(1, Math.floor(options.queueSize * clientShare));
    const windowMs = options.windowMs ?? RATE_LIMIT_WINDOW_MS;
    this.#windowMs = windowMs + (options.guardMs ?? Math.round(windowMs * WINDOW_GUARD_SHARE));
    this.#maxInFlight = options.maxInFlight ?? Number.POSITIVE_INFINITY;
    this.#limitOf = options.limitOf ?? rateLimitOf;
    this.#now = options.now ?? Date.now;
    this.#aggregate = this.#window(Math.floor(AGGREGATE_LIMIT.frequency * this.#share), Math.floor(AGGREGATE_LIMIT.maxTotal * this.#share));
  }

  /** Messages of `name` this limiter lets through per window (the pacing ceiling). */
  ceiling(name: string): number {
    const limit = this.#limitOf(name);
    return limit?.frequency == null ? Number.POSITIVE_INFINITY : Math.floor(limit.frequency * this.#share);
  }

  /**
   * Waits until a `size`-byte message `name` fits every limit, its client's share and an in-flight
   * slot; rejects with PACING_QUEUE_FULL when it would have to wait in a full queue or when its clients
   * already hold their share of the queue, and with PACING_TIMEOUT when it is still waiting after the
   * lower of maxWaitMs and `options.maxWaitMs`.
   */
  acquire(name: string, size: number, options: AcquireOptions = {}): Promise<Release> {
    if (this.#closed) return Promise.reject(this.#closed);
    this.#paced = true;
    const limit = this.#limitOf(name);
    // The node bans a message over max_size whatever the counts (§h.1): it can never be sent.
    if (limit && size > limit.maxSize) {
      return Promise.reject(
        new UpstreamError('MESSAGE_TOO_LARGE', `${name} of ${size} bytes exceeds the node's max_size ${limit.maxSize}`),
      );
    }
    const { signal, onBehalfOf } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const queue = this.#queues.get(name) ?? [];
    const now = this.#now();
    const own = this.#turnOf(name, onBehalfOf, now);
    // Goes at once unless a waiting send of its type could go instead (one held to its client's share cannot).
    if (own !== undefined && this.#nextTurn(queue, now) === undefined && this.#tryGrant(name, size, own.client)) {
      return Promise.resolve(this.#releaser(this.#lastGrant));
    }
    const holder = this.#holderOf(onBehalfOf);
    if (holder === null) {
      return Promise.reject(
        new UpstreamError(
          'PACING_QUEUE_FULL',
          `this client holds its share of the pacing queue (${this.#clientQueueMax} of its ${this.#queueSize} places); the rest is kept for other clients`,
          { retryAfterMs: this.#retryAfterMs(name, size, onBehalfOf) },
        ),
      );
    }
    if (this.#queued >= this.#queueSize) {
      return Promise.reject(
        new UpstreamError('PACING_QUEUE_FULL', `pacing queue full (${this.#queueSize} waiting); raise pacingQueueSize or add links`, {
          retryAfterMs: this.#retryAfterMs(name, size, onBehalfOf),
        }),
      );
    }
    const maxWaitMs = Math.min(this.#maxWaitMs, options.maxWaitMs ?? Number.POSITIVE_INFINITY);
    return new Promise<Release>((resolve, reject) => {
      const onAbort = () => {
        this.#remove(waiter);
        waiter.detach();
        reject(signal?.reason);
      };
      const onDeadline = () => {
        this.#remove(waiter);
        waiter.detach();
        const retryAfterMs = this.#retryAfterMs(name, size, onBehalfOf);
        reject(
          new UpstreamError('PACING_TIMEOUT', `${name} waited ${maxWaitMs} ms for pacing; the window has room again in ${retryAfterMs} ms`, {
            retryAfterMs,
          }),
        );
      };
      const deadline = Number.isFinite(maxWaitMs) ? setTimeout(onDeadline, maxWaitMs) : undefined;
      deadline?.unref();
      // A client joining a waiting send may hold fewer places, and may make it due now (its own share is not spent).
      const stopJoins = onBehalfOf?.onJoin(() => {
        this.#rehold(waiter);
        this.#schedule();
      });
      const waiter: Waiter = {
        name,
        size,
        onBehalfOf,
        holder,
        resolve,
        reject,
        detach: () => {
          clearTimeout(deadline);
          stopJoins?.();
          signal?.removeEventListener('abort', onAbort);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(waiter);
      this.#queues.set(name, queue);
      this.#queued++;
      this.#hold(holder, 1);
      this.#schedule();
    });
  }

  /** Counts a message sent outside acquire (the handshake) against the windows. */
  record(name: string, size: number): void {
    const now = this.#now();
    this.#recorded.add(name);
    for (const window of this.#windowsOf(name)) window.add(now, size, undefined);
  }

  /**
   * Switches the limit table before the first paced send: a link learns which table the node enforces
   * from its handshake (v1 unless both sides advertise RATE_LIMITS_V2, §h.1), after sending its own.
   * Throws once acquire was called, or when a recorded message (the handshake) has other limits in the
   * new table, since the windows already counted would then follow the wrong rules.
   */
  useLimits(limitOf: LimitOf): void {
    if (this.#paced) throw new Error('the rate-limit table can only change before the first paced send');
    for (const name of this.#recorded) {
      if (!sameLimit(this.#limitOf(name), limitOf(name))) throw new Error(`${name} was recorded under other limits than the new table's`);
    }
    this.#limitOf = limitOf;
  }

  /** Sends waiting for pacing. */
  get queued(): number {
    return this.#queued;
  }
  /** Granted sends not yet released. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Rejects every waiting send with `error`; later acquires fail the same way. */
  close(error: Error): void {
    this.#closed = error;
    clearTimeout(this.#timer);
    for (const list of this.#queues.values()) {
      for (const waiter of list.splice(0)) {
        waiter.detach();
        waiter.reject(error);
      }
    }
    this.#queued = 0;
    this.#held.clear();
  }

  #window(maxCount: number, maxBytes: number): SlidingWindow {
    return new SlidingWindow(maxCount, maxBytes, this.#windowMs, Math.max(1, Math.floor(maxCount * this.#clientShare)));
  }

  #windowFor(name: string): SlidingWindow | undefined {
    let window = this.#windows.get(name);
    const limit = this.#limitOf(name);
    if (!window && limit && limit.frequency !== null) {
      const maxTotal = limit.maxTotal ?? limit.frequency * limit.maxSize;
      window = this.#window(Math.max(1, Math.floor(limit.frequency * this.#share)), Math.floor(maxTotal * this.#share));
      this.#windows.set(name, window);
    }
    return window;
  }

  /** The windows a message of `name` counts in: its own type's, then the aggregate for aggregate types. */
  #windowsOf(name: string): SlidingWindow[] {
    const windows: SlidingWindow[] = [];
    const own = this.#windowFor(name);
    if (own) windows.push(own);
    if (this.#limitOf(name)?.aggregate === true) windows.push(this.#aggregate);
    return windows;
  }

  /**
   * Whose turn a send of `name` for `onBehalfOf` would take now: the least served of its clients whose
   * share of every window the message counts in is not spent, with its use of the first window;
   * undefined when every client spent its share. The gateway's own sends count for no client.
   */
  #turnOf(name: string, onBehalfOf: OnBehalfOf | undefined, now: number): Omit<Turn, 'waiter'> | undefined {
    if (onBehalfOf === undefined || onBehalfOf.clients.size === 0) return { client: undefined, used: 0 };
    const windows = this.#windowsOf(name);
    let best: Omit<Turn, 'waiter'> | undefined;
    for (const client of onBehalfOf.clients) {
      if (!windows.every((w) => w.allows(now, client))) continue;
      const used = windows[0]?.used(now, client) ?? 0;
      if (best === undefined || used < best.used) best = { client, used };
    }
    return best;
  }

  /** The waiting send of `queue` due next: the least used client's, the earliest among equals. */
  #nextTurn(queue: readonly Waiter[], now: number): Turn | undefined {
    let best: Turn | undefined;
    for (const waiter of queue) {
      const turn = this.#turnOf(waiter.name, waiter.onBehalfOf, now);
      if (turn === undefined || (best !== undefined && turn.used >= best.used)) continue;
      best = { waiter, ...turn };
      if (turn.used === 0) break;
    }
    return best;
  }

  #tryGrant(name: string, size: number, client: ClientKey | undefined): boolean {
    if (this.#inFlight >= this.#maxInFlight) return false;
    const now = this.#now();
    const windows = this.#windowsOf(name);
    if (!windows.every((w) => w.fits(now, size))) return false;
    this.#lastGrant = windows.map((w) => w.add(now, size, client));
    this.#inFlight++;
    return true;
  }

  /**
   * How long until a send of `name` for `onBehalfOf` could go as far as the windows go: until every
   * window it counts in has room and one of its clients has room in its share (0 when it has now).
   */
  #retryAfterMs(name: string, size: number, onBehalfOf: OnBehalfOf | undefined): number {
    const now = this.#now();
    const windows = this.#windowsOf(name);
    let at = now;
    for (const window of windows) if (!window.fits(now, size)) at = Math.max(at, window.nextExpiry(now) ?? now);
    if (onBehalfOf !== undefined && onBehalfOf.clients.size > 0) {
      let soonest = Number.POSITIVE_INFINITY;
      for (const client of onBehalfOf.clients) {
        let free = now;
        for (const window of windows) if (!window.allows(now, client)) free = Math.max(free, window.clientExpiry(client));
        soonest = Math.min(soonest, free);
      }
      at = Math.max(at, soonest);
    }
    return at - now;
  }

  #releaser(entries: Entry[]): Release {
    let done = false;
    const release = () => {
      if (done) return;
      done = true;
      this.#inFlight--;
      if (this.#queued > 0) this.#schedule();
    };
    return Object.assign(release, {
      sent: () => {
        const now = this.#now();
        for (const entry of entries) entry.t = Math.max(entry.t, now);
      },
    });
  }

  #remove(waiter: Waiter): void {
    const list = this.#queues.get(waiter.name);
    const index = list?.indexOf(waiter) ?? -1;
    if (list && index >= 0) {
      list.splice(index, 1);
      this.#queued--;
      this.#hold(waiter.holder, -1);
    }
  }

  /** Places `client` holds in the queue. */
  #placesOf(client: ClientKey): number {
    return this.#held.get(client) ?? 0;
  }

  #hold(client: ClientKey | undefined, places: number): void {
    if (client === undefined) return;
    const held = this.#placesOf(client) + places;
    if (held > 0) this.#held.set(client, held);
    else this.#held.delete(client);
  }

  /**
   * Whose places a send for `onBehalfOf` would hold in the queue: the client of it holding the fewest,
   * if that one has a place left; undefined for the gateway's own sends; null when every client of it
   * holds its whole share.
   */
  #holderOf(onBehalfOf: OnBehalfOf | undefined): ClientKey | undefined | null {
    const holder = this.#holdingFewest(onBehalfOf?.clients ?? []);
    return holder === undefined || this.#placesOf(holder) < this.#clientQueueMax ? holder : null;
  }

  /**
   * Moves a waiting send's place to the client of it holding the fewest others, once a client joined
   * it (only while it waits: leaving the queue stops its join listener).
   */
  #rehold(waiter: Waiter): void {
    if (waiter.holder === undefined) return;
    this.#hold(waiter.holder, -1);
    waiter.holder = this.#holdingFewest(waiter.onBehalfOf?.clients ?? [], waiter.holder);
    this.#hold(waiter.holder, 1);
  }

  /** The client of `clients` holding the fewest places in the queue, `preferred` among equals, else the first. */
  #holdingFewest(clients: Iterable<ClientKey>, preferred?: ClientKey): ClientKey | undefined {
    let best = preferred;
    for (const client of clients) if (best === undefined || this.#placesOf(client) < this.#placesOf(best)) best = client;
    return best;
  }

  /** Grants what fits now, then sleeps until the earliest window expiry that could unblock a waiter. */
  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    let wake = Number.POSITIVE_INFINITY;
    for (const list of this.#queues.values()) {
      for (;;) {
        const turn = this.#nextTurn(list, this.#now());
        if (turn === undefined || !this.#tryGrant(turn.waiter.name, turn.waiter.size, turn.client)) break;
        this.#remove(turn.waiter);
        turn.waiter.detach();
        turn.waiter.resolve(this.#releaser(this.#lastGrant));
      }
      const head = list[0];
      if (head && this.#inFlight < this.#maxInFlight) {
        // Blocked by a window or by its clients' shares: either frees up as an entry leaves a window.
        const now = this.#now();
        for (const window of this.#windowsOf(head.name)) wake = Math.min(wake, window.nextExpiry(now) ?? wake);
      }
    }
    if (wake !== Number.POSITIVE_INFINITY) {
      this.#timer = setTimeout(() => this.#schedule(), Math.max(1, wake - this.#now() + 1));
      this.#timer.unref();
    }
  }
}

function sameLimit(a: RateLimit | undefined, b: RateLimit | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.aggregate === b.aggregate && a.frequency === b.frequency && a.maxSize === b.maxSize && a.maxTotal === b.maxTotal;
}
