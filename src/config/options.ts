/**
 * Every configuration option, once: its environment variable (the flag mirrors it:
 * CHIA_GATEWAY_WS_MAX_CLIENTS → --ws-max-clients), TypeBox schema, default and help, and, by where it
 * sits in OPTION_TREE, the config field it sets (`ws.maxClients`). GatewayConfig and DEFAULTS
 * (config.ts), the parser (parse.ts), --help and the README's configuration table all follow from it.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { SUBSCRIPTION_LIMIT, MAX_PUZZLE_STATE_HASHES, RATE_LIMITER_BAN_MS, ROLES, type IdentityNames, type Role } from '../chia/index.js';
import { checkHost, parseOrigins, parsePeers, peersRequired } from './addresses.js';
import { parseIdentities, rolePairs } from './identities.js';
import { derived, isDerived, isOption, joinKey, option, optional, type KeyOf, type Option, type OptionTree } from './option-row.js';
import { parseTrustProxy, type TrustProxy } from './trust-proxy.js';

export const MIB = 1024 * 1024;
const MAX_PORT = 65_535;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const SHARE = Type.Number({ exclusiveMinimum: 0, maximum: 1 });
const DEFAULT_CACHE_MIB = 256;

const int = (minimum: number, maximum: number) => Type.Integer({ minimum, maximum });
const text = () => Type.String({ minLength: 1 });
const list = <T extends TSchema>(item: T) => Type.Array(item);
const certificateFile = (env: string, help: string) => optional({ env, value: '<file>', schema: text(), help, show: () => '(generated)' });

// Options other rows read while parsing: they come first in the table.
const port = option({ env: 'PORT', value: '<int>', schema: int(0, MAX_PORT), default: 8080, help: 'HTTP port to listen on (0 picks a free port).' });
const network = option({
  env: 'CHIA_GATEWAY_NETWORK',
  value: '<id>',
  schema: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$', description: 'a network id (letters, digits, _ . -)' }),
  default: 'mainnet',
  help: 'Chia network id sent in the handshake (mainnet, testnet11, or a private network id).',
});
const roles = option({
  env: 'CHIA_GATEWAY_ROLES',
  value: '<list>',
  schema: Type.Array(Type.Union(ROLES.map((r) => Type.Literal(r))), { minItems: 1, uniqueItems: true }),
  default: [...ROLES],
  help: 'Link roles to open: full_node (full blocks), wallet (headers, additions, removals).',
});

/** The configuration, option by option, in the order --help and the README list them. */
export const OPTION_TREE = {
  port,
  host: option({ env: 'HOST', value: '<addr>', schema: text(), default: '127.0.0.1', parse: checkHost, help: 'Address to listen on; the Docker image sets 0.0.0.0.' }),
  logLevel: option({ env: 'LOG_LEVEL', value: '<level>', schema: Type.Union(LOG_LEVELS.map((l) => Type.Literal(l))), default: 'info', help: `Log level: ${LOG_LEVELS.join(', ')}.` }),
  network,
  peers: option({
    env: 'CHIA_GATEWAY_PEERS',
    value: '<list>',
    schema: list(text()),
    default: [],
    parse: (items, ctx) => parsePeers(items, ctx.valueOf(network), ctx),
    required: (ctx) => peersRequired(ctx.valueOf(network)),
    show: () => '(DNS seeders)',
    help: "Full nodes to connect to: host:port,host:port; IPv6 in brackets ([::1]:8444); the port defaults to the network's (8444 mainnet, 58444 testnet11). Empty: ask the network's DNS seeders.",
  }),
  roles,
  dataDir: option({ env: 'CHIA_GATEWAY_DATA_DIR', value: '<dir>', schema: text(), default: '.data', help: 'Directory for generated client certificates (tls/<role>.crt|.key, mode 0600).' }),
  identities: derived({
    inputs: {
      cert: certificateFile(
        'CHIA_GATEWAY_CERT',
        'Client certificate (PEM, signed by the public Chia CA) for the single configured role; a node keeps one connection per certificate, so one pair cannot serve two roles.',
      ),
      key: certificateFile('CHIA_GATEWAY_KEY', 'Private key (PEM) of CHIA_GATEWAY_CERT.'),
      fullNodeCert: certificateFile('CHIA_GATEWAY_FULL_NODE_CERT', 'Client certificate of the full_node role.'),
      fullNodeKey: certificateFile('CHIA_GATEWAY_FULL_NODE_KEY', 'Private key of the full_node role.'),
      walletCert: certificateFile('CHIA_GATEWAY_WALLET_CERT', 'Client certificate of the wallet role.'),
      walletKey: certificateFile('CHIA_GATEWAY_WALLET_KEY', 'Private key of the wallet role.'),
    },
    default: {},
    build: (inputs, ctx) => parseIdentities(inputs, roles, ctx),
  }),
  confirmations: option({
    env: 'CHIA_GATEWAY_CONFIRMATIONS',
    value: '<int>',
    schema: int(0, 100_000),
    default: 32,
    help: 'Blocks at least this deep below the peak are treated as immutable (cached, long Cache-Control).',
  }),
  cacheBytes: option({
    env: 'CHIA_GATEWAY_CACHE_MB',
    value: '<int>',
    schema: int(1, 1_048_576),
    default: DEFAULT_CACHE_MIB * MIB,
    parse: (mib) => mib * MIB,
    show: (bytes) => String(bytes / MIB),
    help: 'Upper bound of the block cache, in MiB.',
  }),
  headerIndexSize: option({
    env: 'CHIA_GATEWAY_HEADER_INDEX_SIZE',
    value: '<int>',
    schema: int(1, 10_000_000),
    default: 100_000,
    help: 'Header hashes the node-RPC face remembers (every peak and block the gateway has seen, about 150 bytes each, oldest forgotten first); a method given a header hash it does not hold answers "not found".',
  }),
  redis: {
    url: option({
      env: 'CHIA_GATEWAY_REDIS_URL',
      value: '<url>',
      schema: Type.String({ pattern: '^rediss?://', description: 'a redis:// or rediss:// URL' }),
      default: null,
      parse: (url): string | null => url,
      help: 'Redis shared by several replicas (redis://[user:pass@]host:port[/db], rediss:// for TLS): buried blocks, header blocks and coin lists are kept there under the in-memory cache, and a miss of one batch across the fleet makes one upstream request. Give Redis a `maxmemory` and `maxmemory-policy allkeys-lru`: it enforces the byte budget. Unset: each replica on its own.',
    }),
    timeoutMs: option({
      env: 'CHIA_GATEWAY_REDIS_TIMEOUT_MS',
      value: '<ms>',
      schema: int(10, 60_000),
      // A Redis round trip is well under a millisecond; longer means Redis is in trouble, and the peers
      // answer a miss in about this time anyway.
      default: 250,
      help: 'Longest a request waits for one Redis command; slower (or Redis down), the request goes on without it, from memory and the peers.',
    }),
    lockMs: option({
      env: 'CHIA_GATEWAY_REDIS_LOCK_MS',
      value: '<ms>',
      schema: int(100, 600_000),
      // About one upstream batch on a loaded link: a holder that died frees its waiters after this.
      default: 5_000,
      help: 'Lifetime of the fleet-wide lock a replica takes while it loads a batch other replicas also miss; they wait for its result at most this long, so a replica that died holding it delays the others no longer.',
    }),
  },
  pacingShare: option({ env: 'CHIA_GATEWAY_PACING_SHARE', value: '<0..1>', schema: SHARE, default: 0.6, help: "Fraction of the node's rate limits one link may use (0 < share ≤ 1)." }),
  requestTimeoutMs: option({ env: 'CHIA_GATEWAY_REQUEST_TIMEOUT_MS', value: '<ms>', schema: int(100, 600_000), default: 30_000, help: 'Deadline of one upstream request; a transaction waits at least 50 s for its acks, since a node may take 45 s to give its mempool verdict.' }),
  linksPerRole: option({ env: 'CHIA_GATEWAY_LINKS_PER_ROLE', value: '<int>', schema: int(1, 16), default: 2, help: 'Healthy links kept per role.' }),
  pacingQueueSize: option({
    env: 'CHIA_GATEWAY_PACING_QUEUE_SIZE',
    value: '<int>',
    schema: int(1, 1_000_000),
    default: 1_000,
    help: 'Requests a link may queue while pacing before failing fast with 503; one client IP may hold at most its `CHIA_GATEWAY_PACING_CLIENT_SHARE` of them.',
  }),
  pacingClientShare: option({
    env: 'CHIA_GATEWAY_PACING_CLIENT_SHARE',
    value: '<0..1>',
    schema: SHARE,
    // Half for any one client: a flood leaves the other half to everyone else, and a lone client still
    // gets a useful rate (150 of a link's 300 request_blocks per window at the default pacing share).
    default: 0.5,
    help:
      "Fraction of each link's pacing allowance one client IP may use within a rate-limit window, and of the link's pacing queue it may hold (0 < share ≤ 1; at least one place), so one client's flood leaves the rest to the others; when room frees up, the least served client goes first. Behind a reverse proxy set `CHIA_GATEWAY_TRUST_PROXY`, or every client shares the proxy's address.",
  }),
  pacingMaxWaitMs: option({
    env: 'CHIA_GATEWAY_PACING_MAX_WAIT_MS',
    value: '<ms>',
    schema: int(100, 600_000),
    // Well under requestTimeoutMs: a client whose requests cannot be paced soon hears 503 with Retry-After
    // instead of holding its connection until the upstream deadline.
    default: 10_000,
    help: "Longest a request waits in a link's pacing queue (and never past `CHIA_GATEWAY_REQUEST_TIMEOUT_MS`); still waiting then, it is answered 503 `UPSTREAM_BUSY` with `Retry-After`: when the window has room again.",
  }),
  banBackoffMs: option({
    env: 'CHIA_GATEWAY_BAN_BACKOFF_MS',
    value: '<ms>',
    schema: int(1_000, 86_400_000),
    // A 403 does not say how long the ban lasts (PROTOCOL.md §a.5); the one a gateway most likely
    // earned is the rate limiter's (§i.4). Bans announced by a close code are honoured as announced.
    default: RATE_LIMITER_BAN_MS,
    help: 'How long every link keeps away from a peer that refused the upgrade with HTTP 403 (our IP is banned there, for a time the node does not say). Bans a node announces by its close code are honoured as announced, and other closes are retried per link with growing delays.',
  }),
  ws: {
    maxClients: option({ env: 'CHIA_GATEWAY_WS_MAX_CLIENTS', value: '<int>', schema: int(1, 1_000_000), default: 20_000, help: 'Live subscribers (WebSocket + SSE) accepted at once.' }),
    maxClientsPerIp: option({
      env: 'CHIA_GATEWAY_WS_MAX_CLIENTS_PER_IP',
      value: '<int>',
      schema: int(0, 1_000_000),
      // Room for a browser with many tabs, or a small office behind one NAT address, while no single
      // address can take more than a sliver of maxClients.
      default: 50,
      help: "Live subscribers (WebSocket + SSE together) one client IP may hold at once, so one address cannot take every slot; beyond it 429. The default leaves room for a browser with many tabs or a small office behind one NAT address; 0 turns the cap off. Behind a reverse proxy set `CHIA_GATEWAY_TRUST_PROXY`, or every client shares the proxy's address.",
    }),
    maxMessageBytes: option({ env: 'CHIA_GATEWAY_WS_MAX_MESSAGE_BYTES', value: '<bytes>', schema: int(64, MIB), default: 4 * 1024, help: 'Largest message a WebSocket client may send.' }),
    heartbeatMs: option({ env: 'CHIA_GATEWAY_WS_HEARTBEAT_MS', value: '<ms>', schema: int(1_000, 600_000), default: 30_000, help: 'Ping interval; a client that misses a ping is dropped.' }),
    sendBufferBytes: option({
      env: 'CHIA_GATEWAY_WS_SEND_BUFFER_BYTES',
      value: '<bytes>',
      schema: int(1_024, 1_024 * MIB),
      default: MIB,
      help: 'A subscriber whose unsent data exceeds this is disconnected (slow consumer).',
    }),
    replaySize: option({
      env: 'CHIA_GATEWAY_WS_REPLAY_SIZE',
      value: '<int>',
      schema: int(1, 100_000),
      default: 1_000,
      help: 'Peaks kept for replay to reconnecting clients (since, Last-Event-ID).',
    }),
    allowedOrigins: option({
      env: 'CHIA_GATEWAY_WS_ALLOWED_ORIGINS',
      value: '<list>',
      schema: list(text()),
      default: [],
      // `*` is the same as an empty list here: any origin may subscribe.
      parse: (origins, ctx) => parseOrigins(origins, ctx).filter((origin) => origin !== '*'),
      show: () => '(any)',
      help: "Origins allowed to open /v1/ws and /v1/events (comma-separated, compared whole: scheme, host and port); empty allows any. With a list, only listed origins pass, the gateway's own included (list it for the demo page); requests without Origin (scripts) always pass.",
    }),
    // A subscribe message of 4 KiB (maxMessageBytes) holds about 55 hex keys; the cap leaves room for
    // a larger message limit and for /v1/events URLs (16 KiB of headers: about 240 keys).
    maxCoinKeys: option({
      env: 'CHIA_GATEWAY_WS_MAX_COIN_KEYS',
      value: '<int>',
      schema: int(1, MAX_PUZZLE_STATE_HASHES),
      default: 100,
      help: 'Puzzle hashes, addresses and coin ids one live connection may watch for coin events (at most 890, what one node request reads); a subscribe message must also fit in `CHIA_GATEWAY_WS_MAX_MESSAGE_BYTES`.',
    }),
    // Half of what one node keeps per peer (PROTOCOL.md §e.5), so one link can take over another's keys.
    maxCoinKeysTotal: option({
      env: 'CHIA_GATEWAY_WS_MAX_COIN_KEYS_TOTAL',
      value: '<int>',
      schema: int(1, 10 * SUBSCRIPTION_LIMIT),
      default: SUBSCRIPTION_LIMIT / 2,
      help: 'Distinct keys (puzzle hashes and coin ids) all live connections together may watch; the gateway registers each once with its nodes. Beyond it a subscribe gets `COIN_KEYS_EXHAUSTED`.',
    }),
    // A client sends subscribe, unsubscribe and the odd ping: a page reconnecting and resubscribing
    // stays far below these, a loop sending without pause is closed within a few milliseconds.
    messageRate: option({
      env: 'CHIA_GATEWAY_WS_MESSAGE_RATE',
      value: '<per-s>',
      schema: int(1, 10_000),
      default: 5,
      help: 'Messages a WebSocket client may send a second over time; beyond its budget it gets an error frame (`MESSAGE_RATE_EXCEEDED`) and is closed with 1008.',
    }),
    messageBurst: option({
      env: 'CHIA_GATEWAY_WS_MESSAGE_BURST',
      value: '<int>',
      schema: int(1, 100_000),
      default: 20,
      help: 'Messages a WebSocket client may send at once, before `CHIA_GATEWAY_WS_MESSAGE_RATE` applies.',
    }),
  },
  corsOrigins: option({
    env: 'CHIA_GATEWAY_CORS_ORIGINS',
    value: '<list>',
    schema: list(text()),
    // Chain data is public and read-only: any page may read it, as any page may open the live streams.
    default: ['*'],
    parse: parseOrigins,
    help: 'Origins whose pages may use the HTTP API (CORS: GET and HEAD, and POST with a JSON or octet-stream body where a path takes one; errors included): `*` allows any; a comma-separated list (`https://app.example,http://localhost:3000`) allows only those.',
  }),
  httpRequestTimeoutMs: option({
    env: 'CHIA_GATEWAY_HTTP_REQUEST_TIMEOUT_MS',
    value: '<ms>',
    schema: int(1_000, 600_000),
    // Long enough for a slow mobile link to send a GET, short enough that trickling clients cannot hold sockets.
    default: 30_000,
    help: 'Deadline for a client to send a request line, headers and body; a slower client gets 408 and its connection is closed.',
  }),
  maxConnections: option({
    env: 'CHIA_GATEWAY_MAX_CONNECTIONS',
    value: '<int>',
    schema: int(1, 1_000_000),
    // Above ws.maxClients (each live client holds a connection), with room for REST clients beside them.
    default: 25_000,
    help: 'Connections the HTTP port holds at once (REST, WebSocket and SSE together); beyond it new connections are closed at once. Keep it above `CHIA_GATEWAY_WS_MAX_CLIENTS`.',
  }),
  adminPort: option({
    env: 'CHIA_GATEWAY_ADMIN_PORT',
    value: '<int>',
    schema: int(0, MAX_PORT),
    default: null,
    parse: (admin, ctx): number | null => {
      const http = ctx.valueOf(port);
      if (admin !== 0 && admin === http) ctx.issues.push({ name: ctx.name, message: `must differ from the HTTP port (${http})` });
      return admin;
    },
    help: 'Serve /v1/status and /metrics on this separate port instead of the HTTP port (which keeps /healthz and /readyz); unset: everything on the HTTP port.',
  }),
  adminHost: option({
    env: 'CHIA_GATEWAY_ADMIN_HOST',
    value: '<addr>',
    schema: text(),
    default: '127.0.0.1',
    help: 'Address of the admin listener (`CHIA_GATEWAY_ADMIN_PORT`); loopback by default.',
  }),
  rateLimitPerMinute: option({
    env: 'CHIA_GATEWAY_RATE_LIMIT',
    value: '<per-min>',
    schema: int(0, 1_000_000),
    default: null,
    parse: (perMinute): number | null => (perMinute === 0 ? null : perMinute),
    help: 'HTTP requests per minute per client IP (429 beyond); unset or 0 turns rate limiting off.',
  }),
  trustProxy: option({
    env: 'CHIA_GATEWAY_TRUST_PROXY',
    value: '<proxies>',
    // Parsed by src/config/trust-proxy.ts: true, false, a hop count, or addresses/CIDRs.
    schema: text(),
    default: false,
    parse: (value, ctx): TrustProxy => parseTrustProxy(value, ctx.name, ctx.issues),
    help: 'Behind a reverse proxy: whose X-Forwarded-For gives the client IP (rate limit, live clients per IP, logs). A comma-separated list of proxy addresses/CIDRs (127.0.0.1,10.0.0.0/8); or a hop count, or true (every hop), both only safe when the gateway is reachable solely through the proxy. Unset or false: the connecting address is the client.',
  }),
  peakMaxAgeMs: option({
    env: 'CHIA_GATEWAY_PEAK_MAX_AGE_MS',
    value: '<ms>',
    schema: int(1_000, 86_400_000),
    // Blocks come every ~18.75 s on average (PROTOCOL.md §i.2); five minutes without one means a stale view.
    default: 5 * 60_000,
    help: '/readyz fails when the newest peak was received longer ago than this.',
  }),
  shutdownTimeoutMs: option({
    env: 'CHIA_GATEWAY_SHUTDOWN_TIMEOUT_MS',
    value: '<ms>',
    schema: int(100, 600_000),
    default: 10_000,
    help: 'Upper bound of a graceful shutdown (drain requests, close clients and links).',
  }),
} satisfies OptionTree;

