/** Test helpers: a listening gateway fed by an in-memory peak source, and a message-collecting client. */
import WebSocket from 'ws';
import { buildApp, type GatewayApp } from '../../src/app.js';
import { configWith, type GatewayConfig } from '../../src/config.js';
import { PeakSource } from '../support/peak-source.js';

export interface LiveApp {
  app: GatewayApp;
  source: PeakSource;
  /** `http://127.0.0.1:port` */
  base: string;
  wsUrl: (query?: string) => string;
}

/** Builds the gateway with `source` as its upstream and listens on an ephemeral loopback port. */
export async function startLiveApp(ws: Partial<GatewayConfig['ws']> = {}, source = new PeakSource()): Promise<LiveApp> {
  const config = configWith({ logLevel: 'silent', ws: { ...configWith({}).ws, ...ws } });
  const app = await buildApp({ config, upstream: source });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  const base = `http://127.0.0.1:${address.port}`;
  return { app, source, base, wsUrl: (query = '') => `ws://127.0.0.1:${address.port}/v1/ws${query}` };
}

export type Message = { type: string; id?: number; data?: Record<string, unknown>; [key: string]: unknown };

/** A WebSocket client that records every message and can wait for a condition. */
export class LiveClient {
  readonly messages: Message[] = [];
  readonly ws: WebSocket;
  closed: Promise<{ code: number; reason: string }>;
  private waiters: (() => void)[] = [];

  constructor(url: string, options?: WebSocket.ClientOptions) {
    this.ws = new WebSocket(url, options);
    this.ws.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as Message);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
    this.ws.on('error', () => {});
  }

  /** Resolves once `predicate` holds for the messages so far. */
  async until(predicate: (messages: Message[]) => boolean, what = 'condition', timeoutMs = 10_000): Promise<Message[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.messages)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.types())}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
    return this.messages;
  }

  count(type: string): number {
    return this.messages.filter((m) => m.type === type).length;
  }

  types(): string[] {
    return this.messages.map((m) => m.type);
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Heights of the peak messages received. */
export function heights(messages: Message[]): number[] {
  return messages.filter((m) => m.type === 'peak').map((m) => (m.data as { height: number }).height);
}
