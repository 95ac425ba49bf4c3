import { describe, expect, it, vi } from 'vitest';
import { encodeFrame, MessageType } from '../../src/chia/codec/index.js';
import { NodeType } from '../../src/chia/protocol/message-rules.js';
import { startFakeNode } from '../../fake-node/index.js';
import { fakeNodeScope } from './node-scope.js';

const scope = fakeNodeScope({ chainLength: 20, maxMessageBytes: 64 * 1024 });
const { connect, ready } = scope;

describe('fake node: node-type table (PROTOCOL.md §d)', () => {
  it('closes a WALLET that sends request_block with 1002 "1", bans it, and answers the next upgrade with 403', async () => {
    const c = await ready(NodeType.WALLET);
    c.send('request_block', { height: 1, include_transaction_block: true }, 1);
    expect(await c.closed).toEqual({ code: 1002, reason: '1' });
    expect(scope.node.violations.at(-1)).toMatchObject({ kind: 'node_type', message: 'request_block', banSeconds: 10 });
    expect(scope.node.bans.at(-1)).toMatchObject({ ip: '127.0.0.1', seconds: 10 });
    const next = await connect();
    expect(await next.opened).toEqual({ kind: 'http', status: 403 });
  });

  it('closes a FULL_NODE that sends a wallet request (request_block_header) the same way', async () => {
    const c = await ready(NodeType.FULL_NODE);
    c.send('request_block_header', { height: 1 }, 2);
    expect(await c.closed).toEqual({ code: 1002, reason: '1' });
  });

  it('treats a second handshake as a message without a handler (1002 "1")', async () => {
    const c = await ready(NodeType.WALLET);
    await c.handshake(NodeType.WALLET).catch(() => undefined);
    expect(await c.closed).toEqual({ code: 1002, reason: '1' });
  });
});

describe('fake node: framing and payloads (§b.1)', () => {
  it('closes on a malformed frame with 1002 "-4"', async () => {
    const c = await ready(NodeType.WALLET);
    c.sendRaw(Uint8Array.of(0x33, 0x02, 0, 0, 0, 0));
    expect(await c.closed).toEqual({ code: 1002, reason: '-4' });
    expect(scope.node.violations.at(-1)?.kind).toBe('bad_frame');
  });

  it('closes on an unknown message type with 1002 "-4"', async () => {
    const c = await ready(NodeType.WALLET);
    c.sendRaw(encodeFrame({ type: 250, id: null, data: new Uint8Array(0) }));
    expect(await c.closed).toEqual({ code: 1002, reason: '-4' });
  });

  it('closes on an undecodable payload with 1002 "1"', async () => {
    const c = await ready(NodeType.WALLET);
    c.sendRaw(encodeFrame({ type: MessageType.request_block_header, id: 3, data: Uint8Array.of(0, 1) }));
    expect(await c.closed).toEqual({ code: 1002, reason: '1' });
    expect(scope.node.violations.at(-1)?.kind).toBe('bad_payload');
  });

  it('closes on a text message with 1000 and no ban', async () => {
    const c = await ready(NodeType.WALLET);
    const bans = scope.node.bans.length;
    c.ws.send('hello');
    expect(await c.closed).toEqual({ code: 1000, reason: '' });
    expect(scope.node.bans.length).toBe(bans);
  });

  it('closes on a message over maxMessageBytes (1009) and bans for 300 s', async () => {
    const c = await ready(NodeType.WALLET);
    c.sendRaw(new Uint8Array(100 * 1024));
    expect((await c.closed).code).toBe(1009);
    expect(scope.node.violations.at(-1)).toMatchObject({ kind: 'too_big', banSeconds: 300 });
  });
});

describe('fake node: punishments (§e.7, §h.1)', () => {
  it('closes an unsolicited respond_block with 1000 "" and a 300 s ban', async () => {
    const c = await ready(NodeType.FULL_NODE);
    c.sendRaw(encodeFrame({ type: MessageType.respond_block, id: null, data: scope.node.chain.fullBlockBytes(1) }));
    expect(await c.closed).toEqual({ code: 1000, reason: '' });
    expect(scope.node.violations.at(-1)).toMatchObject({ kind: 'unsolicited', banSeconds: 300 });
  });

  it('closes with 1000 "" and bans 300 s when a per-type v2 limit is exceeded (request_peers: 10 per window)', async () => {
    const c = await ready(NodeType.WALLET);
    for (let i = 0; i < 11; i++) c.send('request_peers', {}, i);
    expect(await c.closed).toEqual({ code: 1000, reason: '' });
    expect(scope.node.violations.at(-1)).toMatchObject({ kind: 'rate_limit', message: 'request_peers', banSeconds: 300 });
    expect(scope.node.isBanned()).toBe(true);
    const next = await connect();
    expect(await next.opened).toEqual({ kind: 'http', status: 403 });
  });

  it('closes with 1000 "" when one message exceeds its type\'s max_size (request_peers: 100 B)', async () => {
    const c = await ready(NodeType.WALLET);
    c.sendRaw(encodeFrame({ type: MessageType.request_peers, id: 1, data: new Uint8Array(101) }));
    expect(await c.closed).toEqual({ code: 1000, reason: '' });
    expect(scope.node.violations.at(-1)).toMatchObject({ kind: 'rate_limit', detail: expect.stringMatching(/max_size/) });
  });

  it('enforces the aggregate limit of 1000 messages per window', async () => {
    const c = await ready(NodeType.WALLET);
    // request_header_blocks is aggregate with 5000 per window; an invalid range gets no reply (§e.5).
    for (let i = 0; i < 1001; i++) c.send('request_header_blocks', { start_height: 5, end_height: 1 }, i % 32768);
    expect(await c.closed).toEqual({ code: 1000, reason: '' });
    expect(scope.node.violations.at(-1)?.detail).toMatch(/aggregate count/);
  });

  it('counts within fixed buckets: the same burst in the next window is fine, and requests are counted', async () => {
    const windowMs = 400;
    const scaled = await startFakeNode({ chainLength: 5, rateLimitWindowMs: windowMs });
    // The node's buckets follow the clock: a fake one stays in a bucket, and moves to the next on command.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const c = await connect({ to: scaled });
      await c.handshake(NodeType.WALLET);
      for (let i = 0; i < 10; i++) c.send('request_peers', {}, i);
      await c.next((m) => m.name === 'respond_peers' && m.id === 9);
      vi.setSystemTime(Date.now() + windowMs);
      for (let i = 10; i < 20; i++) c.send('request_peers', {}, i);
      await c.next((m) => m.name === 'respond_peers' && m.id === 19);
      expect(scaled.violations).toEqual([]);
      expect(scaled.bans).toEqual([]);
      expect(scaled.requestCounts).toMatchObject({ handshake: 1, request_peers: 20 });
    } finally {
      vi.useRealTimers();
      await scaled.close();
    }
  });
});
