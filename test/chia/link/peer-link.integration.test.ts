/** One PeerLink over real sockets: TLS failures, a dead connection found by the heartbeat, state order. */
import { connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeerLink, type PeerLinkOptions, type PeerLinkState } from '../../../src/chia/link/peer-link.js';
import { loadChiaCa } from '../../../src/process/chia-ca.js';
import type { FakeNode } from '../../../fake-node/index.js';
import { selfSignedCertificate } from '../../support/self-signed.js';
import { WINDOW_MS, errorOf, startNode, testIdentities } from '../../support/upstream-harness.js';
import { closedPort, listeningServer } from '../../support/local-port.js';

function linkTo(port: number, over: Partial<PeerLinkOptions> = {}): PeerLink {
  return new PeerLink({
    host: '127.0.0.1',
    port,
    role: 'wallet',
    network: 'mainnet',
    identity: testIdentities().wallet,
    ca: loadChiaCa().cert,
    requestTimeoutMs: 2_000,
    pacing: { share: 0.6, queueSize: 10, windowMs: WINDOW_MS },
    ...over,
  });
}

/** A TCP relay to the node that can go silent in both directions, like a dead network path. */
async function blackholeProxy(target: number): Promise<{ server: Server; port: number; silence: () => void }> {
  let silent = false;
  const sockets = new Set<Socket>();
  const { server, port } = await listeningServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (d) => void (silent || upstream.write(d)));
    upstream.on('data', (d) => void (silent || client.write(d)));
    const end = () => (client.destroy(), upstream.destroy());
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  server.on('close', () => sockets.forEach((s) => s.destroy()));
  return { server, port, silence: () => void (silent = true) };
}

describe('PeerLink', () => {
  let node: FakeNode;
  beforeAll(async () => void (node = await startNode()));
  afterAll(async () => node.close());

  it('goes connecting → handshaking → ready → closed and knows the node peer id', async () => {
    const link = linkTo(node.port);
    const states: PeerLinkState[] = [];
    link.on('state', (s) => states.push(s));
    await link.open();
    expect(link.peerId).toBe(node.identity.peerId);
    expect(link.remote?.node_type).toBe(1);
    link.close();
    link.close(); // idempotent
    expect(states).toEqual(['handshaking', 'ready', 'closed']);
  });

  it('fails with TLS_FAILED when the node certificate does not chain to the CA we trust', async () => {
    const link = linkTo(node.port, { ca: selfSignedCertificate().cert });
    expect(await errorOf(link.open())).toMatchObject({ code: 'TLS_FAILED' });
  });

  it('fails with a typed error when the node refuses our certificate', async () => {
    // The refusal arrives as a TLS alert or, under TLS 1.3, as a bare reset after the handshake.
    const error = await errorOf(linkTo(node.port, { identity: selfSignedCertificate() }).open());
    expect(['TLS_FAILED', 'HANDSHAKE_FAILED']).toContain(error.code);
    if (error.code === 'HANDSHAKE_FAILED') expect(error.message).toContain('may refuse our client certificate');
    expect(node.connections).toEqual([]);
  });

  it('fails with HANDSHAKE_FAILED when nothing listens', async () => {
    const port = await closedPort();
    expect(await errorOf(linkTo(port).open())).toMatchObject({ code: 'HANDSHAKE_FAILED' });
  });

  it('drops a dead connection when pongs stop, settling its requests with LINK_CLOSED', async () => {
    const proxy = blackholeProxy(node.port);
    const { server, port, silence } = await proxy;
    try {
      const link = linkTo(port, { pingIntervalMs: 200, requestTimeoutMs: 30_000 });
      await link.open();
      const closed = new Promise<string>((resolve) => link.once('close', (error) => resolve(error.message)));
      silence();
      const pending = link.request('request_block_headers', { start_height: 0, end_height: 0, return_filter: false });
      expect(await errorOf(pending)).toMatchObject({ code: 'LINK_CLOSED' });
      expect(await closed).toContain('missed a pong');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
