/**
 * Turns every error — catalogue errors, validation errors, Fastify's own 4xx errors, unknown
 * routes and anything unexpected — into RFC 9457 application/problem+json. 5xx bodies never carry
 * internals: unexpected errors are logged with their stack and answered with a generic message.
 */
import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, fromUpstream } from '../errors.js';
import type { ProblemBody } from '../../schemas/common.js';
import { HEADER_HASH_HEADERS } from '../rest/block-reply.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';
/** Problem types are tag URIs (RFC 4151), which RFC 9457 §3.1.1 allows for non-dereferenceable types. */
export const PROBLEM_TYPE_PREFIX = 'tag:chia-peer-gateway,2026:problem:';

/** Headers describing a successful resource, dropped from error responses. */
const RESOURCE_HEADERS = ['etag', ...HEADER_HASH_HEADERS, 'vary'];

/** Builds a problem body from a catalogue error. */
export function problemOf(error: ApiError, request: FastifyRequest): ProblemBody {
  return {
    type: PROBLEM_TYPE_PREFIX + error.code,
    title: error.title,
    status: error.status,
    detail: error.message,
    code: error.code,
    instance: request.url.split('?')[0] ?? request.url,
    request_id: String(request.id),
  };
}

/** Sends a catalogue error as problem+json (pre-serialised, so no response schema can reshape it). */
export function sendProblem(reply: FastifyReply, error: ApiError): FastifyReply {
  // A route may have set a block's validators before failing: an error must not carry them, and no
  // cache may keep it (a public max-age would let a shared cache store even a 502).
  for (const name of RESOURCE_HEADERS) reply.removeHeader(name);
  reply.header('cache-control', 'no-store');
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  return reply
    .code(error.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problemOf(error, reply.request)));
}

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && typeof (error as Partial<FastifyError>).statusCode === 'number';
}

/** Maps anything thrown in a request to a catalogue error. */
export function toApiError(error: unknown): ApiError {
  const mapped = fromUpstream(error, { role: 'upstream' });
  if (mapped instanceof ApiError) return mapped;
  if (isFastifyError(mapped)) {
    const status = mapped.statusCode ?? 500;
    if (mapped.validation !== undefined) {
      // e.g. "params/height must be <= 4294967295": Fastify prefixes the part of the request.
      return new ApiError('INVALID_PARAMETER', { detail: mapped.message }, { cause: mapped });
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
    const apiError = toApiError(error);
    if (apiError.status >= 500) {
      const level = apiError.code === 'INTERNAL_ERROR' ? 'error' : 'warn';
      request.log[level]({ err: error, code: apiError.code }, 'request failed');
    }
    // Headers like Retry-After set by a plugin that threw (rate limit) stay on the reply.
    return sendProblem(reply, apiError);
  });

  app.setNotFoundHandler((request, reply) => {
    const error = new ApiError('ROUTE_NOT_FOUND', { method: request.method, url: request.url.split('?')[0] ?? '' });
    return sendProblem(reply, error);
  });
}

export default fp(errorHandler, { name: 'error-handler', fastify: '5.x' });
