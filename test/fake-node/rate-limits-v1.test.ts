/**
 * The fake node enforces the stricter v1 table unless both sides list RATE_LIMITS_V2 (PROTOCOL.md
 * §c.4, §h.1), so a client that paced by v2 on such a link gets banned here as on a real node.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NodeType } from '../../src/chia/protocol/message-rules.js';
import { rateLimitOf, RATE_LIMITS_V1, RATE_LIMITS_V2 } from '../../src/chia/protocol/rate-limits.js';
import { InboundLimiter } from '../../fake-node/inbound-limiter.js';
import { startFakeNode, type FakeNode } from '../../fake-node/index.js';
import { connectRaw, type RawClient } from '../../fake-node/raw-client.js';

const WITH_V2: [number, string][] = [
  [1, '1'],
  [2, '1'],
  [3, '1'],
];
const WITHOUT_V2: [number, string][] = [
  [1, '1'],
  [2, '1'],
];
/**
 * request_puzzle_solution: v2 5,000 a window, not aggregate; v1 1,000 and aggregate (1,000 in all).
 * 2,001 break v1 whatever the bucket phase (at most two 60 s buckets see the burst, one gets > 1,000)
 * and stay far inside v2. The fake node does not answer it, so the burst costs it nothing.
 */
const BURST = 2_001;
const puzzleSolution = { coin_name: new Uint8Array(32), height: 1 };

describe('fake node: v1 inbound table (unit)', () => {
  const v1 = (name: string) => rateLimitOf(name, RATE_LIMITS_V1);
  const v2 = (name: string) => rateLimitOf(name, RATE_LIMITS_V2);
  const burst = (limiter: InboundLimiter, name: string, n: number) => {
    for (let i = 1; i < n; i++) expect(limiter.check(name, 4), `${name} #${i}`).toBeNull();
    return limiter.check(name, 4);
  };

  it('counts v1 wallet requests towards the aggregate limit, which v2 does not', () => {
    const limiter = new InboundLimiter(60_000, v1, () => 0);
    expect(burst(limiter, 'request_block_header', 450)).toBeNull();
    expect(burst(limiter, 'request_puzzle_solution', 551)).toBe('aggregate count > 1000');
    const relaxed = new InboundLimiter(60_000, v2, () => 0);
    expect(burst(relaxed, 'request_block_header', 450)).toBeNull();
    expect(burst(relaxed, 'request_puzzle_solution', 551)).toBeNull();
  });

  it('applies the smaller v1 counts and sizes', () => {
    expect(burst(new InboundLimiter(60_000, v1, () => 0), 'request_additions', 501)).toBe('request_additions: count 501 > 500');
    expect(burst(new InboundLimiter(60_000, v2, () => 0), 'request_additions', 501)).toBeNull();
    expect(new InboundLimiter(60_000, v1, () => 0).check('request_additions', 2 * 1024 * 1024)).toMatch(/max_size/);
    expect(new InboundLimiter(60_000, v2, () => 0).check('request_additions', 2 * 1024 * 1024)).toBeNull();
  });
});

describe('fake node: v1 unless both sides list RATE_LIMITS_V2 (PROTOCOL.md §h.1)', () => {
  let v1Node: FakeNode;
  let v2Node: FakeNode;
  const clients: RawClient[] = [];

  async function ready(node: FakeNode, capabilities: [number, string][]): Promise<{ client: RawClient; capabilities: [number, string][] }> {
    const client = await connectRaw(node.url);
    clients.push(client);
    const hs = await client.handshake(NodeType.WALLET, 'mainnet', capabilities);
    await client.nextNamed('new_peak_wallet');
    return { client, capabilities: hs.capabilities as [number, string][] };
  }

  function sendBurst(client: RawClient): void {
    for (let i = 0; i < BURST; i++) client.send('request_puzzle_solution', puzzleSolution, i % 0xffff);
  }

  beforeAll(async () => {
    [v1Node, v2Node] = await Promise.all([startFakeNode({ chainLength: 20, rateLimitsV2: false }), startFakeNode({ chainLength: 20 })]);
  });
  afterEach(() => {
    v1Node.unban();
    v2Node.unban();
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all([v1Node.close(), v2Node.close()]);
  });

  it('bans a client that lists 3 when the node does not advertise it (rateLimitsV2: false)', async () => {
    const { client, capabilities } = await ready(v1Node, WITH_V2);
    expect(capabilities.map(([id]) => id)).toEqual([1, 2, 5]);
    sendBurst(client);
    expect(await client.closed).toEqual({ code: 1000, reason: '' });
    expect(v1Node.violations).toHaveLength(1);
    expect(v1Node.violations[0]).toMatchObject({ kind: 'rate_limit', message: 'request_puzzle_solution', closeCode: 1000, banSeconds: 300 });
    expect(v1Node.isBanned()).toBe(true);
  });

  it('bans a client that does not list 3, even though the node advertises it', async () => {
    const before = v2Node.violations.length;
    const { client, capabilities } = await ready(v2Node, WITHOUT_V2);
    expect(capabilities.map(([id]) => id)).toEqual([1, 2, 3, 5]);
    sendBurst(client);
    expect(await client.closed).toEqual({ code: 1000, reason: '' });
    expect(v2Node.violations.slice(before)).toMatchObject([{ kind: 'rate_limit', message: 'request_puzzle_solution' }]);
  });

  it('lets the same burst through when both sides list 3 (v2)', async () => {
    const before = v2Node.violations.length;
    const counted = v2Node.requestCounts.request_puzzle_solution ?? 0;
    const { client } = await ready(v2Node, WITH_V2);
    sendBurst(client);
    // Still served afterwards: the whole burst was read and nothing was punished.
    client.send('request_block_header', { height: 3 }, 0xffff);
    expect((await client.next((m) => m.id === 0xffff && m.name !== undefined)).name).toBe('respond_block_header');
    expect((v2Node.requestCounts.request_puzzle_solution ?? 0) - counted).toBe(BURST);
    expect(v2Node.violations.length).toBe(before);
    expect(v2Node.isBanned()).toBe(false);
  });
});
