/**
 * The last N peaks of the live stream, each with the reorg event that preceded it, kept for replay
 * (`subscribe` with a cursor, SSE `Last-Event-ID`). A fixed-size ring: memory is bounded by
 * config.ws.replaySize whatever the peak rate.
 */
import type { SerializedEvent } from './live-events.js';

/** One peak and the events it produced (a reorg, if any, then the peak), in stream order. */
export interface ReplayEntry {
  height: number;
  events: SerializedEvent[];
}

/** Where a client says it stopped: an event id (chain-derived, event-id.ts), or a height it has. */
export type Cursor = { lastEventId: string } | { since: number };

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

  oldest(): { height: number; eventId: string } | null {
    if (this.#size === 0) return null;
    const entry = this.#at(0);
    return { height: entry.height, eventId: firstOf(entry).id };
  }

  /** The newest event, or null while the buffer is empty. */
  latest(): SerializedEvent | null {
    if (this.#size === 0) return null;
    const events = this.#at(this.#size - 1).events;
    return events[events.length - 1] ?? null;
  }

  /** The whole buffer, flagged as a gap: what a client gets whose cursor cannot be placed. */
  gap(): ReplayResult {
    return { events: this.#eventsFrom(0, -Infinity), gap: true };
  }

  /**
   * Every event after the cursor, or the whole buffer flagged as a gap when a height is too old; null
   * when the buffer does not hold the event id (the hub then places it on the chain).
   */
  after(cursor: Cursor): ReplayResult | null {
    if (this.#size === 0) return 'since' in cursor ? { events: [], gap: false } : null;
    if ('since' in cursor) return this.afterHeight(cursor.since);
    // Newest first: a client resuming usually stopped a moment ago.
    for (let i = this.#size - 1; i >= 0; i--) {
      const event = this.#at(i).events.find((e) => e.id === cursor.lastEventId);
      if (event !== undefined) return { events: this.#eventsFrom(i, event.seq), gap: false };
    }
    return null;
  }

  /**
   * The events after the newest buffered peak at or below `height` (the one a client at that height
   * is taken to have: heights go down after a reorg, so scan from the newest); a gap when the buffer
   * does not reach down to the height after it.
   */
  afterHeight(height: number): ReplayResult {
    if (this.#size === 0) return { events: [], gap: false };
    for (let i = this.#size - 1; i >= 0; i--) {
      if (this.#at(i).height <= height) return { events: this.#eventsFrom(i + 1, -Infinity), gap: false };
    }
    return height + 1 >= this.#at(0).height ? { events: this.#eventsFrom(0, -Infinity), gap: false } : this.gap();
  }

  #eventsFrom(entry: number, afterSeq: number): SerializedEvent[] {
    const out: SerializedEvent[] = [];
    for (let i = entry; i < this.#size; i++) {
      for (const event of this.#at(i).events) if (event.seq > afterSeq) out.push(event);
    }
    return out;
  }
}

function firstOf(entry: ReplayEntry): SerializedEvent {
  const first = entry.events[0];
  if (first === undefined) throw new Error('replay entry without events');
  return first;
}
