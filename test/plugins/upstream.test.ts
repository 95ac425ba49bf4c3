import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { configWith } from '../../src/config/config.js';
import type { Upstream } from '../../src/chia/upstream-api.js';
import upstreamPlugin from '../../src/plugins/upstream.js';
import type { FakeNode } from '../../fake-node/index.js';
import { startNode } from '../support/upstream-harness.js';
import { eventually } from '../support/eventually.js';

describe('upstream plugin', () => {
  let node: FakeNode;
  let dataDir: string;

  beforeAll(async () => {
    node = await startNode();
    dataDir = await mkdtemp(join(tmpdir(), 'upstream-plugin-'));
  });
  afterAll(async () => {
    await node.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('creates a manager from app.config, connects while the app builds, and closes it with the app', async () => {
    const app = Fastify({ logger: false });
    app.decorate('config', configWith({ peers: [{ host: '127.0.0.1', port: node.port }], roles: ['wallet'], linksPerRole: 1, dataDir }));
    await app.register(upstreamPlugin, {});
    await app.ready();
    await eventually('wallet link ready', () => app.upstream.isReady('wallet'));
    // Its identity was generated under the data dir, private to the owner.
    expect((await stat(join(dataDir, 'tls', 'wallet.key'))).mode & 0o777).toBe(0o600);
    await app.close();
    expect(app.upstream.status().links.map((l) => l.state)).toEqual(['closed']);
    expect(node.violations).toEqual([]);
  });

  it('uses an injected upstream, starts it, and leaves closing it to its owner', async () => {
    const upstream = { start: vi.fn(async () => undefined), close: vi.fn(async () => undefined) } as unknown as Upstream;
    const app = Fastify({ logger: false });
    app.decorate('config', configWith({}));
    await app.register(upstreamPlugin, { upstream });
    await app.ready();
    expect(app.upstream).toBe(upstream);
    expect(upstream.start).toHaveBeenCalledOnce();
    await app.close();
    expect(upstream.close).not.toHaveBeenCalled();
  });
});
