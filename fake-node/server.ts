/**
 * The fake full node's server: `wss://host:port/ws` over real TLS 1.3 with a client certificate
 * required and verified against the public Chia CA (PROTOCOL.md §a.2), HTTP 403 on the upgrade for
 * banned IPs, one connection per peer id, inbound slots, the idle sweep of FULL_NODE peers (§a.5),
 * peak announcements and the optional devnet block producer.
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer } from 'ws';
import { fromHex } from '../src/chia/codec/index.js';
import { CloseCode } from '../src/chia/protocol/close-reasons.js';
import {
  IDLE_CHECK_INTERVAL_MS,
  INBOUND_FARMER_SLOTS,
  INBOUND_FULL_NODE_SLOTS,
  INBOUND_WALLET_SLOTS,
  RATE_LIMIT_WINDOW_MS,
} from '../src/chia/protocol/limits.js';
import { NodeType } from '../src/chia/protocol/message-rules.js';
import { networkInfo } from '../src/chia/protocol/networks.js';
import { formatPeer } from '../src/chia/protocol/peer-address.js';
import { createChiaCertificate, peerIdOf, peerIdOfDer } from '../src/chia/link/tls-identity.js';
import { fakeNodeCa } from './chia-ca.js';
import { BanList, type BanRecord } from './bans.js';
import { FakeChain } from './chain.js';
import { devnetActivity } from './devnet.js';
import { Faults } from './faults.js';
import { Session, type SessionState } from './session.js';
import type { FakeNodeContext, FakeNodeLogger, ResolvedOptions, Violation } from './types.js';

/** Inbound slots per node type (§a.5); other types are refused. */
const DEFAULT_SLOTS: Readonly<Partial<Record<number, number>>> = {
  [NodeType.FULL_NODE]: INBOUND_FULL_NODE_SLOTS,
  [NodeType.WALLET]: INBOUND_WALLET_SLOTS,
  [NodeType.FARMER]: INBOUND_FARMER_SLOTS,
};
/** Idle peers are looked for at the node's interval, or more often for a shorter (test) idle timeout. */
const IDLE_SWEEPS_PER_TIMEOUT = 3;
/** How long close() waits for peers to acknowledge the close frame before cutting sockets. */
const CLOSE_GRACE_MS = 250;

export interface ConnectionInfo {
  peerId: string;
  ip: string;
  nodeType: number | null;
  state: SessionState;
  connectedAt: number;
}

export interface FakeNodeEvents {
  ready: [ConnectionInfo];
  disconnect: [ConnectionInfo];
  /** A received message; `data` is the payload of a request (after the handshake), e.g. to count its keys. */
  message: [{ name: string; peerId: string; data?: Uint8Array }];
  violation: [Violation];
}

const SILENT: FakeNodeLogger = { debug() {}, info() {}, warn() {} };

function info(s: Session): ConnectionInfo {
  return { peerId: s.peerId, ip: s.ip, nodeType: s.nodeType, state: s.state, connectedAt: s.connectedAt };
}

function genesisOf(network: string): Uint8Array {
  const known = networkInfo(network).genesisChallenge;
  return known === '' ? new Uint8Array(createHash('sha256').update(`genesis:${network}`).digest()) : fromHex(known);
}

/** A strict in-process full node for tests and the offline demo. Start it with startFakeNode. */
export class FakeNode extends EventEmitter<FakeNodeEvents> {
  readonly chain: FakeChain;
  readonly faults = new Faults();
  /** Messages received per type name (handshakes included), over all connections. */
  readonly requestCounts: Record<string, number> = {};
  /** Every punished misbehaviour, in order. */
  readonly violations: Violation[] = [];
  /** The node's own TLS identity; `peerId` is what clients compute from its certificate (§a.4). */
  readonly identity: { cert: string; key: string; peerId: string };
  readonly #banList: BanList;
  readonly #server: Server;
  readonly #wss: WebSocketServer;
  readonly #sessions = new Set<Session>();
  readonly #ready = new Map<string, Session>();
  readonly #sockets = new Set<Socket>();
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #ctx: FakeNodeContext;
  #port = 0;
  #closing: Promise<void> | undefined;

