/**
 * A walk over several full nodes: its request_blocks batches are spread over every ready full_node
 * link (two strict fake nodes with the same chain, real TLS), each link paced by its own node.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeNode, type FakeNode } from '../../fake-node/index.js';
import { configOver, listenOver, type AppOverNodes } from '../support/app-over-nodes.js';
import { eventually } from '../support/eventually.js';

const NETWORK = 'devnet';
const CHAIN_LENGTH = 2_000;
const RANGE = 100;
const WALK_END = 800;
const BATCH = 32;
/** Batches a walk loads ahead of itself: two per ready link. */
const READ_AHEAD = 2 * 2;

let nodes: FakeNode[];
let gateway: AppOverNodes;

beforeAll(async () => {
  nodes = [await startFakeNode({ network: NETWORK, chainLength: CHAIN_LENGTH }), await startFakeNode({ network: NETWORK, chainLength: CHAIN_LENGTH })];
  gateway = await listenOver(configOver(nodes, NETWORK, { roles: ['full_node'], linksPerRole: 2 }));
});

afterAll(async () => {
  await gateway?.close();
  for (const node of nodes ?? []) await node.close();
});

describe('walks over every peer', () => {
  it('a range walk spreads its batches over both nodes, each batch asked once', async () => {
    const counts = () => nodes.map((n) => n.requestCounts.request_blocks ?? 0);
    const before = counts();
    for (let start = 0; start < WALK_END; start += RANGE) {
      const res = await fetch(`${gateway.base}/v1/blocks?start=${start}&end=${start + RANGE}`, { headers: { accept: 'application/octet-stream' } });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    const made = counts().map((c, i) => c - before[i]!);
    // Every node served part of the walk; no batch was asked twice (the last range's read-ahead may add its batches beyond the walk).
    for (const n of made) expect(n).toBeGreaterThan(0);
    const total = made.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(WALK_END / BATCH);
    expect(total).toBeLessThanOrEqual(WALK_END / BATCH + READ_AHEAD);
    for (const node of nodes) expect(node.violations).toEqual([]);
  });

  it('a sequential walk keeps two batches per ready link loading ahead of it', async () => {
    const total = () => nodes.reduce((sum, n) => sum + (n.requestCounts.request_blocks ?? 0), 0);
    // Far above what the range walk read ahead; one batch, then the read-ahead point (offset 8).
    const start = 1_600;
    const before = total();
    for (let h = start; h <= start + 8; h++) expect((await fetch(`${gateway.base}/v1/blocks/${h}`)).status).toBe(200);
    // The walk's own batch, then 2 links × 2 batches ahead; the walk into the next one misses nothing.
    await eventually('the read-ahead loaded', () => total() - before >= 1 + READ_AHEAD);
    for (let h = start + 9; h < start + BATCH + 8; h++) expect((await fetch(`${gateway.base}/v1/blocks/${h}`)).status).toBe(200);
    expect(total() - before).toBe(1 + READ_AHEAD);
  });
});
