/**
 * The REST API over two fake full nodes, one of which serves wrong blocks: the gateway answers from
 * the other (one retry, then the faulty peer is deprioritised), and a 502 only when both are wrong.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayApp } from '../../src/app.js';
import { toHex } from '../../src/chia/codec/index.js';
import { startFakeNode, type FakeNode } from '../../fake-node/index.js';
import { configOver, listenOver, type AppOverNodes } from '../support/app-over-nodes.js';

const NETWORK = 'devnet';
const CHAIN_LENGTH = 120;

let nodes: [FakeNode, FakeNode];
let gateway: AppOverNodes;
let app: GatewayApp;
let base: string;

beforeAll(async () => {
  nodes = [await startFakeNode({ network: NETWORK, chainLength: CHAIN_LENGTH }), await startFakeNode({ network: NETWORK, chainLength: CHAIN_LENGTH })];
  gateway = await listenOver(configOver(nodes, NETWORK, { linksPerRole: 2 }));
  ({ app, base } = gateway);
});

afterAll(async () => {
  await gateway?.close();
  await Promise.all((nodes ?? []).map((n) => n.close()));
});

describe('REST with a peer that serves wrong blocks', () => {
  it('serves the right block from the other peer, then stops asking the faulty one', async () => {
    // With idle links the first full_node slot's peer is asked first: make that one faulty.
    const first = app.upstream.status().links.find((l) => l.role === 'full_node')!.peer;
    const [faulty, good] = first === `127.0.0.1:${nodes[0].port}` ? nodes : [nodes[1], nodes[0]];
    faulty.faults.set('request_blocks', { kind: 'wrongHeight' });
    const count = (n: FakeNode) => n.requestCounts.request_blocks ?? 0;
    const before = [count(faulty), count(good)];

    const res = await fetch(`${base}/v1/blocks/5`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { height: number; header_hash: string };
    expect(body).toMatchObject({ height: 5, header_hash: toHex(good.chain.headerHash(5)) });
    expect([count(faulty) - before[0]!, count(good) - before[1]!]).toEqual([1, 1]);

    expect((await fetch(`${base}/v1/blocks/70`)).status).toBe(200); // another batch
    expect([count(faulty) - before[0]!, count(good) - before[1]!]).toEqual([1, 2]);

    // Both wrong: one retry, then the typed error as problem+json.
    good.faults.set('request_blocks', { kind: 'wrongHeight' });
    const bad = await fetch(`${base}/v1/blocks/100`);
    expect(bad.status).toBe(502);
    expect(bad.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(count(faulty) + count(good) - before[0]! - before[1]!).toBe(5);
    for (const node of nodes) expect(node.violations).toEqual([]);
  });
});
