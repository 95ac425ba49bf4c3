/**
 * One mutual-TLS WebSocket connection to a full node in one role (PROTOCOL.md §a, §c): TLS 1.3 with
 * our client certificate, the handshake, request/response correlation, outbound pacing, a ping
 * heartbeat and, on FULL_NODE links, a keep-alive against the node's idle close. A link lives once:
 * connecting → handshaking → ready → closed; the manager replaces closed links (and adds `reconnecting`).
 */
import { EventEmitter } from 'node:events';
import { peerIdOfDer } from './tls-identity.js';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import WebSocket from 'ws';
import { MessageType, decodeFrame, encodeFrame, messageName, payloadCodec, type Handshake, type PayloadOf } from '../codec/index.js';
import { formatPeer } from '../protocol/peer-address.js';
import { describeClose } from '../protocol/close-reasons.js';
import { FULL_NODE_IDLE_TIMEOUT_MS, HANDSHAKE_TIMEOUT_MS, MAX_MESSAGE_BYTES } from '../protocol/limits.js';
import { checkHandshake, handshakeFrame, nodeTypeOf } from '../protocol/handshake.js';
import { UpstreamError, type UpstreamErrorCode } from '../errors.js';
import { NodeType, maySend, type Reply, type RequestName } from '../protocol/message-rules.js';
import type { OnBehalfOf } from './on-behalf-of.js';
import { RateLimiter, type RateLimiterOptions } from './rate-limiter.js';
import { limitsFor, rateLimitOf } from '../protocol/rate-limits.js';
import { DEFAULT_MAX_IN_FLIGHT, RequestMap, type IncomingFrame } from './request-map.js';
import { SILENT_LOGGER, type Logger } from '../logger.js';
import type { Role } from '../upstream-api.js';

/** Ping cadence; a link without a pong for one interval is dead (§a.5: the node never pings). */
export const PING_INTERVAL_MS = 30_000;
/**
 * FULL_NODE links are closed after FULL_NODE_IDLE_TIMEOUT_MS (30 min) without a binary message from
 * us, checked every 10 min (§a.5). A request_peers after half that, 15 quiet minutes, keeps us well
 * inside it, and at most 4 per hour is far below its 10/min limit (§h.1). It is cheaper for the node
 * than request_block, and its reply is optional: the message itself resets the idle clock, so a
 * missing reply just times out quietly.
 */
export const KEEPALIVE_IDLE_MS = FULL_NODE_IDLE_TIMEOUT_MS / 2;
/** A peer that closes this soon after accepting our handshake, before sending anything, refused us (slots full, §a.5). */
export const REFUSED_AFTER_HANDSHAKE_MS = 5_000;

export type PeerLinkState = 'connecting' | 'handshaking' | 'ready' | 'closed';

export interface PeerLinkOptions {
  host: string;
  port: number;
  role: Role;
  /** network_id for the handshake (config.network). */
  network: string;
  identity: { cert: string; key: string };
  /** The public Chia CA certificate: node certificates are checked against it (§a.2), host names are not. */
  ca: string;
  requestTimeoutMs: number;
  /** The link's pacer; without `limitOf` it paces by the table its handshake shows the node enforces (§h.1). */
  pacing: Omit<RateLimiterOptions, 'now'>;
  logger?: Logger;
  handshakeTimeoutMs?: number;
  pingIntervalMs?: number;
  keepAliveIdleMs?: number;
}

/**
 * Why a link closed, for the reconnect policy (link-slot.ts, peer-pool.ts): the node banned our IP
 * (`banMs` as its close implies, null when it did not say how long: an HTTP 403, §a.5), refused us
 * without a ban (a close right after the handshake: full slots, §a.5), or anything else failed.
 */
export type CloseVerdict = { cause: 'failed' } | { cause: 'refused' } | { cause: 'banned'; banMs: number | null };
const FAILED: CloseVerdict = { cause: 'failed' };
const REFUSED: CloseVerdict = { cause: 'refused' };

export interface PeerLinkEvents {
  state: [state: PeerLinkState];
  /** A message that answers none of our requests (new_peak, new_peak_wallet, gossip). */
  notification: [frame: IncomingFrame];
  /** The link closed, with the error that closed it and what that says about the peer. */
  close: [error: UpstreamError, verdict: CloseVerdict];
}

