/**
 * The option table (src/config/options.ts). A row cannot lack a part: `option()` does not compile
 * without its variable, schema, default, help and value placeholder, and its place in the table is where
 * its value goes in GatewayConfig, so the config type and DEFAULTS cannot miss it either. What the types
 * cannot see is checked here: names unique and well formed, help written, defaults the option accepts,
 * and every option reaching its config field the same way from its variable and from its flag.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULTS, type GatewayConfig } from '../../src/config/config.js';
import { ENV_PREFIX, OPTIONS, type OptionKey } from '../../src/config/options.js';
import { parse } from '../support/config-issues.js';

const dir = mkdtempSync(join(tmpdir(), 'gw-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string) => {
  const path = join(dir, name);
  writeFileSync(path, 'pem');
  return path;
};

type DeepPartial<T> = { [K in keyof T]?: T[K] extends unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

interface Sample {
  /** The option's value as text. */
  text: string;
  /** What it sets in the config. */
  expected: DeepPartial<GatewayConfig>;
  /** Variables the option needs beside it (a certificate needs its key). */
  with?: Record<string, string>;
}

const [crt, key] = [file('a.crt'), file('a.key')];
const pair = { certPath: crt, keyPath: key };
/** One non-default value per option: a Record over OptionKey, so a new option does not compile without its sample. */
const SAMPLES: Record<OptionKey, Sample> = {
  port: { text: '9000', expected: { port: 9000 } },
  host: { text: '0.0.0.0', expected: { host: '0.0.0.0' } },
  logLevel: { text: 'debug', expected: { logLevel: 'debug' } },
  network: { text: 'testnet11', expected: { network: 'testnet11' } },
  peers: { text: '10.0.0.1,[::1]:8445', expected: { peers: [{ host: '10.0.0.1', port: 8444 }, { host: '::1', port: 8445 }] } },
  roles: { text: 'wallet', expected: { roles: ['wallet'] } },
  dataDir: { text: '/data', expected: { dataDir: '/data' } },
  cert: { text: crt, with: { CHIA_GATEWAY_KEY: key, CHIA_GATEWAY_ROLES: 'wallet' }, expected: { identities: { wallet: pair } } },
  key: { text: key, with: { CHIA_GATEWAY_CERT: crt, CHIA_GATEWAY_ROLES: 'full_node' }, expected: { identities: { full_node: pair } } },
  fullNodeCert: { text: crt, with: { CHIA_GATEWAY_FULL_NODE_KEY: key }, expected: { identities: { full_node: pair } } },
  fullNodeKey: { text: key, with: { CHIA_GATEWAY_FULL_NODE_CERT: crt }, expected: { identities: { full_node: pair } } },
  walletCert: { text: crt, with: { CHIA_GATEWAY_WALLET_KEY: key }, expected: { identities: { wallet: pair } } },
  walletKey: { text: key, with: { CHIA_GATEWAY_WALLET_CERT: crt }, expected: { identities: { wallet: pair } } },
  confirmations: { text: '6', expected: { confirmations: 6 } },
  cacheBytes: { text: '64', expected: { cacheBytes: 64 * 1024 * 1024 } },
  headerIndexSize: { text: '500', expected: { headerIndexSize: 500 } },
  redisUrl: { text: 'redis://cache.internal:6379/2', expected: { redis: { url: 'redis://cache.internal:6379/2' } } },
  redisTimeoutMs: { text: '100', expected: { redis: { timeoutMs: 100 } } },
  redisLockMs: { text: '2000', expected: { redis: { lockMs: 2000 } } },
  pacingShare: { text: '0.25', expected: { pacingShare: 0.25 } },
  requestTimeoutMs: { text: '5000', expected: { requestTimeoutMs: 5000 } },
  linksPerRole: { text: '3', expected: { linksPerRole: 3 } },
  pacingQueueSize: { text: '50', expected: { pacingQueueSize: 50 } },
  pacingClientShare: { text: '0.25', expected: { pacingClientShare: 0.25 } },
  pacingMaxWaitMs: { text: '4000', expected: { pacingMaxWaitMs: 4000 } },
  banBackoffMs: { text: '30000', expected: { banBackoffMs: 30_000 } },
  wsMaxClients: { text: '10', expected: { ws: { maxClients: 10 } } },
  wsMaxClientsPerIp: { text: '0', expected: { ws: { maxClientsPerIp: 0 } } },
  wsMaxMessageBytes: { text: '1024', expected: { ws: { maxMessageBytes: 1024 } } },
  wsHeartbeatMs: { text: '5000', expected: { ws: { heartbeatMs: 5000 } } },
  wsSendBufferBytes: { text: '65536', expected: { ws: { sendBufferBytes: 65_536 } } },
  wsReplaySize: { text: '10', expected: { ws: { replaySize: 10 } } },
  wsAllowedOrigins: { text: 'https://a.example,http://localhost:3000', expected: { ws: { allowedOrigins: ['https://a.example', 'http://localhost:3000'] } } },
  wsMessageRate: { text: '2', expected: { ws: { messageRate: 2 } } },
  wsMessageBurst: { text: '8', expected: { ws: { messageBurst: 8 } } },
  wsMaxCoinKeys: { text: '20', expected: { ws: { maxCoinKeys: 20 } } },
  wsMaxCoinKeysTotal: { text: '5000', expected: { ws: { maxCoinKeysTotal: 5000 } } },
  corsOrigins: { text: 'https://app.example', expected: { corsOrigins: ['https://app.example'] } },
  httpRequestTimeoutMs: { text: '10000', expected: { httpRequestTimeoutMs: 10_000 } },
  maxConnections: { text: '500', expected: { maxConnections: 500 } },
  adminPort: { text: '9090', expected: { adminPort: 9090 } },
  adminHost: { text: '10.0.0.5', expected: { adminHost: '10.0.0.5' } },
  rateLimitPerMinute: { text: '120', expected: { rateLimitPerMinute: 120 } },
  trustProxy: { text: '127.0.0.1,10.0.0.0/8', expected: { trustProxy: ['127.0.0.1', '10.0.0.0/8'] } },
  peakMaxAgeMs: { text: '60000', expected: { peakMaxAgeMs: 60_000 } },
  shutdownTimeoutMs: { text: '2000', expected: { shutdownTimeoutMs: 2000 } },
};

