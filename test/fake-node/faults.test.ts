import { describe, expect, it } from 'vitest';
import { decodeBlockList, decodeFrame, headerHash, types } from '../../src/chia/codec/index.js';
import { NodeType } from '../../src/chia/protocol/message-rules.js';
import { Faults } from '../../fake-node/faults.js';
import type { RawClient } from '../../fake-node/raw-client.js';
import { fakeNodeScope } from './node-scope.js';

const scope = fakeNodeScope({ chainLength: 40 });
const { connect, ready } = scope;
let nextId = 1;

function request(c: RawClient, height: number): number {
  const id = nextId++;
  c.send('request_block', { height, include_transaction_block: true }, id);
  return id;
}

describe('Faults registry', () => {
  it('applies a type fault before the global one, counts down `times`, and validates targets', () => {
    const f = new Faults();
    f.set('*', { kind: 'reject' });
    f.set('request_blocks', { kind: 'hang' }, { times: 1 });
    expect(f.takeReply('request_blocks')).toEqual({ kind: 'hang' });
    expect(f.takeReply('request_blocks')).toEqual({ kind: 'reject' });
    expect(f.takeReply('request_block')).toEqual({ kind: 'reject' });
    f.clear();
    expect(f.takeReply('request_block')).toBeUndefined();
    expect(() => f.set('request_block', { kind: 'refuse' } as never)).toThrow(TypeError);
    expect(() => f.set('connect', { kind: 'hang' } as never)).toThrow(TypeError);
  });
});

describe('fake node: reply faults', () => {
  it('hang: never answers, then answers again once cleared', async () => {
    const c = await ready();
    scope.node.faults.set('request_block', { kind: 'hang' }, { times: 1 });
    const hung = request(c, 1);
    const answered = request(c, 2);
    await c.next((m) => m.id === answered);
    expect(c.received.some((m) => m.id === hung)).toBe(false);
  });

  it('slow: answers correctly after the delay', async () => {
    const c = await ready();
    scope.node.faults.set('request_block', { kind: 'slow', ms: 300 });
    const started = Date.now();
    const id = request(c, 3);
    const reply = await c.next((m) => m.id === id);
    expect(reply.name).toBe('respond_block');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('reject: answers with the request type’s reject, or `error` when it has none', async () => {
    const c = await ready();
    scope.node.faults.set('*', { kind: 'reject' });
    const id = request(c, 4);
    expect((await c.next((m) => m.id === id)).name).toBe('reject_block');
    c.send('request_peers', {}, 999);
    expect((await c.next((m) => m.id === 999)).name).toBe('error');
  });

  it('wrongReplyType: answers with a message the request cannot get', async () => {
    const c = await ready();
    scope.node.faults.set('request_block', { kind: 'wrongReplyType' });
    const id = request(c, 5);
    expect((await c.next((m) => m.id === id)).name).toBe('respond_peers');
  });

  it('garbage: sends a binary message that is not a Message', async () => {
    const c = await ready();
    scope.node.faults.set('request_block', { kind: 'garbage' });
    request(c, 6);
    const garbage = await c.next((m) => m.type === -1);
    expect(() => decodeFrame(garbage.raw)).toThrow();
  });

  it('disconnectMidReply: sends part of the reply frame, then drops the connection', async () => {
    const c = await ready();
    scope.node.faults.set('request_block', { kind: 'disconnectMidReply' });
    const id = request(c, 7);
    const closed = await c.closed;
    expect(closed.code).toBe(1006);
    expect(c.received.some((m) => m.id === id)).toBe(false);
  });

  it('badHeaderHash: serves blocks whose header hash is not the chain’s', async () => {
    const c = await ready();
    scope.node.faults.set('request_blocks', { kind: 'badHeaderHash' });
    const id = nextId++;
    c.send('request_blocks', { start_height: 10, end_height: 12, include_transaction_block: true }, id);
    const list = decodeBlockList('RespondBlocks', (await c.next((m) => m.id === id)).data);
    for (const { value } of list.blocks) {
      expect(value.reward_chain_block.height).toBeGreaterThanOrEqual(10);
      expect(headerHash(value)).not.toEqual(scope.node.chain.headerHash(value.reward_chain_block.height));
    }
  });

  it('wrongHeight: serves the block of another height', async () => {
    const c = await ready(NodeType.WALLET);
    scope.node.faults.set('request_block_header', { kind: 'wrongHeight' });
    const id = nextId++;
    c.send('request_block_header', { height: 20 }, id);
    const reply = await c.next((m) => m.id === id);
    expect(types.RespondBlockHeader.decode(reply.data).header_block.reward_chain_block.height).toBe(21);
  });
});

describe('fake node: connection faults', () => {
  it('refuse: HTTP 403 on the upgrade', async () => {
    scope.node.faults.set('connect', { kind: 'refuse' }, { times: 1 });
    const c = await connect();
    expect(await c.opened).toEqual({ kind: 'http', status: 403 });
    expect(scope.node.bans).toEqual([]);
  });

  it('wrongNetwork: answers the handshake with another network id', async () => {
    scope.node.faults.set('connect', { kind: 'wrongNetwork', network: 'testnet11' });
    const c = await connect();
    expect((await c.handshake(NodeType.WALLET)).network_id).toBe('testnet11');
  });

  it('closeAfterHandshake: replies to the handshake, then closes 1000', async () => {
    scope.node.faults.set('connect', { kind: 'closeAfterHandshake' });
    const c = await connect();
    await c.handshake(NodeType.WALLET);
    expect(await c.closed).toEqual({ code: 1000, reason: '' });
  });

  it('dropConnections: cuts every socket without a close frame', async () => {
    const c = await ready(NodeType.WALLET);
    scope.node.dropConnections();
    expect((await c.closed).code).toBe(1006);
  });
});
