/**
 * Coalescing across a reorg, with the real router under the real cache (the app with its upstream
 * manager, over real TLS to two strict fake nodes): a miss after a reorg must not share a request made
 * before it, whose blocks belong to the replaced branch, or an orphaned block would be cached (and,
 * once buried, served as immutable).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../src/chia/codec/index.js';
import { startFakeNode, type FakeNode } from '../../fake-node/index.js';
import { configOver, listenOver, type AppOverNodes } from '../support/app-over-nodes.js';
import { eventually } from '../support/eventually.js';

const NETWORK = 'devnet';
/** Peak 129: the batch 96–127 lies wholly below it, so its request is the same before and after the reorg. */
const CHAIN_LENGTH = 130;
/** The reorg replaces heights 90 and up (fork point 89) with a heavier branch one block longer. */
const REORG_DEPTH = 40;
const HEIGHT = 100;
/** Long enough for the reorg to reach the gateway while the first request is still unanswered. */
const SLOW_REPLY_MS = 2_000;
const WAIT_MS = 30_000;

let nodes: [FakeNode, FakeNode];
let gateway: AppOverNodes;

beforeAll(async () => {
  nodes = [await startFakeNode({ network: NETWORK, chainLength: CHAIN_LENGTH }), await startFakeNode({ network: NETWORK, chainLength: CHAIN_LENGTH })];
  gateway = await listenOver(configOver(nodes, NETWORK, { roles: ['full_node'], linksPerRole: 2 }));
});

afterAll(async () => {
  await gateway?.close();
  await Promise.all((nodes ?? []).map((n) => n.close()));
});

const hashOf = async (res: Response) => ((await res.json()) as { header_hash: string }).header_hash;

describe('a miss after a reorg', () => {
  it('does not share the request of a miss before it, and the old branch is never cached', async () => {
    const { app, base } = gateway;
    // With idle links the first slot's peer is asked first: it stays on the old branch and answers slowly.
    const first = app.upstream.status().links[0]!.peer;
    const [stale, reorged] = first === `127.0.0.1:${nodes[0].port}` ? nodes : [nodes[1], nodes[0]];
    const oldHash = toHex(stale.chain.headerHash(HEIGHT));
    stale.faults.set('request_blocks', { kind: 'slow', ms: SLOW_REPLY_MS }, { times: 1 });

    const before = fetch(`${base}/v1/blocks/${HEIGHT}`);
    await eventually('the first miss reached the stale peer', () => (stale.requestCounts.request_blocks ?? 0) > 0, WAIT_MS);

    reorged.chain.reorg(REORG_DEPTH);
    const newHash = toHex(reorged.chain.headerHash(HEIGHT));
    expect(newHash).not.toBe(oldHash);
    const newPeak = toHex(reorged.chain.headerHash(reorged.chain.height));
    await eventually('the gateway follows the reorg', () => app.upstream.peak()?.header_hash === newPeak, WAIT_MS);

    const after = await fetch(`${base}/v1/blocks/${HEIGHT}`);
    expect(after.status).toBe(200);
    expect(await hashOf(after)).toBe(newHash);
    expect((await before).status).toBe(200);

    // Served from the cache now, and only ever the new branch's block.
    const asked = (reorged.requestCounts.request_blocks ?? 0) + (stale.requestCounts.request_blocks ?? 0);
    const cached = await fetch(`${base}/v1/blocks/${HEIGHT}`);
    expect(cached.headers.get('x-chia-header-hash')).toBe(newHash);
    expect((reorged.requestCounts.request_blocks ?? 0) + (stale.requestCounts.request_blocks ?? 0)).toBe(asked);
    expect(nodes.flatMap((n) => n.violations)).toEqual([]);
  });
});
