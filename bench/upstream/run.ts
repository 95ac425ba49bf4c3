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
import { PeerLink } from '../../src/chia/peer-link.js';
import { RATE_LIMITS_V2 } from '../../src/chia/rate-limits.js';
import { createChiaCertificate, loadChiaCa } from '../../src/chia/tls-identity.js';
import { startFakeNode, type FakeNode } from '../../test/fake-node/index.js';

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

function openLink(node: FakeNode, windowMs: number, identity = createChiaCertificate()): Promise<PeerLink> {
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
  const { cert, key } = createChiaCertificate();
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
  console.log(`\nPacing ceiling (window ${SCALED_WINDOW_MS} ms on both sides, share ${PACING_SHARE}), flooding one link for 3 windows:`);
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
        identity: createChiaCertificate(),
        ca,
        requestTimeoutMs: 30_000,
        pacing: { share: PACING_SHARE, queueSize: 100_000, windowMs: SCALED_WINDOW_MS },
      });
      await link.open();
      const limit = RATE_LIMITS_V2[c.name].frequency ?? Infinity;
      const sent: number[] = [];
      const flood = Math.ceil(limit * 3);
      const started = Date.now();
      const all = Array.from({ length: flood }, (_, i) =>
        link.request(c.name, c.payload(i)).then(
          () => sent.push(Date.now() - started),
          () => undefined, // still queued when the link closes
        ),
      );
      await new Promise((r) => setTimeout(r, 3 * SCALED_WINDOW_MS));
      const perWindow = [0, 1, 2].map((w) => sent.filter((t) => t >= w * SCALED_WINDOW_MS && t < (w + 1) * SCALED_WINDOW_MS).length);
      link.close();
      await Promise.allSettled(all);
      console.log(
        `  ${c.name}: node limit ${limit}/window, link ceiling ${link.pacingCeiling(c.name)}/window; answered per window ${perWindow.join(', ')} ` +
          `(${((Math.max(...perWindow) / limit) * 100).toFixed(0)} % of the limit at most)`,
      );
    }
    console.log(`  node violations: ${node.violations.length}, bans: ${node.bans.length}`);
  } finally {
    await node.close();
  }
}

await throughput();
await ceiling();
