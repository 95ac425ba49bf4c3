/**
 * The upstream links as the HTTP API shows them, over real sockets: the app (its own upstream manager,
 * built from the configuration) listening on 127.0.0.1:0 and linked over mutual TLS to strict fake
 * full nodes. The guessed fork depth follows CHIA_GATEWAY_CONFIRMATIONS; /readyz and /v1/status say
 * which link waits for what; a second link with no node of its own is idle; a garbage reply is an
 * invalid reply.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { buildApp, type GatewayApp } from '../../src/app.js';
import { configWith, type GatewayConfig } from '../../src/config/config.js';
import { toHex } from '../../src/chia/codec/index.js';
import type { LinkStatus } from '../../src/chia/upstream-api.js';
import { startFakeNode, type FakeNode } from '../../fake-node/index.js';
import { eventually } from '../support/eventually.js';
import { closedPort } from '../support/local-port.js';

const NETWORK = 'devnet';
const WAIT_MS = 30_000;
/** Not the default 32: the guessed fork depth must follow the configured one. */
const CONFIRMATIONS = 64;
const dataDir = mkdtempSync(join(tmpdir(), 'gw-links-'));

let running: { app: GatewayApp; nodes: FakeNode[] } | undefined;
afterEach(async () => {
  await running?.app.close();
  await Promise.all(running?.nodes.map((n) => n.close()) ?? []);
  running = undefined;
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function start(nodes: FakeNode[], config: Partial<GatewayConfig>, ports = nodes.map((n) => n.port)): Promise<GatewayApp> {
  const peers = ports.map((port) => ({ host: '127.0.0.1', port }));
  const app = await buildApp({ config: configWith({ logLevel: 'silent', network: NETWORK, peers, dataDir, ...config }), logger: false });
  running = { app, nodes };
  await app.ready();
  return app;
}

interface StatusBody {
  links: LinkStatus[];
  cache: { hits: number; misses: number };
}
const status = async (app: GatewayApp) => (await app.inject('/v1/status')).json<StatusBody>();
const peakOf = async (app: GatewayApp) => (await app.inject('/v1/peak')).json<{ height: number; header_hash: string; fork_point_with_previous_peak: number }>();

function gauge(metrics: string, role: string, state: string): number {
  const series = `chia_gateway_upstream_links{role="${role}",state="${state}"} `;
  const line = metrics.split('\n').find((l) => l.startsWith(series));
  return line === undefined ? Number.NaN : Number(line.slice(series.length));
}

describe('a guessed fork', () => {
  it('is CHIA_GATEWAY_CONFIRMATIONS deep, and the cache drops what it may have replaced', async () => {
    const chainLength = 200;
    const top = chainLength - 1;
    const a = await startFakeNode({ network: NETWORK, chainLength });
    // b's address is known but nothing listens there until a's peak is the best.
    const offline = await startFakeNode({ network: NETWORK, chainLength });
    const bPort = offline.port;
    await offline.close();
    const app = await start([a], { roles: ['full_node'], linksPerRole: 2, confirmations: CONFIRMATIONS }, [a.port, bPort]);
    await eventually('a peak', async () => (await peakOf(app)).header_hash === toHex(a.chain.peak.header_hash), WAIT_MS);

    // A block 40 deep: above the default depth, within the configured one.
    const deep = top - 40;
    expect((await app.inject(`/v1/blocks/${deep}`)).statusCode).toBe(200);
    const before = (await status(app)).cache;
    expect((await app.inject(`/v1/blocks/${deep}`)).statusCode).toBe(200);
    expect((await status(app)).cache).toMatchObject({ hits: before.hits + 1, misses: before.misses });

    // b comes up one block ahead, and its first peak cannot be related to the best: its parent stays unknown.
    const b = await startFakeNode({ network: NETWORK, chainLength, port: bPort });
    running!.nodes.push(b);
    b.faults.set('request_block', { kind: 'reject' }, { times: 1 });
    b.chain.addBlock();
    const peak = await eventually('b’s peak', async () => {
      const p = await peakOf(app);
      return p.height === top + 1 ? p : undefined;
    }, WAIT_MS);
    expect(peak.fork_point_with_previous_peak).toBe(top - CONFIRMATIONS);

    // The block 40 deep was dropped with the guessed reorg: it is fetched again.
    const after = (await status(app)).cache;
    expect((await app.inject(`/v1/blocks/${deep}`)).statusCode).toBe(200);
    expect((await status(app)).cache.misses).toBe(after.misses + 1);
    expect(a.violations.concat(b.violations)).toEqual([]);
  });
});

describe('one configured node, two links per role (the default)', () => {
  it('keeps the second link of each role idle, not reconnecting, in /v1/status and /metrics', async () => {
    const node = await startFakeNode({ network: NETWORK, chainLength: 40 });
    const app = await start([node], {});
    const links = await eventually('one ready and one idle link per role', async () => {
      const s = await status(app);
      return s.links.filter((l) => l.state === 'ready').length === 2 && s.links.filter((l) => l.state === 'idle').length === 2 ? s.links : undefined;
    }, WAIT_MS);
    for (const link of links.filter((l) => l.state === 'idle')) {
      expect(link).toMatchObject({ peer: '', last_error: null, reconnects: 0, retry: { cause: 'no_peer' } });
      expect(link.retry!.reason).toContain(`held by another ${link.role} link`);
    }
    const metrics = (await app.inject('/metrics')).body;
    for (const role of ['full_node', 'wallet']) {
      expect([gauge(metrics, role, 'ready'), gauge(metrics, role, 'idle'), gauge(metrics, role, 'reconnecting')]).toEqual([1, 1, 0]);
    }
    expect((await app.inject('/readyz')).statusCode).toBe(200);
  });

  it('answers a garbage reply with 502 UPSTREAM_INVALID_REPLY, like a wrong reply type', async () => {
    const node = await startFakeNode({ network: NETWORK, chainLength: 40 });
    const app = await start([node], { linksPerRole: 1 });
    await eventually('ready', async () => (await app.inject('/readyz')).statusCode === 200, WAIT_MS);
    for (const kind of ['garbage', 'wrongReplyType'] as const) {
      node.faults.set('request_blocks', { kind }, { times: 1 });
      const res = await app.inject(`/v1/blocks/${kind === 'garbage' ? 1 : 33}`);
      expect(res.statusCode, kind).toBe(502);
      expect(res.json(), kind).toMatchObject({ code: 'UPSTREAM_INVALID_REPLY', title: 'Invalid upstream reply' });
      await eventually('the link back', () => app.upstream.isReady('full_node'), WAIT_MS);
    }
    expect(node.violations).toEqual([]);
  });
});

describe('a configured node that is offline', () => {
  it('is named in /readyz and /v1/status with each link’s target, last error and next attempt', async () => {
    const port = await closedPort();
    const app = await start([], { linksPerRole: 1 }, [port]);
    const target = `127.0.0.1:${port}`;

    const body = await eventually('every link failed once', async () => {
      const res = await app.inject('/readyz');
      const json = res.json<{ detail: string; checks: { links: LinkStatus[] } }>();
      return res.statusCode === 503 && json.checks.links.every((l) => l.last_error !== null) ? json : undefined;
    }, WAIT_MS);
    expect(body.checks.links.map((l) => l.id)).toEqual(['full_node#1', 'wallet#1']);
    for (const link of body.checks.links) {
      expect(link).toMatchObject({ peer: target, state: 'reconnecting', retry: { cause: 'failed' } });
      expect(link.last_error).toContain('ECONNREFUSED');
    }
    expect(body.detail).toContain(`full_node#1 reconnecting: ${target}:`);
    expect(body.detail).toContain('ECONNREFUSED');
    expect(body.detail).toMatch(/next attempt in \d+ s/);

    const links = (await status(app)).links;
    for (const link of links) {
      expect(link.retry).toMatchObject({ cause: 'failed', reason: expect.stringContaining('unsuccessful attempt') });
      expect(link.retry!.in_ms).toBeGreaterThanOrEqual(0);
    }
  });
});
