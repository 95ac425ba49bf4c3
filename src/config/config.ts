/**
 * The gateway's configuration: one typed object, built once at the edge (environment and CLI flags,
 * see src/config/parse.ts) and passed into buildApp. Every default lives in DEFAULTS below.
 */
import { RATE_LIMITER_BAN_MS, type PeerAddress, type Role } from '../chia/index.js';

export interface TlsIdentityPaths {
  certPath: string;
  keyPath: string;
}

/**
 * Peers trusted to report the client address in X-Forwarded-For (Fastify's `trustProxy`): false
 * (none: the socket's peer is the client), true (every hop), a hop count, or proxy addresses/CIDRs.
 */
export type TrustProxy = boolean | number | string[];

export interface GatewayConfig {
  host: string;
  port: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Chia network id sent in the handshake (`mainnet`, `testnet11`, or a private network's id). */
  network: string;
  /** Explicit peers; empty means "resolve the network's DNS seeders". */
  peers: PeerAddress[];
  roles: Role[];
  /** Where generated client certificates are kept (0600). */
  dataDir: string;
  /** User-supplied client certificates per role; a role without one gets a generated identity. */
  identities: Partial<Record<Role, TlsIdentityPaths>>;
  /** Blocks at least this deep below the peak are immutable and cached as such. */
  confirmations: number;
  /** Upper bound of the block cache, in bytes. */
  cacheBytes: number;
  /** Fraction of the node's v2 rate limits a link may use (PROTOCOL.md §h.1). */
  pacingShare: number;
  /** Deadline of one upstream request. */
  requestTimeoutMs: number;
  /** Healthy links kept per role. */
  linksPerRole: number;
  /** Pending requests a link may queue while pacing before failing fast. */
  pacingQueueSize: number;
  /** Fraction of each link's pacing allowance one client (request.ip) may hold within a window. */
  pacingClientShare: number;
  /** Longest a request waits in a link's pacing queue before 503 UPSTREAM_BUSY (bounded by requestTimeoutMs too). */
  pacingMaxWaitMs: number;
  /** How long no link goes back to a peer that refused the upgrade with HTTP 403 (a ban of unsaid length). */
  banBackoffMs: number;
  ws: {
    maxClients: number;
    /** Live clients one client IP (request.ip) may hold at once; 0 turns the cap off. */
    maxClientsPerIp: number;
    maxMessageBytes: number;
    heartbeatMs: number;
    /** A client whose unsent buffer exceeds this is terminated. */
    sendBufferBytes: number;
    /** Peaks kept for replay (`since`, `Last-Event-ID`). */
    replaySize: number;
    /** Allowed Origin values for WebSocket/SSE; empty means any. */
    allowedOrigins: string[];
    /** Messages a WebSocket client may send a second, on average (its budget's refill rate). */
    messageRate: number;
    /** Messages a WebSocket client may send at once (its budget when full). */
    messageBurst: number;
  };
  /** Origins allowed by CORS to read the HTTP API: `*` (the default) allows any; otherwise only those listed. */
  corsOrigins: string[];
  /** Deadline for a request's headers and body to arrive (slow clients are cut with 408). */
  httpRequestTimeoutMs: number;
  /** Connections (HTTP, WebSocket, SSE) the public listener holds at once; further ones are closed at accept. */
  maxConnections: number;
  /** Port of the admin listener serving /v1/status and /metrics instead of the public port; null: none. */
  adminPort: number | null;
  /** Address of the admin listener. */
  adminHost: string;
  /** Requests per minute per client IP; null disables HTTP rate limiting. */
  rateLimitPerMinute: number | null;
  /** Whose X-Forwarded-For is believed; request.ip (rate-limit keys, logs) follows it. */
  trustProxy: TrustProxy;
  /** /readyz reports not ready when the newest peak was received longer ago than this. */
  peakMaxAgeMs: number;
  /** Upper bound of a graceful shutdown. */
  shutdownTimeoutMs: number;
}

export const DEFAULTS: GatewayConfig = {
  host: '127.0.0.1',
  port: 8080,
  logLevel: 'info',
  network: 'mainnet',
  peers: [],
  roles: ['full_node', 'wallet'],
  dataDir: '.data',
  identities: {},
  confirmations: 32,
  cacheBytes: 256 * 1024 * 1024,
  pacingShare: 0.6,
  requestTimeoutMs: 30_000,
  linksPerRole: 2,
  pacingQueueSize: 1_000,
  // Half for any one client: a flood leaves the other half to everyone else, and a lone client still
  // gets a useful rate (150 of a link's 300 request_blocks per window at the default pacing share).
  pacingClientShare: 0.5,
  // Well under requestTimeoutMs: a client whose requests cannot be paced soon hears 503 with Retry-After
  // instead of holding its connection until the upstream deadline.
  pacingMaxWaitMs: 10_000,
  // A 403 does not say how long the ban lasts (PROTOCOL.md §a.5); the one a gateway most likely
  // earned is the rate limiter's (§i.4). Bans announced by a close code are honoured as announced.
  banBackoffMs: RATE_LIMITER_BAN_MS,
  ws: {
    maxClients: 20_000,
    // Room for a browser with many tabs, or a small office behind one NAT address, while no single
    // address can take more than a sliver of maxClients.
    maxClientsPerIp: 50,
    maxMessageBytes: 4 * 1024,
    heartbeatMs: 30_000,
    sendBufferBytes: 1024 * 1024,
    replaySize: 1_000,
    allowedOrigins: [],
    // A client sends subscribe, unsubscribe and the odd ping: a page reconnecting and resubscribing
    // stays far below these, a loop sending without pause is closed within a few milliseconds.
    messageRate: 5,
    messageBurst: 20,
  },
  // Chain data is public and read-only: any page may read it, as any page may open the live streams.
  corsOrigins: ['*'],
  // Long enough for a slow mobile link to send a GET, short enough that trickling clients cannot hold sockets.
  httpRequestTimeoutMs: 30_000,
  // Above ws.maxClients (each live client holds a connection), with room for REST clients beside them.
  maxConnections: 25_000,
  adminPort: null,
  adminHost: '127.0.0.1',
  rateLimitPerMinute: null,
  trustProxy: false,
  // Blocks come every ~18.75 s on average (PROTOCOL.md §i.2); five minutes without one means a stale view.
  peakMaxAgeMs: 5 * 60_000,
  shutdownTimeoutMs: 10_000,
};

/** DEFAULTS with some fields replaced; handy in tests. */
export function configWith(overrides: Partial<GatewayConfig>): GatewayConfig {
  return { ...DEFAULTS, ...overrides, ws: { ...DEFAULTS.ws, ...overrides.ws } };
}
