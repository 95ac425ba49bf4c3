/**
 * RFC 9457 application/problem+json: the one rendering of a catalogue error (src/http/errors.ts),
 * sent on a Fastify reply (sendProblem) or, for a socket that has no reply (an HTTP parser error, a
 * refused WebSocket upgrade), written to the raw socket as a complete HTTP/1.1 response (writeRawProblem).
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ProblemBody } from '../../schemas/common.js';
import type { ApiError } from './errors.js';
import { HEADER_HASH_HEADERS } from './resource-headers.js';
import { pathOf } from './url-path.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';
/** Problem types are tag URIs (RFC 4151), which RFC 9457 §3.1.1 allows for non-dereferenceable types. */
export const PROBLEM_TYPE_PREFIX = 'tag:chia-peer-gateway,2026:problem:';

/** Headers describing a successful resource, dropped from error responses. */
const RESOURCE_HEADERS = ['etag', ...HEADER_HASH_HEADERS];
/** A raw problem response still unsent after this long goes with its socket (a client that reads nothing). */
const RAW_PROBLEM_FLUSH_MS = 5_000;

/** The problem body of a catalogue error about `instance` (the request path). */
export function problemBody(error: ApiError, instance: string, requestId: string): ProblemBody {
  return {
    type: PROBLEM_TYPE_PREFIX + error.code,
    title: error.title,
    status: error.status,
    detail: error.message,
    code: error.code,
    instance,
    request_id: requestId,
  };
}

/** Builds a problem body from a catalogue error. */
export function problemOf(error: ApiError, request: FastifyRequest): ProblemBody {
  return problemBody(error, pathOf(request.url), String(request.id));
}

/**
 * Readies `reply` for an error: a route may have set a block's validators before failing, which an
 * error must not carry, and no cache may keep it (a public max-age would let a shared cache store
 * even a 502). A Vary header stays: CORS may have set `Vary: Origin`. Sets the error's own headers.
 */
export function problemHeaders(reply: FastifyReply, error: ApiError): FastifyReply {
  for (const name of RESOURCE_HEADERS) reply.removeHeader(name);
  reply.header('cache-control', 'no-store');
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  return reply;
}

/** Sends a catalogue error as problem+json (pre-serialised, so no response schema can reshape it). */
export function sendProblem(reply: FastifyReply, error: ApiError): FastifyReply {
  return problemHeaders(reply, error)
    .code(error.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problemOf(error, reply.request)));
}

/** Where a raw problem response is about, and the headers it carries besides the standard ones. */
export interface RawProblemContext {
  /** The request path, or '' when the request could not be read. */
  instance: string;
  requestId: string;
  /** Extra headers, e.g. CORS or Retry-After; the error's own headers are added. */
  headers?: Record<string, string>;
}

/**
 * A complete HTTP/1.1 response carrying a catalogue error as problem+json, for a socket that has no
 * Fastify reply (a parser error, a refused WebSocket upgrade). It closes the connection.
 */
export function rawProblemResponse(error: ApiError, context: RawProblemContext): string {
  const body = JSON.stringify(problemBody(error, context.instance, context.requestId));
  const headers: Record<string, string> = {
    'content-type': PROBLEM_CONTENT_TYPE,
    'content-length': String(Buffer.byteLength(body)),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'x-request-id': context.requestId,
    connection: 'close',
    ...context.headers,
    ...error.headers,
  };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** Writes rawProblemResponse to `socket` and closes it once written (or after a bound, for a client that reads nothing). */
export function writeRawProblem(socket: Duplex, error: ApiError, context: RawProblemContext): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const cut = setTimeout(() => socket.destroy(), RAW_PROBLEM_FLUSH_MS);
  cut.unref();
  socket.end(rawProblemResponse(error, context), () => {
    clearTimeout(cut);
    socket.destroy();
  });
}
