/**
 * One node reachable under two addresses (as when the seeders return its IPv4 and IPv6 address): two
 * links of one role to it would share a certificate, and the node keeps only the newer (§a.5), so the
 * two would flap forever. The second address is reached here through a tiny TCP proxy on loopback.
 * Real TLS against the strict fake node, which closes the older of two same-certificate connections.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { configWith, DEFAULTS } from '../../../src/config/config.js';
import type { Logger } from '../../../src/chia/logger.js';
import { UpstreamManager } from '../../../src/chia/pool/upstream-manager.js';
import type { LinkStatus, Role } from '../../../src/chia/upstream-api.js';
import type { FakeNode } from '../../../fake-node/index.js';
import { FAST_BAN_BACKOFF_MS, GUARD_MS, WINDOW_MS, fastBackoff, startNode, testIdentities, waitFor } from '../../support/upstream-harness.js';
import { loadChiaCa } from '../../../src/process/chia-ca.js';

const ROLES: Role[] = ['full_node', 'wallet'];
/** How long the pool must stay quiet once settled (several of fastBackoff's reconnect delays). */
const QUIET_MS = 3_000;

interface Proxy {
  port: number;
  close(): Promise<void>;
}

/** Forwards every TCP connection on a new loopback port to `port`: a second address of one node. */
async function startProxy(port: number): Promise<Proxy> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((inbound) => {
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
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return {
    port: address.port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

interface Warning {
  obj: Record<string, unknown>;
  msg?: string;
}

function makePool(ports: number[], warnings: Warning[]): UpstreamManager {
  const noop = () => undefined;
  const logger: Logger = { trace: noop, debug: noop, info: noop, error: noop, warn: (obj, msg) => warnings.push({ obj: obj as Record<string, unknown>, msg }) };
  return new UpstreamManager({
    config: configWith({ network: 'mainnet', peers: ports.map((port) => ({ host: '127.0.0.1', port })), roles: ROLES, linksPerRole: 2, requestTimeoutMs: 3_000 }),
    unverifiedForkDepth: DEFAULTS.confirmations,
    banBackoffMs: FAST_BAN_BACKOFF_MS,
    ca: loadChiaCa(),
    identities: testIdentities(),
    backoff: fastBackoff,
    pacingWindowMs: WINDOW_MS,
    pacingGuardMs: GUARD_MS,
    logger,
  });
}

const linksOf = (manager: UpstreamManager, role: Role): LinkStatus[] => manager.status().links.filter((l) => l.role === role);
const readyNodes = (manager: UpstreamManager, role: Role): (string | null)[] =>
  linksOf(manager, role)
    .filter((l) => l.state === 'ready')
    .map((l) => l.peer_id)
    .sort();
const reconnects = (manager: UpstreamManager): number[] => manager.status().links.map((l) => l.reconnects);
const duplicateWarnings = (warnings: Warning[]): Warning[] => warnings.filter((w) => w.msg?.includes('lead to one node'));

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
    const warnings: Warning[] = [];
    const manager = makePool(ports, warnings);
    cleanup.push(() => manager.close());
    const handshakes: string[] = [];
    nodeA.on('ready', (c) => handshakes.push(c.peerId));
    await manager.start();
    return { nodes, nodeA, proxy, manager, warnings, handshakes };
  }

  it('links each role once to each distinct node, without churn, and logs the second address', async () => {
    const { nodes, nodeA, proxy, manager, warnings } = await setup(true);
    const distinct = nodes.map((n) => n.identity.peerId).sort();
    await waitFor(() => ROLES.every((role) => readyNodes(manager, role).join() === distinct.join()), 'each role linked to both distinct nodes');

    const settled = reconnects(manager);
    await new Promise((r) => setTimeout(r, QUIET_MS));
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
    await waitFor(settledState, 'one ready link and one idle slot per role');
    for (const role of ROLES) {
      const waiting = linksOf(manager, role).find((l) => l.state === 'idle');
      expect(waiting?.last_error).toContain(nodeA.identity.peerId);
      expect(waiting?.retry).toMatchObject({ cause: 'no_peer', reason: `waiting for a peer: all 2 known peers are held by another ${role} link` });
    }

    const settled = reconnects(manager);
    const handshakesBefore = handshakes.length;
    await new Promise((r) => setTimeout(r, QUIET_MS));
    expect(reconnects(manager)).toEqual(settled);
    expect(handshakes).toHaveLength(handshakesBefore);
    expect(settledState()).toBe(true);
    expect(nodeA.connections.filter((c) => c.state === 'ready')).toHaveLength(2);
    expect(duplicateWarnings(warnings).length).toBeGreaterThanOrEqual(1);

    // A link that loses the node reconnects to it: its own closed link is no duplicate.
    const warned = duplicateWarnings(warnings).length;
    nodeA.disconnectAll();
    await waitFor(() => handshakes.length >= handshakesBefore + 2, 'both roles reconnected');
    await waitFor(() => ROLES.every((role) => readyNodes(manager, role).join() === nodeA.identity.peerId), 'one ready link per role again');
    expect(duplicateWarnings(warnings)).toHaveLength(warned);
    expect(nodeA.violations).toEqual([]);
    expect(nodeA.bans).toEqual([]);
  });
});
