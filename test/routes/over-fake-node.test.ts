/**
 * The REST API over real sockets: the app (real upstream manager) listening on 127.0.0.1:0, linked
 * over mutual TLS to the strict fake full node, queried with fetch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex, types, headerHash } from '../../src/chia/codec/index.js';
import { startFakeNode, type FakeNode } from '../../fake-node/index.js';
import { configOver, listenOver, type AppOverNodes } from '../support/app-over-nodes.js';
import { eventually } from '../support/eventually.js';

const NETWORK = 'devnet';
const CHAIN_LENGTH = 120;

let node: FakeNode;
let gateway: AppOverNodes;
let base: string;

beforeAll(async () => {
  node = await startFakeNode({ network: NETWORK, chainLength: CHAIN_LENGTH });
  gateway = await listenOver(configOver([node], NETWORK, { linksPerRole: 1 }));
  base = gateway.base;
});

afterAll(async () => {
  await gateway?.close();
  await node?.close();
});

describe('REST over the fake full node', () => {
  it('GET /v1/peak reports the node peak and the peer', async () => {
    const res = await fetch(`${base}/v1/peak`);
    expect(res.status).toBe(200);
    const peak = (await res.json()) as { height: number; peers: string[] };
    expect(peak.height).toBe(CHAIN_LENGTH - 1);
    expect(peak.peers).toEqual([`127.0.0.1:${node.port}`]);
  });

  it('GET /v1/blocks/{height} serves a full block whose header hash checks out, one upstream request per 32', async () => {
    const before = node.requestCounts.request_blocks ?? 0;
    const res = await fetch(`${base}/v1/blocks/5`, { headers: { accept: 'application/octet-stream' } });
    expect(res.status).toBe(200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const block = types.FullBlock.decode(bytes);
    expect(block.reward_chain_block.height).toBe(5);
    expect(res.headers.get('x-chia-header-hash')).toBe(toHex(headerHash(block)));
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    for (let h = 0; h < 32; h++) expect((await fetch(`${base}/v1/blocks/${h}`)).status).toBe(200);
    // Batch 0–31, plus two batches per ready link (one link: 32–63 and 64–95) read ahead once the walk
    // was seen to be sequential; 40 is served from them.
    expect((await fetch(`${base}/v1/blocks/40`)).status).toBe(200);
    await eventually('the read-ahead settled', () => (node.requestCounts.request_blocks ?? 0) - before === 3);
    expect((await fetch(`${base}/v1/blocks/90`)).status).toBe(200);
    expect((node.requestCounts.request_blocks ?? 0) - before).toBe(3);
  });

  it('GET /v1/blocks?start&end returns a range across batches', async () => {
    const res = await fetch(`${base}/v1/blocks?start=30&end=70`);
    const body = (await res.json()) as { blocks: { height: number }[] };
    expect(body.blocks.map((b) => b.height)).toEqual(Array.from({ length: 40 }, (_, i) => 30 + i));
  });

  it('GET /v1/blocks/{height}/header and /v1/headers serve header blocks over the wallet link', async () => {
    const one = await fetch(`${base}/v1/blocks/99/header`);
    expect(one.status).toBe(200);
    const body = (await one.json()) as { height: number; header_hash: string; block: { transactions_filter: string } };
    expect(body.height).toBe(99);
    const full = (await (await fetch(`${base}/v1/blocks/99`)).json()) as { header_hash: string };
    expect(body.header_hash).toBe(full.header_hash);
    const range = await fetch(`${base}/v1/headers?start=100&end=${CHAIN_LENGTH + 10}`);
    expect(((await range.json()) as { blocks: unknown[] }).blocks).toHaveLength(CHAIN_LENGTH - 100);
  });

  it('GET additions and removals of a transaction block', async () => {
    const header = (await (await fetch(`${base}/v1/blocks/3/header`)).json()) as {
      header_hash: string;
      block: { reward_chain_block: { is_transaction_block: boolean } };
    };
    expect(header.block.reward_chain_block.is_transaction_block).toBe(true);
    const additions = await fetch(`${base}/v1/blocks/3/additions`);
    expect(additions.status).toBe(200);
    const added = (await additions.json()) as { header_hash: string; additions: { coin_id: string }[] };
    expect(added.header_hash).toBe(header.header_hash);
    const removals = await fetch(`${base}/v1/blocks/3/removals`);
    expect(removals.status).toBe(200);
    expect(((await removals.json()) as { removals: unknown[] }).removals).toBeInstanceOf(Array);
  });

  it('asks the node once for the coins of a buried block, however often and concurrently they are requested', async () => {
    const count = () => node.requestCounts.request_additions ?? 0;
    const before = count();
    const urls = ['', '?ints=number', '', '?ints=number'].map((q) => `${base}/v1/blocks/6/additions${q}`);
    const responses = await Promise.all(urls.map((url) => fetch(url)));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(count() - before).toBe(1);
    expect((await fetch(`${base}/v1/blocks/6/additions`)).status).toBe(200);
    expect(count() - before).toBe(1);
  });

  it('coalesces concurrent identical coin requests into one node request per list, in the block cache', async () => {
    const hash = toHex(node.chain.headerHash(9));
    const before = { additions: node.requestCounts.request_additions ?? 0, removals: node.requestCounts.request_removals ?? 0 };
    const responses = await Promise.all(
      ['additions', 'removals'].flatMap((field) => Array.from({ length: 5 }, () => fetch(`${base}/v1/blocks/9/${field}`))),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as { height: number; header_hash: string }[];
    expect(bodies.every((b) => b.height === 9 && b.header_hash === hash)).toBe(true);
    expect((node.requestCounts.request_additions ?? 0) - before.additions).toBe(1);
    expect((node.requestCounts.request_removals ?? 0) - before.removals).toBe(1);
  });

  it('404 above the peak, and /v1/status lists the links', async () => {
    const above = await fetch(`${base}/v1/blocks/${CHAIN_LENGTH + 5}`);
    expect(above.status).toBe(404);
    expect(above.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    const status = (await (await fetch(`${base}/v1/status`)).json()) as {
      links: { role: string; state: string }[];
      cache: { entries: number };
    };
    expect(status.links.map((l) => `${l.role}:${l.state}`).sort()).toEqual(['full_node:ready', 'wallet:ready']);
    expect(status.cache.entries).toBeGreaterThan(0);
  });
});
