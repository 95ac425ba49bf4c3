import { describe, expect, it } from 'vitest';
import { MessageType, toHex, types } from '../../../src/chia/codec/index.js';
import { NodeType } from '../../../src/chia/protocol/message-rules.js';
import { announcedParent, parentRequest, PerKeyQueue, type ParentRequest } from '../../../src/chia/peaks/peak-parents.js';
import type { PeerAnswer } from '../../../src/chia/link/peer-reply.js';
import { FakeChain } from '../../../fake-node/chain.js';
import { eventually } from '../../support/eventually.js';

describe('parentRequest', () => {
  it('uses a message the link may send (§d.2)', () => {
    expect(parentRequest(NodeType.WALLET, 7)).toEqual({ message: 'request_block_header', payload: { height: 7 } });
    expect(parentRequest(NodeType.FULL_NODE, 7)).toEqual({ message: 'request_block', payload: { height: 7, include_transaction_block: false } });
  });
});

describe('announcedParent', () => {
  const chain = new FakeChain(new Uint8Array(32).fill(0xcc), 20);
  type ParentAnswer = PeerAnswer<ParentRequest['message']>;
  const ok = (type: ParentAnswer['type'], data: Uint8Array): ParentAnswer => ({ kind: 'ok', type, data, peer: 'p:1' });
  const block = ok(MessageType.respond_block, types.RespondBlock.encode({ block: chain.block(12) }));
  const header = ok(MessageType.respond_block_header, types.RespondBlockHeader.encode({ header_block: chain.headerBlock(12, true) }));

  it('reads the parent hash of the announced block from respond_block and respond_block_header', () => {
    for (const reply of [block, header]) expect(announcedParent(reply, 12, toHex(chain.headerHash(12)))).toBe(toHex(chain.headerHash(11)));
  });

  it('rejects another block, another height, or undecodable bytes as UPSTREAM_INVALID_REPLY', () => {
    expect(() => announcedParent(block, 12, toHex(chain.headerHash(13)))).toThrow(expect.objectContaining({ code: 'UPSTREAM_INVALID_REPLY' }));
    expect(() => announcedParent(header, 13, toHex(chain.headerHash(12)))).toThrow(expect.objectContaining({ code: 'UPSTREAM_INVALID_REPLY' }));
    const junk = ok(MessageType.respond_block, new Uint8Array([1, 2, 3]));
    expect(() => announcedParent(junk, 12, toHex(chain.headerHash(12)))).toThrow(expect.objectContaining({ code: 'UPSTREAM_INVALID_REPLY' }));
  });
});

describe('PerKeyQueue', () => {
  it('runs a task at once when its key is idle, and later ones of that key in order behind a pending one', async () => {
    const errors: unknown[] = [];
    const q = new PerKeyQueue((e) => errors.push(e));
    const log: string[] = [];
    const step = (name: string) => () => void log.push(name);
    q.run('a', step('a1'));
    expect(log).toEqual(['a1']); // synchronous
    let release!: () => void;
    q.run('a', () => {
      log.push('a2 start');
      return new Promise<void>((r) => (release = r)).then(() => void log.push('a2 end'));
    });
    q.run('a', step('a3'));
    q.run('b', step('b1')); // another key is not held up
    expect(log).toEqual(['a1', 'a2 start', 'b1']);
    expect(q.size).toBe(1);
    release();
    await eventually('the queue drained', () => q.size === 0);
    expect(log).toEqual(['a1', 'a2 start', 'b1', 'a2 end', 'a3']);
    expect(q.size).toBe(0);
    expect(errors).toEqual([]);
  });

  it('reports errors of tasks, sync or async, and keeps going', async () => {
    const errors: string[] = [];
    const q = new PerKeyQueue((e) => errors.push((e as Error).message));
    const log: string[] = [];
    q.run('a', () => {
      throw new Error('sync');
    });
    q.run('a', () => Promise.reject(new Error('async')));
    q.run('a', () => void log.push('after'));
    await eventually('the queue drained', () => q.size === 0);
    expect(errors).toEqual(['sync', 'async']);
    expect(log).toEqual(['after']);
    expect(q.size).toBe(0);
  });
});