  constructor(readonly options: ResolvedOptions, logger: FakeNodeLogger = SILENT) {
    super();
    this.chain = new FakeChain(genesisOf(options.network), options.chainLength);
    // A test window shorter than the node's scales every ban by the same factor.
    this.#banList = new BanList(options.rateLimitWindowMs / RATE_LIMIT_WINDOW_MS);
    const pair = createChiaCertificate(fakeNodeCa());
    this.identity = { ...pair, peerId: peerIdOf(pair.cert) };
    this.#ctx = {
      options,
      chain: this.chain,
      faults: this.faults,
      bans: this.#banList,
      logger,
      port: () => this.#port,
      count: (name, peerId, data) => {
        this.requestCounts[name] = (this.requestCounts[name] ?? 0) + 1;
        this.emit('message', { name, peerId, data });
      },
      violation: (v) => {
        this.violations.push(v);
        this.emit('violation', v);
      },
      register: (s) => this.#register(s),
      unregister: (s) => this.#unregister(s),
    };
    this.#server = createServer(
      { cert: pair.cert, key: pair.key, ca: [fakeNodeCa().cert], requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' },
      (_req, res) => res.writeHead(404).end(),
    );
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes });
    this.#server.on('secureConnection', (socket: TLSSocket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    this.#server.on('tlsClientError', (err) => logger.debug({ err: err.message }, 'fake node: TLS handshake failed'));
    this.#server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.#upgrade(req, socket, head));
    this.chain.on('peak', (peak, changes) => {
      for (const s of this.#ready.values()) s.announce(peak, changes);
    });
  }

  /** Bans recorded so far (including expired ones). */
  get bans(): readonly BanRecord[] {
    return this.#banList.records;
  }

  get port(): number {
    return this.#port;
  }

  /** `wss://host:port/ws`. */
  get url(): string {
    return `wss://${formatPeer({ host: this.options.host, port: this.#port })}/ws`;
  }

  /** Open connections (handshaking or ready). */
  get connections(): ConnectionInfo[] {
    return [...this.#sessions].map(info);
  }

  /** True while `ip` would get HTTP 403. */
  isBanned(ip = '127.0.0.1'): boolean {
    return this.#banList.isBanned(ip);
  }

  /** Lifts the ban of one IP, or every ban (the records stay). */
  unban(ip?: string): void {
    this.#banList.unban(ip);
  }

  /** Cuts every connection abruptly (no close frame), as when a node dies or the network drops. */
  dropConnections(): void {
    for (const socket of this.#sockets) socket.destroy();
  }

  /** Closes every connection with a close frame (default 1000, empty reason). */
  disconnectAll(code: number = CloseCode.NORMAL, reason = ''): void {
    for (const s of this.#sessions) s.close(code, reason);
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.options.port, this.options.host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    const address = this.#server.address();
    this.#port = typeof address === 'object' && address !== null ? address.port : this.options.port;
    const sweepMs = Math.min(IDLE_CHECK_INTERVAL_MS, this.options.idleTimeoutMs / IDLE_SWEEPS_PER_TIMEOUT);
    this.#timers.push(setInterval(() => this.#sweepIdle(), sweepMs).unref());
    const devnet = this.options.devnet;
    if (devnet !== undefined) {
      let produced = 0;
      const produce = () => {
        produced += 1;
        devnetActivity(this.chain, produced);
        const reorgEvery = devnet.reorgEvery ?? 0;
        if (reorgEvery > 0 && produced % reorgEvery === 0) this.chain.reorg(1 + ((produced / reorgEvery) % 2));
        else this.chain.addBlock();
      };
      this.#timers.push(setInterval(produce, devnet.blockIntervalMs).unref());
    }
  }

  /** Stops producing blocks and closes every connection and the listener (idempotent). */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const t of this.#timers) clearInterval(t);
      this.disconnectAll(CloseCode.NORMAL, '');
      const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
      await new Promise((resolve) => setTimeout(resolve, this.#sessions.size > 0 ? CLOSE_GRACE_MS : 0));
      this.dropConnections();
      this.#server.closeAllConnections();
      this.#wss.close();
      await closed;
    })();
    return this.#closing;
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const tls = socket as TLSSocket;
    const ip = (tls.remoteAddress ?? '').replace(/^::ffff:/, '');
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (new URL(req.url ?? '/', 'https://x').pathname !== '/ws') return refuse('404 Not Found');
    // A banned IP is refused before any WebSocket exists (§a.5); so is every peer under the refuse fault.
    if (this.#banList.isBanned(ip) || this.faults.takeConnect('refuse') !== undefined || this.#closing !== undefined) return refuse('403 Forbidden');
    const raw = tls.getPeerCertificate().raw;
    const peerId = peerIdOfDer(raw);
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new Session(ws, socket, ip, peerId, this.#ctx);
      this.#sessions.add(session);
    });
  }

  #register(s: Session): boolean {
    // Same certificate again: the node closes the older connection (1000) and keeps the new one (§a.5).
    const old = this.#ready.get(s.peerId);
    if (old !== undefined && old !== s) old.close(CloseCode.NORMAL, '');
    const slots = this.options.inboundSlots[s.nodeType ?? 0] ?? DEFAULT_SLOTS[s.nodeType ?? 0] ?? 0;
    const used = [...this.#ready.values()].filter((r) => r.nodeType === s.nodeType && r.state === 'ready').length;
    if (used >= slots) return false;
    this.#ready.set(s.peerId, s);
    this.emit('ready', info(s));
    return true;
  }

  #unregister(s: Session): void {
    this.#sessions.delete(s);
    if (this.#ready.get(s.peerId) === s) this.#ready.delete(s.peerId);
    this.emit('disconnect', info(s));
  }

  #sweepIdle(): void {
    const now = Date.now();
    for (const s of this.#ready.values()) {
      // Only FULL_NODE peers are closed for silence; WALLET peers never are (§a.5).
      if (s.nodeType === NodeType.FULL_NODE && now - s.lastBinaryAt > this.options.idleTimeoutMs) s.close(CloseCode.NORMAL, '');
    }
  }
}
