/**
 * REST benchmark, two parts, reported as figures and ratios measured in the same run:
 *
 * 1. Cached `GET /v1/blocks/{h}` (heights 0–31, immutable, JSON cached) on the gateway vs a bare
 *    Fastify route sending the same bytes from memory. Each server runs in its own child process;
 *    rounds alternate between them so both see the same machine load. Target: gateway ≥ 0.8 × bare.
 *    Besides req/s, the server's CPU time per request (less sensitive to a loaded machine), and the
 *    same bare handler inside the gateway app, to tell app-wide costs from the route's own.
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
import { configWith } from '../../src/config/config.js';
import { startFakeNode } from '../../fake-node/index.js';

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
type Target = Kind | 'appOnly';
/** The bare handler inside the gateway app (bench/rest/server.ts). */
const APP_ONLY_PREFIX = '/bench/app-only';

function startServer(kind: Kind): Promise<{ proc: ChildProcess; url: string }> {
  const path = fileURLToPath(new URL('./server.ts', import.meta.url));
  const proc = spawn(process.execPath, ['--import', 'tsx', path, kind], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    proc.once('message', (m: { url: string }) => resolve({ proc, url: m.url }));
    proc.once('exit', (code) => reject(new Error(`${kind} server exited (${code})`)));
  });
}

function cpuMicros(proc: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    proc.once('message', (m: { cpuMicros: number }) => resolve(m.cpuMicros));
    proc.send('cpu');
  });
}

interface Load {
  rps: number;
  /** Server CPU time per request (user + system), in µs: less sensitive to machine load than req/s. */
  cpuPerRequest: number;
}

async function load(server: { proc: ChildProcess; url: string }, seconds: number, prefix = '/v1/blocks'): Promise<Load> {
  const requests = Array.from({ length: CACHED_HEIGHTS }, (_, h) => ({ path: `${prefix}/${h}` }));
  const cpuBefore = await cpuMicros(server.proc);
  const result = await autocannon({ url: server.url, connections: CONNECTIONS, duration: seconds, requests });
  const cpuAfter = await cpuMicros(server.proc);
  if (result.errors > 0 || result.non2xx > 0) throw new Error(`${server.url}: ${result.errors} errors, ${result.non2xx} non-2xx`);
  return { rps: result.requests.average, cpuPerRequest: (cpuAfter - cpuBefore) / result.requests.total };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function cachedVsBare(): Promise<void> {
  const servers = { gateway: await startServer('gateway'), bare: await startServer('bare') };
  try {
    const runs: Record<Target, Load[]> = { gateway: [], bare: [], appOnly: [] };
    const measure = (target: Target, seconds: number) =>
      target === 'appOnly' ? load(servers.gateway, seconds, APP_ONLY_PREFIX) : load(servers[target], seconds);
    for (const target of ['bare', 'gateway', 'appOnly'] as const) await measure(target, WARMUP_SECONDS);
    for (let round = 0; round < ROUNDS; round++) {
      const order: Target[] = round % 2 === 0 ? ['bare', 'gateway', 'appOnly'] : ['appOnly', 'gateway', 'bare'];
      for (const target of order) runs[target].push(await measure(target, SECONDS));
    }
    const rps = (target: Target) => median(runs[target].map((r) => r.rps));
    const cpu = (target: Target) => median(runs[target].map((r) => r.cpuPerRequest));
    const row = (target: Target) =>
      `${runs[target].map((r) => r.rps.toFixed(0)).join(', ')} req/s (median ${rps(target).toFixed(0)}); ` +
      `server CPU ${cpu(target).toFixed(0)} µs/request`;
    console.log(`cached GET /v1/blocks/{h}, ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${SECONDS} s`);
    console.log(`  bare Fastify route          : ${row('bare')}`);
    console.log(`  gateway                     : ${row('gateway')}`);
    console.log(`  bare handler inside the app : ${row('appOnly')}`);
    console.log(`  ratio gateway/bare : ${(rps('gateway') / rps('bare')).toFixed(2)} in req/s (target ≥ 0.80); ` +
      `${(cpu('bare') / cpu('gateway')).toFixed(2)} in requests per CPU second`);
    console.log(`  of which app-wide (hooks, ids, metrics): ${(cpu('bare') / cpu('appOnly')).toFixed(2)}; ` +
      `the block route itself: ${(cpu('appOnly') / cpu('gateway')).toFixed(2)} (requests per CPU second ratios)`);
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
    const walk = async (): Promise<number> => {
      const started = performance.now();
      for (let h = 0; h < WALK; h++) {
        const res = await fetch(`${base}/v1/blocks/${h}`);
        if (res.status !== 200) throw new Error(`height ${h}: HTTP ${res.status}`);
        await res.arrayBuffer();
      }
      return (performance.now() - started) / 1000;
    };
    const before = node.requestCounts.request_blocks ?? 0;
    const cold = await walk();
    const used = (node.requestCounts.request_blocks ?? 0) - before;
    // The same walk again, every block cached and rendered: the HTTP cost alone, for comparison.
    const warm = await walk();
    console.log(`walk of ${WALK} heights (GET /v1/blocks/{h}, one at a time) via the fake full node over TLS`);
    console.log(`  cold: upstream request_blocks ${used} (${(WALK / used).toFixed(1)} blocks per request; ideal ${Math.ceil(WALK / 32)})`);
    console.log(`  cold: ${(WALK / cold).toFixed(0)} blocks/s (${cold.toFixed(1)} s); warm (all cached): ${(WALK / warm).toFixed(0)} blocks/s`);
  } finally {
    await app.close();
    await node.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await cachedVsBare();
if (WALK > 0) await coldWalk();
