/**
 * Readiness and link metrics over real sockets: the real upstream manager against the strict fake full
 * node (TLS on 127.0.0.1). Node up → ready; node gone → not ready, and the link gauges say so.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp, type GatewayApp } from '../../src/app.js';
import { configWith } from '../../src/config/config.js';
import { startFakeNode, type FakeNode } from '../../fake-node/index.js';
import { eventually } from '../support/eventually.js';

const WAIT_MS = 40_000;
const NETWORK = 'devnet';

const dataDir = mkdtempSync(join(tmpdir(), 'gw-ready-'));
let node: FakeNode | undefined;
let app: GatewayApp | undefined;

afterAll(async () => {
  await app?.close();
  await node?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function gauge(text: string, role: string, state: string): number {
  const series = `chia_gateway_upstream_links{role="${role}",state="${state}"} `;
  const line = text.split('\n').find((l) => l.startsWith(series));
  return line === undefined ? Number.NaN : Number(line.slice(series.length));
}

describe('readiness against a real (fake) full node', { timeout: 90_000 }, () => {
  it('is ready while the node is up and not ready once it is gone', async () => {
    node = await startFakeNode({ network: NETWORK, chainLength: 40 });
    const config = configWith({ logLevel: 'silent', network: NETWORK, peers: [{ host: '127.0.0.1', port: node.port }], dataDir, linksPerRole: 1 });
    app = await buildApp({ config, logger: false });
    await app.ready();
    const a = app;

    const ready = await eventually('readyz 200', async () => {
      const res = await a.inject({ method: 'GET', url: '/readyz' });
      return res.statusCode === 200 ? res.json<{ checks: { peak: { height: number } } }>() : undefined;
    }, WAIT_MS);
    expect(ready.checks.peak.height).toBe(39);
    let metrics = (await a.inject({ method: 'GET', url: '/metrics' })).body;
    expect(gauge(metrics, 'full_node', 'ready')).toBe(1);
    expect(gauge(metrics, 'wallet', 'ready')).toBe(1);

    await node.close();
    node = undefined;

    const down = await eventually('readyz 503', async () => {
      const res = await a.inject({ method: 'GET', url: '/readyz' });
      return res.statusCode === 503 ? res.json<{ code: string; checks: { missing_roles: string[] } }>() : undefined;
    }, WAIT_MS);
    expect(down.code).toBe('NOT_READY');
    expect(down.checks.missing_roles).toEqual(['full_node', 'wallet']);
    metrics = (await a.inject({ method: 'GET', url: '/metrics' })).body;
    expect(gauge(metrics, 'full_node', 'ready')).toBe(0);
    expect(gauge(metrics, 'wallet', 'ready')).toBe(0);
    // The links are retrying (or between attempts), not gone.
    const retrying = ['connecting', 'handshaking', 'reconnecting'].reduce((sum, s) => sum + gauge(metrics, 'full_node', s), 0);
    expect(retrying).toBe(1);
  });
});
