import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RATE_LIMITER_BAN_MS } from '../../src/chia/protocol/limits.js';
import { DEFAULTS } from '../../src/config/config.js';
import { OPTIONS } from '../../src/config/options.js';
import { ConfigError, type ConfigIssue } from '../../src/config/parse.js';
import { issuesOf, parse } from '../support/config-issues.js';

const names = (issues: ConfigIssue[]) => issues.map((i) => i.name);

const dir = mkdtempSync(join(tmpdir(), 'gw-config-'));
const file = (name: string) => {
  const path = join(dir, name);
  writeFileSync(path, 'pem');
  return path;
};
const [fullCrt, fullKey, walletCrt, walletKey] = ['full.crt', 'full.key', 'wallet.crt', 'wallet.key'].map(file) as [string, string, string, string];
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('defaults and overrides', () => {
  it('gives DEFAULTS when nothing is set', () => {
    expect(parse()).toEqual(DEFAULTS);
  });

  it('ignores unrelated variables and treats empty ones as unset', () => {
    expect(parse({ PATH: '/bin', HOME: '/root', PORT: '', CHIA_GATEWAY_PEERS: '' })).toEqual(DEFAULTS);
  });

  it('reads every variable', () => {
    const config = parse({
      PORT: '9000',
      HOST: '0.0.0.0',
      LOG_LEVEL: 'debug',
      CHIA_GATEWAY_NETWORK: 'testnet11',
      CHIA_GATEWAY_PEERS: 'node.example.com, 10.0.0.2:8445,[2001:db8::1],[::1]:58445',
      CHIA_GATEWAY_ROLES: 'wallet',
      CHIA_GATEWAY_DATA_DIR: '/data',
      CHIA_GATEWAY_CONFIRMATIONS: '6',
      CHIA_GATEWAY_CACHE_MB: '64',
      CHIA_GATEWAY_PACING_SHARE: '0.25',
      CHIA_GATEWAY_REQUEST_TIMEOUT_MS: '5000',
      CHIA_GATEWAY_LINKS_PER_ROLE: '3',
      CHIA_GATEWAY_PACING_QUEUE_SIZE: '50',
      CHIA_GATEWAY_PACING_CLIENT_SHARE: '0.25',
      CHIA_GATEWAY_PACING_MAX_WAIT_MS: '4000',
      CHIA_GATEWAY_BAN_BACKOFF_MS: '30000',
      CHIA_GATEWAY_WS_MAX_CLIENTS: '10',
      CHIA_GATEWAY_WS_MAX_CLIENTS_PER_IP: '4',
      CHIA_GATEWAY_WS_MAX_MESSAGE_BYTES: '1024',
      CHIA_GATEWAY_WS_HEARTBEAT_MS: '5000',
      CHIA_GATEWAY_WS_SEND_BUFFER_BYTES: '65536',
      CHIA_GATEWAY_WS_REPLAY_SIZE: '10',
      CHIA_GATEWAY_WS_ALLOWED_ORIGINS: 'https://a.example,http://localhost:3000',
      CHIA_GATEWAY_WS_MESSAGE_RATE: '2',
      CHIA_GATEWAY_WS_MESSAGE_BURST: '8',
      CHIA_GATEWAY_CORS_ORIGINS: 'https://app.example',
      CHIA_GATEWAY_HTTP_REQUEST_TIMEOUT_MS: '10000',
      CHIA_GATEWAY_MAX_CONNECTIONS: '500',
      CHIA_GATEWAY_ADMIN_PORT: '9090',
      CHIA_GATEWAY_ADMIN_HOST: '10.0.0.5',
      CHIA_GATEWAY_RATE_LIMIT: '120',
      CHIA_GATEWAY_REDIS_URL: 'redis://cache:6379',
      CHIA_GATEWAY_REDIS_TIMEOUT_MS: '100',
      CHIA_GATEWAY_REDIS_LOCK_MS: '3000',
      CHIA_GATEWAY_TRUST_PROXY: '127.0.0.1,10.0.0.0/8',
      CHIA_GATEWAY_PEAK_MAX_AGE_MS: '60000',
      CHIA_GATEWAY_SHUTDOWN_TIMEOUT_MS: '2000',
    });
    expect(config).toEqual({
      host: '0.0.0.0',
      port: 9000,
      logLevel: 'debug',
      network: 'testnet11',
      peers: [
        { host: 'node.example.com', port: 58444 },
        { host: '10.0.0.2', port: 8445 },
        { host: '2001:db8::1', port: 58444 },
        { host: '::1', port: 58445 },
      ],
      roles: ['wallet'],
      dataDir: '/data',
      identities: {},
      confirmations: 6,
      cacheBytes: 64 * 1024 * 1024,
      headerIndexSize: 100_000,
      pacingShare: 0.25,
      requestTimeoutMs: 5000,
      linksPerRole: 3,
      pacingQueueSize: 50,
      pacingClientShare: 0.25,
      pacingMaxWaitMs: 4000,
      banBackoffMs: 30000,
      ws: {
        maxClients: 10,
        maxClientsPerIp: 4,
        maxMessageBytes: 1024,
        heartbeatMs: 5000,
        sendBufferBytes: 65536,
        replaySize: 10,
        allowedOrigins: ['https://a.example', 'http://localhost:3000'],
        messageRate: 2,
        messageBurst: 8,
        maxCoinKeys: 100,
        maxCoinKeysTotal: 100_000,
      },
      corsOrigins: ['https://app.example'],
      httpRequestTimeoutMs: 10000,
      maxConnections: 500,
      adminPort: 9090,
      adminHost: '10.0.0.5',
      rateLimitPerMinute: 120,
      redis: { url: 'redis://cache:6379', timeoutMs: 100, lockMs: 3000 },
      trustProxy: ['127.0.0.1', '10.0.0.0/8'],
      peakMaxAgeMs: 60000,
      shutdownTimeoutMs: 2000,
    });
  });

  it('lets flags win over variables, in both --flag value and --flag=value forms', () => {
    const config = parse({ PORT: '9000', CHIA_GATEWAY_NETWORK: 'testnet11' }, ['--port', '9100', '--network=mainnet', '--peers', '127.0.0.1']);
    expect(config.port).toBe(9100);
    expect(config.network).toBe('mainnet');
    expect(config.peers).toEqual([{ host: '127.0.0.1', port: 8444 }]);
  });

  it('has a flag for every variable, and each parses', () => {
    expect(new Set(OPTIONS.map((o) => o.flag)).size).toBe(OPTIONS.length);
    expect(new Set(OPTIONS.map((o) => o.env)).size).toBe(OPTIONS.length);
    expect(parse({}, ['--log-level', 'warn', '--roles', 'full_node', '--cache-mb', '1']).cacheBytes).toBe(1024 * 1024);
  });

  it('allows any CORS origin by default, bounds requests and connections, and has no admin listener', () => {
    const config = parse();
    expect(config.corsOrigins).toEqual(['*']);
    expect(config.httpRequestTimeoutMs).toBeLessThanOrEqual(60_000);
    expect(config.maxConnections).toBeGreaterThan(config.ws.maxClients);
    expect(config.adminPort).toBeNull();
    expect(config.adminHost).toBe('127.0.0.1');
  });

  it('refuses an admin port equal to the HTTP port', () => {
    expect(() => parse({ PORT: '9000' }, ['--admin-port', '9000'])).toThrow('--admin-port: must differ from the HTTP port (9000)');
    expect(parse({ PORT: '0' }, ['--admin-port', '0']).adminPort).toBe(0);
  });

  it('turns rate limiting off with 0 and accepts port 0 (any free port)', () => {
    expect(parse({ CHIA_GATEWAY_RATE_LIMIT: '120' }, ['--rate-limit', '0']).rateLimitPerMinute).toBeNull();
    expect(parse({ PORT: '0' }).port).toBe(0);
  });

  it('caps live clients per IP by default, takes the flag over the variable, and turns the cap off with 0', () => {
    expect(DEFAULTS.ws.maxClientsPerIp).toBeGreaterThanOrEqual(10);
    expect(DEFAULTS.ws.maxClientsPerIp).toBeLessThan(DEFAULTS.ws.maxClients);
    expect(parse().ws.maxClientsPerIp).toBe(DEFAULTS.ws.maxClientsPerIp);
    expect(parse({ CHIA_GATEWAY_WS_MAX_CLIENTS_PER_IP: '8' }, ['--ws-max-clients-per-ip=12']).ws.maxClientsPerIp).toBe(12);
    expect(parse({}, ['--ws-max-clients-per-ip', '0']).ws.maxClientsPerIp).toBe(0);
  });

  it('keeps links away from a peer that answers 403 for the rate limiter ban by default, and takes the flag', () => {
    expect(parse().banBackoffMs).toBe(RATE_LIMITER_BAN_MS);
    expect(parse({ CHIA_GATEWAY_BAN_BACKOFF_MS: '20000' }, ['--ban-backoff-ms', '15000']).banBackoffMs).toBe(15_000);
  });

  it('bounds the WebSocket message budget: at least one message a second and one at once', () => {
    expect(parse({}, ['--ws-message-rate', '10', '--ws-message-burst=30']).ws).toMatchObject({ messageRate: 10, messageBurst: 30 });
    const bad: [string, string][] = [['CHIA_GATEWAY_WS_MESSAGE_RATE', '0'], ['CHIA_GATEWAY_WS_MESSAGE_BURST', '0'], ['CHIA_GATEWAY_WS_MESSAGE_RATE', '0.5']];
    for (const [name, value] of bad) expect(() => parse({ [name]: value }), `${name}=${value}`).toThrow(ConfigError);
  });

  it('treats * in the WebSocket origins as "any" (an empty list)', () => {
    expect(parse({ CHIA_GATEWAY_WS_ALLOWED_ORIGINS: '*' }).ws.allowedOrigins).toEqual([]);
  });

  it('uses the testnet port for a private network with explicit peers', () => {
    expect(parse({ CHIA_GATEWAY_NETWORK: 'devnet', CHIA_GATEWAY_PEERS: 'localhost' }).peers).toEqual([{ host: 'localhost', port: 58444 }]);
  });
});

