/**
 * A full node's wallet side scripted by the test, over real mutual TLS (the Chia CA) and WebSocket: the
 * reference handshake, new_peak_wallet on connect and on `announce`, notifications pushed with no id
 * (PROTOCOL.md §b.3), and requests answered by the test's `answer` (every request recorded). For what
 * the strict fake node does not serve yet; it speaks PROTOCOL.md's frames, so the same tests hold there.
 */
import { createServer, type Server } from 'node:https';
import WebSocket, { WebSocketServer } from 'ws';
import {
  decodeFrame,
  encodeFrame,
  encodeMessage,
  fromHex,
  MessageType,
  messageName,
  payloadCodec,
  payloadType,
  types,
  type MessageName,
  type PayloadName,
  type PayloadOf,
} from '../../src/chia/codec/index.js';
import { createChiaCertificate } from '../../src/chia/link/tls-identity.js';
import { fakeNodeCa } from '../../fake-node/chia-ca.js';
import { handshakeReply } from '../../fake-node/handshake-rules.js';

export const scriptedHash = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;

export interface Request {
  name: MessageName;
  payload: Record<string, unknown>;
}

/** The reply to a request: a message and its payload; undefined for the default (see defaultAnswer). */
export type ScriptedAnswer = (request: Request) => { name: PayloadName; value: unknown } | undefined;

export class ScriptedWalletPeer {
  readonly requests: Request[] = [];
  peak: { height: number; header_hash: string; weight: bigint; fork: number };
  answer: ScriptedAnswer = () => undefined;
  readonly #server: Server;
  readonly #wss: WebSocketServer;
  readonly #ready = new Set<WebSocket>();

  private constructor(
    readonly network: string,
    height: number,
  ) {
    this.peak = { height, header_hash: scriptedHash(height), weight: BigInt(height), fork: height };
    const pair = createChiaCertificate(fakeNodeCa());
    this.#server = createServer({ cert: pair.cert, key: pair.key, ca: [fakeNodeCa().cert], requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' });
    this.#wss = new WebSocketServer({ server: this.#server, path: '/ws' });
    this.#wss.on('connection', (ws) => ws.on('message', (data: Buffer) => this.#onMessage(ws, new Uint8Array(data))));
  }

  static async start(options: { network?: string; height: number }): Promise<ScriptedWalletPeer> {
    const peer = new ScriptedWalletPeer(options.network ?? 'mainnet', options.height);
    await new Promise<void>((resolve) => peer.#server.listen(0, '127.0.0.1', resolve));
    return peer;
  }

  get port(): number {
    const address = this.#server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  /** Requests of one message received so far. */
  received(name: MessageName): Record<string, unknown>[] {
    return this.requests.filter((r) => r.name === name).map((r) => r.payload);
  }

  /** Sends a notification (no id) to every connected client. */
  push<N extends PayloadName>(name: N, value: PayloadOf<N>): void {
    for (const ws of this.#ready) ws.send(encodeMessage(name, value, null));
  }

  /** A new peak (fork: the height the chain forked at; height − 1 for an extension), announced with new_peak_wallet. */
  announce(height: number, header_hash = scriptedHash(height), fork = height - 1): void {
    this.peak = { height, header_hash, weight: BigInt(height), fork };
    this.push('new_peak_wallet', this.#peakMessage());
  }

  /** Closes every connection, as a node restarting; the server keeps listening unless closed. */
  dropConnections(): void {
    for (const ws of this.#ready) ws.terminate();
    this.#ready.clear();
  }

  async close(): Promise<void> {
    this.dropConnections();
    for (const ws of this.#wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #peakMessage(): PayloadOf<'new_peak_wallet'> {
    const { height, header_hash, weight, fork } = this.peak;
    return { header_hash: fromHex(header_hash), height, weight, fork_point_with_previous_peak: fork };
  }

  #onMessage(ws: WebSocket, bytes: Uint8Array): void {
    const frame = decodeFrame(bytes);
    if (frame.type === MessageType.handshake) {
      const hs = types.Handshake.decode(frame.data);
      ws.send(encodeMessage('handshake', handshakeReply(hs.node_type, this.network, this.port), null));
      this.#ready.add(ws);
      ws.once('close', () => this.#ready.delete(ws));
      // What a node sends a WALLET right after accepting it (§c.7): its peak, fork point = height.
      ws.send(encodeMessage('new_peak_wallet', { ...this.#peakMessage(), fork_point_with_previous_peak: this.peak.height }, null));
      return;
    }
    const name = messageName(frame.type)!;
    const payload = payloadType(frame.type)!.decode(frame.data) as Record<string, unknown>;
    const request = { name, payload };
    this.requests.push(request);
    const reply = this.answer(request) ?? defaultAnswer(request);
    if (reply === undefined) return;
    ws.send(encodeFrame({ type: MessageType[reply.name], id: frame.id, data: payloadCodec(reply.name).encode(reply.value as never) }));
  }
}

/** What the scripted node answers unless the test says otherwise: success with no coin states. */
function defaultAnswer({ name, payload: p }: Request): { name: PayloadName; value: unknown } | undefined {
  switch (name) {
    case 'request_peers':
      return { name: 'respond_peers', value: { peer_list: [] } };
    case 'request_block_header':
      return { name: 'reject_header_request', value: { height: p.height } };
    case 'register_for_ph_updates':
      return { name: 'respond_to_ph_updates', value: { puzzle_hashes: p.puzzle_hashes, min_height: p.min_height, coin_states: [] } };
    case 'register_for_coin_updates':
      return { name: 'respond_to_coin_updates', value: { coin_ids: p.coin_ids, min_height: p.min_height, coin_states: [] } };
    case 'request_remove_puzzle_subscriptions':
      return { name: 'respond_remove_puzzle_subscriptions', value: { puzzle_hashes: p.puzzle_hashes ?? [] } };
    case 'request_remove_coin_subscriptions':
      return { name: 'respond_remove_coin_subscriptions', value: { coin_ids: p.coin_ids ?? [] } };
    default:
      return undefined;
  }
}
