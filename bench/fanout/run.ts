/**
 * Fan-out benchmark: N idle subscribers (default 10,000) on loopback, in a separate process, receive
 * R peaks; we measure the delivery latency (publish → first byte at each subscriber, p50/p99) and the
 * server's RSS per idle subscriber, for the gateway's hub and, in the same run, a plain ws broadcast
 * server (the ws README pattern). Each server runs in its own process; ulimit -n is raised to the
 * hard limit in every child (N sockets need N descriptors on each side).
 *
 *   npm run bench:fanout -- [--clients 10000] [--rounds 20] [--warmup 3] [--interval-ms 300]
 *
 * Latency is wall clock (performance.timeOrigin + now) compared across processes on one machine;
 * "send loop" is the server's synchronous publish (serialise + every socket write), the least noisy
 * figure; the same loop with every socket corked (no write syscall inside it) isolates the user-space
 * work per client, where serialising once and writing one pre-built frame pay off. FANOUT_NODE_FLAGS adds node flags to the children (e.g. "--cpu-prof --cpu-prof-dir=prof").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { FromClients, FromServer, ServerKind, ToClients, ToServer } from './protocol.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    'interval-ms': { type: 'string', default: '300' },
    'corked-rounds': { type: 'string', default: '10' },
  },
});
const CLIENTS = Number(values.clients);
const ROUNDS = Number(values.rounds);
const WARMUP = Number(values.warmup);
const INTERVAL_MS = Number(values['interval-ms']);
const CORKED_ROUNDS = Number(values['corked-rounds']);
/** Connections settle (hello sent, buffers drained, lazy allocations done) before measuring. */
const SETTLE_MS = 2_000;

