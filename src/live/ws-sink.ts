/**
 * A WebSocket subscriber for the peak hub. Stream events are written as the pre-built frame shared
 * by every client (no per-client JSON, UTF-8 encoding or header allocation); control messages go
 * through ws's own send. Heartbeat follows the ws README (isAlive + ping, terminate on a missed pong).
 */
import WebSocket from 'ws';
import type { Duplex } from 'node:stream';
import type { WireEvent } from './live-events.js';
import type { ControlType, LiveSink } from './live-sink.js';

/** After a close frame, how long a client gets to answer before its socket is destroyed. */
export const CLOSE_GRACE_MS = 1_000;

/** ws keeps its transport in a private field; a frame written there is ordered with ws's own writes. */
interface WithRawSocket {
  _socket?: Duplex | null;
}

/**
 * The socket ws writes `socket`'s frames to: ws's private `_socket`, with no public equivalent.
 * test/live/ws-sink.test.ts fails if ws renames it, stops writing there, or stops counting what is
 * written there in bufferedAmount (the shedding measure).
 */
export function rawSocketOf(socket: WebSocket): Duplex | undefined {
  return (socket as unknown as WithRawSocket)._socket ?? undefined;
}

export class WsSink implements LiveSink {
  readonly transport = 'ws' as const;
  #alive = true;

  constructor(private readonly ws: WebSocket) {
    ws.on('pong', () => {
      this.#alive = true;
    });
  }

  bufferedBytes(): number {
    return this.ws.bufferedAmount;
  }

  sendEvent(event: WireEvent): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    // Without permessage-deflate (disabled in the plugin) ws writes every frame synchronously, so
    // writing our complete frame on its socket keeps frames whole and in order. bench:fanout puts the
    // user-space cost per client at ~0.5-0.7× of ws.send(string), but one write(2) per socket is
    // ~80% of the baseline's loop on loopback (its `floor` series), so that is what bounds latency.
    const raw = rawSocketOf(this.ws);
    if (raw !== undefined) raw.write(event.frame);
    else this.ws.send(event.payload, { binary: false });
  }

  cork(): void {
    rawSocketOf(this.ws)?.cork();
  }

  uncork(): void {
    rawSocketOf(this.ws)?.uncork();
  }

  sendControl(_type: ControlType, json: string): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(json);
  }

  heartbeat(): boolean {
    if (!this.#alive) return false;
    this.#alive = false;
    if (this.ws.readyState === WebSocket.OPEN) this.ws.ping();
    return true;
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(code, reason);
    // A client that does not read will not answer the close frame either: do not hold its buffer
    // for ws's 30 s closing timeout.
    setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS).unref();
  }
}
