/**
 * `npm run demo` end to end: the fake node and the gateway come up, the printed URLs work and are not
 * buried in logs, Ctrl-C stops both; flags the demo decides itself and a busy port get one clear line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, runScript, type Running } from '../support/spawn-gateway.js';
import { listeningServer } from '../support/local-port.js';

const dataDir = mkdtempSync(join(tmpdir(), 'gw-demo-'));
let run: Running | undefined;

afterAll(() => {
  if (run !== undefined && run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm run demo', { timeout: 120_000 }, () => {
  it('prints working URLs once ready, not buried in info logs, and stops cleanly on SIGINT', async () => {
    run = runScript('scripts/demo.ts', ['--port', '0'], cleanEnv({ CHIA_GATEWAY_DATA_DIR: dataDir }));
    await run.waitFor(/Press Ctrl-C to stop/);
    const out = run.stdout();
    expect(out).toMatch(/Ready: peak at height \d+/);
    // Links became ready (logged at info) before the banner: at the demo's default level none of it shows.
    expect(out).toContain('Logs: level warn');
    expect(out.slice(0, out.indexOf('chia-peer-gateway demo'))).not.toMatch(/"level":30/);
    const [, base] = /Live peaks \(demo page\)\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(out) ?? [];
    expect(base).toBeDefined();
    expect(out).toContain(`${base}/docs`);

    const peak = (await (await fetch(`${base}/v1/peak`)).json()) as { height: number };
    expect(peak.height).toBeGreaterThan(0);
    const [, blockUrl] = /A block\s+curl -s (\S+)/.exec(out) ?? [];
    expect((await fetch(blockUrl!)).status).toBe(200);
    expect((await fetch(`${base}/`)).headers.get('content-type')).toContain('text/html');
    // The demo address's live coins: a stream accepted (a bad address would be a 400 before it).
    const [, coinsUrl] = /Live coins, demo address\s+curl -sN '(\S+)'/.exec(out) ?? [];
    expect(coinsUrl).toMatch(/puzzle_hashes=txch1/);
    const stream = new AbortController();
    const coins = await fetch(coinsUrl!, { signal: stream.signal });
    expect(coins.status).toBe(200);
    expect(coins.headers.get('content-type')).toContain('text/event-stream');
    stream.abort();

    expect(run.stdout()).not.toContain('"reqId"');

    run.child.kill('SIGINT');
    expect((await run.exited).code).toBe(0);
  });

  it.each([
    [['--peers', '127.0.0.1:8444'], '--peers'],
    [['--network=mainnet'], '--network'],
  ])('refuses %j with one line: the demo node decides it', async (args, flag) => {
    const refused = await runScript('scripts/demo.ts', [...args, '--port', '0'], cleanEnv({ CHIA_GATEWAY_DATA_DIR: dataDir })).exited;
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `demo: ${flag} cannot be given: the demo's fake full node decides the network ("devnet") and the peers ` +
        '(itself, on 127.0.0.1). For a real network, use npm start.\n',
    );
  });

  it('says to use --port, without a stack trace, when the port is busy', async () => {
    const { server: busy, port } = await listeningServer();
    try {
      const failed = await runScript('scripts/demo.ts', ['--port', String(port)], cleanEnv({ CHIA_GATEWAY_DATA_DIR: dataDir })).exited;
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain(`demo: port ${port} on 127.0.0.1 is in use`);
      expect(failed.stderr).toContain('use --port');
      // Neither printed nor inside a JSON log line's "stack".
      expect(failed.stdout + failed.stderr).not.toMatch(/(^|\\n)\s+at /m);
    } finally {
      busy.close();
    }
  });
});
