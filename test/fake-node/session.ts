/**
 * One accepted connection of the fake node, policed like the reference node: the handshake checks
 * and replies of PROTOCOL.md §c.2, the on-connect messages of §c.7, strict frames (§b.1), the v2
 * inbound rate limits (§h.1), the node-type table (§d) and the punishments of §e.7 / §i.4.
 * Requests are answered by handlers.ts, through the scripted faults of faults.ts.
 */
import type { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import {
  decodeFrame,
  encodeFrame,
  encodeMessage,
  messageName,
  MessageType,
  payloadType,
  types,
  type MessageName,
} from '../../src/chia/codec/index.js';
import { maySend, NodeType } from '../../src/chia/message-rules.js';
import { BAN_SECONDS } from './bans.js';
import type { PeakInfo } from './chain.js';
import { handle, isServed, rejectFor, wrongTypeFor, type BlockFault, type Reply } from './handlers.js';
import { InboundLimiter } from './inbound-limiter.js';
import type { FakeNodeContext, Violation, ViolationKind } from './types.js';

const CLOSE_NORMAL = 1000;
const CLOSE_PROTOCOL_ERROR = 1002;
/** Err codes written as close reasons (§i.3). */
const ERR = { unknown: '1', invalidProtocolMessage: '-4', invalidHandshake: '-6', incompatibleNetwork: '110' } as const;
/** MAX_VERSION_STRING_BYTES (§c.1). */
const MAX_SOFTWARE_VERSION_BYTES = 128;
/** protocol_version the node echoes per peer node type (§c.3, snapshot column). */
const PROTOCOL_VERSION: Readonly<Record<number, string>> = {
  1: '0.0.36',
  2: '0.0.38',
  3: '0.0.38',
  4: '0.0.36',
  5: '0.0.36',
  6: '0.0.38',
  7: '0.0.36',
  8: '0.0.37',
};
/** A full node's default capabilities (§c.4): BASE, BLOCK_HEADERS, RATE_LIMITS_V2, MEMPOOL_UPDATES. */
const NODE_CAPABILITIES: [number, string][] = [
  [1, '1'],
  [2, '1'],
  [3, '1'],
  [5, '1'],
];
const SOFTWARE_VERSION = '2.7.3';
/** Loose PEP 440 check: the node only needs protocol_version to parse (§c.1). */
const PEP440 = /^v?(\d+!)?\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?(\+[a-z0-9]+(\.[a-z0-9]+)*)?$/i;
/** Unsolicited block replies earn a close and a 300 s ban (§e.7). */
const UNSOLICITED = new Set<string>(['respond_block', 'respond_blocks', 'reject_block', 'reject_blocks']);
/** Allowed by the node-type table but without a handler once the handshake is done (§d.1). */
const NO_HANDLER = new Set<string>(['handshake', 'configure_window_sizes']);
/** A binary frame that is not a Message (id flag 5), for the `garbage` fault. */
const GARBAGE = Uint8Array.of(0x1b, 0x05, 0xde, 0xad, 0xbe, 0xef);

export type SessionState = 'handshake' | 'ready' | 'closed';

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
  readonly #limiter: InboundLimiter;
  readonly #handshakeTimer: NodeJS.Timeout;
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly ws: WebSocket,
    private readonly socket: Duplex,
    readonly ip: string,
    readonly peerId: string,
    private readonly ctx: FakeNodeContext,
  ) {
    this.#limiter = new InboundLimiter(ctx.options.rateLimitWindowMs);
    this.#handshakeTimer = setTimeout(() => {
      if (this.state === 'handshake') this.#punish('handshake_timeout', 'no handshake in time', CLOSE_PROTOCOL_ERROR, ERR.invalidHandshake, BAN_SECONDS.invalidProtocol);
    }, ctx.options.handshakeTimeoutMs);
    ws.on('message', (data, isBinary) => this.#onMessage(toBytes(data), isBinary));
    ws.on('error', (err: Error & { code?: string }) => {
      // ws has already closed with 1009; the node also bans for 300 s (§a.1).
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.#record('too_big', err.message, 1009, '', BAN_SECONDS.messageTooBig);
      ctx.logger.debug({ peer: this.peerId, err: err.message }, 'fake node: socket error');
    });
    ws.on('close', () => this.#closed());
  }

  /** Closes the connection (idempotent). */
  close(code = CLOSE_NORMAL, reason = ''): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.ws.close(code, reason);
  }

  /** Sends the new peak as the node does to this peer's node type (§c.7). */
  announce(peak: PeakInfo): void {
    if (this.state !== 'ready') return;
    if (this.nodeType === NodeType.WALLET) {
      const { header_hash, height, weight, fork_point_with_previous_peak } = peak;
      this.#send(encodeMessage('new_peak_wallet', { header_hash, height, weight, fork_point_with_previous_peak }, null));
    } else if (this.nodeType === NodeType.FULL_NODE) {
      this.#send(encodeMessage('new_peak', peak, null));
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
    if (!isBinary) return this.close(CLOSE_NORMAL, '');
    this.lastBinaryAt = Date.now();
    if (this.state === 'handshake') this.#onHandshake(bytes);
    else this.#onRequest(bytes);
  }

  #onHandshake(bytes: Uint8Array): void {
    clearTimeout(this.#handshakeTimer);
    const bad = (detail: string) => this.#punish('handshake', detail, CLOSE_PROTOCOL_ERROR, ERR.invalidHandshake, BAN_SECONDS.invalidProtocol);
    let hs;
    try {
      const frame = decodeFrame(bytes);
      if (frame.type !== MessageType.handshake) return bad(`first message has type ${frame.type}, not handshake`);
      this.ctx.count('handshake', this.peerId);
      hs = types.Handshake.decode(frame.data);
    } catch (err) {
      return bad(`unparsable handshake: ${(err as Error).message}`);
    }
    // The node's checks, in its order (§c.2); it closes before replying when one fails.
    if (hs.network_id !== this.ctx.options.network) {
      return this.#punish('handshake', `network ${hs.network_id}`, CLOSE_PROTOCOL_ERROR, ERR.incompatibleNetwork, BAN_SECONDS.invalidProtocol);
    }
    if (PROTOCOL_VERSION[hs.node_type] === undefined) {
      return this.#punish('handshake', `node_type ${hs.node_type}`, CLOSE_PROTOCOL_ERROR, ERR.unknown, BAN_SECONDS.invalidProtocol);
    }
    if (Buffer.byteLength(hs.software_version, 'utf8') > MAX_SOFTWARE_VERSION_BYTES) return bad('software_version too long');
    if (!PEP440.test(hs.protocol_version)) {
      return this.#punish('handshake', `protocol_version ${hs.protocol_version}`, CLOSE_PROTOCOL_ERROR, ERR.unknown, BAN_SECONDS.invalidProtocol);
    }
    this.nodeType = hs.node_type;
    const wrongNetwork = this.ctx.faults.takeConnect('wrongNetwork');
    const reply = {
      network_id: wrongNetwork === undefined ? this.ctx.options.network : (wrongNetwork.network ?? `not-${this.ctx.options.network}`),
      protocol_version: PROTOCOL_VERSION[hs.node_type],
      software_version: SOFTWARE_VERSION,
      server_port: this.ctx.port(),
      node_type: NodeType.FULL_NODE,
      capabilities: NODE_CAPABILITIES,
    };
    this.#send(encodeMessage('handshake', reply, null));
    // A full slot table, like the closeAfterHandshake fault, closes 1000 after the handshake, no ban (§a.5).
    if (this.ctx.faults.takeConnect('closeAfterHandshake') !== undefined || !this.ctx.register(this)) return this.close(CLOSE_NORMAL, '');
    this.state = 'ready';
    this.ctx.logger.debug({ peer: this.peerId, nodeType: hs.node_type }, 'fake node: peer ready');
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
      return this.#punish('bad_frame', (err as Error).message, CLOSE_PROTOCOL_ERROR, ERR.invalidProtocolMessage, BAN_SECONDS.invalidProtocol);
    }
    const name = messageName(frame.type);
    if (name === undefined) {
      return this.#punish('bad_frame', `unknown message type ${frame.type}`, CLOSE_PROTOCOL_ERROR, ERR.invalidProtocolMessage, BAN_SECONDS.invalidProtocol);
    }
    this.ctx.count(name, this.peerId);
    // The read loop checks rate limits before dispatch (§h.1); counters grow even for a breaking message.
    const overLimit = this.#limiter.check(name, frame.data.length);
    if (overLimit !== null) return this.#punish('rate_limit', overLimit, CLOSE_NORMAL, '', BAN_SECONDS.rateLimit, name);
    if (!maySend(this.nodeType ?? 0, frame.type) || NO_HANDLER.has(name)) {
      return this.#punish('node_type', `node type ${this.nodeType} may not send ${name}`, CLOSE_PROTOCOL_ERROR, ERR.unknown, BAN_SECONDS.apiException, name);
    }
    if (UNSOLICITED.has(name)) return this.#punish('unsolicited', `unsolicited ${name}`, CLOSE_NORMAL, '', BAN_SECONDS.rateLimit, name);
    let request: Record<string, unknown>;
    try {
      request = payloadType(frame.type)!.decode(frame.data) as Record<string, unknown>;
    } catch (err) {
      return this.#punish('bad_payload', (err as Error).message, CLOSE_PROTOCOL_ERROR, ERR.unknown, BAN_SECONDS.apiException, name);
    }
    if (isServed(name)) this.#serve(name, frame.id, request);
  }

  #serve(name: MessageName, id: number | null, request: Record<string, unknown>): void {
    const fault = this.ctx.faults.takeReply(name);
    const blockFault: BlockFault = fault?.kind === 'badHeaderHash' || fault?.kind === 'wrongHeight' ? fault.kind : undefined;
    const ctx = { chain: this.ctx.chain, peers: this.ctx.options.peers, blockFault };
    const frameOf = (r: Reply) => encodeFrame({ type: MessageType[r.name], id, data: r.data });
    switch (fault?.kind) {
      case 'hang':
        return;
      case 'garbage':
        return this.#send(GARBAGE);
      case 'reject':
        return this.#send(frameOf(rejectFor(name, request)));
      case 'wrongReplyType':
        return this.#send(frameOf(wrongTypeFor(name)));
      case 'slow': {
        const timer = setTimeout(() => {
          this.#timers.delete(timer);
          this.#serveNow(ctx, name, request, frameOf);
        }, fault.ms);
        this.#timers.add(timer);
        return;
      }
      case 'disconnectMidReply': {
        const r = handle(ctx, name, request);
        // Half of the reply's WebSocket frame straight onto the socket, then the connection dies.
        if (r !== null) {
          const frame = frameOf(r);
          this.socket.write(Buffer.concat([wsFrameHeader(frame.length), frame.subarray(0, Math.floor(frame.length / 2))]));
        }
        this.state = 'closed';
        this.socket.destroy();
        return;
      }
      default:
        return this.#serveNow(ctx, name, request, frameOf);
    }
  }

  #serveNow(ctx: Parameters<typeof handle>[0], name: MessageName, request: Record<string, unknown>, frameOf: (r: Reply) => Uint8Array): void {
    const r = handle(ctx, name, request);
    if (r !== null) this.#send(frameOf(r));
  }
}