/** An option's flat name: its config path in camel case (`wsMaxClients`), a certificate option by its own name (`walletCert`). */
export type OptionKey = KeyOf<typeof OPTION_TREE>;

/** Prefix of the gateway's own variables; an unknown one is reported as a likely typo. */
export const ENV_PREFIX = 'CHIA_GATEWAY_';

/** One row of the table as --help, the README and the parser read it. */
export interface OptionEntry {
  key: OptionKey;
  option: Option<unknown>;
  env: string;
  /** The variable's mirror: CHIA_GATEWAY_WS_MAX_CLIENTS → --ws-max-clients. */
  flag: string;
  /** Placeholder of the value, e.g. `<int>`. */
  value: string;
  /** Help as Markdown (`code` spans). */
  help: string;
  /** The default as people read it. */
  defaultText: string;
}

const flagOf = (env: string) => `--${env.replace(ENV_PREFIX, '').toLowerCase().replaceAll('_', '-')}`;

function defaultText(option: Option<unknown>): string {
  const value = option.default;
  if (option.show) return option.show(value);
  if (value === null || value === false) return '(off)';
  return Array.isArray(value) ? value.join(',') : String(value);
}

function entries(tree: OptionTree, prefix: string): OptionEntry[] {
  return Object.entries(tree).flatMap(([name, node]) => {
    const entry = (key: string, option: Option<unknown>): OptionEntry => ({
      key: key as OptionKey,
      option,
      env: option.env,
      flag: flagOf(option.env),
      value: option.value,
      help: option.help,
      defaultText: defaultText(option),
    });
    if (isOption(node)) return [entry(joinKey(prefix, name), node)];
    if (isDerived(node)) return Object.entries(node.inputs).map(([input, option]) => entry(input, option));
    return entries(node, joinKey(prefix, name));
  });
}

/** Every option, in table order. */
export const OPTIONS: readonly OptionEntry[] = entries(OPTION_TREE, '');

/** The environment variable of an option, for text that tells users what to set (descriptions, hints). */
export function envName(key: OptionKey): string {
  const entry = OPTIONS.find((o) => o.key === key);
  if (entry === undefined) throw new Error(`no option ${key} in OPTIONS`);
  return entry.env;
}

/** An option as messages tell how to set it: `CHIA_GATEWAY_ADMIN_PORT (--admin-port)`. */
export function usageOf(key: OptionKey): string {
  return `${envName(key)} (${flagOf(envName(key))})`;
}

/** How the protocol core's identity messages name a role's certificate options and the data directory. */
export function identityNames(role: Role): IdentityNames {
  const { cert, key } = OPTION_TREE.identities.inputs;
  const [roleCert, roleKey] = rolePairs(OPTION_TREE.identities.inputs)[role];
  return {
    cert: { option: cert.env, hint: `${cert.env} or ${roleCert.env}` },
    key: { option: key.env, hint: `${key.env} or ${roleKey.env}` },
    dataDir: { option: envName('dataDir'), hint: usageOf('dataDir') },
  };
}
