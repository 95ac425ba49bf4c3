/**
 * The peer pool and the links' waiting states without sockets: what is missing when no peer is known
 * (said once per DNS round), and bans kept per peer for every link.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { configWith, DEFAULTS } from '../../../src/config/config.js';
import { SILENT_LOGGER } from '../../../src/chia/logger.js';
import type { LinkSlot } from '../../../src/chia/pool/link-slot.js';
import { IDLE_POLL_MS, PeerPool, RESEED_INTERVAL_MS, type PeerPoolDeps } from '../../../src/chia/pool/peer-pool.js';
import { UpstreamManager } from '../../../src/chia/pool/upstream-manager.js';
import { NETWORKS } from '../../../src/chia/protocol/networks.js';
import { testIdentities } from '../../support/upstream-harness.js';
import { loadChiaCa } from '../../../src/process/chia-ca.js';
import { RecordingLogger } from '../../support/recording-logger.js';

const PEERS_OPTION = 'CHIA_GATEWAY_PEERS';
const NO_PEERS = `no peers: DNS seeders unreachable; set ${PEERS_OPTION}`;
const BAN_BACKOFF_MS = 300_000;

const unreachable = async (): Promise<string[]> => {
  throw new Error('getaddrinfo EAI_AGAIN');
};

const slotOf = (role: 'full_node' | 'wallet') => ({ deps: { role } }) as unknown as LinkSlot;

function pool(deps: Partial<PeerPoolDeps> = {}): PeerPool {
  return new PeerPool({
    network: 'mainnet',
    peers: [],
    resolver: unreachable,
    banBackoffMs: BAN_BACKOFF_MS,
    peersOption: PEERS_OPTION,
    logger: SILENT_LOGGER,
    otherLinks: () => [],
    ...deps,
  });
}

describe('with no peers (offline, DNS seeders unreachable)', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] }));
  afterEach(() => vi.useRealTimers());

  it('says what is missing, and the fix, once per seeding round; every link is idle with that reason', async () => {
    const logger = new RecordingLogger();
    const manager = new UpstreamManager({
      config: configWith({ network: 'mainnet', peers: [], roles: ['full_node', 'wallet'], linksPerRole: 2 }),
      unverifiedForkDepth: DEFAULTS.confirmations,
      banBackoffMs: BAN_BACKOFF_MS,
      peersOption: PEERS_OPTION,
      ca: loadChiaCa(),
      identities: testIdentities(),
      resolver: unreachable,
      logger,
    });
    await manager.start();
    const said = () => logger.warnings.filter((w) => w.msg === NO_PEERS).length;
    expect(said()).toBe(1);
    for (const link of manager.status().links) {
      expect(link).toMatchObject({ state: 'idle', peer: '', reconnects: 0 });
      expect(link.retry).toMatchObject({ cause: 'no_peer', reason: NO_PEERS, in_ms: IDLE_POLL_MS });
    }
    // The links look again every IDLE_POLL_MS; the seeders are asked, and the message given, once a round.
    await vi.advanceTimersByTimeAsync(RESEED_INTERVAL_MS - 1);
    expect(said()).toBe(1);
    await vi.advanceTimersByTimeAsync(IDLE_POLL_MS);
    expect(said()).toBe(2);
    await vi.advanceTimersByTimeAsync(RESEED_INTERVAL_MS);
    expect(said()).toBe(3);
    // Nothing else is repeated: no warning per seeder or per link.
    expect(logger.warnings.filter((w) => w.msg !== NO_PEERS)).toEqual([]);
    await manager.close();
  });

  it('names seeders that answered without addresses differently', async () => {
    const logger = new RecordingLogger();
    await pool({ logger, resolver: async () => [] }).reseed();
    expect(logger.warnings.map((w) => w.msg)).toEqual([`no peers: the DNS seeders returned no addresses; set ${PEERS_OPTION}`]);
  });

  it('finds peers again once a seeder answers', async () => {
    let answer: string[] | null = null;
    const p = pool({ resolver: async () => answer ?? unreachable() });
    await p.reseed();
    expect(p.choosePeer(slotOf('wallet'))).toMatchObject({ cause: 'no_peer', reason: NO_PEERS });
    answer = ['10.0.0.1'];
    await vi.advanceTimersByTimeAsync(RESEED_INTERVAL_MS);
    await p.reseed();
    expect(p.choosePeer(slotOf('wallet'))).toEqual({ host: '10.0.0.1', port: NETWORKS.mainnet!.defaultPort });
  });
});

describe('bans', () => {
  const a = { host: '10.0.0.1', port: 8444 };
  const b = { host: '10.0.0.2', port: 8444 };

  it('keep a peer out for every role for the ban its close announced, or the ban backoff when unsaid', () => {
    const p = pool({ peers: [a] });
    const before = Date.now();
    p.ban(a, 10_000, 'closed 1002: banned 10 s');
    for (const role of ['full_node', 'wallet'] as const) {
      const choice = p.choosePeer(slotOf(role));
      expect(choice).toMatchObject({ cause: 'banned', reason: 'closed 1002: banned 10 s' });
      if (!('retryAt' in choice)) throw new Error('expected a wait');
      expect(choice.retryAt).toBeGreaterThanOrEqual(before + 10_000);
      expect(choice.retryAt).toBeLessThan(before + BAN_BACKOFF_MS);
    }
    p.ban(a, null, 'HTTP 403');
    const choice = p.choosePeer(slotOf('wallet'));
    if (!('retryAt' in choice)) throw new Error('expected a wait');
    expect(choice.retryAt).toBeGreaterThanOrEqual(before + BAN_BACKOFF_MS);
  });

  it('leave the other peers usable', () => {
    const p = pool({ peers: [a, b] });
    p.ban(a, null, 'HTTP 403');
    expect(p.choosePeer(slotOf('wallet'))).toEqual(b);
    expect(p.choosePeer(slotOf('full_node'))).toEqual(b);
  });
});
