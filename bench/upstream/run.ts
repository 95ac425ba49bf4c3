/**
 * Upstream link benchmark against the fake node (real TLS 1.3 over loopback):
 *
 * 1. Throughput: requests/s one PeerLink sustains (request_block_headers of one header, 32 in flight),
 *    side by side with a bare baseline client (ws + codec, ids in a Map, no pacing, no checks) in the
 *    same run, reported as a ratio. Both stay under the node's per-window counts, so pacing never binds.
 * 2. Pacing ceiling: how many requests per window the link lets through when flooded, per message
 *    type, against the node's v2 limit (window scaled to 1 s on both sides, as in the tests).
 *
 *   npm run bench:upstream
 */
import WebSocket from 'ws';
import { MessageType, decodeFrame, encodeFrame, types } from '../../src/chia/codec/index.js';
import { PeerLink } from '../../src/chia/link/peer-link.js';
import { RateLimiter } from '../../src/chia/link/rate-limiter.js';
import { RATE_LIMITS_V2 } from '../../src/chia/protocol/rate-limits.js';
import { createChiaCertificate } from '../../src/chia/link/tls-identity.js';
import { loadChiaCa } from '../../src/process/chia-ca.js';
import { startFakeNode, type FakeNode } from '../../fake-node/index.js';

const REQUESTS = 2_000;
const CONCURRENCY = 32;
const ROUNDS = 5;
const SCALED_WINDOW_MS = 1_000;
const PACING_SHARE = 0.6;
const CHAIN_LENGTH = 1_000;

const ca = loadChiaCa().cert;

function headerPayload(i: number) {
  const h = i % CHAIN_LENGTH;
  return { start_height: h, end_height: h, return_filter: true };
}

function openLink(node: FakeNode, windowMs: number, identity = createChiaCertificate(loadChiaCa())): Promise<PeerLink> {
  const link = new PeerLink({
    host: '127.0.0.1',
    port: node.port,
    role: 'wallet',
    network: 'mainnet',
    identity,
    ca,
    requestTimeoutMs: 30_000,
    pacing: { share: PACING_SHARE, queueSize: 100_000, windowMs },
  });
  return link.open().then(() => link);
}

