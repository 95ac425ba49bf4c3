/**
 * The app over strict fake nodes, for tests over real sockets: listening on 127.0.0.1 (a free port, or
 * the one given), with its own upstream manager from the config (or the one given), every link ready
 * with a peak.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type GatewayApp } from '../../src/app.js';
import { configWith, type GatewayConfig } from '../../src/config/config.js';
import type { Upstream } from '../../src/chia/upstream-api.js';
import type { FakeNode } from '../../fake-node/index.js';
import { eventually } from './eventually.js';

/** Generous: links handshake over TLS on a loaded machine. */
const READY_WAIT_MS = 30_000;

export interface AppOverNodes {
  app: GatewayApp;
  /** `http://127.0.0.1:<port>`. */
  base: string;
  config: GatewayConfig;
  /** Closes the app and removes its data directory (the nodes, and an upstream given, stay the caller's). */
  close: () => Promise<void>;
}

/** The config of an app over `nodes` (devnet-like `network`), with `overrides`. */
export function configOver(nodes: FakeNode[], network: string, overrides: Partial<GatewayConfig> = {}): GatewayConfig {
  return configWith({
    logLevel: 'silent',
    network,
    peers: nodes.map((n) => ({ host: '127.0.0.1', port: n.port })),
    dataDir: mkdtempSync(join(tmpdir(), 'gw-app-')),
    ...overrides,
  });
}

export interface ListenOptions {
  upstream?: Upstream;
  /** 0 (default) picks a free port; a given one lets a test restart the gateway where its clients reconnect. */
  port?: number;
}

/** Starts the app with `config` (from configOver) and waits for every link and the gateway's peak. */
export async function listenOver(config: GatewayConfig, { upstream, port = 0 }: ListenOptions = {}): Promise<AppOverNodes> {
  const app = await buildApp({ config, logger: false, upstream });
  const close = async () => {
    await app.close();
    rmSync(config.dataDir, { recursive: true, force: true });
  };
  try {
    const base = await app.listen({ host: '127.0.0.1', port });
    const links = config.roles.length * config.linksPerRole;
    await eventually('every link ready with a peak', () => {
      const status = app.upstream.status().links;
      return status.length === links && status.every((l) => l.state === 'ready' && l.peak !== null) && app.upstream.peak() !== null;
    }, READY_WAIT_MS);
    return { app, base, config, close };
  } catch (error) {
    await close();
    throw error;
  }
}
