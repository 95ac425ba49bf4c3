/**
 * Turns every error — catalogue errors, validation errors, Fastify's own 4xx errors, unknown
 * routes and anything unexpected — into RFC 9457 application/problem+json. 5xx bodies never carry
 * internals: unexpected errors are logged with their stack and answered with a generic message.
 * Errors found before Fastify has a request (the HTTP parser's, a refused upgrade) are written to the
 * raw socket as the same problem+json by writeRawProblem.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, MAX_PARAM_LENGTH, fromUpstream } from '../http/errors.js';
import { validationDetail } from '../http/validation-detail.js';
import type { ProblemBody } from '../../schemas/common.js';
import { HEADER_HASH_HEADERS } from '../chain/block-reply.js';

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
  return problemBody(error, request.url.split('?')[0] ?? request.url, String(request.id));
}

/** Sends a catalogue error as problem+json (pre-serialised, so no response schema can reshape it). */
export function sendProblem(reply: FastifyReply, error: ApiError): FastifyReply {
  // A route may have set a block's validators before failing: an error must not carry them, and no
  // cache may keep it (a public max-age would let a shared cache store even a 502). A Vary header
  // stays: CORS may have set `Vary: Origin`.
  for (const name of RESOURCE_HEADERS) reply.removeHeader(name);
  reply.header('cache-control', 'no-store');
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  return reply
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

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && typeof (error as Partial<FastifyError>).statusCode === 'number';
}

/** Fastify errors raised before routing, each with its own catalogue entry. */
const FRAMEWORK_ERRORS: Record<string, (request: FastifyRequest | undefined) => ApiError> = {
  FST_ERR_BAD_URL: (request) => new ApiError('INVALID_URL', { path: request?.url.split('?')[0] ?? '' }),
  FST_ERR_MAX_PARAM_LENGTH: () => new ApiError('PATH_PARAMETER_TOO_LONG', { max: MAX_PARAM_LENGTH }),
};

/**
 * Maps anything thrown in a request to a catalogue error. The request, when given, words validation
 * errors from the route's schema.
 */
export function toApiError(error: unknown, request?: FastifyRequest): ApiError {
  const mapped = fromUpstream(error, { role: 'upstream' });
  if (mapped instanceof ApiError) return mapped;
  if (isFastifyError(mapped)) {
    const framework = FRAMEWORK_ERRORS[mapped.code];
    if (framework !== undefined) return framework(request);
    const status = mapped.statusCode ?? 500;
    if (mapped.validation !== undefined) {
      const detail = request === undefined ? mapped.message : validationDetail(mapped, request);
      return new ApiError('INVALID_PARAMETER', { detail }, { cause: mapped });
    }
    if (status === 429) return new ApiError('RATE_LIMITED', { detail: mapped.message }, { cause: mapped });
    if (status >= 400 && status < 500) {
      return new ApiError('CLIENT_ERROR', { detail: mapped.message }, { cause: mapped, status });
    }
  }
  return new ApiError('INTERNAL_ERROR', {}, { cause: error });
}

async function errorHandler(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((error, request, reply) => {
    const apiError = toApiError(error, request);
    if (apiError.status >= 500) {
      const level = apiError.code === 'INTERNAL_ERROR' ? 'error' : 'warn';
      request.log[level]({ err: error, code: apiError.code }, 'request failed');
    }
    // Headers like Retry-After set by a plugin that threw (rate limit) stay on the reply.
    return sendProblem(reply, apiError);
  });
}

export default fp(errorHandler, { name: 'error-handler', fastify: '5.x' });
