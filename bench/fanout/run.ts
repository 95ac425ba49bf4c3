/**
 * Fan-out benchmark: N idle subscribers (default 10,000) on loopback, in separate processes, receive
 * R peaks; we measure the delivery latency (publish → first byte at each subscriber, p50/p99) and the
 * server's RSS per idle subscriber, for the gateway's hub and a plain ws broadcast server (the ws
 * README pattern). Each server runs in its own process with its own client processes; ulimit -n is
 * raised to the hard limit in every child (N sockets need N descriptors on each side).
 *
 *   npm run bench:fanout -- [--clients 10000] [--rounds 20] [--warmup 3] [--interval-ms 300]
 *                           [--client-procs 1] [--corked-rounds 10]
 *
 * Fairness: both servers are up at once and their rounds alternate (rotating order), so a change in
 * machine load hits both alike; both send the same frame size (checked from the receiving side).
 * A third series, `floor`, writes the baseline's frame with one bare write(2) per socket on the
 * baseline server: no ws, no stream, nothing in user space. No single sending thread can beat it, so
 * floor/baseline bounds what one can reach; the machine-wide CPU of a floor round, spread over every
 * core, bounds any design (more threads or processes share the same cores). Latency is wall clock
 * (performance.timeOrigin + now) compared across processes on one machine; "send loop" is the
 * server's synchronous publish (serialise + every socket write), the least noisy figure; the same
 * loop with every socket corked isolates the user-space work (without the write itself). FANOUT_NODE_FLAGS adds node flags to the children (e.g. "--cpu-prof").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { FromClients, FromServer, PublishMode, ServerKind, ToClients, ToServer } from './protocol.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    'interval-ms': { type: 'string', default: '300' },
    'corked-rounds': { type: 'string', default: '10' },
    'client-procs': { type: 'string', default: '1' },
  },
});
const CLIENTS = Number(values.clients);
const ROUNDS = Number(values.rounds);
const WARMUP = Number(values.warmup);
const INTERVAL_MS = Number(values['interval-ms']);
const CORKED_ROUNDS = Number(values['corked-rounds']);
const CLIENT_PROCS = Number(values['client-procs']);
/** USER_HZ: the unit of /proc/stat on Linux (100 on every mainstream architecture). */
const TICKS_PER_SECOND = 100;
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

/**
 * Busy CPU time of the whole machine so far, in ms summed over cores: user, nice, system, irq and
 * softirq from /proc/stat (softirq matters: loopback delivery runs there and is not charged to any
 * process). Ticks are 10 ms, so one round is coarse; the medians over rounds are what we report.
 */
