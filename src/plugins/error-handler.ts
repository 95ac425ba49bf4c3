/**
 * Turns every error — catalogue errors, validation errors, Fastify's own 4xx errors and anything
 * unexpected — into RFC 9457 application/problem+json (src/http/problem.ts). 5xx bodies never carry
 * internals: unexpected errors are logged with their stack and answered with a generic message.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { toApiError } from '../http/errors.js';
import { sendProblem } from '../http/problem.js';

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
