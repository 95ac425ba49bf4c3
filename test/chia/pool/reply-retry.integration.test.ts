/**
 * A peer that answers wrongly (§g.3 checks, wrong reply type, garbage) or lags behind the height asked
 * for must not fail the request when another peer can serve it: one retry on another peer, the faulty
 * peer deprioritised, a plain reject not retried. Two strict fake nodes over real TLS.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BlockCache } from '../../../src/chain/block-cache.js';
import { fetchThrough } from '../../../src/plugins/block-cache.js';
import { toHex } from '../../../src/chia/codec/index.js';
import type { UpstreamManager } from '../../../src/chia/pool/upstream-manager.js';
import type { RequestOutcome, Role } from '../../../src/chia/upstream-api.js';
import type { FakeNode } from '../../../fake-node/index.js';
import type { ReplyFault } from '../../../fake-node/faults.js';
import { errorOf, makeManager, startNode } from '../../support/upstream-harness.js';
import { eventually } from '../../support/eventually.js';
import { RecordingLogger } from '../../support/recording-logger.js';

/** A manager over `nodes` that records its request outcomes and warnings. */
async function startManager(nodes: FakeNode[], roles: Role[]) {
  const outcomes: RequestOutcome[] = [];
  const logger = new RecordingLogger();
  const manager = makeManager({ nodes, roles, extra: { logger } });
  manager.on('request', (o) => outcomes.push(o));
  await manager.start();
  // Every link ready and its peak announced: a header hash is checked against the serving peer's own announcement.
  await eventually('every link ready with a peak', () => manager.status().links.every((l) => l.state === 'ready' && l.peak !== null));
  return { manager, outcomes, warnings: logger.warnings };
}

const address = (node: FakeNode) => `127.0.0.1:${node.port}`;
/** Room for a few batches of the fake node's blocks. */
const CACHE_BYTES = 64 * 1024 * 1024;

/** The node the manager asks first for `role`: with idle, equal links the first slot's link wins. */
function preferred(manager: UpstreamManager, role: Role, nodes: FakeNode[]): [first: FakeNode, other: FakeNode] {
  const peer = manager.status().links.find((l) => l.role === role)!.peer;
  const [a, b] = nodes as [FakeNode, FakeNode];
  return peer === address(a) ? [a, b] : [b, a];
}

const ROLES = [
  { role: 'full_node', message: 'request_blocks', fetch: (m: UpstreamManager, h: number) => m.getBlocks(h, h) },
  { role: 'wallet', message: 'request_block_headers', fetch: (m: UpstreamManager, h: number) => m.getHeaderBlocks(h, h) },
] as const;
const FAULTS: ReplyFault[] = [{ kind: 'badHeaderHash' }, { kind: 'wrongHeight' }, { kind: 'wrongReplyType' }, { kind: 'garbage' }];
const CASES = ROLES.flatMap((r) => FAULTS.map((fault) => ({ ...r, fault })));

describe('a wrong answer is retried once on another peer', () => {
  let nodes: FakeNode[];
  let setup: Awaited<ReturnType<typeof startManager>>;

  beforeAll(async () => {
    nodes = await Promise.all([startNode(), startNode()]);
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.close()));
  });
  // A fresh manager per test: demotion lasts minutes, and each test picks its faulty node by slot order.
  beforeEach(async () => {
    setup = await startManager(nodes, ['full_node', 'wallet']);
  });
  afterEach(async () => {
    await setup.manager.close();
    for (const node of nodes) node.faults.clear();
    expect(nodes.flatMap((n) => n.violations)).toEqual([]);
  });

  it.each(CASES)('$message: $fault.kind from the preferred peer is answered by the other, which then gets the traffic', async ({ role, message, fetch, fault }) => {
    const { manager, outcomes, warnings } = setup;
    const [faulty, good] = preferred(manager, role, nodes);
    faulty.faults.set(message, fault);
    const height = manager.peak()!.height;

    const [block] = await fetch(manager, height);
    expect(block!.peer).toBe(address(good));
    expect(block!.height).toBe(height);
    expect(block!.header_hash).toBe(toHex(good.chain.headerHash(height)));
    const mine = () => outcomes.filter((o) => o.message === message).map((o) => [o.peer, o.outcome]);
    expect(mine()).toEqual([
      [address(faulty), 'error'],
      [address(good), 'ok'],
    ]);
    expect(warnings.filter((w) => w.msg?.includes('invalid reply') && w.obj.peer === address(faulty))).toHaveLength(1);

    // Deprioritised: the next requests go to the good peer, even once the faulty one's link is back.
    if (fault.kind === 'wrongReplyType' || fault.kind === 'garbage') await eventually('the dropped link back', () => manager.status().links.every((l) => l.state === 'ready'));
    const asked = faulty.requestCounts[message];
    for (const h of [height - 1, height - 2]) expect((await fetch(manager, h))[0]!.peer).toBe(address(good));
    expect(faulty.requestCounts[message]).toBe(asked);
    expect(mine().slice(2)).toEqual([
      [address(good), 'ok'],
      [address(good), 'ok'],
    ]);
  });

  it('when every peer answers wrongly, fails with the typed error after exactly one retry', async () => {
    const { manager, outcomes } = setup;
    for (const node of nodes) node.faults.set('request_blocks', { kind: 'badHeaderHash' });
    const height = manager.peak()!.height;
    const error = await errorOf(manager.getBlocks(height, height));
    expect(error).toMatchObject({ code: 'UPSTREAM_INVALID_REPLY' });
    expect(error.message).toContain('announced');
    expect(outcomes.map((o) => o.outcome)).toEqual(['error', 'error']);
    expect(new Set(outcomes.map((o) => o.peer)).size).toBe(2);
  });

  it('identical concurrent requests, coalesced by the block cache, share one attempt and one retry', async () => {
    const { manager, outcomes } = setup;
    const [faulty, good] = preferred(manager, 'full_node', nodes);
    faulty.faults.set('request_blocks', { kind: 'wrongHeight' });
    const height = manager.peak()!.height;
    const cache = new BlockCache({ maxBytes: CACHE_BYTES, fetch: fetchThrough(manager) });
    const results = await Promise.all([1, 2, 3].map(() => cache.get('full', height, height)));
    for (const block of results) expect(block.headerHash).toBe(toHex(good.chain.headerHash(height)));
    expect(outcomes.map((o) => [o.peer, o.outcome])).toEqual([
      [address(faulty), 'error'],
      [address(good), 'ok'],
    ]);
  });
});