/** Runs `count` requests with `concurrency` in flight; returns requests per second. */
async function drive(count: number, concurrency: number, send: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    while (next < count) await send(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return count / (Number(process.hrtime.bigint() - started) / 1e9);
}

/** The baseline: the same requests over a bare client with none of the link's machinery. */
async function bareClient(node: FakeNode): Promise<{ request: (i: number) => Promise<Uint8Array>; close: () => void }> {
  const { cert, key } = createChiaCertificate(loadChiaCa());
  const ws = new WebSocket(node.url, { cert, key, ca, minVersion: 'TLSv1.3', perMessageDeflate: false, checkServerIdentity: (() => undefined) as unknown as () => boolean });
  const pending = new Map<number, (data: Uint8Array) => void>();
  let handshaken: () => void;
  const ready = new Promise<void>((r) => (handshaken = r));
  ws.on('message', (data: Buffer) => {
    const frame = decodeFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    if (frame.type === MessageType.handshake) return handshaken();
    if (frame.id !== null) pending.get(frame.id)?.(frame.data);
    pending.delete(frame.id ?? -1);
  });
  await new Promise((r) => ws.once('open', r));
  const hs = { network_id: 'mainnet', protocol_version: '0.0.38', software_version: 'bench', server_port: 0, node_type: 6, capabilities: [[1, '1'], [2, '1'], [3, '1']] as [number, string][] };
  ws.send(encodeFrame({ type: MessageType.handshake, id: null, data: types.Handshake.encode(hs) }));
  await ready;
  let nextId = 0;
  return {
    request: (i) =>
      new Promise((resolve) => {
        const id = nextId++ & 0x7fff;
        pending.set(id, resolve);
        ws.send(encodeFrame({ type: MessageType.request_block_headers, id, data: types.RequestBlockHeaders.encode(headerPayload(i)) }));
      }),
    close: () => ws.close(),
  };
}

async function throughput(): Promise<void> {
  // The real 60 s window: 2 × 3 rounds × 2,000 requests stay within 5,000 per connection and window.
  const node = await startFakeNode({ chainLength: CHAIN_LENGTH });
  const rows: string[] = [];
  const ratios: number[] = [];
  try {
    // Warm-up (JIT, TLS session setup) not reported.
    const warm = await bareClient(node);
    await drive(REQUESTS / 4, CONCURRENCY, (i) => warm.request(i));
    warm.close();
    for (let round = 1; round <= ROUNDS; round++) {
      const bare = await bareClient(node);
      const bareRate = await drive(REQUESTS, CONCURRENCY, (i) => bare.request(i));
      bare.close();
      const link = await openLink(node, 60_000);
      const linkRate = await drive(REQUESTS, CONCURRENCY, (i) => link.request('request_block_headers', headerPayload(i)));
      link.close();
      ratios.push(linkRate / bareRate);
      rows.push(`round ${round}: bare ${bareRate.toFixed(0)} req/s, PeerLink ${linkRate.toFixed(0)} req/s, ratio ${(linkRate / bareRate).toFixed(2)}`);
    }
    if (node.violations.length > 0) rows.push(`VIOLATIONS: ${JSON.stringify(node.violations)}`);
  } finally {
    await node.close();
  }
  console.log(`Throughput, one link, ${REQUESTS} × request_block_headers (1 header), ${CONCURRENCY} in flight:`);
  for (const row of rows) console.log(`  ${row}`);
  const sorted = [...ratios].sort((a, b) => a - b);
  console.log(`  median ratio PeerLink / bare: ${sorted[Math.floor(sorted.length / 2)]?.toFixed(2)}`);
}

async function ceiling(): Promise<void> {
  const node = await startFakeNode({ chainLength: CHAIN_LENGTH, rateLimitWindowMs: SCALED_WINDOW_MS });
  console.log(
    `\nEnd to end (window ${SCALED_WINDOW_MS} ms on both sides, share ${PACING_SHARE}), flooding one link for 3 windows, ` +
      'counted when the in-process node handles each message (it lags while building blocks, so arrivals bunch):',
  );
  try {
    const cases = [
      { name: 'request_blocks', role: 'full_node', payload: (i: number) => ({ start_height: i % CHAIN_LENGTH, end_height: i % CHAIN_LENGTH, include_transaction_block: false }) },
      { name: 'request_block_headers', role: 'wallet', payload: headerPayload },
      { name: 'request_peers', role: 'full_node', payload: () => ({}) },
    ] as const;
    for (const c of cases) {
      const link = new PeerLink({
        host: '127.0.0.1',
        port: node.port,
        role: c.role,
        network: 'mainnet',
        identity: createChiaCertificate(loadChiaCa()),
        ca,
        requestTimeoutMs: 30_000,
        pacing: { share: PACING_SHARE, queueSize: 100_000, windowMs: SCALED_WINDOW_MS },
      });
      await link.open();
      const limit = RATE_LIMITS_V2[c.name].frequency ?? Infinity;
      // What the node receives, timed on arrival: the view its fixed buckets judge.
      const arrived: number[] = [];
      const onMessage = (m: { name: string }) => void (m.name === c.name && arrived.push(Date.now()));
      node.on('message', onMessage);
      const all = Array.from({ length: Math.ceil(limit * 3) }, (_, i) => link.request(c.name, c.payload(i)).catch(() => undefined));
      await new Promise((r) => setTimeout(r, 3 * SCALED_WINDOW_MS));
      node.off('message', onMessage);
      link.close();
      await Promise.allSettled(all);
      const buckets = new Map<number, number>();
      for (const t of arrived) buckets.set(Math.floor(t / SCALED_WINDOW_MS), (buckets.get(Math.floor(t / SCALED_WINDOW_MS)) ?? 0) + 1);
      const maxBucket = Math.max(...buckets.values());
      const maxSliding = Math.max(...arrived.map((t) => arrived.filter((u) => u > t - SCALED_WINDOW_MS && u <= t).length));
      console.log(
        `  ${c.name}: node limit ${limit}/window, link ceiling ${link.pacingCeiling(c.name)}/window; received ${arrived.length} in 3 windows, ` +
          `max ${maxBucket} in one node bucket, max ${maxSliding} in any sliding window (${((maxSliding / limit) * 100).toFixed(0)} % of the limit)`,
      );
    }
    console.log(`  node violations: ${node.violations.length}, bans: ${node.bans.length}`);
  } finally {
    await node.close();
  }
}

/** The pacer alone: grant times when flooded for 3 windows (what the link sends, before any network). */
async function pacerCeiling(): Promise<void> {
  console.log(`\nPacer alone (window ${SCALED_WINDOW_MS} ms + default guard, share ${PACING_SHARE}), send times (stamped with release.sent(), as PeerLink does) when flooded for 3 windows:`);
  for (const name of ['request_blocks', 'request_block_headers', 'request_peers'] as const) {
    const limiter = new RateLimiter({ share: PACING_SHARE, queueSize: 100_000, windowMs: SCALED_WINDOW_MS });
    const limit = RATE_LIMITS_V2[name].frequency ?? Infinity;
    const granted: number[] = [];
    const started = Date.now();
    for (let i = 0; i < limit * 3; i++) limiter.acquire(name, 10).then((release) => (release.sent(), granted.push(Date.now() - started), release()), () => undefined);
    await new Promise((r) => setTimeout(r, 3 * SCALED_WINDOW_MS));
    limiter.close(new Error('done'));
    const maxSliding = Math.max(...granted.map((t) => granted.filter((u) => u > t - SCALED_WINDOW_MS && u <= t).length));
    console.log(`  ${name}: node limit ${limit}/window; granted ${granted.length} in 3 windows, max ${maxSliding} in any ${SCALED_WINDOW_MS} ms (${((maxSliding / limit) * 100).toFixed(0)} % of the limit)`);
  }
}

await throughput();
await pacerCeiling();
await ceiling();
