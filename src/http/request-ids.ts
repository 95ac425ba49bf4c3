/**
 * Request ids: a random prefix per app plus a counter, unique across restarts and replicas (the
 * prefix) and within a process (the counter), and far cheaper per request than a random UUID.
 * A client (or a proxy) may choose the id with `x-request-id`, but only as a short token of safe
 * characters: the id is written into every log line of the request, into problem bodies and into the
 * `x-request-id` response header, so anything longer or stranger is replaced by a generated id.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The request header that may carry a client-chosen id (also echoed in responses). */
export const REQUEST_ID_HEADER = 'x-request-id';
/**
 * A client-chosen id that is kept: 1 to 64 letters, digits and `. _ : + / = -` (enough for UUIDs,
 * W3C trace ids, base64 tokens), nothing that could break a header, a log line or a page.
 */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:+/=-]{1,64}$/;
/** Random bytes of the prefix: 72 bits, base64url-encoded to 12 characters. */
const PREFIX_BYTES = 9;
/** Counter radix: base 36 keeps ids short. */
const COUNTER_RADIX = 36;

/** Whether a client-supplied request id is kept as is. */
export function isSafeRequestId(value: string): boolean {
  return SAFE_REQUEST_ID.test(value);
}

/**
 * A generator of request ids: the request's own `x-request-id` when it is a safe token, else a new
 * unique `<prefix>-<counter>`. Called without a request (an error found before any request exists),
 * it always generates.
 */
export function requestIdGenerator(): (request?: IncomingMessage) => string {
  const prefix = `${randomBytes(PREFIX_BYTES).toString('base64url')}-`;
  let counter = 0;
  return (request) => {
    const given = request?.headers[REQUEST_ID_HEADER];
    if (typeof given === 'string' && isSafeRequestId(given)) return given;
    return prefix + (++counter).toString(COUNTER_RADIX);
  };
}
