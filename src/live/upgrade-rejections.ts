/**
 * Upgrade requests the gateway does not accept. Every one is answered (problem+json with a catalogue
 * code) and its socket closed: once Node hands a socket over with the 'upgrade' event it has no HTTP
 * parser and no server timeouts any more, so a socket nobody closes stays open for good (a file
 * descriptor per request, and a shutdown that cannot finish).
 *
 * - An upgrade for anything but `GET` on a WebSocket route is served as plain HTTP through the normal
 *   routes (a 404 problem for an unknown path or method), then closed: answerWithoutUpgrade.
 * - A `GET` on a WebSocket route whose handshake ws would refuse (RFC 6455 §4.2.1) is refused here with
 *   problem+json, before ws answers it in text/html: handshakeGuard. Such a request, and any other the
 *   route refuses (origin, caps, cursor), is closed by @fastify/websocket once its answer is sent.
 */
import { ServerResponse, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../http/errors.js';
import { sendProblem } from '../http/problem.js';

/** The WebSocket version the gateway speaks (RFC 6455 §4.1; ws also accepts the draft version 8). */
export const WEBSOCKET_VERSION = '13';
/** A Sec-WebSocket-Key is 16 random bytes in base64 (RFC 6455 §4.1), the check ws makes. */
const KEY = /^[+/0-9A-Za-z]{22}==$/;
/** An HTTP token (RFC 9110 §5.6.2): a subprotocol name. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Optional whitespace around list items (RFC 9110 §5.6.1). */
const OWS = /^[ \t]+|[ \t]+$/g;

/**
 * How long a socket being answered may go without any I/O: a live route answers an upgrade at once
 * (ws clears the limit when it takes the socket), so only a client that stops reading hits it.
 */
export const UPGRADE_IDLE_MS = 10_000;
/** After an answer, how long the client gets to close its side before its socket is destroyed. */
export const ANSWERED_CLOSE_GRACE_MS = 1_000;

/** The refusal of a request to a WebSocket-only route that is not a WebSocket upgrade (RFC 9110 §15.5.22). */
export function upgradeRequired(): ApiError {
  return new ApiError('LIVE_UPGRADE_REQUIRED', {}, { headers: { upgrade: 'websocket' } });
}

/** What is wrong with a WebSocket opening handshake, or null when ws will accept it. */
export function handshakeError(headers: IncomingHttpHeaders): ApiError | null {
  if (headers.upgrade?.toLowerCase() !== 'websocket') return upgradeRequired();
  // String(): @fastify/websocket's injectWS passes the version as a number.
  const version = headers['sec-websocket-version'] === undefined ? undefined : String(headers['sec-websocket-version']);
  if (version === undefined) return new ApiError('LIVE_HANDSHAKE_INVALID', { detail: 'Sec-WebSocket-Version is missing' });
  if (version !== WEBSOCKET_VERSION) {
    return new ApiError(
      'LIVE_WEBSOCKET_VERSION_UNSUPPORTED',
      { version: JSON.stringify(version), supported: WEBSOCKET_VERSION },
      { headers: { 'sec-websocket-version': WEBSOCKET_VERSION } },
    );
  }
  const key = headers['sec-websocket-key'];
  if (key === undefined || !KEY.test(key)) {
    return new ApiError('LIVE_HANDSHAKE_INVALID', { detail: 'Sec-WebSocket-Key must be 16 bytes in base64 (24 characters ending in ==)' });
  }
  const protocols = headers['sec-websocket-protocol'];
  if (protocols !== undefined && !isTokenSet(protocols)) {
    return new ApiError('LIVE_HANDSHAKE_INVALID', { detail: 'Sec-WebSocket-Protocol must be a comma-separated list of distinct tokens' });
  }
  return null;
}

function isTokenSet(list: string): boolean {
  const items = list.split(',').map((item) => item.replace(OWS, ''));
  return items.every((item) => TOKEN.test(item)) && new Set(items).size === items.length;
}

/**
 * onRequest hook of a WebSocket route, first of its hooks: refuses an upgrade whose handshake ws
 * would refuse. Every answer to an upgrade request that does not upgrade says the socket closes.
 */
export async function handshakeGuard(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  // Set by @fastify/websocket for a request that arrived through 'upgrade'.
  if (!request.ws) return undefined;
  reply.header('connection', 'close');
  const error = handshakeError(request.headers);
  if (error === null) return undefined;
  await sendProblem(reply, error);
  return reply;
}

/**
 * Destroys an upgrade socket that goes UPGRADE_IDLE_MS without I/O (Node's server timeouts no longer
 * watch it): a client that sends an upgrade and then reads nothing cannot hold it.
 */
export function limitIdle(socket: Duplex): void {
  if ('setTimeout' in socket) (socket as Socket).setTimeout(UPGRADE_IDLE_MS, () => socket.destroy());
}

/** Serves an upgrade request as plain HTTP through the normal routes, then closes its socket. */
export function answerWithoutUpgrade(app: FastifyInstance, request: IncomingMessage, socket: Duplex): void {
  // Node removes its own socket error listener before emitting 'upgrade'.
  socket.on('error', () => socket.destroy());
  const response = new ServerResponse(request);
  // A server emitting 'upgrade' hands over the TCP socket it accepted.
  response.assignSocket(socket as Socket);
  // The socket has no HTTP parser any more, so it cannot carry a second request.
  response.setHeader('connection', 'close');
  // From the end of the answer: a route may take its time (an upstream fetch) before it has one.
  response.once('prefinish', () => limitIdle(socket));
  response.once('finish', () => closeAnswered(socket));
  response.once('close', () => {
    if (!response.writableFinished) socket.destroy();
  });
  app.routing(request, response);
}

/**
 * Ends a socket whose answer is sent. Its input is read and dropped so that the client's FIN is
 * seen (an unread socket never learns its peer left and stays in CLOSE_WAIT); a client that keeps
 * its side open is cut off after ANSWERED_CLOSE_GRACE_MS.
 */
function closeAnswered(socket: Duplex): void {
  socket.end();
  socket.resume();
  const timer = setTimeout(() => socket.destroy(), ANSWERED_CLOSE_GRACE_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}
