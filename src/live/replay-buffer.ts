/**
 * The last N peaks of the live stream, each with the reorg event that preceded it, kept for replay
 * (`subscribe` with a cursor, SSE `Last-Event-ID`). A fixed-size ring: memory is bounded by
 * config.ws.replaySize whatever the peak rate.
 */
import type { SerializedEvent } from './live-events.js';

/** One peak and the events it produced (a reorg, if any, then the peak), in id order. */
export interface ReplayEntry {
  height: number;
  events: SerializedEvent[];
}

/** Where a client says it stopped: an exact event id, or a height it has. */
export type Cursor = { lastEventId: number } | { since: number };

export interface ReplayResult {
  /** Events to send, in order. */
  events: SerializedEvent[];
  /** True when the cursor is older (or unknown to) the buffer: `events` is then the whole buffer. */
  gap: boolean;
}

export class ReplayBuffer {
  readonly #ring: (ReplayEntry | undefined)[];
  #start = 0;
  #size = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('replay capacity must be a positive integer');
    this.#ring = new Array<ReplayEntry | undefined>(capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** Appends an entry, evicting the oldest when full. */
  push(entry: ReplayEntry): void {
    if (this.#size < this.capacity) {
      this.#ring[(this.#start + this.#size) % this.capacity] = entry;
      this.#size++;
    } else {
      this.#ring[this.#start] = entry;
      this.#start = (this.#start + 1) % this.capacity;
    }
  }

  /** The i-th entry from the oldest. */
  #at(i: number): ReplayEntry {
    const entry = this.#ring[(this.#start + i) % this.capacity];
    if (entry === undefined) throw new Error(`replay buffer slot ${i} is empty`);
    return entry;
  }

  oldest(): { height: number; eventId: number } | null {
    if (this.#size === 0) return null;
    const entry = this.#at(0);
    return { height: entry.height, eventId: firstId(entry) };
  }

  latestEventId(): number | null {
    if (this.#size === 0) return null;
    const events = this.#at(this.#size - 1).events;
    return events[events.length - 1]?.id ?? null;
  }

  /** Every event after the cursor, or the whole buffer flagged as a gap when the cursor is too old. */
  after(cursor: Cursor): ReplayResult {
    if (this.#size === 0) return { events: [], gap: false };
    const from = 'lastEventId' in cursor ? this.#indexAfterId(cursor.lastEventId) : this.#indexAfterHeight(cursor.since);
    if (from === null) return { events: this.#eventsFrom(0, -Infinity), gap: true };
    return { events: this.#eventsFrom(from.entry, from.afterId), gap: false };
  }

  #indexAfterId(lastEventId: number): { entry: number; afterId: number } | null {
    const latest = this.latestEventId() ?? 0;
    // An id above the newest one was not issued by this stream (ids grow across restarts).
    if (lastEventId > latest) return null;
    // Ids are consecutive, so the buffer is complete after `lastEventId` when it reaches back to the next one.
    if (lastEventId < firstId(this.#at(0)) - 1) return null;
    let lo = 0;
    let hi = this.#size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (lastIdOf(this.#at(mid)) <= lastEventId) lo = mid + 1;
      else hi = mid;
    }
    return { entry: lo, afterId: lastEventId };
  }

  #indexAfterHeight(since: number): { entry: number; afterId: number } | null {
    // The newest peak at or below `since` is the one the client is taken to have (heights can go
    // down after a reorg, so scan from the newest). Exactness across reorgs needs `last_event_id`.
    for (let i = this.#size - 1; i >= 0; i--) {
      if (this.#at(i).height <= since) return { entry: i + 1, afterId: -Infinity };
    }
    return since + 1 >= this.#at(0).height ? { entry: 0, afterId: -Infinity } : null;
  }

  #eventsFrom(entry: number, afterId: number): SerializedEvent[] {
    const out: SerializedEvent[] = [];
    for (let i = entry; i < this.#size; i++) {
      for (const event of this.#at(i).events) if (event.id > afterId) out.push(event);
    }
    return out;
  }
}

function firstId(entry: ReplayEntry): number {
  const first = entry.events[0];
  if (first === undefined) throw new Error('replay entry without events');
  return first.id;
}

function lastIdOf(entry: ReplayEntry): number {
  const last = entry.events[entry.events.length - 1];
  if (last === undefined) throw new Error('replay entry without events');
  return last.id;
}
