/**
 * Two replicas (the app built twice, listening) over one strict fake node and one real redis-server:
 * the shared cache serves one replica what the other fetched, 2 × 100 concurrent misses of one batch
 * make one upstream request, and Redis stopped in the middle of a load costs no request and is used
 * again once it is back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeNode, type FakeNode } from '../../fake-node/index.js';
import { configOver, listenOver, type AppOverNodes } from '../support/app-over-nodes.js';
import { redisTestsRun, startRedis, type RedisServer } from '../support/redis-server.js';
import { eventually } from '../support/eventually.js';
import type { StatusBody } from '../../schemas/status.js';
import { LiveClient } from '../live/live-app.js';
import { SseClient } from '../live/sse-client.js';

const NETWORK = 'devnet';
const CHAIN_LENGTH = 2_000;
const CONCURRENT = 100;

const run = redisTestsRun('Redis replica tests');

describe.runIf(run)('two replicas sharing one Redis', () => {
  let node: FakeNode;
  let redis: RedisServer;
  let a: AppOverNodes;
  let b: AppOverNodes;

  beforeAll(async () => {
    node = await startFakeNode({ network: NETWORK, chainLength: CHAIN_LENGTH });
    redis = await startRedis();
    const config = () => configOver([node], NETWORK, { linksPerRole: 1, redis: { url: redis.url, timeoutMs: 250, lockMs: 5_000 } });
    a = await listenOver(config());
    b = await listenOver(config());
    await eventually('both replicas connected to Redis', async () => (await shared(a)).state === 'up' && (await shared(b)).state === 'up');
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await redis?.stop();
    await node?.close();
  });

  const blocks = () => node.requestCounts.request_blocks ?? 0;
  const shared = async (replica: AppOverNodes) => ((await (await fetch(`${replica.base}/v1/status`)).json()) as StatusBody).cache.shared;

  it('a block fetched through A is served by B with no new upstream request', async () => {
    const before = blocks();
    const fromA = await fetch(`${a.base}/v1/blocks/100`, { headers: { accept: 'application/octet-stream' } });
    expect(fromA.status).toBe(200);
    expect(blocks() - before).toBe(1);
    const fromB = await fetch(`${b.base}/v1/blocks/100`, { headers: { accept: 'application/octet-stream' } });
    expect(fromB.status).toBe(200);
    expect(Buffer.from(await fromB.arrayBuffer())).toEqual(Buffer.from(await fromA.arrayBuffer()));
    expect(fromB.headers.get('x-chia-header-hash')).toBe(fromA.headers.get('x-chia-header-hash'));
    expect(blocks() - before).toBe(1);
    expect((await shared(b)).hits).toBeGreaterThan(0);
  });

  it('header blocks and coin lists go through Redis too', async () => {
    const header = await (await fetch(`${a.base}/v1/blocks/103/header`)).json();
    const additions = await (await fetch(`${a.base}/v1/blocks/103/additions`)).json();
    const headers = node.requestCounts.request_block_headers ?? 0;
    const coins = node.requestCounts.request_additions ?? 0;
    expect(await (await fetch(`${b.base}/v1/blocks/103/header`)).json()).toEqual(header);
    expect(await (await fetch(`${b.base}/v1/blocks/103/additions`)).json()).toEqual(additions);
    expect(node.requestCounts.request_block_headers ?? 0).toBe(headers);
    expect(node.requestCounts.request_additions ?? 0).toBe(coins);
  });

  it('2 × 100 concurrent misses of one batch across both replicas make one upstream request', async () => {
    const before = blocks();
    const requests = [];
    // Heights all over the batch 320–351, never one after the other (which would read the next batch ahead).
    for (let i = 0; i < CONCURRENT; i++) {
      for (const replica of [a, b]) requests.push(fetch(`${replica.base}/v1/blocks/${320 + ((i * 7) % 32)}`));
    }
    const statuses = await Promise.all(requests.map(async (r) => (await r).status));
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(blocks() - before).toBe(1);
  });

  it('a replica that died holding the lock delays the others only until the lock expires', async () => {
    // A lock on batch 640–671 that nobody will release (its holder is gone).
    expect(await redis.command(`SET chia-gateway:${NETWORK}:lock:full:640 dead-holder PX 1000`)).toBe('+OK\r\n');
    const waits = (await shared(a)).lock_waits;
    const before = blocks();
    expect((await fetch(`${a.base}/v1/blocks/650`)).status).toBe(200);
    expect((await shared(a)).lock_waits).toBe(waits + 1);
    expect(blocks() - before).toBe(1);
  });

  it('the tip is never shared: a block above the buried depth is fetched by each replica', async () => {
    const tip = CHAIN_LENGTH - 2;
    const before = blocks();
    expect((await fetch(`${a.base}/v1/blocks/${tip}`)).status).toBe(200);
    expect((await fetch(`${b.base}/v1/blocks/${tip}`)).status).toBe(200);
    expect(blocks() - before).toBe(2);
  });

  it('a WebSocket and an SSE client of A reconnect to B with their cursors across a reorg: nothing missed, nothing duplicated', async () => {
    const ws = new LiveClient(`${a.base.replace('http', 'ws')}/v1/ws`);
    const sse = new SseClient(`${a.base}/v1/events`);
    // Connected to A throughout: what the others must have seen, in order.
    const witness = new LiveClient(`${a.base.replace('http', 'ws')}/v1/ws`);
    const liveIds = (c: LiveClient) => c.messages.filter((m) => m.type === 'peak' || m.type === 'reorg').map((m) => String(m.id));
    await witness.until((m) => m.length >= 1, 'hello');
    const first = node.chain.addBlock();
    await ws.until((m) => m.some((x) => x.type === 'peak' && (x.data as { height: number }).height === first.height), 'the first peak');
    await eventually('SSE has the first peak', () => sse.events.some((e) => e.event === 'peak'));
    const wsCursor = String(ws.messages.findLast((m) => m.type === 'peak')?.id);
    const sseCursor = String(sse.events.findLast((e) => e.event === 'peak')?.id);
    ws.close();
    sse.close();

    // While they are away: a reorg both replicas see, and a block after it.
    node.chain.reorg(2);
    const last = node.chain.addBlock();
    const lastHash = `0x${Buffer.from(last.header_hash).toString('hex')}`;
    const seenBy = async (replica: AppOverNodes) => replica.app.upstream.peak()?.header_hash === lastHash;
    await eventually('both replicas at the new peak', async () => (await seenBy(a)) && (await seenBy(b)));
    await witness.until((m) => m.some((x) => x.type === 'peak' && (x.data as { header_hash: string }).header_hash === lastHash), 'the witness at the new peak');
    const missed = liveIds(witness).slice(liveIds(witness).indexOf(wsCursor) + 1);
    expect(missed.some((id) => id.endsWith(':reorg'))).toBe(true);

    const wsOnB = new LiveClient(`${b.base.replace('http', 'ws')}/v1/ws?last_event_id=${wsCursor}`);
    const sseOnB = new SseClient(`${b.base}/v1/events`, { 'last-event-id': sseCursor });
    await wsOnB.until((m) => m.some((x) => x.type === 'subscribed'), 'the replay on B');
    await eventually('the SSE replay on B', () => sseOnB.events.some((e) => e.event === 'subscribed'));
    expect(liveIds(wsOnB)).toEqual(missed);
    expect(sseOnB.events.filter((e) => e.id !== null).map((e) => e.id)).toEqual(missed);
    expect(wsOnB.count('gap') + sseOnB.events.filter((e) => e.event === 'gap').length).toBe(0);
    for (const c of [witness, wsOnB]) c.close();
    sseOnB.close();
  });

  it('Redis stopped in the middle of a load: every request answered; restarted: hits resume', async () => {
    // A sequential walk through A while Redis goes away, then comes back empty.
    let failed = 0;
    let served = 0;
    let height = 512;
    const walk = async (until: () => boolean) => {
      while (!until()) {
        const res = await fetch(`${a.base}/v1/blocks/${height++}`);
        await res.arrayBuffer();
        if (res.status === 200) served++;
        else failed++;
      }
    };
    let stopped = false;
    const load = walk(() => stopped && served > 150);
    await eventually('the walk under way', () => served > 20);
    await redis.stop();
    await eventually('A sees Redis down', async () => (await shared(a)).state === 'down');
    stopped = true;
    await load;
    expect(failed).toBe(0);
    await eventually('/readyz stays ready', async () => (await fetch(`${a.base}/readyz`)).status === 200);
    const metrics = await (await fetch(`${a.base}/metrics`)).text();
    expect(metrics).toMatch(/^chia_gateway_shared_cache_up 0$/m);

    await redis.start();
    await eventually('A and B use Redis again', async () => (await shared(a)).state === 'up' && (await shared(b)).state === 'up', 30_000);
    const before = blocks();
    expect((await fetch(`${a.base}/v1/blocks/1200`)).status).toBe(200);
    const hits = (await shared(b)).hits;
    expect((await fetch(`${b.base}/v1/blocks/1200`)).status).toBe(200);
    expect(blocks() - before).toBe(1);
    expect((await shared(b)).hits).toBe(hits + 1);
  });
});
