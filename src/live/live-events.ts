/**
 * Turns upstream peaks into live-stream events and serialises each event exactly once: one JSON
 * string, one pre-built WebSocket text frame and one SSE block, shared by every subscriber.
 */
import type { PeakChange } from '../chia/index.js';
import type { CoinsMessage, PeakMessage, ReorgMessage } from '../../schemas/live.js';
import { peakRef } from '../chain/peak-json.js';

export type LiveEventType = 'peak' | 'reorg';

/** A message in every wire form it is sent in, built once and shared by the clients it goes to. */
export interface WireEvent {
  json: string;
  /** A complete unmasked WebSocket text frame (header + payload), written as is to each socket. */
  frame: Buffer;
  /** The UTF-8 JSON inside `frame` (a view, no copy). */
  payload: Buffer;
  /** A complete SSE event block (`id:`, `event:`, `data:`, blank line). */
  sse: string;
}

/** One event of the peak stream. */
export interface SerializedEvent extends WireEvent {
  /** The chain-derived id clients see (event-id.ts). */
  id: string;
  /** Order in this process's stream: what the hub compares to know what a client already has. */
  seq: number;
  type: LiveEventType;
  /** Height of the peak this event belongs to (a reorg carries the height of the peak that caused it). */
  height: number;
  /** A reorg's fork point; null for a peak. */
  forkPoint: number | null;
  /**
   * The SSE block without `id:`, for SSE clients subscribed to coins: their Last-Event-ID is the coin
   * cursor, which a peak event must not replace.
   */
  sseWithoutId: string;
}

/** A coins event, for every client whose keys matched the same coins. */
export interface CoinsEvent extends WireEvent {
  type: 'coins';
  height: number;
  cursor: string;
}

/** Whatever the hub queues for a client while its coin resume is read. */
export type QueuedEvent = SerializedEvent | CoinsEvent;

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

/** Serialises a peak-stream message once into its wire forms. */
export function serialize(message: PeakMessage | ReorgMessage, seq: number): SerializedEvent {
  const wire = wireEvent(message.type, message, message.id);
  return {
    ...wire,
    id: message.id,
    seq,
    type: message.type,
    height: message.type === 'peak' ? message.data.height : message.data.peak.height,
    forkPoint: message.type === 'reorg' ? message.data.fork_point : null,
    sseWithoutId: sseBlock(message.type, wire.json, null),
  };
}

/** Serialises a coins message once; its SSE `id:` is its cursor. */
export function serializeCoins(message: CoinsMessage): CoinsEvent {
  return { ...wireEvent('coins', message, message.cursor), type: 'coins', height: message.data.height, cursor: message.cursor };
}

function wireEvent(type: string, message: object, id: string): WireEvent {
  const json = JSON.stringify(message);
  const payload = Buffer.from(json, 'utf8');
  const frame = wsTextFrame(payload);
  let sse: string | undefined;
  // The SSE form only when an SSE client takes it: a coins event often goes to one WebSocket client.
  return {
    json,
    frame,
    payload: frame.subarray(frame.length - payload.length),
    get sse() {
      return (sse ??= sseBlock(type, json, id));
    },
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