describe('bad values, each reported with the variable or flag that fixes it', () => {
  it.each([
    ['PORT', 'http', 'an integer from 0 to 65535'],
    ['PORT', '8080.5', 'an integer'],
    ['PORT', '65536', 'an integer from 0 to 65535'],
    ['PORT', '-1', 'an integer from 0 to 65535'],
    ['PORT', '0x50', 'an integer'],
    ['LOG_LEVEL', 'verbose', 'one of fatal, error, warn, info, debug, trace, silent'],
    ['CHIA_GATEWAY_NETWORK', 'main net', 'a network id'],
    ['CHIA_GATEWAY_ROLES', 'full_node,farmer', 'each one of full_node, wallet'],
    ['CHIA_GATEWAY_ROLES', 'wallet,wallet', 'distinct'],
    ['CHIA_GATEWAY_ROLES', ',', 'not empty'],
    ['CHIA_GATEWAY_PACING_SHARE', '0', 'greater than 0 and at most 1'],
    ['CHIA_GATEWAY_PACING_SHARE', '1.01', 'greater than 0 and at most 1'],
    ['CHIA_GATEWAY_PACING_SHARE', 'half', 'a number'],
    ['CHIA_GATEWAY_PACING_CLIENT_SHARE', '0', 'greater than 0 and at most 1'],
    ['CHIA_GATEWAY_PACING_CLIENT_SHARE', '1.5', 'greater than 0 and at most 1'],
    ['CHIA_GATEWAY_PACING_MAX_WAIT_MS', '50', 'an integer from 100'],
    ['CHIA_GATEWAY_CONFIRMATIONS', '-3', 'an integer from 0'],
    ['CHIA_GATEWAY_CACHE_MB', '0', 'an integer from 1'],
    ['CHIA_GATEWAY_REQUEST_TIMEOUT_MS', '10', 'an integer from 100'],
    ['CHIA_GATEWAY_LINKS_PER_ROLE', '0', 'an integer from 1 to 16'],
    ['CHIA_GATEWAY_WS_MAX_MESSAGE_BYTES', '1e3', 'an integer'],
    ['CHIA_GATEWAY_WS_MAX_CLIENTS_PER_IP', '-1', 'an integer from 0 to 1000000'],
    ['CHIA_GATEWAY_WS_MAX_CLIENTS_PER_IP', '2.5', 'an integer'],
    ['CHIA_GATEWAY_WS_MAX_CLIENTS_PER_IP', 'many', 'an integer from 0'],
    ['CHIA_GATEWAY_WS_REPLAY_SIZE', '0', 'an integer from 1 to 100000'],
    ['CHIA_GATEWAY_WS_HEARTBEAT_MS', '10', 'an integer from 1000'],
    ['CHIA_GATEWAY_RATE_LIMIT', 'lots', 'an integer from 0'],
    ['CHIA_GATEWAY_REDIS_URL', 'cache:6379', 'a redis:// or rediss:// URL'],
    ['CHIA_GATEWAY_SHUTDOWN_TIMEOUT_MS', '99', 'an integer from 100'],
    ['CHIA_GATEWAY_PEAK_MAX_AGE_MS', '5m', 'an integer'],
    ['CHIA_GATEWAY_BAN_BACKOFF_MS', '500', 'an integer from 1000 to 86400000'],
    ['CHIA_GATEWAY_BAN_BACKOFF_MS', '5m', 'an integer'],
  ])('%s=%s', (name, value, expected) => {
    const issues = issuesOf({ [name]: value });
    expect(names(issues)).toEqual([name]);
    expect(issues[0]?.message).toContain(expected);
    expect(issues[0]?.message).toContain(`"${value}"`);
  });

  it.each([
    ['::1', 'must be in brackets'],
    ['[not-ipv6]:8444', 'is not an IPv6 address'],
    ['node:0', 'port must be an integer from 1 to 65535'],
    ['node:70000', 'port must be an integer from 1 to 65535'],
    ['node:abc', 'port must be an integer'],
    ['bad_host!:8444', 'is not a host name or IP address'],
    ['-leading.example', 'is not a host name'],
    ['a.example,A.EXAMPLE:8444', 'listed twice'],
  ])('CHIA_GATEWAY_PEERS=%s', (value, expected) => {
    const issues = issuesOf({ CHIA_GATEWAY_PEERS: value });
    expect(names(issues)).toEqual(['CHIA_GATEWAY_PEERS']);
    expect(issues[0]?.message).toContain(expected);
  });

  it('needs peers for a network without DNS seeders', () => {
    const issues = issuesOf({ CHIA_GATEWAY_NETWORK: 'devnet' });
    expect(names(issues)).toEqual(['CHIA_GATEWAY_PEERS']);
    expect(issues[0]?.message).toContain('no DNS seeders');
  });

  it.each([
    ['CHIA_GATEWAY_CORS_ORIGINS', 'https://a.example/', 'not an origin'],
    ['CHIA_GATEWAY_CORS_ORIGINS', 'a.example', 'not an origin'],
    ['CHIA_GATEWAY_CORS_ORIGINS', 'ftp://a.example', 'not an origin'],
    ['CHIA_GATEWAY_CORS_ORIGINS', '*,https://a.example', 'do not combine'],
    ['CHIA_GATEWAY_WS_ALLOWED_ORIGINS', 'https://a.example/path', 'not an origin'],
  ])('%s=%s', (name, value, expected) => {
    const issues = issuesOf({ [name]: value });
    expect(names(issues)).toEqual([name]);
    expect(issues[0]?.message).toContain(expected);
  });

  it('reports unknown CHIA_GATEWAY_ variables as likely typos, with a suggestion', () => {
    const issues = issuesOf({ CHIA_GATEWAY_PEER: 'a', CHIA_GATEWAY_SOMETHING_ELSE_ENTIRELY: 'b' });
    expect(names(issues)).toEqual(['CHIA_GATEWAY_PEER', 'CHIA_GATEWAY_SOMETHING_ELSE_ENTIRELY']);
    expect(issues[0]?.message).toContain('did you mean CHIA_GATEWAY_PEERS?');
    expect(issues[1]?.message).toContain('likely a typo');
    expect(issues[1]?.message).not.toContain('did you mean');
  });

  it('reports unknown flags, stray arguments and flags without a value', () => {
    const issues = issuesOf({}, ['--prot', '80', '--port']);
    expect(names(issues)).toEqual(['--prot', '80', '--port']);
    expect(issues[2]?.message).toContain('needs a value');
  });

  it('names the flag, not the variable, when the bad value came from a flag', () => {
    const issues = issuesOf({ PORT: '8080' }, ['--port=http']);
    expect(names(issues)).toEqual(['--port']);
  });

  it('reports every problem at once, in one readable message', () => {
    try {
      parse({ PORT: 'x', CHIA_GATEWAY_ROLES: 'miner', CHIA_GATEWAY_PACING_SHARE: '2', CHIA_GATEWAY_PEERS: '::1' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const error = err as ConfigError;
      expect(error.code).toBe('CONFIG_INVALID');
      expect(names([...error.issues]).sort()).toEqual(['CHIA_GATEWAY_PACING_SHARE', 'CHIA_GATEWAY_PEERS', 'CHIA_GATEWAY_ROLES', 'PORT']);
      expect(error.message).toMatch(/^invalid configuration \(4 problems\):\n {2}PORT: /);
    }
  });
});

describe('TLS identities', () => {
  it('uses the shared pair for the single configured role', () => {
    const config = parse({ CHIA_GATEWAY_ROLES: 'full_node', CHIA_GATEWAY_CERT: fullCrt, CHIA_GATEWAY_KEY: fullKey });
    expect(config.identities).toEqual({ full_node: { certPath: fullCrt, keyPath: fullKey } });
  });

  it('uses per-role pairs', () => {
    const config = parse({
      CHIA_GATEWAY_FULL_NODE_CERT: fullCrt,
      CHIA_GATEWAY_FULL_NODE_KEY: fullKey,
      CHIA_GATEWAY_WALLET_CERT: walletCrt,
      CHIA_GATEWAY_WALLET_KEY: walletKey,
    });
    expect(config.identities).toEqual({ full_node: { certPath: fullCrt, keyPath: fullKey }, wallet: { certPath: walletCrt, keyPath: walletKey } });
  });

  it('lets the shared pair cover the one role without its own pair', () => {
    const config = parse({ CHIA_GATEWAY_FULL_NODE_CERT: fullCrt, CHIA_GATEWAY_FULL_NODE_KEY: fullKey, CHIA_GATEWAY_CERT: walletCrt, CHIA_GATEWAY_KEY: walletKey });
    expect(config.identities.wallet).toEqual({ certPath: walletCrt, keyPath: walletKey });
  });

  it('rejects one pair for two roles, explaining why', () => {
    const issues = issuesOf({ CHIA_GATEWAY_CERT: fullCrt, CHIA_GATEWAY_KEY: fullKey });
    expect(names(issues)).toEqual(['CHIA_GATEWAY_CERT']);
    expect(issues[0]?.message).toContain('one connection per certificate');
    expect(issues[0]?.message).toContain('CHIA_GATEWAY_FULL_NODE_CERT');
  });

  it('rejects the same certificate file for both roles', () => {
    const issues = issuesOf({
      CHIA_GATEWAY_FULL_NODE_CERT: fullCrt,
      CHIA_GATEWAY_FULL_NODE_KEY: fullKey,
      CHIA_GATEWAY_WALLET_CERT: fullCrt,
      CHIA_GATEWAY_WALLET_KEY: walletKey,
    });
    expect(names(issues)).toEqual(['CHIA_GATEWAY_WALLET_CERT']);
  });

  it.each([
    [{ CHIA_GATEWAY_CERT: fullCrt }, 'CHIA_GATEWAY_KEY'],
    [{ CHIA_GATEWAY_KEY: fullKey }, 'CHIA_GATEWAY_CERT'],
    [{ CHIA_GATEWAY_WALLET_CERT: walletCrt }, 'CHIA_GATEWAY_WALLET_KEY'],
    [{ CHIA_GATEWAY_FULL_NODE_KEY: fullKey }, 'CHIA_GATEWAY_FULL_NODE_CERT'],
  ])('rejects a certificate without its key (%o)', (env, missing) => {
    const issues = issuesOf({ CHIA_GATEWAY_ROLES: 'full_node,wallet', ...env });
    expect(names(issues)).toContain(missing);
    expect(issues.find((i) => i.name === missing)?.message).toContain('together');
  });

  it('reports missing files and per-role pairs for roles not configured', () => {
    const issues = issuesOf({ CHIA_GATEWAY_ROLES: 'wallet', CHIA_GATEWAY_WALLET_CERT: join(dir, 'nope.crt'), CHIA_GATEWAY_WALLET_KEY: walletKey, CHIA_GATEWAY_FULL_NODE_CERT: fullCrt, CHIA_GATEWAY_FULL_NODE_KEY: fullKey });
    expect(names(issues).sort()).toEqual(['CHIA_GATEWAY_FULL_NODE_CERT', 'CHIA_GATEWAY_WALLET_CERT']);
    expect(issues.find((i) => i.name === 'CHIA_GATEWAY_WALLET_CERT')?.message).toContain('file not found');
    expect(issues.find((i) => i.name === 'CHIA_GATEWAY_FULL_NODE_CERT')?.message).toContain('not in CHIA_GATEWAY_ROLES');
  });

  it('names flags for TLS problems given as flags', () => {
    const issues = issuesOf({}, ['--cert', fullCrt, '--roles', 'full_node']);
    expect(names(issues)).toEqual(['CHIA_GATEWAY_KEY']);
    expect(issues[0]?.message).toContain('--cert is set');
  });
});

describe('listen address', () => {
  it.each(['0.0.0.0', '127.0.0.1', '::', '::1', 'localhost', 'gateway.internal'])('takes HOST=%s', (host) => {
    expect(parse({ HOST: host }).host).toBe(host);
  });

  it.each(['http://0.0.0.0', '[::1]', '0.0.0.0:8080', 'two words'])('refuses HOST=%s before anything starts', (host) => {
    const issues = issuesOf({ HOST: host });
    expect(issues).toEqual([{ name: 'HOST', message: `expected an IP address or a host name (127.0.0.1, 0.0.0.0, ::, localhost), got "${host}"` }]);
  });
});
