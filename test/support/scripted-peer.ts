/**
 * A full node over real mutual TLS whose answers a test scripts: it greets like the fake node
 * (fake-node/handshake-rules.ts), announces one peak with new_peak_wallet (§c.7), then answers each
 * request with what `script` returns (nothing: no reply, as a node that stays silent, §e.8). It
 * records every request it received, decoded, so a test can check what the gateway asked.
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodeFrame, encodeFrame, MessageType, messageName, payloadCodec, type PayloadName } from '../../src/chia/codec/index.js';
import { createChiaCertificate } from '../../src/chia/link/tls-identity.js';
import { fakeNodeCa } from '../../fake-node/chia-ca.js';
import { handshakeReply } from '../../fake-node/handshake-rules.js';

/** A scripted reply: message `name` with its payload, or `close` to drop the connection. */
export type ScriptedReply = { name: PayloadName; payload: unknown } | 'close' | undefined;

export interface Received {
  name: string;
  payload: Record<string, unknown>;
}

export interface ScriptedPeak {
  height: number;
  header_hash: Uint8Array;
}

export interface ScriptedPeer {
  port: number;
  address: string;
  received: Received[];
  /** Replaces the script; a promise answers when it settles (a held reply). */
  script: (request: Received) => ScriptedReply | Promise<ScriptedReply>;
  close(): Promise<void>;
}

function encode(name: PayloadName, payload: unknown): Uint8Array {
  return (payloadCodec(name) as { encode(value: unknown): Uint8Array }).encode(payload);
}

/** Starts a scripted peer on a free loopback port, for network `network`, at `peak`. */
export async function startScriptedPeer(peak: ScriptedPeak, script: ScriptedPeer['script'], network = 'mainnet'): Promise<ScriptedPeer> {
  const pair = createChiaCertificate(fakeNodeCa());
  const server: Server = createServer({ cert: pair.cert, key: pair.key, ca: [fakeNodeCa().cert], requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' });
  const wss = new WebSocketServer({ server, path: '/ws', perMessageDeflate: false });
  const sockets = new Set<WebSocket>();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const peer: ScriptedPeer = {
    port,
    address: `127.0.0.1:${port}`,
    received: [],
    script,
    close: async () => {
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => server.close(() => resolve())));
    },
  };
  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    const send = (name: PayloadName, id: number | null, payload: unknown) => ws.send(encodeFrame({ type: MessageType[name], id, data: encode(name, payload) }));
    ws.on('message', (data: Buffer) => {
      const frame = decodeFrame(new Uint8Array(data));
      const name = messageName(frame.type) as PayloadName;
      const payload = payloadCodec(name).decode(frame.data) as Record<string, unknown>;
      if (name === 'handshake') {
        send('handshake', frame.id, handshakeReply(Number(payload.node_type), network, port));
        send('new_peak_wallet', null, { ...peak, weight: BigInt(peak.height + 1), fork_point_with_previous_peak: 0 });
        return;
      }
      const request = { name, payload };
      peer.received.push(request);
      void Promise.resolve(peer.script(request)).then((reply) => {
        if (reply === 'close') ws.terminate();
        else if (reply !== undefined && ws.readyState === ws.OPEN) send(reply.name, frame.id, reply.payload);
      });
    });
  });
  return peer;
}
