/**
 * What the peak hub needs from one subscriber's transport (WebSocket or SSE). The hub never touches
 * a socket directly, so fan-out, replay and shedding are tested with in-memory sinks.
 */
import type { WireEvent } from './live-events.js';

export type LiveTransport = 'ws' | 'sse';

/** Control messages are per client: sent as text frames on ws, as id-less events on SSE. */
export type ControlType = 'hello' | 'gap' | 'subscribed' | 'unsubscribed' | 'pong' | 'error' | 'reorg';

export interface LiveSink {
  readonly transport: LiveTransport;
  /** Bytes accepted for this client but not yet handed to the kernel (the shedding measure). */
  bufferedBytes(): number;
  /** Sends a pre-serialised stream event (the same bytes for every client). */
  sendEvent(event: WireEvent): void;
  /** Holds what is sent until uncork(): what is sent in between leaves in one write (one system call). */
  cork(): void;
  uncork(): void;
  /**
   * Sends a per-client control message; `json` is the whole message. `sseId`, on SSE only, moves the
   * client's Last-Event-ID (a coin subscription's starting cursor).
   */
  sendControl(type: ControlType, json: string, sseId?: string): void;
  /** A heartbeat tick: false when the previous one went unanswered (the client is dead). */
  heartbeat(): boolean;
  /** Ends the connection: close frame with `code` on ws, end of the response on SSE. */
  close(code: number, reason: string): void;
}

/** WebSocket close codes the hub uses (RFC 6455 §7.4.1). */
export const CLOSE = {
  GOING_AWAY: 1001,
  POLICY_VIOLATION: 1008,
} as const;
