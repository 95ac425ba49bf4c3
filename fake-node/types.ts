/** Shapes shared by the fake node's modules: options, violations and the context a session sees. */
import type { BanList } from './bans.js';
import type { FakeChain } from './chain.js';
import type { Faults } from './faults.js';
import type { FakePeer } from './handlers.js';
import type { Session } from './session.js';

/** The subset of a pino logger the fake node uses. */
export interface FakeNodeLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface FakeNodeOptions {
  /** network_id the node requires and answers with (default 'mainnet'). */
  network?: string;
  /** Listen address (default 127.0.0.1). */
  host?: string;
  /** Listen port (default 0: any free port). */
  port?: number;
  /** Blocks in the initial chain, heights 0 … chainLength − 1 (default 1000). */
  chainLength?: number;
  /** Produce a block every blockIntervalMs, and reorg (depth 1–2) every reorgEvery blocks. */
  devnet?: { blockIntervalMs: number; reorgEvery?: number };
  /**
   * Length of the node's fixed rate-limit buckets (default 60 000 as on the node, §h.1). A shorter window
   * keeps the same counts per window, and every ban shrinks by the same factor (window / 60 s).
   */
  rateLimitWindowMs?: number;
  /** FULL_NODE peers silent for this long are closed (default 1 800 000, §a.5). */
  idleTimeoutMs?: number;
  /** The whole handshake must arrive within this (default 30 000, §a.5). */
  handshakeTimeoutMs?: number;
  /** Largest WebSocket message accepted (default 50 MiB, §a.1); bigger ones close 1009 and ban 300 s. */
  maxMessageBytes?: number;
  /** Inbound slots per node type (defaults: FULL_NODE 32, WALLET 20, FARMER 10; others refused), §a.5. */
  inboundSlots?: Partial<Record<number, number>>;
  /**
   * Advertise RATE_LIMITS_V2 (capability 3) in the handshake reply (default true, as a real node). With
   * false, or when the peer does not list it, the peer gets the stricter v1 limits (§c.4, §h.1).
   */
  rateLimitsV2?: boolean;
  /** Also send FULL_NODE peers gossip around each peak: signage point, unfinished block, transaction (default false). */
  gossip?: boolean;
  /** Puzzle hashes plus coin ids one peer may subscribe to (default 200 000, an untrusted peer's cap, §h.4). */
  maxSubscriptions?: number;
  /** Most coin states in one wallet response (default 100 000, an untrusted peer's limit, §h.4). */
  maxResponseItems?: number;
  /** Addresses returned to request_peers (default none). */
  peers?: FakePeer[];
  logger?: FakeNodeLogger;
}

export type ResolvedOptions = Required<Omit<FakeNodeOptions, 'devnet' | 'logger' | 'inboundSlots'>> & {
  devnet: FakeNodeOptions['devnet'];
  inboundSlots: Partial<Record<number, number>>;
};

export type ViolationKind =
  | 'handshake' // bad or mismatched handshake (close 1002 "-6" / "110" / "1")
  | 'handshake_timeout' // no handshake in time (1002 "-6")
  | 'bad_frame' // malformed frame or unknown message type (1002 "-4")
  | 'bad_payload' // payload does not decode (1002 "1")
  | 'node_type' // message the peer's node type may not send (1002 "1")
  | 'rate_limit' // v1/v2 (or v3 window) inbound limit exceeded (1000 "")
  | 'unsolicited' // unsolicited respond_block(s) / reject_block(s) (1000 "")
  | 'too_big'; // WebSocket message over maxMessageBytes (1009)

/** One punished misbehaviour, as the node would log it. */
export interface Violation {
  kind: ViolationKind;
  detail: string;
  /** Message name involved, when there is one. */
  message: string | undefined;
  ip: string;
  peerId: string;
  nodeType: number | null;
  closeCode: number;
  closeReason: string;
  /** Ban length the node applies, in (unscaled) seconds; null for none. */
  banSeconds: number | null;
  at: number;
}

/** What a session needs from its node. */
export interface FakeNodeContext {
  options: ResolvedOptions;
  chain: FakeChain;
  faults: Faults;
  bans: BanList;
  logger: FakeNodeLogger;
  port(): number;
  /** Counts one received message of type `name` (`data`: its payload, when it is a request). */
  count(name: string, peerId: string, data?: Uint8Array): void;
  violation(v: Violation): void;
  /** Registers a handshaken session; false when its node type has no free slot. */
  register(session: Session): boolean;
  unregister(session: Session): void;
}
