/**
 * A height is spelled one way only: plain decimal digits. JSON-schema coercion would also take "0x10",
 * "1e3", " 7" or "1.0" for an integer parameter; this preValidation hook refuses them first, worded
 * like every other invalid parameter.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MAX_HEIGHT } from '../chia/index.js';
import { ApiError } from './errors.js';
import { integerExpectation, mustBe } from './validation-detail.js';

const DIGITS = /^[0-9]+$/;

/** True unless `value` is text that is not plain decimal digits. */
function plain(value: unknown): boolean {
  return typeof value !== 'string' || DIGITS.test(value);
}

/** A preValidation hook refusing the named path or query parameters unless they are plain decimal digits. */
export function plainDigits(...names: string[]) {
  // A callback-style hook: no promise per request on the hot path of cached blocks.
  return (request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void => {
    const params = request.params as Record<string, unknown> | undefined;
    const query = request.query as Record<string, unknown> | undefined;
    for (const name of names) {
      if (!plain(params?.[name]) || !plain(query?.[name])) {
        done(new ApiError('INVALID_PARAMETER', { detail: mustBe(name, integerExpectation(0, MAX_HEIGHT)) }));
        return;
      }
    }
    done();
  };
}
