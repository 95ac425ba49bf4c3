/**
 * Slow and oversized requests cannot hold the gateway's sockets, over real sockets: trickled headers
 * (slowloris) and a trickled body are cut with 408 at the request deadline, a body sent to a route
 * that takes none is refused unread (413) and its connection closed, and connections beyond the cap
 * are closed as they are accepted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { GatewayApp } from '../../src/app.js';
import type { GatewayConfig } from '../../src/config/config.js';
import { listeningApp } from '../support/listening-app.js';
import { eventually } from '../support/eventually.js';
import { RawConnection, portOf } from '../support/raw-http.js';

/** Short enough for a test, long enough that a loaded machine sends a normal request well within it. */
const DEADLINE_MS = 1_000;
/** How often a trickling client sends its next byte: far more often than the deadline. */
const TRICKLE_MS = 100;
/** Waits bound the test, not the gateway: generous for a loaded machine. */
const WAIT_MS = 15_000;

let app: GatewayApp | undefined;
const connections: RawConnection[] = [];
const timers: NodeJS.Timeout[] = [];

afterEach(async () => {
  for (const timer of timers.splice(0)) clearInterval(timer);
  for (const connection of connections.splice(0)) connection.destroy();
  await app?.close();
  app = undefined;
});

async function listening(overrides: Partial<GatewayConfig> = {}): Promise<number> {
  // A route that takes a body, as a future one might: the deadline covers reading it.
  app = await listeningApp({ httpRequestTimeoutMs: DEADLINE_MS, ...overrides }, (a) =>
    a.post('/test/upload', { schema: { body: { type: 'string' } } }, async (request) => ({ bytes: String(request.body).length })),
  );
  return portOf(app);
}

function open(port: number): RawConnection {
  const connection = new RawConnection(port);
  connections.push(connection);
  return connection;
}

/** Writes `chunk` every TRICKLE_MS until the connection closes. */
function trickle(connection: RawConnection, chunk: string): void {
  const timer = setInterval(() => {
    if (!connection.socket.destroyed) connection.socket.write(chunk);
  }, TRICKLE_MS);
  timers.push(timer);
  void connection.closed.then(() => clearInterval(timer));
}

async function closedWithin(connection: RawConnection): Promise<void> {
  await eventually('the gateway to close the connection', () => connection.socket.destroyed, WAIT_MS);
}

describe('request deadline', () => {
  it('cuts a client trickling its headers (slowloris) with 408 REQUEST_TIMEOUT', async () => {
    const port = await listening();
    const connection = open(port);
    await connection.write('GET /v1/peak HTTP/1.1\r\nHost: x\r\n');
    trickle(connection, 'X-Slow: y\r\n');
    await closedWithin(connection);
    const response = connection.response();
    expect(response?.status).toBe(408);
    expect(response?.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(JSON.parse(response?.body ?? '')).toMatchObject({ code: 'REQUEST_TIMEOUT', status: 408 });
  });

  it('cuts a client trickling its body with 408 REQUEST_TIMEOUT', async () => {
    const port = await listening();
    const connection = open(port);
    await connection.write('POST /test/upload HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n');
    trickle(connection, 'x');
    await closedWithin(connection);
    expect(connection.response()?.status).toBe(408);
  });

  it('cuts many trickling clients at once, and keeps serving others', async () => {
    const port = await listening();
    const slow = Array.from({ length: 20 }, () => open(port));
    for (const connection of slow) {
      await connection.write('POST /test/upload HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n');
      trickle(connection, 'x');
    }
    for (const connection of slow) await closedWithin(connection);
    expect(slow.map((c) => c.response()?.status)).toEqual(slow.map(() => 408));
    const healthy = open(port);
    await healthy.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await healthy.closed;
    expect(healthy.response()?.status).toBe(200);
  });

  it('lets an ordinary request through', async () => {
    const port = await listening();
    const connection = open(port);
    await connection.write('POST /test/upload HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc');
    await connection.closed;
    expect(connection.response()?.status).toBe(200);
    expect(JSON.parse(connection.response()?.body ?? '')).toEqual({ bytes: 3 });
  });
});

describe('live streams', () => {
  it('outlive the request deadline: it bounds receiving a request, not the response', async () => {
    const port = await listening();
    const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/ws`);
    const wsClosed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const sse = open(port);
    await sse.write('GET /v1/events HTTP/1.1\r\nHost: x\r\n\r\n');
    await eventually('the SSE stream to start', () => sse.text().includes('retry:'), WAIT_MS);
    // A slowloris opened after both streams: once it is cut, the deadline has passed for them too.
    const slow = open(port);
    await slow.write('GET /v1/peak HTTP/1.1\r\nHost: x\r\n');
    trickle(slow, 'X-Slow: y\r\n');
    await closedWithin(slow);
    expect(slow.response()?.status).toBe(408);
    expect(sse.socket.destroyed).toBe(false);
    const pong = new Promise<void>((resolve) =>
      ws.on('message', (data: Buffer) => {
        if ((JSON.parse(data.toString()) as { type: string }).type === 'pong') resolve();
      }),
    );
    ws.send(JSON.stringify({ type: 'ping' }));
    await pong;
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
    await wsClosed;
  });
});

describe('request bodies', () => {
  it('a body sent to a route that takes none is refused unread with 413, and the connection closed', async () => {
    const port = await listening();
    const connection = open(port);
    await connection.write('GET /v1/blocks/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nx');
    trickle(connection, 'x');
    // A 413, not the deadline's 408: nothing waited for the body.
    await eventually('the 413', async () => connection.response(), WAIT_MS);
    const response = connection.response();
    expect(response?.status).toBe(413);
    expect(response?.headers.connection).toBe('close');
    expect(JSON.parse(response?.body ?? '')).toMatchObject({ code: 'BODY_NOT_ALLOWED', detail: 'GET /v1/blocks/1 takes no request body' });
    await closedWithin(connection);
  });

  it('a chunked body too', async () => {
    const port = await listening();
    const connection = open(port);
    await connection.write('GET /v1/peak HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n');
    await eventually('the 413', async () => connection.response(), WAIT_MS);
    expect(connection.response()?.status).toBe(413);
    await closedWithin(connection);
  });
});

describe('connection cap', () => {
  it('closes connections beyond CHIA_GATEWAY_MAX_CONNECTIONS as they are accepted, and counts them', async () => {
    const port = await listening({ maxConnections: 2 });
    const held = [open(port), open(port)];
    for (const connection of held) {
      await connection.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      await eventually('a response', async () => connection.response(), WAIT_MS);
    }
    const refused = open(port);
    await refused.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n').catch(() => undefined);
    await refused.closed;
    expect(refused.text()).toBe('');
    const metrics = await app!.inject('/metrics');
    expect(metrics.body).toContain('chia_gateway_http_connections_dropped_total{listener="public"} 1');
    // A slot freed is a slot usable again.
    held[0]!.destroy();
    await eventually(
      'a new connection to be served',
      async () => {
        const next = open(port);
        await next.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n').catch(() => undefined);
        await next.closed;
        return next.response()?.status === 200;
      },
      WAIT_MS,
    );
  });
});
