/**
 * Soak test (`npm run soak`, not part of `npm test`): the gateway as a real process over the strict
 * fake full node, under minutes of mixed REST, WebSocket and SSE load, with upstream drops and the abuse
 * patterns of the red-team report at a low rate. It ends with the figures that show the gateway holds:
 * RSS growth between the first and the last minute, file descriptors back at their idle baseline once
 * the load stops, no 5xx caused by clients, no event lost or repeated by the live streams.
 *
 *   npm run soak -- [--minutes 10] [--drops 100]
 *
 * Exits 1 when a criterion fails.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startFakeNode } from '../../fake-node/index.js';
import { ABUSE_CASES, runAbuse } from './abuse.js';
import { closeAgents, send } from './http-client.js';
import { liveClients } from './live-clients.js';
import { openFds, rssBytes } from './proc-stats.js';
import { restLoad } from './rest-load.js';
import { Tally } from './tally.js';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, drops: { type: 'string', default: '100' } } });
const DURATION_MS = Number(values.minutes) * 60_000;
const DROPS = Number(values.drops);

const NETWORK = 'devnet';
const CHAIN_LENGTH = 4_000;
const BLOCK_INTERVAL_MS = 3_000;
const REORG_EVERY = 10;
/** Small, so the cache is full after the warm-up and its growth is not mistaken for a leak. */
const CACHE_MB = 8;
const REST_WORKERS = 6;
const REST_PAUSE_MS = 15;
const WS_CLIENTS = 30;
const SSE_CLIENTS = 15;
const HOLD_MS: [number, number] = [5_000, 40_000];
const ABUSE_EVERY_MS = 3_000;
const SAMPLE_EVERY_MS = 5_000;
/** RSS is compared between this first window of the load (after it) and the same-length last one. */
const WARMUP_MS = Math.min(60_000, DURATION_MS / 5);
const MAX_RSS_GROWTH = 0.1;
/** How long descriptors may take to come back once the load has stopped (keep-alive and request deadlines). */
const SETTLE_LIMIT_MS = 120_000;
const READY_LIMIT_MS = 120_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function waitReady(base: URL): Promise<void> {
  const deadline = Date.now() + READY_LIMIT_MS;
  while (Date.now() < deadline) {
    const answer = await send(base, '/readyz').catch(() => undefined);
    if (answer?.status === 200) return;
    await sleep(500);
  }
  throw new Error('the gateway did not become ready');
}

