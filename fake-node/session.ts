/**
 * One accepted connection of the fake node, policed like the reference node: the handshake checks
 * and replies of PROTOCOL.md §c.2, the on-connect messages of §c.7, strict frames (§b.1), the v1 or
 * v2 inbound rate limits (§h.1: v2 only when both sides list RATE_LIMITS_V2), the node-type table
 * (§d) and the punishments of §e.7 / §i.4.
 * With RATE_LIMITS_V3 it also runs the window exchange and limits of §c.5 / §h.3.
 * Requests are answered by replier.ts (handlers.ts through the scripted faults of faults.ts).
 * A WALLET peer's coin subscriptions live here: each new peak first pushes the subscribed coin
 * changes (coin_state_update), then new_peak_wallet, as the reference node's update_wallets does.
 */
import type { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import {
  decodeFrame,
  encodeMessage,
  messageName,
  MessageType,
  payloadType,
  types,
} from '../src/chia/codec/index.js';
import { CloseCode, CloseReason } from '../src/chia/protocol/close-reasons.js';
import { Capability, hasCapability } from '../src/chia/protocol/handshake.js';
import { maySend, NodeType } from '../src/chia/protocol/message-rules.js';
import { limitsFor, rateLimitOf, RATE_LIMITS_V1 } from '../src/chia/protocol/rate-limits.js';
import { BAN_SECONDS } from './bans.js';
import type { PeakInfo } from './chain.js';
import type { CoinChange } from './coin-set.js';
import { gossipAfterPeak, gossipBeforePeak } from './gossip.js';
import { checkHandshake, handshakeReply } from './handshake-rules.js';
import type { WalletPeer } from './handlers.js';
import { InboundLimiter } from './inbound-limiter.js';
import { isServed, reply, type ReplyChannel } from './replier.js';
import { Subscriptions } from './subscriptions.js';
import type { FakeNodeContext, Violation, ViolationKind } from './types.js';
import { checkWindowSizes, isV3Type, NODE_WINDOWS, ProcessingWindows } from './v3-windows.js';

/** Unsolicited block replies earn a close and a 300 s ban (§e.7). */
const UNSOLICITED = new Set<string>(['respond_block', 'respond_blocks', 'reject_block', 'reject_blocks']);
/** Allowed by the node-type table but without a handler once the handshake is done (§d.1). */
const NO_HANDLER = new Set<string>(['handshake', 'configure_window_sizes']);

/** `windows`: waiting for the peer's configure_window_sizes after a v3 handshake (§c.5). */
export type SessionState = 'handshake' | 'windows' | 'ready' | 'closed';

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

/** A server-to-client WebSocket binary frame header (RFC 6455 §5.2, unmasked). */
function wsFrameHeader(length: number): Uint8Array {
  const FIN_BINARY = 0x82;
  if (length < 126) return Uint8Array.of(FIN_BINARY, length);
  if (length < 0x10000) return Uint8Array.of(FIN_BINARY, 126, length >> 8, length & 0xff);
  const header = Buffer.alloc(10);
  header[0] = FIN_BINARY;
  header[1] = 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  return header;
}

export class Session {
  state: SessionState = 'handshake';
  nodeType: number | null = null;
  lastBinaryAt = Date.now();
  readonly connectedAt = Date.now();
  /** v1 until the handshake picks the table (requests only arrive after it). */
  #limiter: InboundLimiter;
  readonly #handshakeTimer: NodeJS.Timeout;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #windows = new ProcessingWindows();
  readonly #channel: ReplyChannel;
  /** Subscriptions and limits of this peer; the outbound table is settled by the handshake. */
  readonly #wallet: WalletPeer;
  /** Both sides listed RATE_LIMITS_V3. */
  #v3 = false;
  /** Both sides listed RATE_LIMITS_V2. */
  #v2 = false;

  constructor(
    readonly ws: WebSocket,
    socket: Duplex,
    readonly ip: string,
    readonly peerId: string,
    private readonly ctx: FakeNodeContext,
  ) {
    this.#handshakeTimer = setTimeout(() => {
      if (this.state === 'handshake' || this.state === 'windows') this.#punish('handshake_timeout', 'no handshake in time', CloseCode.PROTOCOL_ERROR, CloseReason.INVALID_HANDSHAKE, BAN_SECONDS.invalidProtocol);
    }, ctx.options.handshakeTimeoutMs);
    this.#limiter = new InboundLimiter(ctx.options.rateLimitWindowMs, (name) => rateLimitOf(name, RATE_LIMITS_V1));
    ws.on('message', (data, isBinary) => this.#onMessage(toBytes(data), isBinary));
    ws.on('error', (err: Error & { code?: string }) => {
      // ws has already closed with 1009; the node also bans for 300 s (§a.1).
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.#record('too_big', err.message, CloseCode.MESSAGE_TOO_BIG, '', BAN_SECONDS.messageTooBig);
      ctx.logger.debug({ peer: this.peerId, err: err.message }, 'fake node: socket error');
    });
    ws.on('close', () => this.#closed());
    this.#wallet = { subscriptions: new Subscriptions(ctx.options.maxSubscriptions), maxResponseItems: ctx.options.maxResponseItems, rateLimits: RATE_LIMITS_V1 };
    this.#channel = {
      wallet: this.#wallet,
      chain: ctx.chain,
      peers: ctx.options.peers,
      faults: ctx.faults,
      send: (b) => this.#send(b),
      cutMidFrame: (frame) => {
        // Half of the reply's WebSocket frame straight onto the socket, then the connection dies.
        if (frame.length > 0) socket.write(Buffer.concat([wsFrameHeader(frame.length), frame.subarray(0, Math.floor(frame.length / 2))]));
        this.state = 'closed';
        socket.destroy();
      },
      later: (fn, ms) => {
        const timer = setTimeout(() => {
          this.#timers.delete(timer);
          if (this.state !== 'closed') fn();
        }, ms);
        this.#timers.add(timer);
      },
    };
  }

  /** Closes the connection (idempotent). */
  close(code: number = CloseCode.NORMAL, reason = ''): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.ws.close(code, reason);
  }

  /**
   * Sends the new peak as the node does to this peer's node type (§c.7); a WALLET first gets the
   * coin changes it subscribed to (by coin id, puzzle hash or hint), with the fork height.
   */
  announce(peak: PeakInfo, changes: readonly CoinChange[] = []): void {
    if (this.state !== 'ready') return;
    if (this.nodeType === NodeType.WALLET) {
      const { header_hash, height, weight, fork_point_with_previous_peak } = peak;
      const items = this.#wallet.subscriptions.select(changes);
      if (items.length > 0) {
        this.#send(encodeMessage('coin_state_update', { height, fork_height: fork_point_with_previous_peak, peak_hash: header_hash, items }, null));
      }
      this.#send(encodeMessage('new_peak_wallet', { header_hash, height, weight, fork_point_with_previous_peak }, null));
    } else if (this.nodeType === NodeType.FULL_NODE) {
      const gossip = this.ctx.options.gossip;
      if (gossip) for (const frame of gossipBeforePeak(peak)) this.#send(frame);
      this.#send(encodeMessage('new_peak', peak, null));
      if (gossip) for (const frame of gossipAfterPeak(peak)) this.#send(frame);
    }
  }

  #send(bytes: Uint8Array): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(bytes);
  }

  #closed(): void {
    this.state = 'closed';
    clearTimeout(this.#handshakeTimer);
    for (const t of this.#timers) clearTimeout(t);
    this.ctx.unregister(this);
  }

  #record(kind: ViolationKind, detail: string, closeCode: number, closeReason: string, banSeconds: number | null, message?: string): void {
    const violation: Violation = {
      kind,
      detail,
      message,
      ip: this.ip,
      peerId: this.peerId,
      nodeType: this.nodeType,
      closeCode,
      closeReason,
      banSeconds,
      at: Date.now(),
    };
    this.ctx.violation(violation);
    if (banSeconds !== null) this.ctx.bans.ban(this.ip, banSeconds, `${kind}${message === undefined ? '' : `:${message}`}`);
  }

  /** Records a violation, bans when the node would, and closes with the node's code and reason. */
  #punish(kind: ViolationKind, detail: string, code: number, reason: string, banSeconds: number | null, message?: string): void {
    this.#record(kind, detail, code, reason, banSeconds, message);
    this.ctx.logger.info({ peer: this.peerId, kind, detail, code, reason }, 'fake node: closing misbehaving peer');
    this.close(code, reason);
  }

  #onMessage(bytes: Uint8Array, isBinary: boolean): void {
    if (this.state === 'closed') return;
    // Non-binary data: close 1000, no ban (§a.1). Only binary messages count as activity (§a.5).
    if (!isBinary) return this.close(CloseCode.NORMAL, '');
    this.lastBinaryAt = Date.now();
    if (this.state === 'handshake') this.#onHandshake(bytes);
    else if (this.state === 'windows') this.#onWindowSizes(bytes);
    else this.#onRequest(bytes);
  }

  #onHandshake(bytes: Uint8Array): void {
    const bad = (detail: string) => this.#punish('handshake', detail, CloseCode.PROTOCOL_ERROR, CloseReason.INVALID_HANDSHAKE, BAN_SECONDS.invalidProtocol);
    let hs;
    try {
      const frame = decodeFrame(bytes);
      if (frame.type !== MessageType.handshake) return bad(`first message has type ${frame.type}, not handshake`);
      this.ctx.count('handshake', this.peerId);
      hs = types.Handshake.decode(frame.data);
    } catch (err) {
      return bad(`unparsable handshake: ${(err as Error).message}`);
    }
    const failure = checkHandshake(hs, this.ctx.options.network);
    if (failure !== null) return this.#punish('handshake', failure.detail, CloseCode.PROTOCOL_ERROR, failure.reason, BAN_SECONDS.invalidProtocol);
    this.nodeType = hs.node_type;
    // A 2.7.1+ node answers capability 7 with 7 and then requires the window exchange (§c.4, §c.5).
    this.#v3 = hasCapability(hs.capabilities, Capability.RATE_LIMITS_V3);
    // The v2 overrides apply only when both sides list RATE_LIMITS_V2; otherwise the node enforces v1 (§c.4, §h.1).
    const advertisesV2 = this.ctx.options.rateLimitsV2;
    this.#v2 = advertisesV2 && hasCapability(hs.capabilities, Capability.RATE_LIMITS_V2);
    const table = limitsFor(this.#v2);
    this.#wallet.rateLimits = table;
    this.#limiter = new InboundLimiter(this.ctx.options.rateLimitWindowMs, (name) => rateLimitOf(name, table));
    const wrongNetwork = this.ctx.faults.takeConnect('wrongNetwork');
    const network = wrongNetwork === undefined ? this.ctx.options.network : (wrongNetwork.network ?? `not-${this.ctx.options.network}`);
    this.#send(encodeMessage('handshake', handshakeReply(hs.node_type, network, this.ctx.port(), this.#v3, advertisesV2), null));
    if (!this.#v3) return this.#accept();
    this.#send(encodeMessage('configure_window_sizes', { settings: [...NODE_WINDOWS] }, null));
    this.state = 'windows';
  }

  /** The one message after a v3 handshake must be a valid configure_window_sizes (§c.5). */
  #onWindowSizes(bytes: Uint8Array): void {
    const bad = (detail: string) => this.#punish('handshake', detail, CloseCode.PROTOCOL_ERROR, CloseReason.INVALID_HANDSHAKE, BAN_SECONDS.invalidProtocol);
    let settings: [number, number][];
    try {
      const frame = decodeFrame(bytes);
      if (frame.type !== MessageType.configure_window_sizes) return bad(`expected configure_window_sizes, got type ${frame.type}`);
      this.ctx.count('configure_window_sizes', this.peerId);
      settings = types.ConfigureWindowSizes.decode(frame.data).settings;
    } catch (err) {
      return bad(`unparsable configure_window_sizes: ${(err as Error).message}`);
    }
    const problem = checkWindowSizes(settings);
    if (problem !== null) return bad(problem);
    this.#accept();
  }

  /** The handshake is complete: slots, registration, on-connect messages. */
  #accept(): void {
    clearTimeout(this.#handshakeTimer);
    // A full slot table, like the closeAfterHandshake fault, closes 1000 after the handshake, no ban (§a.5).
    if (this.ctx.faults.takeConnect('closeAfterHandshake') !== undefined || !this.ctx.register(this)) return this.close(CloseCode.NORMAL, '');
    this.state = 'ready';
    this.ctx.logger.debug({ peer: this.peerId, nodeType: this.nodeType, v3: this.#v3, v2: this.#v2 }, 'fake node: peer ready');
    this.#onConnect();
  }

  /** What the node sends right after accepting a peer (§c.7). */
  #onConnect(): void {
    if (this.nodeType === NodeType.FULL_NODE) {
      this.#send(encodeMessage('request_mempool_transactions', { filter: new Uint8Array(0) }, null));
    }
    this.announce(this.ctx.chain.peak);
  }

  #onRequest(bytes: Uint8Array): void {
    let frame;
    try {
      frame = decodeFrame(bytes);
    } catch (err) {
      return this.#punish('bad_frame', (err as Error).message, CloseCode.PROTOCOL_ERROR, CloseReason.INVALID_PROTOCOL_MESSAGE, BAN_SECONDS.invalidProtocol);
    }
    const name = messageName(frame.type);
    if (name === undefined) {
      return this.#punish('bad_frame', `unknown message type ${frame.type}`, CloseCode.PROTOCOL_ERROR, CloseReason.INVALID_PROTOCOL_MESSAGE, BAN_SECONDS.invalidProtocol);
    }
    this.ctx.count(name, this.peerId, frame.data);
    // The read loop checks rate limits before dispatch (§h.1); counters grow even for a breaking message.
    // With v3 negotiated, v3 types skip the v2 limiter and count against their window instead (§h.2, §h.3).
    const v3 = this.#v3 && isV3Type(frame.type);
    const overLimit = v3 ? null : this.#limiter.check(name, frame.data.length);
    if (overLimit !== null) return this.#punish('rate_limit', overLimit, CloseCode.NORMAL, '', BAN_SECONDS.rateLimit, name);
    if (v3 && !this.#windows.enter(frame.type)) {
      return this.#punish('rate_limit', `v3 window of ${name} exceeded`, CloseCode.NORMAL, '', BAN_SECONDS.rateLimit, name);
    }
    const leave = () => {
      if (v3) this.#windows.leave(frame.type);
    };
    if (!maySend(this.nodeType ?? 0, frame.type) || NO_HANDLER.has(name)) {
      return this.#punish('node_type', `node type ${this.nodeType} may not send ${name}`, CloseCode.PROTOCOL_ERROR, CloseReason.UNKNOWN, BAN_SECONDS.apiException, name);
    }
    if (UNSOLICITED.has(name)) return this.#punish('unsolicited', `unsolicited ${name}`, CloseCode.NORMAL, '', BAN_SECONDS.rateLimit, name);
    let request: Record<string, unknown>;
    try {
      request = payloadType(frame.type)!.decode(frame.data) as Record<string, unknown>;
    } catch (err) {
      return this.#punish('bad_payload', (err as Error).message, CloseCode.PROTOCOL_ERROR, CloseReason.UNKNOWN, BAN_SECONDS.apiException, name);
    }
    if (!isServed(name)) return leave();
    reply(this.#channel, name, frame.id, request, leave);
  }
}
