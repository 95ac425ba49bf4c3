/**
 * Replica benchmark, two parts, each measured beside its baseline in the same run and reported as a
 * ratio with PASS/FAIL against its target:
 *
 * 1. Walks that scale with peers: a cold walk of heights 0 … N−1 (default 6,400), one GET
 *    /v1/blocks/{h} at a time, through a gateway with one full_node link to each of k strict fake
 *    nodes (k = 1, 2, 4; real TLS), the nodes and the gateway's pacing on the same scaled rate-limit
 *    window. blocks/s with k nodes against k × blocks/s with one. Target ≥ 0.8.
 * 2. Replicas sharing one real redis-server (Debian's `redis-server`, started here): two replicas
 *    walking the same range at the same time against one replica alone (Redis emptied before each),
 *    counted as the request_blocks the fake node received. Target ≤ 1.1×. Skipped, with one line,
 *    when redis-server is not installed.
 *
 * Rounds alternate the order of the cases, so each sees the same machine load; medians are reported.
 *
 *   npm run bench:replicas -- [--rounds 2] [--walk 6400] [--window 1000] [--share 0.012] [--part both|scaling|replicas]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { buildApp, type GatewayApp } from '../../src/app.js';
import { configWith, type GatewayConfig } from '../../src/config/config.js';
import { createUpstreamManager, type Upstream } from '../../src/chia/index.js';
import { loadChiaCa } from '../../src/process/chia-ca.js';
import { startFakeNode, type FakeNode } from '../../fake-node/index.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    walk: { type: 'string', default: '6400' },
    window: { type: 'string', default: '1000' },
    share: { type: 'string', default: '0.012' },
    part: { type: 'string', default: 'both' },
  },
});
const ROUNDS = Number(values.rounds);
/** `scaling`, `replicas` or `both`. */
const PART = values.part;
const WALK = Number(values.walk);
/**
 * Part 1's pacing, on the nodes' and the gateway's side alike. A real node's 60 s window lets one link
 * send 300 request_blocks at the default share, 5 per second: any long walk is paced, and peers add
 * budget. A 6,400-height walk (200 requests) fits in one such window's burst, so it is scaled to the
 * same rate over a shorter window and a smaller share (6 per 1 s, halved for the one walking client
 * by the client share): the walk spans many windows, as a long one does against real nodes.
 */
const WINDOW_MS = Number(values.window);
const PACING_SHARE = Number(values.share);
const NETWORK = 'devnet';
/** Above the walk by more than the confirmation depth: every walked block is buried, so shareable. */
const CHAIN_LENGTH = WALK + 200;
const NODE_COUNTS = [1, 2, 4];
const SCALING_TARGET = 0.8;
const REPLICA_TARGET = 1.1;
const READY_WAIT_MS = 60_000;
const POLL_MS = 50;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

interface Gateway {
  app: GatewayApp;
  base: string;
  close: () => Promise<void>;
}

/** Part 1's pacing; part 2 counts requests, which pacing does not change: the real window and default share. */
interface Pacing {
  windowMs: number;
  share: number;
}
const SCALED: Pacing = { windowMs: WINDOW_MS, share: PACING_SHARE };

/** A listening gateway over `nodes`, one full_node link to each, paced on `pacing` (the nodes' window). */
async function startGateway(nodes: FakeNode[], pacing: Pacing | null, redisUrl: string | null = null): Promise<Gateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-replicas-'));
  const defaults = configWith({});
  const config: GatewayConfig = configWith({
    logLevel: 'silent',
    network: NETWORK,
    peers: nodes.map((n) => ({ host: '127.0.0.1', port: n.port })),
    dataDir,
    roles: ['full_node'],
    linksPerRole: nodes.length,
    redis: { ...defaults.redis, url: redisUrl },
    // Part 2's walking client alone gets the link's whole budget (200 requests ≤ 300 per 60 s window).
    ...(pacing === null ? { pacingClientShare: 1 } : { pacingShare: pacing.share }),
  });
  const upstream: Upstream = createUpstreamManager({
    config,
    ca: loadChiaCa(),
    unverifiedForkDepth: config.confirmations,
    banBackoffMs: config.banBackoffMs,
    pacingWindowMs: pacing?.windowMs,
  });
  const app = await buildApp({ config, logger: false, upstream });
  const close = async () => {
    await app.close();
    await upstream.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const deadline = Date.now() + READY_WAIT_MS;
  for (;;) {
    const links = upstream.status().links;
    if (links.length === nodes.length && links.every((l) => l.state === 'ready' && l.peak !== null) && upstream.peak() !== null) break;
    if (Date.now() > deadline) {
      await close();
      throw new Error('the gateway did not get every link ready');
    }
    await sleep(POLL_MS);
  }
  return { app, base, close };
}