const node = await startFakeNode({ network: NETWORK, chainLength: CHAIN_LENGTH, devnet: { blockIntervalMs: BLOCK_INTERVAL_MS, reorgEvery: REORG_EVERY } });
const dataDir = mkdtempSync(join(tmpdir(), 'gateway-soak-'));
const port = await freePort();
const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const gateway = spawn(process.execPath, ['--import', 'tsx', cli], {
  env: {
    ...process.env,
    PORT: String(port),
    LOG_LEVEL: 'error',
    CHIA_GATEWAY_NETWORK: NETWORK,
    CHIA_GATEWAY_PEERS: `127.0.0.1:${node.port}`,
    CHIA_GATEWAY_LINKS_PER_ROLE: '1',
    CHIA_GATEWAY_DATA_DIR: dataDir,
    CHIA_GATEWAY_CACHE_MB: String(CACHE_MB),
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const pid = gateway.pid;
if (pid === undefined) throw new Error('the gateway did not start');
const base = new URL(`http://127.0.0.1:${port}`);
const tally = new Tally();

try {
  await waitReady(base);
  const idleFds = openFds(pid);
  const idleRss = rssBytes(pid);
  process.stdout.write(`soak: gateway pid ${pid} ready; idle: ${idleFds} fds, ${mib(idleRss)} MiB RSS; ${DURATION_MS / 60_000} min of load\n`);

  let peak = CHAIN_LENGTH - 1;
  const started = Date.now();
  const running = () => Date.now() - started < DURATION_MS;
  const samples: { at: number; rss: number; fds: number }[] = [];

  const sampler = (async () => {
    while (running()) {
      samples.push({ at: Date.now() - started, rss: rssBytes(pid), fds: openFds(pid) });
      const answer = await send(base, '/v1/peak').catch(() => undefined);
      if (answer?.status === 200) peak = (JSON.parse(answer.body) as { height: number }).height;
      await sleep(SAMPLE_EVERY_MS);
    }
  })();
  const drops = (async () => {
    const every = DURATION_MS / (DROPS + 1);
    for (let i = 1; i <= DROPS && running(); i++) {
      await sleep(Math.max(0, started + i * every - Date.now()));
      // Alternate a reset (sockets destroyed) and a clean close, as a node restart or a network cut would.
      if (i % 2 === 0) node.dropConnections();
      else node.disconnectAll(1000, '');
      tally.add('upstream drops');
    }
  })();
  const abuse = (async () => {
    const names = Object.keys(ABUSE_CASES);
    for (let i = 0; running(); i++) {
      void runAbuse(base, names[i % names.length]!, tally);
      await sleep(ABUSE_EVERY_MS);
    }
  })();

  await Promise.all([
    sampler,
    drops,
    abuse,
    restLoad(base, tally, { workers: REST_WORKERS, pauseMs: REST_PAUSE_MS, peak: () => peak, running }),
    liveClients(base, tally, { transport: 'ws', count: WS_CLIENTS, holdMs: HOLD_MS, running }),
    liveClients(base, tally, { transport: 'sse', count: SSE_CLIENTS, holdMs: HOLD_MS, running }),
  ]);
  const loadEnded = Date.now();
  closeAgents();

  // Abuse cases still running (a slowloris waits for its deadline) end within the settle limit too.
  let fds = openFds(pid);
  while (fds > idleFds && Date.now() - loadEnded < SETTLE_LIMIT_MS) {
    await sleep(1_000);
    fds = openFds(pid);
  }
  const settledS = ((Date.now() - loadEnded) / 1000).toFixed(0);

  const windowRss = (from: number, to: number) => mean(samples.filter((s) => s.at >= from && s.at < to).map((s) => s.rss));
  const warmRss = windowRss(WARMUP_MS, 2 * WARMUP_MS);
  const lastRss = windowRss(DURATION_MS - WARMUP_MS, DURATION_MS + 1);
  const growth = lastRss / warmRss - 1;
  const peakFds = Math.max(...samples.map((s) => s.fds));

  const report = {
    minutes: DURATION_MS / 60_000,
    rss_mib: { idle: mib(idleRss), after_warmup: mib(warmRss), last_window: mib(lastRss), growth: `${(growth * 100).toFixed(1)} %` },
    fds: { idle: idleFds, peak_under_load: peakFds, after_load: fds, settled_in_s: Number(settledS) },
    counts: Object.fromEntries([...tally.counts].sort(([a], [b]) => a.localeCompare(b))),
    failure_examples: Object.fromEntries(tally.examples),
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);

  const verdicts = [
    [`RSS growth ${(growth * 100).toFixed(1)} % < ${MAX_RSS_GROWTH * 100} %`, growth < MAX_RSS_GROWTH],
    [`file descriptors back at baseline (${fds} ≤ ${idleFds})`, fds <= idleFds],
    [`no failures (${tally.failures()}: 5xx caused by clients, lost or repeated events, abuse answered wrongly)`, tally.failures() === 0],
  ] as const;
  for (const [what, ok] of verdicts) process.stdout.write(`${ok ? 'PASS' : 'FAIL'}  ${what}\n`);
  process.exitCode = verdicts.every(([, ok]) => ok) ? 0 : 1;
} finally {
  gateway.kill('SIGTERM');
  await new Promise((resolve) => gateway.once('exit', resolve));
  await node.close();
  rmSync(dataDir, { recursive: true, force: true });
}
