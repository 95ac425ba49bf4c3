/** An in-memory LiveSink recording what the hub sends, with a settable buffer level. */
import type { WireEvent } from '../../src/live/live-events.js';
import type { ControlType, LiveSink, LiveTransport } from '../../src/live/live-sink.js';

export class MemorySink implements LiveSink {
  /** Every message sent, parsed, in order. */
  readonly messages: { type: string; id?: number; [key: string]: unknown }[] = [];
  buffered = 0;
  alive = true;
  closedWith: { code: number; reason: string } | null = null;

  constructor(readonly transport: LiveTransport = 'ws') {}

  bufferedBytes(): number {
    return this.buffered;
  }
  sendEvent(event: WireEvent): void {
    this.messages.push(JSON.parse(event.json));
  }
  /** The `id:` an SSE client would have been given with each control message, by index in `messages`. */
  readonly sseIds = new Map<number, string>();
  sendControl(_type: ControlType, json: string, sseId?: string): void {
    if (sseId !== undefined) this.sseIds.set(this.messages.length, sseId);
    this.messages.push(JSON.parse(json));
  }
  heartbeat(): boolean {
    const was = this.alive;
    this.alive = false;
    return was;
  }
  close(code: number, reason: string): void {
    this.closedWith = { code, reason };
  }

  /** Types of the messages received, e.g. ['hello', 'peak']. */
  types(): string[] {
    return this.messages.map((m) => m.type);
  }
  /** Ids of stream events (peak, reorg) received. */
  ids(): string[] {
    return this.messages.filter((m) => m.type === 'peak' || m.type === 'reorg').map((m) => String(m.id));
  }
}
