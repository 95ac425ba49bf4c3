/**
 * Pacing, coalescing and role rules against the strict fake node, which bans exactly like a real
 * node (v2 limits at 100 % in fixed buckets, node-type violations), with a scaled window.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockCache } from '../../../src/chain/block-cache.js';
import { fetchThrough } from '../../../src/plugins/block-cache.js';
import { NodeType } from '../../../src/chia/protocol/message-rules.js';
import { NETWORKS } from '../../../src/chia/protocol/networks.js';
import { PeerLink } from '../../../src/chia/link/peer-link.js';
import { loadChiaCa } from '../../../src/process/chia-ca.js';
import type { RequestOutcome } from '../../../src/chia/upstream-api.js';
import type { UpstreamManager } from '../../../src/chia/pool/upstream-manager.js';
import type { FakeNode } from '../../../fake-node/index.js';
import { WINDOW_MS, errorOf, makeManager, startNode, testIdentities } from '../../support/upstream-harness.js';
import { eventually } from '../../support/eventually.js';

/** Room for a few batches of the fake node's blocks. */
const CACHE_BYTES = 64 * 1024 * 1024;
/** The fake nodes close a FULL_NODE peer silent this long; our links keep alive after KEEPALIVE_IDLE_MS. */
const NODE_IDLE_TIMEOUT_MS = 1_500;
const KEEPALIVE_IDLE_MS = 400;
/** Keep-alives come at least KEEPALIVE_IDLE_MS apart: this many span the node's idle timeout twice over. */
const KEEPALIVES_PAST_IDLE = Math.ceil((2 * NODE_IDLE_TIMEOUT_MS) / KEEPALIVE_IDLE_MS);

describe('pacing and coalescing on one full_node link', () => {
  let node: FakeNode;
  let manager: UpstreamManager;

  beforeAll(async () => {
    node = await startNode();
    manager = makeManager({ nodes: [node], roles: ['full_node'], requestTimeoutMs: 30_000, pacingQueueSize: 1_000 });
    await manager.start();
    await eventually('ready', () => manager.isReady('full_node'));
  });
  afterAll(async () => {
    await manager.close();
    await node.close();
  });

  it('sends a burst of 1,000 distinct request_blocks without a rate-limit ban', async () => {
    const before = node.requestCounts.request_blocks ?? 0;
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 1_000 }, (_, h) => manager.getBlocks(h, h)));
    expect(results.map((r) => r[0]!.height)).toEqual(Array.from({ length: 1_000 }, (_, h) => h));
    expect((node.requestCounts.request_blocks ?? 0) - before).toBe(1_000);
    expect(node.violations).toEqual([]);
    expect(node.bans).toEqual([]);
    // 0.6 × 500 per window: 1,000 requests need at least three full windows.
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * WINDOW_MS - 50);
    expect(manager.status().links[0]!.reconnects).toBe(0);
  });

  it('lets 1,000 concurrent identical requests through the block cache reach the node once', async () => {
    // No fresh window needed: the pacer holds the one request until the budget allows it.
    const before = node.requestCounts.request_blocks ?? 0;
    // The block cache is the one layer that coalesces (keyed by its reorg epoch); the manager does not.
    const cache = new BlockCache({ maxBytes: CACHE_BYTES, fetch: fetchThrough(manager) });
    const peak = manager.peak()!.height;
    const results = await Promise.all(Array.from({ length: 1_000 }, () => cache.range('full', 20, 23, peak)));
    expect((node.requestCounts.request_blocks ?? 0) - before).toBe(1);
    expect(new Set(results.map((r) => r[0]!.headerHash)).size).toBe(1);
    expect(results.every((r) => r.length === 3)).toBe(true);
    expect(node.violations).toEqual([]);
  });
});

describe('a full pacing queue fails fast', () => {
  let node: FakeNode;
  let manager: UpstreamManager;
  const outcomes: RequestOutcome[] = [];

  beforeAll(async () => {
    node = await startNode();
    manager = makeManager({ nodes: [node], roles: ['full_node'], requestTimeoutMs: 30_000, pacingQueueSize: 10 });
    manager.on('request', (o) => outcomes.push(o));
    await manager.start();
    await eventually('ready', () => manager.isReady('full_node'));
  });
  afterAll(async () => {
    await manager.close();
    await node.close();
  });

  it('answers PACING_QUEUE_FULL beyond ceiling + queue instead of breaking the limit', async () => {
    const settled = await Promise.allSettled(Array.from({ length: 400 }, (_, h) => manager.getBlocks(h, h)));
    const full = settled.filter((s) => s.status === 'rejected' && (s.reason as { code?: string }).code === 'PACING_QUEUE_FULL');
    const ok = settled.filter((s) => s.status === 'fulfilled');
    expect(ok.length + full.length).toBe(400);
    expect(ok.length).toBeGreaterThanOrEqual(310); // 300 in the first window + 10 queued
    expect(full.length).toBeGreaterThan(0);
    expect(node.violations).toEqual([]);
    // Refused before reaching the peer: outcome busy, not error.
    const reported = outcomes.filter((o) => o.message === 'request_blocks');
    expect(reported.filter((o) => o.outcome === 'busy')).toHaveLength(full.length);
    expect(reported.filter((o) => o.outcome === 'ok')).toHaveLength(ok.length);
  });
});

