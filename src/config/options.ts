/**
 * Every configuration option in one table: its environment variable, its CLI flag (flags mirror the
 * variables), its TypeBox schema and its help text. src/config/parse.ts validates against it, `--help`
 * and the README's configuration table are written from it. Defaults come from DEFAULTS in config.ts.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { DEFAULTS, type TrustProxy } from './config.js';

export const MIB = 1024 * 1024;
const MAX_PORT = 65_535;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const ROLE_NAMES = ['full_node', 'wallet'] as const;

const int = (minimum: number, maximum: number) => Type.Integer({ minimum, maximum });
const text = () => Type.String({ minLength: 1 });
const list = <T extends TSchema>(item: T) => Type.Array(item);

/** The flat option values, as given by flags or variables after type coercion. */
export const OptionsSchema = Type.Object({
  port: Type.Optional(int(0, MAX_PORT)),
  host: Type.Optional(text()),
  logLevel: Type.Optional(Type.Union(LOG_LEVELS.map((l) => Type.Literal(l)))),
  network: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$', description: 'a network id (letters, digits, _ . -)' })),
  peers: Type.Optional(list(text())),
  roles: Type.Optional(Type.Array(Type.Union(ROLE_NAMES.map((r) => Type.Literal(r))), { minItems: 1, uniqueItems: true })),
  dataDir: Type.Optional(text()),
  cert: Type.Optional(text()),
  key: Type.Optional(text()),
  fullNodeCert: Type.Optional(text()),
  fullNodeKey: Type.Optional(text()),
  walletCert: Type.Optional(text()),
  walletKey: Type.Optional(text()),
  confirmations: Type.Optional(int(0, 100_000)),
  cacheMb: Type.Optional(int(1, 1_048_576)),
  pacingShare: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
  requestTimeoutMs: Type.Optional(int(100, 600_000)),
  linksPerRole: Type.Optional(int(1, 16)),
  pacingQueueSize: Type.Optional(int(1, 1_000_000)),
  pacingClientShare: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
  pacingMaxWaitMs: Type.Optional(int(100, 600_000)),
  banBackoffMs: Type.Optional(int(1_000, 86_400_000)),
  wsMaxClients: Type.Optional(int(1, 1_000_000)),
  wsMaxClientsPerIp: Type.Optional(int(0, 1_000_000)),
  wsMaxMessageBytes: Type.Optional(int(64, MIB)),
  wsHeartbeatMs: Type.Optional(int(1_000, 600_000)),
  wsSendBufferBytes: Type.Optional(int(1_024, 1_024 * MIB)),
  wsReplaySize: Type.Optional(int(1, 100_000)),
  wsAllowedOrigins: Type.Optional(list(text())),
  wsMessageRate: Type.Optional(int(1, 10_000)),
  wsMessageBurst: Type.Optional(int(1, 100_000)),
  corsOrigins: Type.Optional(list(text())),
  httpRequestTimeoutMs: Type.Optional(int(1_000, 600_000)),
  maxConnections: Type.Optional(int(1, 1_000_000)),
  adminPort: Type.Optional(int(0, MAX_PORT)),
  adminHost: Type.Optional(text()),
  rateLimit: Type.Optional(int(0, 1_000_000)),
  // Parsed by src/config/trust-proxy.ts: true, false, a hop count, or addresses/CIDRs.
  trustProxy: Type.Optional(text()),
  peakMaxAgeMs: Type.Optional(int(1_000, 86_400_000)),
  shutdownTimeoutMs: Type.Optional(int(100, 600_000)),
});

export type Options = Static<typeof OptionsSchema>;
export type OptionKey = keyof Options;

export interface OptionSpec {
  key: OptionKey;
  env: string;
  flag: string;
  /** Placeholder shown after the flag in --help. */
  value: string;
  /** Comma-separated list. */
  list?: boolean;
  /** Default as shown to people. */
  defaultText: string;
  help: string;
}

const trustProxyText = (value: TrustProxy) => (value === false ? '(off)' : Array.isArray(value) ? value.join(',') : String(value));
const listText = (items: readonly string[], empty: string) => (items.length === 0 ? empty : items.join(','));

