/**
 * HTTP/1.1 over a plain TCP socket, for tests of what an HTTP client library would refuse to send
 * (malformed requests, oversized headers, trickled bytes): write raw bytes, read raw bytes, parse the
 * first response.
 */
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A TCP connection to a listening app, collecting everything it receives. */
export class RawConnection {
  readonly socket: Socket;
  private received = Buffer.alloc(0);
  /** Resolves when the server has closed the connection (or it failed). */
  readonly closed: Promise<void>;
  private readonly connected: Promise<void>;

  constructor(port: number, host = '127.0.0.1') {
    this.socket = connect({ port, host });
    this.connected = new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
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

  /** The first complete response received so far, or undefined. */
  response(): RawResponse | undefined {
    return parseResponse(this.text());
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Parses the first response of `text` (Content-Length bodies only), or undefined while incomplete. */
export function parseResponse(text: string): RawResponse | undefined {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const status = Number(statusLine.split(' ')[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  const body = Buffer.from(text.slice(end + 4), 'latin1');
  if (body.length < length) return undefined;
  return { status, headers, body: body.subarray(0, length).toString('utf8') };
}

/** Sends `request` on a new connection and resolves with the response once the server closes it. */
export async function rawExchange(port: number, request: string | Buffer): Promise<{ response: RawResponse | undefined; text: string }> {
  const connection = new RawConnection(port);
  await connection.write(request);
  await connection.closed;
  return { response: connection.response(), text: connection.text() };
}

/** The port an app listens on (after `listen({ port: 0 })`). */
export function portOf(app: FastifyInstance): number {
  return (app.server.address() as AddressInfo).port;
}
