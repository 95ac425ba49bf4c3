/**
 * Outbound pacing for one link: keeps what we send under a share of the node's v1 or v2 limits
 * (PROTOCOL.md §h.1) with a sliding window per message type plus the aggregate window, and caps the
 * requests in flight. Sends that would exceed a limit wait in a bounded FIFO queue (one per message
 * type, so a slow type does not block a fast one); a full queue fails fast with PACING_QUEUE_FULL.
 *
 * A sliding window at share ≤ 1 never puts more than share × limit into any fixed bucket of the same
 * length, so the node's fixed 60 s buckets are respected whatever their phase. That holds for send
 * times; the node buckets arrival times. A burst sent exactly one window after another could land in
 * one node bucket with it when it travels faster than the first, so the window is lengthened by a
 * guard (a tenth by default) that absorbs latency jitter up to that size.
 */
import { UpstreamError } from './errors.js';
import { AGGREGATE_LIMIT, RATE_LIMIT_WINDOW_MS, rateLimitOf, type RateLimit } from './rate-limits.js';

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
  now?: () => number;
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
}

class SlidingWindow {
  readonly #entries: Entry[] = [];
  #head = 0;
  #bytes = 0;
  constructor(
    readonly maxCount: number,
    readonly maxBytes: number,
    readonly windowMs: number,
  ) {}

  #prune(now: number): void {
    // Entries are in grant order; a send stamped later than its successor only stays longer (safe side).
    for (let e = this.#entries[this.#head]; e !== undefined && e.t <= now - this.windowMs; e = this.#entries[this.#head]) {
      this.#bytes -= e.size;
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
  add(now: number, size: number): Entry {
    const entry = { t: now, size };
    this.#entries.push(entry);
    this.#bytes += size;
    return entry;
  }
  /** When the oldest entry leaves the window (a wake-up time for blocked senders). */
  nextExpiry(): number {
    return (this.#entries[this.#head]?.t ?? 0) + this.windowMs;
  }
}

interface Waiter {
  name: string;
  size: number;
  resolve: (release: Release) => void;
  reject: (error: unknown) => void;
  detach: () => void;
}

export class RateLimiter {
  readonly #share: number;
  readonly #queueSize: number;
  readonly #windowMs: number;
  readonly #maxInFlight: number;
  #limitOf: LimitOf;
  readonly #now: () => number;
  readonly #windows = new Map<string, SlidingWindow>();
  readonly #aggregate: SlidingWindow;
  readonly #queues = new Map<string, Waiter[]>();
  #queued = 0;
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
    this.#share = options.share;
    this.#queueSize = options.queueSize;
    const windowMs = options.windowMs ?? RATE_LIMIT_WINDOW_MS;
    this.#windowMs = windowMs + (options.guardMs ?? Math.round(windowMs * WINDOW_GUARD_SHARE));
    this.#maxInFlight = options.maxInFlight ?? Number.POSITIVE_INFINITY;
    this.#limitOf = options.limitOf ?? rateLimitOf;
    this.#now = options.now ?? Date.now;
    this.#aggregate = new SlidingWindow(
      Math.floor(AGGREGATE_LIMIT.frequency * this.#share),
      Math.floor(AGGREGATE_LIMIT.maxTotal * this.#share),
      this.#windowMs,
    );
  }

  /** Messages of `name` this limiter lets through per window (the pacing ceiling). */
  ceiling(name: string): number {
    const limit = this.#limitOf(name);
    return limit?.frequency == null ? Number.POSITIVE_INFINITY : Math.floor(limit.frequency * this.#share);
  }

  /** Waits until a `size`-byte message `name` fits every limit and an in-flight slot is free. */
  acquire(name: string, size: number, signal?: AbortSignal): Promise<Release> {
    if (this.#closed) return Promise.reject(this.#closed);
    this.#paced = true;
    const limit = this.#limitOf(name);
    // The node bans a message over max_size whatever the counts (§h.1): it can never be sent.
    if (limit && size > limit.maxSize) {
      return Promise.reject(
        new UpstreamError('ROLE_FORBIDDEN', `${name} of ${size} bytes exceeds the node's max_size ${limit.maxSize}`),
      );
    }
    const queue = this.#queues.get(name);
    if ((queue === undefined || queue.length === 0) && this.#tryGrant(name, size)) {
      return Promise.resolve(this.#releaser(this.#lastGrant));
    }
    if (this.#queued >= this.#queueSize) {
      return Promise.reject(
        new UpstreamError('PACING_QUEUE_FULL', `pacing queue full (${this.#queueSize} waiting); raise pacingQueueSize or add links`),
      );
    }
    return new Promise<Release>((resolve, reject) => {
      const onAbort = () => {
        this.#remove(waiter);
        reject(signal?.reason);
      };
      const waiter: Waiter = { name, size, resolve, reject, detach: () => signal?.removeEventListener('abort', onAbort) };
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      const list = queue ?? [];
      list.push(waiter);
      this.#queues.set(name, list);
      this.#queued++;
      this.#schedule();
    });
  }

  /** Counts a message sent outside acquire (the handshake) against the windows. */
  record(name: string, size: number): void {
    const now = this.#now();
    this.#recorded.add(name);
    this.#windowFor(name)?.add(now, size);
    if (this.#limitOf(name)?.aggregate) this.#aggregate.add(now, size);
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
  }

  #windowFor(name: string): SlidingWindow | undefined {
    let window = this.#windows.get(name);
    const limit = this.#limitOf(name);
    if (!window && limit && limit.frequency !== null) {
      const maxTotal = limit.maxTotal ?? limit.frequency * limit.maxSize;
      window = new SlidingWindow(
        Math.max(1, Math.floor(limit.frequency * this.#share)),
        Math.floor(maxTotal * this.#share),
        this.#windowMs,
      );
      this.#windows.set(name, window);
    }
    return window;
  }

  #tryGrant(name: string, size: number): boolean {
    if (this.#inFlight >= this.#maxInFlight) return false;
    const now = this.#now();
    const window = this.#windowFor(name);
    const aggregate = this.#limitOf(name)?.aggregate === true;
    if (window && !window.fits(now, size)) return false;
    if (aggregate && !this.#aggregate.fits(now, size)) return false;
    const entries: Entry[] = [];
    if (window) entries.push(window.add(now, size));
    if (aggregate) entries.push(this.#aggregate.add(now, size));
    this.#lastGrant = entries;
    this.#inFlight++;
    return true;
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
    }
  }

  /** Grants what fits now, then sleeps until the earliest window expiry that could unblock a head. */
  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    let wake = Number.POSITIVE_INFINITY;
    for (const list of this.#queues.values()) {
      while (list.length > 0) {
        const head = list[0] as Waiter;
        if (!this.#tryGrant(head.name, head.size)) break;
        list.shift();
        this.#queued--;
        head.detach();
        head.resolve(this.#releaser(this.#lastGrant));
      }
      const head = list[0];
      if (head && this.#inFlight < this.#maxInFlight) {
        const window = this.#windowFor(head.name);
        const now = this.#now();
        if (window && !window.fits(now, head.size)) wake = Math.min(wake, window.nextExpiry());
        else wake = Math.min(wake, this.#aggregate.nextExpiry());
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
