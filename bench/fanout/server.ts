/**
 * A fan-out benchmark server in its own process (so its RSS is its own): `baseline` is the plain
 * ws README broadcast (JSON.stringify once, `client.send(string)` per client); `hub` is the gateway
 * (buildApp, /v1/ws, the peak hub) fed by an in-memory peak source. The baseline server also runs
 * the `floor` rounds: its frame written with one bare write(2) per socket, no stream, no ws.
 */
import { writeSync } from 'node:fs';
import type { Socket } from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';
import { buildApp } from '../../src/app.js';
import { configWith } from '../../src/config/config.js';
import { PeakSource } from '../../fake-node/in-memory/peak-source.js';
import { wsTextFrame } from '../../src/live/live-events.js';
import { nowMs, type FromServer, type ServerKind, type ToServer } from './protocol.js';

const kind = process.argv[2] as ServerKind;
const maxClients = Number(process.argv[3] ?? '20000');
/** Heartbeats would put pings on the wire during a measurement. */
const NO_HEARTBEAT_MS = 3_600_000;

function send(message: FromServer): void {
  process.send?.(message);
}

/** RSS and heap (JS heap + buffers outside it) after a full GC. */
function memory(): { rss: number; heap: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const usage = process.memoryUsage();
  return { rss: usage.rss, heap: usage.heapUsed + usage.external };
}

let publish: () => void;
/** One bare write(2) of the current frame per socket (baseline server only). */
let floor: (sockets: Socket[]) => void = () => {
  throw new Error('floor rounds run on the baseline server');
};
/** The raw TCP sockets of the connected clients (ws keeps them in `_socket`). */
let rawSockets: () => Socket[];
function rawOf(clients: Set<WebSocket>): Socket[] {
  return [...clients].map((c) => (c as unknown as { _socket: Socket })._socket);
}

let clientCount: () => number;
let close: () => Promise<void>;

if (kind === 'baseline') {
  const source = new PeakSource();
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, backlog: 4096 });
  await new Promise((resolve) => wss.once('listening', resolve));
  // Ids from the epoch ms like the hub's, so both payloads have the same size.
  let id = Date.now();
  const next = () => {
    const p = source.advance();
    return JSON.stringify({ type: 'peak', id: id++, data: { ...p, weight: p.weight.toString() } });
  };
  publish = () => {
    const data = next();
    for (const client of wss.clients) if (client.readyState === WebSocket.OPEN) client.send(data);
  };
  floor = (sockets) => {
    const frame = wsTextFrame(Buffer.from(next()));
    for (const socket of sockets) {
      const fd = (socket as unknown as { _handle: { fd: number } })._handle.fd;
      try {
        writeSync(fd, frame);
      } catch {
        // EAGAIN cannot happen with idle readers; a failed write shows up as a missing subscriber.
      }
    }
  };
  clientCount = () => wss.clients.size;
  rawSockets = () => rawOf(wss.clients);
  close = () => new Promise((resolve) => wss.close(() => resolve()));
  const address = wss.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  send({ event: 'listening', port: address.port, path: '/', ...memory() });
} else {
  const source = new PeakSource();
  const config = configWith({ logLevel: 'silent', ws: { ...configWith({}).ws, maxClients, heartbeatMs: NO_HEARTBEAT_MS, maxClientsPerIp: 0 } });
  const app = await buildApp({ config, upstream: source });
  await app.listen({ host: '127.0.0.1', port: 0, backlog: 4096 });
  publish = () => source.advance();
  clientCount = () => app.peakHub.clientCount;
  rawSockets = () => rawOf(app.websocketServer.clients);
  close = () => app.close();
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  send({ event: 'listening', port: address.port, path: '/v1/ws', ...memory() });
}

process.on('message', (message: ToServer) => {
  if (message.cmd === 'measure-rss') send({ event: 'rss', ...memory(), clients: clientCount() });
  else if (message.cmd === 'publish') {
    const sockets = message.mode === 'normal' ? [] : rawSockets();
    if (message.mode === 'corked') for (const socket of sockets) socket.cork();
    const at = nowMs();
    if (message.mode === 'floor') floor(sockets);
    else publish();
    // The synchronous fan-out: serialisation and every socket write happen inside publish().
    const loopMs = nowMs() - at;
    if (message.mode === 'corked') for (const socket of sockets) socket.uncork();
    send({ event: 'published', round: message.round, at, loopMs });
  } else if (message.cmd === 'exit') void close().finally(() => process.exit(0));
});
