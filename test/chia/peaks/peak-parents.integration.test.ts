/**
 * A link that connects (or reconnects) while its node is ahead of the best: over real TLS against two
 * strict fake nodes, the manager asks that link once for the announced block, and its parent hash
 * relates the peak to the best, so no false reorg is emitted (src/chia/peaks/peak-parents.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { toHex } from '../../../src/chia/codec/index.js';
import { DEFAULTS } from '../../../src/config/config.js';
import type { UpstreamManager } from '../../../src/chia/pool/upstream-manager.js';
import type { PeakChange, RequestOutcome, Role } from '../../../src/chia/upstream-api.js';
import { reorgOf } from '../../../src/live/live-events.js';
import type { FakeNode } from '../../../fake-node/index.js';
import { makeManager, startNode } from '../../support/upstream-harness.js';
import { eventually } from '../../support/eventually.js';

const CHAIN_LENGTH = 200;
const TOP = CHAIN_LENGTH - 1;
const REQUEST_TIMEOUT_MS = 1_500;
const PARENT_REQUESTS = ['request_block', 'request_block_header'];

interface Setup {
  a: FakeNode;
  b: FakeNode;
  manager: UpstreamManager;
  changes: PeakChange[];
  outcomes: RequestOutcome[];
}

const open: Setup[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) {
    await s.manager.close();
    await Promise.all([s.a.close(), s.b.close()]);
  }
});

/** Nodes a and b on one chain; the manager's links to b are refused until a's peak is the best. */
async function aFirst(roles: Role[]): Promise<Setup> {
  const [a, b] = await Promise.all([startNode({ chainLength: CHAIN_LENGTH }), startNode({ chainLength: CHAIN_LENGTH })]);
  b.faults.set('connect', { kind: 'refuse' });
  const manager = makeManager({ nodes: [a, b], roles, requestTimeoutMs: REQUEST_TIMEOUT_MS });
  const setup: Setup = { a, b, manager, changes: [], outcomes: [] };
  open.push(setup);
  manager.on('peak', (change) => setup.changes.push({ ...change, peak: { ...change.peak } }));
  manager.on('request', (outcome) => setup.outcomes.push(outcome));
  await manager.start();
  await eventually("a's peak", () => manager.peak()?.header_hash === toHex(a.chain.peak.header_hash));
  return setup;
}

/** Lets b's links in and waits for b's peak to become the best; returns its change. */
async function admitB(s: Setup): Promise<PeakChange> {
  const hash = toHex(s.b.chain.peak.header_hash);
  s.b.faults.clear('connect');
  await eventually("b's peak", () => s.changes.some((c) => c.peak.header_hash === hash));
  return s.changes.find((c) => c.peak.header_hash === hash)!;
}

function parentRequests(node: FakeNode): Record<string, number> {
  return Object.fromEntries(PARENT_REQUESTS.map((name) => [name, node.requestCounts[name] ?? 0]));
}

function allReady(s: Setup): boolean {
  return s.manager.status().links.every((l) => l.state === 'ready');
}

