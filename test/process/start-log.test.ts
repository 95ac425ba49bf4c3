/**
 * What the process says at start when nothing can be served yet: src/cli.ts (through tsx) with its
 * only peer on a closed local port. It says it listens, not that it is ready, and names what fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, runScript } from '../support/spawn-gateway.js';
import { closedPort } from '../support/local-port.js';

const dataDir = mkdtempSync(join(tmpdir(), 'gw-start-log-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('the start log with an unreachable peer', { timeout: 90_000 }, () => {
  it('says the gateway listens (not that it is ready to serve) and names the failing link', async () => {
    const port = await closedPort();
    const run = runScript(
      'src/cli.ts',
      [],
      cleanEnv({
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        CHIA_GATEWAY_NETWORK: 'mainnet',
        CHIA_GATEWAY_PEERS: `127.0.0.1:${port}`,
        CHIA_GATEWAY_ROLES: 'wallet',
        CHIA_GATEWAY_DATA_DIR: dataDir,
        CHIA_GATEWAY_LINKS_PER_ROLE: '1',
      }),
    );
    try {
      const [started] = await run.waitFor(/"msg":"chia-peer-gateway [^"]*"/);
      expect(started).toContain('listening');
      expect(started).not.toContain('ready to serve');
      await run.waitFor(/ECONNREFUSED[^\n]*"upstream link reconnecting"/);
    } finally {
      run.child.kill('SIGKILL');
      await run.exited;
    }
  });
});
