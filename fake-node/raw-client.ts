/**
 * A minimal peer-protocol client for the fake node's own tests (ws + codec only, independent of the
 * gateway's client): connect with a chosen certificate, send frames, await messages and the close.
 */
import WebSocket from 'ws';
import {
  decodeFrame,
  encodeMessage,
  messageName,
  payloadType,
  type Frame,
  type MessageName,
  type PayloadName,
  type PayloadOf,
} from '../src/chia/codec/index.js';
import { Capability, ENABLED, PROTOCOL_VERSIONS } from '../src/chia/protocol/handshake.js';
import { NodeType } from '../src/chia/protocol/message-rules.js';
import { createChiaCertificate } from '../src/chia/link/tls-identity.js';
import { fakeNodeCa } from './chia-ca.js';

const WAIT_MS = 10_000;
/** What a reference wallet lists (§c.4). */
const BASE_CAPABILITIES: [number, string][] = [Capability.BASE, Capability.BLOCK_HEADERS, Capability.RATE_LIMITS_V2].map((id) => [id, ENABLED]);
const NO_HOSTNAME_CHECK = (() => undefined) as unknown as () => boolean;

export interface Received extends Frame {
  name: MessageName | undefined;
  raw: Uint8Array;
}

export type OpenOutcome = { kind: 'open' } | { kind: 'http'; status: number } | { kind: 'error'; message: string };

export interface RawClientOptions {
  cert?: string;
  key?: string;
  /** Omit the client certificate entirely. */
  noCert?: boolean;
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
}

export class RawClient {
  readonly ws: WebSocket;
  readonly received: Received[] = [];
  readonly opened: Promise<OpenOutcome>;
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: (() => void)[] = [];

  constructor(url: string, options: RawClientOptions = {}) {
    const identity = options.noCert ? undefined : options.cert !== undefined ? options : createChiaCertificate(fakeNodeCa());
    this.ws = new WebSocket(url, {
      cert: identity?.cert,
      key: identity?.key,
      ca: fakeNodeCa().cert,
      rejectUnauthorized: true,
      // No host-name check (§a.2): node certificates carry SAN chia.net. @types/ws mistypes the return value.
      checkServerIdentity: NO_HOSTNAME_CHECK,
      perMessageDeflate: false,
      minVersion: options.maxVersion === 'TLSv1.2' ? 'TLSv1.2' : 'TLSv1.3',
      maxVersion: options.maxVersion ?? 'TLSv1.3',
    });
    this.opened = new Promise((resolve) => {
      this.ws.once('open', () => resolve({ kind: 'open' }));
      this.ws.once('unexpected-response', (_req, res) => {
        resolve({ kind: 'http', status: res.statusCode ?? 0 });
        res.resume();
        this.ws.terminate();
      });
      this.ws.once('error', (err) => resolve({ kind: 'error', message: err.message }));
    });
    this.ws.on('error', () => {});
    this.closed = new Promise((resolve) => this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    this.ws.on('message', (data: Buffer) => {
      const raw = new Uint8Array(data);
      let frame: Frame;
      try {
        frame = decodeFrame(raw);
      } catch {
        frame = { type: -1, id: null, data: raw };
      }
      this.received.push({ ...frame, name: messageName(frame.type), raw });
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  /** Sends one message (payload encoded with the message's class). */
  send<N extends PayloadName>(name: N, payload: PayloadOf<N>, id: number | null = null): void {
    this.ws.send(encodeMessage(name, payload, id));
  }

  /** Sends raw bytes as one binary WebSocket message. */
  sendRaw(bytes: Uint8Array): void {
    this.ws.send(bytes);
  }

  /** The first received message matching `match` (waiting for it), searched from the start. */
  async next(match: (m: Received) => boolean, timeoutMs = WAIT_MS): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find(match);
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('RawClient: no matching message in time');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The first message named `name` (with `id`, when given), decoded. */
  async nextNamed<T = Record<string, unknown>>(name: MessageName, id?: number | null): Promise<{ frame: Received; value: T }> {
    const frame = await this.next((m) => m.name === name && (id === undefined || m.id === id));
    return { frame, value: payloadType(frame.type)!.decode(frame.data) as T };
  }

  /** Sends our handshake (capabilities 1, 2, 3 unless given) and waits for the node's reply. */
  async handshake(nodeType: number = NodeType.WALLET, network = 'mainnet', capabilities: [number, string][] = BASE_CAPABILITIES): Promise<Record<string, unknown>> {
    const outcome = await this.opened;
    if (outcome.kind !== 'open') throw new Error(`RawClient: not open: ${JSON.stringify(outcome)}`);
    this.send('handshake', {
      network_id: network,
      protocol_version: nodeType === NodeType.WALLET ? PROTOCOL_VERSIONS[NodeType.WALLET] : PROTOCOL_VERSIONS[NodeType.FULL_NODE],
      software_version: 'raw-client',
      server_port: 0,
      node_type: nodeType,
      capabilities,
    });
    return (await this.nextNamed('handshake')).value;
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Opens a client and waits until the upgrade succeeded or failed. */
export async function connectRaw(url: string, options?: RawClientOptions): Promise<RawClient> {
  const client = new RawClient(url, options);
  await client.opened;
  return client;
}
