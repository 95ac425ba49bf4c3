/**
 * The HTTP edge shared by the public and the admin listener: Fastify's server options (request ids,
 * deadlines, size limits) and problem+json for the errors that never reach a route — those Fastify's
 * router raises (a bad percent-encoding, an over-long path parameter) and those Node's HTTP parser
 * raises (headers too large, a malformed request, a request that did not arrive in time).
 */
import { maxHeaderSize, type Server } from 'node:http';
import type { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { ConnectionError, FastifyBaseLogger, FastifyHttpOptions } from 'fastify';
import type { GatewayConfig } from '../config/config.js';
import { fastifyTrustProxy } from '../config/trust-proxy.js';
import { edgeHeaders, type Listener } from './edge-headers.js';
import { ApiError, MAX_PARAM_LENGTH, toApiError } from './errors.js';
import { requestIdGenerator } from './request-ids.js';
import { sendProblem, writeRawProblem } from './problem.js';

/**
 * Largest request body Fastify would read. No route takes a body (bodies are refused before they are
 * read, src/plugins/http-methods.ts); this bounds what a future route could be sent unless it says more.
 */
const BODY_LIMIT_BYTES = 16 * 1024;
/**
 * Node checks request deadlines on an interval (30 s by default, which would let a 30 s deadline
 * stretch to a minute): check a few times per deadline, and at least every second.
 */
const CHECKS_PER_DEADLINE = 4;
const MAX_CHECK_INTERVAL_MS = 1_000;

/** The catalogue error for an error of Node's HTTP parser or request deadline. */
export function clientErrorOf(error: ConnectionError & { reason?: unknown }, requestTimeoutMs: number): ApiError {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return new ApiError('REQUEST_TIMEOUT', { ms: requestTimeoutMs });
  if (error.code === 'HPE_HEADER_OVERFLOW') return new ApiError('HEADERS_TOO_LARGE', { max: maxHeaderSize });
  // llhttp says what it found in words ("Invalid header value char", "Transfer-Encoding can't be present with Content-Length").
  const reason = typeof error.reason === 'string' && error.reason !== '' ? error.reason : `unreadable request (${error.code})`;
  return new ApiError('MALFORMED_REQUEST', { reason });
}

/** Whether a response on this socket has already sent its headers (Node's own test before it answers a parser error). */
function responseStarted(socket: Socket): boolean {
  return (socket as Socket & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage?.headersSent === true;
}

/** Fastify server options of one listener: the same edge for the public and the admin port. */
export function edgeServerOptions(config: GatewayConfig, listener: Listener): FastifyHttpOptions<Server> {
  const nextRequestId = requestIdGenerator();
  const setEdgeHeaders = edgeHeaders(config, listener);
  const deadline = config.httpRequestTimeoutMs;
  return {
    // Request ids appear in every log line of a request, in problem+json bodies and in x-request-id;
    // the generator itself decides whether a client's x-request-id is kept.
    requestIdHeader: false,
    genReqId: nextRequestId,
    // Keep-alive sockets must not hold a graceful shutdown open.
    forceCloseConnections: 'idle',
    // Requests arriving on open connections during shutdown reach the routes, which answer
    // SHUTTING_DOWN as problem+json (src/plugins/http-guards.ts) instead of Fastify's plain 503.
    return503OnClosing: false,
    // Behind a reverse proxy, request.ip (rate-limit key, logged remoteAddress) comes from X-Forwarded-For.
    trustProxy: fastifyTrustProxy(config.trustProxy),
    // Headers and body must both arrive within the deadline (Node's default leaves the body unbounded).
    requestTimeout: deadline,
    http: {
      headersTimeout: deadline,
      connectionsCheckingInterval: Math.min(MAX_CHECK_INTERVAL_MS, Math.ceil(deadline / CHECKS_PER_DEADLINE)),
    },
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: (error, request, reply) => {
      setEdgeHeaders(request, reply);
      void sendProblem(reply, toApiError(error, request));
    },
    clientErrorHandler(this: { log: FastifyBaseLogger }, error: ConnectionError, socket: Socket) {
      // A reset connection has nobody left to answer.
      if (error.code === 'ECONNRESET' || socket.destroyed) return;
      this.log.debug({ err: error }, 'client error');
      // A response already under way cannot be replaced by an error: only the connection can go.
      if (responseStarted(socket)) {
        socket.destroy();
        return;
      }
      writeRawProblem(socket, clientErrorOf(error, deadline), { instance: '', requestId: nextRequestId() });
    },
  };
}

/**
 * Bounds the connections `server` holds at once: further ones are closed as they are accepted (Node's
 * maxConnections), before they cost a parser or a byte of reading; `onDrop` counts them.
 */
export function limitConnections(server: Server, max: number, onDrop: () => void): void {
  server.maxConnections = max;
  // 'drop' (Node ≥ 18.6) is missing from @types/node 20's typed events.
  (server as EventEmitter).on('drop', onDrop);
}
