/** Shared setup of the upstream integration tests: fake nodes, identities, a manager. */
import { configWith, DEFAULTS } from '../../src/config/config.js';
import { createChiaCertificate } from '../../src/chia/link/tls-identity.js';
import { loadChiaCa } from '../../src/process/chia-ca.js';
import { exponentialBackoff } from '../../src/chia/pool/backoff.js';
import { UpstreamManager, type UpstreamManagerOptions } from '../../src/chia/pool/upstream-manager.js';
import type { Role } from '../../src/chia/upstream-api.js';
import { startFakeNode, type FakeNode, type FakeNodeOptions } from '../../fake-node/index.js';

/** The rate-limit window of the tests: the fake node and our pacer use the same scaled window. */
export const WINDOW_MS = 1_000;
/**
 * The in-process fake node counts a message when its handler runs, which lags by hundreds of ms while
 * it builds hundreds of blocks on the shared event loop: far more jitter, relative to a 1 s window,
 * than a real node has relative to 60 s. The guard grows accordingly (production: 6 s on 60 s).
 */
export const GUARD_MS = 500;

let identities: Record<Role, { cert: string; key: string }> | undefined;
/** One client certificate per role, made once per test file (RSA key generation is slow). */
export function testIdentities(): Record<Role, { cert: string; key: string }> {
  identities ??= { full_node: createChiaCertificate(loadChiaCa()), wallet: createChiaCertificate(loadChiaCa()) };
  return identities;
}

/** Reconnects within tens of ms: tests do not wait minutes. */
export const fastBackoff = exponentialBackoff({ baseMs: 20, capMs: 200 });
/** A 403 keeps links away for 300 ms. */
const FAST_BAN_BACKOFF_MS = 300;

export function startNode(options: FakeNodeOptions = {}): Promise<FakeNode> {
  return startFakeNode({ chainLength: 1_000, rateLimitWindowMs: WINDOW_MS, ...options });
}

export interface ManagerSetup {
  /** Fake nodes, or anything else listening on a loopback port (a proxy to one). */
  nodes: Pick<FakeNode, 'port'>[];
  /** Default mainnet. */
  network?: string;
  roles?: Role[];
  /** Default: one per node. */
  linksPerRole?: number;
  requestTimeoutMs?: number;
  pacingQueueSize?: number;
  extra?: Partial<UpstreamManagerOptions>;
}

/** A manager with one link per role per node, over loopback. */
export function makeManager(setup: ManagerSetup): UpstreamManager {
  return new UpstreamManager({
    config: configWith({
      network: setup.network ?? 'mainnet',
      peers: setup.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })),
      roles: setup.roles ?? ['full_node', 'wallet'],
      linksPerRole: setup.linksPerRole ?? Math.max(1, setup.nodes.length),
      requestTimeoutMs: setup.requestTimeoutMs ?? 3_000,
      pacingQueueSize: setup.pacingQueueSize ?? 1_000,
    }),
    unverifiedForkDepth: DEFAULTS.confirmations,
    banBackoffMs: FAST_BAN_BACKOFF_MS,
    ca: loadChiaCa(),
    identities: testIdentities(),
    backoff: fastBackoff,
    pacingWindowMs: WINDOW_MS,
    pacingGuardMs: GUARD_MS,
    ...setup.extra,
  });
}

/** Resolves with the error a promise rejects with (fails if it resolves). */
export async function errorOf(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected a rejection');
}