describe('a wrong answer with no other peer', () => {
  let node: FakeNode;
  afterAll(async () => node?.close());

  it('is reported with its typed error, after one request', async () => {
    node = await startNode();
    const { manager, outcomes, warnings } = await startManager([node], ['full_node']);
    try {
      node.faults.set('request_blocks', { kind: 'wrongHeight' });
      expect(await errorOf(manager.getBlocks(8, 8))).toMatchObject({ code: 'UPSTREAM_INVALID_REPLY' });
      expect(outcomes.map((o) => o.outcome)).toEqual(['error']);
      expect(warnings.some((w) => w.msg?.includes('invalid reply'))).toBe(true);
      // Demoted, but still used: a pool of one keeps working once the peer answers right again.
      node.faults.clear();
      expect(await manager.getBlocks(8, 8)).toHaveLength(1);
    } finally {
      await manager.close();
    }
  });
});

describe('rejects', () => {
  let nodes: FakeNode[];
  let setup: Awaited<ReturnType<typeof startManager>>;

  beforeAll(async () => {
    nodes = await Promise.all([startNode(), startNode()]);
    setup = await startManager(nodes, ['full_node']);
  });
  afterAll(async () => {
    await setup.manager.close();
    await Promise.all(nodes.map((n) => n.close()));
  });
  beforeEach(() => {
    setup.outcomes.length = 0;
  });
  afterEach(() => {
    for (const node of nodes) node.faults.clear();
    expect(nodes.flatMap((n) => n.violations)).toEqual([]);
  });

  it('are not retried for a height above every announced peak', async () => {
    const { manager, outcomes } = setup;
    const [, other] = preferred(manager, 'full_node', nodes);
    const asked = other.requestCounts.request_blocks ?? 0;
    expect(await errorOf(manager.getBlocks(5_000, 5_001))).toMatchObject({ code: 'UPSTREAM_REJECTED' });
    expect(outcomes.map((o) => o.outcome)).toEqual(['reject']);
    expect(other.requestCounts.request_blocks ?? 0).toBe(asked);
  });

  it('are not retried when the rejecting peer is not behind the height', async () => {
    const { manager, outcomes } = setup;
    const [first] = preferred(manager, 'full_node', nodes);
    first.faults.set('request_blocks', { kind: 'reject' });
    expect(await errorOf(manager.getBlocks(5, 5))).toMatchObject({ code: 'UPSTREAM_REJECTED' });
    expect(outcomes.map((o) => [o.peer, o.outcome])).toEqual([[address(first), 'reject']]);
  });

  it('from a lagging peer are retried on a peer that announced the height, without demoting it', async () => {
    const { manager, outcomes, warnings } = setup;
    const [lagging, ahead] = preferred(manager, 'full_node', nodes);
    for (let i = 0; i < 3; i++) ahead.chain.addBlock(); // still within LAGGING_BLOCKS: `lagging` stays preferred
    const top = ahead.chain.height;
    await eventually('the new peak', () => manager.peak()?.height === top && manager.status().links.some((l) => l.peak?.height === top));

    const blocks = await manager.getBlocks(top - 1, top);
    expect(blocks.map((b) => [b.height, b.peer])).toEqual([
      [top - 1, address(ahead)],
      [top, address(ahead)],
    ]);
    expect(outcomes.map((o) => [o.peer, o.outcome])).toEqual([
      [address(lagging), 'reject'],
      [address(ahead), 'ok'],
    ]);
    expect(warnings.filter((w) => w.msg?.includes('invalid reply'))).toEqual([]);
    // Not demoted: a height both have goes to the preferred (lagging) peer again.
    expect((await manager.getBlocks(10, 10))[0]!.peer).toBe(address(lagging));
  });
});
