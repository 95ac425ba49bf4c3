/**
 * WsSink writes each stream event's pre-built frame straight to the socket ws writes to, a private
 * field of ws (rawSocketOf). These tests pin what that relies on, over a real ws connection: the
 * field is the connection's TCP socket, the fast path is the one taken, frames written there and by
 * ws.send arrive whole and in order, and ws counts them in bufferedAmount (the hub sheds by it).
 * A change in ws that breaks any of these fails here rather than silently in production.
 */
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { eventId } from '../../src/live/event-id.js';
import { serialize } from '../../src/live/live-events.js';
import { WsSink, rawSocketOf } from '../../src/live/ws-sink.js';
import { eventually } from '../support/eventually.js';

/** Generous: loopback delivery on a loaded machine. */
const WAIT_MS = 10_000;
/** Larger than the 16-bit frame length field: the 64-bit length form of the frame header. */
const LARGE_PAYLOAD_BYTES = 70_000;

let server: WebSocketServer | undefined;
let client: WebSocket | undefined;

afterEach(async () => {
  client?.terminate();
  if (server !== undefined) await new Promise((resolve) => server?.close(resolve));
  server = client = undefined;
});

/** A ws server and client on loopback, as the gateway configures ws (no compression). */
async function connection(): Promise<{ serverSide: WebSocket; tcp: Socket; received: string[] }> {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[WebSocket, { socket: Socket }]>;
  client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`, { perMessageDeflate: false });
  const received: string[] = [];
  client.on('message', (data) => received.push(String(data)));
  const [serverSide, request] = await accepted;
  await once(client, 'open');
  return { serverSide, tcp: request.socket, received };
}

function peakEvent(id: number, padding = '') {
  const data = { height: id, header_hash: `0x${'00'.repeat(32)}`, weight: '1', fork_point_with_previous_peak: 0, peers: [padding], received_at: 0 };
  return serialize({ type: 'peak', id: eventId(id, data.header_hash, 'peak'), data }, id);
}

describe('WsSink over a real ws connection', () => {
  it("finds ws's transport: the connection's TCP socket", async () => {
    const { serverSide, tcp } = await connection();
    expect(rawSocketOf(serverSide)).toBe(tcp);
  });

  it('writes stream events on that socket, not through ws.send', async () => {
    const { serverSide, tcp, received } = await connection();
    const send = vi.spyOn(serverSide, 'send');
    const write = vi.spyOn(tcp, 'write');
    const event = peakEvent(1);
    new WsSink(serverSide).sendEvent(event);
    await eventually('the event', async () => received[0], WAIT_MS);
    expect(received).toEqual([event.json]);
    expect(send).not.toHaveBeenCalled();
    expect(write).toHaveBeenCalledWith(event.frame);
  });

  it("keeps raw frames and ws's own sends whole and in order, small and large", async () => {
    const { serverSide, received } = await connection();
    const sink = new WsSink(serverSide);
    const events = [peakEvent(1), peakEvent(2, 'x'.repeat(LARGE_PAYLOAD_BYTES)), peakEvent(3)];
    const expected: string[] = [];
    events.forEach((event, i) => {
      const control = JSON.stringify({ type: 'pong', n: i });
      sink.sendControl('pong', control);
      sink.sendEvent(event);
      expected.push(control, event.json);
    });
    await eventually('every message', async () => (received.length >= expected.length ? true : undefined), WAIT_MS);
    expect(received).toEqual(expected);
  });

  it('sends what it was given between cork and uncork in one write, whole and in order', async () => {
    const { serverSide, tcp, received } = await connection();
    const sink = new WsSink(serverSide);
    const writev = vi.spyOn(tcp as Socket & { _writev: (...args: unknown[]) => void }, '_writev');
    const write = vi.spyOn(tcp as Socket & { _write: (...args: unknown[]) => void }, '_write');
    const [peak, next] = [peakEvent(1), peakEvent(2)];
    sink.cork();
    sink.sendEvent(peak);
    sink.sendEvent(next);
    expect(writev).not.toHaveBeenCalled();
    sink.uncork();
    await eventually('both events', async () => (received.length >= 2 ? true : undefined), WAIT_MS);
    expect(received).toEqual([peak.json, next.json]);
    expect(writev).toHaveBeenCalledTimes(1);
    expect(write).not.toHaveBeenCalled();
  });

  it('counts a frame written on the socket in bufferedBytes until it is flushed', async () => {
    const { serverSide, tcp } = await connection();
    const sink = new WsSink(serverSide);
    const event = peakEvent(1);
    tcp.cork();
    sink.sendEvent(event);
    expect(sink.bufferedBytes()).toBeGreaterThanOrEqual(event.frame.length);
    tcp.uncork();
    await eventually('the flush', async () => (sink.bufferedBytes() === 0 ? true : undefined), WAIT_MS);
  });
});