describe('role rules', () => {
  let node: FakeNode;
  let manager: UpstreamManager;

  beforeAll(async () => {
    node = await startNode();
    manager = makeManager({ nodes: [node], roles: ['wallet'] });
    await manager.start();
    await eventually('ready', () => manager.isReady('wallet'));
  });
  afterAll(async () => {
    await manager.close();
    await node.close();
  });

  it('answers getBlocks with NO_READY_LINK when only a wallet link exists, never sending request_blocks', async () => {
    expect(await errorOf(manager.getBlocks(1, 1))).toMatchObject({ code: 'NO_READY_LINK' });
    expect(node.requestCounts.request_blocks ?? 0).toBe(0);
    expect(node.violations).toEqual([]);
    expect(manager.isReady('wallet')).toBe(true);
  });

  it('refuses on the link itself (ROLE_FORBIDDEN) any message its role may not send', async () => {
    const link = new PeerLink({
      host: '127.0.0.1',
      port: node.port,
      role: 'wallet',
      network: 'mainnet',
      identity: testIdentities().full_node, // a second wallet connection needs its own certificate
      ca: loadChiaCa().cert,
      requestTimeoutMs: 2_000,
      pacing: { share: 0.6, queueSize: 10, windowMs: WINDOW_MS },
    });
    await link.open();
    expect(link.nodeType).toBe(NodeType.WALLET);
    const asks = [
      () => link.request('request_blocks', { start_height: 0, end_height: 0, include_transaction_block: true }),
      () => link.request('request_block', { height: 0, include_transaction_block: true }),
      // Not requests at all: typed code cannot even ask for them, and the link refuses them at run time too.
      // @ts-expect-error new_peak is no request
      () => link.request('new_peak', {}),
      // @ts-expect-error respond_blocks is no request
      () => link.request('respond_blocks', {}),
      // @ts-expect-error none_response is no request
      () => link.request('none_response', {}),
    ];
    for (const ask of asks) {
      expect(await errorOf(ask())).toMatchObject({
        code: 'ROLE_FORBIDDEN',
      });
    }
    expect(node.requestCounts.request_blocks ?? 0).toBe(0);
    expect(node.violations).toEqual([]);
    expect(link.state).toBe('ready');
    link.close();
  });
});

describe('FULL_NODE link keep-alive and lagging peers', () => {
  let lead: FakeNode;
  let behind: FakeNode;
  let manager: UpstreamManager;

  beforeAll(async () => {
    // The laggard's chain ends 100 blocks lower; both close FULL_NODE peers idle for 1.5 s.
    [lead, behind] = await Promise.all([startNode({ idleTimeoutMs: NODE_IDLE_TIMEOUT_MS }), startNode({ chainLength: 900, idleTimeoutMs: NODE_IDLE_TIMEOUT_MS })]);
    manager = makeManager({ nodes: [behind, lead], roles: ['full_node'], extra: { link: { keepAliveIdleMs: KEEPALIVE_IDLE_MS, pingIntervalMs: 300 } } });
    await manager.start();
    await eventually('ready with peaks', () => manager.status().links.every((l) => l.state === 'ready' && l.peak !== null));
  });
  afterAll(async () => {
    await manager.close();
    await Promise.all([lead.close(), behind.close()]);
  });

  it('keeps silent FULL_NODE links past the node idle timeout with request_peers, within its limit', async () => {
    const keptAlive = (node: FakeNode) => (node.requestCounts.request_peers ?? 0) >= KEEPALIVES_PAST_IDLE;
    await eventually('keep-alives spanning the node idle timeout twice', () => keptAlive(lead) && keptAlive(behind));
    expect(manager.status().links.every((l) => l.state === 'ready' && l.reconnects === 0)).toBe(true);
    expect(lead.requestCounts.request_peers ?? 0).toBeGreaterThan(0);
    expect(lead.violations.concat(behind.violations)).toEqual([]);
  });

  it('sends requests to the peer at the best peak rather than one far behind', async () => {
    // The laggard holds the first link, which would win every tie.
    expect(manager.status().links[0]!.peer).toBe(`127.0.0.1:${behind.port}`);
    for (let i = 0; i < 5; i++) {
      const [block] = await manager.getBlocks(100 + i, 100 + i);
      expect(block!.peer).toBe(`127.0.0.1:${lead.port}`);
    }
  });
});

describe('peers from DNS seeders', () => {
  it('resolves every seeder of the network when no peers are configured and connects to the default port', async () => {
    const asked: string[] = [];
    const manager = makeManager({
      nodes: [],
      roles: ['wallet'],
      extra: {
        resolver: async (name) => {
          asked.push(name);
          if (name !== 'dns-introducer.chia.net') throw new Error('ENOTFOUND');
          return ['127.0.0.1'];
        },
      },
    });
    await manager.start();
    expect(asked.sort()).toEqual([...NETWORKS.mainnet!.dnsSeeders].sort());
    await eventually('a link to the seeded peer', () => manager.status().links.some((l) => l.peer === '127.0.0.1:8444'));
    await manager.close();
    expect(manager.status().links.every((l) => l.state === 'closed')).toBe(true);
  });
});
