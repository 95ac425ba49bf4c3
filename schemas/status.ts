/** The gateway's view of its upstream links and block cache (GET /v1/status). */
import { Type, type Static } from '@sinclair/typebox';
import { LINK_STATES, RETRY_CAUSES } from '../src/chia/index.js';
import { Hex32, U32, ref, stringEnum } from './common.js';
import { PeakResponse } from './peak.js';

const Role = stringEnum(['full_node', 'wallet']);

export const LinkRetry = Type.Object(
  {
    cause: stringEnum(RETRY_CAUSES, {
      description:
        'banned: the node banned our IP (HTTP 403, or a close code that implies a ban), every link keeps away until it ends; ' +
        'refused: it closed right after the handshake without a ban (e.g. full slots), retried with growing delays; ' +
        'failed: the connection failed or dropped, retried with growing delays; no_peer: no peer is free for this link (state idle)',
    }),
    at: Type.Integer({ description: 'Epoch ms of the next attempt' }),
    in_ms: Type.Integer({ minimum: 0, description: 'Milliseconds left until the next attempt' }),
    reason: Type.String({ description: 'What the link waits for: the ban, the backoff, or why no peer is free' }),
  },
  { $id: 'LinkRetry', title: 'LinkRetry' },
);

export const LinkStatus = Type.Object(
  {
    id: Type.String({ description: 'Stable link id, e.g. full_node#1' }),
    role: Role,
    peer: Type.String({ description: 'host:port the link is connected or connecting to, or retries first; empty while idle' }),
    state: stringEnum(LINK_STATES, {
      description: 'reconnecting: waiting after a failure or for a ban to end; idle: waiting for a peer no other link of its role holds (not a failure)',
    }),
    peer_id: Type.Union([Type.String(), Type.Null()]),
    peak: Type.Union([
      Type.Object({ height: U32, header_hash: Hex32, weight: Type.String({ pattern: '^[0-9]+$' }) }),
      Type.Null(),
    ]),
    since: Type.Integer({ description: 'Epoch ms of the last state change' }),
    last_error: Type.Union([Type.String(), Type.Null()]),
    in_flight: Type.Integer({ minimum: 0 }),
    queued: Type.Integer({ minimum: 0, description: 'Requests waiting in the pacing queue' }),
    rate_limits: Type.Union([stringEnum(['v1', 'v2']), Type.Null()], {
      description:
        'Rate-limit table the link paces by: v2 when both sides advertise RATE_LIMITS_V2, else the stricter v1 the node then enforces; null before the handshake',
    }),
    reconnects: Type.Integer({ minimum: 0 }),
    retry: Type.Union([ref(LinkRetry), Type.Null()], { description: 'While reconnecting or idle: why, and when the next attempt is' }),
  },
  { $id: 'LinkStatus', title: 'LinkStatus' },
);

export const CacheStats = Type.Object(
  {
    entries: Type.Integer({ minimum: 0 }),
    bytes: Type.Integer({ minimum: 0 }),
    max_bytes: Type.Integer({ minimum: 0 }),
    hits: Type.Integer({ minimum: 0 }),
    misses: Type.Integer({ minimum: 0 }),
    upstream_batches: Type.Integer({ minimum: 0, description: 'Upstream block requests made by the cache' }),
    shared: Type.Object(
      {
        state: stringEnum(['off', 'up', 'down'], {
          description: 'off: no CHIA_GATEWAY_REDIS_URL; up; down: Redis unreachable, slow or failing (requests go on from memory and the peers)',
        }),
        hits: Type.Integer({ minimum: 0, description: 'Buried batches and coin lists found in Redis' }),
        misses: Type.Integer({ minimum: 0 }),
        errors: Type.Integer({ minimum: 0, description: 'Redis commands that failed or passed CHIA_GATEWAY_REDIS_TIMEOUT_MS' }),
        lock_waits: Type.Integer({ minimum: 0, description: 'Loads left to another replica that was already making the same upstream request' }),
        last_error: Type.Union([Type.String(), Type.Null()]),
      },
      { description: 'The Redis cache shared by replicas (CHIA_GATEWAY_REDIS_URL)' },
    ),
  },
  { $id: 'CacheStats', title: 'CacheStats' },
);

export const StatusResponse = Type.Object(
  {
    network: Type.String(),
    roles: Type.Array(Role),
    peak: Type.Union([ref(PeakResponse), Type.Null()]),
    links: Type.Array(ref(LinkStatus)),
    ready: Type.Object({ full_node: Type.Boolean(), wallet: Type.Boolean() }),
    cache: ref(CacheStats),
  },
  { $id: 'Status', title: 'Status', description: 'Upstream links per role and peer, the peak and cache statistics' },
);
export type StatusBody = Static<typeof StatusResponse>;
