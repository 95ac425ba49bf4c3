/**
 * HTTP/1.1 over a plain TCP socket, for requests an HTTP client library would refuse to send or
 * could not watch (malformed requests, oversized headers, trickled bytes, a POST with Upgrade:
 * websocket, a broken handshake): write raw bytes, collect what comes back, parse the first response,
 * and see whether the server closes the connection by itself.
 */
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

export interface RawResponse {
  status: number;
  /** Header names in lower case; a repeated header keeps its last value. */
  headers: Record<string, string>;
  body: string;
}

const HEAD_END = '\r\n\r\n';

/** The headers of a WebSocket upgrade that ws itself would accept (RFC 6455 §4.1). */
export const UPGRADE_HEADERS: Record<string, string> = {
  connection: 'Upgrade',
  upgrade: 'websocket',
  'sec-websocket-version': '13',
  'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
};

/** A TCP connection to a listening app, collecting everything it receives. */
export class RawConnection {
  readonly socket: Socket;
  private received = Buffer.alloc(0);
  /** Resolves when the connection has closed (the server closed or reset it, or it failed). */
  readonly closed: Promise<void>;
  private readonly connected: Promise<void>;

  constructor(port: number, host = '127.0.0.1') {
    this.socket = connect({ port, host });
    this.connected = new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
    // A test that fails before writing leaves the connection unused: no unhandled rejection.
    this.connected.catch(() => undefined);
    this.socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
    });
    this.closed = new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      // A reset counts as closed; the test reads what arrived before it.
      this.socket.on('error', () => undefined);
    });
  }

  async write(data: string | Buffer): Promise<void> {
    await this.connected;
    await new Promise<void>((resolve, reject) => this.socket.write(data, (error) => (error ? reject(error) : resolve())));
  }

  /** Everything received so far, as latin1 text. */
  text(): string {
    return this.received.toString('latin1');
  }

  /** The first complete response received so far (`head`: the answer to a HEAD, no body), or undefined. */
  response(head = false): RawResponse | undefined {
    return parseResponse(this.text(), head);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Parses the first response of `text` (Content-Length bodies only; none after HEAD), or undefined while incomplete. */
export function parseResponse(text: string, head = false): RawResponse | undefined {
  const end = text.indexOf(HEAD_END);
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = head ? 0 : Number(headers['content-length'] ?? 0);
  const body = Buffer.from(text.slice(end + HEAD_END.length), 'latin1');
  if (body.length < length) return undefined;
  return { status: Number(statusLine.split(' ')[1]), headers, body: body.subarray(0, length).toString('utf8') };
}

/** Sends `request` on a new connection and resolves with the response once the server closes it. */
export async function rawExchange(port: number, request: string | Buffer): Promise<{ response: RawResponse | undefined; text: string }> {
  const connection = new RawConnection(port);
  await connection.write(request);
  await connection.closed;
  return { response: connection.response(), text: connection.text() };
}

export interface RawExchange {
  response: Promise<RawResponse>;
  /** Resolves when the server has ended or reset the connection. */
  serverClosed: Promise<void>;
  socket: Socket;
}

/**
 * Sends `method path` with `headers` (a Host header is added) and parses the first response;
 * `closeAfterResponse` ends the client's side as soon as the response is complete, like curl does,
 * otherwise it stays open to see whether the server closes the connection by itself.
 */
export function rawRequest(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  closeAfterResponse: boolean,
): RawExchange {
  const connection = new RawConnection(port);
  const { socket } = connection;
  const response = new Promise<RawResponse>((resolve, reject) => {
    // After the connection's own listener: the chunk is already collected.
    const onData = () => {
      const parsed = connection.response(method === 'HEAD');
      if (parsed === undefined) return;
      socket.off('data', onData);
      resolve(parsed);
      if (closeAfterResponse) socket.end();
    };
    socket.on('data', onData);
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`connection closed before a complete response: ${JSON.stringify(connection.text())}`)));
  });
  // A test that stops at an earlier failure leaves later exchanges unread: no unhandled rejection.
  response.catch(() => undefined);
  const serverClosed = new Promise<void>((resolve) => {
    socket.on('end', resolve);
    socket.on('close', () => resolve());
  });
  const lines = [`${method} ${path} HTTP/1.1`, ...Object.entries({ host: `127.0.0.1:${port}`, ...headers }).map(([k, v]) => `${k}: ${v}`)];
  // A failure to connect or write shows in `response`.
  connection.write(lines.join('\r\n') + HEAD_END).catch(() => undefined);
  return { response, serverClosed, socket };
}

/** The port an app listens on (after `listen({ port: 0 })`). */
export function portOf(app: FastifyInstance): number {
  return (app.server.address() as AddressInfo).port;
}

/** Connections the server holds open now (HTTP, upgraded and half-closed ones alike). */
export function serverConnections(app: FastifyInstance): Promise<number> {
  return new Promise((resolve, reject) => app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}