/** Notifications the link hands on: peaks, and the coin changes of a wallet's subscriptions (§c.7, §b.3). */
const NOTIFICATIONS = new Set<string>(['new_peak', 'new_peak_wallet', 'coin_state_update']);

/** Notifications a node sends a FULL_NODE peer that need no reply (§c.7); they are accepted and ignored. */
const IGNORED_GOSSIP = new Set<string>([
  'request_mempool_transactions',
  'new_transaction',
  'new_unfinished_block',
  'new_unfinished_block2',
  'new_signage_point_or_end_of_sub_slot',
  'new_compact_vdf',
  'respond_peers',
  'coin_state_update',
  'mempool_items_added',
  'mempool_items_removed',
]);

/** Accept any server name: node certificates carry SAN chia.net (§a.2). ws types this callback wrongly as boolean. */
const anyServerName = (() => undefined) as unknown as (servername: string, cert: unknown) => boolean;

export class PeerLink extends EventEmitter<PeerLinkEvents> {
  readonly address: string;
  readonly role: Role;
  readonly nodeType: number;
  #state: PeerLinkState = 'connecting';
  #ws: WebSocket | undefined;
  #peerId: string | null = null;
  #remote: Handshake | null = null;
  #rateLimits: 'v1' | 'v2' | null = null;
  #readyAt = 0;
  #heardSinceReady = false;
  #lastSent = 0;
  #alive = true;
  #timers: NodeJS.Timeout[] = [];
  readonly #options: PeerLinkOptions;
  readonly #log: Logger;
  readonly #limiter: RateLimiter;
  readonly #map: RequestMap;