function child(file: string, args: string[]): ChildProcess {
  const path = fileURLToPath(new URL(file, import.meta.url));
  const command = `ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "${process.execPath}" ${process.env.FANOUT_NODE_FLAGS ?? ''} --expose-gc --import tsx "${path}" ${args.join(' ')}`;
  return spawn('sh', ['-c', command], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

function next<T>(proc: ChildProcess, match: (m: T) => boolean): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: T) => {
      if (!match(m)) return;
      proc.off('message', onMessage);
      proc.off('exit', onExit);
      resolve(m);
    };
    const onExit = (code: number | null) => reject(new Error(`child exited (${code}) while waiting`));
    proc.on('message', onMessage);
    proc.on('exit', onExit);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

interface Result {
  kind: ServerKind;
  connected: number;
  failed: number;
  p50: number;
  p99: number;
  lastP50: number;
  /** Median duration of the server's synchronous publish (serialise + write to every socket). */
  loopP50: number;
  /** The same with every socket corked: user-space work only (no syscall per socket). */
  jsLoopP50: number;
  missing: number;
  rssPerClientKb: number;
  heapPerClientKb: number;
}

async function measure(kind: ServerKind): Promise<Result> {
  const server = child('./server.ts', [kind, String(CLIENTS + 100)]);
  const listening = await next<FromServer>(server, (m) => m.event === 'listening');
  if (listening.event !== 'listening') throw new Error('unreachable');
  const clients = child('./clients.ts', []);
  const connectedP = next<FromClients>(clients, (m) => m.event === 'connected');
  clients.send({ cmd: 'connect', port: listening.port, path: listening.path, count: CLIENTS } satisfies ToClients);
  const connected = await connectedP;
  if (connected.event !== 'connected') throw new Error('unreachable');
  await sleep(SETTLE_MS);
  const rssP = next<FromServer>(server, (m) => m.event === 'rss');
  server.send({ cmd: 'measure-rss' } satisfies ToServer);
  const rss = await rssP;
  if (rss.event !== 'rss') throw new Error('unreachable');

  const latencies: number[] = [];
  const lasts: number[] = [];
  const loops: number[] = [];
  let missing = 0;
  const corkedLoops: number[] = [];
  for (let round = 0; round < WARMUP + ROUNDS + CORKED_ROUNDS; round++) {
    const corked = round >= WARMUP + ROUNDS;
    const armedP = next<FromClients>(clients, (m) => m.event === 'armed' && m.round === round);
    clients.send({ cmd: 'arm', round } satisfies ToClients);
    await armedP;
    const receivedP = next<FromClients>(clients, (m) => m.event === 'received' && m.round === round);
    const publishedP = next<FromServer>(server, (m) => m.event === 'published' && m.round === round);
    server.send({ cmd: 'publish', round, corked } satisfies ToServer);
    const [published, received] = await Promise.all([publishedP, receivedP]);
    if (published.event !== 'published' || received.event !== 'received') throw new Error('unreachable');
    if (corked) corkedLoops.push(published.loopMs);
    else if (round >= WARMUP) {
      const ls = received.times.map((t) => t - published.at);
      latencies.push(...ls);
      lasts.push(Math.max(...ls));
      loops.push(published.loopMs);
      missing += received.missing;
    }
    await sleep(INTERVAL_MS);
  }
  server.send({ cmd: 'exit' } satisfies ToServer);
  clients.send({ cmd: 'exit' } satisfies ToClients);
  await Promise.all([new Promise((r) => server.once('exit', r)), new Promise((r) => clients.once('exit', r))]);

  latencies.sort((a, b) => a - b);
  lasts.sort((a, b) => a - b);
  loops.sort((a, b) => a - b);
  corkedLoops.sort((a, b) => a - b);
  return {
    jsLoopP50: percentile(corkedLoops, 50),
    loopP50: percentile(loops, 50),
    kind,
    connected: connected.count,
    failed: connected.failed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    lastP50: percentile(lasts, 50),
    missing,
    rssPerClientKb: (rss.rss - listening.rss) / Math.max(1, rss.clients) / 1024,
    heapPerClientKb: (rss.heap - listening.heap) / Math.max(1, rss.clients) / 1024,
  };
}

const results: Result[] = [];
for (const kind of ['baseline', 'hub'] as const) {
  process.stdout.write(`measuring ${kind} with ${CLIENTS} subscribers…\n`);
  results.push(await measure(kind));
}

const fmt = (n: number) => n.toFixed(2).padStart(9);
console.log(`\nfan-out of one peak to ${CLIENTS} idle subscribers, ${ROUNDS} rounds (+${WARMUP} warm-up), loopback`);
console.log('server      connected  p50 ms    p99 ms    last p50 ms  send loop ms  missing  RSS KB/sub  heap KB/sub');
for (const r of results) {
  console.log(
    `${r.kind.padEnd(10)}  ${String(r.connected).padStart(9)}  ${fmt(r.p50)} ${fmt(r.p99)} ${fmt(r.lastP50)}    ${fmt(r.loopP50)}    ${String(r.missing).padStart(7)}  ${r.rssPerClientKb.toFixed(1).padStart(10)}  ${r.heapPerClientKb.toFixed(1).padStart(11)}`,
  );
}
const [base, hub] = results;
if (base && hub) {
  console.log(
    `\nratio hub/baseline: p50 ${(hub.p50 / base.p50).toFixed(2)}, p99 ${(hub.p99 / base.p99).toFixed(2)} (target ≤ 0.5), ` +
      `send loop ${(hub.loopP50 / base.loopP50).toFixed(2)}`,
  );
  console.log(
    `user-space part of the send loop (sockets corked, ${CORKED_ROUNDS} rounds): baseline ${base.jsLoopP50.toFixed(2)} ms, ` +
      `hub ${hub.jsLoopP50.toFixed(2)} ms, ratio ${(hub.jsLoopP50 / base.jsLoopP50).toFixed(2)}`,
  );
  console.log(`hub RSS per idle subscriber: ${hub.rssPerClientKb.toFixed(1)} KB (target < 50 KB)`);
}
