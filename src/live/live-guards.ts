/**
 * Checks run in onRequest, before a WebSocket upgrade or an SSE response starts, so a refused client
 * gets a plain problem+json answer: the Origin allowlist and the client ceiling. An admitted request
 * holds a slot until it is attached to the hub (or fails), so a burst of upgrades cannot overshoot.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';
import { sendProblem } from '../plugins/error-handler.js';

/** Seconds a refused client should wait: clients leave at their own pace, no slot frees on a schedule. */
const FULL_RETRY_AFTER_SECONDS = '5';

/**
 * True when a browser origin may open a live stream. No Origin header means a non-browser client
 * (the allowlist protects browsers' users, not the gateway); the gateway's own origin (the demo page)
 * is always allowed; otherwise an empty allowlist allows any origin.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: string[]): boolean {
  if (origin === undefined || allowed.length === 0 || allowed.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** onRequest hook of /v1/ws and /v1/events. */
export async function liveGuard(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  const { config, peakHub } = request.server;
  const origin = request.headers.origin;
  if (!originAllowed(origin, request.headers.host, config.ws.allowedOrigins)) {
    await sendProblem(reply, new ApiError('LIVE_ORIGIN_FORBIDDEN', { origin: origin ?? '' }));
    return reply;
  }
  if (peakHub.slotsInUse >= config.ws.maxClients) {
    const headers = { 'retry-after': FULL_RETRY_AFTER_SECONDS };
    await sendProblem(reply, new ApiError('LIVE_TOO_MANY_CLIENTS', { max: config.ws.maxClients }, { headers }));
    return reply;
  }
  const release = peakHub.reserve();
  slots.set(request.raw, release);
  // Whichever comes first: attach (releaseSlot), an error response, or the connection going away.
  request.raw.socket.once('close', release);
  reply.raw.once('finish', release);
  return undefined;
}

const slots = new WeakMap<IncomingMessage, () => void>();

/** Gives back the slot liveGuard held for this request; call it just before attaching to the hub. */
export function releaseSlot(request: FastifyRequest): void {
  slots.get(request.raw)?.();
}
