/**
 * N WebSocket subscribers in one process, as thin as possible so the server is what is measured:
 * raw TCP sockets that do the upgrade handshake by hand and timestamp the first bytes after "arm".
 */
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { nowMs, type FromClients, type ToClients } from './protocol.js';

/** Connections opened at once; more overflows the listen backlog on a small machine. */
const CONNECT_CONCURRENCY = 200;
/** How long a round waits for every subscriber before counting the rest as missing. */
const ROUND_TIMEOUT_MS = 30_000;

const sockets: net.Socket[] = [];
let armed: { round: number; times: number[]; pending: number; bytes: number; timer: NodeJS.Timeout } | null = null;

function send(message: FromClients): void {
  process.send?.(message);
}

function connectOne(port: number, path: string): Promise<net.Socket | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let upgraded = false;
    let got = false;
    socket.setNoDelay(true);
    socket.on('connect', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.on('data', (chunk) => {
      if (!upgraded) {
        upgraded = chunk.toString('latin1', 0, 12).includes('101');
        resolve(upgraded ? socket : null);
        return;
      }
      if (armed !== null && !got) {
        got = true;
        armed.times.push(nowMs());
        armed.bytes ||= chunk.length;
        if (--armed.pending === 0) finish();
      }
    });
    socket.on('error', () => resolve(null));
    (socket as net.Socket & { disarm?: () => void }).disarm = () => {
      got = false;
    };
  });
}

function finish(): void {
  if (armed === null) return;
  clearTimeout(armed.timer);
  send({ event: 'received', round: armed.round, times: armed.times, missing: armed.pending, bytes: armed.bytes });
  armed = null;
}

process.on('message', async (message: ToClients) => {
  if (message.cmd === 'connect') {
    let failed = 0;
    let next = 0;
    const worker = async () => {
      while (next < message.count) {
        next++;
        const socket = await connectOne(message.port, message.path);
        if (socket) sockets.push(socket);
        else failed++;
      }
    };
    await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, worker));
    send({ event: 'connected', count: sockets.length, failed });
  } else if (message.cmd === 'arm') {
    for (const socket of sockets) (socket as net.Socket & { disarm?: () => void }).disarm?.();
    armed = { round: message.round, times: [], pending: sockets.length, bytes: 0, timer: setTimeout(finish, ROUND_TIMEOUT_MS) };
    send({ event: 'armed', round: message.round });
  } else if (message.cmd === 'exit') {
    for (const socket of sockets) socket.destroy();
    process.exit(0);
  }
});
