/**
 * A full node's wallet side scripted by the test, over real mutual TLS (the Chia CA) and WebSocket, for
 * what the strict fake node does not do (a held or dropped reply, a wrong answer, a reject on cue): it
 * greets like the fake node (fake-node/handshake-rules.ts), sends new_peak_wallet on connect and on
 * `announce` (§c.7), pushes notifications with no id (PROTOCOL.md §b.3), and answers each request with
 * what `script` returns — a reply, `'close'` to drop the connection, or a promise of either (a held
 * reply); undefined gives the default answer below, or no reply (a silent node, §e.8). Every request is
 * recorded, decoded, so a test can check what the gateway asked. It speaks PROTOCOL.md's frames, so the
 * same tests hold against a node.
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
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

/** A distinct 32-byte hash (hex) for `n`: the scripted chain's header hash at height `n`. */
export const scriptedHash = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;

export interface Received {
  name: MessageName;
  payload: Record<string, unknown>;
}

/** A scripted reply: message `name` with its payload, `'close'` to drop the connection, undefined for the default. */
export type ScriptedReply = { name: PayloadName; payload: unknown } | 'close' | undefined;
export type Script = (request: Received) => ScriptedReply | Promise<ScriptedReply>;

export interface ScriptedPeak {
  height: number;
  header_hash: Uint8Array;
}

export class ScriptedPeer {
  readonly requests: Received[] = [];
  peak: ScriptedPeak & { fork: number };
  /** Replaceable at any time. */
  script: Script;
  readonly #server: Server;
  readonly #wss: WebSocketServer;
  readonly #ready = new Set<WebSocket>();
  #port = 0;

  private constructor(
    readonly network: string,
    peak: ScriptedPeak,
    script: Script,
  ) {
    this.peak = { ...peak, fork: peak.height };
    this.script = script;
    const pair = createChiaCertificate(fakeNodeCa());
    this.#server = createServer({ cert: pair.cert, key: pair.key, ca: [fakeNodeCa().cert], requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' });
    this.#wss = new WebSocketServer({ server: this.#server, path: '/ws', perMessageDeflate: false });
    this.#wss.on('connection', (ws) => ws.on('message', (data: Buffer) => this.#onMessage(ws, new Uint8Array(data))));
  }

  /** Starts a scripted peer on a free loopback port (network mainnet by default) at `height` (or `peak`). */
  static async start(options: { network?: string; height?: number; peak?: ScriptedPeak; script?: Script }): Promise<ScriptedPeer> {
    const height = options.peak?.height ?? options.height ?? 0;
    const peak = options.peak ?? { height, header_hash: fromHex(scriptedHash(height)) };
    const peer = new ScriptedPeer(options.network ?? 'mainnet', peak, options.script ?? (() => undefined));
    await new Promise<void>((resolve) => peer.#server.listen(0, '127.0.0.1', resolve));
    peer.#port = (peer.#server.address() as AddressInfo).port;
    return peer;
  }

  /** The loopback port it listens on (kept after close, so a closed peer is still named). */
  get port(): number {
    return this.#port;
  }

  /** `127.0.0.1:<port>`, as the gateway names the peer. */
  get address(): string {
    return `127.0.0.1:${this.#port}`;
  }

  /** Payloads of the requests of one message received so far. */
  received(name: MessageName): Record<string, unknown>[] {
    return this.requests.filter((r) => r.name === name).map((r) => r.payload);
  }

  /** Sends a notification (no id) to every connected client. */
  push<N extends PayloadName>(name: N, value: PayloadOf<N>): void {
    for (const ws of this.#ready) ws.send(encodeMessage(name, value, null));
  }

  /** A new peak (fork: the height the chain forked at; height − 1 for an extension), announced with new_peak_wallet. */
  announce(height: number, header_hash = scriptedHash(height), fork = height - 1): void {
    this.peak = { height, header_hash: fromHex(header_hash), fork };
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
    const { height, header_hash, fork } = this.peak;
    // Weight grows with height and is never 0.
    return { header_hash, height, weight: BigInt(height + 1), fork_point_with_previous_peak: fork };
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
    const request = { name, payload: payloadType(frame.type)!.decode(frame.data) as Record<string, unknown> };
    this.requests.push(request);
    void Promise.resolve(this.script(request)).then((scripted) => {
      const reply = scripted ?? defaultAnswer(request);
      if (reply === 'close') ws.terminate();
      else if (reply !== undefined && ws.readyState === ws.OPEN) {
        ws.send(encodeFrame({ type: MessageType[reply.name], id: frame.id, data: payloadCodec(reply.name).encode(reply.payload as never) }));
      }
    });
  }
}

/** What the scripted node answers unless the script says otherwise: success with no coin states; else nothing. */
function defaultAnswer({ name, payload: p }: Received): ScriptedReply {
  switch (name) {
    case 'request_peers':
      return { name: 'respond_peers', payload: { peer_list: [] } };
    case 'request_block_header':
      return { name: 'reject_header_request', payload: { height: p.height } };
    case 'register_for_ph_updates':
      return { name: 'respond_to_ph_updates', payload: { puzzle_hashes: p.puzzle_hashes, min_height: p.min_height, coin_states: [] } };
    case 'register_for_coin_updates':
      return { name: 'respond_to_coin_updates', payload: { coin_ids: p.coin_ids, min_height: p.min_height, coin_states: [] } };
    case 'request_remove_puzzle_subscriptions':
      return { name: 'respond_remove_puzzle_subscriptions', payload: { puzzle_hashes: p.puzzle_hashes ?? [] } };
    case 'request_remove_coin_subscriptions':
      return { name: 'respond_remove_coin_subscriptions', payload: { coin_ids: p.coin_ids ?? [] } };
    default:
      return undefined;
  }
}
