/**
 * The per-IP cap on live clients (ws.maxClientsPerIp) over real sockets. Every client connects from
 * 127.0.0.1, a trusted proxy here, so X-Forwarded-For picks the client address each one counts against.
 */
import { describe, expect, it } from 'vitest';
import net from 'node:net';
import WebSocket from 'ws';
import type { GatewayConfig } from '../../src/config/config.js';
import { eventually } from '../support/eventually.js';
import { PeakSource } from '../../fake-node/in-memory/peak-source.js';
import { LiveClient, advanceUntilShed, liveTestScope, type LiveApp } from './live-app.js';
import { SseClient } from './sse-client.js';

const A = '198.51.100.1';
const B = '198.51.100.2';

const scope = liveTestScope();

/** The gateway trusting 127.0.0.1 as a proxy, with these live options. */
async function start(ws: Partial<GatewayConfig['ws']>): Promise<LiveApp> {
  return scope.start(ws, new PeakSource(), { trustProxy: ['127.0.0.1'] });
}

function from(ip: string): { headers: Record<string, string> } {
  return { headers: { 'x-forwarded-for': ip } };
}

/** A WebSocket client from `ip`, connected (hello received). */
async function wsFrom(ip: string): Promise<LiveClient> {
  const c = new LiveClient(scope.live.wsUrl(), from(ip));
  scope.closeAfter(() => c.close());
  await c.until((m) => m.length >= 1, `hello for a client from ${ip}`);
  return c;
}

/** An SSE client from `ip`, streaming (hello received). */
async function sseFrom(ip: string): Promise<SseClient> {
  const c = new SseClient(`${scope.live.base}/v1/events`, from(ip).headers);
  scope.closeAfter(() => c.close());
  await c.until((x) => x.events.length >= 1, `SSE hello for a client from ${ip}`);
  return c;
}

interface Outcome {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Tries a WebSocket upgrade from `ip`: 101 when it opens (the socket stays open until the test ends), else the refusal. */
function upgradeFrom(ip: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const ws = new WebSocket(scope.live.wsUrl(), from(ip));
    scope.closeAfter(() => ws.terminate());
    ws.on('open', () => resolve({ status: 101, headers: {}, body: '' }));
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    ws.on('error', () => resolve({ status: 0, headers: {}, body: '' }));
  });
}

/** Waits until the hub counts `n` slots for `ip`. */
async function slotsOf(ip: string, n: number): Promise<void> {
  const held = () => scope.live.app.peakHub.slotsInUseBy(ip);
  await eventually(() => `${ip} to hold ${n} slots (holds ${held()})`, () => held() === n, 10_000);
}

async function refusals(): Promise<Record<string, number>> {
  const { values } = await scope.live.app.metrics.liveRefused.get();
  return Object.fromEntries(values.map((v) => [String(v.labels.reason), v.value]));
}