/** Walks heights 0 … WALK−1 one GET at a time; returns the seconds it took. */
async function walk(gateway: Gateway): Promise<number> {
  const started = performance.now();
  for (let h = 0; h < WALK; h++) {
    const res = await fetch(`${gateway.base}/v1/blocks/${h}`, { headers: { accept: 'application/octet-stream' } });
    if (res.status !== 200) throw new Error(`height ${h}: HTTP ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  }
  return (performance.now() - started) / 1000;
}

const requestBlocks = (nodes: FakeNode[]) => nodes.reduce((sum, n) => sum + (n.requestCounts.request_blocks ?? 0), 0);

function checkStrict(nodes: FakeNode[]): void {
  const violations = nodes.flatMap((n) => n.violations);
  const bans = nodes.flatMap((n) => n.bans);
  if (violations.length > 0 || bans.length > 0) throw new Error(`the fake nodes punished the gateway: ${JSON.stringify({ violations, bans })}`);
}

async function scaling(): Promise<void> {
  const maxNodes = Math.max(...NODE_COUNTS);
  const nodes: FakeNode[] = [];
  for (let i = 0; i < maxNodes; i++) nodes.push(await startFakeNode({ network: NETWORK, chainLength: CHAIN_LENGTH, rateLimitWindowMs: WINDOW_MS }));
  const rates = new Map<number, number[]>(NODE_COUNTS.map((k) => [k, []]));
  const requests = new Map<number, number[]>(NODE_COUNTS.map((k) => [k, []]));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? NODE_COUNTS : [...NODE_COUNTS].reverse();
      for (const k of order) {
        const used = nodes.slice(0, k);
        const gateway = await startGateway(used, SCALED);
        try {
          const before = requestBlocks(used);
          const seconds = await walk(gateway);
          rates.get(k)!.push(WALK / seconds);
          requests.get(k)!.push(requestBlocks(used) - before);
        } finally {
          await gateway.close();
        }
        // Each gateway starts with the nodes' windows empty of the last one's requests.
        await sleep(WINDOW_MS);
      }
    }
    checkStrict(nodes);
  } finally {
    for (const node of nodes) await node.close();
  }
  const one = median(rates.get(1)!);
  console.log(
    `cold walk of ${WALK} heights (GET /v1/blocks/{h}, one at a time), one full_node link per strict fake node, ` +
      `window ${WINDOW_MS} ms on both sides, pacing share ${PACING_SHARE}, ${ROUNDS} alternating rounds`,
  );
  for (const k of NODE_COUNTS) {
    const rate = median(rates.get(k)!);
    const ratio = rate / (k * one);
    const figures = `${rates.get(k)!.map((r) => r.toFixed(0)).join(', ')} blocks/s (median ${rate.toFixed(0)}), request_blocks ${requests.get(k)!.join(', ')}`;
    console.log(`  ${k} node${k === 1 ? ' ' : 's'}: ${figures}` + (k === 1 ? '' : `; vs ${k} × one: ${ratio.toFixed(2)} (target ≥ ${SCALING_TARGET}) ${verdict(ratio >= SCALING_TARGET)}`));
  }
}

interface RedisProcess {
  url: string;
  flush: () => Promise<void>;
  stop: () => Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A redis-server on a free loopback port, without persistence, with a byte budget as the README advises. */
async function startRedisServer(): Promise<RedisProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory', '256mb', '--maxmemory-policy', 'allkeys-lru'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  // Queued until the server listens: ioredis retries the connection meanwhile.
  const client = new Redis(url, { retryStrategy: () => POLL_MS, maxRetriesPerRequest: null });
  client.on('error', () => undefined);
  await client.ping();
  return {
    url,
    flush: async () => void (await client.flushall()),
    stop: async () => {
      client.disconnect();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
    },
  };
}

async function replicas(): Promise<void> {
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) {
    console.log('\nreplicas sharing Redis: skipped, redis-server not found (apt-get install -y redis-server)');
    return;
  }
  const redis = await startRedisServer();
  const node = await startFakeNode({ network: NETWORK, chainLength: CHAIN_LENGTH });
  const alone: number[] = [];
  const pair: number[] = [];
  /** Request_blocks the node received while `replicaCount` fresh replicas walked at the same time, Redis emptied first. */
  const measure = async (replicaCount: number): Promise<number> => {
    await redis.flush();
    const gateways: Gateway[] = [];
    try {
      for (let i = 0; i < replicaCount; i++) gateways.push(await startGateway([node], null, redis.url));
      const before = requestBlocks([node]);
      await Promise.all(gateways.map(walk));
      return requestBlocks([node]) - before;
    } finally {
      for (const gateway of gateways) await gateway.close();
    }
  };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) {
        alone.push(await measure(1));
        pair.push(await measure(2));
      } else {
        pair.push(await measure(2));
        alone.push(await measure(1));
      }
    }
    checkStrict([node]);
  } finally {
    await node.close();
    await redis.stop();
  }
  const ratio = median(pair) / median(alone);
  console.log(`\nreplicas sharing one redis-server, each walking heights 0 … ${WALK - 1} (Redis emptied before each case), upstream request_blocks at the fake node`);
  console.log(`  one replica alone        : ${alone.join(', ')} (median ${median(alone)}; ideal ${Math.ceil(WALK / 32)})`);
  console.log(`  two replicas at one time : ${pair.join(', ')} (median ${median(pair)})`);
  console.log(`  ratio two / one: ${ratio.toFixed(2)} (target ≤ ${REPLICA_TARGET}) ${verdict(ratio <= REPLICA_TARGET)}`);
}

if (PART !== 'replicas') await scaling();
if (PART !== 'scaling') await replicas();
