/** `npm run demo` end to end: the fake node and the gateway come up, the printed URLs work, Ctrl-C stops both. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, runScript, type Running } from '../support/spawn-gateway.js';

const dataDir = mkdtempSync(join(tmpdir(), 'gw-demo-'));
let run: Running | undefined;

afterAll(() => {
  if (run !== undefined && run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm run demo', { timeout: 120_000 }, () => {
  it('prints working URLs once ready and stops cleanly on SIGINT', async () => {
    run = runScript('scripts/demo.ts', ['--port', '0'], cleanEnv({ CHIA_GATEWAY_DATA_DIR: dataDir, LOG_LEVEL: 'warn' }));
    await run.waitFor(/Press Ctrl-C to stop/);
    const out = run.stdout();
    expect(out).toMatch(/Ready: peak at height \d+/);
    const [, base] = /Live peaks \(demo page\)\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(out) ?? [];
    expect(base).toBeDefined();
    expect(out).toContain(`${base}/docs`);

    const peak = (await (await fetch(`${base}/v1/peak`)).json()) as { height: number };
    expect(peak.height).toBeGreaterThan(0);
    const [, blockUrl] = /A block\s+curl -s (\S+)/.exec(out) ?? [];
    expect((await fetch(blockUrl!)).status).toBe(200);
    expect((await fetch(`${base}/`)).headers.get('content-type')).toContain('text/html');

    run.child.kill('SIGINT');
    expect((await run.exited).code).toBe(0);
  });
});