describe('live clients per client IP (ws.maxClientsPerIp)', () => {
  it('refuses the (cap+1)-th WebSocket from one address with 429 problem+json; another address is admitted', async () => {
    await start({ maxClientsPerIp: 2 });
    await wsFrom(A);
    await wsFrom(A);
    const refused = await upgradeFrom(A);
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.headers['retry-after']).toBe('5');
    const problem = JSON.parse(refused.body) as { code: string; status: number; detail: string };
    expect(problem).toMatchObject({ code: 'LIVE_TOO_MANY_CLIENTS_FROM_IP', status: 429 });
    expect(problem.detail).toContain(A);
    expect(problem.detail).toContain('2 live connections');
    expect(problem.detail).toContain('CHIA_GATEWAY_WS_MAX_CLIENTS_PER_IP');
    await wsFrom(B);
    expect(scope.live.app.peakHub.slotsInUseBy(A)).toBe(2);
    expect(scope.live.app.peakHub.clientCount).toBe(3);
    expect(await refusals()).toEqual({ max_clients_per_ip: 1 });
  });

  it('counts WebSocket and SSE together, and refuses SSE beyond the cap the same way', async () => {
    await start({ maxClientsPerIp: 2 });
    await wsFrom(A);
    await sseFrom(A);
    const sse = await fetch(`${scope.live.base}/v1/events`, from(A));
    expect(sse.status).toBe(429);
    expect(sse.headers.get('content-type')).toContain('application/problem+json');
    expect(sse.headers.get('retry-after')).toBe('5');
    expect(await sse.json()).toMatchObject({ code: 'LIVE_TOO_MANY_CLIENTS_FROM_IP' });
    expect((await upgradeFrom(A)).status).toBe(429);
    await sseFrom(B);
    expect(await refusals()).toEqual({ max_clients_per_ip: 2 });
  });

  it('gives the slot back when a client closes (WebSocket and SSE), so the address can connect again', async () => {
    await start({ maxClientsPerIp: 1 });
    const ws = await wsFrom(A);
    expect((await upgradeFrom(A)).status).toBe(429);
    ws.ws.close(1000);
    await slotsOf(A, 0);
    const sse = await sseFrom(A);
    expect((await fetch(`${scope.live.base}/v1/events`, from(A))).status).toBe(429);
    sse.close();
    await slotsOf(A, 0);
    await wsFrom(A);
  });

  it('gives the slot back when the heartbeat reaps a client that does not answer pings', async () => {
    await start({ maxClientsPerIp: 1, heartbeatMs: 100 });
    const port = Number(new URL(scope.live.base).port);
    // A raw TCP client: it upgrades, then never answers a ping (ws clients answer automatically).
    const socket = net.connect({ host: '127.0.0.1', port });
    scope.closeAfter(() => socket.destroy());
    socket.on('error', () => {});
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.resume(); // read and drop everything, so the server's close is seen
    socket.write(
      `GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `X-Forwarded-For: ${A}\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    await closed;
    const shed = await scope.live.app.metrics.liveSlowClientsTerminated.get();
    expect(shed.values).toEqual([expect.objectContaining({ labels: { transport: 'ws', reason: 'heartbeat' }, value: 1 })]);
    expect(scope.live.app.peakHub.slotsInUseBy(A)).toBe(0);
    await wsFrom(A);
  });

  it('gives the slot back when a client that stops reading is shed', async () => {
    const { app, source } = await start({ maxClientsPerIp: 1, sendBufferBytes: 64 * 1024 });
    const stalled = await wsFrom(A);
    // Stop reading: the kernel buffers fill, then the server-side buffer grows past the ceiling.
    (stalled.ws as unknown as { _socket: net.Socket })._socket.pause();
    await advanceUntilShed(app, source);
    const shed = async () => (await app.metrics.liveSlowClientsTerminated.get()).values.length > 0;
    expect(await shed()).toBe(true);
    expect(app.peakHub.slotsInUseBy(A)).toBe(0);
    await wsFrom(A);
  });

  it('gives the slot back when the request is refused after admission, and takes none for a bad handshake', async () => {
    await start({ maxClientsPerIp: 1 });
    const port = Number(new URL(scope.live.base).port);
    // An unsupported protocol version is refused before the guard: no slot, no refusal counted.
    const status = await new Promise<string>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      scope.closeAfter(() => socket.destroy());
      let head = '';
      socket.on('data', (chunk: Buffer) => (head += chunk.toString()));
      socket.on('close', () => resolve(head.split('\r\n')[0] ?? ''));
      socket.on('error', () => {});
      socket.write(
        `GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `X-Forwarded-For: ${A}\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 99\r\n\r\n`,
      );
    });
    expect(status).toMatch(/^HTTP\/1\.1 426/);
    expect(await refusals()).toEqual({});
    // Admitted by the guard, then refused by the route (a plain GET is no upgrade), twice.
    for (let i = 0; i < 2; i++) expect((await fetch(`${scope.live.base}/v1/ws`, from(A))).status).toBe(426);
    await slotsOf(A, 0);
    await wsFrom(A);
  });

  it('gives every slot back on shutdown', async () => {
    await start({ maxClientsPerIp: 2 });
    const ws = await wsFrom(A);
    const sse = await sseFrom(A);
    const hub = scope.live.app.peakHub;
    await scope.live.app.close();
    expect((await ws.closed).code).toBe(1001);
    await sse.ended;
    expect(hub.slotsInUseBy(A)).toBe(0);
  });

  it('does not cap an address with 0', async () => {
    await start({ maxClientsPerIp: 0 });
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => upgradeFrom(A)));
    expect(outcomes.map((o) => o.status)).toEqual(Array(6).fill(101));
    await sseFrom(A);
    expect(scope.live.app.peakHub.clientCount).toBe(7);
  });

  it('admits exactly the cap from a burst of simultaneous upgrades from one address', async () => {
    await start({ maxClientsPerIp: 3 });
    const outcomes = await Promise.all([...Array.from({ length: 8 }, () => upgradeFrom(A)), upgradeFrom(B), upgradeFrom(B)]);
    const fromA = outcomes.slice(0, 8).map((o) => o.status);
    expect(fromA.filter((s) => s === 101)).toHaveLength(3);
    expect(fromA.filter((s) => s === 429)).toHaveLength(5);
    expect(outcomes.slice(8).map((o) => o.status)).toEqual([101, 101]);
    expect(scope.live.app.peakHub.slotsInUseBy(A)).toBe(3);
    expect(scope.live.app.peakHub.slotsInUseBy(B)).toBe(2);
  });

  it('keeps the global cap: 503 once ws.maxClients are connected, whatever the address', async () => {
    await start({ maxClients: 2, maxClientsPerIp: 2 });
    await wsFrom(A);
    await wsFrom(B);
    const refused = await upgradeFrom('198.51.100.3');
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'LIVE_TOO_MANY_CLIENTS' });
    expect(await refusals()).toEqual({ max_clients: 1 });
  });
});
