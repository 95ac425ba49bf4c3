/** A plugin that fails while the app is built must not leave the upstream links it started behind. */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { DEFAULTS, configWith } from '../src/config/config.js';

const dataDir = mkdtempSync(join(tmpdir(), 'gw-build-fail-'));
/** Longer than the first reconnect backoff (1 s base with jitter) of a link left running. */
const QUIET_MS = 3_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('buildApp failure', { timeout: 30_000 }, () => {
  it('closes the upstream links started before the failing plugin', async () => {
    // A TCP listener standing in for the peer: it counts connection attempts and open sockets.
    const open = new Set<net.Socket>();
    let attempts = 0;
    const peer = net.createServer((socket) => {
      attempts++;
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
    const { port } = peer.address() as net.AddressInfo;
    try {
      // The replay buffer refuses size 0: the peak hub plugin throws after the upstream plugin started.
      const config = configWith({ logLevel: 'silent', peers: [{ host: '127.0.0.1', port }], dataDir, linksPerRole: 1, ws: { ...DEFAULTS.ws, replaySize: 0 } });
      await expect(buildApp({ config, logger: false })).rejects.toThrow(RangeError);
      await sleep(QUIET_MS / 2);
      const settled = attempts;
      expect(open.size).toBe(0);
      await sleep(QUIET_MS);
      expect(attempts).toBe(settled);
    } finally {
      for (const socket of open) socket.destroy();
      await new Promise((resolve) => peer.close(resolve));
    }
  });
});
