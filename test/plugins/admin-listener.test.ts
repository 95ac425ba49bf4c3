/**
 * The admin listener (CHIA_GATEWAY_ADMIN_PORT): /v1/status and /metrics move there from the public
 * port, /healthz and /readyz stay on the public port and are served on both; the admin port has the
 * same edge (problem+json, request ids, nosniff, 405) but no CORS and no rate limit. It starts, fails
 * and shuts down with the main listener, in the app and in the real process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { buildApp, type GatewayApp } from '../../src/app.js';
import { configWith, type GatewayConfig } from '../../src/config/config.js';
import { listenAdmin } from '../../src/plugins/admin-listener.js';
import { OpsUpstreamDouble } from '../support/ops-upstream-double.js';
import { portOf, rawExchange } from '../support/raw-http.js';
import { cleanEnv, runScript, type Running } from '../support/spawn-gateway.js';
import { closedPort, listeningServer } from '../support/local-port.js';

let app: GatewayApp | undefined;
let run: Running | undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'gw-admin-'));

afterEach(async () => {
  await app?.close();
  app = undefined;
  if (run !== undefined && run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
  run = undefined;
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function withAdmin(overrides: Partial<GatewayConfig> = {}): Promise<{ main: GatewayApp; admin: GatewayApp }> {
  app = await buildApp({ config: configWith({ logLevel: 'silent', adminPort: 0, ...overrides }), upstream: new OpsUpstreamDouble(), logger: false });
  await app.ready();
  const admin = app.adminApp;
  if (admin === null) throw new Error('no admin app');
  return { main: app, admin };
}

describe('routes', () => {
  it('without an admin port, everything is on the public port', async () => {
    app = await buildApp({ config: configWith({ logLevel: 'silent' }), upstream: new OpsUpstreamDouble(), logger: false });
    expect(app.adminApp).toBeNull();
    expect((await app.inject('/v1/status')).statusCode).toBe(200);
    expect((await app.inject('/metrics')).statusCode).toBe(200);
  });

  it('moves /v1/status and /metrics to the admin port; /healthz and /readyz are on both', async () => {
    const { main, admin } = await withAdmin();
    for (const url of ['/v1/status', '/metrics']) {
      const res = await main.inject(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json<{ code: string }>().code).toBe('ROUTE_NOT_FOUND');
    }
    for (const target of [main, admin]) {
      expect((await target.inject('/healthz')).statusCode).toBe(200);
      expect((await target.inject('/readyz')).statusCode).toBe(503);
    }
    const status = await admin.inject('/v1/status');
    expect(status.statusCode).toBe(200);
    expect(status.json()).toMatchObject({ network: 'mainnet' });
    const metrics = await admin.inject('/metrics');
    expect(metrics.statusCode).toBe(200);
    // The upstream metrics are bound on the admin app, which serves them.
    expect(metrics.body).toContain('chia_gateway_upstream_links{');
    // The API itself is not on the admin port.
    expect((await admin.inject('/v1/peak')).statusCode).toBe(404);
  });

  it('gives the admin port the same edge, without CORS or a rate limit', async () => {
    const { admin } = await withAdmin({ rateLimitPerMinute: 1 });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await admin.inject({ url: '/metrics', remoteAddress: '10.0.0.3' })).statusCode);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const missing = await admin.inject({ url: '/nothing', headers: { origin: 'https://app.example', 'x-request-id': 'ops-1' } });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(missing.headers['x-request-id']).toBe('ops-1');
    expect(missing.headers['x-content-type-options']).toBe('nosniff');
    expect(missing.headers['access-control-allow-origin']).toBeUndefined();
    const post = await admin.inject({ method: 'POST', url: '/v1/status' });
    expect(post.statusCode).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD, OPTIONS');
  });
});

describe('lifecycle', () => {
  it('listens on its own port and closes with the app', async () => {
    const { main, admin } = await withAdmin();
    await main.listen({ host: '127.0.0.1', port: 0 });
    await listenAdmin(main);
    const adminPort = portOf(admin);
    expect(adminPort).not.toBe(portOf(main));
    const { response } = await rawExchange(adminPort, 'GET /v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(response?.status).toBe(200);
    await main.close();
    app = undefined;
    expect(admin.server.listening).toBe(false);
  });

  it('fails the app start when its port is taken', async () => {
    const { server, port } = await listeningServer();
    try {
      const { main } = await withAdmin({ adminPort: port });
      await main.listen({ host: '127.0.0.1', port: 0 });
      await expect(listenAdmin(main)).rejects.toThrow(/EADDRINUSE/);
    } finally {
      server.close();
    }
  });
});

/** Environment of a real gateway process whose single peer is a closed local port. */
async function processEnv(adminPort: number): Promise<Record<string, string>> {
  const peerPort = await closedPort();
  return cleanEnv({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    CHIA_GATEWAY_PEERS: `127.0.0.1:${peerPort}`,
    CHIA_GATEWAY_ROLES: 'full_node',
    CHIA_GATEWAY_DATA_DIR: dataDir,
    CHIA_GATEWAY_LINKS_PER_ROLE: '1',
    CHIA_GATEWAY_ADMIN_PORT: String(adminPort),
  });
}

// Each test spawns a fresh process (tsx compiles the app, a certificate is generated): slow on a busy machine.
describe('in the real process', { timeout: 90_000 }, () => {
  it('starts both listeners and shuts both down on SIGTERM, exiting 0', async () => {
    run = runScript('src/cli.ts', [], await processEnv(0));
    const [, adminBase] = await run.waitFor(/"listener":"admin"[^\n]*Server listening at (http:\/\/127\.0\.0\.1:\d+)/);
    await run.waitFor(/chia-peer-gateway listening/);
    const status = await fetch(`${adminBase}/v1/status`);
    expect(status.status).toBe(200);
    run.child.kill('SIGTERM');
    const result = await run.exited;
    expect(result.code, result.stdout + result.stderr).toBe(0);
    await expect(fetch(`${adminBase}/healthz`)).rejects.toThrow();
  });

  it('fails the start when the admin port is taken, exactly as when the main port is', async () => {
    const { server, port } = await listeningServer();
    try {
      const outcomes: { code: number | null; stderr: string }[] = [];
      for (const env of [await processEnv(port), { ...(await processEnv(0)), PORT: String(port) }]) {
        run = runScript('src/cli.ts', [], env);
        const result = await run.exited;
        outcomes.push({ code: result.code, stderr: result.stderr });
      }
      const [admin, main] = outcomes;
      expect(admin?.stderr).toMatch(/failed to start: .*EADDRINUSE/);
      // Each failure names the option that fixes it.
      expect(admin?.stderr).toContain('CHIA_GATEWAY_ADMIN_PORT (--admin-port)');
      expect(main?.stderr).toContain('PORT (--port)');
      expect(main?.stderr).not.toContain('ADMIN');
      expect(admin?.code).toBe(1);
      expect(main?.code).toBe(1);
    } finally {
      server.close();
    }
  });
});
