/**
 * A Server-Sent Events subscriber for the peak hub, writing on a hijacked HTTP response. Stream
 * events carry `id:` (the event id, for Last-Event-ID replay); control messages carry none so they
 * never move the client's cursor. The heartbeat is a comment line that keeps proxies from timing
 * out the idle stream; a dead peer shows up as a growing buffer or a socket error.
 */
import type { ServerResponse } from 'node:http';
import type { WireEvent } from './live-events.js';
import { sseBlock } from './live-events.js';
import type { ControlType, LiveSink } from './live-sink.js';

export class SseSink implements LiveSink {
  readonly transport = 'sse' as const;

  constructor(private readonly res: ServerResponse) {}

  bufferedBytes(): number {
    return this.res.writableLength;
  }

  sendEvent(event: WireEvent): void {
    if (this.#open()) this.res.write(event.sse);
  }

  cork(): void {
    this.res.cork();
  }

  uncork(): void {
    this.res.uncork();
  }

  sendControl(type: ControlType, json: string, sseId?: string): void {
    if (this.#open()) this.res.write(sseBlock(type, json, sseId ?? null));
  }

  heartbeat(): boolean {
    if (this.#open()) this.res.write(': heartbeat\n\n');
    return true;
  }

  close(_code: number, _reason: string): void {
    if (this.#open()) this.res.end();
    // end() waits for the buffer to drain; a client that does not read must not hold it.
    if (this.res.writableLength > 0) this.res.destroy();
  }

  #open(): boolean {
    return !this.res.writableEnded && !this.res.destroyed;
  }
}