describe('a new link whose node is one block ahead of the best', () => {
  it.each([
    [['full_node'], { request_block: 1, request_block_header: 0 }],
    [['wallet'], { request_block: 0, request_block_header: 1 }],
  ] as const)('%j: relates its first peak to the best with one request, so no reorg', async (roles, expected) => {
    const s = await aFirst([...roles]);
    s.b.chain.addBlock();
    const change = await admitB(s);
    expect(change.previous?.height).toBe(TOP);
    expect(change.peak.fork_point_with_previous_peak).toBe(TOP);
    expect(reorgOf(change)).toBeNull();
    await eventually('every link ready', () => allReady(s));
    expect(parentRequests(s.b)).toEqual(expected);
    expect(parentRequests(s.a)).toEqual({ request_block: 0, request_block_header: 0 });
    // a catches up with the same block: no new change, and no more requests.
    s.a.chain.addBlock();
    await eventually('both peers on the best', () => s.manager.peak()!.peers.length === 2);
    expect(s.changes.map((c) => c.peak.height)).toEqual([TOP, TOP + 1]);
    expect(parentRequests(s.b)).toEqual(expected);
    expect(s.a.violations.concat(s.b.violations)).toEqual([]);
  });

  it('sends one request for its two links (full_node and wallet), which are kept in order', async () => {
    const s = await aFirst(['full_node', 'wallet']);
    s.b.chain.addBlock();
    const change = await admitB(s);
    expect(reorgOf(change)).toBeNull();
    await eventually('every link ready', () => allReady(s));
    await eventually('b’s peak on both of its links, b alone on the best', () => s.manager.peak()!.peers.length === 1 && s.manager.status().links.filter((l) => l.peak?.height === TOP + 1).length === 2);
    const counts = parentRequests(s.b);
    expect(counts.request_block! + counts.request_block_header!).toBe(1);
    expect(s.changes.map((c) => c.peak.height)).toEqual([TOP, TOP + 1]);
  });

  it('does the same when a link reconnects after its node moved ahead', async () => {
    const s = await aFirst(['full_node']);
    s.b.faults.clear('connect'); // same peak as a: no change, b joins its peers
    await eventually('b on the best too', () => allReady(s) && s.manager.peak()!.peers.length === 2);
    s.b.faults.set('connect', { kind: 'refuse' });
    s.b.dropConnections();
    await eventually('b forgotten', () => s.manager.peak()!.peers.length === 1);
    s.b.chain.addBlock();
    const change = await admitB(s);
    expect(change.peak.fork_point_with_previous_peak).toBe(TOP);
    expect(reorgOf(change)).toBeNull();
    expect(parentRequests(s.b).request_block).toBe(1);
  });

  it('processes announcements that arrive during the request after it, in order, each once', async () => {
    const s = await aFirst(['full_node']);
    s.b.faults.set('request_block', { kind: 'slow', ms: 500 }, { times: 1 });
    s.b.on('message', ({ name }) => {
      if (name === 'request_block') s.b.chain.addBlock(); // announced while our request waits
    });
    s.b.chain.addBlock();
    await admitB(s);
    await eventually('the second peak', () => s.manager.peak()!.height === TOP + 2);
    expect(s.changes.map((c) => [c.peak.height, c.peak.fork_point_with_previous_peak])).toEqual([
      [TOP, TOP],
      [TOP + 1, TOP],
      [TOP + 2, TOP + 1],
    ]);
    expect(parentRequests(s.b).request_block).toBe(1);
  });
});

describe('a new link whose node is on another branch, or does not answer', () => {
  it('keeps a conservative fork point at or below the true one', async () => {
    const s = await aFirst(['full_node']);
    const trueFork = TOP - 3;
    s.b.chain.reorg(3, 2); // b: blocks above TOP − 3 replaced by a longer branch
    const change = await admitB(s);
    expect(change.peak.height).toBe(TOP + 2);
    expect(change.peak.fork_point_with_previous_peak).toBeLessThanOrEqual(trueFork);
    expect(reorgOf(change)?.rolled_back.to).toBe(TOP);
    expect(parentRequests(s.b).request_block).toBe(1);
  });

  it.each([
    ['timeout', { kind: 'hang' }],
    ['reject', { kind: 'reject' }],
    ['error', { kind: 'badHeaderHash' }],
  ] as const)('still emits the peak, with the bounded guess, when the request fails (%s)', async (outcome, fault) => {
    const s = await aFirst(['full_node']);
    s.b.faults.set('request_block', fault, { times: 1 });
    s.b.chain.addBlock();
    const change = await admitB(s);
    expect(change.peak.height).toBe(TOP + 1);
    expect(change.peak.fork_point_with_previous_peak).toBe(TOP - DEFAULTS.confirmations);
    expect(parentRequests(s.b).request_block).toBe(1);
    expect(s.outcomes.map((o) => [o.message, o.outcome])).toEqual([['request_block', outcome]]);
    // The link is kept, and the next peak needs no request.
    s.b.chain.addBlock();
    await eventually('the next peak', () => s.manager.peak()!.height === TOP + 2);
    expect(s.changes.at(-1)!.peak.fork_point_with_previous_peak).toBe(TOP + 1);
    expect(parentRequests(s.b).request_block).toBe(1);
    expect(allReady(s)).toBe(true);
  });
});
