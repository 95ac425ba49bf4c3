/**
 * Test helpers: a listening gateway fed by an in-memory peak source or by the fake full node through
 * the real upstream manager, and a message-collecting WebSocket client.
 */
import { afterEach } from 'vitest';
import WebSocket from 'ws';
import { buildApp, type GatewayApp } from '../../src/app.js';
import { configWith, type GatewayConfig } from '../../src/config/config.js';
import { PeakSource } from '../../fake-node/in-memory/peak-source.js';
import { configOver, listenOver } from '../support/app-over-nodes.js';
import { eventually } from '../support/eventually.js';
import { startFakeNode, type FakeNode, type FakeNodeOptions } from '../../fake-node/index.js';

export interface LiveApp {
  app: GatewayApp;
  source: PeakSource;
  /** `http://127.0.0.1:port` */
  base: string;
  wsUrl: (query?: string) => string;
}

/**
 * Builds the gateway with `source` as its upstream and listens on an ephemeral loopback port;
 * `overrides` replaces other config fields (trustProxy, for instance).
 */
export async function startLiveApp(
  ws: Partial<GatewayConfig['ws']> = {},
  source = new PeakSource(),
  overrides: Omit<Partial<GatewayConfig>, 'ws'> = {},
): Promise<LiveApp> {
  const config = configWith({ logLevel: 'silent', ...overrides, ws: { ...configWith({}).ws, ...ws } });
  const app = await buildApp({ config, upstream: source });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  const base = `http://127.0.0.1:${address.port}`;
  return { app, source, base, wsUrl: (query = '') => `ws://127.0.0.1:${address.port}/v1/ws${query}` };
}

/** One gateway per test, closed after it together with every client the test handed over. */
export interface LiveTestScope {
  /** Starts this test's gateway, with startLiveApp's arguments. */
  start: typeof startLiveApp;
  /** The gateway of the running test. */
  readonly live: LiveApp;
  /** Runs `close` after the test, before the gateway closes. */
  closeAfter(close: () => void): void;
}

/** Registers the afterEach that closes each test's clients, then its gateway. */
export function liveTestScope(): LiveTestScope {
  let current: LiveApp | undefined;
  const closers: (() => void)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) close();
    await current?.app.close();
    current = undefined;
  });
  return {
    start: async (...args) => (current = await startLiveApp(...args)),
    get live(): LiveApp {
      if (current === undefined) throw new Error('no gateway started in this test');
      return current;
    },
    closeAfter: (close) => closers.push(close),
  };
}

export type Message = { type: string; id?: number; data?: Record<string, unknown>; [key: string]: unknown };

/** A WebSocket client that records every message and can wait for a condition. */
export class LiveClient {
  readonly messages: Message[] = [];
  readonly ws: WebSocket;
  closed: Promise<{ code: number; reason: string }>;

  constructor(url: string, options?: WebSocket.ClientOptions) {
    this.ws = new WebSocket(url, options);
    this.ws.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as Message);
    });
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
      });
    });
    this.ws.on('error', () => {});
  }

  /** Resolves once `predicate` holds for the messages so far. */
  async until(predicate: (messages: Message[]) => boolean, what = 'condition', timeoutMs = 10_000): Promise<Message[]> {
    await eventually(() => `${what}; got ${JSON.stringify(this.types())}`, () => predicate(this.messages), timeoutMs);
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

/** Peaks advanced per burst, and at most, while waiting for a client that stopped reading to be shed. */
const SHED_BURST = 200;
const SHED_MOST = 20_000;

/**
 * Advances `source` in bursts until the gateway sheds a client that stopped reading (its buffer past
 * the ceiling); each burst is let through to the sockets before the next. Returns the peaks advanced.
 */
export async function advanceUntilShed(app: GatewayApp, source: PeakSource): Promise<number> {
  const shed = async () => (await app.metrics.liveSlowClientsTerminated.get()).values.length > 0;
  let sent = 0;
  while (!(await shed()) && sent < SHED_MOST) {
    for (let i = 0; i < SHED_BURST; i++) source.advance();
    sent += SHED_BURST;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return sent;
}

/** Heights of the peak messages received. */
export function heights(messages: Message[]): number[] {
  return messages.filter((m) => m.type === 'peak').map((m) => (m.data as { height: number }).height);
}

/** The gateway with its real upstream manager linked to the strict fake full node (TLS on loopback). */
export interface NodeApp {
  app: GatewayApp;
  node: FakeNode;
  base: string;
  close(): Promise<void>;
}

const NODE_NETWORK = 'devnet';

/**
 * Starts a fake full node and a listening gateway linked to it; resolves once the gateway has its peak.
 * `port` 0 picks a free one; a given port lets a test restart the gateway where its clients reconnect.
 * `nodeOptions` go to the node (e.g. a small maxResponseItems, so state reads come in several pages).
 */
export async function startNodeApp(chainLength = 40, port = 0, nodeOptions: FakeNodeOptions = {}): Promise<NodeApp> {
  const node = await startFakeNode({ network: NODE_NETWORK, chainLength, ...nodeOptions });
  // One node accepts one connection per certificate.
  const config = configOver([node], NODE_NETWORK, { linksPerRole: 1 });
  const gateway = await listenOver(config, { port }).catch(async (error: unknown) => {
    await node.close();
    throw error;
  });
  const close = async () => {
    await gateway.close();
    await node.close();
  };
  return { app: gateway.app, node, base: gateway.base, close };
}
