/**
 * Sharing the upstream budget between clients, over real sockets: the app (real upstream manager,
 * pacing window scaled down like the strict fake node's) answering HTTP from two client addresses
 * (127.0.0.1 and 127.0.0.2, so request.ip differs), linked over mutual TLS to the fake node, which
 * records any rate-limit violation.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/config/config.js';
import { toHex } from '../../src/chia/codec/index.js';
import type { RequestOutcome } from '../../src/chia/upstream-api.js';
import { UpstreamManager } from '../../src/chia/pool/upstream-manager.js';
import { startFakeNode, type FakeNode } from '../../fake-node/index.js';
import { configOver, listenOver } from '../support/app-over-nodes.js';
import { eventually } from '../support/eventually.js';
import { GUARD_MS, fastBackoff, testIdentities } from '../support/upstream-harness.js';
import { loadChiaCa } from '../../src/process/chia-ca.js';

const NETWORK = 'devnet';
const HEAVY = '127.0.0.1';
const LIGHT = '127.0.0.2';
/** request_blocks: 500 a window at the node; 2 % of it is 10 a window per link, 5 of them for one client. */
const PACING_SHARE = 0.02;
const CEILING = 10;
const CLIENT_SHARE = 0.5;
/** Heights per range request: 100 is the API's most, four aligned batches of 32 when it starts on one. */
const RANGE = 100;
/** The upstream requests of such a range. */
const BATCHES_PER_RANGE = 4;
/** Range starts this far apart never share a batch. */
const RANGE_STRIDE = 128;
const WAIT_MS = 30_000;

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** GET `path` from the client address `from` (a loopback address of this machine). */
function get(base: string, path: string, from: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { localAddress: from }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** `count` uncached 100-block ranges from `from`, starting at `first` (each four request_blocks). */
function ranges(base: string, from: string, first: number, count: number): Promise<Reply>[] {
  return Array.from({ length: count }, (_, i) => {
    const start = first + i * RANGE_STRIDE;
    return get(base, `/v1/blocks?start=${start}&end=${start + RANGE}`, from);
  });
}

/** A 503 UPSTREAM_BUSY problem whose Retry-After is whole seconds from `min` to `max`. */
function expectBusy(reply: Reply, min: number, max: number): void {
  expect(reply.status).toBe(503);
  expect(reply.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  expect(JSON.parse(reply.body)).toMatchObject({ status: 503, code: 'UPSTREAM_BUSY' });
  const retryAfter = Number(reply.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(min);
  expect(retryAfter).toBeLessThanOrEqual(max);
}

interface Setup {
  node: FakeNode;
  manager: UpstreamManager;
  base: string;
  close: () => Promise<void>;
}

/** The app over one fake node, both with a `windowMs` rate-limit window, one full_node link. */
async function startGateway(windowMs: number, overrides: Partial<GatewayConfig>): Promise<Setup> {
  const node = await startFakeNode({ network: NETWORK, chainLength: 1_200, rateLimitWindowMs: windowMs });
  const config = configOver([node], NETWORK, { roles: ['full_node'], linksPerRole: 1, pacingShare: PACING_SHARE, pacingClientShare: CLIENT_SHARE, ...overrides });
  const manager = new UpstreamManager({ config, ca: loadChiaCa(), identities: testIdentities(), backoff: fastBackoff, pacingWindowMs: windowMs, pacingGuardMs: GUARD_MS, unverifiedForkDepth: config.confirmations, banBackoffMs: config.banBackoffMs });
  const gateway = await listenOver(config, { upstream: manager });
  const close = async () => {
    await gateway.close();
    await manager.close();
    await node.close();
  };
  return { node, manager, base: gateway.base, close };
}

const queued = (s: Setup) => s.manager.status().links[0]!.queued;
const sent = (s: Setup) => s.node.requestCounts.request_blocks ?? 0;

/**
 * Waits until what the link sent while starting up has left the pacing window. The window is time
 * itself (no event marks its end, and the core takes no clock), so the wait is for the moment the
 * pacer's own rule frees it: windowMs plus the guard after the link became ready.
 */
async function startUpOutOfWindow(s: Setup, windowMs: number): Promise<void> {
  const readyAt = s.manager.status().links[0]!.since;
  await eventually('the start-up messages out of the pacing window', () => Date.now() > readyAt + windowMs + GUARD_MS, WAIT_MS);
}

describe('one client flooding the gateway with uncached ranges', () => {
  // Long enough that the first window's grants are all answered before the next one opens.
  const WINDOW_MS = 2_000;
  let s: Setup;
  // A gateway each: every test starts on a fresh pacing window.
  beforeEach(async () => {
    s = await startGateway(WINDOW_MS, { requestTimeoutMs: 30_000, pacingMaxWaitMs: 30_000 });
  });
  afterEach(async () => s?.close());

  it("does not delay another client's single block beyond its fair turn, and breaks no rate limit", async () => {
    expect(s.manager.status().links[0]!.rate_limits).toBe('v2');
    // 12 request_blocks: 5 go at once on the heavy client's share, the rest wait for it to free up.
    const flood = ranges(s.base, HEAVY, 0, 3);
    await eventually('the flood waiting for pacing', () => queued(s) > 0, WAIT_MS);

    const height = 1_000;
    const light = await get(s.base, `/v1/blocks/${height}`, LIGHT);
    // Answered in the first window, on the light client's own share, while the flood still waits.
    const atAnswer = { sent: sent(s), queued: queued(s) };
    expect(light.status).toBe(200);
    expect((JSON.parse(light.body) as { header_hash: string }).header_hash).toBe(toHex(s.node.chain.headerHash(height)));
    expect(atAnswer.sent).toBeLessThanOrEqual(CEILING);
    expect(atAnswer.queued).toBeGreaterThan(0);

    // The flood is served too, from its own share, window after window.
    expect((await Promise.all(flood)).map((r) => r.status)).toEqual([200, 200, 200]);
    expect(s.node.violations).toEqual([]);
    expect(s.node.bans).toEqual([]);
  });

  it("serves a block the flood's waiting request also covers on the light client's share, not behind the flood", async () => {
    const first = 400;
    // 8 request_blocks: 5 go, 3 wait; then one more range, whose 4 requests all wait for the heavy share.
    const flood = ranges(s.base, HEAVY, first, 2);
    await eventually('the flood waiting for pacing', () => queued(s) === 3, WAIT_MS);
    const last = first + 2 * RANGE_STRIDE;
    flood.push(...ranges(s.base, HEAVY, last, 1));
    await eventually('its last range waiting too', () => queued(s) === 7, WAIT_MS);
    const sentBefore = sent(s);

    // A block of the last range: the light client's miss shares the heavy client's waiting request.
    const height = last + 40;
    const light = await get(s.base, `/v1/blocks/${height}`, LIGHT);
    const atAnswer = { sent: sent(s), queued: queued(s) };
    expect(light.status).toBe(200);
    expect((JSON.parse(light.body) as { header_hash: string }).header_hash).toBe(toHex(s.node.chain.headerHash(height)));
    // One request more, the shared one, sent at once; the flood's other requests still wait.
    expect(atAnswer.sent).toBe(sentBefore + 1);
    expect(atAnswer.queued).toBe(6);

    expect((await Promise.all(flood)).map((r) => r.status)).toEqual([200, 200, 200]);
    expect(s.node.violations).toEqual([]);
    expect(s.node.bans).toEqual([]);
  });
});

describe('one client filling the pacing queue', () => {
  const WINDOW_MS = 1_000;
  /**
   * request_blocks: 0.2 % of 500 is one a window per link (the aggregate: two), so a client's share of
   * the window rounds up to all of it and every other client's request has to wait in the queue: only
   * the client's share of the queue keeps room for it there.
   */
  const TINY_SHARE = 0.002;
  const QUEUE_SIZE = 4;
  /** Places one client may hold: its share (one half) of the queue. */
  const CLIENT_PLACES = QUEUE_SIZE * CLIENT_SHARE;
  /** One request_blocks each (heights in distinct batches of 32): one sent, more than the queue holds. */
  const FLOOD = 1 + QUEUE_SIZE + 3;
  const BATCH = 32;
  let s: Setup;
  beforeAll(async () => {
    s = await startGateway(WINDOW_MS, { pacingShare: TINY_SHARE, pacingQueueSize: QUEUE_SIZE, requestTimeoutMs: 30_000, pacingMaxWaitMs: 30_000 });
  });
  afterAll(async () => s?.close());

  it("keeps room for another client's request, which is served, and refuses the flood's excess with Retry-After", async () => {
    await startUpOutOfWindow(s, WINDOW_MS);
    const answered: Reply[] = [];
    const flood = Array.from({ length: FLOOD }, (_, i) => get(s.base, `/v1/blocks/${i * BATCH}`, HEAVY).then((r) => (answered.push(r), r)));
    // Each of them sent and answered, waiting in the queue, or refused at once.
    await eventually('the flood sent, queued or refused', () => answered.length + queued(s) === FLOOD, WAIT_MS);
    expect(queued(s)).toBe(CLIENT_PLACES);

    const height = 1_000;
    const light = await get(s.base, `/v1/blocks/${height}`, LIGHT);
    expect(light.status).toBe(200);
    expect((JSON.parse(light.body) as { header_hash: string }).header_hash).toBe(toHex(s.node.chain.headerHash(height)));

    const replies = await Promise.all(flood);
    expect(replies.filter((r) => r.status === 200)).toHaveLength(1 + CLIENT_PLACES);
    const busy = replies.filter((r) => r.status !== 200);
    expect(busy).toHaveLength(FLOOD - 1 - CLIENT_PLACES);
    // Retry-After: when the client's share frees up, as its one entry leaves the window (1 s plus the guard).
    for (const reply of busy) expectBusy(reply, 1, Math.ceil((WINDOW_MS + GUARD_MS) / 1_000));
    expect(s.node.violations).toEqual([]);
    expect(s.node.bans).toEqual([]);
  });
});

describe('a request still waiting for pacing at its deadline', () => {
  // A window far longer than the request deadline: what waits cannot be sent in time.
  const WINDOW_MS = 20_000;
  const REQUEST_TIMEOUT_MS = 1_000;
  let s: Setup;
  const outcomes: RequestOutcome[] = [];
  beforeAll(async () => {
    s = await startGateway(WINDOW_MS, { requestTimeoutMs: REQUEST_TIMEOUT_MS });
    s.manager.on('request', (o) => outcomes.push(o));
  });
  afterAll(async () => s?.close());

  it('is answered 503 UPSTREAM_BUSY with Retry-After from when the window frees up, not 504', async () => {
    const before = sent(s);
    const replies = await Promise.all(ranges(s.base, HEAVY, 0, 3));
    const busy = replies.filter((r) => r.status !== 200);
    expect(busy.length).toBeGreaterThan(0);
    // The client's first entry leaves the window (20 s plus the guard) about 20 s after the deadline.
    for (const reply of busy) expectBusy(reply, REQUEST_TIMEOUT_MS / 1_000 + 1, (WINDOW_MS + GUARD_MS) / 1_000);
    // Sent: the client's share of the window; the requests that waited were never sent to the peer.
    expect(sent(s) - before).toBe(CEILING * CLIENT_SHARE);
    expect(s.node.violations).toEqual([]);
  });

  it('counts the requests that never left the queue as outcome busy in the upstream metrics, not error', async () => {
    // What an earlier test left waiting settles first, so that its outcomes are not counted as these.
    const idle = () => s.manager.status().links[0]!;
    await eventually('the link idle', () => idle().queued === 0 && idle().in_flight === 0, WAIT_MS);
    const from = outcomes.length;
    const before = sent(s);
    const count = 3;
    await Promise.all(ranges(s.base, HEAVY, 512, count));
    // Each of their request_blocks sent, or still waiting at its deadline.
    const settledNow = () => outcomes.slice(from).filter((o) => o.message === 'request_blocks');
    const mine = await eventually(() => `every request settled; ${settledNow().length} settled (${settledNow().map((o) => o.outcome).join(',')}), ${queued(s)} queued`, async () => {
      const settled = settledNow();
      return settled.length >= count * BATCHES_PER_RANGE && queued(s) === 0 && idle().in_flight === 0 ? settled : undefined;
    }, WAIT_MS);
    const busy = mine.filter((o) => o.outcome === 'busy');
    expect(busy.length).toBeGreaterThan(0);
    expect(mine.filter((o) => o.outcome !== 'busy').map((o) => o.outcome)).toEqual(Array.from({ length: sent(s) - before }, () => 'ok'));

    const metrics = await get(s.base, '/metrics', LIGHT);
    const series = (outcome: string) => `chia_gateway_upstream_requests_total{role="full_node",message="request_blocks",outcome="${outcome}"}`;
    const sample = (name: string) => metrics.body.split('\n').find((l) => l.startsWith(`${name} `))?.slice(name.length + 1);
    expect(Number(sample(series('busy')))).toBe(outcomes.filter((o) => o.message === 'request_blocks' && o.outcome === 'busy').length);
    expect(sample(series('error'))).toBeUndefined();
  }, 3 * WAIT_MS); // waits for the link to go idle, then for its own requests: each wait bounded by WAIT_MS
});
