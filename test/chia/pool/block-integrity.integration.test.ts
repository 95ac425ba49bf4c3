/**
 * A peer that serves a historical block with a correct foliage (so a correct header hash) but an
 * altered body (§g.3 steps 2–4) is caught: the request is answered by another peer and the faulty
 * one gets an invalid-reply warning. Two strict fake nodes over real TLS.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toHex, types } from '../../../src/chia/codec/index.js';
import type { RequestOutcome, Role } from '../../../src/chia/upstream-api.js';
import type { UpstreamManager } from '../../../src/chia/pool/upstream-manager.js';
import type { FakeChain } from '../../../fake-node/chain.js';
import type { FakeNode } from '../../../fake-node/index.js';
import { makeManager, startNode } from '../../support/upstream-harness.js';
import { eventually } from '../../support/eventually.js';
import { RecordingLogger } from '../../support/recording-logger.js';

/** A transaction block well below the peak: historical blocks are checked like new ones. */
const TX_HEIGHT = 6;

const address = (node: FakeNode) => `127.0.0.1:${node.port}`;

/** Makes `chain` serve `height` with transactions_info.fees changed (full) or a flipped filter byte (header). */
function tamper(chain: FakeChain, height: number): void {
  const full = chain.fullBlockBytes.bind(chain);
  const header = chain.headerBlockBytes.bind(chain);
  chain.fullBlockBytes = (h, include) => {
    if (h !== height) return full(h, include);
    const block = chain.block(h);
    return types.FullBlock.encode({ ...block, transactions_info: { ...block.transactions_info!, fees: 1n } });
  };
  chain.headerBlockBytes = (h, withFilter) => {
    if (h !== height) return header(h, withFilter);
    const block = chain.headerBlock(h, withFilter);
    const filter = Uint8Array.from(block.transactions_filter);
    filter[1] = filter[1]! ^ 1;
    return types.HeaderBlock.encode({ ...block, transactions_filter: filter });
  };
}

function untamper(chain: FakeChain): void {
  Reflect.deleteProperty(chain, 'fullBlockBytes');
  Reflect.deleteProperty(chain, 'headerBlockBytes');
}

describe('a block whose body does not match its foliage', () => {
  let nodes: FakeNode[];
  let manager: UpstreamManager | undefined;

  beforeAll(async () => {
    nodes = await Promise.all([startNode(), startNode()]);
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.close()));
  });
  afterEach(async () => {
    await manager?.close();
    for (const node of nodes) untamper(node.chain);
    expect(nodes.flatMap((n) => n.violations)).toEqual([]);
  });

  it.each([
    { role: 'full_node', message: 'request_blocks', field: /transactions_info hashes/, fetch: (m: UpstreamManager) => m.getBlocks(TX_HEIGHT, TX_HEIGHT + 1) },
    { role: 'wallet', message: 'request_block_headers', field: /transactions_filter hashes/, fetch: (m: UpstreamManager) => m.getHeaderBlocks(TX_HEIGHT, TX_HEIGHT + 1) },
  ] as const)('$message: is fetched from the other peer, and the faulty one is reported', async ({ role, message, field, fetch }) => {
    const outcomes: RequestOutcome[] = [];
    const logger = new RecordingLogger();
    const roles: Role[] = [role];
    manager = makeManager({ nodes, roles, extra: { logger } });
    manager.on('request', (o) => outcomes.push(o));
    await manager.start();
    await eventually('every link ready with a peak', () => manager!.status().links.every((l) => l.state === 'ready' && l.peak !== null));
    const peer = manager.status().links.find((l) => l.role === role)!.peer;
    const [faulty, good] = peer === address(nodes[0]!) ? [nodes[0]!, nodes[1]!] : [nodes[1]!, nodes[0]!];
    tamper(faulty.chain, TX_HEIGHT);

    const blocks = await fetch(manager);
    expect(blocks.map((b) => [b.peer, b.header_hash])).toEqual([
      [address(good), toHex(good.chain.headerHash(TX_HEIGHT))],
      [address(good), toHex(good.chain.headerHash(TX_HEIGHT + 1))],
    ]);
    expect(outcomes.filter((o) => o.message === message).map((o) => [o.peer, o.outcome])).toEqual([
      [address(faulty), 'error'],
      [address(good), 'ok'],
    ]);
    const warning = logger.warnings.find((w) => w.msg?.includes('invalid reply') && w.obj.peer === address(faulty));
    expect(JSON.stringify(warning?.obj)).toMatch(new RegExp(`height ${TX_HEIGHT}: ${field.source}`));
  });
});