function busyMs(): number {
  const fields = readFileSync('/proc/stat', 'latin1').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = fields;
  return ((user + nice + system + irq + softirq) * 1000) / TICKS_PER_SECOND;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** One server process and the client processes connected to it. */
interface Target {
  kind: ServerKind;
  server: ChildProcess;
  clients: ChildProcess[];
  connected: number;
  failed: number;
  rssPerClientKb: number;
  heapPerClientKb: number;
}

async function start(kind: ServerKind): Promise<Target> {
  const server = child('./server.ts', [kind, String(CLIENTS + 100)]);
  const listening = await next<FromServer>(server, (m) => m.event === 'listening');
  if (listening.event !== 'listening') throw new Error('unreachable');
  const clients = Array.from({ length: CLIENT_PROCS }, () => child('./clients.ts', []));
  const done = await Promise.all(
    clients.map((proc, i) => {
      const connectedP = next<FromClients>(proc, (m) => m.event === 'connected');
      // Spread evenly: the first (CLIENTS % procs) processes take one more.
      const count = Math.floor(CLIENTS / CLIENT_PROCS) + (i < CLIENTS % CLIENT_PROCS ? 1 : 0);
      proc.send({ cmd: 'connect', port: listening.port, path: listening.path, count } satisfies ToClients);
      return connectedP;
    }),
  );
  await sleep(SETTLE_MS);
  const rssP = next<FromServer>(server, (m) => m.event === 'rss');
  server.send({ cmd: 'measure-rss' } satisfies ToServer);
  const rss = await rssP;
  if (rss.event !== 'rss') throw new Error('unreachable');
  const sum = (f: (m: FromClients & { event: 'connected' }) => number) =>
    done.reduce((n, m) => n + (m.event === 'connected' ? f(m) : 0), 0);
  return {
    kind,
    server,
    clients,
    connected: sum((m) => m.count),
    failed: sum((m) => m.failed),
    rssPerClientKb: (rss.rss - listening.rss) / Math.max(1, rss.clients) / 1024,
    heapPerClientKb: (rss.heap - listening.heap) / Math.max(1, rss.clients) / 1024,
  };
}

interface Round {
  latencies: number[];
  last: number;
  loopMs: number;
  /** CPU time the whole machine spent from publish to the last delivery (every core, every process). */
  machineCpuMs: number;
  missing: number;
  bytes: number;
}

let roundId = 0;
/** Arms every client process, publishes once, and collects each subscriber's latency. */
async function round(target: Target, mode: PublishMode): Promise<Round> {
  const id = roundId++;
  await Promise.all(
    target.clients.map((proc) => {
      const armedP = next<FromClients>(proc, (m) => m.event === 'armed' && m.round === id);
      proc.send({ cmd: 'arm', round: id } satisfies ToClients);
      return armedP;
    }),
  );
  const receivedP = Promise.all(
    target.clients.map((proc) => next<FromClients>(proc, (m) => m.event === 'received' && m.round === id)),
  );
  const publishedP = next<FromServer>(target.server, (m) => m.event === 'published' && m.round === id);
  const busyBefore = busyMs();
  target.server.send({ cmd: 'publish', round: id, mode } satisfies ToServer);
  const [published, received] = await Promise.all([publishedP, receivedP]);
  if (published.event !== 'published') throw new Error('unreachable');
  const latencies: number[] = [];
  let missing = 0;
  let bytes = 0;
  for (const r of received) {
    if (r.event !== 'received') throw new Error('unreachable');
    for (const t of r.times) latencies.push(t - published.at);
    missing += r.missing;
    bytes ||= r.bytes;
  }
  return {
    latencies,
    last: Math.max(...latencies),
    loopMs: published.loopMs,
    machineCpuMs: busyMs() - busyBefore,
    missing,
    bytes,
  };
}

interface Series {
  name: string;
  rounds: Round[];
}

function summary(series: Series) {
  const all = series.rounds.flatMap((r) => r.latencies).sort((a, b) => a - b);
  return {
    name: series.name,
    p50: percentile(all, 50),
    p99: percentile(all, 99),
    /** p99 within each round, median over rounds: one stalled round cannot set it alone. */
    roundP99: median(series.rounds.map((r) => percentile([...r.latencies].sort((a, b) => a - b), 99))),
    lastP50: median(series.rounds.map((r) => r.last)),
    loopP50: median(series.rounds.map((r) => r.loopMs)),
    machineCpu: median(series.rounds.map((r) => r.machineCpuMs)),
    missing: series.rounds.reduce((n, r) => n + r.missing, 0),
    bytes: median(series.rounds.map((r) => r.bytes)),
  };
}

process.stdout.write(`starting baseline and hub, ${CLIENTS} subscribers each, ${CLIENT_PROCS} client process(es) each…\n`);
const baseline = await start('baseline');
const hub = await start('hub');

const plan: [string, Target, PublishMode][] = [
  ['baseline', baseline, 'normal'],
  ['hub', hub, 'normal'],
  ['floor', baseline, 'floor'],
];
const series = new Map(plan.map(([name]) => [name, { name, rounds: [] as Round[] }]));
for (let r = 0; r < WARMUP + ROUNDS; r++) {
  // Rotate the order every round so neither series always follows the other.
  for (let i = 0; i < plan.length; i++) {
    const [name, target, mode] = plan[(r + i) % plan.length]!;
    const result = await round(target, mode);
    if (r >= WARMUP) series.get(name)!.rounds.push(result);
    await sleep(INTERVAL_MS);
  }
}
const corked = { baseline: [] as number[], hub: [] as number[] };
for (let r = 0; r < CORKED_ROUNDS; r++) {
  for (const target of r % 2 === 0 ? [baseline, hub] : [hub, baseline]) {
    corked[target.kind].push((await round(target, 'corked')).loopMs);
    await sleep(INTERVAL_MS);
  }
}

for (const target of [baseline, hub]) {
  target.server.send({ cmd: 'exit' } satisfies ToServer);
  for (const proc of target.clients) proc.send({ cmd: 'exit' } satisfies ToClients);
}
await Promise.all(
  [baseline, hub].flatMap((t) => [t.server, ...t.clients]).map((p) => new Promise((r) => p.once('exit', r))),
);

const results = [...series.values()].map(summary);
const fmt = (n: number) => n.toFixed(2).padStart(9);
console.log(
  `\nfan-out of one peak to ${CLIENTS} idle subscribers (${baseline.connected} / ${hub.connected} connected, ` +
    `${baseline.failed + hub.failed} failed), ${ROUNDS} interleaved rounds (+${WARMUP} warm-up), loopback`,
);
console.log('series      p50 ms    p99 ms  round p99 ms  last p50 ms  send loop ms  µs/sub  machine CPU ms  missing  frame B');
for (const r of results) {
  console.log(
    `${r.name.padEnd(10)} ${fmt(r.p50)} ${fmt(r.p99)}    ${fmt(r.roundP99)} ${fmt(r.lastP50)}    ${fmt(r.loopP50)}  ${((r.loopP50 * 1000) / CLIENTS).toFixed(1).padStart(6)}       ${fmt(r.machineCpu)}  ${String(r.missing).padStart(7)}  ${String(r.bytes).padStart(7)}`,
  );
}
const [base, hubR, floorR] = results;
if (base && hubR && floorR) {
  console.log(
    `\nratio hub/baseline: p50 ${(hubR.p50 / base.p50).toFixed(2)}, p99 ${(hubR.p99 / base.p99).toFixed(2)} (target ≤ 0.5), ` +
      `round p99 ${(hubR.roundP99 / base.roundP99).toFixed(2)}, send loop ${(hubR.loopP50 / base.loopP50).toFixed(2)}`,
  );
  console.log(
    `ratio floor/baseline (bare write(2) per socket, the bound): p50 ${(floorR.p50 / base.p50).toFixed(2)}, ` +
      `p99 ${(floorR.p99 / base.p99).toFixed(2)}, round p99 ${(floorR.roundP99 / base.roundP99).toFixed(2)}, send loop ${(floorR.loopP50 / base.loopP50).toFixed(2)}`,
  );
  // A floor round is the least work a delivery can cost: the sender's one write(2) (with, on
  // loopback, the receiver's TCP work in softirq) and the receiver's wake-up and read. Spread
  // perfectly over every core, that machine-wide CPU time bounds how soon 99 % of subscribers can
  // have the peak, whatever the server does: more server threads or processes share the same cores.
  const cores = availableParallelism();
  const cpuBound = (0.99 * floorR.machineCpu) / cores;
  console.log(
    `CPU bound on this ${cores}-core machine: a floor round costs ${floorR.machineCpu.toFixed(0)} ms of CPU machine-wide → ` +
      `99 % of deliveries need ≥ ${cpuBound.toFixed(1)} ms = ${(cpuBound / base.p99).toFixed(2)} × the baseline's p99 ` +
      `(${(cpuBound / base.roundP99).toFixed(2)} × its round p99); other load on the machine inflates it`,
  );
  const [cb, ch] = [median(corked.baseline), median(corked.hub)];
  console.log(
    `user-space part of the send loop (sockets corked, ${CORKED_ROUNDS} rounds each): baseline ${cb.toFixed(2)} ms, ` +
      `hub ${ch.toFixed(2)} ms, ratio ${(ch / cb).toFixed(2)}`,
  );
}
console.log(
  `RSS per idle subscriber: baseline ${baseline.rssPerClientKb.toFixed(1)} KB (heap ${baseline.heapPerClientKb.toFixed(1)}), ` +
    `hub ${hub.rssPerClientKb.toFixed(1)} KB (heap ${hub.heapPerClientKb.toFixed(1)}) (target < 50 KB)`,
);
