/**
 * The abuse patterns of the red-team report, one at a time at a low rate: each opens its own
 * connection, misbehaves, and checks that the gateway answered as documented and closed the socket.
 */
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { problemCode, send } from './http-client.js';
import type { Tally } from './tally.js';

const UPGRADE = 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';
/** Longest an abuse case may take: the request deadline plus slack for a loaded machine. */
const CASE_LIMIT_MS = 90_000;

interface Raw {
  socket: Socket;
  received: () => string;
  closed: Promise<void>;
}

function raw(base: URL): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: base.hostname, port: Number(base.port) });
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (text += d));
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve({ socket, received: () => text, closed }));
    socket.once('error', reject);
  });
}

const statusOf = (text: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends `request` whole, then expects an answer of `status` and the server to close the socket. */
async function answeredAndClosed(base: URL, request: string | Buffer, status: number): Promise<string | null> {
  const conn = await raw(base);
  conn.socket.write(request);
  // Like curl: stop sending once the request is out (half-close), keep reading.
  conn.socket.end();
  await conn.closed;
  const got = statusOf(conn.received());
  return got === status ? null : `expected ${status}, got ${got || 'no answer'}`;
}

type Case = (base: URL) => Promise<string | null>;

export const ABUSE_CASES: Record<string, Case> = {
  'POST upgrade to /v1/ws': (base) => answeredAndClosed(base, `POST /v1/ws HTTP/1.1\r\nHost: x\r\n${UPGRADE}\r\n`, 405),
  'upgrade to an unknown path': (base) => answeredAndClosed(base, `GET /v1/nowhere HTTP/1.1\r\nHost: x\r\n${UPGRADE}\r\n`, 404),
  'bad percent-encoding': (base) => answeredAndClosed(base, 'GET /v1/blocks/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 400),
  'headers over 16 KiB': (base) => answeredAndClosed(base, `GET /v1/peak HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431),
  'Content-Length with Transfer-Encoding': (base) =>
    answeredAndClosed(base, 'GET /v1/peak HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400),
  'a body where none is taken': (base) => answeredAndClosed(base, 'GET /v1/peak HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\nabc', 413),
  'slowloris headers': async (base) => {
    const conn = await raw(base);
    conn.socket.write('GET /v1/peak HTTP/1.1\r\nHost: x\r\n');
    let open = true;
    void conn.closed.then(() => (open = false));
    const started = Date.now();
    while (open && Date.now() - started < CASE_LIMIT_MS) {
      conn.socket.write('X-Slow: 1\r\n');
      await sleep(2_000);
    }
    if (open) {
      conn.socket.destroy();
      return 'a trickling client was never cut off';
    }
    const got = statusOf(conn.received());
    return got === 408 || got === 0 ? null : `expected 408, got ${got}`;
  },
  'HEAD /v1/events': async (base) => {
    const answer = await send(base, '/v1/events', { method: 'HEAD', timeoutMs: 10_000 });
    return answer.status === 200 ? null : `expected 200, got ${answer.status}`;
  },
  'oversized x-request-id': async (base) => {
    const answer = await send(base, '/v1/peak', { headers: { 'x-request-id': `<script>${'x'.repeat(8_000)}` } });
    const id = String(answer.headers['x-request-id'] ?? '');
    return id.length > 0 && id.length <= 64 && !id.includes('<') ? null : `request id echoed as ${id.slice(0, 40)}…`;
  },
  'WebSocket message flood': (base) =>
    new Promise((resolve) => {
      const socket = new WebSocket(`ws://${base.host}/v1/ws`);
      let told = false;
      socket.on('open', () => {
        for (let i = 0; i < 500; i++) socket.send('{"type":"ping"}');
      });
      socket.on('message', (data) => {
        if (String(data).includes('MESSAGE_RATE_EXCEEDED')) told = true;
      });
      socket.on('error', () => undefined);
      socket.on('close', (code) => resolve(code === 1008 && told ? null : `expected an error frame and 1008, got close ${code} (told: ${told})`));
    }),
  'heavy client: uncached ranges from one address': async (base) => {
    // 30 concurrent 100-block ranges from one address: its own share waits, nobody else's does.
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => send(base, `/v1/blocks?start=${i * 100}&end=${i * 100 + 100}`, { from: '127.0.0.9' })),
    );
    const bad = answers.filter((a) => a.status >= 500 && problemCode(a) !== 'UPSTREAM_BUSY');
    return bad.length === 0 ? null : `${bad.length} answers ${bad.map((a) => `${a.status} ${problemCode(a)}`).join(', ')}`;
  },
};

/** Runs one abuse case, recording its outcome. */
export async function runAbuse(base: URL, name: string, tally: Tally): Promise<void> {
  const run = ABUSE_CASES[name];
  if (run === undefined) throw new Error(`no abuse case ${name}`);
  tally.add(`abuse:${name}`);
  try {
    const problem = await run(base);
    if (problem !== null) tally.fail(`abuse: ${name}`, problem);
  } catch (err) {
    tally.fail(`abuse: ${name}`, (err as Error).message);
  }
}
