import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headerHash, toHex, types } from '../../src/chia/codec/index.js';
import { NodeType } from '../../src/chia/protocol/message-rules.js';
import { createChiaCertificate } from '../../src/chia/link/tls-identity.js';
import { loadChiaCa } from '../../src/process/chia-ca.js';
import { selfSignedCertificate } from '../support/self-signed.js';
import { startFakeNode, type FakeNode } from '../../fake-node/index.js';
import { connectRaw, RawClient } from '../../fake-node/raw-client.js';

let node: FakeNode;
const clients: RawClient[] = [];
async function client(options?: Parameters<typeof connectRaw>[1]): Promise<RawClient> {
  const c = await connectRaw(node.url, options);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  node = await startFakeNode({ chainLength: 50 });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await node.close();
});

describe('fake node: TLS', () => {
  it('accepts a client certificate signed by the Chia CA over TLS 1.3', async () => {
    const c = await client();
    expect(await c.opened).toEqual({ kind: 'open' });
  });

  it('rejects a client without a certificate at TLS', async () => {
    const c = await client({ noCert: true });
    expect((await c.opened).kind).toBe('error');
  });

  it('rejects a self-signed client certificate at TLS', async () => {
    const c = await client(selfSignedCertificate());
    expect((await c.opened).kind).toBe('error');
  });

  it('rejects a TLS 1.2 client', async () => {
    const c = await client({ maxVersion: 'TLSv1.2' });
    const outcome = await c.opened;
    expect(outcome.kind).toBe('error');
    expect(outcome.kind === 'error' && outcome.message).toMatch(/protocol version|unsupported protocol/i);
  });

  it('answers HTTP 404 off /ws', async () => {
    const c = new RawClient(node.url.replace('/ws', '/other'));
    clients.push(c);
    expect(await c.opened).toEqual({ kind: 'http', status: 404 });
  });
});

describe('fake node: handshake', () => {
  it('greets a WALLET with its handshake and new_peak_wallet of the peak', async () => {
    const c = await client();
    const hs = await c.handshake(NodeType.WALLET);
    expect(hs).toEqual({
      network_id: 'mainnet',
      protocol_version: '0.0.38',
      software_version: '2.7.3',
      server_port: node.port,
      node_type: NodeType.FULL_NODE,
      capabilities: [
        [1, '1'],
        [2, '1'],
        [3, '1'],
        [5, '1'],
      ],
    });
    const { frame, value } = await c.nextNamed<{ header_hash: Uint8Array; height: number; weight: bigint; fork_point_with_previous_peak: number }>('new_peak_wallet');
    expect(frame.id).toBeNull();
    expect(value.height).toBe(49);
    expect(value.fork_point_with_previous_peak).toBe(49);
    expect(toHex(value.header_hash)).toBe(toHex(node.chain.headerHash(49)));
    expect(node.connections.some((i) => i.nodeType === NodeType.WALLET && i.state === 'ready')).toBe(true);
  });

  it('sends a FULL_NODE request_mempool_transactions, then new_peak, and new peaks later', async () => {
    const c = await client();
    const hs = await c.handshake(NodeType.FULL_NODE);
    expect(hs.protocol_version).toBe('0.0.36');
    await c.nextNamed('new_peak');
    const names = c.received.map((m) => m.name);
    expect(names.slice(0, 3)).toEqual(['handshake', 'request_mempool_transactions', 'new_peak']);
    const peak = node.chain.addBlock();
    const next = await c.next((m) => m.name === 'new_peak' && c.received.filter((x) => x.name === 'new_peak').indexOf(m) === 1);
    const value = types.NewPeak.decode(next.data);
    expect(value.height).toBe(peak.height);
    expect(value.fork_point_with_previous_peak).toBe(peak.height - 1);
    expect(toHex(value.header_hash)).toBe(toHex(headerHash(node.chain.block(peak.height))));
    expect(value.unfinished_reward_block_hash).toEqual(node.chain.block(peak.height).foliage.foliage_block_data.unfinished_reward_block_hash);
  });

  it('closes a wrong network with 1002 "110" before replying, and bans', async () => {
    const c = await client();
    c.send('handshake', {
      network_id: 'testnet11',
      protocol_version: '0.0.38',
      software_version: 'x',
      server_port: 0,
      node_type: NodeType.WALLET,
      capabilities: [],
    });
    expect(await c.closed).toEqual({ code: 1002, reason: '110' });
    expect(c.received).toEqual([]);
    expect(node.violations.at(-1)).toMatchObject({ kind: 'handshake', closeReason: '110', banSeconds: 10 });
    node.unban();
  });

  it('applies the checks in order: bad node type → "1", long software_version → "-6", non-handshake first → "-6"', async () => {
    const base = { network_id: 'mainnet', protocol_version: '0.0.38', software_version: 'x', server_port: 0, node_type: 6, capabilities: [] };
    const a = await client();
    a.send('handshake', { ...base, node_type: 99, software_version: 'y'.repeat(200) });
    expect(await a.closed).toEqual({ code: 1002, reason: '1' });
    node.unban();
    const b = await client();
    b.send('handshake', { ...base, software_version: 'y'.repeat(129) });
    expect(await b.closed).toEqual({ code: 1002, reason: '-6' });
    node.unban();
    const d = await client();
    d.send('request_peers', {});
    expect(await d.closed).toEqual({ code: 1002, reason: '-6' });
    node.unban();
  });

  it('closes the older connection when the same certificate connects again', async () => {
    const identity = createChiaCertificate(loadChiaCa());
    const first = await client(identity);
    await first.handshake(NodeType.WALLET);
    const second = await client(identity);
    await second.handshake(NodeType.WALLET);
    expect(await first.closed).toEqual({ code: 1000, reason: '' });
    expect(second.ws.readyState).toBe(second.ws.OPEN);
  });
});

describe('fake node: timeouts and slots', () => {
  it('closes a silent connection after handshakeTimeoutMs with 1002 "-6"', async () => {
    const quick = await startFakeNode({ chainLength: 2, handshakeTimeoutMs: 200 });
    try {
      const c = await connectRaw(quick.url);
      clients.push(c);
      expect(await c.closed).toEqual({ code: 1002, reason: '-6' });
      expect(quick.violations[0]?.kind).toBe('handshake_timeout');
    } finally {
      await quick.close();
    }
  });

  it('closes idle FULL_NODE peers but not WALLET peers', async () => {
    const idle = await startFakeNode({ chainLength: 2, idleTimeoutMs: 600 });
    try {
      const full = await connectRaw(idle.url);
      const wallet = await connectRaw(idle.url);
      clients.push(full, wallet);
      await full.handshake(NodeType.FULL_NODE);
      await wallet.handshake(NodeType.WALLET);
      expect(await full.closed).toEqual({ code: 1000, reason: '' });
      expect(wallet.ws.readyState).toBe(wallet.ws.OPEN);
      expect(idle.bans).toEqual([]);
    } finally {
      await idle.close();
    }
  });

  it('completes the handshake and closes 1000 when the slots of a node type are full', async () => {
    const full = await startFakeNode({ chainLength: 2, inboundSlots: { [NodeType.WALLET]: 1 } });
    try {
      const a = await connectRaw(full.url);
      const b = await connectRaw(full.url);
      clients.push(a, b);
      await a.handshake(NodeType.WALLET);
      expect((await b.handshake(NodeType.WALLET)).network_id).toBe('mainnet');
      expect(await b.closed).toEqual({ code: 1000, reason: '' });
      expect(full.bans).toEqual([]);
    } finally {
      await full.close();
    }
  });
});
