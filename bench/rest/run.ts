/**
 * REST benchmark, two parts, reported as figures and ratios measured in the same run:
 *
 * 1. Cached `GET /v1/blocks/{h}` (heights 0–31, immutable, JSON text cached) on the gateway vs a bare
 *    Fastify route sending the same bytes from memory. Each server runs in its own child process;
 *    rounds alternate between them so both see the same machine load. Target: gateway ≥ 0.8 × bare.
 * 2. A cold walk of heights 0 … N−1 (default 3,200), one GET at a time, through a gateway linked to the
 *    strict fake full node over TLS: upstream request_blocks used (the node's own count) and blocks/s.
 *
 *   npm run bench:rest -- [--rounds 3] [--seconds 5] [--connections 10] [--walk 3200]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { buildApp } from '../../src/app.js';
import { configWith } from '../../src/config.js';
import { startFakeNode } from '../../test/fake-node/index.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '10' },
    walk: { type: 'string', default: '3200' },
  },
});
const ROUNDS = Number(values.rounds);
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const WALK = Number(values.walk);
/** Heights 0–31 are buried ≥ 32 below the memory upstream's peak (63): the immutable, cached case. */
const CACHED_HEIGHTS = 32;
const WARMUP_SECONDS = 2;

type Kind = 'gateway' | 'bare';

function startServer(kind: Kind): Promise<{ proc: ChildProcess; url: string }> {
  const path = fileURLToPath(new URL('./server.ts', import.meta.url));
  const proc = spawn(process.execPath, ['--import', 'tsx', path, kind], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    proc.once('message', (m: { url: string }) => resolve({ proc, url: m.url }));
    proc.once('exit', (code) => reject(new Error(`${kind} server exited (${code})`)));
  });
}

async function load(url: string, seconds: number): Promise<number> {
  const requests = Array.from({ length: CACHED_HEIGHTS }, (_, h) => ({ path: `/v1/blocks/${h}` }));
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, requests });
  if (result.errors > 0 || result.non2xx > 0) throw new Error(`${url}: ${result.errors} errors, ${result.non2xx} non-2xx`);
  return result.requests.average;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function cachedVsBare(): Promise<void> {
  const servers = { gateway: await startServer('gateway'), bare: await startServer('bare') };
  try {
    const rps: Record<Kind, number[]> = { gateway: [], bare: [] };
    for (const kind of ['bare', 'gateway'] as const) await load(servers[kind].url, WARMUP_SECONDS);
    for (let round = 0; round < ROUNDS; round++) {
      const order: Kind[] = round % 2 === 0 ? ['bare', 'gateway'] : ['gateway', 'bare'];
      for (const kind of order) rps[kind].push(await load(servers[kind].url, SECONDS));
    }
    const gateway = median(rps.gateway);
    const bare = median(rps.bare);
    console.log(`cached GET /v1/blocks/{h}, ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${SECONDS} s`);
    console.log(`  bare Fastify route : ${rps.bare.map((r) => r.toFixed(0)).join(', ')} req/s (median ${bare.toFixed(0)})`);
    console.log(`  gateway            : ${rps.gateway.map((r) => r.toFixed(0)).join(', ')} req/s (median ${gateway.toFixed(0)})`);
    console.log(`  ratio gateway/bare : ${(gateway / bare).toFixed(2)} (target ≥ 0.80)`);
  } finally {
    servers.gateway.proc.kill();
    servers.bare.proc.kill();
  }
}

async function coldWalk(): Promise<void> {
  const network = 'devnet';
  const node = await startFakeNode({ network, chainLength: WALK + 1 });
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-rest-'));
  const config = configWith({ logLevel: 'silent', network, peers: [{ host: '127.0.0.1', port: node.port }], dataDir, linksPerRole: 1 });
  const app = await buildApp({ config, logger: false });
  try {
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const deadline = Date.now() + 60_000;
    while (!(app.upstream.isReady('full_node') && app.upstream.peak() !== null)) {
      if (Date.now() > deadline) throw new Error('the gateway did not get ready');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const before = node.requestCounts.request_blocks ?? 0;
    const started = performance.now();
    for (let h = 0; h < WALK; h++) {
      const res = await fetch(`${base}/v1/blocks/${h}`);
      if (res.status !== 200) throw new Error(`height ${h}: HTTP ${res.status}`);
      await res.arrayBuffer();
    }
    const seconds = (performance.now() - started) / 1000;
    const used = (node.requestCounts.request_blocks ?? 0) - before;
    console.log(`cold walk of ${WALK} heights (GET /v1/blocks/{h}, one at a time) via the fake full node over TLS`);
    console.log(`  upstream request_blocks: ${used} (${(WALK / used).toFixed(1)} blocks per request; ideal ${Math.ceil(WALK / 32)})`);
    console.log(`  ${(WALK / seconds).toFixed(0)} blocks/s (${seconds.toFixed(1)} s)`);
  } finally {
    await app.close();
    await node.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await cachedVsBare();
await coldWalk();
