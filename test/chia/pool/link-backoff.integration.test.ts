/**
 * Link states and backoff over real TLS against the strict fake node: a slot with no distinct node to
 * go to is idle, a refusal without a ban is retried soon by that link alone with growing delays, and a
 * ban the node announced (HTTP 403, or a close code that implies one) keeps every link of every role
 * away from that node until it ends, as shown in the links' status.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { exponentialBackoff } from '../../../src/chia/pool/backoff.js';
import { SHORT_BAN_MS } from '../../../src/chia/protocol/limits.js';
import { NodeType } from '../../../src/chia/protocol/message-rules.js';
import type { UpstreamManager } from '../../../src/chia/pool/upstream-manager.js';
import type { LinkStatus, Role } from '../../../src/chia/upstream-api.js';
import type { FakeNode } from '../../../fake-node/index.js';
import { makeManager, startNode, type ManagerSetup } from '../../support/upstream-harness.js';
import { eventually } from '../../support/eventually.js';

/** Long enough to tell a short retry from a ban, short enough for a test to wait for it. */
const BAN_BACKOFF_MS = 3_000;

const open: { manager: UpstreamManager; node: FakeNode }[] = [];
afterEach(async () => {
  for (const { manager, node } of open.splice(0)) {
    await manager.close();
    await node.close();
  }
});

async function setup(node: FakeNode, extra: Partial<ManagerSetup> = {}): Promise<UpstreamManager> {
  const manager = makeManager({ nodes: [node], ...extra });
  open.push({ manager, node });
  await manager.start();
  return manager;
}

const linksOf = (manager: UpstreamManager, role: Role): LinkStatus[] => manager.status().links.filter((l) => l.role === role);
const link = (manager: UpstreamManager, id: string): LinkStatus => manager.status().links.find((l) => l.id === id)!;
const bothReady = (manager: UpstreamManager) => manager.isReady('full_node') && manager.isReady('wallet');

describe('a slot with no distinct node to go to', () => {
  it('is idle (waiting for a peer), not reconnecting, and never connects', async () => {
    const node = await startNode({ chainLength: 50 });
    // One configured peer and the default two links per role.
    const manager = await setup(node, { linksPerRole: 2 });
    await eventually('one ready and one idle link per role', () => bothReady(manager) && manager.status().links.filter((l) => l.state === 'idle').length === 2);
    for (const role of ['full_node', 'wallet'] as const) {
      const [first, second] = linksOf(manager, role);
      expect(first).toMatchObject({ state: 'ready', retry: null });
      expect(second).toMatchObject({ state: 'idle', peer: '', reconnects: 0, last_error: null });
      expect(second!.retry).toMatchObject({ cause: 'no_peer', reason: `waiting for a peer: the only known peer is held by another ${role} link` });
    }
    // The node holds one connection per role: the idle slots never tried.
    expect(node.connections.map((c) => c.nodeType).sort()).toEqual([NodeType.FULL_NODE, NodeType.WALLET].sort());
    expect(node.violations).toEqual([]);
  });
});

describe('a refusal without a ban', () => {
  it('is retried soon by the refused link alone, with the default backoff, while the other role stays up', async () => {
    const node = await startNode({ chainLength: 50 });
    // The node's first accepted handshake is closed at once, as when its slots are full (§a.5).
    node.faults.set('connect', { kind: 'closeAfterHandshake' }, { times: 1 });
    const manager = await setup(node, { extra: { backoff: exponentialBackoff() } });
    const refused: LinkStatus[] = [];
    manager.on('link', (s) => {
      if (s.state === 'reconnecting') refused.push(s);
    });
    // The default backoff retries within a second or two, not after a 5-minute penalty.
    await eventually('both roles ready after one refusal', () => refused.length === 1 && bothReady(manager), 15_000);
    expect(refused[0]!.last_error).toContain('right after the handshake');
    expect(refused[0]!.retry).toMatchObject({ cause: 'refused' });
    const other = manager.status().links.find((l) => l.id !== refused[0]!.id)!;
    expect(other.reconnects).toBe(0);
    expect(node.violations).toEqual([]);
  });

  it('waits longer after each refusal in a row (full slots), and starts over once a link worked', async () => {
    // No FULL_NODE slot: every full_node handshake is accepted, then closed 1000 (§a.5); wallet is fine.
    const node = await startNode({ chainLength: 50, inboundSlots: { [NodeType.FULL_NODE]: 0 } });
    const attempts: number[] = [];
    const manager = await setup(node, { extra: { backoff: (attempt) => (attempts.push(attempt), Math.min(attempt * 50, 500)) } });
    await eventually('four refusals', () => attempts.length >= 4 && manager.isReady('wallet'));
    expect(attempts.slice(0, 4)).toEqual([1, 2, 3, 4]);
    expect(link(manager, 'full_node#1')).toMatchObject({ state: expect.stringMatching(/reconnecting|connecting|handshaking/) });
    expect(link(manager, 'wallet#1')).toMatchObject({ state: 'ready', reconnects: 0 });

    // A link that works and then drops begins a new series.
    const before = attempts.length;
    node.disconnectAll(); // the wallet link, the only one held
    await eventually('the wallet link back', () => link(manager, 'wallet#1').reconnects === 1 && manager.isReady('wallet'));
    const walletRetry = attempts.slice(before).find((a) => a === 1);
    expect(walletRetry).toBe(1);
  });
});

describe('a ban', () => {
  it('after an HTTP 403 keeps every link of both roles away for the configured ban backoff, shown with the time left', async () => {
    const node = await startNode({ chainLength: 50 });
    const manager = await setup(node, { extra: { banBackoffMs: BAN_BACKOFF_MS } });
    await eventually('both roles ready', () => bothReady(manager));
    node.faults.set('connect', { kind: 'refuse' });
    node.dropConnections();
    await eventually('both links waiting for the ban', () => manager.status().links.every((l) => l.retry?.cause === 'banned'));
    for (const l of manager.status().links) {
      expect(l.state).toBe('reconnecting');
      expect(l.retry!.in_ms).toBeGreaterThan(0);
      expect(l.retry!.in_ms).toBeLessThanOrEqual(BAN_BACKOFF_MS);
      expect(l.retry!.reason).toContain('HTTP 403');
    }
    // Nobody knocks during the ban: the attempts counted so far stay.
    const reconnects = manager.status().links.map((l) => l.reconnects);
    const banEnd = Math.max(...manager.status().links.map((l) => l.retry!.at));
    node.faults.clear('connect');
    await eventually('both roles back after the ban', () => bothReady(manager), BAN_BACKOFF_MS + 15_000);
    expect(Date.now()).toBeGreaterThanOrEqual(banEnd);
    expect(manager.status().links.map((l) => l.reconnects)).toEqual(reconnects);
    expect(node.violations).toEqual([]);
  });

  it('announced by a close code is honoured for its length, for both roles', async () => {
    const node = await startNode({ chainLength: 50 });
    const manager = await setup(node);
    await eventually('both roles ready', () => bothReady(manager));
    // 1002 "-4" (INVALID_PROTOCOL_MESSAGE) comes with a 10 s ban of our IP (§i.4).
    node.disconnectAll(1002, '-4');
    await eventually('both links waiting for the ban', () => manager.status().links.every((l) => l.retry?.cause === 'banned'));
    for (const l of manager.status().links) {
      expect(l.last_error).toContain('the node bans our IP for 10 s');
      expect(l.retry!.in_ms).toBeGreaterThan(SHORT_BAN_MS / 2);
      expect(l.retry!.in_ms).toBeLessThanOrEqual(SHORT_BAN_MS);
    }
  });
});
