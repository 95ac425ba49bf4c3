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
  /** The messages grouped as a socket would write them: one group per write (cork … uncork is one). */
  readonly writes: string[][] = [];
  #corked = 0;
  #group: string[] | null = null;
  sendEvent(event: WireEvent): void {
    this.#record(JSON.parse(event.json));
  }
  cork(): void {
    if (this.#corked++ === 0) this.#group = [];
  }
  uncork(): void {
    if (this.#corked === 0 || --this.#corked > 0) return;
    if (this.#group !== null && this.#group.length > 0) this.writes.push(this.#group);
    this.#group = null;
  }
  #record(message: { type: string; [key: string]: unknown }): void {
    this.messages.push(message);
    if (this.#group !== null) this.#group.push(message.type);
    else this.writes.push([message.type]);
  }
  /** The `id:` an SSE client would have been given with each control message, by index in `messages`. */
  readonly sseIds = new Map<number, string>();
  sendControl(_type: ControlType, json: string, sseId?: string): void {
    if (sseId !== undefined) this.sseIds.set(this.messages.length, sseId);
    this.#record(JSON.parse(json));
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
