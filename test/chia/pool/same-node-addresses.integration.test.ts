/**
 * One node reachable under two addresses (as when the seeders return its IPv4 and IPv6 address): two
 * links of one role to it would share a certificate, and the node keeps only the newer (§a.5), so the
 * two would flap forever. The second address is reached here through a tiny TCP proxy on loopback.
 * Real TLS against the strict fake node, which closes the older of two same-certificate connections.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { UpstreamManager } from '../../../src/chia/pool/upstream-manager.js';
import type { LinkStatus, Role } from '../../../src/chia/upstream-api.js';
import type { FakeNode } from '../../../fake-node/index.js';
import { makeManager, startNode } from '../../support/upstream-harness.js';
import { eventually } from '../../support/eventually.js';
import { RecordingLogger, type LogEntry } from '../../support/recording-logger.js';
import { listeningServer } from '../../support/local-port.js';

const ROLES: Role[] = ['full_node', 'wallet'];

interface Proxy {
  port: number;
  close(): Promise<void>;
}

/** Forwards every TCP connection on a new loopback port to `port`: a second address of one node. */
async function startProxy(port: number): Promise<Proxy> {
  const sockets = new Set<Socket>();
  const { server, port: proxyPort } = await listeningServer((inbound) => {
    const outbound = connect(port, '127.0.0.1');
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    inbound.pipe(outbound).pipe(inbound);
    inbound.on('close', () => outbound.destroy());
    outbound.on('close', () => inbound.destroy());
  });
  return {
    port: proxyPort,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Shows the pool settled instead of sleeping: every node announces a new peak and every ready link
 * reports it. No slot is connecting once settled, and a link's earlier frames (a close from its node
 * included) arrive before that peak, so churn would show by then as a reconnect or a new handshake.
 */
async function peakOnEveryLink(manager: UpstreamManager, nodes: FakeNode[]): Promise<void> {
  for (const node of nodes) node.chain.addBlock();
  const heightOf = new Map(nodes.map((n) => [n.identity.peerId, n.chain.peak.height]));
  const heard = (l: LinkStatus) => l.state !== 'ready' || l.peak?.height === heightOf.get(l.peer_id ?? '');
  await eventually('the new peaks on every ready link', () => manager.status().links.every(heard));
}

const linksOf = (manager: UpstreamManager, role: Role): LinkStatus[] => manager.status().links.filter((l) => l.role === role);
const readyNodes = (manager: UpstreamManager, role: Role): (string | null)[] =>
  linksOf(manager, role)
    .filter((l) => l.state === 'ready')
    .map((l) => l.peer_id)
    .sort();
const reconnects = (manager: UpstreamManager): number[] => manager.status().links.map((l) => l.reconnects);
const duplicateWarnings = (warnings: LogEntry[]): LogEntry[] => warnings.filter((w) => w.msg?.includes('lead to one node'));

describe('one node under two addresses', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.reverse()) await step();
    cleanup.length = 0;
  });

  async function setup(withSecondNode: boolean) {
    const nodeA = await startNode({ chainLength: 50 });
    cleanup.push(() => nodeA.close());
    const proxy = await startProxy(nodeA.port);
    cleanup.push(() => proxy.close());
    const nodes: FakeNode[] = [nodeA];
    if (withSecondNode) {
      const nodeB = await startNode({ chainLength: 50 });
      cleanup.push(() => nodeB.close());
      nodes.push(nodeB);
    }
    // Both addresses of A first: each role's two slots start on them at once, the flapping case.
    const ports = [nodeA.port, proxy.port, ...nodes.slice(1).map((n) => n.port)];
    const logger = new RecordingLogger();
    const peers = ports.map((port) => ({ port }));
    const manager = makeManager({ nodes: peers, roles: ROLES, linksPerRole: 2, requestTimeoutMs: 3_000, extra: { logger } });
    cleanup.push(() => manager.close());
    const handshakes: string[] = [];
    nodeA.on('ready', (c) => handshakes.push(c.peerId));
    await manager.start();
    return { nodes, nodeA, proxy, manager, warnings: logger.warnings, handshakes };
  }

  it('links each role once to each distinct node, without churn, and logs the second address', async () => {
    const { nodes, nodeA, proxy, manager, warnings } = await setup(true);
    const distinct = nodes.map((n) => n.identity.peerId).sort();
    await eventually('each role linked to both distinct nodes', () => ROLES.every((role) => readyNodes(manager, role).join() === distinct.join()));

    const settled = reconnects(manager);
    await peakOnEveryLink(manager, nodes);
    expect(reconnects(manager)).toEqual(settled);
    for (const role of ROLES) expect(readyNodes(manager, role)).toEqual(distinct);
    // Node A holds exactly one connection per role (two certificates), none kicked out.
    expect(nodeA.connections.filter((c) => c.state === 'ready')).toHaveLength(2);

    const logged = duplicateWarnings(warnings);
    expect(logged.length).toBeGreaterThanOrEqual(1);
    const addresses = [`127.0.0.1:${nodeA.port}`, `127.0.0.1:${proxy.port}`];
    for (const { obj } of logged) {
      expect(obj.peerId).toBe(nodeA.identity.peerId);
      expect([obj.peer, obj.sameNodeAs].sort()).toEqual([...addresses].sort());
    }
    // Logged once per address, not once per role or per attempt.
    expect(new Set(logged.map((w) => w.obj.peer)).size).toBe(logged.length);
    for (const node of nodes) {
      expect(node.violations).toEqual([]);
      expect(node.bans).toEqual([]);
    }
  });

  it('with only the duplicated node, keeps one link per role and the second slot idle, without churn', async () => {
    const { nodeA, manager, warnings, handshakes } = await setup(false);
    const settledState = () => ROLES.every((role) => readyNodes(manager, role).join() === nodeA.identity.peerId && linksOf(manager, role).some((l) => l.state === 'idle'));
    await eventually('one ready link and one idle slot per role', settledState);
    for (const role of ROLES) {
      const waiting = linksOf(manager, role).find((l) => l.state === 'idle');
      expect(waiting?.last_error).toContain(nodeA.identity.peerId);
      expect(waiting?.retry).toMatchObject({ cause: 'no_peer', reason: `waiting for a peer: all 2 known peers are held by another ${role} link` });
    }

    const settled = reconnects(manager);
    const handshakesBefore = handshakes.length;
    await peakOnEveryLink(manager, [nodeA]);
    expect(reconnects(manager)).toEqual(settled);
    expect(handshakes).toHaveLength(handshakesBefore);
    expect(settledState()).toBe(true);
    expect(nodeA.connections.filter((c) => c.state === 'ready')).toHaveLength(2);
    expect(duplicateWarnings(warnings).length).toBeGreaterThanOrEqual(1);

    // A link that loses the node reconnects to it: its own closed link is no duplicate.
    const warned = duplicateWarnings(warnings).length;
    nodeA.disconnectAll();
    await eventually('both roles reconnected', () => handshakes.length >= handshakesBefore + 2);
    await eventually('one ready link per role again', () => ROLES.every((role) => readyNodes(manager, role).join() === nodeA.identity.peerId));
    expect(duplicateWarnings(warnings)).toHaveLength(warned);
    expect(nodeA.violations).toEqual([]);
    expect(nodeA.bans).toEqual([]);
  });
});
