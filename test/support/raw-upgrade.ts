/**
 * A raw HTTP/1.1 exchange over one TCP socket, for requests no ordinary client sends (a POST with
 * Upgrade: websocket, a broken handshake): it reads one response, then either closes its side like
 * curl does, or keeps it open to see whether the server closes the connection by itself.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { GatewayApp } from '../../src/app.js';

export interface RawResponse {
  status: number;
  /** Header names in lower case; a repeated header keeps its last value. */
  headers: Record<string, string>;
  body: string;
}

export interface RawExchange {
  response: Promise<RawResponse>;
  /** Resolves when the server has ended or reset the connection. */
  serverClosed: Promise<void>;
  socket: net.Socket;
}

const HEAD_END = '\r\n\r\n';

/** The headers of a WebSocket upgrade that ws itself would accept (RFC 6455 §4.1). */
export const UPGRADE_HEADERS: Record<string, string> = {
  connection: 'Upgrade',
  upgrade: 'websocket',
  'sec-websocket-version': '13',
  'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
};

export function portOf(app: GatewayApp): number {
  return (app.server.address() as AddressInfo).port;
}

/**
 * Sends `method path` with `headers` (a Host header is added) and parses the first response;
 * `closeAfterResponse` ends the client's side as soon as the response is complete.
 */
export function rawRequest(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  closeAfterResponse: boolean,
): RawExchange {
  const socket = net.connect(port, '127.0.0.1');
  let text = '';
  let settle: (response: RawResponse) => void = () => {};
  let fail: (error: Error) => void = () => {};
  const response = new Promise<RawResponse>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  // A test that stops at an earlier failure leaves later exchanges unread: no unhandled rejection.
  response.catch(() => undefined);
  const serverClosed = new Promise<void>((resolve) => {
    socket.on('end', resolve);
    socket.on('close', () => resolve());
  });
  socket.on('error', (error) => fail(error));
  socket.on('close', () => fail(new Error(`connection closed before a complete response: ${JSON.stringify(text)}`)));
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    text += chunk;
    const parsed = parse(text, method === 'HEAD');
    if (parsed === null) return;
    settle(parsed);
    if (closeAfterResponse) socket.end();
  });
  const lines = [`${method} ${path} HTTP/1.1`, ...Object.entries({ host: `127.0.0.1:${port}`, ...headers }).map(([k, v]) => `${k}: ${v}`)];
  socket.write(lines.join('\r\n') + HEAD_END);
  return { response, serverClosed, socket };
}

/** A complete response from the start of `text`, or null while bytes are missing. */
function parse(text: string, head: boolean): RawResponse | null {
  const end = text.indexOf(HEAD_END);
  if (end < 0) return null;
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = head ? 0 : Number(headers['content-length'] ?? 0);
  const body = Buffer.from(text.slice(end + HEAD_END.length), 'latin1');
  if (body.length < length) return null;
  return { status: Number(statusLine.split(' ')[1]), headers, body: body.subarray(0, length).toString('utf8') };
}

/** Connections the server holds open now (HTTP, upgraded and half-closed ones alike). */
export function serverConnections(app: GatewayApp): Promise<number> {
  return new Promise((resolve, reject) => app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}
