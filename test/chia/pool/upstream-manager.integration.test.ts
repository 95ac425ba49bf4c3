/**
 * The upstream manager over real TLS 1.3 sockets against the strict fake node (fake-node/), which
 * enforces node-type bans and the v2 rate limits with the same scaled window as our pacer.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../../src/chia/codec/index.js';
import type { UpstreamManager } from '../../../src/chia/pool/upstream-manager.js';
import type { LinkStatus, Peak, RequestOutcome } from '../../../src/chia/upstream-api.js';
import type { FakeNode } from '../../../fake-node/index.js';
import { errorOf, makeManager, startNode } from '../../support/upstream-harness.js';
import { eventually } from '../../support/eventually.js';
import { RecordingLogger } from '../../support/recording-logger.js';

const TX_HEIGHT = 3; // the fake chain makes every third block a transaction block

const lateRepliesDropped = (logger: RecordingLogger) => logger.entries.filter((e) => e.msg?.startsWith('late reply')).length;

describe('upstream manager against one fake node', () => {
  let node: FakeNode;
  let manager: UpstreamManager;
  const outcomes: RequestOutcome[] = [];
  const peaks: Peak[] = [];
  const logger = new RecordingLogger();

  beforeAll(async () => {
    node = await startNode();
    manager = makeManager({ nodes: [node], requestTimeoutMs: 2_000, extra: { logger } });
    manager.on('request', (o) => outcomes.push(o));
    manager.on('peak', ({ peak }) => peaks.push(peak));
    await manager.start();
    await eventually('both roles ready', () => manager.isReady('full_node') && manager.isReady('wallet'));
  });
  afterAll(async () => {
    await manager.close();
    await node.close();
  });
  afterEach(async () => {
    node.faults.clear();
    // Every fault test leaves both roles ready again: the manager reconnected.
    await eventually('reconnect after the fault', () => manager.isReady('full_node') && manager.isReady('wallet'));
    expect(node.violations).toEqual([]);
  });

  it('handshakes in both roles and tracks the peak from new_peak and new_peak_wallet', async () => {
    await eventually('a peak', () => manager.peak() !== null);
    const peak = manager.peak()!;
    expect(peak.height).toBe(node.chain.peak.height);
    expect(peak.header_hash).toBe(toHex(node.chain.peak.header_hash));
    expect(peaks).toHaveLength(1); // deduplicated by header hash across the two links
    await eventually('the peer on the peak', () => manager.peak()!.peers.length === 1);
    const status = manager.status();
    expect(status.links.map((l) => [l.id, l.state])).toEqual([
      ['full_node#1', 'ready'],
      ['wallet#1', 'ready'],
    ]);
    for (const link of status.links) expect([link.peer_id, link.rate_limits]).toEqual([node.identity.peerId, 'v2']);
  });

  it('keeps emitting peaks after a peak listener throws (the error is logged)', async () => {
    const before = peaks.length;
    const failing = () => {
      throw new Error('listener bug');
    };
    manager.on('peak', failing);
    try {
      node.chain.addBlock();
      node.chain.addBlock();
      await eventually('both new peaks', () => peaks.length === before + 2);
      expect(logger.entries.filter((e) => e.msg === 'a peak listener failed')).toHaveLength(2);
    } finally {
      manager.off('peak', failing);
    }
    node.chain.addBlock();
    await eventually('the next peak', () => peaks.length === before + 3);
    expect(manager.peak()!.height).toBe(node.chain.peak.height);
  });

  it('follows new peaks and reports fork points', async () => {
    const before = peaks.length;
    node.chain.addBlock();
    await eventually('the new peak', () => peaks.length === before + 1);
    expect(manager.peak()!.height).toBe(node.chain.peak.height);
    expect(manager.peak()!.peers.sort()).toHaveLength(1);
  });

  it('serves full blocks over the full_node link, exact bytes and checked hashes', async () => {
    const blocks = await manager.getBlocks(0, 32);
    expect(blocks).toHaveLength(33);
    blocks.forEach((b, i) => {
      expect(b.height).toBe(i);
      expect(b.header_hash).toBe(toHex(node.chain.headerHash(i)));
      expect(Buffer.from(b.bytes).equals(Buffer.from(node.chain.fullBlockBytes(i)))).toBe(true);
    });
    expect(outcomes.at(-1)).toMatchObject({ role: 'full_node', message: 'request_blocks', outcome: 'ok' });
  });

  it('serves header blocks with filters, additions and removals over the wallet link', async () => {
    const headers = await manager.getHeaderBlocks(0, 128);
    expect(headers).toHaveLength(129);
    expect(Buffer.from(headers[5]!.bytes).equals(Buffer.from(node.chain.headerBlockBytes(5, true)))).toBe(true);
    const hash = toHex(node.chain.headerHash(TX_HEIGHT));
    const additions = await manager.getAdditions(TX_HEIGHT, null);
    expect(additions.height).toBe(TX_HEIGHT);
    const removals = await manager.getRemovals(TX_HEIGHT, hash);
    expect(removals.height).toBe(TX_HEIGHT);
  });

  it('rejects out-of-range arguments before sending anything', async () => {
    await expect(manager.getBlocks(0, 33)).rejects.toMatchObject({ name: 'UpstreamError', code: 'INVALID_REQUEST' });
    await expect(manager.getHeaderBlocks(10, 9)).rejects.toMatchObject({ name: 'UpstreamError', code: 'INVALID_REQUEST' });
    await expect(manager.getRemovals(1, 'xyz')).rejects.toMatchObject({ name: 'UpstreamError', code: 'INVALID_REQUEST' });
  });

  it('maps a reject to UPSTREAM_REJECTED (missing height, and the scripted fault)', async () => {
    expect(await errorOf(manager.getBlocks(5_000, 5_001))).toMatchObject({ code: 'UPSTREAM_REJECTED' });
    node.faults.set('request_block_headers', { kind: 'reject' }, { times: 1 });
    expect(await errorOf(manager.getHeaderBlocks(1, 2))).toMatchObject({ code: 'UPSTREAM_REJECTED' });
    expect(outcomes.at(-1)?.outcome).toBe('reject');
  });

  it('times out a hanging request, keeps the link, and drops the late reply of a slow one', async () => {
    node.faults.set('request_blocks', { kind: 'hang' }, { times: 1 });
    expect(await errorOf(manager.getBlocks(1, 1))).toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    expect(outcomes.at(-1)?.outcome).toBe('timeout');
    const late = lateRepliesDropped(logger);
    node.faults.set('request_blocks', { kind: 'slow', ms: 2_500 }, { times: 1 });
    expect(await errorOf(manager.getBlocks(2, 2))).toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    node.faults.set('request_blocks', { kind: 'slow', ms: 200 }, { times: 1 });
    expect(await manager.getBlocks(3, 3)).toHaveLength(1);
    await eventually('the late reply to arrive and be dropped', () => lateRepliesDropped(logger) > late);
    expect(manager.status().links[0]!.reconnects).toBe(0);
  });

  it('rides through a disconnect in the middle of a reply: the request is sent again once the link is back', async () => {
    const before = node.requestCounts.request_blocks ?? 0;
    node.faults.set('request_blocks', { kind: 'disconnectMidReply' }, { times: 1 });
    expect(await manager.getBlocks(4, 4)).toHaveLength(1);
    expect((node.requestCounts.request_blocks ?? 0) - before).toBe(2);
    expect(manager.status().links[0]!.reconnects).toBeGreaterThan(0);
  });

  it('fails LINK_CLOSED when the link drops again on the one retry, and reconnects', async () => {
    node.faults.set('request_blocks', { kind: 'disconnectMidReply' }, { times: 2 });
    expect(await errorOf(manager.getBlocks(4, 4))).toMatchObject({ code: 'LINK_CLOSED' });
    await eventually('the full_node link back', () => manager.isReady('full_node'));
    expect(await manager.getBlocks(4, 4)).toHaveLength(1);
  });

  it('waits for a link that is coming back instead of failing NO_READY_LINK at once', async () => {
    // Asked the moment the wallet link goes down (its state event), so no reconnect can come first.
    const asked = new Promise<{ readyWhenAsked: boolean; answer: Promise<unknown[]> }>((resolve) => {
      const onLink = (status: LinkStatus) => {
        if (status.role !== 'wallet' || status.state === 'ready') return;
        manager.off('link', onLink);
        resolve({ readyWhenAsked: manager.isReady('wallet'), answer: manager.getHeaderBlocks(5, 5) });
      };
      manager.on('link', onLink);
    });
    node.dropConnections();
    const { readyWhenAsked, answer } = await asked;
    expect(readyWhenAsked).toBe(false);
    expect(await answer).toHaveLength(1);
  });

  it('reports a garbage frame as UPSTREAM_INVALID_REPLY, like a wrong reply type, drops the link and reconnects', async () => {
    node.faults.set('request_block_headers', { kind: 'garbage' }, { times: 1 });
    const error = await errorOf(manager.getHeaderBlocks(6, 6));
    expect(error.code).toBe('UPSTREAM_INVALID_REPLY');
    expect(error.message).toContain('undecodable frame');
    await eventually('the wallet link back', () => manager.isReady('wallet'));
    expect(await manager.getHeaderBlocks(6, 6)).toHaveLength(1);
  });

  it('treats a wrong reply type as UPSTREAM_INVALID_REPLY and replaces the link', async () => {
    const reconnects = manager.status().links[0]!.reconnects;
    node.faults.set('request_blocks', { kind: 'wrongReplyType' }, { times: 1 });
    expect(await errorOf(manager.getBlocks(7, 7))).toMatchObject({ code: 'UPSTREAM_INVALID_REPLY' });
    await eventually('reconnect', () => manager.status().links[0]!.reconnects > reconnects && manager.isReady('full_node'));
  });

  it('checks served blocks: wrong height and a header hash that differs from the announced one', async () => {
    node.faults.set('request_blocks', { kind: 'wrongHeight' }, { times: 1 });
    expect(await errorOf(manager.getBlocks(8, 8))).toMatchObject({ code: 'UPSTREAM_INVALID_REPLY' });
    const peak = manager.peak()!.height;
    node.faults.set('request_blocks', { kind: 'badHeaderHash' }, { times: 1 });
    const error = await errorOf(manager.getBlocks(peak, peak));
    expect(error).toMatchObject({ code: 'UPSTREAM_INVALID_REPLY' });
    expect(error.message).toContain('announced');
  });

  it('reports WRONG_NETWORK, PEER_REFUSED for 403 and for a close right after the handshake, then reconnects', async () => {
    const seen: string[] = [];
    const onLink = (s: { last_error: string | null; state: string }) => {
      if (s.state === 'reconnecting' && s.last_error) seen.push(s.last_error);
    };
    manager.on('link', onLink);
    const cases = [
      [{ kind: 'wrongNetwork' }, /network "not-mainnet"/],
      [{ kind: 'refuse' }, /HTTP 403/],
      [{ kind: 'closeAfterHandshake' }, /right after the handshake/],
    ] as const;
    for (const [fault, pattern] of cases) {
      node.faults.set('connect', fault, { times: 1 });
      node.dropConnections();
      await eventually(`recovery from ${fault.kind}`, () => seen.some((e) => pattern.test(e)) && manager.isReady('full_node') && manager.isReady('wallet'));
    }
    manager.off('link', onLink);
  });
});

describe('upstream manager with two fake nodes', () => {
  let a: FakeNode;
  let b: FakeNode;
  let manager: UpstreamManager;

  beforeAll(async () => {
    [a, b] = await Promise.all([startNode(), startNode()]);
    manager = makeManager({ nodes: [a, b], roles: ['full_node'] });
    await manager.start();
    await eventually('two ready links', () => manager.status().links.every((l) => l.state === 'ready'));
  });
  afterAll(async () => {
    await manager.close();
    await Promise.all([a.close(), b.close()]);
  });

  it('uses different peers for the links of one role (one certificate per role, §a.5)', () => {
    const peers = manager.status().links.map((l) => l.peer);
    expect(new Set(peers).size).toBe(2);
  });

  it('retries once on another link when the first dies under the request', async () => {
    // Both links are idle, so the first one gets the request; make its node die mid-reply.
    const first = manager.status().links[0]!.peer;
    const [dying, healthy] = first.endsWith(`:${a.port}`) ? [a, b] : [b, a];
    dying.faults.set('request_blocks', { kind: 'disconnectMidReply' }, { times: 1 });
    const blocks = await manager.getBlocks(10, 12);
    expect(blocks.map((x) => x.height)).toEqual([10, 11, 12]);
    expect(blocks[0]!.peer).toBe(`127.0.0.1:${healthy.port}`);
    await eventually('the dead link reconnected', () => manager.status().links.every((l) => l.state === 'ready'));
    expect(a.violations.concat(b.violations)).toEqual([]);
  });
});
