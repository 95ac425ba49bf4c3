/** A plugin that fails while the app is built must not leave the upstream links it started behind. */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { DEFAULTS, configWith } from '../src/config/config.js';
import { eventually } from './support/eventually.js';
import { listeningServer } from './support/local-port.js';

const dataDir = mkdtempSync(join(tmpdir(), 'gw-build-fail-'));
/** One link per role. */
const LINK_COUNT = 2;

/** A log destination that collects the ids of the upstream links that logged their `closed` state. */
function closedLinks(): { stream: Writable; closed: Set<string> } {
  const closed = new Set<string>();
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line === '') continue;
        const entry = JSON.parse(line) as { msg?: string; link?: string };
        if (entry.msg === 'upstream link closed' && entry.link !== undefined) closed.add(entry.link);
      }
      done();
    },
  });
  return { stream, closed };
}

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('buildApp failure', { timeout: 30_000 }, () => {
  it('closes the upstream links started before the failing plugin', async () => {
    // A TCP listener standing in for the peer: it counts connection attempts and open sockets.
    const open = new Set<net.Socket>();
    let attempts = 0;
    const { server: peer, port } = await listeningServer((socket) => {
      attempts++;
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => undefined);
    });
    try {
      // The replay buffer refuses size 0: the peak hub plugin throws after the upstream plugin started.
      const config = configWith({ logLevel: 'silent', peers: [{ host: '127.0.0.1', port }], dataDir, linksPerRole: 1, ws: { ...DEFAULTS.ws, replaySize: 0 } });
      const { stream, closed } = closedLinks();
      await expect(buildApp({ config, logger: { level: 'info', stream } })).rejects.toThrow(RangeError);
      // A closed link is stopped for good (its slot never reconnects): that, not a quiet spell, shows none
      // is left. Attempts are counted from there until the peer has seen every socket go (the later event).
      await eventually('every link closed', () => closed.size === LINK_COUNT);
      const settled = attempts;
      await eventually('every socket gone', () => open.size === 0);
      expect(open.size).toBe(0);
      expect(attempts).toBe(settled);
    } finally {
      for (const socket of open) socket.destroy();
      await new Promise((resolve) => peer.close(resolve));
    }
  });
});