/** Every option, in the order --help and the README show them. */
export const OPTIONS: readonly OptionSpec[] = [
  { key: 'port', env: 'PORT', flag: '--port', value: '<int>', defaultText: String(DEFAULTS.port), help: 'HTTP port to listen on (0 picks a free port).' },
  { key: 'host', env: 'HOST', flag: '--host', value: '<addr>', defaultText: DEFAULTS.host, help: 'Address to listen on; the Docker image sets 0.0.0.0.' },
  { key: 'logLevel', env: 'LOG_LEVEL', flag: '--log-level', value: '<level>', defaultText: DEFAULTS.logLevel, help: `Log level: ${LOG_LEVELS.join(', ')}.` },
  { key: 'network', env: 'CHIA_GATEWAY_NETWORK', flag: '--network', value: '<id>', defaultText: DEFAULTS.network, help: 'Chia network id sent in the handshake (mainnet, testnet11, or a private network id).' },
  { key: 'peers', env: 'CHIA_GATEWAY_PEERS', flag: '--peers', value: '<list>', list: true, defaultText: '(DNS seeders)', help: "Full nodes to connect to: host:port,host:port; IPv6 in brackets ([::1]:8444); the port defaults to the network's (8444 mainnet, 58444 testnet11). Empty: ask the network's DNS seeders." },
  { key: 'roles', env: 'CHIA_GATEWAY_ROLES', flag: '--roles', value: '<list>', list: true, defaultText: DEFAULTS.roles.join(','), help: 'Link roles to open: full_node (full blocks), wallet (headers, additions, removals).' },
  { key: 'dataDir', env: 'CHIA_GATEWAY_DATA_DIR', flag: '--data-dir', value: '<dir>', defaultText: DEFAULTS.dataDir, help: 'Directory for generated client certificates (tls/<role>.crt|.key, mode 0600).' },
  { key: 'cert', env: 'CHIA_GATEWAY_CERT', flag: '--cert', value: '<file>', defaultText: '(generated)', help: 'Client certificate (PEM, signed by the public Chia CA) for the single configured role; a node keeps one connection per certificate, so one pair cannot serve two roles.' },
  { key: 'key', env: 'CHIA_GATEWAY_KEY', flag: '--key', value: '<file>', defaultText: '(generated)', help: 'Private key (PEM) of CHIA_GATEWAY_CERT.' },
  { key: 'fullNodeCert', env: 'CHIA_GATEWAY_FULL_NODE_CERT', flag: '--full-node-cert', value: '<file>', defaultText: '(generated)', help: 'Client certificate of the full_node role.' },
  { key: 'fullNodeKey', env: 'CHIA_GATEWAY_FULL_NODE_KEY', flag: '--full-node-key', value: '<file>', defaultText: '(generated)', help: 'Private key of the full_node role.' },
  { key: 'walletCert', env: 'CHIA_GATEWAY_WALLET_CERT', flag: '--wallet-cert', value: '<file>', defaultText: '(generated)', help: 'Client certificate of the wallet role.' },
  { key: 'walletKey', env: 'CHIA_GATEWAY_WALLET_KEY', flag: '--wallet-key', value: '<file>', defaultText: '(generated)', help: 'Private key of the wallet role.' },
  { key: 'confirmations', env: 'CHIA_GATEWAY_CONFIRMATIONS', flag: '--confirmations', value: '<int>', defaultText: String(DEFAULTS.confirmations), help: 'Blocks at least this deep below the peak are treated as immutable (cached, long Cache-Control).' },
  { key: 'cacheMb', env: 'CHIA_GATEWAY_CACHE_MB', flag: '--cache-mb', value: '<int>', defaultText: String(DEFAULTS.cacheBytes / MIB), help: 'Upper bound of the block cache, in MiB.' },
  { key: 'pacingShare', env: 'CHIA_GATEWAY_PACING_SHARE', flag: '--pacing-share', value: '<0..1>', defaultText: String(DEFAULTS.pacingShare), help: "Fraction of the node's rate limits one link may use (0 < share ≤ 1)." },
  { key: 'requestTimeoutMs', env: 'CHIA_GATEWAY_REQUEST_TIMEOUT_MS', flag: '--request-timeout-ms', value: '<ms>', defaultText: String(DEFAULTS.requestTimeoutMs), help: 'Deadline of one upstream request.' },
  { key: 'linksPerRole', env: 'CHIA_GATEWAY_LINKS_PER_ROLE', flag: '--links-per-role', value: '<int>', defaultText: String(DEFAULTS.linksPerRole), help: 'Healthy links kept per role.' },
  { key: 'pacingQueueSize', env: 'CHIA_GATEWAY_PACING_QUEUE_SIZE', flag: '--pacing-queue-size', value: '<int>', defaultText: String(DEFAULTS.pacingQueueSize), help: 'Requests a link may queue while pacing before failing fast with 503; one client IP may hold at most its CHIA_GATEWAY_PACING_CLIENT_SHARE of them.' },
  { key: 'pacingClientShare', env: 'CHIA_GATEWAY_PACING_CLIENT_SHARE', flag: '--pacing-client-share', value: '<0..1>', defaultText: String(DEFAULTS.pacingClientShare), help: "Fraction of each link's pacing allowance one client IP may use within a rate-limit window, and of the link's pacing queue it may hold (0 < share ≤ 1; at least one place), so one client's flood leaves the rest to the others; when room frees up, the least served client goes first. Behind a reverse proxy set CHIA_GATEWAY_TRUST_PROXY, or every client shares the proxy's address." },
  { key: 'pacingMaxWaitMs', env: 'CHIA_GATEWAY_PACING_MAX_WAIT_MS', flag: '--pacing-max-wait-ms', value: '<ms>', defaultText: String(DEFAULTS.pacingMaxWaitMs), help: "Longest a request waits in a link's pacing queue (and never past CHIA_GATEWAY_REQUEST_TIMEOUT_MS); still waiting then, it is answered 503 UPSTREAM_BUSY with Retry-After: when the window has room again." },
  { key: 'banBackoffMs', env: 'CHIA_GATEWAY_BAN_BACKOFF_MS', flag: '--ban-backoff-ms', value: '<ms>', defaultText: String(DEFAULTS.banBackoffMs), help: "How long every link keeps away from a peer that refused the upgrade with HTTP 403 (our IP is banned there, for a time the node does not say). Bans a node announces by its close code are honoured as announced, and other closes are retried per link with growing delays." },
  { key: 'wsMaxClients', env: 'CHIA_GATEWAY_WS_MAX_CLIENTS', flag: '--ws-max-clients', value: '<int>', defaultText: String(DEFAULTS.ws.maxClients), help: 'Live subscribers (WebSocket + SSE) accepted at once.' },
  { key: 'wsMaxClientsPerIp', env: 'CHIA_GATEWAY_WS_MAX_CLIENTS_PER_IP', flag: '--ws-max-clients-per-ip', value: '<int>', defaultText: String(DEFAULTS.ws.maxClientsPerIp), help: "Live subscribers (WebSocket + SSE together) one client IP may hold at once, so one address cannot take every slot; beyond it 429. The default leaves room for a browser with many tabs or a small office behind one NAT address; 0 turns the cap off. Behind a reverse proxy set CHIA_GATEWAY_TRUST_PROXY, or every client shares the proxy's address." },
  { key: 'wsMaxMessageBytes', env: 'CHIA_GATEWAY_WS_MAX_MESSAGE_BYTES', flag: '--ws-max-message-bytes', value: '<bytes>', defaultText: String(DEFAULTS.ws.maxMessageBytes), help: 'Largest message a WebSocket client may send.' },
  { key: 'wsHeartbeatMs', env: 'CHIA_GATEWAY_WS_HEARTBEAT_MS', flag: '--ws-heartbeat-ms', value: '<ms>', defaultText: String(DEFAULTS.ws.heartbeatMs), help: 'Ping interval; a client that misses a ping is dropped.' },
  { key: 'wsSendBufferBytes', env: 'CHIA_GATEWAY_WS_SEND_BUFFER_BYTES', flag: '--ws-send-buffer-bytes', value: '<bytes>', defaultText: String(DEFAULTS.ws.sendBufferBytes), help: 'A subscriber whose unsent data exceeds this is disconnected (slow consumer).' },
  { key: 'wsReplaySize', env: 'CHIA_GATEWAY_WS_REPLAY_SIZE', flag: '--ws-replay-size', value: '<int>', defaultText: String(DEFAULTS.ws.replaySize), help: 'Peaks kept for replay to reconnecting clients (since, Last-Event-ID).' },
  { key: 'wsAllowedOrigins', env: 'CHIA_GATEWAY_WS_ALLOWED_ORIGINS', flag: '--ws-allowed-origins', value: '<list>', list: true, defaultText: listText(DEFAULTS.ws.allowedOrigins, '(any)'), help: "Origins allowed to open /v1/ws and /v1/events (comma-separated, compared whole: scheme, host and port); empty allows any. With a list, only listed origins pass, the gateway's own included (list it for the demo page); requests without Origin (scripts) always pass." },
  { key: 'wsMessageRate', env: 'CHIA_GATEWAY_WS_MESSAGE_RATE', flag: '--ws-message-rate', value: '<per-s>', defaultText: String(DEFAULTS.ws.messageRate), help: 'Messages a WebSocket client may send a second over time; beyond its budget it gets an error frame (MESSAGE_RATE_EXCEEDED) and is closed with 1008.' },
  { key: 'wsMessageBurst', env: 'CHIA_GATEWAY_WS_MESSAGE_BURST', flag: '--ws-message-burst', value: '<int>', defaultText: String(DEFAULTS.ws.messageBurst), help: 'Messages a WebSocket client may send at once, before CHIA_GATEWAY_WS_MESSAGE_RATE applies.' },
  { key: 'corsOrigins', env: 'CHIA_GATEWAY_CORS_ORIGINS', flag: '--cors-origins', value: '<list>', list: true, defaultText: listText(DEFAULTS.corsOrigins, '(none)'), help: 'Origins whose pages may read the HTTP API (CORS, GET and HEAD, errors included): * allows any; a comma-separated list (https://app.example,http://localhost:3000) allows only those.' },
  { key: 'httpRequestTimeoutMs', env: 'CHIA_GATEWAY_HTTP_REQUEST_TIMEOUT_MS', flag: '--http-request-timeout-ms', value: '<ms>', defaultText: String(DEFAULTS.httpRequestTimeoutMs), help: 'Deadline for a client to send a request line, headers and body; a slower client gets 408 and its connection is closed.' },
  { key: 'maxConnections', env: 'CHIA_GATEWAY_MAX_CONNECTIONS', flag: '--max-connections', value: '<int>', defaultText: String(DEFAULTS.maxConnections), help: 'Connections the HTTP port holds at once (REST, WebSocket and SSE together); beyond it new connections are closed at once. Keep it above CHIA_GATEWAY_WS_MAX_CLIENTS.' },
  { key: 'adminPort', env: 'CHIA_GATEWAY_ADMIN_PORT', flag: '--admin-port', value: '<int>', defaultText: DEFAULTS.adminPort === null ? '(off)' : String(DEFAULTS.adminPort), help: 'Serve /v1/status and /metrics on this separate port instead of the HTTP port (which keeps /healthz and /readyz); unset: everything on the HTTP port.' },
  { key: 'adminHost', env: 'CHIA_GATEWAY_ADMIN_HOST', flag: '--admin-host', value: '<addr>', defaultText: DEFAULTS.adminHost, help: 'Address of the admin listener (CHIA_GATEWAY_ADMIN_PORT); loopback by default.' },
  { key: 'rateLimit', env: 'CHIA_GATEWAY_RATE_LIMIT', flag: '--rate-limit', value: '<per-min>', defaultText: DEFAULTS.rateLimitPerMinute === null ? '(off)' : String(DEFAULTS.rateLimitPerMinute), help: 'HTTP requests per minute per client IP (429 beyond); unset or 0 turns rate limiting off.' },
  { key: 'trustProxy', env: 'CHIA_GATEWAY_TRUST_PROXY', flag: '--trust-proxy', value: '<proxies>', defaultText: trustProxyText(DEFAULTS.trustProxy), help: 'Behind a reverse proxy: whose X-Forwarded-For gives the client IP (rate limit, live clients per IP, logs). A comma-separated list of proxy addresses/CIDRs (127.0.0.1,10.0.0.0/8); or a hop count, or true (every hop), both only safe when the gateway is reachable solely through the proxy. Unset or false: the connecting address is the client.' },
  { key: 'peakMaxAgeMs', env: 'CHIA_GATEWAY_PEAK_MAX_AGE_MS', flag: '--peak-max-age-ms', value: '<ms>', defaultText: String(DEFAULTS.peakMaxAgeMs), help: '/readyz fails when the newest peak was received longer ago than this.' },
  { key: 'shutdownTimeoutMs', env: 'CHIA_GATEWAY_SHUTDOWN_TIMEOUT_MS', flag: '--shutdown-timeout-ms', value: '<ms>', defaultText: String(DEFAULTS.shutdownTimeoutMs), help: 'Upper bound of a graceful shutdown (drain requests, close clients and links).' },
];

/** Prefix of the gateway's own variables; an unknown one is reported as a likely typo. */
export const ENV_PREFIX = 'CHIA_GATEWAY_';

/** The environment variable of an option, for text that tells users what to set (descriptions, hints). */
export function envName(key: OptionKey): string {
  const spec = OPTIONS.find((o) => o.key === key);
  if (spec === undefined) throw new Error(`no option ${key} in OPTIONS`);
  return spec.env;
}
