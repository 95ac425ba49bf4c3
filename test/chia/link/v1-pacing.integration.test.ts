/**
 * Links to a node that lacks RATE_LIMITS_V2 pace by the stricter v1 table (PROTOCOL.md §c.4, §h.1),
 * against the strict fake node with `rateLimitsV2: false`, which then enforces v1 and bans exactly like
 * a real node. The same burst paced by v2 gets the link banned, so the v1 pacing is what saves it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PeerLink, type PeerLinkOptions } from '../../../src/chia/link/peer-link.js';
import type { Reply } from '../../../src/chia/protocol/message-rules.js';
import { rateLimitOf, RATE_LIMITS_V2 } from '../../../src/chia/protocol/rate-limits.js';
import { loadChiaCa } from '../../../src/process/chia-ca.js';
import type { FakeNode } from '../../../fake-node/index.js';
import { GUARD_MS, WINDOW_MS, makeManager, startNode, testIdentities } from '../../support/upstream-harness.js';
import { eventually } from '../../support/eventually.js';

const SHARE = 0.6;
/**
 * request_additions: v2 allows 50,000 a window (30,000 at 60 %), v1 only 500, aggregate (300 at 60 %).
 * 1,200 fit one v2 window but are more than two of the node's 1 s buckets can hold under v1.
 */
const BURST = 1_200;
/** Above the fake chain's peak: the node answers each with a cheap reject_additions_request. */
const aboveThePeak = (i: number) => ({ height: 10_000_000 + i, header_hash: null, puzzle_hashes: null });

function walletLink(node: FakeNode, pacing: Partial<PeerLinkOptions['pacing']> = {}): PeerLink {
  return new PeerLink({
    host: '127.0.0.1',
    port: node.port,
    role: 'wallet',
    network: 'mainnet',
    identity: testIdentities().wallet,
    ca: loadChiaCa().cert,
    requestTimeoutMs: 30_000,
    pacing: { share: SHARE, queueSize: 2 * BURST, windowMs: WINDOW_MS, guardMs: GUARD_MS, ...pacing },
  });
}

function burst(link: PeerLink): Promise<PromiseSettledResult<Reply<'request_additions'>>[]> {
  return Promise.allSettled(Array.from({ length: BURST }, (_, i) => link.request('request_additions', aboveThePeak(i))));
}

describe('wallet links to a node without RATE_LIMITS_V2', () => {
  let node: FakeNode;

  beforeAll(async () => {
    node = await startNode({ chainLength: 1_000, rateLimitsV2: false });
  });
  afterEach(() => node.unban());
  afterAll(async () => {
    await node.close();
  });

  it('pace by v1: a burst v2 would send in one window completes without a violation or ban', async () => {
    const link = walletLink(node);
    try {
      await link.open();
      expect(link.rateLimits).toBe('v1');
      expect(link.pacingCeiling('request_additions')).toBe(300);
      const before = node.requestCounts.request_additions ?? 0;
      const started = Date.now();
      const settled = await burst(link);
      const replies = settled.map((s) => (s.status === 'fulfilled' ? s.value.kind : String((s.reason as { code?: string }).code)));
      expect(replies.filter((kind) => kind !== 'reject')).toEqual([]);
      expect((node.requestCounts.request_additions ?? 0) - before).toBe(BURST);
      expect(node.violations).toEqual([]);
      expect(node.bans).toEqual([]);
      expect(link.state).toBe('ready');
      // 300 per window (1 s + 0.5 s guard): the fourth batch cannot start before 4.5 s.
      expect(Date.now() - started).toBeGreaterThanOrEqual(3 * (WINDOW_MS + GUARD_MS) - 50);
    } finally {
      link.close();
    }
  });

  it('pace by v1 through the upstream manager too (getAdditions over 700 heights)', async () => {
    const manager = makeManager({ nodes: [node], roles: ['wallet'], requestTimeoutMs: 30_000, pacingQueueSize: 2 * BURST });
    try {
      await manager.start();
      await eventually('wallet link ready', () => manager.isReady('wallet'));
      const before = node.requestCounts.request_additions ?? 0;
      const settled = await Promise.allSettled(Array.from({ length: 700 }, (_, h) => manager.getAdditions(h, null)));
      const failures = settled.flatMap((s) => (s.status === 'rejected' ? [(s.reason as { code?: string }).code] : []));
      // Every third height is a transaction block with additions; the others are rejected by the node.
      expect(settled.filter((s) => s.status === 'fulfilled').length).toBe(Math.ceil(700 / 3));
      expect(new Set(failures)).toEqual(new Set(['UPSTREAM_REJECTED']));
      expect((node.requestCounts.request_additions ?? 0) - before).toBe(700);
      expect(node.violations).toEqual([]);
      expect(manager.status().links[0]!.reconnects).toBe(0);
      expect(manager.status().links[0]!.rate_limits).toBe('v1');
    } finally {
      await manager.close();
    }
  });

  it('are banned when forced to pace by v2: the fake node catches a v2-paced client', async () => {
    const link = walletLink(node, { limitOf: (name) => rateLimitOf(name, RATE_LIMITS_V2) });
    try {
      await link.open();
      expect(link.rateLimits).toBe('v1');
      expect(link.pacingCeiling('request_additions')).toBe(30_000);
      const settled = await burst(link);
      const closed = settled.filter((s) => s.status === 'rejected' && (s.reason as { code?: string }).code === 'LINK_CLOSED');
      expect(closed.length).toBeGreaterThan(0);
      expect(link.state).toBe('closed');
      expect(node.violations).toHaveLength(1);
      expect(node.violations[0]).toMatchObject({ kind: 'rate_limit', message: 'request_additions', closeCode: 1000, banSeconds: 300 });
      expect(node.bans.length).toBeGreaterThan(0);
    } finally {
      link.close();
    }
  });
});

describe('a wallet link to a node with RATE_LIMITS_V2', () => {
  let node: FakeNode;

  beforeAll(async () => {
    node = await startNode({ chainLength: 100 });
  });
  afterAll(async () => {
    await node.close();
  });

  it('keeps the v2 table and sends the same burst within one window, unpunished', async () => {
    const link = walletLink(node);
    try {
      await link.open();
      expect(link.rateLimits).toBe('v2');
      expect(link.pacingCeiling('request_additions')).toBe(30_000);
      const settled = await burst(link);
      expect(settled.every((s) => s.status === 'fulfilled' && s.value.kind === 'reject')).toBe(true);
      expect(node.requestCounts.request_additions).toBe(BURST);
      expect(node.violations).toEqual([]);
    } finally {
      link.close();
    }
  });
});
