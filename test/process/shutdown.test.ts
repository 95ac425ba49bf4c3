/**
 * Graceful shutdown of the real process: the command (src/cli.ts through tsx) with its single peer
 * on a closed local port or the fake full node, clients attached, then SIGTERM. close-with-grace exits 1
 * when the bound is exceeded, so exit code 0 means "drained and closed within
 * CHIA_GATEWAY_SHUTDOWN_TIMEOUT_MS".
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { get, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startFakeNode, type FakeNode } from '../../fake-node/index.js';
import { eventually } from '../support/eventually.js';
import { SIGNAL_PROBE_MARK } from '../support/signal-probe.js';
import { cleanEnv, runScript, type Running } from '../support/spawn-gateway.js';
import { closedPort } from '../support/local-port.js';

const SHUTDOWN_TIMEOUT_MS = 8_000;
const WAIT_MS = 40_000;
const NETWORK = 'devnet';
const STACK_TRACE = /\n\s+at /;
/** Key generation takes a fraction of a second: look for its directory often enough to signal during it. */
const TIGHT_POLL_MS = 2;
const base = mkdtempSync(join(tmpdir(), 'gw-shutdown-'));
const dataDir = join(base, 'data');
let run: Running | undefined;
let node: FakeNode | undefined;
let fresh = 0;
/** An empty data directory of its own, for tests that look at what start-up generated. */
const freshDataDir = () => join(base, `fresh-${++fresh}`);

afterEach(async () => {
  if (run !== undefined && run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
  run = undefined;
  await node?.close();
  node = undefined;
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** The gateway's environment: one full_node link to `peer` (default: a closed local port). */
async function gatewayEnv(overrides: Record<string, string> = {}): Promise<Record<string, string>> {
  return cleanEnv({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    CHIA_GATEWAY_NETWORK: 'mainnet',
    CHIA_GATEWAY_PEERS: `127.0.0.1:${await closedPort()}`,
    CHIA_GATEWAY_ROLES: 'full_node',
    CHIA_GATEWAY_DATA_DIR: dataDir,
    CHIA_GATEWAY_LINKS_PER_ROLE: '1',
    CHIA_GATEWAY_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    ...overrides,
  });
}

async function startGateway(overrides: Record<string, string> = {}): Promise<{ base: string }> {
  run = runScript('src/cli.ts', [], await gatewayEnv(overrides));
  const [, url] = await run.waitFor(/Server listening at (http:\/\/127\.0\.0\.1:\d+)/);
  return { base: url! };
}

function openSse(url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => get(url, resolve).on('error', reject));
}

// Each test spawns a fresh process (tsx compiles the app, a certificate is generated): slow on a busy machine.
describe('graceful shutdown', { timeout: 90_000 }, () => {
  it('exits 0 on SIGTERM within the bound, closing live clients first', async () => {
    const { base } = await startGateway();
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(503);

    const sse = await openSse(`${base}/v1/events`);
    expect(sse.statusCode).toBe(200);
    const sseEnded = new Promise<void>((resolve) => {
      sse.on('end', resolve);
      sse.on('close', resolve);
      sse.resume();
    });
    const ws = new WebSocket(`${base.replace('http', 'ws')}/v1/ws`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const wsClosed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));

    const started = Date.now();
    run!.child.kill('SIGTERM');
    const result = await run!.exited;
    const elapsed = Date.now() - started;

    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(elapsed).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 5_000);
    await sseEnded;
    expect(await wsClosed).toBe(1001);
    expect(result.stdout).toContain('"signal":"SIGTERM"');
    expect(result.stdout).toMatch(/"msg":"shut down"/);
  });

  it('exits 0 on SIGINT too', async () => {
    await startGateway();
    run!.child.kill('SIGINT');
    expect((await run!.exited).code).toBe(0);
  });

  it('cuts a connection that never finishes its request once the drain time is spent, and still exits 0', async () => {
    const { base } = await startGateway({ CHIA_GATEWAY_SHUTDOWN_TIMEOUT_MS: '6000' });
    const { port } = new URL(base);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    // Headers never completed: the request stays in flight, so a plain close would wait forever.
    socket.write('GET /healthz HTTP/1.1\r\nHost: gateway\r\n');
    const socketClosed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    run!.child.kill('SIGTERM');
    const result = await run!.exited;
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('drain time spent');
    await socketClosed;
  });

  it('answers requests waiting on a hung peer 503 SHUTTING_DOWN before the drain cut, then exits 0', async () => {
    node = await startFakeNode({ network: NETWORK, chainLength: 200 });
    node.faults.set('request_blocks', { kind: 'hang' });
    const { base: url } = await startGateway({ CHIA_GATEWAY_NETWORK: NETWORK, CHIA_GATEWAY_PEERS: `127.0.0.1:${node.port}` });
    await eventually('a ready link', async () => (await fetch(`${url}/readyz`)).status === 200, WAIT_MS);

    // Heights in different batches of 32 are different upstream requests; 5 shares the request of 0.
    const heights = [0, 5, 40, 80, 120];
    const replies = heights.map((h) => fetch(`${url}/v1/blocks/${h}`));
    const fake = node;
    await eventually('the node holding every request', () => (fake.requestCounts.request_blocks ?? 0) >= 4, WAIT_MS);

    run!.child.kill('SIGTERM');
    for (const reply of await Promise.all(replies)) {
      expect(reply.status).toBe(503);
      expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await reply.json()).toMatchObject({ status: 503, code: 'SHUTTING_DOWN' });
    }
    const result = await run!.exited;
    expect(result.code, result.stdout + result.stderr).toBe(0);
    // Answered, not cut: the drain finished before its share of the bound was spent.
    expect(result.stdout).not.toContain('drain time spent');
    expect(result.stdout).toMatch(/"msg":"shut down"/);
  });

  it('exits 0 on a SIGTERM as soon as the command can handle one, before generating anything', async () => {
    const fresh = freshDataDir();
    run = runScript('src/cli.ts', [], await gatewayEnv({ CHIA_GATEWAY_DATA_DIR: fresh }), { preload: ['test/support/signal-probe.ts'] });
    await run.waitFor(new RegExp(SIGNAL_PROBE_MARK));
    run.child.kill('SIGTERM');
    const result = await run.exited;
    expect(result.signal, result.stderr).toBeNull();
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(STACK_TRACE);
    // The handler came before the slow part of start-up: no certificate, no listener.
    expect(existsSync(join(fresh, 'tls'))).toBe(false);
    expect(result.stdout).not.toContain('Server listening');
  });

  it('exits 0 on a SIGTERM while certificates are being generated, closing what was built', async () => {
    const fresh = freshDataDir();
    run = runScript('src/cli.ts', [], await gatewayEnv({ CHIA_GATEWAY_DATA_DIR: fresh, CHIA_GATEWAY_ROLES: 'full_node,wallet' }));
    const started = run;
    const tlsDir = join(fresh, 'tls');
    // The tls directory is created just before the first key is generated: signal then.
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (!existsSync(tlsDir)) return;
        clearInterval(timer);
        started.child.kill('SIGTERM');
        resolve();
      }, TIGHT_POLL_MS);
      void started.exited.then(() => {
        clearInterval(timer);
        reject(new Error(`exited before generating a certificate:\n${started.stdout()}${started.stderr()}`));
      });
    });
    const result = await run.exited;
    expect(result.signal, result.stderr).toBeNull();
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(STACK_TRACE);
    expect(result.stdout).toMatch(/"msg":"shut down"/);
  });
});
