/**
 * Start-up failures of the real command (src/cli.ts through tsx): each exits 1 (2 for an invalid
 * configuration) with one line naming the cause and the setting that fixes it, never 0, so systemd
 * and orchestrators see a failed start, and never with a stack trace.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT_BAD_CONFIG, EXIT_START_FAILED } from '../../src/process/exit-codes.js';
import { cleanEnv, runScript, type Finished } from '../support/spawn-gateway.js';
import { closedPort, listeningServer } from '../support/local-port.js';

const STACK_TRACE = /\n\s+at /;
/** TEST-NET-1 (RFC 5737): never an address of this machine, so binding to it fails without traffic. */
const FOREIGN_ADDRESS = '192.0.2.1';
const base = mkdtempSync(join(tmpdir(), 'gw-start-failure-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** Runs the command with one full_node link to a port nothing answers on, plus `overrides`. */
async function runCli(overrides: Record<string, string>): Promise<Finished> {
  const closed = await closedPort();
  const env = cleanEnv({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    CHIA_GATEWAY_PEERS: `127.0.0.1:${closed}`,
    CHIA_GATEWAY_ROLES: 'full_node',
    CHIA_GATEWAY_LINKS_PER_ROLE: '1',
    CHIA_GATEWAY_DATA_DIR: join(base, 'data'),
    ...overrides,
  });
  return runScript('src/cli.ts', [], env).exited;
}

const expectOneCleanLine = (result: Finished) => {
  expect(result.signal).toBeNull();
  expect(result.stderr).not.toMatch(STACK_TRACE);
};

// Each test spawns tsx, which compiles the app first: slow on a busy machine.
describe('start-up failures of the command', { timeout: 90_000 }, () => {
  it('exits 1 naming the port and PORT when the port is in use', async () => {
    const { server, port } = await listeningServer();
    try {
      const result = await runCli({ PORT: String(port) });
      expect(result.code, result.stderr).toBe(EXIT_START_FAILED);
      expect(result.stderr).toContain(`chia-peer-gateway: failed to start: cannot listen on 127.0.0.1:${port}: EADDRINUSE`);
      expect(result.stderr).toContain('PORT (--port)');
      expectOneCleanLine(result);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('exits 1 naming HOST when the address is not one of this machine', async () => {
    const result = await runCli({ HOST: FOREIGN_ADDRESS });
    expect(result.code, result.stderr).toBe(EXIT_START_FAILED);
    expect(result.stderr).toContain(`cannot listen on ${FOREIGN_ADDRESS}:0: EADDRNOTAVAIL`);
    expect(result.stderr).toContain('HOST (--host)');
    expectOneCleanLine(result);
  });

  it('exits 2 for a HOST that is no address or host name, before starting anything', async () => {
    const result = await runCli({ HOST: 'http://0.0.0.0' });
    expect(result.code, result.stderr).toBe(EXIT_BAD_CONFIG);
    expect(result.stderr).toContain('HOST: expected an IP address or a host name');
    expectOneCleanLine(result);
  });

  it('exits 1 naming CHIA_GATEWAY_DATA_DIR and the path when the data directory cannot be written', async () => {
    const notADir = join(base, 'a-file');
    writeFileSync(notADir, 'not a directory');
    const result = await runCli({ CHIA_GATEWAY_DATA_DIR: notADir });
    expect(result.code, result.stderr).toBe(EXIT_START_FAILED);
    expect(result.stderr).toContain(`cannot write generated certificates under ${notADir}`);
    expect(result.stderr).toContain('CHIA_GATEWAY_DATA_DIR (--data-dir)');
    expectOneCleanLine(result);
  });

  it('exits 2 for a key given as PEM text, saying so without printing it', async () => {
    const body = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7';
    const result = await runCli({ CHIA_GATEWAY_CERT: join(base, 'any.crt'), CHIA_GATEWAY_KEY: `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n` });
    expect(result.code, result.stderr).toBe(EXIT_BAD_CONFIG);
    expect(result.stderr).toContain('CHIA_GATEWAY_KEY: looks like PEM text (a certificate or key itself), not a path');
    expect(result.stderr).not.toContain(body);
    expect(result.stderr).not.toContain('BEGIN PRIVATE KEY');
    expectOneCleanLine(result);
  });
});
