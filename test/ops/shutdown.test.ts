/**
 * Graceful shutdown of the real process: src/server.ts (through tsx) with its single peer on a closed
 * local port, live clients attached, then SIGTERM. close-with-grace exits 1 when the bound is exceeded,
 * so exit code 0 means "drained and closed within CHIA_GATEWAY_SHUTDOWN_TIMEOUT_MS".
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { get, type IncomingMessage } from 'node:http';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { cleanEnv, runScript, type Running } from '../support/spawn-gateway.js';

const SHUTDOWN_TIMEOUT_MS = 8_000;
const dataDir = mkdtempSync(join(tmpdir(), 'gw-shutdown-'));
let run: Running | undefined;

afterEach(() => {
  if (run !== undefined && run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
  run = undefined;
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function startGateway(shutdownTimeoutMs = SHUTDOWN_TIMEOUT_MS): Promise<{ base: string }> {
  const env = cleanEnv({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    CHIA_GATEWAY_NETWORK: 'mainnet',
    CHIA_GATEWAY_PEERS: `127.0.0.1:${await closedPort()}`,
    CHIA_GATEWAY_ROLES: 'full_node',
    CHIA_GATEWAY_DATA_DIR: dataDir,
    CHIA_GATEWAY_LINKS_PER_ROLE: '1',
    CHIA_GATEWAY_SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs),
  });
  run = runScript('src/server.ts', [], env);
  const [, base] = await run.waitFor(/Server listening at (http:\/\/127\.0\.0\.1:\d+)/);
  return { base: base! };
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
    const { base } = await startGateway(6_000);
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
});
