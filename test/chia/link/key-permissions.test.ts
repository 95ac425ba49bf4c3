/**
 * Private key files that other users can read are used, with a warning in the gateway's log naming
 * the file and the fix: the generated per-role keys in the data directory and user-supplied ones.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { createChiaCertificate } from '../../../src/chia/link/tls-identity.js';
import { loadChiaCa } from '../../../src/process/chia-ca.js';
import { configWith, type GatewayConfig } from '../../../src/config/config.js';

const WARN = 40;
const dir = mkdtempSync(join(tmpdir(), 'gw-key-mode-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Builds and closes the app (its single peer never answers), returning its warnings. */
async function warningsOf(overrides: Partial<GatewayConfig>): Promise<{ msg: string; file?: string }[]> {
  const lines: { level: number; msg: string; file?: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line) as { level: number; msg: string });
      done();
    },
  });
  const config = configWith({ peers: [{ host: '127.0.0.1', port: 9 }], roles: ['full_node'], linksPerRole: 1, ...overrides });
  const app = await buildApp({ config, logger: { level: 'warn', stream } });
  await app.close();
  return lines.filter((l) => l.level === WARN && l.msg.includes('private key'));
}

describe('key files readable by other users', () => {
  it('warns about a user-supplied key naming the file and chmod 600', async () => {
    const pair = createChiaCertificate(loadChiaCa());
    const certPath = join(dir, 'user.crt');
    const keyPath = join(dir, 'user.key');
    writeFileSync(certPath, pair.cert);
    writeFileSync(keyPath, pair.key);
    chmodSync(keyPath, 0o644);
    const warnings = await warningsOf({ dataDir: join(dir, 'unused'), identities: { full_node: { certPath, keyPath } } });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.file).toBe(keyPath);
    expect(warnings[0]?.msg).toContain(`chmod 600 ${keyPath}`);
  });

  it('warns about a generated key in the data directory once its mode was loosened', async () => {
    const dataDir = join(dir, 'data');
    expect(await warningsOf({ dataDir })).toEqual([]);
    const keyFile = join(dataDir, 'tls', 'full_node.key');
    chmodSync(keyFile, 0o604);
    const warnings = await warningsOf({ dataDir });
    expect(warnings.map((w) => w.file)).toEqual([keyFile]);
    expect(warnings[0]?.msg).toContain(`chmod 600 ${keyFile}`);
  });
});
