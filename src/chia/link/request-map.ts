/**
 * Request/response correlation for one link (PROTOCOL.md §b.2; the model is chia-wallet-sdk's
 * request_map.rs and chia-blockchain's ws_connection.py). Ids are 0..MAX_REQUEST_ID (the connecting
 * side's half of the u16 range), wrap, and skip ids still pending or recently timed out, so a late
 * reply can never be taken for the answer to a newer request. Every request has a deadline; close
 * settles them all.
 */
import { UpstreamError } from '../errors.js';
import { MAX_MESSAGE_ID } from '../protocol/limits.js';
import { MessageType } from '../codec/index.js';
import { replyTo, type Reply, type RequestName } from '../protocol/message-rules.js';

/**
 * Highest id we use: the lower half of the u16 range (0..32767), as the reference's connecting side
 * does. The wire allows any u16 (MAX_MESSAGE_ID, §b.1), but the node numbers its own requests in the
 * upper half and reads a message carrying one of its pending ids as a reply: a request of ours with
 * such an id would be a wrong-typed reply to it, which it punishes with a ban (§b.2).
 */
export const MAX_REQUEST_ID = (MAX_MESSAGE_ID + 1) / 2 - 1;
/** Timed-out ids remembered, so their late replies are recognised and their ids not reused. */
export const TIMED_OUT_MEMORY = 1_024;
export const DEFAULT_MAX_IN_FLIGHT = 1_024;

export interface IncomingFrame {
  type: number;
  id: number | null;
  data: Uint8Array;
}

interface DebugLogger {
  debug(obj: object, msg?: string): void;
}

export interface RequestMapOptions {
  maxInFlight?: number;
  /** Receives messages that answer nothing of ours: notifications and node requests. */
  onUnsolicited: (frame: IncomingFrame) => void;
  /** Called when a reply has a type the request may not get (the link is then faulty). */
  onInvalidReply?: (frame: IncomingFrame, request: RequestName) => void;
  logger?: DebugLogger;
}

interface Pending {
  request: RequestName;
  /** Settles the request with `frame` when its type may answer it (§e.2); false otherwise. */
  answer: (frame: IncomingFrame) => boolean;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout;
}

export class RequestMap {
  readonly #pending = new Map<number, Pending>();
  readonly #timedOut = new Set<number>();
  readonly #maxInFlight: number;
  readonly #options: RequestMapOptions;
  #next = 0;
  #closed: Error | undefined;

  constructor(options: RequestMapOptions) {
    this.#options = options;
    this.#maxInFlight = Math.min(options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT, MAX_REQUEST_ID + 1 - TIMED_OUT_MEMORY);
  }

  /** Allocates an id for request `request` and returns it with a promise of its reply (deadline `timeoutMs`). */
  register<N extends RequestName>(request: N, timeoutMs: number): { id: number; reply: Promise<Reply<N>> } {
    if (this.#closed) throw this.#closed;
    if (this.#pending.size >= this.#maxInFlight) {
      throw new UpstreamError('TOO_MANY_IN_FLIGHT', `${this.#pending.size} requests already in flight on this link`);
    }
    const id = this.#allocate();
    const reply = new Promise<Reply<N>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        this.#rememberTimedOut(id);
        reject(new UpstreamError('UPSTREAM_TIMEOUT', `no reply within ${timeoutMs} ms (requestTimeoutMs)`));
      }, timeoutMs);
      const answer = (frame: IncomingFrame) => {
        const settled = replyTo(request, frame.type, frame.data);
        if (settled !== undefined) resolve(settled);
        return settled !== undefined;
      };
      this.#pending.set(id, { request, answer, reject, timer });
    });
    return { id, reply };
  }

  /** Settles request `id` with `error` (e.g. the send failed) without remembering the id. */
  fail(id: number, error: unknown): void {
    const entry = this.#pending.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.#pending.delete(id);
    entry.reject(error);
  }

  /** Routes a received frame: the answer to a pending request, a late reply (dropped), or unsolicited. */
  route(frame: IncomingFrame): 'reply' | 'late' | 'unsolicited' | 'invalid' {
    const entry = frame.id === null ? undefined : this.#pending.get(frame.id);
    if (frame.id === null || !entry) {
      if (frame.id !== null && this.#timedOut.has(frame.id)) {
        this.#timedOut.delete(frame.id);
        this.#options.logger?.debug({ id: frame.id, type: frame.type }, 'late reply to a timed-out request dropped');
        return 'late';
      }
      this.#options.onUnsolicited(frame);
      return 'unsolicited';
    }
    clearTimeout(entry.timer);
    this.#pending.delete(frame.id);
    if (entry.answer(frame)) return 'reply';
    entry.reject(
      new UpstreamError('UPSTREAM_INVALID_REPLY', `reply type ${frame.type} is not a valid answer to request type ${MessageType[entry.request]}`),
    );
    this.#options.onInvalidReply?.(frame, entry.request);
    return 'invalid';
  }

  /** Rejects every pending request with `error`; later registrations throw it. Idempotent. */
  close(error: Error): void {
    if (this.#closed) return;
    this.#closed = error;
    for (const [id, entry] of this.#pending) {
      clearTimeout(entry.timer);
      this.#pending.delete(id);
      entry.reject(error);
    }
  }

  /** Requests awaiting a reply. */
  get size(): number {
    return this.#pending.size;
  }

  #allocate(): number {
    // Bounded: fewer than maxInFlight pending plus TIMED_OUT_MEMORY remembered ids are fewer than the
    // MAX_REQUEST_ID + 1 ids (see the constructor), so one lap finds a free one.
    for (;;) {
      const id = this.#next;
      this.#next = id === MAX_REQUEST_ID ? 0 : id + 1;
      if (!this.#pending.has(id) && !this.#timedOut.has(id)) return id;
    }
  }

  #rememberTimedOut(id: number): void {
    this.#timedOut.add(id);
    if (this.#timedOut.size > TIMED_OUT_MEMORY) {
      const oldest = this.#timedOut.values().next().value;
      if (oldest !== undefined) this.#timedOut.delete(oldest);
    }
  }
}
