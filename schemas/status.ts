/** The gateway's view of its upstream links and block cache (GET /v1/status). */
import { Type, type Static } from '@sinclair/typebox';
import { Hex32, U32, ref, stringEnum } from './common.js';
import { PeakResponse } from './peak.js';

const Role = stringEnum(['full_node', 'wallet']);

export const LinkStatus = Type.Object(
  {
    id: Type.String({ description: 'Stable link id, e.g. full_node#1' }),
    role: Role,
    peer: Type.String({ description: 'host:port' }),
    state: stringEnum(['connecting', 'handshaking', 'ready', 'reconnecting', 'closed']),
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
export type CacheStatsBody = Static<typeof CacheStats>;