describe('the option table', () => {
  it('names each option once, its variable in the gateway namespace (or a conventional one) and its flag mirroring it', () => {
    expect(new Set(OPTIONS.map((o) => o.key)).size).toBe(OPTIONS.length);
    expect(new Set(OPTIONS.map((o) => o.env)).size).toBe(OPTIONS.length);
    expect(new Set(OPTIONS.map((o) => o.flag)).size).toBe(OPTIONS.length);
    for (const o of OPTIONS) {
      expect(o.env, o.key).toMatch(new RegExp(`^(${ENV_PREFIX}[A-Z0-9_]+|PORT|HOST|LOG_LEVEL)$`));
      expect(o.flag, o.env).toBe(`--${o.env.replace(ENV_PREFIX, '').toLowerCase().replaceAll('_', '-')}`);
    }
  });

  it('gives each option a placeholder, a help sentence and a default as people read it', () => {
    for (const o of OPTIONS) {
      expect(o.value, o.env).toMatch(/^<[a-z0-9.-]+>$/);
      expect(o.help, o.env).toMatch(/^\S.*\.$/);
      expect(o.help, o.env).not.toMatch(/\n/);
      expect(o.defaultText, o.env).not.toBe('');
    }
  });

  it('has defaults its options accept, where no parse step changes the value', () => {
    for (const { option, env } of OPTIONS) {
      if (option.parse === undefined && option.default !== undefined) expect(Value.Check(option.schema, option.default), env).toBe(true);
    }
  });

  it('has a sample for every option, and only for options', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(OPTIONS.map((o) => o.key).sort());
  });
});

describe('each option from its variable and from its flag', () => {
  it.each(OPTIONS.map((o) => [o.env, o] as const))('%s', (_env, o) => {
    const { text, expected, with: extra = {} } = SAMPLES[o.key];
    const fromEnv = parse({ ...extra, [o.env]: text });
    // Not the default: the value in the config came from the option.
    expect(DEFAULTS).not.toMatchObject(expected);
    expect(fromEnv).toMatchObject(expected);
    expect(parse(extra, [o.flag, text])).toEqual(fromEnv);
    expect(parse(extra, [`${o.flag}=${text}`])).toEqual(fromEnv);
  });

  it('leaves every other field at its default', () => {
    expect(parse({ PORT: '9000' })).toEqual({ ...DEFAULTS, port: 9000 });
  });
});
