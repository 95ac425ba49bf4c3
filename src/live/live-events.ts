/**
 * Turns upstream peaks into live-stream events and serialises each event exactly once: one JSON
 * string, one pre-built WebSocket text frame and one SSE block, shared by every subscriber.
 */
import type { PeakChange } from '../chia/index.js';
import type { PeakMessage, ReorgMessage } from '../../schemas/live.js';
import { peakRef } from '../chain/peak-json.js';

export type LiveEventType = 'peak' | 'reorg';

/** One event of the stream, in every wire form it is sent in. */
export interface SerializedEvent {
  /** The chain-derived id clients see (event-id.ts). */
  id: string;
  /** Order in this process's stream: what the hub compares to know what a client already has. */
  seq: number;
  type: LiveEventType;
  /** Height of the peak this event belongs to (a reorg carries the height of the peak that caused it). */
  height: number;
  json: string;
  /** A complete unmasked WebSocket text frame (header + payload), written as is to each socket. */
  frame: Buffer;
  /** The UTF-8 JSON inside `frame` (a view, no copy). */
  payload: Buffer;
  /** A complete SSE event block (`id:`, `event:`, `data:`, blank line). */
  sse: string;
}

/**
 * The reorg a change of the best peak implies, or null: the heights above the fork point the upstream
 * computed (the same one the block cache drops its blocks by).
 */
export function reorgOf({ peak, previous, forkPoint }: PeakChange): ReorgMessage['data'] | null {
  if (forkPoint === null || previous === null) return null;
  return {
    fork_point: forkPoint,
    rolled_back: { from: forkPoint + 1, to: previous.height },
    previous: peakRef(previous),
    peak: peakRef(peak),
  };
}

/** Serialises a message once into its three wire forms. */
export function serialize(message: PeakMessage | ReorgMessage, seq: number): SerializedEvent {
  const json = JSON.stringify(message);
  const payload = Buffer.from(json, 'utf8');
  const frame = wsTextFrame(payload);
  return {
    id: message.id,
    seq,
    type: message.type,
    height: message.type === 'peak' ? message.data.height : message.data.peak.height,
    json,
    frame,
    payload: frame.subarray(frame.length - payload.length),
    sse: sseBlock(message.type, json, message.id),
  };
}

/** Largest payload whose length fits the 7-bit length field (RFC 6455 §5.2). */
const SHORT_PAYLOAD_MAX = 125;
/** Largest payload whose length fits the 16-bit extended length field. */
const MEDIUM_PAYLOAD_MAX = 0xffff;
const FIN_TEXT = 0x81;

/** An unmasked, unfragmented, uncompressed text frame (servers never mask, RFC 6455 §5.1, §5.2). */
export function wsTextFrame(payload: Buffer): Buffer {
  const length = payload.length;
  let header: Buffer;
  if (length <= SHORT_PAYLOAD_MAX) {
    header = Buffer.from([FIN_TEXT, length]);
  } else if (length <= MEDIUM_PAYLOAD_MAX) {
    header = Buffer.from([FIN_TEXT, 126, length >> 8, length & 0xff]);
  } else {
    header = Buffer.alloc(10);
    header[0] = FIN_TEXT;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}

/** An SSE block; `id` is omitted for control events so they do not move the client's Last-Event-ID. */
export function sseBlock(event: string, json: string, id: string | null): string {
  // JSON.stringify never emits a raw newline, so one data line is always enough.
  return `${id === null ? '' : `id: ${id}\n`}event: ${event}\ndata: ${json}\n\n`;
}
