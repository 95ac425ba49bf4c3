import { describe, expect, it } from 'vitest';
import net from 'node:net';
import WebSocket from 'ws';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { GapMessage, HelloMessage, PeakMessage, ReorgMessage, SubscribedMessage } from '../../schemas/live.js';
import { LiveClient, advanceUntilShed, heights, liveTestScope } from '../live/live-app.js';
import { eventually } from '../support/eventually.js';

const CHECKS = Object.fromEntries(
  [HelloMessage, PeakMessage, ReorgMessage, GapMessage, SubscribedMessage].map((s) => [
    (s as { properties: { type: { const: string } } }).properties.type.const,
    TypeCompiler.Compile(s),
  ]),
);

const scope = liveTestScope();

function client(query = '', options?: WebSocket.ClientOptions): LiveClient {
  const c = new LiveClient(scope.live.wsUrl(query), options);
  scope.closeAfter(() => c.close());
  return c;
}

describe('GET /v1/ws', () => {
  it('streams hello, peaks and reorgs, each matching its schema', async () => {
    const live = await scope.start();
    const c = client();
    await c.until((m) => m.length >= 1, 'hello');
    live.source.advance();
    live.source.advance();
    live.source.reorg(1);
    const messages = await c.until((m) => m.length >= 5, 'five messages');
    expect(c.types()).toEqual(['hello', 'peak', 'peak', 'reorg', 'peak']);
    for (const message of messages) expect(CHECKS[message.type]?.Check(message), message.type).toBe(true);
    expect(messages[3]?.data).toMatchObject({ fork_point: 101, rolled_back: { from: 102, to: 102 } });
  });

  it('replays after ?last_event_id before live peaks, and after a subscribe by height', async () => {
    const live = await scope.start();
    const first = client();
    await first.until((m) => m.length >= 1, 'hello');
    for (let i = 0; i < 3; i++) live.source.advance();
    // Peak 101's id: derived from the chain, so any client can name it.
    await first.until((m) => heights(m).length === 3, 'three live peaks');
    const afterFirst = String(first.messages.find((m) => m.type === 'peak')?.id);

    const byId = client(`?last_event_id=${afterFirst}`);
    await byId.until((m) => m.some((x) => x.type === 'subscribed'), 'subscribed');
    live.source.advance();
    await byId.until((m) => heights(m).length === 3, 'three peaks');
    expect(byId.types()).toEqual(['hello', 'peak', 'peak', 'subscribed', 'peak']);
    expect(heights(byId.messages)).toEqual([102, 103, 104]);

    const bySince = client();
    await bySince.until((m) => m.length >= 1, 'hello');
    bySince.send({ type: 'subscribe', topics: ['peaks'], since: 101 });
    await bySince.until((m) => m.some((x) => x.type === 'subscribed'), 'subscribed');
    expect(heights(bySince.messages)).toEqual([102, 103, 104]);
  });

  it('reports a gap for a cursor older than the buffer', async () => {
    const live = await scope.start({ replaySize: 2 });
    for (let i = 0; i < 4; i++) live.source.advance(); // 101..104, buffer 103..104
    const c = client('?since=50');
    await c.until((m) => m.some((x) => x.type === 'subscribed'), 'subscribed');
    expect(c.types()).toEqual(['hello', 'gap', 'peak', 'peak', 'subscribed']);
    expect(c.messages[1]?.data).toMatchObject({ since: 50, oldest_height: 103 });
  });

  it('answers bad messages with error frames and stays open', async () => {
    await scope.start();
    const c = client();
    await c.until((m) => m.length >= 1, 'hello');
    c.send('{oops');
    c.send({ type: 'subscribe', topics: ['mempool'] });
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    c.send({ type: 'ping' });
    await c.until((m) => m.some((x) => x.type === 'pong'), 'pong');
    expect(c.messages.slice(1).map((m) => m.code ?? m.type)).toEqual(['INVALID_JSON', 'INVALID_MESSAGE', 'BINARY_UNSUPPORTED', 'pong']);
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('closes with 1009 on a message above ws.maxMessageBytes', async () => {
    await scope.start({ maxMessageBytes: 256 });
    const c = client();
    await c.until((m) => m.length >= 1, 'hello');
    c.send({ type: 'ping', pad: 'x'.repeat(300) });
    expect((await c.closed).code).toBe(1009);
  });

  it('refuses a plain GET with 426 and clients beyond ws.maxClients with 503 problem+json', async () => {
    const live = await scope.start({ maxClients: 1 });
    const plain = await fetch(`${live.base}/v1/ws`);
    expect(plain.status).toBe(426);
    expect(plain.headers.get('content-type')).toContain('application/problem+json');

    const c = client();
    await c.until((m) => m.length >= 1, 'hello');
    const refused = await new Promise<{ status: number; type: string | undefined; body: string }>((resolve) => {
      const ws = new WebSocket(live.wsUrl());
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
      });
      ws.on('error', () => {});
    });
    expect(refused.status).toBe(503);
    expect(refused.type).toContain('application/problem+json');
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'LIVE_TOO_MANY_CLIENTS', status: 503 });
  });

  it('admits exactly ws.maxClients from a burst of simultaneous upgrades', async () => {
    const live = await scope.start({ maxClients: 3 });
    const outcomes = await Promise.all(
      Array.from(
        { length: 8 },
        () =>
          new Promise<number>((resolve) => {
            const ws = new WebSocket(live.wsUrl());
            ws.on('open', () => resolve(101));
            ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
            ws.on('error', () => resolve(0));
            scope.closeAfter(() => ws.terminate());
          }),
      ),
    );
    expect(outcomes.filter((s) => s === 101)).toHaveLength(3);
    expect(outcomes.filter((s) => s === 503)).toHaveLength(5);
    expect(live.app.peakHub.slotsInUse).toBe(3);
  });

  it('frees the slot of a request refused after admission', async () => {
    const live = await scope.start({ maxClients: 1 });
    // Admitted by the guard, then refused by the route (a plain GET is no upgrade): the slot must come back.
    for (let i = 0; i < 3; i++) expect((await fetch(`${live.base}/v1/ws`)).status).toBe(426);
    const c = client();
    await c.until((m) => m.length >= 1, 'hello');
  });

  it('leaves no listener behind on a keep-alive socket that serves many refused requests', async () => {
    const live = await scope.start();
    const sockets: net.Socket[] = [];
    live.app.server.on('connection', (socket: net.Socket) => sockets.push(socket));
    const { port } = live.app.server.address() as net.AddressInfo;
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    const REQUESTS = 30;
    for (let i = 0; i < REQUESTS; i++) socket.write('GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const refused = () => received.split('HTTP/1.1 426').length - 1;
    await eventually('every request refused', () => refused() === REQUESTS, 10_000);
    expect(refused()).toBe(REQUESTS);
    expect(sockets).toHaveLength(1);
    // Node's own close listeners only: each request's slot listener went with its slot.
    expect(sockets[0]!.listenerCount('close')).toBeLessThanOrEqual(2);
    socket.destroy();
  });

  it('enforces the origin allowlist', async () => {
    const live = await scope.start({ allowedOrigins: ['https://explorer.example'] });
    const allowed = client('', { origin: 'https://explorer.example' });
    await allowed.until((m) => m.length >= 1, 'hello');
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(live.wsUrl(), { origin: 'https://evil.example' });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => {});
    });
    expect(status).toBe(403);
  });

  it('terminates a client that stops reading once its buffer passes the ceiling; others keep up', async () => {
    const live = await scope.start({ sendBufferBytes: 64 * 1024 });
    const reader = client();
    const stalled = client();
    await reader.until((m) => m.length >= 1, 'hello');
    await stalled.until((m) => m.length >= 1, 'hello');
    // Stop reading: the kernel buffers fill, then the server-side buffer grows past the ceiling.
    (stalled.ws as unknown as { _socket: import('node:net').Socket })._socket.pause();
    const sent = await advanceUntilShed(live.app, live.source);
    const shed = async () => (await live.app.metrics.liveSlowClientsTerminated.get()).values.length > 0;
    expect(await shed()).toBe(true);
    expect(live.app.peakHub.clientCount).toBe(1);
    await reader.until((m) => heights(m).length >= sent, 'every peak on the reading client', 20_000);
  });

  it('terminates a client that does not answer heartbeat pings', async () => {
    const live = await scope.start({ heartbeatMs: 100 });
    const port = Number(new URL(live.base).port);
    // A raw TCP client: it upgrades, then never answers a ping (ws clients answer automatically).
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.on('error', () => {});
    socket.resume(); // read and drop everything, so the server's close is seen
    socket.write(
      `GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    const ponger = client(); // a normal client keeps answering and stays
    await ponger.until((m) => m.length >= 1, 'hello');
    await new Promise((resolve) => socket.once('close', resolve));
    const shed = await live.app.metrics.liveSlowClientsTerminated.get();
    expect(shed.values).toEqual([expect.objectContaining({ labels: { transport: 'ws', reason: 'heartbeat' }, value: 1 })]);
    expect(ponger.ws.readyState).toBe(WebSocket.OPEN);
    expect(live.app.peakHub.clientCount).toBe(1);
  });

  it('closes every client with 1001 on shutdown', async () => {
    const live = await scope.start();
    const c = client();
    await c.until((m) => m.length >= 1, 'hello');
    await live.app.close();
    expect((await c.closed).code).toBe(1001);
  });
});