  constructor(options: PeerLinkOptions) {
    super();
    this.#options = options;
    this.address = formatPeer(options);
    this.role = options.role;
    this.nodeType = nodeTypeOf(options.role);
    this.#log = options.logger ?? SILENT_LOGGER;
    // The pacer waits for a free in-flight slot, so the request map's cap (the same number) is never hit.
    const maxInFlight = options.pacing.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    this.#limiter = new RateLimiter({ ...options.pacing, maxInFlight });
    this.#map = new RequestMap({
      maxInFlight,
      logger: this.#log,
      onUnsolicited: (frame) => this.#onUnsolicited(frame),
      // A wrong-typed reply means the peer is broken or confused: drop it, the manager reconnects (§e.7).
      onInvalidReply: (frame, request) =>
        this.#fail(new UpstreamError('UPSTREAM_INVALID_REPLY', `peer answered request type ${MessageType[request]} with type ${frame.type}`, { peer: this.address }), FAILED),
    });
  }

  get state(): PeerLinkState {
    return this.#state;
  }
  /** sha256 of the node's certificate DER, hex (§a.4), once TLS is up. */
  get peerId(): string | null {
    return this.#peerId;
  }
  /** The node's handshake, once received. */
  get remote(): Readonly<Handshake> | null {
    return this.#remote;
  }
  /** The rate-limit table the node enforces on this link (§h.1), once the handshake is done. */
  get rateLimits(): 'v1' | 'v2' | null {
    return this.#rateLimits;
  }
  get inFlight(): number {
    return this.#map.size;
  }
  get queued(): number {
    return this.#limiter.queued;
  }
  /** Requests of `name` the pacer lets through per window on this link. */
  pacingCeiling(name: string): number {
    return this.#limiter.ceiling(name);
  }

  /** Connects and handshakes; resolves when ready, rejects with the typed error that closed the link. */
  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onState = (state: PeerLinkState) => {
        if (state !== 'ready') return;
        this.off('close', onClose);
        this.off('state', onState);
        resolve();
      };
      const onClose = (error: UpstreamError) => {
        this.off('state', onState);
        reject(error);
      };
      this.on('state', onState);
      this.once('close', onClose);
      this.#connect();
    });
  }

  /**
   * Sends request `name` with its payload for the clients `onBehalfOf` names and waits for its reply.
   * Resolves with a reply the table allows for `name` (§e.2): an answer or a refusal (a protocol-level
   * reject is an answer, not a transport failure); rejects with ROLE_FORBIDDEN, INVALID_REQUEST (a
   * payload that does not encode), MESSAGE_TOO_LARGE, PACING_QUEUE_FULL, PACING_TIMEOUT (never sent:
   * still waiting for pacing at the deadline), TOO_MANY_IN_FLIGHT, UPSTREAM_TIMEOUT,
   * UPSTREAM_INVALID_REPLY or LINK_CLOSED.
   */
  async request<N extends RequestName>(name: N, payload: PayloadOf<N>, timeoutMs = this.#options.requestTimeoutMs, onBehalfOf?: OnBehalfOf): Promise<Reply<N>> {
    const type = MessageType[name];
    if (!maySend(this.nodeType, type)) {
      // Never sent: the node would close and ban us (§d.1).
      throw new UpstreamError('ROLE_FORBIDDEN', `a ${this.#options.role} link may not send ${name} (PROTOCOL.md §d.2)`, { peer: this.address });
    }
    if (this.#state !== 'ready') throw new UpstreamError('LINK_CLOSED', `link to ${this.address} is ${this.#state}`, { peer: this.address });
    const data = this.#encode(name, payload);
    const started = Date.now();
    // One deadline covers the pacing wait and the round trip; reached while waiting, it is a PACING_TIMEOUT.
    const release = await this.#limiter.acquire(name, data.length, { onBehalfOf, maxWaitMs: timeoutMs });
    try {
      const { id, reply } = this.#map.register(name, Math.max(1, timeoutMs - (Date.now() - started)));
      this.#send(encodeFrame({ type, id, data }));
      release.sent();
      return await reply;
    } finally {
      release();
    }
  }

  /** The payload bytes of request `name`; a value the payload class cannot encode is an INVALID_REQUEST. */
  #encode<N extends RequestName>(name: N, payload: PayloadOf<N>): Uint8Array {
    try {
      return payloadCodec(name).encode(payload);
    } catch (cause) {
      throw new UpstreamError('INVALID_REQUEST', `${name} cannot be encoded: ${(cause as Error).message}`, { cause, peer: this.address });
    }
  }

  /** Closes the link and settles everything pending with LINK_CLOSED. Idempotent. */
  close(reason = 'closed by the gateway'): void {
    this.#fail(new UpstreamError('LINK_CLOSED', `link to ${this.address} ${reason}`, { peer: this.address }), FAILED);
  }

  #setState(state: PeerLinkState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#log.debug({ peer: this.address, role: this.#options.role, state }, 'peer link state');
    this.emit('state', state);
  }

  #connect(): void {
    const { identity, ca } = this.#options;
    const ws = new WebSocket(`wss://${this.address}/ws`, {
      cert: identity.cert,
      key: identity.key,
      ca,
      minVersion: 'TLSv1.3',
      rejectUnauthorized: true,
      // Node certificates carry SAN chia.net, never the host name (§a.2): verify the chain only.
      checkServerIdentity: anyServerName,
      perMessageDeflate: false,
      maxPayload: MAX_MESSAGE_BYTES,
      // The node's own handshake deadline (§a.5): we give up at the same point.
      handshakeTimeout: this.#options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS,
    });
    this.#ws = ws;
    ws.on('upgrade', (response: IncomingMessage) => {
      const socket = response.socket as TLSSocket;
      const raw = socket.getPeerCertificate?.()?.raw;
      if (raw) this.#peerId = peerIdOfDer(raw);
    });
    ws.on('unexpected-response', (_req, response: IncomingMessage) => {
      const banned = response.statusCode === 403;
      this.#fail(
        new UpstreamError(banned ? 'PEER_REFUSED' : 'HANDSHAKE_FAILED', banned ? `${this.address} refused the upgrade with HTTP 403: our IP is banned there` : `${this.address} answered the upgrade with HTTP ${response.statusCode}`, { peer: this.address }),
        // A 403 does not say how long the ban lasts (§a.5).
        banned ? { cause: 'banned', banMs: null } : FAILED,
      );
      response.resume();
    });
    ws.on('error', (err: Error & { code?: string }) => this.#fail(this.#transportError(err), FAILED));
    ws.on('open', () => this.#onOpen());
    ws.on('message', (data: Buffer, isBinary: boolean) => this.#onMessage(data, isBinary));
    ws.on('pong', () => (this.#alive = true));
    ws.on('close', (code: number, reason: Buffer) => this.#onClose(code, reason.toString('utf8')));
  }

  #transportError(err: Error & { code?: string }): UpstreamError {
    const code = err.code ?? '';
    const tls = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO|ERR_TLS/i.test(code) || /certificate|alert|tls|ssl/i.test(err.message);
    const kind: UpstreamErrorCode = tls ? 'TLS_FAILED' : this.#state === 'ready' ? 'LINK_CLOSED' : 'HANDSHAKE_FAILED';
    // Under TLS 1.3 a node that refuses our certificate may just reset the socket after the handshake.
    const hint = !tls && code === 'ECONNRESET' && this.#state === 'connecting' ? ' (reset during the upgrade: the node may refuse our client certificate)' : '';
    return new UpstreamError(kind, `${this.address}: ${tls ? 'TLS failed' : 'connection failed'}: ${err.message}${hint}`, { cause: err, peer: this.address });
  }

  #onOpen(): void {
    this.#setState('handshaking');
    // A 'handshaking' listener may close the link at once (the manager drops a second link to a node).
    if (this.#state !== 'handshaking') return;
    const frame = handshakeFrame(this.#options.role, this.#options.network);
    // The node counts the handshake towards its aggregate limit (§h.1).
    this.#limiter.record('handshake', frame.length);
    this.#send(frame);
    const timeoutMs = this.#options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS;
    this.#later(() => {
      if (this.#state === 'handshaking') this.#fail(new UpstreamError('HANDSHAKE_FAILED', `${this.address} sent no handshake within ${timeoutMs} ms`, { peer: this.address }), FAILED);
    }, timeoutMs);
  }

  #onMessage(data: Buffer, isBinary: boolean): void {
    if (!isBinary) return this.#failInvalid(new UpstreamError('UPSTREAM_INVALID_REPLY', `${this.address} sent a text frame`, { peer: this.address }));
    let frame: IncomingFrame;
    try {
      frame = decodeFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    } catch (cause) {
      return this.#failInvalid(new UpstreamError('UPSTREAM_INVALID_REPLY', `${this.address} sent an undecodable frame`, { cause, peer: this.address }));
    }
    if (this.#state === 'handshaking') return this.#onHandshake(frame);
    if (this.#state !== 'ready') return;
    this.#heardSinceReady = true;
    this.#map.route(frame);
  }

  #onHandshake(frame: IncomingFrame): void {
    const check = checkHandshake(frame, this.#options.network);
    if (!check.ok) return this.#fail(new UpstreamError(check.code, `${this.address}: ${check.message}`, { cause: check.cause, peer: this.address }), FAILED);
    const remote = check.remote;
    this.#remote = remote;
    this.#rateLimits = check.v2Limits ? 'v2' : 'v1';
    // Chosen before ready, so before any paced request; the handshake we sent is the same in both tables.
    const fixedTable = this.#options.pacing.limitOf !== undefined;
    if (!fixedTable) {
      const table = limitsFor(check.v2Limits);
      this.#limiter.useLimits((name) => rateLimitOf(name, table));
    }
    if (!check.v2Limits) {
      const pacing = fixedTable ? 'pacing keeps the fixed table it was given' : 'this link paces by v1';
      this.#log.warn({ peer: this.address }, `peer lacks RATE_LIMITS_V2: the node enforces the stricter v1 limits, ${pacing} (PROTOCOL.md §h.1)`);
    }
    this.#readyAt = Date.now();
    this.#log.info(
      { peer: this.address, role: this.#options.role, peerId: this.#peerId, version: remote.software_version, protocol: remote.protocol_version, rateLimits: this.#rateLimits },
      'peer link ready',
    );
    this.#startTimers();
    this.#setState('ready');
  }

  #onUnsolicited(frame: IncomingFrame): void {
    const name = messageName(frame.type) ?? String(frame.type);
    if (NOTIFICATIONS.has(name)) {
      this.emit('notification', frame);
      return;
    }
    // Gossip and node requests are accepted and never answered (§c.7): a reply would be unsolicited (§e.7).
    if (!IGNORED_GOSSIP.has(name)) this.#log.debug({ peer: this.address, type: name, id: frame.id }, 'unexpected message ignored');
    else this.#log.trace({ peer: this.address, type: name }, 'gossip ignored');
  }

  #startTimers(): void {
    const pingMs = this.#options.pingIntervalMs ?? PING_INTERVAL_MS;
    const ping = setInterval(() => {
      if (!this.#alive) return this.#fail(new UpstreamError('LINK_CLOSED', `${this.address} missed a pong (dead connection)`, { peer: this.address }), FAILED);
      this.#alive = false;
      this.#ws?.ping();
    }, pingMs);
    ping.unref();
    this.#timers.push(ping);
    if (this.nodeType !== NodeType.FULL_NODE) return;
    const idleMs = this.#options.keepAliveIdleMs ?? KEEPALIVE_IDLE_MS;
    const keepAlive = setInterval(() => {
      if (Date.now() - this.#lastSent < idleMs) return;
      this.request('request_peers', {}).catch((err: unknown) => this.#log.debug({ peer: this.address, err }, 'keep-alive request_peers got no reply'));
    }, Math.max(1, Math.floor(idleMs / 4)));
    keepAlive.unref();
    this.#timers.push(keepAlive);
  }

  #later(fn: () => void, ms: number): void {
    const timer = setTimeout(fn, ms);
    timer.unref();
    this.#timers.push(timer);
  }

  #send(bytes: Uint8Array): void {
    this.#lastSent = Date.now();
    this.#ws?.send(bytes, { binary: true });
  }

  #onClose(code: number, reason: string): void {
    const meaning = describeClose(code, reason);
    const banned: CloseVerdict | undefined = meaning.banMs === null ? undefined : { cause: 'banned', banMs: meaning.banMs };
    if (this.#state === 'handshaking' || this.#state === 'connecting') {
      const codeOf = meaning.handshakeCode;
      const verdict = banned ?? (codeOf === 'PEER_REFUSED' ? REFUSED : FAILED);
      return this.#fail(new UpstreamError(codeOf, `${this.address} closed the handshake: ${meaning.text}`, { peer: this.address }), verdict);
    }
    const refusedEarly = !this.#heardSinceReady && Date.now() - this.#readyAt < REFUSED_AFTER_HANDSHAKE_MS;
    if (refusedEarly) {
      return this.#fail(new UpstreamError('PEER_REFUSED', `${this.address} closed right after the handshake: ${meaning.text}`, { peer: this.address }), banned ?? REFUSED);
    }
    this.#fail(new UpstreamError('LINK_CLOSED', `${this.address} ${meaning.text}`, { peer: this.address }), banned ?? FAILED);
  }

  /**
   * Ends the link after a frame that answers no request we can tell (undecodable, or text): every
   * request in flight lost its answer to it, so each fails as an invalid reply (like a wrong reply
   * type, §e.7), not as a plain close.
   */
  #failInvalid(error: UpstreamError): void {
    this.#map.close(error);
    this.#fail(error, FAILED);
  }

  /** Ends the link once: settles pending requests, closes the socket, emits `close`. */
  #fail(error: UpstreamError, verdict: CloseVerdict): void {
    if (this.#state === 'closed') return;
    const wasReady = this.#state === 'ready';
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers = [];
    const settle = error.code === 'LINK_CLOSED' ? error : new UpstreamError('LINK_CLOSED', error.message, { cause: error, peer: this.address });
    this.#map.close(settle);
    this.#limiter.close(settle);
    const ws = this.#ws;
    if (ws && ws.readyState === WebSocket.OPEN) ws.close(1000);
    else if (ws && ws.readyState === WebSocket.CONNECTING) ws.terminate();
    // A socket that does not finish its closing handshake is torn down.
    if (ws) setTimeout(() => ws.terminate(), 2_000).unref();
    this.#log[wasReady ? 'warn' : 'info']({ peer: this.address, role: this.#options.role, code: error.code, err: error.message }, 'peer link closed');
    this.#setState('closed');
    this.emit('close', error, verdict);
  }
}
