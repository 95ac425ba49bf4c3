/**
 * Checks run in onRequest, before a WebSocket upgrade or an SSE response starts, so a refused client
 * gets a plain problem+json answer: the Origin allowlist, the per-address cap and the global client
 * ceiling. An admitted request holds a slot (for its address too) until it is attached to the hub (or
 * fails), so a burst of upgrades cannot overshoot either limit.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../http/errors.js';
import { sendProblem } from '../http/problem.js';

/** Seconds a client refused for a limit should wait: clients leave at their own pace, no slot frees on a schedule. */
const FULL_RETRY_AFTER_SECONDS = '5';

/**
 * True when a browser origin may open a live stream. No Origin header means a non-browser client
 * (the allowlist protects browsers' users, not the gateway); an empty allowlist allows any origin;
 * otherwise only a listed origin passes, compared whole (scheme, host, port: a browser sends the
 * serialised origin, the form the configuration requires). Nothing from the request vouches for an
 * origin: a Host header that matches it proves nothing, since a page on a name the attacker points
 * at the gateway (DNS rebinding) sends matching Origin and Host headers.
 */
export function originAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  return origin === undefined || allowed.length === 0 || allowed.includes(origin);
}

/** onRequest hook of /v1/ws and /v1/events. */
export async function liveGuard(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  const { config, peakHub, metrics } = request.server;
  const { maxClients, maxClientsPerIp } = config.ws;
  const origin = request.headers.origin;
  const headers = { 'retry-after': FULL_RETRY_AFTER_SECONDS };
  if (!originAllowed(origin, config.ws.allowedOrigins)) {
    metrics.liveRefused.inc({ reason: 'origin' });
    await sendProblem(reply, new ApiError('LIVE_ORIGIN_FORBIDDEN', { origin: origin ?? '' }));
    return reply;
  }
  // The per-address cap comes first: a client over its own share is told so (429), even when the
  // gateway is full too. Addresses are counted even with the cap off (0): one map entry per connected address.
  if (maxClientsPerIp > 0 && peakHub.slotsInUseBy(request.ip) >= maxClientsPerIp) {
    metrics.liveRefused.inc({ reason: 'max_clients_per_ip' });
    await sendProblem(reply, new ApiError('LIVE_TOO_MANY_CLIENTS_FROM_IP', { ip: request.ip, max: maxClientsPerIp }, { headers }));
    return reply;
  }
  if (peakHub.slotsInUse >= maxClients) {
    metrics.liveRefused.inc({ reason: 'max_clients' });
    await sendProblem(reply, new ApiError('LIVE_TOO_MANY_CLIENTS', { max: maxClients }, { headers }));
    return reply;
  }
  const reservation = peakHub.reserve(request.ip);
  const socket = request.raw.socket;
  // Whichever comes first: attach (releaseSlot), an error response, or the connection going away.
  // The socket listener must go with the slot: a keep-alive socket serves many requests (e.g. 426s).
  const release = () => {
    socket.off('close', release);
    reservation();
  };
  slots.set(request.raw, release);
  socket.once('close', release);
  reply.raw.once('finish', release);
  return undefined;
}

const slots = new WeakMap<IncomingMessage, () => void>();

/** Gives back the slot liveGuard held for this request; call it just before attaching to the hub. */
export function releaseSlot(request: FastifyRequest): void {
  slots.get(request.raw)?.();
}
