/**
 * Checks run in onRequest, before a WebSocket upgrade or an SSE response starts, so a refused client
 * gets a plain problem+json answer: the Origin allowlist and the client ceiling.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';
import { sendProblem } from '../plugins/error-handler.js';

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
export async function liveGuard(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const { config, peakHub } = request.server;
  const origin = request.headers.origin;
  if (!originAllowed(origin, request.headers.host, config.ws.allowedOrigins)) {
    await sendProblem(reply, new ApiError('LIVE_ORIGIN_FORBIDDEN', { origin: origin ?? '' }));
    return reply;
  }
  if (peakHub.clientCount >= config.ws.maxClients) {
    await sendProblem(reply, new ApiError('LIVE_TOO_MANY_CLIENTS', { max: config.ws.maxClients }, { headers: { 'retry-after': '5' } }));
    return reply;
  }
}
